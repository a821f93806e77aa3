# Evaluates services.monstack against stand-ins for the nixpkgs options it sets, so its wiring
# (paths into the bundle, the forced /etc entry, the assertions) is tested where full nixpkgs
# is not at hand (checks/offline.sh). The VM test (vm-test.nix) covers the real services.
# Returns the expectations that failed; an empty list is a pass.
{
  lib,
  nixosModule,
  bundle,
  foreignPrefixBundle,
}:
let
  inherit (lib) mkOption types;
  # A freeform service with the string options services.monstack reads, at nixpkgs' defaults.
  freeWith =
    defaults:
    mkOption {
      type = types.submodule {
        freeformType = types.lazyAttrsOf types.anything;
        options = lib.mapAttrs (
          _: default:
          mkOption {
            type = types.str;
            inherit default;
          }
        ) defaults;
      };
      default = { };
    };
  free = freeWith { };
  stubs =
    { config, ... }:
    {
      options = {
        assertions = mkOption {
          type = types.listOf types.anything;
          default = [ ];
        };
        environment.etc = mkOption {
          type = types.attrsOf (types.submodule { freeformType = types.attrsOf types.anything; });
          default = { };
        };
        systemd.services = mkOption {
          type = types.attrsOf (types.submodule { freeformType = types.lazyAttrsOf types.anything; });
          default = { };
        };
        services.prometheus = freeWith { stateDir = "prometheus2"; };
        services.grafana = free;
        services.alloy = free;
        services.loki = freeWith { dataDir = "/var/lib/loki"; };
      };
      # What nixpkgs' Prometheus module does with enableReload: its own generated file at the
      # path the unit reads. services.monstack must win over it.
      config.environment.etc."prometheus/prometheus.yaml".source =
        lib.mkIf (config.services.prometheus.enable or false)
          "/nix/store/generated-by-nixpkgs-prometheus.yaml";
    };
  # The prod bundle runs Loki's simple scalable deployment: this host is its write target. Prod
  # also runs Prometheus as an HA pair and Alertmanager as a cluster: this host is replica a and
  # cluster member 0.
  hostWith =
    settings: b:
    (lib.evalModules {
      modules = [
        nixosModule
        stubs
        {
          _module.args.pkgs.stdenv.hostPlatform.system = "x86_64-linux";
          services.monstack = {
            enable = true;
            # The generator runs at service start (monstack web-config); a stand-in path here.
            package = {
              type = "derivation";
              name = "monstack";
              outPath = "/nix/store/00000000000000000000000000000000-monstack";
            };
            bundle = b;
          }
          // settings;
        }
      ];
    }).config;
  prodHost = {
    loki.target = "write";
    prometheus.replica = "a";
    alertmanager.clusterMember = 0;
  };
  hostAs = target: hostWith (prodHost // { loki.target = target; });
  host = hostAs "write";
  c = host bundle;
  etc = name: c.environment.etc.${name}.source;
  failed = lib.filter (a: !a.assertion);
  # builtins.match refuses strings that carry store-path context; the text is what is compared.
  has =
    needle: hay:
    lib.hasInfix (builtins.unsafeDiscardStringContext needle) (builtins.unsafeDiscardStringContext hay);
  expect = [
    {
      what = "Prometheus reads the configuration of the replica the host runs";
      ok = etc "prometheus/prometheus.yaml" == "${bundle.prometheus}/prometheus.a.yml";
    }
    {
      what = "a host of an HA environment that names no replica is refused by an assertion";
      ok = lib.any (a: lib.hasInfix "HA pair" a.message) (
        failed (hostWith (prodHost // { prometheus.replica = null; }) bundle).assertions
      );
    }
    {
      what = "a replica the environment does not declare is refused by an assertion";
      ok = lib.any (a: lib.hasInfix "is not a replica" a.message) (
        failed (hostWith (prodHost // { prometheus.replica = "c"; }) bundle).assertions
      );
    }
    {
      what = "Alertmanager member 0 listens for gossip and peers with member 1";
      ok =
        c.services.prometheus.alertmanager.extraFlags == [
          "--cluster.listen-address=0.0.0.0:9094"
          "--cluster.peer=alertmanager-1.monitoring:9094"
          "--cluster.tls-config=/run/monstack/alertmanager/cluster-tls.yml"
          "--web.config.file=/run/monstack/alertmanager/web-config.yml"
        ]
        && has "--cluster-tls-out /run/monstack/alertmanager/cluster-tls.yml" (
          lib.head c.systemd.services.alertmanager.serviceConfig.ExecStartPre
        )
        && lib.elem "client-key:/run/secrets/monstack/client.key" c.systemd.services.alertmanager.serviceConfig.LoadCredential;
    }
    {
      what = "a cluster host that names no member index is refused by an assertion";
      ok = lib.any (a: lib.hasInfix "clusterMember" a.message) (
        failed (hostWith (prodHost // { alertmanager.clusterMember = null; }) bundle).assertions
      );
    }
    {
      what = "rule files sit beside it";
      ok = etc "prometheus/rules" == "${bundle.prometheus}/rules";
    }
    {
      what = "scrape-config files sit beside it";
      ok = etc "prometheus/scrape_configs" == "${bundle.prometheus}/scrape_configs";
    }
    {
      what = "Prometheus reloads when the component changes";
      ok = c.systemd.services.prometheus-config-reload.restartTriggers == [ bundle.prometheus ];
    }
    {
      what = "Alertmanager starts from the bundle's file with its templates";
      ok =
        has "${bundle.alertmanager}/alertmanager.yml" c.systemd.services.alertmanager.preStart
        && has "${bundle.alertmanager}/templates" c.systemd.services.alertmanager.preStart;
    }
    {
      what = "Grafana provisions the bundle's datasources";
      ok = c.services.grafana.provision.datasources.path == "${bundle.grafana}/provisioning/datasources";
    }
    {
      what = "dashboards are where the provider file says (install_prefix /etc/monstack)";
      ok = etc "monstack/grafana" == bundle.grafana;
    }
    {
      what = "Loki runs the bundle's config with env expansion, as the target the host chose";
      ok =
        c.services.loki.configFile == "${bundle.loki}/loki-config.yaml"
        &&
          c.services.loki.extraFlags == [
            "-config.expand-env=true"
            "-target=write"
          ];
    }
    {
      what = "a host running a simple scalable Loki as a single binary is refused by an assertion";
      ok = lib.any (a: lib.hasInfix "simple scalable" a.message) (
        failed (hostAs "all" bundle).assertions
      );
    }
    {
      what = "Alloy ships the logs with the bundle's pipelines";
      ok = c.services.alloy.enable && etc "alloy/config.alloy" == "${bundle.alloy}/config.alloy";
    }
    {
      what = "Prometheus reads the web config monstack assembles at start from credentials";
      ok =
        c.services.prometheus.webConfigFile == "/run/monstack/prometheus/web-config.yml"
        && lib.elem "user-0:/run/secrets/monstack/web-users/grafana.bcrypt" c.systemd.services.prometheus.serviceConfig.LoadCredential
        && lib.elem "tls-key:/run/secrets/monstack/tls.key" c.systemd.services.prometheus.serviceConfig.LoadCredential
        && has "web-config ${bundle.prometheus} --out /run/monstack/prometheus/web-config.yml --credentials %d" (
          lib.head c.systemd.services.prometheus.serviceConfig.ExecStartPre
        );
    }
    {
      what = "Alertmanager assembles its web config at start too";
      ok =
        lib.elem "--web.config.file=/run/monstack/alertmanager/web-config.yml" c.services.prometheus.alertmanager.extraFlags
        && c.systemd.services.alertmanager.serviceConfig.RuntimeDirectory == "monstack/alertmanager";
    }
    {
      what = "Prometheus keeps the spec's retention";
      ok =
        c.services.prometheus.retentionTime == "30d"
        && c.services.prometheus.extraFlags == [ "--storage.tsdb.retention.size=200GB" ];
    }
    {
      what = "Grafana runs with the spec's security settings, secrets as $__file{}";
      ok =
        c.services.grafana.settings."auth.anonymous".enabled == false
        && c.services.grafana.settings.users.allow_sign_up == false
        &&
          c.services.grafana.settings.security.admin_password
          == "$__file{/run/secrets/monstack/grafana-admin-password}"
        && c.services.grafana.settings.server.protocol == "https";
    }
    {
      what = "a valid bundle raises no assertion";
      ok = failed c.assertions == [ ];
    }
    {
      what = "an install_prefix outside /etc is refused by an assertion";
      ok = lib.any (a: lib.hasInfix "install_prefix" a.message) (
        failed (host foreignPrefixBundle).assertions
      );
    }
  ];
in
map (e: e.what) (lib.filter (e: !e.ok) expect)
