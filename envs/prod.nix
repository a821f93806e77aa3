# Production: an HA pair of Prometheus replicas writing to Grafana Mimir, a two-member
# Alertmanager cluster, PagerDuty for criticals, the seed's receivers, MinIO-backed Loki (simple
# scalable) with long retention.
{ ... }:
let
  secrets = "/run/secrets/monstack";
in
{
  imports = [ ./common.nix ];

  environment = "prod";

  creativeflow = {
    postgresExporters = [
      "postgres-exporter-1.db.internal:9187"
      "postgres-exporter-2.db.internal:9187"
    ];
    redisExporters = [
      "redis-exporter-1.cache.internal:9121"
      "redis-exporter-2.cache.internal:9121"
    ];
    rabbitmqNodes = [
      "rabbitmq-1.mq.internal:15692"
      "rabbitmq-2.mq.internal:15692"
      "rabbitmq-3.mq.internal:15692"
    ];
    minioNodes = [
      "minio-1.storage.internal:9000"
      "minio-2.storage.internal:9000"
    ];
    receivers = {
      critical = "critical-pagerduty";
      warning = "warning-slack";
      info = "info-email";
      database = "db-team-pagerduty";
      aiInfra = "ai-infra-slack";
      watchdog = "deadmans-switch";
    };
    # What discovery finds in prod, for the capacity estimate (docs/catalog.md shows the result).
    expectedTargets = {
      node_exporter = 12;
      api-gateway = 3;
      odoo-backend = 2;
      n8n-workflows = 2;
      auth-service = 3;
      user-management = 3;
      creative-management = 3;
      subscription-service = 2;
      collaboration-service = 3;
      notification-service = 2;
      web-frontend = 3;
      kubernetes-cadvisor = 12;
      kubernetes-kube-state-metrics = 1;
      kubernetes-apiservers = 3;
      dcgm_exporter = 4;
      custom-ai-models = 6;
    };
    # Grafana queries the long-term store, which holds both replicas' data deduplicated.
    storeQueryUrl = "https://mimir-query-frontend:8080/prometheus";
  };

  prometheus = {
    external_labels.monitor = "creativeflow-main";
    alertmanagers = [
      "alertmanager-0.monitoring:9093"
      "alertmanager-1.monitoring:9093"
    ];
    # Replicas a and b (services.monstack.prometheus.replica per host); Mimir's HA tracker keeps
    # one replica's samples per `cluster` and drops `__replica__`.
    ha.replicas = [
      "a"
      "b"
    ];
    remote_write = [
      {
        name = "mimir";
        url = "https://mimir-distributor:8080/api/v1/push";
        store = "mimir";
        tenant = "creativeflow";
        basic_auth = {
          username = "prometheus-prod";
          password_file = "${secrets}/mimir-remote-write-password";
        };
        # Mimir serves HTTPS with the internal CA's certificate (access/plaintext-credentials).
        tls.ca_file = "${secrets}/ca.crt";
        # Scrape bookkeeping is only needed by the replica that scraped.
        local_only = [
          "scrape_(duration_seconds|samples_scraped|samples_post_metric_relabeling|series_added)"
        ];
      }
    ];
    # One replica is sized for a million active series; past that the jobs are sharded.
    capacity.max_series_per_replica = 1000000;
  };

  # Evaluated by Mimir's ruler over both replicas' (deduplicated) data, not by Prometheus.
  rules.files = [
    {
      name = "global_recording_rules";
      store_ruler = true;
      groups = [
        {
          name = "global-targets";
          rules = [
            {
              record = "job:up:sum";
              expr = "sum by (job) (up)";
            }
          ];
        }
      ];
    }
  ];

  alertmanager = {
    # services.monstack.alertmanager.clusterMember = 0 or 1 per host.
    cluster.peers = [
      "alertmanager-0.monitoring:9094"
      "alertmanager-1.monitoring:9094"
    ];
    smtp = {
      smarthost = "smtp.creativeflow.ai:587";
      from = "alertmanager@creativeflow.ai";
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
        email = [ { to = "ops@creativeflow.ai"; } ];
      }
      {
        name = "critical-pagerduty";
        pagerduty = [ { routing_key_file = "${secrets}/pagerduty-critical-routing-key"; } ];
      }
      {
        name = "warning-slack";
        slack = [ { channel = "#alerts-warning"; } ];
      }
      {
        name = "info-email";
        email = [ { to = "alerts-info@creativeflow.ai"; } ];
      }
      {
        name = "db-team-pagerduty";
        pagerduty = [ { routing_key_file = "${secrets}/pagerduty-db-routing-key"; } ];
      }
      {
        name = "ai-infra-slack";
        slack = [
          {
            channel = "#alerts-ai-infra";
            mention_channel = true;
          }
        ];
      }
    ];
  };

  # One tenant for the environment: Promtail and Alloy send it, Grafana's Loki datasource asks
  # for it (X-Scope-OrgID).
  promtail.tenant_id = "creativeflow-prod";

  loki = {
    auth_enabled = true;
    storage.s3 = {
      endpoint = "minio.storage.internal:9000";
      bucket = "loki-prod";
      # HTTPS with the internal CA's certificate: the S3 keys never cross the network in clear.
      ca_file = "${secrets}/ca.crt";
    };
    retention = {
      period = "90d";
      streams = [
        {
          selector = ''{level="debug"}'';
          period = "14d";
          priority = 1;
        }
      ];
    };
    size = "large";
    # Read, write and backend targets on their own hosts (services.monstack.loki.target).
    simple_scalable = {
      join_members = [
        "loki-read:7946"
        "loki-write:7946"
        "loki-backend:7946"
      ];
      compactor_address = "https://loki-backend:3100";
    };
  };

  # The stack's own servers, by the topology: both replicas, Loki's three targets, the
  # Alertmanager cluster (from prometheus.alertmanagers), the agents; blackbox_exporter probes
  # every endpoint's certificate.
  meta = {
    prometheus = {
      a = "prometheus-a.monitoring:9090";
      b = "prometheus-b.monitoring:9090";
    };
    loki = {
      read = [ "loki-read:3100" ];
      write = [ "loki-write:3100" ];
      backend = [ "loki-backend:3100" ];
    };
    grafana = [ "grafana.monitoring:3000" ];
    promtail = [
      "logs-agent-1.monitoring:9080"
      "logs-agent-2.monitoring:9080"
    ];
    alloy = [
      "logs-agent-1.monitoring:12345"
      "logs-agent-2.monitoring:12345"
    ];
    blackbox.address = "blackbox.monitoring:9115";
  };

  # Every UI and API over TLS with authentication; every secret a file the secret store puts
  # on the host (the bcrypt hashes too: the bundle only names their files).
  access = {
    production = true;
    tls = {
      cert_file = "${secrets}/tls.crt";
      key_file = "${secrets}/tls.key";
      client_ca_file = "${secrets}/client-ca.crt";
      client_cert_required = [ "loki" ];
    };
    users = [
      {
        name = "grafana";
        password_hash_file = "${secrets}/web-users/grafana.bcrypt";
      }
      {
        name = "sre";
        password_hash_file = "${secrets}/web-users/sre.bcrypt";
      }
    ];
    client = {
      basic_auth = {
        username = "grafana";
        password_file = "${secrets}/web-users/grafana.password";
      };
      tls = {
        ca_file = "${secrets}/ca.crt";
        cert_file = "${secrets}/client.crt";
        key_file = "${secrets}/client.key";
      };
    };
  };

  prometheus.storage = {
    retention_time = "30d";
    retention_size = "200GB";
  };
  prometheus.external_url = "https://prometheus.creativeflow.ai/";
  alertmanager.external_url = "https://alertmanager.creativeflow.ai/";

  grafana.server = {
    root_url = "https://grafana.creativeflow.ai/";
    admin_password_file = "${secrets}/grafana-admin-password";
    secret_key_file = "${secrets}/grafana-secret-key";
    oauth = {
      name = "CreativeFlow SSO";
      client_id = "grafana-prod";
      client_secret_file = "${secrets}/grafana-oauth-client-secret";
      auth_url = "https://sso.creativeflow.ai/realms/creativeflow/protocol/openid-connect/auth";
      token_url = "https://sso.creativeflow.ai/realms/creativeflow/protocol/openid-connect/token";
      userinfo_url = "https://sso.creativeflow.ai/realms/creativeflow/protocol/openid-connect/userinfo";
      admin_groups = [ "sre" ];
      editor_groups = [
        "platform"
        "ai-infra"
        "db"
      ];
    };
  };
}
