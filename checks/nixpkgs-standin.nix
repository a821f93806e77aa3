# Stand-ins for the nixpkgs packages and builders the flake's checks and nixpkgs' service
# modules use, for evaluating and building them where only nixpkgs' lib is at hand
# (checks/offline.sh). Each package has the name, version and outputs nixpkgs gives it, and its
# files where nixpkgs puts them — prometheus' promtool in the `cli` output (`moveToOutput
# bin/promtool $cli` in pkgs/by-name/pr/prometheus/package.nix), amtool beside alertmanager — as
# links to this machine's binaries (`bins`, by program name; a missing one is left out, as a
# package without it would be). Builders are plain `derivation`s run by /bin/sh (Nix's sandbox
# is off here): `runCommand` puts its `nativeBuildInputs`' bin folders on PATH, as stdenv does,
# and of the machine's programs only the basics stdenv would provide (coreutils, sed, grep).
{
  lib,
  system ? "x86_64-linux",
  # The versions of the packages, by nixpkgs attribute name.
  versions,
  # Program name → path of the machine's binary.
  bins ? { },
}:
let
  inherit (lib) types;

  # `drv attrs`: a derivation whose store path depends on everything in `attrs`; `script` is
  # its build (sh), run with `PATH` set to `path`.
  drv =
    attrs:
    let
      d = derivation (
        {
          inherit system;
          builder = "/bin/sh";
          args = [
            "-c"
            # errexit, as stdenv's builds: a failing command fails the build.
            ''
              set -eu
              export PATH="$path"
              eval "$script"
            ''
          ];
          path = "/usr/bin:/bin";
          script = "echo 'a stand-in that cannot be built'; exit 1";
        }
        // removeAttrs attrs [ "passthru" ]
      );
    in
    d
    // (attrs.passthru or { })
    # Each output selected (`pkg.cli`) says so, as stdenv's do, so that lib.getBin of it is
    # that output and not `out`.
    // lib.genAttrs (attrs.outputs or [ "out" ]) (output: d.${output} // { outputSpecified = true; })
    // {
      overrideAttrs = f: drv (attrs // (if builtins.isFunction f then f attrs else f));
    };

  # What stdenv puts on every build's PATH (coreutils, sed, grep, …), as links to this
  # machine's, and nothing else of /usr/bin: a build finds only what it declares.
  stdenvTools = drv {
    name = "stdenv-tools";
    script = ''
      mkdir -p $out/bin
      for tool in ${toString basics}; do ln -s "$(command -v $tool)" $out/bin/$tool; done
    '';
  };
  basics = [
    "sh"
    "bash"
    "cat"
    "chmod"
    "cp"
    "cut"
    "dirname"
    "basename"
    "env"
    "grep"
    "head"
    "ln"
    "ls"
    "mkdir"
    "mktemp"
    "mv"
    "readlink"
    "rm"
    "sed"
    "sort"
    "tail"
    "touch"
    "tr"
    "diff"
    "find"
    "xargs"
  ];

  binPath =
    inputs: lib.concatMapStringsSep ":" (p: "${lib.getBin p}/bin") (inputs ++ [ stdenvTools ]);

  # The package of attribute `attr` (its version is `versions.${attr}`), whose outputs hold
  # links to the machine's programs: `layout` maps an output to the programs in its bin folder.
  package =
    attr: pname: layout:
    let
      version = versions.${attr} or "0";
      outputs = lib.attrNames layout;
      link =
        output: program:
        lib.optionalString (bins ? ${program}) "ln -s ${bins.${program}} \$${output}/bin/${program}\n";
    in
    drv {
      name = "${pname}-${version}";
      inherit pname version;
      outputs = [ "out" ] ++ lib.remove "out" outputs;
      script = lib.concatMapStrings (
        output: "mkdir -p \$${output}/bin\n" + lib.concatMapStrings (link output) layout.${output}
      ) outputs;
      passthru = {
        inherit pname version;
        meta.mainProgram = pname;
      };
    };

  text =
    name: content:
    drv {
      inherit name content;
      passAsFile = [ "content" ];
      script = ''cp "$contentPath" "$out"'';
      passthru.meta.mainProgram = name;
    };

  format = _: {
    type = types.attrsOf types.anything;
    generate = name: value: text name (builtins.toJSON value);
  };

  pkgs = {
    inherit lib system;
    stdenv.hostPlatform.system = system;
    buildPackages = pkgs;
    formats = {
      yaml = format;
      json = format;
      ini = format;
    };
    writeText = text;
    writeShellScript = text;
    writeShellScriptBin = text;
    writeShellApplication = a: text a.name a.text;
    runCommand =
      name: env: script:
      drv (
        removeAttrs env [ "nativeBuildInputs" ]
        // {
          inherit name script;
          path = binPath (env.nativeBuildInputs or [ ] ++ env.buildInputs or [ ]);
        }
      );
    runCommandLocal = pkgs.runCommand;
    linkFarm = name: entries: drv { inherit name entries; };
    # What `generatorFor` builds the generator with (the module's `package` default).
    rustPlatform.buildRustPackage = a: package a.pname a.pname { out = [ ]; };

    prometheus = package "prometheus" "prometheus" {
      out = [ "prometheus" ];
      doc = [ ];
      cli = [ "promtool" ];
    };
    prometheus-alertmanager = package "prometheus-alertmanager" "alertmanager" {
      out = [
        "alertmanager"
        "amtool"
      ];
    };
    prometheus-node-exporter = package "prometheus-node-exporter" "node_exporter" {
      out = [ "node_exporter" ];
    };
    grafana = package "grafana" "grafana" { out = [ "grafana" ]; };
    grafana-loki = package "grafana-loki" "grafana-loki" {
      out = [
        "loki"
        "logcli"
      ];
    };
    grafana-alloy = package "grafana-alloy" "grafana-alloy" { out = [ "alloy" ]; };
    grafanaPlugins = { };
    xorg.lndir = package "lndir" "lndir" { out = [ "lndir" ]; };
  }
  // lib.genAttrs [
    "coreutils"
    "curl"
    "envsubst"
    "findutils"
    "gnugrep"
    "gnused"
    "ipset"
    "iptables"
    "iptables-legacy"
    "jq"
    "logger"
    "move-mount-beneath"
    "nftables"
    "nixos-firewall-tool"
    "perl"
    "systemd"
  ] (n: package n n { out = [ ]; });
in
pkgs
