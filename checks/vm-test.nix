# A NixOS VM test of `services.monstack`, modelled on nixpkgs' nixos/tests/prometheus/alertmanager.nix:
# the monitor host runs Prometheus, Alertmanager and Grafana from a bundle; the logger host runs
# the webhook logger the bundle's receiver points at.
{ nixosModule }:
{
  name = "monstack-nixos-module";

  nodes = {
    monitor =
      { pkgs, ... }:
      {
        imports = [ nixosModule ];
        environment.systemPackages = [
          pkgs.curl
          pkgs.jq
        ];
        networking.firewall.enable = false;
        services.grafana.settings.security = {
          admin_password = "vmtest";
          secret_key = "vmtest-only-secret";
        };
        services.monstack = {
          enable = true;
          loki.enable = false;
          environment = [ ./vmtest-env.nix ];
          # The VM runs the nixpkgs the flake pins, whatever versions vmtest-env.nix declares.
          renderForHostVersions = true;
        };
      };

    logger =
      { ... }:
      {
        networking.firewall.allowedTCPPorts = [ 6725 ];
        services.prometheus.alertmanagerWebhookLogger.enable = true;
      };
  };

  testScript = ''
    start_all()
    monitor.wait_for_unit("prometheus.service")
    monitor.wait_for_unit("alertmanager.service")
    monitor.wait_for_unit("grafana.service")
    logger.wait_for_unit("alertmanager-webhook-logger.service")
    monitor.wait_for_open_port(9090)
    monitor.wait_for_open_port(9093)
    monitor.wait_for_open_port(3000)

    with subtest("the bundle's rule is loaded"):
        monitor.wait_until_succeeds(
            "curl -sf localhost:9090/api/v1/rules | jq -e '.data.groups[].rules[] | select(.name == \"Watchdog\")'"
        )

    with subtest("the generated dashboard is served by uid"):
        monitor.wait_until_succeeds(
            "curl -sf -u admin:vmtest localhost:3000/api/dashboards/uid/monstack-system-overview | jq -e '.dashboard.title == \"System Overview\"'"
        )

    with subtest("the alert reaches the webhook receiver"):
        logger.wait_until_succeeds(
            "journalctl -o cat -u alertmanager-webhook-logger.service | grep '\"alertname\":\"Watchdog\"'"
        )
  '';
}
