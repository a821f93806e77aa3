# CreativeFlow's platform as its design document describes it: what every environment scrapes,
# alerts on, routes, shows and logs. dev.nix, staging.nix and prod.nix import this module and set
# what really differs between environments through the `creativeflow.*` options below.
{ config, lib, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.creativeflow;

  # An application service scraped from its pods' named metrics port.
  appJob = name: namespace: app: port: owner: {
    inherit name owner;
    expected_targets = expectedTargets name;
    file = "application_service_targets";
    discovery.kubernetes = {
      role = "pod";
      namespaces = [ namespace ];
      match_labels.app = app;
      port_name = port;
    };
  };

  # What discovery finds for a job, for the capacity estimate (null: unknown).
  expectedTargets = name: cfg.expectedTargets.${name} or null;

  staticJob = name: file: owner: service: targets: {
    inherit name file owner;
    labels.service = service;
    discovery.static.targets = targets;
  };

  # Where Loki takes pushes and answers queries: one host for a single binary, the write and
  # read targets for the simple scalable deployment.
  # With access.tls every component serves HTTPS, and its clients say so.
  scheme = if config.access.tls != null then "https" else "http";
  scalable = config.loki.simple_scalable != null;
  lokiWrite = if scalable then "${scheme}://loki-write:3100" else "${scheme}://loki:3100";
  lokiRead = if scalable then "${scheme}://loki-read:3100" else "${scheme}://loki:3100";
in
{
  options.creativeflow = {
    postgresExporters = mkOption {
      type = types.listOf types.str;
      description = "postgres_exporter targets (host:port), one per PostgreSQL instance.";
      example = [ "postgres-exporter-1.db.internal:9187" ];
    };
    redisExporters = mkOption {
      type = types.listOf types.str;
      description = "redis_exporter targets (host:port).";
      example = [ "redis-exporter-1.cache.internal:9121" ];
    };
    rabbitmqNodes = mkOption {
      type = types.listOf types.str;
      description = "RabbitMQ nodes' Prometheus endpoints (host:15692).";
      example = [ "rabbitmq-1.mq.internal:15692" ];
    };
    expectedTargets = mkOption {
      type = types.attrsOf types.ints.positive;
      default = { };
      description = "How many targets each discovery-based scrape job finds, by job name: the capacity estimate's `expected_targets`.";
      example = {
        api-gateway = 3;
        kubernetes-cadvisor = 12;
      };
    };
    storeQueryUrl = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "The long-term store's Prometheus query endpoint (e.g. Mimir's query-frontend); when set, Grafana's Prometheus-Main datasource queries it instead of the local Prometheus.";
      example = "https://mimir-query-frontend:8080/prometheus";
    };
    quietWarnings = mkOption {
      type = types.bool;
      default = false;
      description = "Send warnings only in business hours (Monday to Friday, 08:00-18:00 UTC).";
    };
    minioNodes = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "MinIO nodes (host:port) whose cluster metrics are scraped; none leaves the job and its alerts out.";
      example = [ "minio-1.storage.internal:9000" ];
    };
    receivers = mkOption {
      description = ''
        Which receiver each kind of alert reaches; null leaves that route out, so the alert
        falls through to the default receiver.
      '';
      type = types.submodule {
        options = {
          default = mkOption {
            type = types.str;
            default = "default-receiver";
            description = "Receiver of alerts no other route catches.";
          };
          critical = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = "Receiver of every critical alert.";
          };
          warning = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = "Receiver of every warning.";
          };
          info = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = "Receiver of informational alerts.";
          };
          database = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = "Receiver of critical PostgreSQL alerts (the DB team).";
          };
          aiInfra = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = "Receiver of custom AI model warnings and criticals.";
          };
          watchdog = mkOption {
            type = types.nullOr types.str;
            default = null;
            description = "Receiver of the always-firing Watchdog: a dead man's switch that pages when the heartbeat stops.";
          };
        };
      };
      default = { };
    };
  };

  config = {
    teams = [
      {
        name = "sre";
        description = "Site reliability: hosts, Kubernetes, the monitoring stack";
        receiver = cfg.receivers.default;
      }
      {
        name = "platform";
        description = "API gateway and CreativeFlow application services";
      }
      {
        name = "business-apps";
        description = "Odoo and n8n";
      }
      {
        name = "db";
        description = "PostgreSQL and Redis";
        # The DB team is paged for PostgreSQL criticals (the seed's db-team-pagerduty route).
        services = [ "postgresql" ];
        receivers.critical = cfg.receivers.database;
      }
      {
        name = "ai-infra";
        description = "GPU cluster and custom AI models";
        # Model warnings and criticals reach AI infra too (the seed's ai-infra-slack route).
        services = [ "custom-ai-models" ];
        receivers = {
          warning = cfg.receivers.aiInfra;
          critical = cfg.receivers.aiInfra;
        };
      }
    ];

    prometheus = {
      scrape_interval = "15s";
      evaluation_interval = "15s";
      # The SLOs' error ratio over their 30-day period is derived from 30 days of the local
      # 5-minute rates: the local TSDB keeps at least that (validation: rule/beyond-retention).
      storage.retention_time = lib.mkDefault "30d";
    };

    scrape_jobs = [
      {
        name = "node_exporter";
        expected_targets = expectedTargets "node_exporter";
        file = "node_exporter_targets";
        owner = "sre";
        discovery.file_sd.files = [ "/etc/prometheus/file_sd/node_exporter_targets.json" ];
      }
      (appJob "api-gateway" "gateway" "api-gateway-app" "metrics" "platform")
      (appJob "odoo-backend" "odoo" "odoo-app" "metrics-odoo" "business-apps")
      (appJob "n8n-workflows" "n8n" "n8n-app" "metrics-n8n" "business-apps")
      (appJob "auth-service" "creativeflow" "auth-service" "metrics" "platform")
      (appJob "user-management" "creativeflow" "user-management" "metrics" "platform")
      (appJob "creative-management" "creativeflow" "creative-management" "metrics" "platform")
      (appJob "subscription-service" "creativeflow" "subscription-service" "metrics" "platform")
      (appJob "collaboration-service" "creativeflow" "collaboration-service" "metrics" "platform")
      (appJob "notification-service" "creativeflow" "notification-service" "metrics" "platform")
      (appJob "web-frontend" "creativeflow" "web-frontend" "metrics" "platform")
      # The databases and the broker are critical: an exporter (or, for RabbitMQ's built-in
      # plugin, the broker) that cannot be scraped pages (CriticalTargetDown), since the
      # service's own "down" alert cannot fire without it.
      (
        staticJob "postgres_exporter" "database_targets" "db" "postgresql" cfg.postgresExporters
        // {
          critical = true;
        }
      )
      (
        staticJob "redis_exporter" "database_targets" "db" "redis" cfg.redisExporters
        // {
          critical = true;
        }
      )
      (
        staticJob "rabbitmq_exporter" "message_queue_targets" "platform" "rabbitmq" cfg.rabbitmqNodes
        // {
          critical = true;
        }
      )
      # The same nodes again for the per-queue depth: the plugin's default endpoint sums all
      # queues of a node, without `queue` and `vhost` (RabbitMQ's cluster operator scrapes
      # both endpoints the same way).
      (
        staticJob "rabbitmq_queues" "message_queue_targets" "platform" "rabbitmq" cfg.rabbitmqNodes
        // {
          metrics_path = "/metrics/detailed";
          params.family = [
            "queue_coarse_metrics"
            "queue_consumer_count"
          ];
        }
      )
    ]
    ++ lib.optionals (cfg.minioNodes != [ ]) (
      map
        (what: {
          name = if what == "cluster" then "minio" else "minio-${what}";
          file = "object_storage_targets";
          owner = "sre";
          metrics_path = "/minio/v2/metrics/${what}";
          labels.service = "minio";
          # MinIO's metrics endpoints want a bearer token (`mc admin prometheus generate`),
          # which goes over TLS only: MinIO serves HTTPS with the internal CA's certificate.
          authorization.credentials_file = "/run/secrets/monstack/minio-prometheus-token";
          scheme = "https";
          tls.ca_file = "/run/secrets/monstack/ca.crt";
          discovery.static.targets = cfg.minioNodes;
        })
        # Bucket metrics (replication among them) have their own endpoint since
        # RELEASE.2023-07-21.
        [
          "cluster"
          "bucket"
        ]
    )
    ++ [
      {
        name = "kubernetes-cadvisor";
        expected_targets = expectedTargets "kubernetes-cadvisor";
        file = "kubernetes_targets";
        owner = "sre";
        discovery.kubernetes = {
          role = "node";
          preset = "cadvisor";
        };
      }
      # kube-state-metrics and DCGM exporter label their series with the namespace and pod they
      # describe (the pod using the GPU, for DCGM), not their own. Without honor_labels the
      # discovery's namespace/pod target labels (the exporter's own pod) would win and rename
      # theirs to exported_namespace/exported_pod, so joins `on (namespace, pod)` find nothing
      # and every kube-state-metrics series names kube-system. As kube-prometheus scrapes
      # kube-state-metrics (manifests/kubeStateMetrics-serviceMonitor.yaml: honorLabels: true and
      # a labeldrop of pod|service|endpoint|namespace), both jobs honour the exporter's labels
      # and drop the discovery's, so series without them (kube_node_*, idle GPUs) get none.
      {
        name = "kubernetes-kube-state-metrics";
        expected_targets = expectedTargets "kubernetes-kube-state-metrics";
        file = "kubernetes_targets";
        owner = "sre";
        honor_labels = true;
        relabel_configs = [
          {
            action = "labeldrop";
            regex = "namespace|pod";
          }
        ];
        discovery.kubernetes = {
          role = "endpoints";
          namespaces = [ "kube-system" ];
          match_labels."app.kubernetes.io/name" = "kube-state-metrics";
          port_name = "http-metrics";
        };
      }
      {
        name = "kubernetes-apiservers";
        expected_targets = expectedTargets "kubernetes-apiservers";
        file = "kubernetes_targets";
        owner = "sre";
        discovery.kubernetes = {
          role = "endpoints";
          namespaces = [ "default" ];
          preset = "apiserver";
        };
      }
      {
        name = "dcgm_exporter";
        expected_targets = expectedTargets "dcgm_exporter";
        file = "gpu_targets";
        owner = "ai-infra";
        # See kube-state-metrics above (NVIDIA/dcgm-exporter#85: the workload's pod arrives as
        # exported_pod unless the scrape honours the exporter's labels).
        honor_labels = true;
        relabel_configs = [
          {
            action = "labeldrop";
            regex = "namespace|pod";
          }
        ];
        discovery.kubernetes = {
          role = "pod";
          namespaces = [ "gpu-operator" ];
          match_labels.app = "nvidia-dcgm-exporter";
          port = 9400;
          instance_from_node = true;
        };
      }
      {
        name = "custom-ai-models";
        expected_targets = expectedTargets "custom-ai-models";
        file = "custom_ai_model_targets";
        owner = "ai-infra";
        discovery.kubernetes = {
          role = "pod";
          namespaces = [ "ai-models" ];
          annotations = true;
          target_labels = {
            model_name = "ai_model_name";
            model_version = "ai_model_version";
          };
        };
      }
    ];

    rules.runbook_base_url = "https://runbooks.creativeflow.ai/alerts";

    # The stack watches itself (meta-monitoring); each environment says where its servers are.
    meta.owner = "sre";

    slos = [
      {
        name = "api-gateway-availability";
        service = "api-gateway";
        objective = 0.999;
        sli.availability = {
          errors = ''http_requests_total{job="api-gateway", code=~"5.."}'';
          total = ''http_requests_total{job="api-gateway"}'';
        };
      }
      {
        name = "api-gateway-latency";
        service = "api-gateway";
        objective = 0.99;
        sli.latency = {
          histogram = "http_request_duration_seconds";
          matchers = ''job="api-gateway"'';
          threshold_seconds = 0.5;
        };
      }
      {
        name = "odoo-availability";
        service = "odoo-backend";
        objective = 0.995;
        sli.availability = {
          errors = ''http_requests_total{job="odoo-backend", code=~"5.."}'';
          total = ''http_requests_total{job="odoo-backend"}'';
        };
      }
    ];

    ai_models = {
      owner = "ai-infra";
      defaults = {
        p99_latency_seconds = 2;
        error_ratio = 0.05;
      };
      models = [
        {
          name = "image-gen-v2";
          thresholds = {
            p99_latency_seconds = 8;
            min_requests_per_second = 0.2;
            drift_threshold = 0.3;
          };
        }
        {
          name = "text-assist";
          thresholds = {
            p99_latency_seconds = 1.5;
            error_ratio = 0.02;
            min_requests_per_second = 1;
            drift_threshold = 0.25;
          };
        }
        {
          name = "style-transfer";
          thresholds.p99_latency_seconds = 5;
        }
      ];
    };

    alertmanager = {
      route = {
        receiver = cfg.receivers.default;
        group_by = [
          "alertname"
          "service"
          "severity"
        ];
        group_wait = "30s";
        group_interval = "5m";
        repeat_interval = "4h";
        # The teams' routes (from `teams.*.services` and `receivers`) come first, each with
        # `continue`, so the alert also reaches its severity's receiver below. (The seed listed
        # them last, where an info route without `continue` could swallow them, and matched
        # `severity: 'warning|critical'` literally.)
        routes = lib.filter (r: r.receiver != null) [
          # The heartbeat goes to the dead man's switch only, every few minutes.
          {
            receiver = cfg.receivers.watchdog;
            matchers = [ ''alertname="Watchdog"'' ];
            group_wait = "0s";
            group_interval = "1m";
            repeat_interval = "5m";
          }
          {
            receiver = cfg.receivers.critical;
            matchers = [ ''severity=~"critical|P1"'' ];
            continue = true;
            repeat_interval = "1h";
          }
          {
            receiver = cfg.receivers.warning;
            matchers = [ ''severity=~"warning|P2|P3"'' ];
            continue = true;
            mute_time_intervals = lib.optional cfg.quietWarnings "outside-business-hours";
          }
          {
            receiver = cfg.receivers.info;
            matchers = [ ''severity=~"info|P4"'' ];
            repeat_interval = "24h";
          }
        ];
      };
      time_intervals = lib.optional cfg.quietWarnings {
        name = "outside-business-hours";
        intervals = [
          {
            weekdays = [
              "saturday"
              "sunday"
            ];
          }
          {
            weekdays = [ "monday:friday" ];
            times = [
              {
                start_time = "00:00";
                end_time = "08:00";
              }
              {
                start_time = "18:00";
                end_time = "24:00";
              }
            ];
          }
        ];
      };
      # Each inhibition mutes alerts that fire with its source for the same cause (validation
      # requires a possible source and target pair: inhibit/no-source, inhibit/no-target). The
      # seed's critical-over-warning rule on equal alertname muted nothing: no alert exists at
      # both severities.
      inhibit_rules = [
        # A database that is down explains its own warnings (connections, replication, memory).
        {
          source_matchers = [ ''alertname=~"PostgresqlDown|RedisDown"'' ];
          target_matchers = [ ''severity="warning"'' ];
          equal = [
            "service"
            "instance"
          ];
        }
        # One incident, one page: a service's error-rate page covers the fast burn of its
        # availability SLO's budget, which the same errors cause. The fast burn still pages for
        # errors below the error-rate alert's threshold that exhaust the budget all the same.
        {
          source_matchers = [
            ''alertname=~".*HighErrorRate.*"''
            ''severity="critical"''
          ];
          target_matchers = [
            ''alertname="SLOErrorBudgetBurnFast"''
            ''sli="availability"''
          ];
          equal = [ "service" ];
        }
        # A host that cannot be scraped explains its host alerts: mute them while it is down.
        {
          source_matchers = [
            ''alertname="TargetDown"''
            ''job="node_exporter"''
          ];
          target_matchers = [ ''component="server"'' ];
          equal = [ "instance" ];
        }
      ];
      # Where each kind of alert must go (the seed's routes), checked before anything is
      # rendered and again with amtool.
      expectations =
        let
          r = cfg.receivers;
          reach =
            rs:
            let
              present = lib.filter (x: x != null) rs;
            in
            if present == [ ] then [ r.default ] else present;
        in
        [
          {
            labels = {
              alertname = "PostgresqlDown";
              service = "postgresql";
              severity = "critical";
            };
            receivers = reach [
              r.database
              r.critical
            ];
          }
          {
            # An unreachable postgres_exporter pages the DB team like PostgresqlDown does.
            labels = {
              alertname = "CriticalTargetDown";
              job = "postgres_exporter";
              service = "postgresql";
              component = "scrape";
              severity = "critical";
            };
            receivers = reach [
              r.database
              r.critical
            ];
          }
          {
            labels = {
              alertname = "CustomAIModelHighInferenceLatency";
              service = "custom-ai-models";
              severity = "warning";
            };
            receivers = reach [
              r.aiInfra
              r.warning
            ];
          }
          {
            labels = {
              alertname = "HighErrorRateAPIGateway";
              service = "api-gateway";
              severity = "critical";
            };
            receivers = reach [ r.critical ];
          }
          {
            labels = {
              alertname = "HostHighCpuLoad";
              component = "server";
              severity = "warning";
            };
            receivers = reach [ r.warning ];
          }
          {
            labels = {
              alertname = "LowNewFeatureAdoption";
              business_process = "feature_adoption";
              severity = "info";
            };
            receivers = reach [ r.info ];
          }
          {
            labels = {
              alertname = "Watchdog";
              severity = "none";
            };
            receivers = reach [ r.watchdog ];
          }
          {
            # A PostgreSQL warning is muted while that server is down.
            labels = {
              alertname = "PostgresqlTooManyConnections";
              service = "postgresql";
              instance = "postgres-exporter-1.db.internal:9187";
              severity = "warning";
            };
            receivers = reach [ r.warning ];
            inhibited_by = {
              alertname = "PostgresqlDown";
              service = "postgresql";
              instance = "postgres-exporter-1.db.internal:9187";
              severity = "critical";
            };
          }
          {
            # The gateway's error-rate page covers the fast burn of its availability budget.
            labels = {
              alertname = "SLOErrorBudgetBurnFast";
              service = "api-gateway";
              slo = "api-gateway-availability";
              sli = "availability";
              severity = "critical";
            };
            receivers = reach [ r.critical ];
            inhibited_by = {
              alertname = "HighErrorRateAPIGateway";
              service = "api-gateway";
              severity = "critical";
            };
          }
          {
            labels = {
              alertname = "HostHighCpuLoad";
              component = "server";
              instance = "host-1:9100";
              severity = "warning";
            };
            receivers = reach [ r.warning ];
            inhibited_by = {
              alertname = "TargetDown";
              job = "node_exporter";
              instance = "host-1:9100";
              component = "scrape";
              severity = "warning";
            };
          }
        ];
    };

    grafana = {
      datasources = [
        {
          name = "Prometheus-Main";
          uid = "prometheus-main";
          type = "prometheus";
          url = if cfg.storeQueryUrl != null then cfg.storeQueryUrl else "${scheme}://prometheus:9090";
          implementation = if cfg.storeQueryUrl != null then "mimir" else null;
          # The store keeps each tenant apart: Grafana reads the one the replicas write, over
          # the TLS the replicas write with.
          tenant =
            if cfg.storeQueryUrl != null then (lib.head config.prometheus.remote_write).tenant else null;
          tls = if cfg.storeQueryUrl != null then (lib.head config.prometheus.remote_write).tls else null;
          is_default = true;
          time_interval = config.prometheus.scrape_interval;
        }
        {
          name = "Loki-Main";
          uid = "loki-main";
          type = "loki";
          url = lokiRead;
          max_lines = 1000;
        }
      ];
      folders = [
        {
          title = "CreativeFlow AI Dashboards";
          dir = "creativeflow";
          dashboards = [
            "system_overview"
            "custom_ai_model_monitoring"
            "logs_ai_model"
            "business_kpis"
            "slo"
          ];
        }
        {
          title = "CreativeFlow Services";
          dir = "services";
          dashboards = [
            "api_gateway"
            "odoo"
            "n8n"
          ];
          # Golden signals of the services without a dashboard of their own.
          services = [
            { job = "auth-service"; }
            {
              job = "notification-service";
              title = "Notifications golden signals";
              queue_metric = "notification_queue_depth";
            }
          ];
        }
        {
          title = "CreativeFlow Infrastructure";
          dir = "infrastructure";
          dashboards = [
            "kubernetes"
            "node_exporter"
            "postgresql"
            "rabbitmq"
            "redis"
            "meta_monitoring"
          ];
        }
      ];
    };

    # The seed's tiers: security audit logs a year whatever their level; debug logs a short
    # time (per environment); everything else the environment's default period.
    loki.retention.classes = [
      {
        class = "security_audit";
        period = "365d";
      }
    ];

    promtail = {
      loki_url = "${lokiWrite}/loki/api/v1/push";
      sources = [
        {
          name = "system";
          log_class = "operational";
          kind.files = {
            path = "/var/log/*log";
            labels.job = "varlogs";
          };
        }
        {
          name = "security-audit";
          log_class = "security_audit";
          kind.files.path = "/var/log/audit/*.log";
        }
        {
          name = "kubernetes-pods";
          log_class = "application";
          kind.kubernetes_pods = { };
        }
        {
          name = "ai-custom-models";
          log_class = "application";
          kind.ai_models = {
            pod_selector = "app.kubernetes.io/component=ai-model";
            namespaces = [ "ai-models" ];
          };
        }
      ];
    };
  };
}
