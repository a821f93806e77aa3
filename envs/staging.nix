# Staging: production's shape on one Alertmanager, chat instead of paging, a month of logs.
{ ... }:
let
  secrets = "/run/secrets/monstack";
in
{
  imports = [ ./common.nix ];

  environment = "staging";

  creativeflow = {
    postgresExporters = [ "postgres-exporter-1.db.staging.internal:9187" ];
    redisExporters = [ "redis-exporter-1.cache.staging.internal:9121" ];
    rabbitmqNodes = [ "rabbitmq-1.mq.staging.internal:15692" ];
    minioNodes = [
      "minio.storage.staging.internal:9000"
    ];
    # Nobody watches staging at night: warnings wait for business hours.
    quietWarnings = true;
    receivers = {
      critical = "critical-slack";
      warning = "warning-slack";
      info = "info-email";
      database = "db-team-slack";
      aiInfra = "ai-infra-slack";
      watchdog = "deadmans-switch";
    };
  };

  prometheus = {
    external_labels.monitor = "creativeflow-staging";
    alertmanagers = [ "alertmanager-0.monitoring:9093" ];
  };

  alertmanager = {
    smtp = {
      smarthost = "smtp.creativeflow.ai:587";
      from = "alertmanager-staging@creativeflow.ai";
      auth_username = "alertmanager";
      auth_password_file = "${secrets}/smtp-password";
    };
    slack_api_url_file = "${secrets}/slack-webhook-url";
    receivers = [
      {
        name = "deadmans-switch";
        webhook = [ { url_file = "${secrets}/deadmans-switch-url"; } ];
      }
      {
        name = "default-receiver";
        email = [ { to = "ops-staging@creativeflow.ai"; } ];
      }
      {
        name = "critical-slack";
        slack = [
          {
            channel = "#alerts-staging-critical";
            mention_channel = true;
          }
        ];
      }
      {
        name = "warning-slack";
        slack = [ { channel = "#alerts-staging"; } ];
      }
      {
        name = "info-email";
        email = [ { to = "alerts-info@creativeflow.ai"; } ];
      }
      {
        name = "db-team-slack";
        slack = [ { channel = "#db-staging"; } ];
      }
      {
        name = "ai-infra-slack";
        slack = [ { channel = "#alerts-ai-infra-staging"; } ];
      }
    ];
  };

  loki = {
    storage.s3 = {
      endpoint = "minio.storage.staging.internal:9000";
      bucket = "loki-staging";
      # HTTPS with the internal CA's certificate: the S3 keys never cross the network in clear.
      ca_file = "${secrets}/ca.crt";
    };
    retention = {
      period = "30d";
      streams = [
        {
          selector = ''{level="debug"}'';
          period = "7d";
          priority = 1;
        }
      ];
    };
    size = "medium";
  };

  # TLS and users as in production; not marked production, so Loki's mutual TLS and Grafana's
  # secrets are not required.
  # The stack's own servers; with TLS, blackbox_exporter probes every endpoint's certificate.
  meta = {
    prometheus.prometheus = "prometheus-0.monitoring:9090";
    loki.all = [ "loki:3100" ];
    grafana = [ "grafana-0.monitoring:3000" ];
    promtail = [ "logs-agent-0.monitoring:9080" ];
    alloy = [ "logs-agent-0.monitoring:12345" ];
    blackbox.address = "blackbox-0.monitoring:9115";
  };

  access = {
    tls = {
      cert_file = "${secrets}/tls.crt";
      key_file = "${secrets}/tls.key";
    };
    users = [
      {
        name = "grafana";
        password_hash_file = "${secrets}/web-users/grafana.bcrypt";
      }
    ];
    client = {
      basic_auth = {
        username = "grafana";
        password_file = "${secrets}/web-users/grafana.password";
      };
      tls.ca_file = "${secrets}/ca.crt";
    };
  };
}
