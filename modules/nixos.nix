# `services.monstack`: wires a bundle into nixpkgs' own service modules on a monitoring host.
# No import-from-derivation: the services read the bundle's files from the store (or from /etc
# entries that point into it); Nix never reads a built file during evaluation.
{ monstackLib, generatorFor }:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib)
    mkEnableOption
    mkForce
    mkIf
    mkMerge
    mkOption
    types
    ;
  cfg = config.services.monstack;

  bundle =
    if cfg.bundle != null then
      cfg.bundle
    else
      monstackLib.bundle {
        generator = cfg.package;
        system = pkgs.stdenv.hostPlatform.system;
        spec = (monstackLib.evalEnv { modules = cfg.environment; }).spec;
      };

  # A bundle derivation from `lib.bundle` carries its spec as an attribute (no build needed).
  spec = builtins.fromJSON bundle.spec;
  etcPrefix = lib.removePrefix "/etc/" spec.install_prefix;

  # Access control (spec.access): the web configuration Prometheus and Alertmanager read is
  # assembled at service start by `monstack web-config` from the bundle and the secret files,
  # which systemd hands the service as credentials (LoadCredential), so root-only secrets work
  # and no hash is ever in the store.
  access = spec.access;
  webSecured = access.tls != null || access.users != [ ];
  webConfig = component: "/run/monstack/${component}/web-config.yml";
  webCredentials =
    lib.optionals (access.tls != null) (
      [
        "tls-cert:${access.tls.cert_file}"
        "tls-key:${access.tls.key_file}"
      ]
      ++ lib.optional (access.tls.client_ca_file != null) "tls-client-ca:${access.tls.client_ca_file}"
    )
    ++ lib.imap0 (i: u: "user-${toString i}:${u.password_hash_file}") access.users;
  # With TLS, Alertmanager cluster members gossip over mutual TLS (the bundle's
  # alertmanager/cluster-tls.yml), presenting the client certificate.
  gossipTls = access.tls != null && (spec.alertmanager.cluster or null) != null;
  clusterTlsFile = "/run/monstack/alertmanager/cluster-tls.yml";
  gossipCredentials =
    let
      client = access.client.tls or null;
      cred = name: file: lib.optional (file != null) "${name}:${file}";
    in
    lib.optionals (gossipTls && client != null) (
      cred "client-ca" client.ca_file
      ++ cred "client-cert" client.cert_file
      ++ cred "client-key" client.key_file
    );
  webService = component: dir: {
    serviceConfig = {
      LoadCredential = webCredentials ++ lib.optionals (component == "alertmanager") gossipCredentials;
      RuntimeDirectory = "monstack/${component}";
      RuntimeDirectoryMode = "0700";
      # %d is the credentials folder ($CREDENTIALS_DIRECTORY).
      ExecStartPre = [
        (
          "${cfg.package}/bin/monstack web-config ${dir} --out ${webConfig component} --credentials %d"
          + lib.optionalString (
            component == "alertmanager" && gossipTls
          ) " --cluster-tls-out ${clusterTlsFile}"
        )
      ];
    };
  };

  # Which Prometheus configuration this host runs: `prometheus.yml` for an environment's single
  # server, `prometheus.[shard-<n>.]<replica>.yml` for a replica of an HA pair (prometheus.ha)
  # or of a shard (render::prometheus::Instance::config_file, from the spec alone).
  ha = spec.prometheus.ha or null;
  promCfg = cfg.prometheus;
  instanceName = lib.concatStringsSep "." (
    lib.optional (promCfg.shard != null) "shard-${toString promCfg.shard}"
    ++ lib.optional (promCfg.replica != null) promCfg.replica
  );
  prometheusConfig =
    if instanceName == "" then "prometheus.yml" else "prometheus.${instanceName}.yml";

  # Alertmanager cluster flags for member `clusterMember` (render::alertmanager::cluster_args:
  # listen on listen_host at the member's own port, every other member as a peer, advertise the
  # member's address when it is an IP address, and the gossip timings the spec sets).
  amCluster = spec.alertmanager.cluster or null;
  member = cfg.alertmanager.clusterMember;
  clusterArgs =
    let
      own = builtins.elemAt amCluster.peers member;
      parts = builtins.match "(.*):([0-9]+)" own;
      host = builtins.elemAt parts 0;
      port = builtins.elemAt parts 1;
      isIp = builtins.match "[0-9.]+|\\[.*]" host != null;
      timing = flag: value: lib.optional (value != null) "--cluster.${flag}=${value}";
    in
    [ "--cluster.listen-address=${amCluster.listen_host}:${port}" ]
    ++ lib.optional isIp "--cluster.advertise-address=${own}"
    ++ map (p: "--cluster.peer=${p}") (lib.filter (p: p != own) amCluster.peers)
    ++ timing "gossip-interval" (amCluster.gossip_interval or null)
    ++ timing "pushpull-interval" (amCluster.pushpull_interval or null)
    ++ timing "peer-timeout" (amCluster.peer_timeout or null);

  component = name: {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Run ${name} with the bundle's ${name} configuration.";
    };
  };
