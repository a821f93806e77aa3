#!/usr/bin/env python3
"""A synthetic fleet for the benchmark: one CreativeFlow environment grown to N services.

    python3 bench/fleet.py --base examples/creativeflow/prod.json --services 1000 --models 50 \
        --slos 50 --out fleet-prod.json

Starting from an example environment (which keeps its catalogue alerts, routes and its
dashboards: the thirteen built-in ones and its golden-signals ones), it adds, deterministically:

- 50 teams owning the services (`teams[].services`, so ownership routes are derived), each
  with a receiver per severity taken from the environment's receivers;
- per service: a Kubernetes scrape job (one scrape-config file per team), and a rule file of
  its own with six recording rules and four alerts, each alert with a test in which it fires
  and one in which it stays silent (so `promtool test rules` proves all 4,000 of them);
- `--slos` availability SLOs (every k-th service) and `--models` AI models with thresholds;
- `--dashboards` golden-signals dashboards (every k-th service; its queue depth as saturation),
  one Grafana folder per owning team.

Every rule passes monstack's lints and every test passes under promtool: the benchmark renders
what a real fleet would write, not a spec that validation rejects early.
"""

import argparse
import json

TEAMS = 50
RECEIVERS = {
    "critical": ["critical-pagerduty", "critical-slack", "default-receiver"],
    "warning": ["warning-slack", "default-receiver"],
}


def camel(service):
    return "".join(part.capitalize() for part in service.split("-"))


def receiver(env, team, severity):
    """The team's own receiver for a severity: a copy of the environment's receiver for it, with
    the team's own PagerDuty key file and Slack channel. (The severity routes of staging and
    prod continue to the routes below them: a team routed to the same receiver would get every
    notification twice, which validation refuses as route/duplicate.)"""
    by_name = {r["name"]: r for r in env["alertmanager"]["receivers"]}
    base = by_name[next(r for r in RECEIVERS[severity] if r in by_name)]
    own = json.loads(json.dumps(base))
    own["name"] = f"{team}-{severity}"
    for p in own.get("pagerduty", []):
        p["routing_key_file"] = f"/run/secrets/monstack/pagerduty-{team}-routing-key"
    for s in own.get("slack", []):
        s["channel"] = f"#alerts-{team}-{severity}"
    for e in own.get("email", []):
        e["to"] = f"{team}-{severity}@example.com"
    env["alertmanager"]["receivers"].append(own)
    return own["name"]


def prometheus_servers(env, shards):
    """`meta.prometheus` for the fleet: every server the topology runs (`meta/topology`), one
    address each. A sharded fleet's servers are `shard-<i>.<replica>`."""
    meta = env.get("meta")
    if not meta or not meta.get("prometheus") or shards == 1:
        return
    replicas = env["prometheus"]["ha"]["replicas"] if env["prometheus"].get("ha") else ["prometheus"]
    meta["prometheus"] = {
        f"shard-{i}.{r}": f"prometheus-{i}-{r}.monitoring:9090" for i in range(shards) for r in replicas
    }


def series(metric, labels):
    return metric + "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def alert(name, expr, for_, severity, service, team, summary, description, turning, silent_at, fires_at, keeps=()):
    """An alerting rule with one test: input series that are healthy and then turn bad, the
    alert silent at `silent_at` and firing at `fires_at` (one promtool test group proves both
    ways). `keeps` are the series labels the expression keeps besides `service` (which the rule
    also sets)."""
    labels = {"service": service, "severity": severity, "team": team}
    expected = dict(labels)
    for k, v in keeps:
        expected[k] = v
    return {
        "alert": name,
        "expr": expr,
        "for": for_,
        "labels": labels,
        "annotations": {"summary": summary, "description": description},
        "tests": [
            {
                "input_series": turning,
                "eval_time": silent_at,
                "fires": [],
                "later": [{"eval_time": fires_at, "fires": [{"labels": expected}]}],
            }
        ],
    }


