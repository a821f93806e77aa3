# The bundle's layout: its components and the fixed names of the files and folders in them that
# hosts read. Generated from src/bundle/layout.rs, which says what each name is, by
# `monstack nix-layout`; do not edit. Regenerate with
# `cargo run -q -- nix-layout > modules/layout.nix`.
{
  # The components of a bundle: its top-level folders, each also an output of its derivation.
  components = [
    "prometheus"
    "alertmanager"
    "grafana"
    "loki"
    "promtail"
    "alloy"
    "ruler"
    "docs"
  ];
  manifest = "manifest.json";
  runtimeDir = "/run/monstack";
  web.config = "web-config.yml";
  web.secrets = "web-secrets.json";
  web.clusterTls = "cluster-tls.yml";
  prometheus.config = "prometheus.yml";
  prometheus.rules = "rules";
  prometheus.scrapeConfigs = "scrape_configs";
  alertmanager.config = "alertmanager.yml";
  alertmanager.templates = "templates";
  grafana.datasources = "provisioning/datasources";
  grafana.dashboardProviders = "provisioning/dashboards";
  loki.config = "loki-config.yaml";
  alloy.config = "config.alloy";
  # A Prometheus server's configuration file, by its instance name: "" for an environment's
  # single server, `[shard-<n>.]<replica>` for a replica or a shard.
  prometheus.instanceConfig =
    instance: if instance == "" then "prometheus.yml" else "prometheus.${instance}.yml";
}
