#!/usr/bin/env python3
"""The fleet benchmark (issue 9): monstack against the tools users would run instead.

Run through `bash bench/run` (which builds the release binary first). Every figure is the median
of --runs runs (wall time, and peak RSS of the measured process from wait4), measured in the same
run as its anchor, `promtool check rules` on the same rule files. Prints a Markdown table.
"""

import argparse
import os
import shutil
import statistics
import json
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MONSTACK = os.path.join(REPO, "target", "release", "monstack")
ENVS = ["dev", "staging", "prod"]


def measure(cmd, timeout=None):
    """Wall seconds and peak RSS (MiB) of one command; None for the time when it timed out."""
    start = time.monotonic()
    # stderr to a file, not a pipe: a command with more to say than a pipe holds would block on
    # it while this loop waits for it to exit.
    err = tempfile.TemporaryFile()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if deadline and time.monotonic() > deadline:
            p.kill()
            os.wait4(p.pid, 0)
            return None, 0.0
        time.sleep(0.005)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err.seek(0)
        sys.exit(f"failed: {' '.join(cmd)}\n{err.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def measure_parallel(cmds, timeout=None):
    """Wall seconds and the largest peak RSS (MiB) of commands run side by side; None for the
    time when they did not all finish within the timeout."""
    start = time.monotonic()
    procs = {subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid: c for c in cmds}
    peak = 0.0
    while procs:
        if timeout and time.monotonic() > start + timeout:
            for pid in procs:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            return None, peak
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if not pid:
            time.sleep(0.01)
            continue
        cmd = procs.pop(pid)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(cmd[:4])} ... ({len(cmd)} arguments)")
        peak = max(peak, usage.ru_maxrss / 1024)
    return time.monotonic() - start, peak


def shares(paths, n):
    """The files in n shares of about equal total size, as `monstack check` splits them."""
    out = [[0, []] for _ in range(min(n, len(paths)))]
    for p in sorted(paths, key=lambda p: (-os.path.getsize(p), p)):
        lightest = min(out, key=lambda s: s[0])
        lightest[0] += os.path.getsize(p)
        lightest[1].append(p)
    return [sorted(s[1]) for s in out]


def median(cmd, runs, before=None):
    walls, rss = [], []
    for _ in range(runs):
        if before:
            before()
        w, m = measure(cmd)
        walls.append(w)
        rss.append(m)
    return statistics.median(walls), max(rss)