in
{
  options.services.monstack = {
    enable = mkEnableOption "the monitoring stack rendered by monstack";

    package = mkOption {
      type = types.package;
      default = generatorFor pkgs;
      defaultText = lib.literalExpression "monstack built from this flake";
      description = "The generator that renders `environment` into a bundle.";
    };

    environment = mkOption {
      type = types.listOf types.deferredModule;
      default = [ ];
      example = lib.literalExpression "[ monstack.lib.environments.prod ]";
      description = "Environment modules (like envs/prod.nix) whose bundle this host runs.";
    };

    bundle = mkOption {
      type = types.nullOr types.package;
      default = null;
      example = lib.literalExpression "monstack.packages.x86_64-linux.prod-monitoring";
      description = "A bundle built with the flake's `lib.bundle`; takes precedence over `environment`.";
    };

    prometheus = component "Prometheus" // {
      replica = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "a";
        description = ''
          Which replica of the environment's HA pair (`prometheus.ha.replicas`) this host runs;
          required exactly when the environment declares `prometheus.ha`. See
          <https://grafana.com/docs/mimir/latest/configure/configure-high-availability-deduplication/>.
        '';
      };
      shard = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        example = 0;
        description = ''
          Which shard this host runs, when the capacity estimate splits the scrape jobs into
          shards (the bundle's `manifest.json` says how many under `capacity.shards`; there are
          `prometheus.shard-<n>.*.yml` files then). Null when the environment is not sharded.
        '';
      };
    };
    alertmanager = component "Alertmanager" // {
      clusterMember = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        example = 0;
        description = ''
          This host's position in the environment's `alertmanager.cluster.peers` (0-based);
          required exactly when the environment declares `alertmanager.cluster`. The other
          members become `--cluster.peer` flags. See
          <https://github.com/prometheus/alertmanager#high-availability>.
        '';
      };
    };
    grafana = component "Grafana";

    alloy.enable = mkOption {
      type = types.bool;
      default = lib.elem "alloy" spec.promtail.shippers;
      defaultText = lib.literalExpression "whether the bundle renders an Alloy configuration";
      description = "Ship logs with Grafana Alloy (Promtail's successor; nixpkgs no longer has Promtail).";
    };

    loki = component "Loki" // {
      environmentFile = mkOption {
        type = types.nullOr types.path;
        default = null;
        example = "/run/secrets/loki.env";
        description = ''
          File with the object-store credentials as environment variables (for example
          `LOKI_S3_ACCESS_KEY_ID=…` and `LOKI_S3_SECRET_ACCESS_KEY=…`, the names the spec's
          `loki.storage.s3.*_env` options give). Loki expands them with -config.expand-env=true.
          Keep it outside the store (agenix, sops-nix).
        '';
      };
      target = mkOption {
        type = types.enum [
          "all"
          "read"
          "write"
          "backend"
        ];
        default = "all";
        example = "write";
        description = ''
          Which part of Loki this host runs (`-target`): `all` for a single binary, or one of
          `read`, `write`, `backend` when the environment sets `loki.simple_scalable`. See
          <https://grafana.com/docs/loki/latest/get-started/deployment-modes/>.
        '';
      };
    };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      assertions = [
        {
          assertion = lib.hasPrefix "/etc/" spec.install_prefix;
          message = "services.monstack: the bundle's install_prefix (${spec.install_prefix}) must be under /etc/, where this module links the bundle; set install_prefix = \"/etc/monstack\" in the environment.";
        }
      ];
    }

    # Prometheus reads /etc/prometheus/prometheus.yaml when enableReload is on; rule and
    # scrape-config files resolve relative to that folder, so they are linked beside it. The
    # module's own promtool check covers only its unused generated file: the bundle is checked
    # by the flake's checks instead.
    (mkIf cfg.prometheus.enable {
      assertions = [
        {
          assertion = spec.prometheus.storage.path == "/var/lib/${config.services.prometheus.stateDir}/data";
          message = "services.monstack: prometheus.storage.path in the spec (${spec.prometheus.storage.path}) differs from where NixOS keeps Prometheus' data (/var/lib/${config.services.prometheus.stateDir}/data); set it to that path in the environment.";
        }
        {
          assertion = (ha == null) == (promCfg.replica == null);
          message =
            if ha == null then
              "services.monstack.prometheus.replica = \"${toString promCfg.replica}\", but env ${spec.environment} declares no prometheus.ha; remove it."
            else
              "services.monstack.prometheus.replica: env ${spec.environment} runs Prometheus as an HA pair; set it to one of ${lib.concatStringsSep ", " ha.replicas} on each host.";
        }
        {
          assertion = ha == null || promCfg.replica == null || lib.elem promCfg.replica ha.replicas;
          message = "services.monstack.prometheus.replica: \"${toString promCfg.replica}\" is not a replica of env ${spec.environment}; use one of ${
            lib.concatStringsSep ", " (ha.replicas or [ ])
          }.";
        }
      ];
      services.prometheus = {
        enable = true;
        enableReload = true;
        checkConfig = false;
        retentionTime = spec.prometheus.storage.retention_time;
        webExternalUrl = spec.prometheus.external_url;
        webConfigFile = if webSecured then webConfig "prometheus" else null;
        extraFlags = lib.optional (
          spec.prometheus.storage.retention_size != null
        ) "--storage.tsdb.retention.size=${spec.prometheus.storage.retention_size}";
      };
      systemd.services.prometheus = mkIf webSecured (webService "prometheus" bundle.prometheus);
      environment.etc."prometheus/prometheus.yaml".source =
        mkForce "${bundle.prometheus}/${prometheusConfig}";
      environment.etc."prometheus/rules".source = "${bundle.prometheus}/rules";
      environment.etc."prometheus/scrape_configs".source = "${bundle.prometheus}/scrape_configs";
      systemd.services.prometheus-config-reload.restartTriggers = [ bundle.prometheus ];
    })

    # nixpkgs' Alertmanager runs from /tmp/alert-manager-substituted.yaml, prepared in preStart
    # by envsubst. The bundle's file needs no substitution (its secrets are *_file paths), and
    # its templates path is relative, so both are put in /tmp (the unit's private /tmp) as-is.
    (mkIf cfg.alertmanager.enable {
      assertions = [
        {
          assertion = spec.alertmanager.storage_path == "/var/lib/alertmanager";
          message = "services.monstack: alertmanager.storage_path in the spec (${spec.alertmanager.storage_path}) differs from where NixOS keeps Alertmanager's data (/var/lib/alertmanager); set it to that path in the environment.";
        }
        {
          assertion = (amCluster == null) == (member == null);
          message =
            if amCluster == null then
              "services.monstack.alertmanager.clusterMember is set, but env ${spec.environment} declares no alertmanager.cluster; remove it."
            else
              "services.monstack.alertmanager.clusterMember: env ${spec.environment} runs an Alertmanager cluster; set it to this host's index in alertmanager.cluster.peers (0 to ${
                toString (builtins.length amCluster.peers - 1)
              }).";
        }
        {
          assertion = amCluster == null || member == null || member < builtins.length amCluster.peers;
          message = "services.monstack.alertmanager.clusterMember: ${toString member} is past the last of env ${spec.environment}'s ${
            toString (builtins.length (amCluster.peers or [ ]))
          } cluster members (0-based).";
        }
      ];
      services.prometheus.alertmanager = {
        enable = true;
        checkConfig = false;
        configText = "# replaced at service start by services.monstack";
        webExternalUrl = spec.alertmanager.external_url;
        # A cluster member gossips with the others; a single Alertmanager does not (as the
        # bundle's flags.json says).
        extraFlags =
          (
            if amCluster != null && member != null && member < builtins.length amCluster.peers then
              clusterArgs ++ lib.optional gossipTls "--cluster.tls-config=${clusterTlsFile}"
            else
              [ "--cluster.listen-address=" ]
          )
          ++ lib.optional webSecured "--web.config.file=${webConfig "alertmanager"}";
      };
      systemd.services.alertmanager = mkMerge [
        {
          preStart = mkForce ''
            install -m 0400 ${bundle.alertmanager}/alertmanager.yml /tmp/alert-manager-substituted.yaml
            ln -sfn ${bundle.alertmanager}/templates /tmp/templates
          '';
          restartTriggers = [ bundle.alertmanager ];
        }
        (mkIf webSecured (webService "alertmanager" bundle.alertmanager))
      ];
    })

    # Dashboards are provisioned from ${install_prefix}/grafana/dashboards/<folder>, the path
    # the bundle's provider file names.
    (mkIf cfg.grafana.enable {
      # The same settings the bundle renders as grafana/grafana.ini (a test holds them equal).
      services.grafana = {
        enable = true;
        settings = import ./grafana-settings.nix spec;
        provision = {
          enable = true;
          datasources.path = "${bundle.grafana}/provisioning/datasources";
          dashboards.path = "${bundle.grafana}/provisioning/dashboards";
        };
      };
      environment.etc."${etcPrefix}/grafana".source = bundle.grafana;
    })

    # Alloy reads /etc/alloy; nixpkgs reloads (not restarts) it when an /etc/alloy/*.alloy entry
    # changes.
    (mkIf cfg.alloy.enable {
      assertions = [
        {
          assertion = lib.elem "alloy" spec.promtail.shippers;
          message = "services.monstack.alloy.enable: the bundle has no Alloy configuration; add \"alloy\" to promtail.shippers in the environment.";
        }
      ];
      services.alloy.enable = true;
      environment.etc."alloy/config.alloy".source = "${bundle.alloy}/config.alloy";
    })

    (mkIf cfg.loki.enable {
      assertions = [
        {
          assertion = (spec.loki.simple_scalable == null) == (cfg.loki.target == "all");
          message =
            if spec.loki.simple_scalable == null then
              "services.monstack.loki.target = \"${cfg.loki.target}\", but env ${spec.environment} runs Loki as a single binary; set target = \"all\" or declare loki.simple_scalable in the environment."
            else
              "services.monstack.loki.target: env ${spec.environment} runs Loki's simple scalable deployment; set target to \"read\", \"write\" or \"backend\" on each host.";
        }
        {
          assertion = spec.loki.data_dir == config.services.loki.dataDir;
          message = "services.monstack: loki.data_dir in the spec (${spec.loki.data_dir}) differs from services.loki.dataDir (${config.services.loki.dataDir}).";
        }
      ];
      services.loki = {
        enable = true;
        configFile = "${bundle.loki}/loki-config.yaml";
        extraFlags = [
          "-config.expand-env=true"
        ]
        ++ lib.optional (cfg.loki.target != "all") "-target=${cfg.loki.target}";
      };
      systemd.services.loki = {
        restartTriggers = [ bundle.loki ];
        serviceConfig.EnvironmentFile = mkIf (cfg.loki.environmentFile != null) cfg.loki.environmentFile;
      };
    })
  ]);
}
