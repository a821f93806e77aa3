# The environment spec as module options. Generated from the Rust spec types (src/spec/) by
# `monstack nix-options`; do not edit. Regenerate with `cargo run -q -- nix-options > modules/spec-options.nix`.
{ lib, ... }:
let
  inherit (lib) mkOption types;

  # Bulk data: a list that grows with the fleet, whose entries monstack checks field by field
  # when it builds the bundle (its errors name the environment and the option path, e.g.
  # `rules.files[3].groups[0].rules[2].expr`). A submodule per entry cost tens of thousands of
  # module evaluations on a large fleet, so the module system checks only the shape: a list of
  # attribute sets. Definitions concatenate as `types.listOf`'s do, after mkForce, mkDefault,
  # mkBefore and mkAfter on the option; an entry wrapped in mkIf, mkMerge or mkOverride goes
  # through its submodule as before (properties deeper inside an entry are not resolved).
  # Omitted fields get their defaults from `fill`, so the evaluated spec is what the submodules
  # gave. The sub-options (documentation) are the submodule's.
  bulkListOf =
    {
      name,
      elemType,
      fill,
    }:
    let
      entry =
        loc: file: value:
        let
          definition = { inherit file value; };
          merged = lib.modules.mergeDefinitions loc elemType [ definition ];
          shown = lib.options.showDefs [ definition ];
        in
        if value ? _type then
          lib.optional (merged.optionalValue ? value) merged.optionalValue.value
        else if builtins.isAttrs value then
          [ (fill value) ]
        else
          throw "A definition for option `${lib.showOption loc}' is not of type `${name} (attribute set)'. Definition values:${shown}\nEach entry is an attribute set of ${name}'s fields: `monstack schema` (docs/spec.schema.json) lists them.";
    in
    types.mkOptionType {
      name = "bulkListOf";
      description = "list of ${name} (attribute sets whose fields monstack checks)";
      descriptionClass = "composite";
      check = builtins.isList;
      merge =
        loc: defs:
        let
          at = n: m: loc ++ [ "[definition ${toString n}-entry ${toString m}]" ];
          entries = n: def: lib.imap1 (m: entry (at n m) def.file) def.value;
        in
        lib.concatLists (lib.concatLists (lib.imap1 entries defs));
      emptyValue.value = [ ];
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "*" ]);
      nestedTypes.elemType = elemType;
    };

  # Default filling for bulk data, field by field as the submodules do it. A value of another
  # shape is passed on unchanged for monstack to report.
  fillObject =
    spec: value:
    if builtins.isAttrs value then
      let
        filled = spec.defaults // value;
      in
      filled // builtins.mapAttrs (k: f: f filled.${k}) (builtins.intersectAttrs filled spec.fills)
    else
      value;
  fillList = f: value: if builtins.isList value then map f value else value;
  fillAttrs = f: value: if builtins.isAttrs value then builtins.mapAttrs (_: f) value else value;
  fillTag =
    fills: value:
    if builtins.isAttrs value then
      builtins.mapAttrs (k: v: if fills ? ${k} then fills.${k} v else v) value
    else
      value;

  fill = {
    Authorization = fillObject {
      defaults = {
        type = "Bearer";
      };
      fills = { };
    };
    Check = fillObject {
      defaults = {
        fires = [ ];
      };
      fills = {
        fires = fillList fill.ExpectedAlert;
      };
    };
    Discovery = fillTag {
      file_sd = fill.FileSdDiscovery;
      kubernetes = fill.KubernetesDiscovery;
    };
    ExpectedAlert = fillObject {
      defaults = {
        annotations = null;
      };
      fills = { };
    };
    FileSdDiscovery = fillObject {
      defaults = {
        refresh_interval = "5m";
      };
      fills = { };
    };
    KubernetesDiscovery = fillObject {
      defaults = {
        annotations = false;
        instance_from_node = false;
        match_labels = { };
        namespaces = [ ];
        port = null;
        port_name = null;
        preset = null;
        service_account = false;
        target_labels = { };
      };
      fills = { };
    };
    Relabel = fillObject {
      defaults = {
        action = null;
        modulus = null;
        regex = null;
        replacement = null;
        separator = null;
        source_labels = [ ];
        target_label = null;
      };
      fills = { };
    };
    Rule = fillObject {
      defaults = {
        alert = null;
        annotations = { };
        for = null;
        keep_firing_for = null;
        labels = { };
        record = null;
        tests = [ ];
      };
      fills = {
        tests = fillList fill.RuleTest;
      };
    };
    RuleFile = fillObject {
      defaults = {
        store_ruler = false;
      };
      fills = {
        groups = fillList fill.RuleGroup;
      };
    };
    RuleGroup = fillObject {
      defaults = {
        interval = null;
      };
      fills = {
        rules = fillList fill.Rule;
      };
    };
    RuleTest = fillObject {
      defaults = {
        fires = [ ];
        later = [ ];
      };
      fills = {
        fires = fillList fill.ExpectedAlert;
        later = fillList fill.Check;
      };
    };
    ScrapeJob = fillObject {
      defaults = {
        authorization = null;
        basic_auth = null;
        critical = false;
        expected_series_per_target = null;
        expected_targets = null;
        exporter = null;
        file = null;
        honor_labels = false;
        labels = { };
        metric_relabel_configs = [ ];
        metrics_path = null;
        owner = null;
        params = { };
        plaintext_credentials = null;
        relabel_configs = [ ];
        scheme = null;
        scrape_interval = null;
        scrape_timeout = null;
        tls = null;
      };
      fills = {
        authorization = fill.Authorization;
        discovery = fill.Discovery;
        metric_relabel_configs = fillList fill.Relabel;
        relabel_configs = fillList fill.Relabel;
        tls = fill.Tls;
      };
    };
    ServiceDashboard = fillObject {
      defaults = {
        queue_metric = null;
        title = null;
        uid = null;
      };
      fills = { };
    };
    Tls = fillObject {
      defaults = {
        ca_file = null;
        cert_file = null;
        insecure_skip_verify = false;
        key_file = null;
        server_name = null;
      };
      fills = { };
    };
  };

  Access = types.submodule {
    options = {
      auth_proxy = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The authenticating proxy every UI and API of the environment is reachable only through,\ne.g. `oauth2-proxy on the ingress`; shown in the catalogue. With it, the lint accepts\ncomponents without TLS or authentication of their own. Default: none.";
      };
      client = mkOption {
        type = types.nullOr ClientCredentials;
        default = null;
        description = "What the stack's own clients present: Prometheus to Alertmanager, Grafana to Prometheus\nand Loki, Promtail and Alloy to Loki. Required as soon as `users` or client certificates\nare; the username must be one of `users`. Default: none.";
      };
      production = mkOption {
        type = types.bool;
        default = false;
        description = "This environment is production: every UI and API must be served over TLS and require\nauthentication (lint `access/insecure`), unless `auth_proxy` says an authenticating proxy\nstands in front of them. Default false.";
      };
      tls = mkOption {
        type = types.nullOr ServerTls;
        default = null;
        description = "The TLS certificate every component serves (Prometheus, Alertmanager, Loki, Grafana): the\nsame paths on every host, each host holding its own certificate. Default: none (plain\nHTTP).";
      };
      users = mkOption {
        type = types.listOf WebUser;
        default = [ ];
        description = "Basic-auth users of Prometheus' and Alertmanager's web UI and API. Default: none (no\nauthentication).";
      };
    };
  };

  AiModel = types.submodule {
    options = {
      name = mkOption {
        type = types.str;
        description = "Value of the `model_name` label.";
      };
      owner = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Team owning this model's alerts. Default: `ai_models.owner`.";
      };
      thresholds = mkOption {
        type = PartialThresholds;
        default = { };
        description = "This model's thresholds; unset values fall back to `ai_models.defaults`.";
      };
    };
  };

  AiModelLogs = types.submodule {
    options = {
      model_name_label = mkOption {
        type = types.str;
        default = "ai_model_name";
        description = "Pod label holding the model name. Default `ai_model_name`.";
      };
      model_version_label = mkOption {
        type = types.str;
        default = "ai_model_version";
        description = "Pod label holding the model version. Default `ai_model_version`.";
      };
      namespaces = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Namespaces to read. Default: all.";
      };
      pod_selector = mkOption {
        type = types.str;
        description = "Kubernetes label selector of the model pods, e.g. `app.kubernetes.io/component=ai-model`.";
      };
    };
  };

  AiModels = types.submodule {
    options = {
      defaults = mkOption {
        type = Thresholds;
        default = { };
        description = "Thresholds for models without their own. Default: p99 latency 2s, error ratio 0.05.";
      };
      job = mkOption {
        type = types.str;
        default = "custom-ai-models";
        description = "Scrape job of the model pods (the `job` label of their series). Default `custom-ai-models`.";
      };
      models = mkOption {
        type = types.listOf AiModel;
        default = [ ];
        description = "Declared models.";
      };
      owner = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Team owning model alerts unless a model names its own. Default: none.";
      };
      pod_label = mkOption {
        type = types.str;
        default = "ai_model_name";
        description = "Kubernetes pod label holding the model name; kube-state-metrics exports it as\n`label_<name>` on `kube_pod_labels` (allow-list it), which attributes GPUs to models.\nDefault `ai_model_name`.";
      };
    };
  };

  # A change to one generated alert.
  AlertOverride = types.submodule {
    options = {
      disabled = mkOption {
        type = types.bool;
        default = false;
        description = "Leave the alert out. Default false.";
      };
      for = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "How long the condition must hold. Default: the catalogue's.";
      };
      labels = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Extra labels (e.g. `team: db`). Default: none.";
      };
      severity = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The `severity` label (`critical`, `warning`, `info`). Default: the catalogue's.";
      };
      threshold = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "The alert's threshold, in its unit (`rules.overrides` lists each alert's: a ratio from 0\nto 1, a percentage, seconds, …); out of its range is refused. Default: the catalogue's.";
      };
    };
  };

  Alertmanager = types.submodule {
    options = {
      cluster = mkOption {
        type = types.nullOr Cluster;
        default = null;
        description = "An Alertmanager cluster: every member runs this same configuration and gossips\nnotification state with the others, so an alert sent to all of them (as every Prometheus\ndoes) is delivered once. Default: none (a single Alertmanager, gossip off).";
      };
      expectations = mkOption {
        type = types.listOf RouteExpectation;
        default = [ ];
        description = "Routing expectations: a label set and the receivers it must reach, in route order.\nChecked in-process before rendering and by `amtool config routes test` in `monstack\ncheck`.";
      };
      external_url = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The URL users reach Alertmanager at (`--web.external-url`); notifications link there.\nDefault: none.";
      };
      inhibit_rules = mkOption {
        type = types.listOf InhibitRule;
        default = [ ];
        description = "Inhibitions: a firing source alert mutes matching target alerts.";
      };
      receivers = mkOption {
        type = types.listOf Receiver;
        description = "Receivers, referenced by name from the route tree and from teams.";
      };
      resolve_timeout = mkOption {
        type = Duration;
        default = "5m";
        description = "Time after which an alert that is no longer updated is declared resolved. Default `5m`.";
      };
      route = mkOption {
        type = Route;
        description = "The root of the route tree.";
      };
      severity_timing = mkOption {
        type = types.attrsOf Timing;
        default = { };
        description = "Grouping and timing of the team routes by severity, e.g. critical: repeat every 1h.";
      };
      slack_api_url_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "File holding the Slack webhook URL used by Slack receivers without their own.";
      };
      smtp = mkOption {
        type = types.nullOr Smtp;
        default = null;
        description = "SMTP settings for email receivers.";
      };
      storage_path = mkOption {
        type = types.str;
        default = "/var/lib/alertmanager";
        description = "Folder of the notification log and silences (`--storage.path`). Default\n`/var/lib/alertmanager` (NixOS' path).";
      };
      time_intervals = mkOption {
        type = types.listOf TimeInterval;
        default = [ ];
        description = "Named time intervals routes can mute or activate notifications in.";
      };
      unrouted = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Alerts (by name; `*` for every alert) that may reach only the root route's receiver.\nAny other generated or declared alert that matches no child route fails validation.\nDefault: none.";
      };
    };
  };

  Authorization = types.submodule {
    options = {
      credentials_file = mkOption {
        type = types.str;
        description = "File holding the credentials, read by the tool at run time.";
      };
      type = mkOption {
        type = types.str;
        default = "Bearer";
        description = "Authorization type. Default `Bearer`.";
      };
    };
  };

  AvailabilitySli = types.submodule {
    options = {
      errors = mkOption {
        type = types.str;
        description = "Counter selector of failed events, e.g. `http_requests_total{job=\"api-gateway\", code=~\"5..\"}`.";
      };
      total = mkOption {
        type = types.str;
        description = "Counter selector of all events, e.g. `http_requests_total{job=\"api-gateway\"}`.";
      };
    };
  };

  BasicAuth = types.submodule {
    options = {
      password_file = mkOption {
        type = types.str;
        description = "File holding the password, read by the tool at run time.";
      };
      username = mkOption {
        type = types.str;
        description = "User name (not a secret).";
      };
    };
  };

  # A blackbox_exporter and the module it probes TLS endpoints with.
  Blackbox = types.submodule {
    options = {
      address = mkOption {
        type = types.str;
        description = "The exporter's `host:port`, e.g. `blackbox:9115`.";
      };
      module = mkOption {
        type = types.str;
        default = "tls_connect";
        description = "The module of its configuration that opens a TLS connection: a `tcp` prober with\n`tls: true` (blackbox_exporter's example `tls_connect`), presenting the client\ncertificate where `access.tls.client_cert_required` names the component. Default\n`tls_connect`.";
      };
    };
  };

  # The capacity one Prometheus replica is sized for.
  Capacity = types.submodule {
    options = {
      max_series_per_replica = mkOption {
        type = types.ints.unsigned;
        description = "Most active series one replica should hold. Above it the scrape jobs are sharded into\n`ceil(series / limit)` replica groups by `hashmod` of the target address.";
      };
    };
  };

  # A further evaluation time of a [`RuleTest`].
  Check = types.submodule {
    options = {
      eval_time = mkOption {
        type = Duration;
        description = "When to check, from the start of the series.";
      };
      fires = mkOption {
        type = types.listOf ExpectedAlert;
        default = [ ];
        description = "The alerts expected to fire then; empty means the rule must stay silent.";
      };
    };
  };

  ClassRetention = types.submodule {
    options = {
      class = mkOption {
        type = types.str;
        description = "A log class some `promtail.sources[].log_class` gives, e.g. `security_audit`.";
      };
      period = mkOption {
        type = Duration;
        description = "How long its streams are kept.";
      };
      priority = mkOption {
        type = types.ints.u32;
        default = 10;
        description = "When several rules match a stream, the highest priority wins. Default 10, above the\nselector rules' default, so a class keeps its period whatever the level.";
      };
    };
  };

  # What the stack's clients present.
  ClientCredentials = types.submodule {
    options = {
      basic_auth = mkOption {
        type = types.nullOr BasicAuth;
        default = null;
        description = "Basic-auth user (one of `access.users`) and the file holding its password in clear (the\nclient sends it). Default: none.";
      };
      plaintext_credentials = mkOption {
        type = types.nullOr PlaintextCredentials;
        default = null;
        description = "Accept that Prometheus sends `basic_auth` to Alertmanager over plain HTTP (no\n`access.tls`): the reason, e.g. a mesh that encrypts it. Default: refused\n(`access/plaintext-credentials`).";
      };
      tls = mkOption {
        type = types.nullOr Tls;
        default = null;
        description = "The CA that signed the servers' certificates (when it is not in the hosts' trust store)\nand the client certificate for components that require one. Default: none.";
      };
    };
  };

  # Alertmanager's gossip cluster (command-line flags; see `render::alertmanager::cluster_args`).
  Cluster = types.submodule {
    options = {
      gossip_interval = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Interval between gossip messages (`--cluster.gossip-interval`). Default: Alertmanager's\n(200ms).";
      };
      listen_host = mkOption {
        type = types.str;
        default = "0.0.0.0";
        description = "The address each member listens for gossip on; the port is the member's own from\n`peers` (`--cluster.listen-address=<listen_host>:<port>`). Default `0.0.0.0`.";
      };
      peer_timeout = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "How long a member waits for a peer before notifying in its place, scaled by its position\n(`--cluster.peer-timeout`). Default: Alertmanager's (15s).";
      };
      peers = mkOption {
        type = types.listOf types.str;
        description = "Every member's gossip address (`host:port`, usually port 9094), in a fixed order; a\nmember is started with the others as `--cluster.peer`. At least two. Each member's host\nmust also be one of `prometheus.alertmanagers`.";
      };
      pushpull_interval = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Interval between full state syncs (`--cluster.pushpull-interval`). Default:\nAlertmanager's (1m).";
      };
    };
  };

  # A component serving an API (`prometheus`, `alertmanager`, `loki`).
  Component = types.enum [
    "prometheus"
    "alertmanager"
    "loki"
  ];

  # Built-in dashboards monstack generates. Each shows what the environment declares: a
  # dashboard for a service needs that service's scrape job.
  DashboardKind = types.enum [
    "system_overview"
    "custom_ai_model_monitoring"
    "logs_ai_model"
    "kubernetes"
    "node_exporter"
    "postgresql"
    "rabbitmq"
    "redis"
    "api_gateway"
    "odoo"
    "n8n"
    "business_kpis"
    "slo"
    "meta_monitoring"
  ];

  Datasource = types.submodule {
    options = {
      basic_auth = mkOption {
        type = types.nullOr BasicAuth;
        default = null;
        description = "Basic authentication; the password is read from a file through `\$__file{}`.";
      };
      implementation = mkOption {
        type = types.nullOr PrometheusImplementation;
        default = null;
        description = "Prometheus datasources: what serves the Prometheus API at `url` — Prometheus itself\n(the default), or a horizontally scalable store's query endpoint (`mimir`, `thanos`,\n`cortex`), which Grafana adapts its query features to.";
      };
      is_default = mkOption {
        type = types.bool;
        default = false;
        description = "The default datasource of the organisation. Default false.";
      };
      max_lines = mkOption {
        type = types.nullOr types.ints.u32;
        default = null;
        description = "Loki: most lines a query returns. Default: none (Grafana's 1000).";
      };
      name = mkOption {
        type = types.str;
        description = "Display name, e.g. `Prometheus-Main`.";
      };
      plaintext_credentials = mkOption {
        type = types.nullOr PlaintextCredentials;
        default = null;
        description = "Accept sending this datasource's credentials without TLS (basic auth, the tenant header): the reason (shown in the\ncatalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback\naddress.";
      };
      tenant = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Tenant sent as `X-Scope-OrgID`, for multi-tenant Mimir, Cortex and Loki. A Loki\ndatasource without one uses `promtail.tenant_id` when `loki.auth_enabled`. Default: none.";
      };
      time_interval = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Prometheus: the scrape interval, so `\$__rate_interval` is right. Default: none.";
      };
      tls = mkOption {
        type = types.nullOr Tls;
        default = null;
        description = "TLS towards `url` (file references only): the CA that signed its certificate, a client\ncertificate, the server name. Default: for the stack's own servers, `access.client.tls`;\nfor others, the host's trust store.";
      };
      type = mkOption {
        type = DatasourceType;
        description = "`prometheus` or `loki`.";
      };
      uid = mkOption {
        type = types.str;
        description = "Stable uid dashboards refer to (a slug of at most 40 characters), e.g. `prometheus-main`.";
      };
      url = mkOption {
        type = types.str;
        description = "URL Grafana's server reaches the datasource at.";
      };
    };
  };

  DatasourceType = types.enum [
    "prometheus"
    "loki"
  ];

  # Service discovery for a job. Exactly one variant is given.
  Discovery = types.attrTag {
    static = mkOption {
      type = StaticDiscovery;
      description = "Fixed targets (`static_configs`).";
    };
    file_sd = mkOption {
      type = FileSdDiscovery;
      description = "Targets read from JSON/YAML files maintained by another tool (`file_sd_configs`).";
    };
    kubernetes = mkOption {
      type = KubernetesDiscovery;
      description = "Kubernetes API discovery (`kubernetes_sd_configs`) with generated relabeling.";
    };
  };

  # A Prometheus duration such as 30s, 5m, 1h30m or 14d.
  Duration = types.strMatching "(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)";

  Email = types.submodule {
    options = {
      send_resolved = mkOption {
        type = types.bool;
        default = true;
        description = "Notify when alerts resolve. Default true.";
      };
      to = mkOption {
        type = types.str;
        description = "Recipient address(es), comma separated.";
      };
    };
  };

  ExpectedAlert = types.submodule {
    options = {
      annotations = mkOption {
        type = types.nullOr (types.attrsOf types.str);
        default = null;
        description = "Annotations of the alert. Default: the rule's annotations with `{{ \$labels.x }}` filled\nin from `labels`; give them when the templates use anything else (e.g. `\$value`).";
      };
      labels = mkOption {
        type = types.attrsOf types.str;
        description = "Labels of the alert, including the rule's own labels, without `alertname`.";
      };
    };
  };

  # Kinds of exporters with a typical series count in the capacity estimate (`app`: an
  # application's own `/metrics` endpoint).
  ExporterKind = types.enum [
    "node-exporter"
    "postgres-exporter"
    "redis-exporter"
    "rabbitmq-exporter"
    "minio"
    "kube-state-metrics"
    "cadvisor"
    "apiserver"
    "dcgm-exporter"
    "blackbox"
    "app"
  ];

  FileLogs = types.submodule {
    options = {
      labels = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Labels of the streams; values must be bounded. Default: `job` = the source name.";
      };
      path = mkOption {
        type = types.str;
        description = "Glob of the files, e.g. `/var/log/*log`.";
      };
    };
  };

  FileSdDiscovery = types.submodule {
    options = {
      files = mkOption {
        type = types.listOf types.str;
        description = "Files (or globs in the last path component) with target groups; absolute paths, or\nrelative to `prometheus.yml`.";
      };
      refresh_interval = mkOption {
        type = Duration;
        default = "5m";
        description = "How often the files are re-read in addition to file-change events. Default `5m`.";
      };
    };
  };

  FilesystemStorage = types.submodule {
    options = {
      directory = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Directory for chunks. Default `<data_dir>/chunks`.";
      };
    };
  };

  Folder = types.submodule {
    options = {
      dashboards = mkOption {
        type = types.listOf DashboardKind;
        default = [ ];
        description = "Built-in dashboards in this folder. Default: none.";
      };
      dir = mkOption {
        type = types.str;
        description = "Folder on disk under `grafana/dashboards/` (a slug); also the provider name.";
      };
      services = mkOption {
        type = bulkListOf {
          name = "ServiceDashboard";
          elemType = ServiceDashboard;
          fill = fill.ServiceDashboard;
        };
        default = [ ];
        description = "Golden-signals dashboards in this folder, one per listed service: request rate, error\nratio, latency percentiles and saturation. Default: none.";
      };
      title = mkOption {
        type = types.str;
        description = "Folder title in Grafana, e.g. `CreativeFlow AI Dashboards`.";
      };
    };
  };

  Grafana = types.submodule {
    options = {
      allow_ui_updates = mkOption {
        type = types.bool;
        default = false;
        description = "Let users save provisioned dashboards from the UI (their edits are overwritten on the\nnext provisioning). Default false, so the bundle stays the source of truth.";
      };
      datasources = mkOption {
        type = types.listOf Datasource;
        description = "Datasources; exactly one is the default.";
      };
      folders = mkOption {
        type = types.listOf Folder;
        default = [ ];
        description = "Dashboard folders, each provisioned by its own provider.";
      };
      server = mkOption {
        type = Server;
        default = { };
        description = "The server's own settings (`grafana.ini`): address, login and session security.";
      };
    };
  };

  # Prometheus HA pairs (or more replicas): identical scrape and rule configuration, one
  # `prometheus/prometheus.<replica>.yml` per replica, every replica sending its alerts to every
  # Alertmanager (which deduplicates them: the replica label is dropped from alerts).
  Ha = types.submodule {
    options = {
      cluster = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The value of `cluster_label`. Default: the environment name (with the shard appended\nwhen the replicas are sharded, as each shard is its own HA cluster).";
      };
      cluster_label = mkOption {
        type = types.str;
        default = "cluster";
        description = "The external label naming the HA cluster (Mimir's HA tracker deduplicates per value of\nit). Default `cluster`.";
      };
      replica_label = mkOption {
        type = types.str;
        default = "__replica__";
        description = "The external label that tells replicas apart. Default `__replica__` (what Mimir's HA\ntracker reads and drops after deduplication; Thanos uses `replica`).";
      };
      replicas = mkOption {
        type = types.listOf types.str;
        description = "Replica names (slugs), e.g. `[\"a\", \"b\"]`; at least two.";
      };
    };
  };

  InhibitRule = types.submodule {
    options = {
      equal = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Labels that must be equal in source and target.";
      };
      source_matchers = mkOption {
        type = types.listOf types.str;
        description = "Matchers the muting (source) alert must satisfy.";
      };
      target_matchers = mkOption {
        type = types.listOf types.str;
        description = "Matchers the muted (target) alert must satisfy.";
      };
    };
  };

  InputSeries = types.submodule {
    options = {
      series = mkOption {
        type = types.str;
        description = "A series in PromQL notation, e.g. `http_requests_total{job=\"api\", code=\"500\"}`.";
      };
      values = mkOption {
        type = types.str;
        description = "Values in promtool's expanding notation, e.g. `0+10x30`.";
      };
    };
  };

  # Well-known Kubernetes scrape shapes, with the relabeling the Prometheus project's example
  # configuration uses for them.
  K8sPreset = types.enum [
    "cadvisor"
    "apiserver"
  ];

  # Kubernetes roles Prometheus discovers.
  K8sRole = types.enum [
    "node"
    "pod"
    "service"
    "endpoints"
    "endpointslice"
    "ingress"
  ];

  KubernetesDiscovery = types.submodule {
    options = {
      annotations = mkOption {
        type = types.bool;
        default = false;
        description = "Honour `prometheus.io/scrape`, `prometheus.io/path`, `prometheus.io/port` and\n`prometheus.io/scheme` annotations. Default false.";
      };
      instance_from_node = mkOption {
        type = types.bool;
        default = false;
        description = "Set `instance` to the node name (for per-node daemons). Default false.";
      };
      match_labels = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Keep only targets whose Kubernetes object has these labels; values are RE2 regexes,\nanchored (e.g. `app: api-gateway-app`).";
      };
      namespaces = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Namespaces to watch. Default: all.";
      };
      port = mkOption {
        type = types.nullOr types.ints.u16;
        default = null;
        description = "Rewrite the target address to this port (e.g. 9400 for DCGM exporter).";
      };
      port_name = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Keep only the container port (pod role) or endpoint port with this name.";
      };
      preset = mkOption {
        type = types.nullOr K8sPreset;
        default = null;
        description = "A preset that adds the standard relabeling for cAdvisor or the API server.";
      };
      role = mkOption {
        type = K8sRole;
        description = "Role to discover (`node`, `pod`, `service`, `endpoints`, `endpointslice`, `ingress`).";
      };
      service_account = mkOption {
        type = types.bool;
        default = false;
        description = "Authenticate with the in-cluster service account (its CA file and token file), as\nPrometheus running in the cluster does. Default false.";
      };
      target_labels = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Target labels taken from the object's Kubernetes labels, e.g.\n`model_name: ai_model_name` sets `model_name` from the pod label `ai_model_name`.";
      };
    };
  };

  LatencySli = types.submodule {
    options = {
      histogram = mkOption {
        type = types.str;
        description = "Histogram name without suffix, e.g. `http_request_duration_seconds`.";
      };
      matchers = mkOption {
        type = types.str;
        description = "Label matchers selecting the service's series, e.g. `job=\"api-gateway\"`.";
      };
      threshold_seconds = mkOption {
        type = types.number;
        description = "Requests slower than this many seconds are bad; the histogram needs a bucket `le` at\nexactly this value.";
      };
    };
  };

  Limits = types.submodule {
    options = {
      ingestion_burst_size_mb = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "Per-tenant burst in MB. Default: from `size` (6, 16, 32).";
      };
      ingestion_rate_mb = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "Per-tenant ingestion rate in MB/s. Default: from `size` (4, 8, 16).";
      };
      max_label_names_per_series = mkOption {
        type = types.nullOr types.ints.u32;
        default = null;
        description = "Most label names per stream. Default 15.";
      };
      max_query_length = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Longest time range a query may span. Default `721h` (30 days and one hour).";
      };
      max_query_parallelism = mkOption {
        type = types.nullOr types.ints.u32;
        default = null;
        description = "Most sub-queries of one query run in parallel (non-TSDB index). Default: from `size`\n(16, 32, 64).";
      };
      tsdb_max_query_parallelism = mkOption {
        type = types.nullOr types.ints.u32;
        default = null;
        description = "Loki 3.x, whose TSDB index splits queries by shard: most of them in parallel. Default:\nfrom `size` (64, 128, 256).";
      };
    };
  };

  LogSource = types.submodule {
    options = {
      kind = mkOption {
        type = LogSourceKind;
        description = "What is read: exactly one of `files`, `kubernetes_pods`, `ai_models`.";
      };
      log_class = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The log class of every stream it ships (a `log_class` label), which\n`loki.retention.classes` keeps for the class's period, e.g. `security_audit`. Default:\nnone (the default retention).";
      };
      name = mkOption {
        type = types.str;
        description = "Job name (a slug), e.g. `system`, `kubernetes-pods`.";
      };
    };
  };

  LogSourceKind = types.attrTag {
    files = mkOption {
      type = FileLogs;
      description = "Files on the host, e.g. system logs.";
    };
    kubernetes_pods = mkOption {
      type = PodLogs;
      description = "Every pod's container logs (CRI format) on the node, JSON lines parsed.";
    };
    ai_models = mkOption {
      type = AiModelLogs;
      description = "Logs of AI model pods, selected by a pod label, with `model_name` and `model_version`.";
    };
  };

  Loki = types.submodule {
    options = {
      auth_enabled = mkOption {
        type = types.bool;
        default = false;
        description = "Require a tenant id (`X-Scope-OrgID`) on every request. Default false.";
      };
      data_dir = mkOption {
        type = types.str;
        default = "/var/lib/loki";
        description = "Directory for Loki's local state (index cache, compactor work). Default `/var/lib/loki`.";
      };
      grpc_listen_port = mkOption {
        type = types.ints.u16;
        default = 9096;
        description = "gRPC port. Default 9096.";
      };
      http_listen_port = mkOption {
        type = types.ints.u16;
        default = 3100;
        description = "HTTP port. Default 3100.";
      };
      limits = mkOption {
        type = Limits;
        default = { };
        description = "Ingestion and query limits (each defaults from `size`).";
      };
      retention = mkOption {
        type = Retention;
        default = { };
        description = "Retention, enforced by the compactor.";
      };
      schema_from = mkOption {
        type = types.str;
        default = "2024-01-01";
        description = "First day (`YYYY-MM-DD`) of the index schema period. Default `2024-01-01`.";
      };
      simple_scalable = mkOption {
        type = types.nullOr SimpleScalable;
        default = null;
        description = "Run as the simple scalable deployment: read, write and backend targets sharing the object\nstore and one ring over memberlist; each process picks its part with\n`-target=read|write|backend`. Default: none, a single binary running every component.";
      };
      size = mkOption {
        type = LokiSize;
        default = "small";
        description = "Expected load: `small`, `medium` or `large`, which sets the default limits. Default\nsmall.";
      };
      storage = mkOption {
        type = LokiStorage;
        description = "Where chunks and index live.";
      };
    };
  };

  # Expected load, which sets the default limits. Values given in `limits` win.
  LokiSize = types.enum [
    "small"
    "medium"
    "large"
  ];

  LokiStorage = types.attrTag {
    s3 = mkOption {
      type = S3Storage;
      description = "S3-compatible object store such as MinIO. Credentials come from environment variables\nexpanded by `-config.expand-env=true`, never from the file.";
    };
    filesystem = mkOption {
      type = FilesystemStorage;
      description = "Local filesystem (single node, development).";
    };
  };

  # Where the stack's own servers listen, for the jobs that watch them.
  Meta = types.submodule {
    options = {
      alertmanager = mkOption {
        type = types.bool;
        default = true;
        description = "Scrape every Alertmanager of `prometheus.alertmanagers` (which holds every cluster\nmember). Default true.";
      };
      alloy = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Grafana Alloy agents' HTTP servers (`host:port`, Alloy's `--server.http.listen-addr`,\n12345 by default); required when `promtail.shippers` has `alloy`. Default: none.";
      };
      blackbox = mkOption {
        type = types.nullOr Blackbox;
        default = null;
        description = "The blackbox_exporter that probes every endpoint serving `access.tls.cert_file`, for\ncertificate expiry; required with `access.tls`. Default: none.";
      };
      grafana = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Grafana servers (`host:port`). Default: none.";
      };
      loki = mkOption {
        type = types.attrsOf (types.listOf types.str);
        default = { };
        description = "Loki's `host:port` addresses by target: `all` for a monolithic Loki, `read`, `write`\nand `backend` with `loki.simple_scalable`. Every target of the deployment mode must be\nlisted. Default: none (Loki is not scraped).";
      };
      owner = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The team that owns the stack's jobs and alerts (a name from `teams`), e.g. `sre`.\nDefault: none.";
      };
      prometheus = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Each Prometheus server's `host:port`, by its name: the replica (`a`, `b`) with\n`prometheus.ha`, `shard-<i>.<replica>` when the jobs are sharded, `prometheus` for the\nsingle server. Every server the topology runs must be listed (`meta/topology`).\nDefault: none (Prometheus is not scraped).";
      };
      promtail = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Promtail agents' HTTP servers (`host:port`, `promtail.http_listen_port`); required when\n`promtail.shippers` has `promtail`. Default: none.";
      };
    };
  };

  # A generic OAuth 2 / OpenID Connect provider (Keycloak, Okta, Azure AD, Google, …), with
  # Grafana roles mapped from the user's groups.
  OAuth = types.submodule {
    options = {
      admin_groups = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Groups whose members are Grafana admins of the organisation. Default: none.";
      };
      allowed_groups = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Members of these groups only may sign in; empty lets every user of the provider in (as a\nviewer). Default: none.";
      };
      auth_url = mkOption {
        type = types.str;
        description = "Authorization endpoint, e.g. `https://sso.example.com/realms/x/protocol/openid-connect/auth`.";
      };
      client_id = mkOption {
        type = types.str;
        description = "The client id registered with the provider.";
      };
      client_secret_file = mkOption {
        type = types.str;
        description = "File holding the client secret, read through `\$__file{}`.";
      };
      editor_groups = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Groups whose members are editors. Everyone else who signs in is a viewer. Default: none.";
      };
      groups_attribute = mkOption {
        type = types.str;
        default = "groups";
        description = "The claim (in the ID token or userinfo) listing the user's groups. Default `groups`.";
      };
      name = mkOption {
        type = types.str;
        description = "Name on the login button, e.g. `Keycloak`.";
      };
      plaintext_credentials = mkOption {
        type = types.nullOr PlaintextCredentials;
        default = null;
        description = "Accept sending this client's credentials without TLS (an `http://` token or userinfo URL): the reason (shown in the\ncatalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback\naddress.";
      };
      scopes = mkOption {
        type = types.listOf types.str;
        default = [
          "openid"
          "email"
          "profile"
          "groups"
        ];
        description = "Scopes requested. Default `openid`, `email`, `profile`, `groups`.";
      };
      token_url = mkOption {
        type = types.str;
        description = "Token endpoint.";
      };
      userinfo_url = mkOption {
        type = types.str;
        description = "Userinfo endpoint (Grafana's `api_url`).";
      };
    };
  };

  PagerDuty = types.submodule {
    options = {
      routing_key_file = mkOption {
        type = types.str;
        description = "File holding the Events API v2 integration (routing) key.";
      };
      send_resolved = mkOption {
        type = types.bool;
        default = true;
        description = "Notify when alerts resolve. Default true.";
      };
    };
  };

  # Per-model overrides of [`Thresholds`].
  PartialThresholds = types.submodule {
    options = {
      drift_threshold = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "";
      };
      error_for = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "";
      };
      error_ratio = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "";
      };
      gpu_memory_ratio = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "";
      };
      gpu_utilisation_percent = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "";
      };
      latency_for = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "";
      };
      min_requests_per_second = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "";
      };
      p99_latency_seconds = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "";
      };
    };
  };

  # An explicit exception to `access/plaintext-credentials`: this item may send its credentials
  # without TLS (plain HTTP, an SMTP session without STARTTLS, or TLS without certificate
  # verification), for the reason given. The catalogue (`docs/`) lists every exception in use.
  # Loopback addresses (`localhost`, 127.0.0.0/8, `::1`) need none: that traffic never leaves the
  # host.
  PlaintextCredentials = types.submodule {
    options = {
      reason = mkOption {
        type = types.str;
        description = "Why the credentials are safe in transit without TLS, e.g. `Linkerd mTLS between the\npods` or `same host, over a Unix-socket proxy`; shown in the catalogue.";
      };
    };
  };

  PodLogs = types.submodule {
    options = {
      namespaces = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Namespaces to read. Default: all.";
      };
    };
  };

  Prometheus = types.submodule {
    options = {
      alertmanagers = mkOption {
        type = types.listOf types.str;
        default = [
          "localhost:9093"
        ];
        description = "Alertmanager instances (`host:port`) every alert is sent to.";
      };
      capacity = mkOption {
        type = types.nullOr Capacity;
        default = null;
        description = "The capacity limit of one Prometheus replica. With it, every scrape job's target count\nmust be known (static targets, or `expected_targets`), and when the estimated series\nexceed the limit the scrape jobs are sharded by `hashmod` across replica groups.\nDefault: none (estimate only, no sharding).";
      };
      evaluation_interval = mkOption {
        type = Duration;
        default = "15s";
        description = "How often rules are evaluated. Default `15s`.";
      };
      external_labels = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Labels added to every series and alert leaving this Prometheus (federation, remote write,\nAlertmanager). `environment` is added with the environment name unless set here.";
      };
      external_url = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The URL users reach Prometheus at (`--web.external-url`), e.g.\n`https://prometheus.creativeflow.ai/`; alert links point there. Default: none.";
      };
      ha = mkOption {
        type = types.nullOr Ha;
        default = null;
        description = "High availability: run the same configuration on several replicas that differ only in\ntheir replica external label. Default: none (one Prometheus, `prometheus.yml`).";
      };
      remote_write = mkOption {
        type = types.listOf RemoteWrite;
        default = [ ];
        description = "Remote write destinations: a long-term, horizontally scalable store (Grafana Mimir,\nThanos Receive, or a Prometheus with `--web.enable-remote-write-receiver`). Default: none.";
      };
      scrape_interval = mkOption {
        type = Duration;
        default = "15s";
        description = "Default scrape interval. Default `15s`.";
      };
      scrape_timeout = mkOption {
        type = Duration;
        default = "10s";
        description = "Default scrape timeout; must not exceed the interval. Default `10s`.";
      };
      storage = mkOption {
        type = Storage;
        default = { };
        description = "The TSDB: where and how long. Rendered as flags (`prometheus/flags.json`).";
      };
    };
  };

  PrometheusImplementation = types.enum [
    "prometheus"
    "mimir"
    "thanos"
    "cortex"
  ];

  Promtail = types.submodule {
    options = {
      http_listen_port = mkOption {
        type = types.ints.u16;
        default = 9080;
        description = "HTTP port. Default 9080.";
      };
      loki_url = mkOption {
        type = types.str;
        description = "Loki push URL, e.g. `http://loki:3100/loki/api/v1/push`.";
      };
      plaintext_credentials = mkOption {
        type = types.nullOr PlaintextCredentials;
        default = null;
        description = "Accept sending this client's credentials without TLS (the tenant header to an `http://` `loki_url`): the reason (shown in the\ncatalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback\naddress.";
      };
      positions_file = mkOption {
        type = types.str;
        default = "/var/lib/promtail/positions.yaml";
        description = "File recording how far each log file was read. Default\n`/var/lib/promtail/positions.yaml`.";
      };
      shippers = mkOption {
        type = types.listOf Shipper;
        default = [
          "promtail"
          "alloy"
        ];
        description = "Which shippers the bundle configures for these sources: `promtail` (the seed's, end of\nlife since 2026-03-02 and gone from nixpkgs) and `alloy` (its successor). Default both.";
      };
      sources = mkOption {
        type = types.listOf LogSource;
        description = "Log sources; each becomes one scrape job (Promtail) or one pipeline (Alloy).";
      };
      tenant_id = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Tenant id sent as `X-Scope-OrgID` (multi-tenant Loki). Default: none.";
      };
    };
  };

  # Overrides of the derived `queue_config` (see the Prometheus remote write tuning guide).
  QueueOverrides = types.submodule {
    options = {
      batch_send_deadline = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Longest a sample waits for a full batch. Default `5s`.";
      };
      capacity = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        description = "Samples buffered per shard. Default: 5 × `max_samples_per_send`.";
      };
      max_samples_per_send = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        description = "Samples per request. Default 2000 (Prometheus' default).";
      };
      max_shards = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        description = "Most shards Prometheus may scale to. Default: twice what the estimate needs, at least 10.";
      };
      min_shards = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        description = "Shards the queue starts with. Default: what the estimated samples/s need.";
      };
    };
  };

  # A named notification target with one or more integrations.
  Receiver = types.submodule {
    options = {
      blackhole = mkOption {
        type = types.bool;
        default = false;
        description = "Declare that this receiver intentionally has no integration (alerts routed to it are\ndropped). Default false: an empty receiver is an error.";
      };
      email = mkOption {
        type = types.listOf Email;
        default = [ ];
        description = "";
      };
      name = mkOption {
        type = types.str;
        description = "Receiver name, e.g. `critical-pagerduty`.";
      };
      pagerduty = mkOption {
        type = types.listOf PagerDuty;
        default = [ ];
        description = "";
      };
      slack = mkOption {
        type = types.listOf Slack;
        default = [ ];
        description = "";
      };
      webhook = mkOption {
        type = types.listOf Webhook;
        default = [ ];
        description = "";
      };
    };
  };

  # A Prometheus relabeling step, as in `relabel_configs`.
  Relabel = types.submodule {
    options = {
      action = mkOption {
        type = types.nullOr RelabelAction;
        default = null;
        description = "Default `replace`.";
      };
      modulus = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        description = "";
      };
      regex = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "RE2 regex, anchored by Prometheus.";
      };
      replacement = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "";
      };
      separator = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "";
      };
      source_labels = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "";
      };
      target_label = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "";
      };
    };
  };

  RelabelAction = types.enum [
    "replace"
    "keep"
    "drop"
    "keepequal"
    "dropequal"
    "hashmod"
    "labelmap"
    "labeldrop"
    "labelkeep"
    "lowercase"
    "uppercase"
  ];

  # One remote write destination.
  RemoteWrite = types.submodule {
    options = {
      basic_auth = mkOption {
        type = types.nullOr BasicAuth;
        default = null;
        description = "HTTP basic authentication; the password is read from a file at run time.";
      };
      local_only = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Metric names (RE2, anchored) that stay in the local Prometheus only; dropped by\n`write_relabel_configs`. Default: none.";
      };
      name = mkOption {
        type = types.str;
        description = "Name of the queue (a slug), unique in the environment; it names the queue's metrics.";
      };
      plaintext_credentials = mkOption {
        type = types.nullOr PlaintextCredentials;
        default = null;
        description = "Accept sending this queue's credentials without TLS (basic auth, the tenant header): the reason (shown in the\ncatalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback\naddress.";
      };
      queue = mkOption {
        type = QueueOverrides;
        default = { };
        description = "Queue settings; each one set here overrides the value derived from the capacity\nestimate. Default: all derived.";
      };
      store = mkOption {
        type = Store;
        description = "What the store is: `mimir`, `thanos` or `prometheus`.";
      };
      tenant = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Tenant (organisation) id sent in the store's tenant header. Default: none.";
      };
      tls = mkOption {
        type = types.nullOr Tls;
        default = null;
        description = "TLS settings (file references only).";
      };
      url = mkOption {
        type = types.str;
        description = "The store's write endpoint, e.g. `http://mimir-distributor:8080/api/v1/push`.";
      };
    };
  };

  Retention = types.submodule {
    options = {
      classes = mkOption {
        type = types.listOf ClassRetention;
        default = [ ];
        description = "Retention per log class (the `log_class` a log source gives its streams), e.g.\n`security_audit` 365d: a `retention_stream` on `{log_class=\"...\"}`.";
      };
      delete_delay = mkOption {
        type = Duration;
        default = "2h";
        description = "Delay between marking chunks for deletion and deleting them. Default `2h`.";
      };
      period = mkOption {
        type = Duration;
        default = "30d";
        description = "Retention of streams no rule below selects. Default `30d`.";
      };
      streams = mkOption {
        type = types.listOf StreamRetention;
        default = [ ];
        description = "Per-stream retention by any selector (`limits_config.retention_stream`), e.g. debug\nlogs 14d on `{level=\"debug\"}`.";
      };
    };
  };

  # A node of the route tree.
  Route = types.submodule {
    options = {
      active_time_intervals = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Time intervals outside which this route sends nothing. Default: always active.";
      };
      continue = mkOption {
        type = types.bool;
        default = false;
        description = "Continue matching siblings after this node matched. Default false.";
      };
      group_by = mkOption {
        type = types.nullOr (types.listOf types.str);
        default = null;
        description = "Labels alerts are grouped by; inherited when unset.";
      };
      group_interval = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Wait before notifying about new alerts in a group; inherited (root default 5m).";
      };
      group_wait = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Wait before the first notification of a group; inherited when unset (root default 30s).";
      };
      matchers = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Matchers, e.g. `severity=~\"critical|P1\"`. The root takes none.";
      };
      mute_time_intervals = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Time intervals (names from `time_intervals`) in which this route sends nothing.";
      };
      receiver = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Receiver for alerts this node catches. Required at the root; children inherit it.";
      };
      repeat_interval = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Wait before re-sending a still-firing notification; inherited (root default 4h).";
      };
      routes = mkOption {
        type = types.listOf Route;
        default = [ ];
        description = "Child routes, tried in order.";
      };
    };
  };

  # A label set and where it must go.
  RouteExpectation = types.submodule {
    options = {
      inhibited_by = mkOption {
        type = types.nullOr (types.attrsOf types.str);
        default = null;
        description = "Labels of a firing alert that must inhibit this one. Default: none.";
      };
      labels = mkOption {
        type = types.attrsOf types.str;
        description = "The alert's labels, e.g. `{ service = \"postgresql\"; severity = \"critical\"; }`.";
      };
      receivers = mkOption {
        type = types.listOf types.str;
        description = "The receivers it reaches, in route order.";
      };
    };
  };

  Rule = types.submodule {
    options = {
      alert = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Alert name (for an alerting rule).";
      };
      annotations = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Annotations (`summary`, `description`, `runbook_url`). Alerts only.";
      };
      expr = mkOption {
        type = types.str;
        description = "PromQL expression.";
      };
      for = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "How long the condition must hold before the alert fires. Alerts only.";
      };
      keep_firing_for = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "How long the alert keeps firing after the condition clears. Alerts only.";
      };
      labels = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Labels attached to the alert or recorded series.";
      };
      record = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Series name (for a recording rule), `level:metric:operations`.";
      };
      tests = mkOption {
        type = types.listOf RuleTest;
        default = [ ];
        description = "Unit tests, written to `prometheus/tests/` and run by `promtool test rules`. An alerting\nrule needs at least one test in which it fires and one in which it stays silent.";
      };
    };
  };

  RuleFile = types.submodule {
    options = {
      groups = mkOption {
        type = types.listOf RuleGroup;
        description = "Rule groups, evaluated in order within each group.";
      };
      name = mkOption {
        type = types.str;
        description = "File name without extension (a slug), e.g. `application_alerts`.";
      };
      store_ruler = mkOption {
        type = types.bool;
        default = false;
        description = "Evaluate this file on the remote write store's ruler (Mimir ruler, Thanos Ruler) instead\nof in Prometheus: for rules that need every replica's and shard's data (aggregations\nacross sharded targets, `absent()` of a job another shard scrapes). Written to\n`ruler/<name>.yml` (Prometheus rule format: the file is the ruler namespace; Mimir's\nlocal rule storage reads it from `<directory>/<tenant>/`), not loaded by Prometheus;\nstill checked by promtool and tested. Needs `prometheus.remote_write`. Default false.";
      };
    };
  };

  RuleGroup = types.submodule {
    options = {
      interval = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Evaluation interval for this group. Default: `prometheus.evaluation_interval`.";
      };
      name = mkOption {
        type = types.str;
        description = "Group name, unique in the environment.";
      };
      rules = mkOption {
        type = types.listOf Rule;
        description = "The rules: each has exactly one of `alert` or `record`.";
      };
    };
  };

  # One `promtool test rules` case for an alerting rule.
  RuleTest = types.submodule {
    options = {
      eval_time = mkOption {
        type = Duration;
        description = "When to check, from the start of the series.";
      };
      fires = mkOption {
        type = types.listOf ExpectedAlert;
        default = [ ];
        description = "The alerts expected to fire then; empty means the rule must stay silent.";
      };
      input_series = mkOption {
        type = types.listOf InputSeries;
        description = "Input series, one sample a minute: `{ series = \"up{job=\\\"x\\\"}\"; values = \"1+0x10\"; }`.";
      };
      later = mkOption {
        type = types.listOf Check;
        default = [ ];
        description = "Later evaluation times checked against the same input series, each with the alerts\nexpected then. One test so proves both ways — silent while the series are healthy,\nfiring after they turn — in one promtool test group, and promtool's cost is per group.";
      };
    };
  };

  Rules = types.submodule {
    options = {
      files = mkOption {
        type = bulkListOf {
          name = "RuleFile";
          elemType = RuleFile;
          fill = fill.RuleFile;
        };
        default = [ ];
        description = "Your own rule files, each written to `prometheus/rules/<name>.yml`. Every alerting rule in\nthem needs `tests` in which it fires and in which it stays silent.";
      };
      overrides = mkOption {
        type = types.attrsOf AlertOverride;
        default = { };
        description = "Changes to generated (catalogue) alerts, by alert name: disable one, or change its\nthreshold, `for`, severity or labels. Default: none. Each threshold is in its alert's\nunit, and one outside its range is refused.\nThresholds by unit:\n- no threshold: AlertmanagerFailedReload, CriticalTargetDown, CriticalTargetMissing, KubernetesNodeNotReady, KubernetesPodCrashLooping, MonitoringTlsProbeFailed, PostgresqlDown, PrometheusBadConfig, RabbitmqClusterPartition, RedisDown, TargetDown\n- a ratio from 0 to 1 (0.9 is 90 %): AIGenerationSuccessRateLow, AlertmanagerFailedToSendAlerts, AuthLoginFailureSpike, AuthServiceHighErrorRate, CollaborationServiceHighErrorRate, GpuMemorySaturation, HighApiErrorRateForKeyUsers, HighErrorRateAPIGateway, HighPaymentFailureRate, HostHighMemoryUsage, LowRegistrationSuccessRate, N8nWorkflowFailures, NotificationDeliveryFailures, OdooHighErrorRate, PostgresqlTooManyConnections, RedisHighMemoryUsage, SubscriptionServiceHighErrorRate, WebFrontendHighClientErrorRate\n- a percentage from 0 to 100 (90 is 90 %): GpuHighUtilisation, HostLowDiskSpace, LokiRequestErrors, PrometheusErrorSendingAlertsToSomeAlertmanagers, PrometheusRemoteStorageFailures\n- seconds, at least 0: CollaborationServiceHighLatency, KubernetesApiServerLatency, OdooHighLatency, PostgresqlReplicationLag, PostgresqlSlowQueries, PrometheusRemoteWriteBehind\n- minutes, at least 0: PrometheusNotificationQueueRunningFull\n- hours, at least 0: HostDiskWillFillSoon\n- days, at least 0: MonitoringCertificateExpiringSoon\n- a count, at least 0: AlertmanagerMembersInconsistent, AlloyDroppedEntries, LowNewFeatureAdoption, MinioDriveOffline, MinioReplicationFailures, N8nJobsStuck, NotificationQueueBacklog, PrometheusNotConnectedToAlertmanagers, PrometheusNotificationsDropped, PrometheusRuleFailures, PrometheusTSDBCompactionsFailing, PromtailDroppedEntries, RabbitmqHighQueueDepth, RabbitmqUnackedMessages\n- a factor, at least 1 (3 is three times as much): UnusualCreditConsumption\n- a load average per CPU core, at least 0 (1 is as many runnable tasks as cores): HostHighCpuLoad";
      };
      ratio_min_rate = mkOption {
        type = types.number;
        default = 0.1;
        description = "The least traffic, in events per second, at which a generated ratio alert (failed\nrequests, logins, payments, inferences … over all of them) may fire: each is\n`<ratio> > <threshold> and <all events per second> > <this>`, so one failed request in a\nquiet five minutes does not page, and no traffic at all is silent by design rather than\nby a 0/0 that never compares true. Default 0.1 (30 events in 5 minutes).";
      };
      runbook_base_url = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Base URL of the runbooks; an alert's `runbook_url` annotation, when it has none, becomes\n`<base>/<AlertName>`. Default: none (alerts keep what they declare).";
      };
      watchdog = mkOption {
        type = types.bool;
        default = true;
        description = "Generate the always-firing `Watchdog` alert that proves the path to Alertmanager is alive.\nDefault true.";
      };
    };
  };

  S3Storage = types.submodule {
    options = {
      access_key_id_env = mkOption {
        type = types.str;
        default = "LOKI_S3_ACCESS_KEY_ID";
        description = "Environment variable holding the access key id. Default `LOKI_S3_ACCESS_KEY_ID`.";
      };
      bucket = mkOption {
        type = types.str;
        description = "Bucket name.";
      };
      ca_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "CA certificate file that signed the endpoint's certificate, when the host's trust store\ndoes not have it (Loki's `http_config.ca_file`), e.g. a private CA in front of MinIO.\nDefault: none.";
      };
      endpoint = mkOption {
        type = types.str;
        description = "`host:port` of the S3 endpoint, e.g. `minio:9000`.";
      };
      insecure = mkOption {
        type = types.bool;
        default = false;
        description = "Use plain HTTP to the endpoint. Default false.";
      };
      plaintext_credentials = mkOption {
        type = types.nullOr PlaintextCredentials;
        default = null;
        description = "Accept sending this store's credentials without TLS (the S3 keys, with `insecure`): the reason (shown in the\ncatalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback\naddress.";
      };
      region = mkOption {
        type = types.str;
        default = "us-east-1";
        description = "Region. Default `us-east-1` (MinIO ignores it).";
      };
      secret_access_key_env = mkOption {
        type = types.str;
        default = "LOKI_S3_SECRET_ACCESS_KEY";
        description = "Environment variable holding the secret access key. Default `LOKI_S3_SECRET_ACCESS_KEY`.";
      };
    };
  };

  SameSite = types.enum [
    "lax"
    "strict"
  ];

  Scheme = types.enum [
    "http"
    "https"
  ];

  # One Prometheus scrape job.
  ScrapeJob = types.submodule {
    options = {
      authorization = mkOption {
        type = types.nullOr Authorization;
        default = null;
        description = "`Authorization` header credentials read from a file.";
      };
      basic_auth = mkOption {
        type = types.nullOr BasicAuth;
        default = null;
        description = "HTTP basic authentication, password read from a file.";
      };
      critical = mkOption {
        type = types.bool;
        default = false;
        description = "Whether the job watches a critical service, so that losing sight of it pages: a target\nPrometheus cannot scrape fires `CriticalTargetDown` (severity `critical`, after 1m)\ninstead of `TargetDown` (warning), and a job without any target fires\n`CriticalTargetMissing`. The service's own \"down\" alert (e.g. `PostgresqlDown` from\n`pg_up`) cannot fire while its exporter is unreachable. Default false.";
      };
      discovery = mkOption {
        type = Discovery;
        description = "How targets are found: exactly one of `static`, `file_sd`, `kubernetes`.";
      };
      expected_series_per_target = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        description = "Expected series per target, overriding the exporter's typical count. Default: the\ncatalogue's estimate for `exporter`.";
      };
      expected_targets = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        description = "Expected number of targets of a discovery-based job (static jobs count their targets).\nRequired when `prometheus.capacity` is declared. Default: unknown.";
      };
      exporter = mkOption {
        type = types.nullOr ExporterKind;
        default = null;
        description = "What the targets are, for the capacity estimate's typical series per target. Default:\ninferred from the job name (the seed's job names), else `app`.";
      };
      file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The file under `prometheus/scrape_configs/` (without `.yml`) this job is written to;\njobs sharing a file are grouped. Default: the job name with `-` replaced by `_`.";
      };
      honor_labels = mkOption {
        type = types.bool;
        default = false;
        description = "Keep the target's own labels on conflict (federation, Pushgateway). Default false.";
      };
      labels = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Labels added to every target of the job (e.g. `service: postgresql`).";
      };
      metric_relabel_configs = mkOption {
        type = types.listOf Relabel;
        default = [ ];
        description = "Relabeling applied to scraped samples (e.g. to drop expensive series).";
      };
      metrics_path = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "HTTP path of the metrics endpoint. Default: Prometheus' `/metrics`.";
      };
      name = mkOption {
        type = types.str;
        description = "`job_name`, unique in the environment (e.g. `node_exporter`, `api-gateway`).";
      };
      owner = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Team owning the targets (a name from `teams`).";
      };
      params = mkOption {
        type = types.attrsOf (types.listOf types.str);
        default = { };
        description = "URL query parameters sent with every scrape (Prometheus `params`), each a list of\nvalues: e.g. RabbitMQ's `/metrics/detailed` takes\n`family = [ \"queue_coarse_metrics\" \"queue_consumer_count\" ]`, blackbox_exporter a\n`module`. Default: none.";
      };
      plaintext_credentials = mkOption {
        type = types.nullOr PlaintextCredentials;
        default = null;
        description = "Accept sending this job's credentials without TLS (basic auth, `authorization`, the service account's token): the reason (shown in the\ncatalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback\naddress.";
      };
      relabel_configs = mkOption {
        type = types.listOf Relabel;
        default = [ ];
        description = "Extra relabeling, applied after the generated discovery relabeling.";
      };
      scheme = mkOption {
        type = types.nullOr Scheme;
        default = null;
        description = "`http` or `https`. Default: Prometheus' `http` (or `https` with `service_account`).";
      };
      scrape_interval = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Overrides `prometheus.scrape_interval` for this job.";
      };
      scrape_timeout = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "Overrides `prometheus.scrape_timeout` for this job.";
      };
      tls = mkOption {
        type = types.nullOr Tls;
        default = null;
        description = "TLS settings for scraping (file references only).";
      };
    };
  };

  # Grafana's server settings. Anonymous access and sign-up are always off, new users are
  # viewers, and cookies and security headers are on: monstack renders no switch for them.
  Server = types.submodule {
    options = {
      admin_password_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "File holding the administrator's password, read by Grafana through `\$__file{}`.\nRequired in production (Grafana's default password is `admin`). Default: none.";
      };
      admin_user = mkOption {
        type = types.str;
        default = "admin";
        description = "Name of the built-in administrator. Default `admin`.";
      };
      cookie_samesite = mkOption {
        type = SameSite;
        default = "lax";
        description = "`SameSite` attribute of the session cookie: `lax` or `strict`. Default `lax` (`strict`\nbreaks OAuth's redirect back to Grafana).";
      };
      disable_login_form = mkOption {
        type = types.bool;
        default = false;
        description = "Hide the user/password form, so the administrator's password is for emergencies only\n(Grafana's `/login?disableAutoLogin` still shows it). Needs `oauth`. Default false.";
      };
      http_addr = mkOption {
        type = types.str;
        default = "";
        description = "Address Grafana listens on (`server.http_addr`). Default `\"\"`: every interface, Grafana's\nown default. Always rendered, because hosts disagree otherwise: NixOS' module defaults it\nto `127.0.0.1`, which would leave Grafana unreachable from other hosts.";
      };
      http_port = mkOption {
        type = types.ints.u16;
        default = 3000;
        description = "Port Grafana listens on. Default 3000.";
      };
      oauth = mkOption {
        type = types.nullOr OAuth;
        default = null;
        description = "Single sign-on through an OpenID Connect / OAuth 2 provider. Default: none.";
      };
      root_url = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The URL users reach Grafana at (`root_url`), e.g. `https://grafana.creativeflow.ai/`;\nOAuth redirects and alert links are built from it. Default: none (Grafana's own).";
      };
      secret_key_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "File holding the key Grafana signs sessions and encrypts datasource secrets with.\nRequired in production (Grafana's default key is public). Default: none.";
      };
    };
  };

  # Server-side TLS.
  ServerTls = types.submodule {
    options = {
      cert_file = mkOption {
        type = types.str;
        description = "PEM certificate (chain) the servers present, e.g. `/run/secrets/monstack/tls.crt`.";
      };
      client_ca_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "CA that signs client certificates; required when `client_cert_required` names a\ncomponent. Default: none.";
      };
      client_cert_required = mkOption {
        type = types.listOf Component;
        default = [ ];
        description = "Components that accept only clients presenting a certificate signed by\n`client_ca_file` (mutual TLS). Loki has no users of its own, so in production mutual TLS\nis how its push and query endpoints authenticate. Default: none.";
      };
      key_file = mkOption {
        type = types.str;
        description = "Its private key.";
      };
      min_version = mkOption {
        type = TlsVersion;
        default = "TLS12";
        description = "Lowest TLS version accepted: `TLS12` or `TLS13`. Default `TLS12`.";
      };
    };
  };

  # A service's golden-signals dashboard: traffic, errors and latency (RED) from the
  # `job:http_*` recording rules, and saturation: CPU and memory of its processes, its queue
  # depth when declared, and CPU and memory of its pods when the job discovers pods and the
  # `kubernetes-cadvisor` job is declared. The service is an instrumented HTTP service: its job
  # exposes `http_requests_total` (with a `code` label), the `http_request_duration_seconds`
  # histogram and the `process_*` metrics of the Prometheus client libraries.
  ServiceDashboard = types.submodule {
    options = {
      job = mkOption {
        type = types.str;
        description = "The service's scrape job (a name from `scrape_jobs`), e.g. `auth-service`.";
      };
      queue_metric = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "A gauge the service's job exposes for its backlog, e.g. `queue_depth`, shown as\nsaturation per instance. Default: none.";
      };
      title = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Dashboard title, unique in the folder. Default: `<job> golden signals`.";
      };
      uid = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Stable uid (1–40 of a-z, A-Z, 0-9, `-` and `_`), unique in the organisation; it names the\ndashboard's file too. Default: `svc-<job>` (a `.` in the job becomes `-`).";
      };
    };
  };

  # A receiver per severity; unset severities get no team route.
  SeverityReceivers = types.submodule {
    options = {
      critical = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "";
      };
      info = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "";
      };
      warning = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "";
      };
    };
  };

  Shipper = types.enum [
    "promtail"
    "alloy"
  ];

  SimpleScalable = types.submodule {
    options = {
      compactor_address = mkOption {
        type = types.str;
        description = "URL of the backend target, which runs the compactor (deletes and retention), e.g.\n`http://loki-backend:3100`.";
      };
      join_members = mkOption {
        type = types.listOf types.str;
        description = "`host:port` of memberlist peers to join (every target gossips the ring), e.g.\n`loki-read:7946`, `loki-write:7946`, `loki-backend:7946`.";
      };
      memberlist_port = mkOption {
        type = types.ints.u16;
        default = 7946;
        description = "Memberlist port. Default 7946.";
      };
      replication_factor = mkOption {
        type = types.ints.u32;
        default = 3;
        description = "Copies of each stream the write targets keep. Default 3.";
      };
    };
  };

  Slack = types.submodule {
    options = {
      api_url_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "File holding this receiver's webhook URL. Default: `alertmanager.slack_api_url_file`.";
      };
      channel = mkOption {
        type = types.str;
        description = "Channel, e.g. `#alerts-warning`.";
      };
      mention_channel = mkOption {
        type = types.bool;
        default = false;
        description = "Prefix each message with `<!channel>` to alert everyone in the channel. Default false.";
      };
      send_resolved = mkOption {
        type = types.bool;
        default = true;
        description = "Notify when alerts resolve. Default true.";
      };
    };
  };

  Sli = types.attrTag {
    availability = mkOption {
      type = AvailabilitySli;
      description = "Errors and all events as counters, e.g. 5xx and all requests.";
    };
    latency = mkOption {
      type = LatencySli;
      description = "Requests slower than a threshold, from a histogram with a bucket at the threshold.";
    };
  };

  Slo = types.submodule {
    options = {
      name = mkOption {
        type = types.str;
        description = "SLO name (a slug), e.g. `api-gateway-availability`; the `slo` label of its series.";
      };
      objective = mkOption {
        type = types.number;
        description = "Target share of good events, e.g. 0.999.";
      };
      period = mkOption {
        type = Duration;
        default = "30d";
        description = "The period the objective and its error budget cover. Default `30d`.";
      };
      service = mkOption {
        type = types.str;
        description = "The `service` label of its alerts, e.g. `api-gateway`.";
      };
      sli = mkOption {
        type = Sli;
        description = "How good and bad events are counted: exactly one of `availability`, `latency`.";
      };
    };
  };

  Smtp = types.submodule {
    options = {
      auth_password_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "File holding the SMTP password.";
      };
      auth_username = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "SMTP user name.";
      };
      from = mkOption {
        type = types.str;
        description = "Sender address.";
      };
      plaintext_credentials = mkOption {
        type = types.nullOr PlaintextCredentials;
        default = null;
        description = "Accept sending this server's credentials without TLS (the password, with `require_tls = false` on a port other than 465): the reason (shown in the\ncatalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback\naddress.";
      };
      require_tls = mkOption {
        type = types.bool;
        default = true;
        description = "Require STARTTLS. Default true.";
      };
      smarthost = mkOption {
        type = types.str;
        description = "`host:port` of the SMTP server.";
      };
    };
  };

  StaticDiscovery = types.submodule {
    options = {
      targets = mkOption {
        type = types.listOf types.str;
        description = "`host:port` targets; at least one.";
      };
    };
  };

  Storage = types.submodule {
    options = {
      path = mkOption {
        type = types.str;
        default = "/var/lib/prometheus2/data";
        description = "Data folder (`--storage.tsdb.path`). Default `/var/lib/prometheus2/data` (NixOS' path).";
      };
      retention_size = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Most disk the blocks may use before the oldest are deleted\n(`--storage.tsdb.retention.size`), e.g. `50GB`. Default: no limit.";
      };
      retention_time = mkOption {
        type = Duration;
        default = "15d";
        description = "How long samples are kept (`--storage.tsdb.retention.time`). Default `15d`.";
      };
    };
  };

  # The kind of store a remote write destination is: it decides the tenant header.
  Store = types.enum [
    "mimir"
    "thanos"
    "prometheus"
  ];

  StreamRetention = types.submodule {
    options = {
      period = mkOption {
        type = Duration;
        description = "How long matching streams are kept.";
      };
      priority = mkOption {
        type = types.ints.u32;
        default = 1;
        description = "When several selectors match, the highest priority wins. Default 1.";
      };
      selector = mkOption {
        type = types.str;
        description = "LogQL stream selector, e.g. `{log_class=\"security_audit\"}`.";
      };
    };
  };

  # A team that owns scrape jobs and AI models.
  Team = types.submodule {
    options = {
      description = mkOption {
        type = types.str;
        default = "";
        description = "What the team does; shown in generated docs.";
      };
      name = mkOption {
        type = types.str;
        description = "Team name (a slug), e.g. `platform`, `db`, `ai-infra`.";
      };
      receiver = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The receiver that reaches this team (must be declared under `alertmanager.receivers`).";
      };
      receivers = mkOption {
        type = SeverityReceivers;
        default = { };
        description = "The team's receiver per severity, e.g. PagerDuty for critical, Slack for warning.";
      };
      services = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Values of the `service` label this team owns. With `receivers`, each owned service's\nalerts of a severity reach the team's receiver for it, before the explicit routes.";
      };
    };
  };

  # Alert thresholds of a model.
  Thresholds = types.submodule {
    options = {
      drift_threshold = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "Drift score (`custom_model_drift_score`) above which `CustomAIModelDrift` fires (for\n30m), for models that export one. Default: none.";
      };
      error_for = mkOption {
        type = Duration;
        default = "10m";
        description = "How long the error condition must hold. Default `10m`.";
      };
      error_ratio = mkOption {
        type = types.number;
        default = 0.05;
        description = "Error ratio (errors / requests, 0..1) above which `CustomAIModelHighErrorRate` fires.\nDefault 0.05.";
      };
      gpu_memory_ratio = mkOption {
        type = types.number;
        default = 0.95;
        description = "Share of GPU memory in use by the model's pods above which\n`CustomAIModelGpuMemorySaturation` fires (for 15m). Default 0.95.";
      };
      gpu_utilisation_percent = mkOption {
        type = types.number;
        default = 95.0;
        description = "Average GPU utilisation (percent) of the model's pods above which\n`CustomAIModelGpuSaturation` fires (for 30m). Default 95.";
      };
      latency_for = mkOption {
        type = Duration;
        default = "5m";
        description = "How long the latency condition must hold. Default `5m`.";
      };
      min_requests_per_second = mkOption {
        type = types.nullOr types.number;
        default = null;
        description = "Requests per second below which `CustomAIModelLowThroughput` fires (for 15m). Default:\nnone (no throughput alert).";
      };
      p99_latency_seconds = mkOption {
        type = types.number;
        default = 2.0;
        description = "P99 inference latency above which `CustomAIModelHighInferenceLatency` fires, in seconds.\nDefault 2.";
      };
    };
  };

  # A named set of time ranges (Alertmanager `time_intervals`).
  TimeInterval = types.submodule {
    options = {
      intervals = mkOption {
        type = types.listOf TimeRange;
        description = "The interval is the union of these ranges.";
      };
      name = mkOption {
        type = types.str;
        description = "Name routes refer to, e.g. `outside-business-hours`.";
      };
    };
  };

  TimeOfDay = types.submodule {
    options = {
      end_time = mkOption {
        type = types.str;
        description = "";
      };
      start_time = mkOption {
        type = types.str;
        description = "";
      };
    };
  };

  # One range; every field given must match (an absent field matches always).
  TimeRange = types.submodule {
    options = {
      days_of_month = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Days of the month or ranges, e.g. `1:5`, `-1` (the last day).";
      };
      location = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Time zone of the times, e.g. `Europe/Berlin`. Default: UTC.";
      };
      months = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Months or ranges, e.g. `december`, `1:3`.";
      };
      times = mkOption {
        type = types.listOf TimeOfDay;
        default = [ ];
        description = "Times of day, `HH:MM` to `HH:MM` (end exclusive, `24:00` allowed).";
      };
      weekdays = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Days of the week or ranges of them, e.g. `monday:friday`, `saturday`.";
      };
    };
  };

  # Notification timing of a route.
  Timing = types.submodule {
    options = {
      group_interval = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "";
      };
      group_wait = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "";
      };
      repeat_interval = mkOption {
        type = types.nullOr Duration;
        default = null;
        description = "";
      };
    };
  };

  # TLS client settings; every value is a file path or a name.
  Tls = types.submodule {
    options = {
      ca_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "CA certificate file to verify the server.";
      };
      cert_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Client certificate file (mutual TLS).";
      };
      insecure_skip_verify = mkOption {
        type = types.bool;
        default = false;
        description = "Skip certificate verification. Default false; avoid outside development.";
      };
      key_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Client key file (mutual TLS).";
      };
      server_name = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Server name to verify, if it differs from the target host.";
      };
    };
  };

  TlsVersion = types.enum [
    "TLS12"
    "TLS13"
  ];

  # Versions of the tools the bundle is rendered for (`MAJOR.MINOR[.PATCH]`).
  Versions = types.submodule {
    options = {
      alertmanager = mkOption {
        type = types.str;
        default = "0.28.1";
        description = "Alertmanager version; at least 0.27. Default `0.28.1`.";
      };
      alloy = mkOption {
        type = types.str;
        default = "1.11.0";
        description = "Grafana Alloy version; at least 1.5. Default `1.11.0`.";
      };
      grafana = mkOption {
        type = types.str;
        default = "12.0.0";
        description = "Grafana version; at least 10.4. Default `12.0.0`.";
      };
      loki = mkOption {
        type = types.str;
        default = "3.5.0";
        description = "Loki version; 2.9.x or 3.x. Default `3.5.0`.";
      };
      prometheus = mkOption {
        type = types.str;
        default = "2.53.3";
        description = "Prometheus version; at least 2.51. Default `2.53.3`.";
      };
      promtail = mkOption {
        type = types.str;
        default = "3.5.0";
        description = "Promtail version; at least 2.9 (it is not released after 3.6). Default `3.5.0`.";
      };
    };
  };

  # A basic-auth user.
  WebUser = types.submodule {
    options = {
      name = mkOption {
        type = types.str;
        description = "User name, e.g. `grafana` or `sre`.";
      };
      password_hash_file = mkOption {
        type = types.str;
        description = "File holding the user's bcrypt hash (`htpasswd -nBC 10 \"\" | cut -d: -f2`), read on the host\nwhen the service starts.";
      };
    };
  };

  Webhook = types.submodule {
    options = {
      max_alerts = mkOption {
        type = types.ints.u32;
        default = 0;
        description = "Most alerts in one message; 0 means all. Default 0.";
      };
      send_resolved = mkOption {
        type = types.bool;
        default = true;
        description = "Notify when alerts resolve. Default true.";
      };
      url = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Endpoint URL, when it is not a secret (no credentials or tokens in it).";
      };
      url_file = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "File holding the endpoint URL, when the URL is a secret.";
      };
    };
  };

