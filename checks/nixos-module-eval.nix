# services.monstack on nixpkgs' own service modules (checks/nixos-host.nix): every environment's
# bundle, and the README's NixOS example, evaluated on a host the way NixOS would, with
# expectations on what the host gets. Returns every expectation, whether it holds, and for one
# that does not what was found instead. Run by checks/offline.sh, which prints one line each.
{
  lib,
  # A nixpkgs tree with the files checks/nixos-host.nix names.
  nixpkgs,
  nixosModule,
  # This flake's outputs, as the README's example reaches them (`monstack.…`).
  monstack,
  # Bundles built with lib.bundle: dev, staging and prod; prodRuleChange (prod with one more
  # rules override: only the prometheus component differs); prodFor38 (prod rendered for
  # Prometheus 3.8); foreignPrefix (dev installed under /srv).
  bundles,
  # The README's NixOS example, written to a file.
  readmeExample,
}:
let
  inherit (lib) filter hasInfix;

  # The host's packages run what the environments declare, unless a test says otherwise.
  declared = {
    prometheus = "2.53.3";
    prometheus-alertmanager = "0.28.1";
    grafana = "12.0.0";
    grafana-loki = "3.5.0";
    grafana-alloy = "1.11.0";
  };
  # What nixpkgs 26.05 packages: Prometheus 3.9.1 (pkgs/by-name/pr/prometheus/source.nix),
  # Alertmanager 0.31, Loki 3.6.2 (pkgs/by-name/gr/grafana-loki/package.nix).
  nixos2605 = declared // {
    prometheus = "3.9.1";
    prometheus-alertmanager = "0.31.0";
    grafana-loki = "3.6.2";
  };
  hostOf = versions: import ./nixos-host.nix { inherit lib nixpkgs versions; };
  h = hostOf declared;

  # What each environment's hosts must say about themselves: prod runs Prometheus as an HA
  # pair, Alertmanager as a cluster and Loki simple scalable; this host is replica a, member 0
  # and Loki's write target.
  roles = {
    dev = { };
    staging = { };
    prod = {
      prometheus.replica = "a";
      alertmanager.clusterMember = 0;
      loki.target = "write";
    };
  };
  # The generator runs at service start (`monstack web-config`); a stand-in path here.
  generator = {
    type = "derivation";
    name = "monstack";
    outPath = "/nix/store/00000000000000000000000000000000-monstack";
  };
  monstackWith = settings: {
    imports = [ nixosModule ];
    services.monstack = {
      enable = true;
      package = generator;
    }
    // settings;
  };
  evalHost =
    {
      host ? h,
      bundle,
      settings ? { },
      extra ? [ ],
      prometheusModule ? null,
    }:
    (host.evalWith (
      {
        modules = [ (monstackWith ({ inherit bundle; } // settings)) ] ++ extra;
      }
      // lib.optionalAttrs (prometheusModule != null) { inherit prometheusModule; }
    )).config;
  hostOfEnv =
    env: settings:
    evalHost {
      bundle = bundles.${env};
      settings = roles.${env} // settings;
    };

  failed = c: map (a: a.message) (filter (a: !a.assertion) c.assertions);
  unit = c: name: h.unitText c name;
  # Every service the module runs, as its unit file: building them is what merges all the
  # definitions of each unit option (a conflict between two modules fails here).
  units =
    c:
    map (unit c) (
      filter (name: c.systemd.services ? ${name}) [
        "prometheus"
        "prometheus-config-reload"
        "alertmanager"
        "grafana"
        "loki"
        "alloy"
      ]
    );
  # builtins.match refuses strings that carry store-path context; the text is what is compared.
  text = builtins.unsafeDiscardStringContext;
  has = needle: hay: hasInfix (text needle) (text hay);
  lines = s: filter (l: l != "") (lib.splitString "\n" (text s));
  json = path: builtins.fromJSON (builtins.readFile path);

  prod = hostOfEnv "prod" { };
  dev = hostOfEnv "dev" { };
  closed = hostOfEnv "prod" { openFirewall = false; };

  # Grafana's own [server] defaults (conf/defaults.ini), for the keys nixpkgs' module sets that
  # the bundle leaves to Grafana: the host's value must be Grafana's, or the host would serve
  # differently from a host that runs the bundle's grafana.ini.
  grafanaServerDefaults = {
    protocol = "http";
    http_addr = "";
    http_port = 3000;
    domain = "localhost";
    enforce_domain = false;
    root_url = "%(protocol)s://%(domain)s:%(http_port)s/";
    serve_from_sub_path = false;
    router_logging = false;
    enable_gzip = false;
  };
  # Where the host's Grafana settings differ from the bundle's settings.json (or, for a key
  # the bundle does not set, from Grafana's default), as "section.key: host vs bundle".
  grafanaDrift =
    env: c:
    let
      rendered = json "${bundles.${env}.grafana}/settings.json";
      hostSettings = lib.filterAttrsRecursive (_: v: v != null) c.services.grafana.settings;
      bundleDrift = lib.concatLists (
        lib.mapAttrsToList (
          section: keys:
          lib.concatLists (
            lib.mapAttrsToList (
              key: value:
              let
                got = hostSettings.${section}.${key} or "(unset)";
              in
              lib.optional (got != value) "${section}.${key}: ${builtins.toJSON got} vs ${builtins.toJSON value}"
            ) keys
          )
        ) rendered
      );
      defaultDrift = lib.concatLists (
        lib.mapAttrsToList (
          key: value:
          lib.optional
            (
              !(rendered.server ? ${key})
              && grafanaServerDefaults ? ${key}
              && grafanaServerDefaults.${key} != value
            )
            "server.${key}: ${builtins.toJSON value} vs Grafana's ${
              builtins.toJSON grafanaServerDefaults.${key}
            }"
        ) (hostSettings.server or { })
      );
    in
    bundleDrift ++ defaultDrift;

  prometheusFlags =
    c:
    lib.filter (l: lib.hasPrefix "--" l) (
      map (l: lib.removeSuffix " \\" (lib.trim l)) (
        lines c.systemd.services.prometheus.serviceConfig.ExecStart
      )
    );
  # Flags of flags.json's role for this host that the unit must carry too (the configuration
  # file and storage folder differ on NixOS by design: /etc/prometheus, nixpkgs' stateDir).
  flagsJsonOf =
    bundle: role:
    filter (
      f: !(lib.hasPrefix "--config.file=" f || lib.hasPrefix "--storage.tsdb.path=" f)
    ) (json "${bundle.prometheus}/flags.json").roles.${role};

  perEnv = env: c: [
    {
      what = "${env}: the host evaluates with every assertion holding";
      found = failed c;
      ok = failed c == [ ];
    }
    {
      what = "${env}: every unit file builds (no conflicting unit option definitions)";
      found = builtins.deepSeq (units c) "built";
      ok = builtins.deepSeq (units c) true;
    }
    {
      what = "${env}: Grafana's settings on the host are the bundle's grafana.ini (and Grafana's defaults where it sets none)";
      found = grafanaDrift env c;
      ok = grafanaDrift env c == [ ];
    }
    {
      what = "${env}: every service reading the environment's secret files has the secrets group";
      found = lib.mapAttrs (_: s: s.serviceConfig.SupplementaryGroups or [ ]) (
        lib.getAttrs [ "prometheus" "alertmanager" "grafana" "loki" "alloy" ] c.systemd.services
      );
      ok =
        c.users.groups ? monstack-secrets
        &&
          lib.all
            (s: lib.elem "monstack-secrets" (c.systemd.services.${s}.serviceConfig.SupplementaryGroups or [ ]))
            [
              "prometheus"
              "alertmanager"
              "grafana"
              "loki"
              "alloy"
            ];
    }
    {
      what = "${env}: Prometheus carries the bundle's flags (retention, external URL, web config)";
      found = {
        unit = prometheusFlags c;
        bundle = flagsJsonOf bundles.${env} (if env == "prod" then "a" else "server");
      };
      ok = lib.all (f: lib.elem f (prometheusFlags c)) (
        flagsJsonOf bundles.${env} (if env == "prod" then "a" else "server")
      );
    }
  ];

  # prod on a host whose bundle changed only in its rules: what NixOS compares to choose
  # between restarting and reloading.
  prodChanged = evalHost {
    bundle = bundles.prodRuleChange;
    settings = roles.prod;
  };
  prodRfc42 = evalHost {
    bundle = bundles.prod;
    settings = roles.prod;
    prometheusModule = h.prometheusRfc42;
  };
  prod38 = evalHost {
    bundle = bundles.prodFor38;
    settings = roles.prod;
  };
  on2605 =
    settings:
    evalHost {
      host = hostOf nixos2605;
      bundle = bundles.prod;
      settings = roles.prod // settings;
    };
  rendered2605 = evalHost {
    host = hostOf nixos2605;
    bundle = null;
    settings = roles.prod // {
      environment = [ monstack.lib.environments.prod ];
      renderForHostVersions = true;
    };
  };
  twice = evalHost {
    bundle = bundles.dev;
    extra = [ nixosModule ];
  };
  # The monitor host of the NixOS VM test (checks/vm-test.nix), which `nix flake check` boots.
  vmMonitor = (h.eval [ (import ./vm-test.nix { inherit nixosModule; }).nodes.monitor ]).config;
  readme =
    (h.evalWith {
      modules = [ readmeExample ];
      specialArgs.monstack = monstack;
    }).config;

  expect =
    perEnv "dev" dev
    ++ perEnv "staging" (hostOfEnv "staging" { })
    ++ perEnv "prod" prod
    ++ [
      {
        what = "prod: Prometheus' web config is assembled into the monstack/prometheus runtime folder beside nixpkgs' own";
        found = prod.systemd.services.prometheus.serviceConfig.RuntimeDirectory;
        ok =
          prod.systemd.services.prometheus.serviceConfig.RuntimeDirectory == [
            "prometheus"
            "monstack/prometheus"
          ];
      }
      {
        what = "prod: Prometheus reads the configuration of the replica the host runs";
        found = prod.environment.etc."prometheus/prometheus.yaml".source;
        ok =
          prod.environment.etc."prometheus/prometheus.yaml".source
          == "${bundles.prod.prometheus}/prometheus.a.yml";
      }
      {
        what = "prod: a host that names no replica is refused by an assertion";
        found = failed (hostOfEnv "prod" { prometheus.replica = null; });
        ok = lib.any (hasInfix "HA pair") (failed (hostOfEnv "prod" { prometheus.replica = null; }));
      }
      {
        what = "prod: a cluster host that names no member index is refused by an assertion";
        found = failed (hostOfEnv "prod" { alertmanager.clusterMember = null; });
        ok = lib.any (hasInfix "clusterMember") (
          failed (hostOfEnv "prod" { alertmanager.clusterMember = null; })
        );
      }
      {
        what = "prod: a host running a simple scalable Loki as a single binary is refused by an assertion";
        found = failed (hostOfEnv "prod" { loki.target = "all"; });
        ok = lib.any (hasInfix "simple scalable") (failed (hostOfEnv "prod" { loki.target = "all"; }));
      }
      {
        what = "prod: Alertmanager member 0 gossips with member 1 over TLS and serves its assembled web config";
        found = prod.systemd.services.alertmanager.serviceConfig.ExecStart;
        ok =
          lib.all (f: has f prod.systemd.services.alertmanager.serviceConfig.ExecStart) [
            "--cluster.listen-address=0.0.0.0:9094"
            "--cluster.peer=alertmanager-1.monitoring:9094"
            "--cluster.tls-config=/run/monstack/alertmanager/cluster-tls.yml"
            "--web.config.file=/run/monstack/alertmanager/web-config.yml"
          ]
          && lib.elem "client-key:/run/secrets/monstack/client.key" prod.systemd.services.alertmanager.serviceConfig.LoadCredential;
      }
      {
        what = "prod: Alertmanager starts from the bundle's file and templates, and still runs as a DynamicUser";
        found = prod.systemd.services.alertmanager.preStart;
        ok =
          has "${bundles.prod.alertmanager}/alertmanager.yml" prod.systemd.services.alertmanager.preStart
          && has "${bundles.prod.alertmanager}/templates" prod.systemd.services.alertmanager.preStart
          && prod.systemd.services.alertmanager.serviceConfig.DynamicUser;
      }
      {
        what = "prod: rule and scrape-config files sit beside the configuration, so relative paths resolve";
        found = lib.attrNames prod.environment.etc;
        ok =
          prod.environment.etc."prometheus/rules".source == "${bundles.prod.prometheus}/rules"
          &&
            prod.environment.etc."prometheus/scrape_configs".source
            == "${bundles.prod.prometheus}/scrape_configs";
      }
      {
        what = "prod: Grafana provisions the bundle's datasources and finds the dashboards where the provider file says";
        found = prod.services.grafana.provision.datasources.path;
        ok =
          prod.services.grafana.provision.datasources.path
          == "${bundles.prod.grafana}/provisioning/datasources"
          && prod.environment.etc."monstack/grafana".source == bundles.prod.grafana;
      }
      {
        what = "prod: Loki runs the bundle's config with env expansion, as the target the host chose";
        found = prod.systemd.services.loki.serviceConfig.ExecStart;
        ok =
          has "--config.file=${bundles.prod.loki}/loki-config.yaml" prod.systemd.services.loki.serviceConfig.ExecStart
          && has "'-config.expand-env=true' '-target=write'" prod.systemd.services.loki.serviceConfig.ExecStart;
      }
      {
        what = "prod: Alloy ships the logs with the bundle's pipelines, reloaded when they change";
        found = prod.systemd.services.alloy.reloadTriggers;
        ok =
          prod.environment.etc."alloy/config.alloy".source == "${bundles.prod.alloy}/config.alloy"
          && lib.elem "${bundles.prod.alloy}/config.alloy" prod.systemd.services.alloy.reloadTriggers;
      }
      {
        what = "prod: the firewall opens what the topology needs: web ports, Alertmanager gossip, Loki gRPC and memberlist";
        found = {
          inherit (prod.networking.firewall) allowedTCPPorts allowedUDPPorts;
        };
        ok =
          lib.all (p: lib.elem p prod.networking.firewall.allowedTCPPorts) [
            9090
            9093
            9094
            3000
            3100
            9096
            7946
          ]
          && lib.all (p: lib.elem p prod.networking.firewall.allowedUDPPorts) [
            9094
            7946
          ];
      }
      {
        what = "dev: a single Alertmanager and a single Loki open no gossip, gRPC or memberlist port";
        found = {
          inherit (dev.networking.firewall) allowedTCPPorts allowedUDPPorts;
        };
        ok =
          lib.all (p: lib.elem p dev.networking.firewall.allowedTCPPorts) [
            9090
            9093
            3000
            3100
          ]
          && !lib.any (p: lib.elem p dev.networking.firewall.allowedTCPPorts) [
            9094
            9096
            7946
          ]
          && dev.networking.firewall.allowedUDPPorts == [ ];
      }
      {
        what = "openFirewall = false opens nothing";
        found = {
          inherit (closed.networking.firewall) allowedTCPPorts allowedUDPPorts;
        };
        ok =
          closed.networking.firewall.allowedTCPPorts == [ ]
          && closed.networking.firewall.allowedUDPPorts == [ ];
      }
      {
        what = "prod: Alertmanager and Alloy (DynamicUser) reach the secret files through the secrets group, Alloy the journal too";
        found = (prod.systemd.services.alloy.serviceConfig.SupplementaryGroups or [ ]);
        ok =
          prod.systemd.services.alloy.serviceConfig.DynamicUser
          && lib.elem "systemd-journal" (prod.systemd.services.alloy.serviceConfig.SupplementaryGroups or [ ])
          && lib.elem "monstack-secrets" (
            prod.systemd.services.alertmanager.serviceConfig.SupplementaryGroups or [ ]
          );
      }
      {
        what = "prod: Alloy reading /var/log files warns until alloy.logGroups names their group, and then has it";
        found = prod.warnings or [ ];
        ok =
          lib.any (hasInfix "/var/log/audit/*.log") prod.warnings
          && (hostOfEnv "prod" { alloy.logGroups = [ "adm" ]; }).warnings == [ ]
          && lib.elem "adm" (
            (hostOfEnv "prod" { alloy.logGroups = [ "adm" ]; })
            .systemd.services.alloy.serviceConfig.SupplementaryGroups or [ ]
          );
      }
      {
        what = "prod: a bundle whose rules changed reloads Prometheus: its unit file stays, the reload unit's changes";
        found = {
          prometheus = unit prod "prometheus" == unit prodChanged "prometheus";
          reload = unit prod "prometheus-config-reload" != unit prodChanged "prometheus-config-reload";
        };
        ok =
          unit prod "prometheus" == unit prodChanged "prometheus"
          && unit prod "prometheus-config-reload" != unit prodChanged "prometheus-config-reload"
          &&
            prod.environment.etc."prometheus/rules".source
            != prodChanged.environment.etc."prometheus/rules".source;
      }
      {
        what = "prod: a reload reassembles the web config before signalling Prometheus";
        found = prod.systemd.services.prometheus.serviceConfig.ExecReload;
        ok =
          let
            reload = prod.systemd.services.prometheus.serviceConfig.ExecReload;
          in
          builtins.isList reload
          && builtins.length reload == 2
          && has "web-config /etc/prometheus --out /run/monstack/prometheus/web-config.yml" (
            builtins.elemAt reload 0
          )
          && has "reload-prometheus" (builtins.elemAt reload 1);
      }
      {
        what = "prod on nixpkgs' RFC 42 Prometheus module (NixOS/nixpkgs#471743): retention stays, as flags";
        found =
          if h.prometheusRfc42 == null then
            "this nixpkgs' module text does not take the edits"
          else
            prometheusFlags prodRfc42;
        ok =
          h.prometheusRfc42 != null
          && lib.all (f: lib.elem f (prometheusFlags prodRfc42)) [
            "--storage.tsdb.retention.time=30d"
            "--storage.tsdb.retention.size=200GB"
          ]
          && failed prodRfc42 == [ ];
      }
      {
        what = "prod rendered for Prometheus 3.8: retention is in the configuration file, no longer a flag";
        found = prometheusFlags prod38;
        ok =
          !lib.any (lib.hasPrefix "--storage.tsdb.retention") (prometheusFlags prod38)
          && has "retention:\n      time: 30d" (
            builtins.readFile "${bundles.prodFor38.prometheus}/prometheus.a.yml"
          );
      }
      {
        what = "prod on nixpkgs 26.05's versions: an assertion names each tool whose version differs and the fix";
        found = failed (on2605 { });
        ok =
          lib.any (m: hasInfix "versions.prometheus = \"2.53.3\"" m && hasInfix "prometheus 3.9.1" m) (
            failed (on2605 { })
          )
          && lib.any (hasInfix "versions.alertmanager") (failed (on2605 { }))
          && !lib.any (hasInfix "versions.grafana") (failed (on2605 { }));
      }
      {
        what = "versionCheck = \"warn\" turns the mismatch into warnings";
        found = (on2605 { versionCheck = "warn"; }).warnings;
        ok =
          failed (on2605 {
            versionCheck = "warn";
          }) == [ ]
          && lib.any (hasInfix "versions.prometheus") (on2605 { versionCheck = "warn"; }).warnings;
      }
      {
        what = "renderForHostVersions renders the environment for the host's versions";
        found = failed rendered2605;
        ok =
          failed rendered2605 == [ ]
          &&
            (builtins.fromJSON (rendered2605.services.monstack.finalBundle.spec or "{}")).versions.prometheus
              or null == "3.9.1";
      }
      {
        what = "an install_prefix outside /etc is refused by an assertion";
        found = failed (evalHost {
          bundle = bundles.foreignPrefix;
        });
        ok = lib.any (hasInfix "install_prefix") (
          failed (evalHost {
            bundle = bundles.foreignPrefix;
          })
        );
      }
      {
        what = "the module imported twice is taken once (its key), and names its file";
        found =
          (h.eval [ (monstackWith { bundle = bundles.dev; }) ]).options.services.monstack.enable.declarations;
        ok =
          failed twice == [ ]
          && lib.any (lib.hasSuffix "modules/nixos.nix") (
            map toString
              (h.eval [ (monstackWith { bundle = bundles.dev; }) ]).options.services.monstack.enable.declarations
          );
      }
      {
        what = "the NixOS VM test's monitor host evaluates with every assertion holding";
        found = failed vmMonitor;
        ok = failed vmMonitor == [ ] && builtins.deepSeq (units vmMonitor) true;
      }
      {
        what = "the README's NixOS example evaluates with every assertion holding";
        found = failed readme;
        ok =
          readme.services.monstack.enable && failed readme == [ ] && builtins.deepSeq (units readme) true;
      }
    ];
in
# An expectation whose evaluation throws (a conflicting definition, an option that does not
# exist) fails on its own; the others still run.
map (
  e:
  let
    ok = builtins.tryEval (builtins.deepSeq e.ok e.ok);
    found = builtins.tryEval (builtins.toJSON e.found);
  in
  {
    inherit (e) what;
    ok = ok.success && ok.value;
    found =
      if ok.success && ok.value then
        null
      else if !ok.success then
        "an evaluation error (run the expectation alone for it)"
      else if found.success then
        found.value
      else
        "(cannot be shown)";
  }
) expect
