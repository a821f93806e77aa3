# The environment of the NixOS VM test (checks/vm-test.nix): Prometheus scraping itself, the
# generated Watchdog alert (fires at once), a webhook receiver on the logger host, one dashboard.
{
  environment = "vmtest";
  prometheus.alertmanagers = [ "localhost:9093" ];
  scrape_jobs = [
    {
      name = "prometheus";
      discovery.static.targets = [ "localhost:9090" ];
    }
  ];
  alertmanager = {
    receivers = [
      {
        name = "logger";
        webhook = [ { url = "http://logger:6725"; } ];
      }
    ];
    # Every alert goes to the logger host's webhook, on purpose.
    unrouted = [ "*" ];
    route = {
      receiver = "logger";
      group_wait = "1s";
      group_interval = "1s";
    };
  };
  grafana = {
    datasources = [
      {
        name = "Prometheus-Main";
        uid = "prometheus-main";
        type = "prometheus";
        url = "http://localhost:9090";
        is_default = true;
      }
    ];
    folders = [
      {
        title = "VM test";
        dir = "vmtest";
        dashboards = [ "system_overview" ];
      }
    ];
  };
  loki.storage.filesystem = { };
  promtail = {
    loki_url = "http://localhost:3100/loki/api/v1/push";
    sources = [
      {
        name = "system";
        kind.files.path = "/var/log/*log";
      }
    ];
  };
}
