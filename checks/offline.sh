#!/usr/bin/env bash
# The Nix side, tested offline with nixpkgs' lib alone (full nixpkgs cannot be had here).
#
#   MONSTACK_NIXPKGS_LIB=/path/to/nixpkgs.lib bash checks/offline.sh            # test
#   MONSTACK_NIXPKGS_LIB=/path/to/nixpkgs.lib bash checks/offline.sh --update   # rewrite examples
#
# MONSTACK_NIXPKGS_LIB is a checkout of github:nix-community/nixpkgs.lib (a flake whose `lib`
# output is nixpkgs' lib). With it this script, through a throwaway wrapper flake whose `nixpkgs`
# input is that lib and whose `monstack` input (this repository) follows it:
#   1. evaluates every environment under envs/ with the real module system and compares the
#      spec with examples/creativeflow/<env>.json (`--update` rewrites them);
#   2. builds each bundle with `lib.bundle`, the locally built generator as the builder, and
#      compares it with the CLI's bundle of the same spec and with tests/golden/<env>;
#   3. rebuilds each bundle with `nix build --rebuild` (reproducibility);
#   4. builds prod content-addressed twice, the second time with a Grafana-only change, and
#      checks the Prometheus component keeps its store path while Grafana's changes;
#   5. checks that a type error names its option and a semantic error fails the build naming
#      the environment and the option path; for bulk data (rule files, scrape jobs, dashboard
#      entries: `bulkListOf`) that a wrong shape fails evaluation naming the option, that a wrong
#      field inside fails the build with the generator's error naming env and path, and that
#      they merge and fill defaults as `types.listOf` of their submodules did
#      (checks/bulk-options-eval.nix);
#   6. runs the `diff` app's script (`lib.diffScript`) with environment names, as
#      `nix run .#diff -- prod staging` does, and compares it with `monstack diff` of the examples.
#   7. with MONSTACK_FLAKE_PARTS (a checkout of github:hercules-ci/flake-parts), builds prod
#      through `flakeModules.default` in a flake-parts flake and compares it with lib.bundle's,
#      imports the module twice, and evaluates the README's flake-parts example as written;
#   8. builds the generator's source as the flake takes it (`lib.source`, its fileset) and runs
#      the flake's rustfmt and clippy checks' commands in it;
#   9. builds the flake's `<env>-promtool` and `<env>-amtool` checks (checks/default.nix) with
#      stand-ins for nixpkgs' packages laid out as nixpkgs lays them out (promtool in
#      prometheus' `cli` output; checks/nixpkgs-standin.nix) linking this machine's promtool and
#      amtool, so each check really runs them on its bundle;
#  10. with MONSTACK_NIXPKGS_MODULES (a nixpkgs tree: a checkout, or the subset
#      checks/nixos-host.nix lists), evaluates services.monstack on nixpkgs' own Prometheus,
#      Alertmanager, Grafana, Loki, Alloy, firewall, /etc and systemd modules for dev, staging,
#      prod and the README's NixOS example (checks/nixos-module-eval.nix).
# Without MONSTACK_NIXPKGS_LIB it prints SKIP and exits 0. Needs nix (Debian's nix-bin works)
# with sandbox = false; it passes the experimental features it needs on the command line.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
update=false
[ "${1:-}" = "--update" ] && update=true

if [ -z "${MONSTACK_NIXPKGS_LIB:-}" ]; then
  echo "SKIP checks/offline.sh: MONSTACK_NIXPKGS_LIB is not set (the path of a nixpkgs.lib flake checkout); the Nix evaluation, build, reproducibility and content-addressing tests did not run"
  exit 0
fi
command -v nix >/dev/null || { echo "checks/offline.sh: nix is not installed" >&2; exit 1; }
lib_flake=$(cd "$MONSTACK_NIXPKGS_LIB" && pwd)
# Debian's nix-bin creates no `nixbld` group on a fresh machine: builds run as the calling user.
nixf=(nix --extra-experimental-features "nix-command flakes ca-derivations" --option sandbox false
  --option substituters "" --option build-users-group "")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