in
{
  options = {
    access = mkOption {
      type = Access;
      default = { };
      description = "TLS and authentication of every UI and API, and the credentials of the stack's clients.";
    };
    ai_models = mkOption {
      type = AiModels;
      default = { };
      description = "Custom AI models and their per-model alert thresholds.";
    };
    alertmanager = mkOption {
      type = Alertmanager;
      description = "Alertmanager: receivers, route tree, inhibitions.";
    };
    environment = mkOption {
      type = types.str;
      description = "Environment name, e.g. `prod`: lowercase letters, digits, `-`, `_`, `.`. It names the\nbundle, appears in every diagnostic and becomes the `environment` external label.";
    };
    grafana = mkOption {
      type = Grafana;
      description = "Grafana: datasources and dashboard folders.";
    };
    install_prefix = mkOption {
      type = types.str;
      default = "/etc/monstack";
      description = "Where the bundle is installed on the hosts; used for paths a tool does not resolve\nagainst its own config file (Grafana's dashboard folders). `monstack render\n--install-prefix` overrides it. Default: `/etc/monstack`.";
    };
    loki = mkOption {
      type = Loki;
      description = "Loki: storage, schema, retention and limits.";
    };
    meta = mkOption {
      type = types.nullOr Meta;
      default = null;
      description = "Meta-monitoring: where the stack's own servers listen, for the scrape jobs and alerts\nthat watch them (derived from the topology: every Prometheus replica and shard, the\nAlertmanagers, Loki's targets, the log shippers, Grafana, and the TLS endpoints'\ncertificates). Default: none (the stack is not watched).";
    };
    prometheus = mkOption {
      type = Prometheus;
      default = { };
      description = "Prometheus server settings.";
    };
    promtail = mkOption {
      type = Promtail;
      description = "Log shipping (Promtail and Grafana Alloy): where logs come from and where they go.";
    };
    rules = mkOption {
      type = Rules;
      default = { };
      description = "Alerting and recording rules, by rule file.";
    };
    scrape_jobs = mkOption {
      type = bulkListOf {
        name = "ScrapeJob";
        elemType = ScrapeJob;
        fill = fill.ScrapeJob;
      };
      default = [ ];
      description = "Scrape jobs: what to monitor and how each target set is discovered.";
    };
    slos = mkOption {
      type = types.listOf Slo;
      default = [ ];
      description = "Service level objectives, with burn-rate alerts and error budgets.";
    };
    teams = mkOption {
      type = types.listOf Team;
      default = [ ];
      description = "Teams that own services and alerts.";
    };
    versions = mkOption {
      type = Versions;
      default = { };
      description = "Target versions of the tools; the renderers emit configuration those versions accept.";
    };
  };
}
