# Development: one of everything, chat-only receivers, a week of logs on the local disk.
{ lib, ... }:
{
  imports = [ ./common.nix ];

  environment = "dev";

  creativeflow = {
    postgresExporters = [ "localhost:9187" ];
    redisExporters = [ "localhost:9121" ];
    rabbitmqNodes = [ "localhost:15692" ];
    receivers.aiInfra = "ai-infra-slack";
  };

  prometheus = {
    external_labels.monitor = "creativeflow-dev";
    alertmanagers = [ "localhost:9093" ];
  };

  # One model is deployed in dev; others are still covered by the default thresholds.
  ai_models.models = lib.mkForce [
    {
      name = "image-gen-v2";
      thresholds.p99_latency_seconds = 8;
    }
  ];

  alertmanager = {
    slack_api_url_file = "/run/secrets/monstack/slack-webhook-url";
    route.repeat_interval = lib.mkForce "12h";
    # dev's chat receives everything that is not an AI-model alert, on purpose.
    unrouted = [ "*" ];
    receivers = [
      {
        name = "default-receiver";
        slack = [ { channel = "#alerts-dev"; } ];
      }
      {
        name = "ai-infra-slack";
        slack = [ { channel = "#alerts-dev-ai"; } ];
      }
    ];
  };

  # Everything on the one host.
  meta = {
    prometheus.prometheus = "localhost:9090";
    loki.all = [ "localhost:3100" ];
    grafana = [ "localhost:3000" ];
    promtail = [ "localhost:9080" ];
    alloy = [ "localhost:12345" ];
  };

  grafana.allow_ui_updates = true;

  loki = {
    storage.filesystem = { };
    retention = {
      period = "7d";
      classes = lib.mkForce [
        {
          class = "security_audit";
          period = "30d";
        }
      ];
    };
  };
}