echo "building the generator"
(cd "$repo" && cargo build --release --locked --quiet)
mkdir -p "$work/gen/bin"
cp "$repo/target/release/monstack" "$work/gen/bin/monstack"
monstack="$repo/target/release/monstack"

# The repository as a flake input: the files git tracks, as they are in the working tree.
mkdir -p "$work/wrapper"
fp_inputs=""
fp_outputs=""
if [ -n "${MONSTACK_FLAKE_PARTS:-}" ]; then
  fp_inputs="inputs.flake-parts.url = \"path:$(cd "$MONSTACK_FLAKE_PARTS" && pwd)\";
  inputs.flake-parts.inputs.nixpkgs-lib.follows = \"nixpkgs\";"
  fp_outputs="flakePartsProd = (inputs.flake-parts.lib.mkFlake { inherit inputs; } {
        imports = [ monstack.flakeModules.default ];
        systems = [ system ];
        monstack.environments.prod = [ m.environments.prod ];
        perSystem.monstack.generator = generator;
      }).packages.\${system}.prod-monitoring;"
fi
# This machine's promtool and amtool (.ci/install's), for the stand-in packages.
standin_bins=""
for tool in promtool:promtool prometheus:prometheus amtool:amtool alertmanager:prometheus-alertmanager; do
  bin=$(command -v "${tool#*:}" || true)
  [ -n "$bin" ] && standin_bins="$standin_bins ${tool%%:*} = \"$bin\";"
done

# The README's examples as written: the NixOS host module, and the flake-parts flake.
python3 - "$repo/README.md" "$work/wrapper/readme-nixos.nix" "$work/readme-flake.nix" <<'PY'
import re, sys, textwrap
readme = open(sys.argv[1]).read()
blocks = [textwrap.dedent(b) for b in re.findall(r"^ *```nix\n(.*?)^ *```$", readme, re.S | re.M)]
nixos = [b for b in blocks if "monstack.nixosModules.default" in b]
flake = [b for b in blocks if "flake-parts.lib.mkFlake" in b]
assert len(nixos) == 1 and len(flake) == 1, f"README: {len(nixos)} NixOS and {len(flake)} flake-parts examples"
open(sys.argv[2], "w").write(nixos[0])
open(sys.argv[3], "w").write(flake[0])
PY

