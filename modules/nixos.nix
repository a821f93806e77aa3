# `services.monstack`: wires a bundle into nixpkgs' own service modules on a monitoring host.
# No import-from-derivation: the services read the bundle's files from the store (or from /etc
# entries that point into it); Nix never reads a built file during evaluation.
{ monstackLib, generatorFor }:
{
  config,
  options,
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
  # The names of the bundle's files, as the renderers write them (src/bundle/layout.rs).
  layout = import ./layout.nix;

  bundle =
    if cfg.bundle != null then
      cfg.bundle
    else
      monstackLib.bundle {
        generator = cfg.package;
        system = pkgs.stdenv.hostPlatform.system;
        spec =
          (monstackLib.evalEnv {
            modules =
              cfg.environment
              ++ lib.optional cfg.renderForHostVersions {
                versions = lib.mapAttrs (_: lib.mkForce) packageVersions;
              };
          }).spec;
      };

  # The versions of the tools this host's packages have, by spec name (`versions.*`). (Not
  # filtered by what runs here: which components run depends on the spec, rendered from these.)
  packageVersions = lib.filterAttrs (_: v: v != null) (
    lib.mapAttrs (_: package: package.version or null) {
      prometheus = config.services.prometheus.package;
      alertmanager = config.services.prometheus.alertmanager.package;
      grafana = config.services.grafana.package;
      loki = config.services.loki.package;
      alloy = config.services.alloy.package;
    }
  );
  # Those of the tools this host runs.
  hostVersions = lib.filterAttrs (tool: _: units.${tool}) packageVersions;
  # The bundle is rendered for `versions.*`; a host running another major.minor may read it
  # differently (retention in the configuration file from Prometheus 3.8, Loki's TSDB from 3.0,
  # Alloy's legacy positions from 1.11, Grafana's datasource pruning from 11.1).
  versionMismatches = lib.filter (m: m != null) (
    lib.mapAttrsToList (
      tool: running:
      let
        declared = spec.versions.${tool};
      in
      if lib.versions.majorMinor declared == lib.versions.majorMinor running then
        null
      else
        "services.monstack: env ${spec.environment} declares versions.${tool} = \"${declared}\", but this host runs ${tool} ${running}; the bundle is rendered for the declared version. Declare versions.${tool} = \"${running}\" in the environment (or set services.monstack.renderForHostVersions = true), pin the host's ${tool} package to ${lib.versions.majorMinor declared}, or set services.monstack.versionCheck = \"warn\"."
    ) hostVersions
  );

  # A bundle derivation from `lib.bundle` carries its spec as an attribute (no build needed).
  spec = builtins.fromJSON bundle.spec;
  etcPrefix = lib.removePrefix "/etc/" spec.install_prefix;

  # Access control (spec.access): the web configuration Prometheus and Alertmanager read is
  # assembled at service start by `monstack web-config` from the bundle and the secret files,
  # which systemd hands the service as credentials (LoadCredential), so root-only secrets work
  # and no hash is ever in the store.
  access = spec.access;
  webSecured = access.tls != null || access.users != [ ];
  webConfig = component: "${layout.runtimeDir}/${component}/${layout.web.config}";
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
  clusterTlsFile = "${layout.runtimeDir}/alertmanager/${layout.web.clusterTls}";
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
  # `dir` holds the component's web-config.yml and web-secrets.json. The unit names only paths
  # that do not change with the bundle, so that a new bundle reloads Prometheus instead of
  # restarting it (NixOS restarts a service whose unit file changed).
  webService =
    component: dir:
    let
      assemble =
        "${cfg.package}/bin/monstack web-config ${dir} --out ${webConfig component} --credentials %d"
        + lib.optionalString (
          component == "alertmanager" && gossipTls
        ) " --cluster-tls-out ${clusterTlsFile}";
    in
    {
      serviceConfig = {
        LoadCredential = webCredentials ++ lib.optionals (component == "alertmanager") gossipCredentials;
        # A list, so that it adds to the service's own RuntimeDirectory (nixpkgs' Prometheus has
        # "prometheus"): systemd unit options concatenate lists and refuse two different strings.
        RuntimeDirectory = [ "monstack/${component}" ];
        RuntimeDirectoryMode = lib.mkDefault "0700";
        # %d is the credentials folder ($CREDENTIALS_DIRECTORY).
        ExecStartPre = [ assemble ];
        # Reassembled before the reload signal, so a changed web configuration (users, TLS
        # settings) takes effect on reload too.
        ExecReload = lib.mkBefore [ assemble ];
      };
    };

  storage = spec.prometheus.storage;
  retentionSize = lib.optional (
    storage.retention_size != null
  ) "--storage.tsdb.retention.size=${storage.retention_size}";
  # render::prometheus::RETENTION_IN_CONFIG_SINCE.
  retentionInConfig = lib.versionAtLeast spec.versions.prometheus "3.8.0";
  settingsModule = options.services.prometheus ? settings;
  # The web configuration's files in a component folder (render::web::{CONFIG,SECRETS}).
  webFiles = {
    inherit (layout.web) config secrets;
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
  prometheusConfig = layout.prometheus.instanceConfig instanceName;

  # Alertmanager cluster flags for member `clusterMember` (render::alertmanager::cluster_args:
  # listen on listen_host at the member's own port, every other member as a peer, advertise the
  # member's address when it is an IP address, and the gossip timings the spec sets).
  amCluster = spec.alertmanager.cluster or null;
  member = cfg.alertmanager.clusterMember;
  clustered = amCluster != null && member != null && member < builtins.length amCluster.peers;
  ownPeer = builtins.match "(.*):([0-9]+)" (builtins.elemAt amCluster.peers member);
  gossipPort = lib.toInt (builtins.elemAt ownPeer 1);
  clusterArgs =
    let
      own = builtins.elemAt amCluster.peers member;
      host = builtins.elemAt ownPeer 0;
      port = builtins.elemAt ownPeer 1;
      isIp = builtins.match "[0-9.]+|\\[.*]" host != null;
      timing = flag: value: lib.optional (value != null) "--cluster.${flag}=${value}";
    in
    [ "--cluster.listen-address=${amCluster.listen_host}:${port}" ]
    ++ lib.optional isIp "--cluster.advertise-address=${own}"
    ++ map (p: "--cluster.peer=${p}") (lib.filter (p: p != own) amCluster.peers)
    ++ timing "gossip-interval" (amCluster.gossip_interval or null)
    ++ timing "pushpull-interval" (amCluster.pushpull_interval or null)
    ++ timing "peer-timeout" (amCluster.peer_timeout or null);

  # The systemd units of the services this module runs.
  units = {
    prometheus = cfg.prometheus.enable;
    alertmanager = cfg.alertmanager.enable;
    grafana = cfg.grafana.enable;
    loki = cfg.loki.enable;
    alloy = cfg.alloy.enable;
  };
  fileSources = lib.concatMap (
    source: lib.optional (source.kind ? files) source.kind.files.path
  ) spec.promtail.sources;

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

    finalBundle = mkOption {
      type = types.package;
      readOnly = true;
      default = bundle;
      defaultText = lib.literalExpression "bundle, or the one rendered from environment";
      description = "The bundle this host runs: `bundle`, or the one rendered from `environment`.";
    };

    renderForHostVersions = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Render `environment` for the versions of the tools this host runs (the packages of
        `services.prometheus`, `services.prometheus.alertmanager`, `services.grafana`,
        `services.loki` and `services.alloy`), overriding the environment's `versions.*`. The
        bundle then differs from the one `nix build .#<env>-monitoring` builds and checks by
        those versions only. Has no effect on a prebuilt `bundle`.
      '';
    };

    versionCheck = mkOption {
      type = types.enum [
        "assert"
        "warn"
        "off"
      ];
      default = "assert";
      description = ''
        What to do when the environment's `versions.*` (what the bundle is rendered for) differ
        in major or minor version from the packages the host runs: fail the evaluation with an
        assertion, print a warning, or nothing.
      '';
    };

    openFirewall = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Open the ports other hosts of the environment reach this host on, for the services
        enabled here: Prometheus' and Alertmanager's web ports, Grafana's `http_port`, Loki's
        HTTP port (and, in the simple scalable deployment, its gRPC and memberlist ports), and
        an Alertmanager cluster member's gossip port (TCP and UDP). The NixOS firewall is on by
        default and would otherwise keep a cluster from forming.
      '';
    };

    secretsGroup = mkOption {
      type = types.str;
      default = "monstack-secrets";
      description = ''
        The group the environment's secret files (every `*_file` of the spec: SMTP password,
        Slack URL, PagerDuty routing keys, webhook URL files, remote-write and datasource
        passwords, TLS keys, …) must be readable by: owner root, this group, mode 0440 (e.g.
        agenix `group = "monstack-secrets"; mode = "0440";`). The module creates it and adds it
        to the supplementary groups of every service it runs, including those nixpkgs runs
        with `DynamicUser` (Alertmanager, Alloy), which could read no root-only file otherwise.
      '';
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
    alloy.logGroups = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "adm" ];
      description = ''
        Groups whose log files the environment's `promtail.sources` read (`files` sources), for
        Alloy, which nixpkgs runs with `DynamicUser`: e.g. the group auditd writes
        /var/log/audit with (`log_group` in auditd.conf). The journal is readable already
        (nixpkgs adds `systemd-journal`).
      '';
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
      ]
      ++ lib.optionals (cfg.versionCheck == "assert") (
        map (message: {
          assertion = false;
          inherit message;
        }) versionMismatches
      );
      warnings =
        lib.optionals (cfg.versionCheck == "warn") versionMismatches
        ++
          lib.optional (cfg.alloy.enable && fileSources != [ ] && cfg.alloy.logGroups == [ ])
            "services.monstack: Alloy runs with DynamicUser and reads ${lib.concatStringsSep ", " fileSources} (promtail.sources of env ${spec.environment}); files readable only by root or a group stay unread unless services.monstack.alloy.logGroups names their group.";
      users.groups.${cfg.secretsGroup} = { };
      systemd.services = lib.genAttrs (lib.attrNames (lib.filterAttrs (_: on: on) units)) (_: {
        serviceConfig.SupplementaryGroups = [ cfg.secretsGroup ];
      });
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
      services.prometheus = mkMerge [
        {
          enable = true;
          enableReload = true;
          checkConfig = false;
          webExternalUrl = spec.prometheus.external_url;
          webConfigFile = if webSecured then webConfig "prometheus" else null;
        }
        # Retention: in the bundle's configuration file from Prometheus 3.8 (render::prometheus::
        # retention_in_config); before, flags — through `retentionTime` where nixpkgs' module has
        # that flag option, else (its RFC 42 form, NixOS/nixpkgs#471743, where the option moves
        # into `settings`, i.e. into the file this module replaces) as extra flags, so the
        # retention is never silently the default.
        (mkIf (!retentionInConfig && !settingsModule) {
          retentionTime = storage.retention_time;
          extraFlags = retentionSize;
        })
        (mkIf (!retentionInConfig && settingsModule) {
          extraFlags = [ "--storage.tsdb.retention.time=${storage.retention_time}" ] ++ retentionSize;
        })
      ];
      systemd.services.prometheus = mkIf webSecured (webService "prometheus" "/etc/prometheus");
      environment.etc = {
        "prometheus/prometheus.yaml".source = mkForce "${bundle.prometheus}/${prometheusConfig}";
        "prometheus/${layout.prometheus.rules}".source =
          "${bundle.prometheus}/${layout.prometheus.rules}";
        "prometheus/${layout.prometheus.scrapeConfigs}".source =
          "${bundle.prometheus}/${layout.prometheus.scrapeConfigs}";
      }
      // lib.optionalAttrs webSecured {
        "prometheus/${webFiles.config}".source = "${bundle.prometheus}/${webFiles.config}";
        "prometheus/${webFiles.secrets}".source = "${bundle.prometheus}/${webFiles.secrets}";
      };
      systemd.services.prometheus-config-reload.restartTriggers = [ bundle.prometheus ];
      networking.firewall.allowedTCPPorts = lib.optional cfg.openFirewall config.services.prometheus.port;
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
            if clustered then
              clusterArgs ++ lib.optional gossipTls "--cluster.tls-config=${clusterTlsFile}"
            else
              [ "--cluster.listen-address=" ]
          )
          ++ lib.optional webSecured "--web.config.file=${webConfig "alertmanager"}";
      };
      systemd.services.alertmanager = mkMerge [
        {
          preStart = mkForce ''
            install -m 0400 ${bundle.alertmanager}/${layout.alertmanager.config} /tmp/alert-manager-substituted.yaml
            ln -sfn ${bundle.alertmanager}/${layout.alertmanager.templates} /tmp/${layout.alertmanager.templates}
          '';
          restartTriggers = [ bundle.alertmanager ];
        }
        (mkIf webSecured (webService "alertmanager" bundle.alertmanager))
      ];
      networking.firewall = mkIf cfg.openFirewall {
        allowedTCPPorts = [
          config.services.prometheus.alertmanager.port
        ]
        ++ lib.optional clustered gossipPort;
        # memberlist gossips over UDP and TCP.
        allowedUDPPorts = lib.optional clustered gossipPort;
      };
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
          datasources.path = "${bundle.grafana}/${layout.grafana.datasources}";
          dashboards.path = "${bundle.grafana}/${layout.grafana.dashboardProviders}";
        };
      };
      environment.etc."${etcPrefix}/grafana".source = bundle.grafana;
      networking.firewall.allowedTCPPorts = lib.optional cfg.openFirewall spec.grafana.server.http_port;
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
      environment.etc."alloy/${layout.alloy.config}".source =
        "${bundle.alloy}/${layout.alloy.config}";
      systemd.services.alloy.serviceConfig.SupplementaryGroups = cfg.alloy.logGroups;
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
        configFile = "${bundle.loki}/${layout.loki.config}";
        extraFlags = [
          "-config.expand-env=true"
        ]
        ++ lib.optional (cfg.loki.target != "all") "-target=${cfg.loki.target}";
      };
      # The simple scalable targets talk to each other over gRPC and join the ring over
      # memberlist (TCP and UDP); a single binary serves HTTP only.
      networking.firewall = mkIf cfg.openFirewall {
        allowedTCPPorts = [
          spec.loki.http_listen_port
        ]
        ++ lib.optionals (spec.loki.simple_scalable != null) [
          spec.loki.grpc_listen_port
          spec.loki.simple_scalable.memberlist_port
        ];
        allowedUDPPorts = lib.optional (
          spec.loki.simple_scalable != null
        ) spec.loki.simple_scalable.memberlist_port;
      };
      systemd.services.loki = {
        restartTriggers = [ bundle.loki ];
        serviceConfig.EnvironmentFile = mkIf (cfg.loki.environmentFile != null) cfg.loki.environmentFile;
      };
    })
  ]);
}
