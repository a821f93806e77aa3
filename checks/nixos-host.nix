# A NixOS host without the rest of NixOS: nixpkgs' own modules for the services monstack wires
# (Prometheus, Alertmanager, Grafana, Loki, Alloy), the firewall, assertions, `environment.etc`
# and systemd's unit options and unit-file generation, evaluated with `lib.evalModules`. Only
# what those modules merely mention (users, ids, packages to install) is declared here, loosely;
# everything services.monstack sets is checked against nixpkgs' own declarations and merge
# rules, so a conflict or a type error here is one on a real host.
#
# `nixpkgs` is a nixpkgs tree (a checkout, or the subset checks/offline.sh names) providing:
#   nixos/modules/services/monitoring/{prometheus/default.nix,prometheus/alertmanager.nix,
#   grafana.nix,loki.nix,alloy.nix}, nixos/modules/services/networking/firewall.nix,
#   nixos/modules/misc/assertions.nix, nixos/modules/system/{etc/etc.nix,build.nix},
#   nixos/lib/{systemd-lib.nix,systemd-types.nix,systemd-unit-options.nix}.
#
# Packages are stand-ins (checks/nixpkgs-standin.nix) with nixpkgs' names, versions and outputs;
# the files the modules write (scripts, unit files) are derivations of their content, so their
# store paths change exactly when their content does.
{
  lib,
  nixpkgs,
  # The versions of the host's packages, by nixpkgs attribute name.
  versions,
}:
let
  inherit (lib) mkOption types;
  file = path: nixpkgs + "/${path}";
  system = "x86_64-linux";

  pkgs = import ./nixpkgs-standin.nix { inherit lib system versions; };

  # nixpkgs' systemd library, as nixos/modules/system/boot/systemd.nix builds it.
  systemdUtils =
    config:
    let
      self = {
        lib = import (file "nixos/lib/systemd-lib.nix") {
          inherit config lib pkgs;
          utils = {
            escapeSystemdPath = s: lib.replaceStrings [ "/" ] [ "-" ] (lib.removePrefix "/" s);
          };
        };
        unitOptions = import (file "nixos/lib/systemd-unit-options.nix") {
          inherit lib;
          systemdUtils = self;
        };
        types = import (file "nixos/lib/systemd-types.nix") {
          inherit lib pkgs;
          systemdUtils = self;
        };
      };
    in
    self;

  # `environment.etc` exactly as nixpkgs declares it: its type, taken from etc.nix evaluated on
  # its own (the rest of that module builds /etc and needs a whole system).
  etcType =
    (lib.evalModules {
      specialArgs = { inherit pkgs; };
      modules = [
        (file "nixos/modules/system/etc/etc.nix")
        { _module.freeformType = types.lazyAttrsOf types.anything; }
      ];
    }).options.environment.etc.type;

  loosely = mkOption {
    type = types.lazyAttrsOf types.anything;
    default = { };
  };

  host =
    { config, ... }:
    {
      options = {
        systemd.services = mkOption {
          type = (systemdUtils config).types.services;
          default = { };
        };
        systemd.package = mkOption { default = pkgs.systemd; };
        systemd.globalEnvironment = mkOption { default = { }; };
        systemd.enableStrictShellChecks = mkOption { default = false; };
        environment.etc = mkOption {
          type = etcType;
          default = { };
        };
        environment.systemPackages = mkOption {
          type = types.listOf types.anything;
          default = [ ];
        };
        networking.nftables.enable = mkOption { default = false; };
        users.users = loosely;
        users.groups = loosely;
        ids = mkOption {
          type = types.anything;
          default = {
            uids = {
              prometheus = 255;
              grafana = 196;
            };
            gids.prometheus = 255;
          };
        };
        boot = loosely;
        meta = loosely;
      };
    };
in
rec {
  inherit pkgs;

  # nixpkgs' Prometheus module as NixOS/nixpkgs#471743 ("Switch Prometheus to RFC42") makes
  # it: a freeform `settings` option, and `retentionTime` renamed into
  # `settings.storage.tsdb.retention.time` (no longer a flag). Made from the module above by
  # those three edits; null when one of them does not apply to this nixpkgs' text.
  prometheusRfc42 =
    let
      original = builtins.readFile (file "nixos/modules/services/monitoring/prometheus/default.nix");
      edits = [
        {
          from = "  imports = [\n";
          to = "  imports = [\n    (mkRenamedOptionModule [ \"services\" \"prometheus\" \"retentionTime\" ] [ \"services\" \"prometheus\" \"settings\" \"storage\" \"tsdb\" \"retention\" \"time\" ])\n";
        }
        {
          from = lib.concatStrings [
            "    retentionTime = mkOption {\n"
            "      type = types.nullOr types.str;\n"
            "      default = null;\n"
            "      example = \"15d\";\n"
            "      description = ''\n"
            "        How long to retain samples in storage.\n"
            "      '';\n"
            "    };\n"
          ];
          to = "    settings = mkOption {\n      type = types.submodule { freeformType = yaml.type; };\n      default = { };\n    };\n";
        }
        {
          from = "    ++ optional (cfg.retentionTime != null) \"--storage.tsdb.retention.time=\${cfg.retentionTime}\"\n";
          to = "";
        }
      ];
      apply =
        text: e: if lib.hasInfix e.from text then lib.replaceStrings [ e.from ] [ e.to ] text else null;
      edited = lib.foldl' (text: e: if text == null then null else apply text e) original edits;
    in
    # A derivation of the text (imported from it), since a pure flake evaluation may import
    # no builtins.toFile path.
    if edited == null then null else "${pkgs.writeText "prometheus-rfc42.nix" edited}";

  # The evaluated host of `modules`, with `prometheusModule` as nixpkgs' Prometheus module.
  evalWith =
    {
      modules,
      prometheusModule ? file "nixos/modules/services/monitoring/prometheus/default.nix",
      # As nixosSystem's: arguments a module's `imports` may use (a flake's inputs).
      specialArgs ? { },
    }:
    lib.evalModules {
      specialArgs = {
        inherit pkgs;
        modulesPath = file "nixos/modules";
      }
      // specialArgs;
      modules = [
        host
        (file "nixos/modules/misc/assertions.nix")
        (file "nixos/modules/services/networking/firewall.nix")
        prometheusModule
        (file "nixos/modules/services/monitoring/prometheus/alertmanager.nix")
        (file "nixos/modules/services/monitoring/grafana.nix")
        (file "nixos/modules/services/monitoring/loki.nix")
        (file "nixos/modules/services/monitoring/alloy.nix")
      ]
      ++ modules;
    };

  eval = modules: evalWith { inherit modules; };

  # A service's unit file, as NixOS writes it (switch-to-configuration restarts a service whose
  # unit file changed, and reloads one that asks for it with reloadIfChanged).
  unitText =
    config: name: ((systemdUtils config).lib.serviceToUnit config.systemd.services.${name}).text;
}