# services.monstack on nixpkgs' own modules needs a nixpkgs tree.
module_outputs=""
tree_input=""
if [ -n "${MONSTACK_NIXPKGS_MODULES:-}" ]; then
  nixpkgs_tree=$(cd "$MONSTACK_NIXPKGS_MODULES" && pwd)
  tree_input="inputs.nixpkgs-tree = { url = \"path:$nixpkgs_tree\"; flake = false; };"
  module_outputs="nixosModuleProblems = import (monstack.outPath + \"/checks/nixos-module-eval.nix\") {
        inherit lib;
        nixpkgs = inputs.nixpkgs-tree;
        nixosModule = monstack.nixosModules.default;
        monstack = monstack;
        readmeExample = ./readme-nixos.nix;
        bundles = {
          dev = bundleOf [ m.environments.dev ];
          staging = bundleOf [ m.environments.staging ];
          prod = bundleOf [ m.environments.prod ];
          prodRuleChange = bundleOf [ m.environments.prod { rules.overrides.HostHighCpuLoad.threshold = lib.mkForce 0.9; } ];
          prodFor38 = bundleOf [ m.environments.prod { versions.prometheus = lib.mkForce \"3.8.0\"; } ];
          foreignPrefix = bundleOf [ m.environments.dev { install_prefix = lib.mkForce \"/srv/monstack\"; } ];
        };
      };"
fi

cat >"$work/wrapper/flake.nix" <<NIX
{
  $fp_inputs
  inputs.nixpkgs.url = "path:$lib_flake";
  $tree_input
  inputs.monstack.url = "git+file://$repo";
  inputs.monstack.inputs.nixpkgs.follows = "nixpkgs";
  # The locally built generator, copied into the store as a plain (non-flake) input.
  inputs.generator = { url = "path:$work/gen"; flake = false; };
  outputs = inputs@{ nixpkgs, monstack, generator, ... }:
    let
      inherit (nixpkgs) lib;
      m = monstack.lib;
      system = "x86_64-linux";
      grafanaEdit = { grafana.allow_ui_updates = lib.mkForce true; };
      bundleOf = modules: m.bundleFor { inherit generator system modules; };
    in {
      specs = lib.mapAttrs (_: spec: builtins.toJSON spec) m.specs;
      bundles = lib.mapAttrs (_: spec: m.bundle { inherit generator system spec; }) m.specs;
      caProd = m.bundleFor { inherit generator system; contentAddressed = true; modules = [ m.environments.prod ]; };
      caProdGrafanaEdit = m.bundleFor { inherit generator system; contentAddressed = true; modules = [ m.environments.prod grafanaEdit ]; };
      typeError = (m.evalEnv { modules = [ m.environments.dev { loki.http_listen_port = "3100"; } ]; }).json;
      semanticError = m.bundleFor { inherit generator system; modules = [ m.environments.dev { versions.loki = "2.8.0"; } ]; };
      # Bulk data (rule files, scrape jobs, dashboard entries): the module system checks the
      # shape, the generator every field.
      bulkShapeError = (m.evalEnv { modules = [ m.environments.dev { rules.files = [ "alerts.yml" ]; } ]; }).json;
      bulkFieldError = m.bundleFor { inherit generator system; modules = [ m.environments.dev {
        rules.files = [ { name = "typo"; groups = [ { name = "typo"; rules = [ { record = "job:up:sum"; exprr = "sum by (job) (up)"; } ]; } ]; } ];
        scrape_jobs = lib.mkAfter [ { name = "extra"; expected_targets = "3"; discovery.file_sd.files = [ "/etc/prometheus/extra.json" ]; } ];
      } ]; };
      bulkOptionProblems = import (monstack.outPath + "/checks/bulk-options-eval.nix") { inherit lib; inherit (m) specModule; };
      $fp_outputs
      # The flake's diff app, its script written without nixpkgs' writeShellScript.
      diffApp = derivation {
        name = "monstack-diff";
        inherit system;
        builder = "/bin/sh";
        args = [ "-c" "printf '#!/bin/bash\\n%s' \"\$script\" >\$out && /bin/chmod +x \$out" ];
        script = m.diffScript { inherit generator; inherit (m) specs; };
      };
      vmtestSpec = (m.evalEnv { modules = [ (monstack.outPath + "/checks/vmtest-env.nix") ]; }).json;
      source = m.source;
      # The flake's checks (checks/default.nix) on stand-ins for nixpkgs' packages whose
      # promtool and amtool are this machine's.
      flakeChecks = import (monstack.outPath + "/checks") {
        inherit lib;
        pkgs = import (monstack.outPath + "/checks/nixpkgs-standin.nix") {
          inherit lib system;
          versions = { };
          bins = { $standin_bins };
        };
        inherit (m) specs;
        monstack = generator;
        bundles = lib.mapAttrs (_: spec: m.bundle { inherit generator system spec; }) m.specs;
        nixosModule = monstack.nixosModules.default;
        src = monstack.outPath;
      };
      $module_outputs
    };
}
NIX
w="path:$work/wrapper"

# The store path of one output of a flake attribute (nix 2.8 has no --print-out-paths). On a
# failed build it prints nothing, leaves Nix's last lines in $work/build.log and returns 1.
out_path() {
  local json
  json=$("${nixf[@]}" build --no-link --json "$w#$1.$2" 2>"$work/build.log") || return 1
  python3 -c "import json,sys; print(json.loads(sys.argv[1])[0]['outputs'][sys.argv[2]])" "$json" "$2"
}
build_log() { tail -n 5 "$work/build.log"; }

# From here on a check that cannot run is a FAIL line, never an abort: every failure is counted.
set +e
for env in dev staging prod; do
  if ! "${nixf[@]}" eval --raw "$w#specs.$env" >"$work/$env.raw.json" 2>"$work/eval.log"; then
    fail "$env: envs/$env.nix does not evaluate: $(tail -n 5 "$work/eval.log")"
    continue
  fi
  python3 - "$work/$env.raw.json" "$work/$env.json" <<'PY'
import json, sys
json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), indent=2, sort_keys=True)
open(sys.argv[2], "a").write("\n")
PY
  example="$repo/examples/creativeflow/$env.json"
  if $update; then
    cp "$work/$env.json" "$example"
    ok "$env: examples/creativeflow/$env.json rewritten from envs/$env.nix"
  elif cmp -s "$work/$env.json" "$example"; then
    ok "$env: envs/$env.nix evaluates to examples/creativeflow/$env.json"
  else
    fail "$env: examples/creativeflow/$env.json is stale; run: MONSTACK_NIXPKGS_LIB=$MONSTACK_NIXPKGS_LIB bash checks/offline.sh --update"
  fi

  if ! out=$(out_path "bundles.$env" out); then
    fail "$env: the bundle does not build: $(build_log)"
    continue
  fi
  "$monstack" render --spec "$work/$env.json" --out "$work/cli-$env" 2>/dev/null
  # (The CLI also records its input inside the folder: not part of the bundle.)
  if diff -r -x .monstack-input "$out" "$work/cli-$env" >/dev/null; then
    ok "$env: nix build equals monstack render of the same spec"
  else
    fail "$env: nix build differs from monstack render"
  fi
  if diff -r "$out" "$repo/tests/golden/$env" >/dev/null; then
    ok "$env: nix build equals tests/golden/$env"
  else
    fail "$env: nix build differs from tests/golden/$env (run MONSTACK_BLESS=1 cargo test --test golden after --update)"
  fi
  if "${nixf[@]}" build --no-link --rebuild "$w#bundles.$env" 2>"$work/rebuild.log"; then
    ok "$env: nix build --rebuild reports the output reproducible"
  else
    fail "$env: --rebuild: $(tail -n 3 "$work/rebuild.log")"
  fi
done

if ! { prom_a=$(out_path caProd prometheus) && prom_b=$(out_path caProdGrafanaEdit prometheus) &&
  graf_a=$(out_path caProd grafana) && graf_b=$(out_path caProdGrafanaEdit grafana); }; then
  fail "content-addressed: a bundle does not build: $(build_log)"
elif [ "$prom_a" = "$prom_b" ] && [ "$graf_a" != "$graf_b" ]; then
  ok "content-addressed: a Grafana-only change keeps $prom_a and changes the grafana output"
else
  fail "content-addressed: prometheus $prom_a vs $prom_b, grafana $graf_a vs $graf_b"
fi

if "${nixf[@]}" eval --raw "$w#typeError" >/dev/null 2>"$work/type.log"; then
  fail "a string for loki.http_listen_port was accepted"
elif grep -q "loki.http_listen_port" "$work/type.log"; then
  ok "a type error fails evaluation naming the option loki.http_listen_port"
else
  fail "the type error does not name the option: $(tail -n 5 "$work/type.log")"
fi

if "${nixf[@]}" build --no-link "$w#semanticError" 2>"$work/semantic.log"; then
  fail "a bundle with Loki 2.8 was built"
elif grep -q "env dev: versions.loki" "$work/semantic.log"; then
  ok "a semantic error fails the build naming env dev and versions.loki"
else
  fail "the semantic error does not name env and option: $(tail -n 5 "$work/semantic.log")"
fi

if "${nixf[@]}" eval --raw "$w#bulkShapeError" >/dev/null 2>"$work/bulk-shape.log"; then
  fail "a string as a rule file (bulk data) was accepted"
elif grep -q 'option `rules.files."\[definition 1-entry 1\]"'"' is not of type" "$work/bulk-shape.log"; then
  ok "a bulk list of the wrong shape fails evaluation naming the option rules.files"
else
  fail "the bulk shape error does not name the option: $(tail -n 5 "$work/bulk-shape.log")"
fi

if "${nixf[@]}" build --no-link "$w#bulkFieldError" 2>"$work/bulk-field.log"; then
  fail "a bundle with a misspelt rule field and a string for expected_targets was built"
elif grep -q "env dev: rules.files\[0\].groups\[0\].rules\[0\].exprr: unknown option" "$work/bulk-field.log" &&
  grep -Eq "env dev: scrape_jobs\[[0-9]+\]\.expected_targets: invalid type: string" "$work/bulk-field.log"; then
  ok "a wrong field inside bulk data fails the build naming env dev and its path (rules.files[0].groups[0].rules[0].exprr, scrape_jobs[…].expected_targets)"
else
  fail "the bulk field errors do not name env and path: $(tail -n 8 "$work/bulk-field.log")"
fi

bulk_problems=$("${nixf[@]}" eval --json "$w#bulkOptionProblems" 2>"$work/bulk.log" || echo "evaluation failed: $(tail -n 5 "$work/bulk.log")")
if [ "$bulk_problems" = "[]" ]; then
  ok "bulk options merge and fill defaults as types.listOf of their submodules (checks/bulk-options-eval.nix)"
else
  fail "bulk options: $bulk_problems"
fi

app_rc=0
if app=$(out_path diffApp out); then
  "$app" prod staging >"$work/app-diff.txt" 2>&1 || app_rc=$?
else
  app_rc="not built"
  build_log >"$work/app-diff.txt"
fi
cli_rc=0
"$monstack" diff "$repo/examples/creativeflow/prod.json" "$repo/examples/creativeflow/staging.json" >"$work/cli-diff.txt" 2>&1 || cli_rc=$?
if [ "$app_rc" = 1 ] && [ "$cli_rc" = 1 ] && cmp -s "$work/app-diff.txt" "$work/cli-diff.txt"; then
  ok "the diff app (nix run .#diff -- prod staging) resolves env names to their specs: exit 1, the CLI's report"
else
  fail "diff app: exit $app_rc (CLI $cli_rc); $(head -n 5 "$work/app-diff.txt")"
fi

if ! "${nixf[@]}" eval --raw "$w#vmtestSpec" >"$work/vmtest.json" 2>"$work/vmtest.log"; then
  fail "checks/vmtest-env.nix does not evaluate: $(tail -n 5 "$work/vmtest.log")"
elif "$monstack" validate --spec "$work/vmtest.json" 2>"$work/vmtest.log"; then
  ok "the NixOS VM test's environment (checks/vmtest-env.nix) is a valid spec"
else
  fail "checks/vmtest-env.nix: $(cat "$work/vmtest.log")"
fi

# The flake's source: what buildRustPackage gets, and the flake's fmt and clippy checks' commands
# run in it (the target folder is the repository's, so only monstack itself is compiled again).
if ! src=$("${nixf[@]}" eval --raw "$w#source" 2>"$work/build.log"); then
  fail "lib.source does not evaluate: $(build_log)"
elif ! (cd "$src" && cargo fmt --all -- --check) >"$work/fmt.log" 2>&1; then
  fail "the flake's rustfmt check fails on lib.source (a file rustfmt reads is missing?): $(tail -n 3 "$work/fmt.log")"
elif ! (cd "$src" && CARGO_TARGET_DIR="$repo/target" cargo clippy --offline --locked --all-targets --quiet -- -D warnings) >"$work/clippy.log" 2>&1; then
  fail "the flake's clippy check fails on lib.source (a file Cargo.toml names is missing?): $(tail -n 3 "$work/clippy.log")"
else
  ok "the flake's source holds what rustfmt and clippy need: both checks pass in it"
fi

# The flake's validator checks, built: each runs promtool or amtool on its bundle.
if [ -z "$standin_bins" ]; then
  fail "promtool and amtool are not on PATH (run .ci/install): the flake's validator checks cannot run"
else
  for env in dev staging prod; do
    for tool in promtool amtool; do
      if out_path "flakeChecks.$env-$tool" out >/dev/null; then
        ok "checks.$env-$tool builds: $tool ran on the $env bundle from the package nixpkgs puts it in"
      else
        fail "checks.$env-$tool: $(build_log)"
      fi
    done
  done
fi

# services.monstack on nixpkgs' own modules: one line per expectation.
if [ -z "${MONSTACK_NIXPKGS_MODULES:-}" ]; then
  echo "SKIP services.monstack on nixpkgs' modules: MONSTACK_NIXPKGS_MODULES is not set (a nixpkgs tree; see checks/nixos-host.nix for the files it needs)"
elif ! "${nixf[@]}" eval --json "$w#nixosModuleProblems" >"$work/module.json" 2>"$work/module.log"; then
  fail "services.monstack on nixpkgs' modules does not evaluate: $(sed -n '/^error/,$p' "$work/module.log" | head -n 14)"
else
  while IFS=$'\t' read -r holds what found; do
    if [ "$holds" = true ]; then ok "nixos: $what"; else fail "nixos: $what; found: $found"; fi
  done < <(python3 -c '
import json, sys
for e in json.load(open(sys.argv[1])):
    print("true" if e["ok"] else "false", e["what"], e["found"] or "", sep="\t")
' "$work/module.json")
fi

if [ -n "${MONSTACK_FLAKE_PARTS:-}" ]; then
  via_module=$("${nixf[@]}" eval --raw "$w#flakePartsProd.drvPath" 2>&1)
  via_lib=$("${nixf[@]}" eval --raw "$w#bundles.prod.drvPath" 2>&1)
  if [ "$via_module" = "$via_lib" ] && out_path flakePartsProd out >/dev/null; then
    ok "flakeModules.default builds prod-monitoring, the same derivation as lib.bundle"
  else
    fail "flakeModules.default: $via_module differs from $via_lib"
  fi
  # The README's flake-parts example as written, in a flake of its own beside a copy of envs/,
  # with monstack.flakeModules.default imported a second time (its key keeps it once).
  readme_flake="$work/readme-flake"
  mkdir -p "$readme_flake"
  cp -r "$repo/envs" "$readme_flake/envs"
  sed 's|imports = \[ inputs.monstack.flakeModules.default \];|imports = [ inputs.monstack.flakeModules.default inputs.monstack.flakeModules.default ];|' \
    "$work/readme-flake.nix" >"$readme_flake/flake.nix"
  if ! grep -q "flakeModules.default inputs.monstack.flakeModules.default" "$readme_flake/flake.nix"; then
    fail "README's flake-parts example no longer imports inputs.monstack.flakeModules.default as this check expects"
  elif readme_spec=$("${nixf[@]}" eval --raw "path:$readme_flake#packages.x86_64-linux.prod-monitoring.spec" \
    --override-input monstack "git+file://$repo" --override-input flake-parts "path:$(cd "$MONSTACK_FLAKE_PARTS" && pwd)" \
    --override-input monstack/nixpkgs "path:$lib_flake" --override-input flake-parts/nixpkgs-lib "path:$lib_flake" \
    2>"$work/readme-flake.log") && [ "$readme_spec" = "$("${nixf[@]}" eval --raw "$w#bundles.prod.spec" 2>/dev/null)" ]; then
    ok "the README's flake-parts example evaluates as written to prod's spec (flakeModules.default imported twice is taken once)"
  else
    fail "the README's flake-parts example: $(grep -v '^warning:' "$work/readme-flake.log" | tail -n 6)"
  fi
else
  echo "SKIP flake-parts module test: MONSTACK_FLAKE_PARTS is not set (a checkout of github:hercules-ci/flake-parts)"
fi

# The flake's nixfmt check, where a nixfmt is at hand (MONSTACK_NIXFMT, or on PATH).
nixfmt_bin=${MONSTACK_NIXFMT:-$(command -v nixfmt || true)}
if [ -z "$nixfmt_bin" ]; then
  echo "SKIP nixfmt: no nixfmt on PATH and MONSTACK_NIXFMT is not set"
elif (cd "$repo" && git ls-files -z '*.nix' | xargs -0 "$nixfmt_bin" --check) >"$work/nixfmt.log" 2>&1; then
  ok "every Nix file is in nixfmt's style ($("$nixfmt_bin" --version 2>&1 | head -n 1))"
else
  fail "nixfmt --check: $(tail -n 5 "$work/nixfmt.log")"
fi

echo "checks/offline.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
