//! The bundle's layout: its components (the top-level folders) and the fixed names of the files
//! and folders in them that hosts read. The renderers write these files under these names, and
//! the NixOS module (modules/nixos.nix) links and runs them by the same names, read from
//! modules/layout.nix, which `monstack nix-layout` generates from this module
//! ([`crate::nix::layout`]); a test fails when the committed file is stale.

/// `manifest.json`, at the top of the bundle: every file's size and hash, and a hash per component.
pub const MANIFEST: &str = "manifest.json";

/// The components of a bundle: each is the top-level folder of the same name.
/// `docs` is the catalogue (`docs/index.html`, `docs/catalog.md`), for people rather than tools.
/// `ruler` holds the rule files evaluated by the remote write store's ruler (`store_ruler`).
pub const COMPONENTS: [&str; 8] =
    ["prometheus", "alertmanager", "grafana", "loki", "promtail", "alloy", "ruler", "docs"];

/// The web configuration file name in a component's folder (Prometheus', Alertmanager's): the
/// web configuration without users, valid as it is ([`crate::host`]).
pub const WEB_CONFIG: &str = "web-config.yml";
/// Beside [`WEB_CONFIG`]: where each secret of it comes from.
pub const WEB_SECRETS: &str = "web-secrets.json";
/// Alertmanager's gossip TLS (`--cluster.tls-config`), with a cluster and `access.tls`: every
/// member serves its certificate to peers and presents the client certificate to them, and
/// accepts only peers whose certificate `access.tls.client_ca_file` signed. Only paths: it is
/// rendered as it is, and `monstack web-config --cluster-tls-out` points it at the credentials.
pub const CLUSTER_TLS: &str = "cluster-tls.yml";
/// Where hosts keep the assembled file: `/run/monstack/<component>/web-config.yml` (systemd's
/// `RuntimeDirectory=monstack/<component>`).
pub const RUNTIME_DIR: &str = "/run/monstack";

/// The configuration of an environment's single Prometheus server, in the `prometheus` folder;
/// a replica or shard has its own ([`prometheus_config`]).
pub const PROMETHEUS_CONFIG: &str = "prometheus.yml";
/// The folder of Prometheus' rule files (`prometheus/rules/<file>.yml`), beside its configuration.
pub const PROMETHEUS_RULES: &str = "rules";
/// The folder of Prometheus' scrape configuration files (`prometheus/scrape_configs/…`), beside
/// its configuration.
pub const PROMETHEUS_SCRAPE_CONFIGS: &str = "scrape_configs";

/// Alertmanager's configuration, in the `alertmanager` folder.
pub const ALERTMANAGER_CONFIG: &str = "alertmanager.yml";
/// The folder of Alertmanager's notification templates, beside its configuration (which names
/// them by this relative path).
pub const ALERTMANAGER_TEMPLATES: &str = "templates";

/// Grafana's datasource provisioning folder, in the `grafana` folder.
pub const GRAFANA_DATASOURCES: &str = "provisioning/datasources";
/// Grafana's dashboard provider provisioning folder, in the `grafana` folder.
pub const GRAFANA_DASHBOARD_PROVIDERS: &str = "provisioning/dashboards";

/// Loki's configuration, in the `loki` folder.
pub const LOKI_CONFIG: &str = "loki-config.yaml";
/// Promtail's configuration, in the `promtail` folder.
pub const PROMTAIL_CONFIG: &str = "promtail-config.yaml";
/// Alloy's configuration, in the `alloy` folder.
pub const ALLOY_CONFIG: &str = "config.alloy";

/// A Prometheus server's configuration file: [`PROMETHEUS_CONFIG`] for the single server, else
/// `prometheus.<instance>.yml` — beside it, so the relative `rule_files` and
/// `scrape_config_files` paths resolve the same way.
pub fn prometheus_config(instance: Option<&str>) -> String {
    match instance {
        None => PROMETHEUS_CONFIG.into(),
        Some(name) => {
            let (stem, extension) = PROMETHEUS_CONFIG.rsplit_once('.').expect("the name has an extension");
            format!("{stem}.{name}.{extension}")
        }
    }
}

/// The fixed names of modules/layout.nix, by attribute path: every name above that the Nix side
/// reads (the components and [`prometheus_config`] are written there apart, as a list and a
/// function).
pub const NIX_NAMES: [(&str, &str); 14] = [
    ("manifest", MANIFEST),
    ("runtimeDir", RUNTIME_DIR),
    ("web.config", WEB_CONFIG),
    ("web.secrets", WEB_SECRETS),
    ("web.clusterTls", CLUSTER_TLS),
    ("prometheus.config", PROMETHEUS_CONFIG),
    ("prometheus.rules", PROMETHEUS_RULES),
    ("prometheus.scrapeConfigs", PROMETHEUS_SCRAPE_CONFIGS),
    ("alertmanager.config", ALERTMANAGER_CONFIG),
    ("alertmanager.templates", ALERTMANAGER_TEMPLATES),
    ("grafana.datasources", GRAFANA_DATASOURCES),
    ("grafana.dashboardProviders", GRAFANA_DASHBOARD_PROVIDERS),
    ("loki.config", LOKI_CONFIG),
    ("alloy.config", ALLOY_CONFIG),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_config_sits_beside_the_single_servers() {
        assert_eq!(prometheus_config(None), "prometheus.yml");
        assert_eq!(prometheus_config(Some("shard-1.a")), "prometheus.shard-1.a.yml");
    }
}