def fleet(base_env, services, out, args):
    """Writes the fleet spec. Its Prometheus shard count comes from monstack's own capacity
    estimate: the spec is generated with 1, 2, … shards in `meta.prometheus` until validation
    stops refusing the topology (`meta/topology`); any other problem fails the bench."""
    for shards in range(1, 9):
        subprocess.run(
            [sys.executable, os.path.join(REPO, "bench", "fleet.py"), "--base",
             os.path.join(REPO, "examples", "creativeflow", f"{base_env}.json"), "--services", str(services),
             "--models", str(args.models), "--slos", str(args.slos),
             # Golden-signals dashboards in proportion to the services (the linearity step's fleet).
             "--dashboards", str(args.dashboards * services // args.services), "--shards", str(shards),
             "--out", out],
            check=True,
        )
        result = subprocess.run([MONSTACK, "validate", "--format", "json", out], capture_output=True, text=True)
        codes = {d["code"] for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"}
        if result.returncode == 0:
            return
        if codes != {"meta/topology"}:
            sys.exit(f"the fleet from {base_env} is invalid:\n{result.stderr}")
    sys.exit(f"the fleet from {base_env}: no shard count from 1 to 8 fits its capacity estimate")


def rule_files(bundle):
    d = os.path.join(bundle, "prometheus", "rules")
    return sorted(os.path.join(d, f) for f in os.listdir(d))


def count_rules(files):
    n = 0
    for f in files:
        with open(f) as fh:
            n += sum(1 for line in fh if line.lstrip().startswith(("- alert:", "- record:")))
    return n


def nix_eval(lib, module):
    """`nix-instantiate --eval --strict` of an environment through the module system (modules/lib.nix's
    evalEnv, as the flake's environments are evaluated), forced to its JSON. `module` is a Nix
    expression: a module's path, or `(lib.importJSON <spec>)` for a spec file."""
    expr = (
        f"let lib = import {lib}/lib; m = import {REPO}/modules/lib.nix {{ inherit lib; }}; "
        f"in builtins.stringLength (m.evalEnv {{ modules = [ {module} ]; }}).json"
    )
    return ["nix-instantiate", "--eval", "--strict", "--expr", expr]


def nix_json_import(spec):
    """The floor of any evaluation of a spec: its plain JSON import, forced to JSON the same way."""
    expr = f"builtins.stringLength (builtins.toJSON (builtins.fromJSON (builtins.readFile {spec})))"
    return ["nix-instantiate", "--eval", "--strict", "--expr", expr]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--models", type=int, default=50)
    ap.add_argument("--slos", type=int, default=50)
    ap.add_argument("--dashboards", type=int, default=200, help="golden-signals dashboards (every k-th service)")
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (the median is reported)")
    ap.add_argument("--test-timeout", type=float, default=600, help="seconds per `promtool test rules` call")
    ap.add_argument("--keep", help="keep the fleet specs and bundles in this folder")
    args = ap.parse_args()
    promtool = shutil.which("promtool")
    work = args.keep or tempfile.mkdtemp(prefix="monstack-bench-")
    os.makedirs(work, exist_ok=True)
    rows = []

    def row(what, wall, rss="", note=""):
        shown = "stopped" if wall is None else f"{wall:.3f} s"
        rows.append((what, shown, f"{rss:.0f} MiB" if rss else "", note))
        print(f"  {what}: {shown} {note}", file=sys.stderr, flush=True)

    print(f"fleet: {args.services} services, {args.models} AI models, {args.slos} SLOs, "
          f"{args.dashboards} golden-signals dashboards per env; "
          f"{args.runs} runs each; work folder {work}", file=sys.stderr)
    total = {"build": 0.0, "check": 0.0, "rules": 0}
    peak = 0.0
    for env in ENVS:
        spec = os.path.join(work, f"fleet-{env}.json")
        fleet(env, args.services, spec, args)
        out = os.path.join(work, f"bundle-{env}")
        shutil.rmtree(out, ignore_errors=True)
        build, rss = median([MONSTACK, "validate", "--spec", spec], args.runs)
        peak = max(peak, rss)
        rendered, rss_r = median(
            [MONSTACK, "render", "--spec", spec, "--out", out], args.runs,
            before=lambda: shutil.rmtree(out, ignore_errors=True),
        )
        noop, _ = median([MONSTACK, "render", "--spec", spec, "--out", out], args.runs)
        files = rule_files(out)
        n = count_rules(files)
        dashboards = sum(len(fs) for _, _, fs in os.walk(os.path.join(out, "grafana", "dashboards")))
        size = os.path.getsize(spec) / 2**20
        row(f"{env}: render + validate in memory (`monstack validate`)", build, rss,
            f"{n} rules, {dashboards} dashboards, spec {size:.1f} MiB")
        row(f"{env}: `monstack render` to a fresh folder (synced)", rendered, rss_r)
        row(f"{env}: `monstack render` again, spec unchanged (no-op)", noop)
        total["build"] += build
        total["rules"] += n
        if promtool:
            check, rss_p = median([promtool, "check", "rules", *files], args.runs)
            total["check"] += check
            row(f"{env}: `promtool check rules` on the same {len(files)} rule files", check, rss_p,
                f"ratio monstack/promtool {build / check:.2f}")

    if total["check"]:
        row(f"all 3 envs: render + validate vs `promtool check rules` ({total['rules']} rules)",
            total["build"], peak, f"ratio {total['build'] / total['check']:.2f} (target <= 0.10)")
        # The least any render + validation must spend with these crates (bench/floor.rs): parse
        # each rule expression and test series once, write the rule and test files once.
        floor = json.loads(subprocess.run(
            ["cargo", "bench", "--quiet", "--locked", "--bench", "floor", "--", os.path.join(work, "bundle-prod")],
            check=True, capture_output=True, text=True, cwd=REPO).stdout)
        cpu = floor["total_cpu_ms"] / 1000
        row("prod: floor, one core: parse every rule expression and test series once, write the rule and "
            "test files once (`cargo bench --bench floor`)", cpu,
            note=f"{floor['parse_rule_expressions_ms']:.0f} + {floor['parse_test_series_ms']:.0f} ms parsing, "
                 f"{floor['write_rule_files_yaml_ms']:.0f} + {floor['write_test_files_yaml_ms']:.0f} ms YAML; "
                 f"on 2 ideal cores {cpu / 2:.3f} s = {cpu / 2 / (total['check'] / 3):.3f} x promtool's mean check")

    small = args.services // 10
    spec = os.path.join(work, f"fleet-prod-{small}.json")
    fleet("prod", small, spec, args)
    t_small, _ = median([MONSTACK, "validate", "--spec", spec], args.runs)
    t_big, _ = median([MONSTACK, "validate", "--spec", os.path.join(work, "fleet-prod.json")], args.runs)
    row(f"prod: render + validate, {small} services", t_small, note=f"{args.services} services: {t_big:.3f} s, "
        f"x{t_big / t_small:.1f} for x10 services (target <= 11)")

    lib = os.environ.get("MONSTACK_NIXPKGS_LIB")
    if lib and shutil.which("nix-instantiate"):
        # What `nix build` and `nix flake check` pay before any build: the fleet through the
        # module system, next to the plain import of the same JSON (the floor; issue 19's
        # target is <= 1 s and <= 300 MiB), and the example prod environment (envs/prod.nix).
        lib = os.path.abspath(lib)
        spec = os.path.join(work, "fleet-prod.json")
        wall, rss = median(nix_eval(lib, f"(lib.importJSON {spec})"), args.runs)
        floor, rss_f = median(nix_json_import(spec), args.runs)
        row("prod: `nix-instantiate --eval --strict` of the fleet through the module system", wall, rss,
            f"x{wall / floor:.1f} the plain JSON import's time, x{rss / rss_f:.1f} its RSS (target <= 1 s, <= 300 MiB)")
        row("prod: the same fleet spec as plain JSON (`builtins.fromJSON`, forced to JSON), the floor", floor, rss_f)
        env, rss_e = median(nix_eval(lib, os.path.join(REPO, "envs", "prod.nix")), args.runs)
        row("prod: envs/prod.nix (the example environment) through the module system", env, rss_e)
    else:
        print("SKIP nix eval: MONSTACK_NIXPKGS_LIB is not set (a nixpkgs.lib checkout)", file=sys.stderr)
        row("prod: nix eval through the module system", 0.0, note="SKIP: MONSTACK_NIXPKGS_LIB not set")

    if promtool:
        # As `monstack check` runs them: two promtool processes over size-balanced shares.
        tests = os.path.join(work, "bundle-prod", "prometheus", "tests")
        # `<rule file>_test.yml`, and `by_alert/<rule file>/<alert>_test.yml` (tests that load
        # only the rules their alert reads).
        names = sorted(os.path.relpath(os.path.join(d, f), tests)
                       for d, _, fs in os.walk(tests) for f in fs if f.endswith("_test.yml"))
        rule_file = lambda f: f.split("/")[1] if f.startswith("by_alert/") else f
        own = [f for f in names if rule_file(f).startswith("svc_")]
        generated = [f for f in names if not rule_file(f).startswith("svc_")]
        cwd = os.getcwd()
        os.chdir(tests)
        for what, files in [("the catalogue's (generated)", generated), ("the services' own", own)]:
            groups = sum(1 for f in files for line in open(f) if line.startswith("- name:"))
            wall, rss = measure_parallel([[promtool, "test", "rules", *share] for share in shares(files, 2)],
                                         args.test_timeout)
            row(f"prod: `promtool test rules`, {what} {len(files)} test files ({groups} test groups), "
                "2 processes, 1 run", wall, rss, f"timeout {args.test_timeout:.0f} s")
        os.chdir(cwd)

    print("\n| measurement | wall (median) | peak RSS | note |\n|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
