# `nix flake check`: one small derivation per check, each saying why it exists.
{
  pkgs,
  lib,
  specs,
  monstack,
  bundles,
  nixosModule,
  src,
}:
let
  # Runs `monstack check` with one external validator, which must be present. The checker
  # points run-time files (secrets, tokens) at placeholders, as nixpkgs' `checkConfig =
  # "syntax-only"` would skip them, but without skipping scrape_config_files.
  validator =
    env: bundle: tool: pkg:
    pkgs.runCommand "monstack-${env}-${tool}"
      {
        nativeBuildInputs = [
          monstack
          pkg
        ];
      }
      ''
        monstack check --tool ${tool} --require ${bundle}
        touch $out
      '';

  perEnv = env: bundle: {
    # promtool check config (with every scrape-config file), check rules, and test rules (every
    # alert fires in one test and stays silent in another).
    "${env}-promtool" = validator env bundle "promtool" pkgs.prometheus.cli;
    # amtool check-config: routes, receivers, templates.
    "${env}-amtool" = validator env bundle "amtool" pkgs.prometheus-alertmanager;
    # loki -verify-config -config.expand-env=true.
    "${env}-loki" = validator env bundle "loki" pkgs.grafana-loki;
    # The bundle Nix builds is byte for byte the committed golden, which the CLI also renders.
    "${env}-golden" = pkgs.runCommand "monstack-${env}-golden" { } ''
      diff -r ${bundle} ${src}/tests/golden/${env}
      touch $out
    '';
  };

  rustCheck =
    name: phase:
    monstack.overrideAttrs (old: {
      pname = "monstack-${name}";
      nativeBuildInputs = old.nativeBuildInputs ++ [
        pkgs.clippy
        pkgs.rustfmt
      ];
      buildPhase = phase;
      installPhase = "touch $out";
      doCheck = false;
    });
in
lib.concatMapAttrs perEnv bundles
// {
  # The Rust tests, with the validators they call (promtool, amtool) present.
  rust-tests = monstack.overrideAttrs (old: {
    pname = "monstack-tests";
    doCheck = true;
    nativeCheckInputs = [
      # The servers of the end-to-end tests, and promtool (nixpkgs moves it to `cli`).
      pkgs.prometheus
      pkgs.prometheus.cli
      pkgs.prometheus-alertmanager
      pkgs.prometheus-node-exporter
    ];
  });
  # Lints are errors, as in CI.
  clippy = rustCheck "clippy" "cargo clippy --offline --all-targets -- -D warnings";
  # Formatting is part of review, not a matter of taste per commit.
  rustfmt = rustCheck "rustfmt" "cargo fmt --all -- --check";
  # Every Nix file in nixfmt's style.
  nixfmt = pkgs.runCommand "monstack-nixfmt" { nativeBuildInputs = [ pkgs.nixfmt ]; } ''
    cd ${src}
    nixfmt --check $(find . -name '*.nix' -not -path './target/*')
    touch $out
  '';
  # The NixOS module on a real (virtual) host: a rule loads, a dashboard is served by uid, and an
  # alert reaches a webhook receiver.
  nixos-module = pkgs.testers.runNixOSTest (import ./vm-test.nix { inherit nixosModule; });
}