def service_rules(service, team):
    s = f'service="{service}"'
    base = {"service": service, "job": service, "instance": f"{service}-0:8080"}
    http = lambda code: series("http_requests_total", {**base, "code": code})  # noqa: E731
    bucket = lambda le: series("http_request_duration_seconds_bucket", {**base, "le": le})  # noqa: E731
    static = {"service": service}
    records = [
        ("service:http_requests:rate5m", f"sum by (service) (rate(http_requests_total{{{s}}}[5m]))"),
        (
            "service:http_requests_errors:rate5m",
            f'sum by (service) (rate(http_requests_total{{{s}, code=~"5.."}}[5m]))',
        ),
        (
            "service:http_requests_errors:ratio_rate5m",
            f"service:http_requests_errors:rate5m{{{s}}} / service:http_requests:rate5m{{{s}}}",
        ),
        (
            "service:http_request_duration_seconds:p99_rate5m",
            f"histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{{{s}}}[5m])))",
        ),
        (
            "service:http_request_duration_seconds:p50_rate5m",
            f"histogram_quantile(0.5, sum by (service, le) (rate(http_request_duration_seconds_bucket{{{s}}}[5m])))",
        ),
        ("service:queue_depth:max", f"max by (service) (queue_depth{{{s}}})"),
    ]
    rules = [{"record": r, "expr": e, "labels": static} for r, e in records]
    c = camel(service)
    on = "{{ $labels.service }}"
    rules += [
        alert(
            f"{c}HighErrorRate",
            f"service:http_requests_errors:ratio_rate5m{{{s}}} > 0.05",
            "5m",
            "critical",
            service,
            team,
            f"More than 5% of requests to {on} fail",
            f"The 5xx ratio of {on} has been above 5% for 5 minutes.",
            # 1% errors for 6 minutes, then 10%.
            [{"series": http("500"), "values": "0+1x6 12+6x12"}, {"series": http("200"), "values": "0+99x6 648+54x12"}],
            "5m",
            "16m",
        ),
        alert(
            f"{c}HighLatency",
            f"service:http_request_duration_seconds:p99_rate5m{{{s}}} > 0.5",
            "10m",
            "warning",
            service,
            team,
            f"p99 latency of {on} above 500ms",
            f"The 99th percentile of {on}'s request duration has been above 0.5s for 10 minutes.",
            # Every request under 100ms for 6 minutes, then every one between 0.5s and 1s.
            [
                {"series": bucket(le), "values": v}
                for le, v in [
                    ("0.1", "0+10x6 60x16"),
                    ("0.5", "0+10x6 60x16"),
                    ("1", "0+10x6 70+10x16"),
                    ("+Inf", "0+10x6 70+10x16"),
                ]
            ],
            "5m",
            "20m",
        ),
        alert(
            f"{c}QueueBacklog",
            f"service:queue_depth:max{{{s}}} > 1000",
            "15m",
            "warning",
            service,
            team,
            f"{on} has a queue backlog",
            f"More than 1000 messages have waited in {on}'s queue for 15 minutes.",
            [{"series": series("queue_depth", base), "values": "10x6 1500x20"}],
            "5m",
            "24m",
        ),
        alert(
            f"{c}InstanceDown",
            f"up{{{s}}} == 0",
            "3m",
            "critical",
            service,
            team,
            f"An instance of {on} is down",
            f"{{{{ $labels.instance }}}} of {on} has not answered scrapes for 3 minutes.",
            [{"series": series("up", base), "values": "1x5 0x8"}],
            "4m",
            "12m",
            keeps=[("instance", base["instance"]), ("job", service)],
        ),
    ]
    return rules


def fleet(env, services, models, slos, dashboards, shards):
    names = [f"svc-{i:04d}" for i in range(1, services + 1)]
    team_of = {s: f"team-{i % TEAMS + 1:02d}" for i, s in enumerate(names)}
    for t in range(1, TEAMS + 1):
        team = f"team-{t:02d}"
        critical, warning = receiver(env, team, "critical"), receiver(env, team, "warning")
        env["teams"].append(
            {
                "name": team,
                "description": f"Owners of the {team} services",
                "services": [s for s in names if team_of[s] == team],
                "receivers": {"critical": critical, "warning": warning},
            }
        )
    for s in names:
        team = team_of[s]
        env["scrape_jobs"].append(
            {
                "name": s,
                "file": f"{team.replace('-', '_')}_services",
                "owner": team,
                "labels": {"service": s},
                # Three pods per service: what the capacity estimate counts (prod declares a
                # per-replica limit, which needs every discovered job's target count).
                "expected_targets": 3,
                "discovery": {
                    "kubernetes": {"role": "pod", "namespaces": [team], "match_labels": {"app": s}, "port_name": "metrics"}
                },
            }
        )
        env["rules"]["files"].append(
            {"name": s.replace("-", "_"), "groups": [{"name": s, "rules": service_rules(s, team)}]}
        )
    step = max(1, services // slos) if slos else 0
    for s in names[::step][:slos] if slos else []:
        env["slos"].append(
            {
                "name": f"{s}-availability",
                "service": s,
                "objective": 0.999,
                "sli": {
                    "availability": {
                        "errors": f'http_requests_total{{service="{s}", code=~"5.."}}',
                        "total": f'http_requests_total{{service="{s}"}}',
                    }
                },
            }
        )
    step = max(1, services // dashboards) if dashboards else 0
    folders = {}
    for s in names[::step][:dashboards] if dashboards else []:
        team = team_of[s]
        if team not in folders:
            folders[team] = {"title": f"{team} services", "dir": team, "services": []}
            env["grafana"]["folders"].append(folders[team])
        folders[team]["services"].append({"job": s, "queue_metric": "queue_depth"})
    env["ai_models"]["models"] = [
        {
            "name": f"model-{m:02d}",
            "thresholds": {
                "p99_latency_seconds": 1 + m % 8,
                "error_ratio": 0.01 * (1 + m % 5),
                "min_requests_per_second": 0.1 * (1 + m % 3),
                "drift_threshold": 0.2 + 0.01 * (m % 10),
            },
        }
        for m in range(1, models + 1)
    ]
    prometheus_servers(env, shards)
    return env


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="an example environment spec (JSON)")
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--models", type=int, default=50)
    ap.add_argument("--slos", type=int, default=50)
    ap.add_argument("--dashboards", type=int, default=200, help="golden-signals dashboards (every k-th service)")
    ap.add_argument(
        "--shards",
        type=int,
        default=1,
        help="Prometheus replica groups the fleet's capacity estimate splits it into (prod's 1 M series "
        "per replica: 2 at 1,000 services); a wrong count is refused by validation (meta/topology), "
        "whose message names the servers",
    )
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.base) as f:
        env = json.load(f)
    with open(a.out, "w") as f:
        # Compact, as Nix's builtins.toJSON writes it: indented, 1,000 services pass the
        # 8 MiB spec limit (spec/load.rs).
        json.dump(fleet(env, a.services, a.models, a.slos, a.dashboards, a.shards), f, separators=(",", ":"), sort_keys=True)


if __name__ == "__main__":
    main()
