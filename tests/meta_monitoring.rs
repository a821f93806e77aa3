//! Meta-monitoring on the real servers: the dev environment on loopback (`loopback::on_loopback`)
//! with `meta` pointing at this test's Prometheus and Alertmanager, rendered by the monstack
//! binary; Prometheus runs the bundle's own rule files (the meta alerts among them) and scrapes
//! itself through the derived `prometheus` job.
//!
//! 1. A broken Alertmanager address: `prometheus.alertmanagers` lists a second Alertmanager on a
//!    loopback port nobody listens on. Every alert Prometheus sends to it fails, and
//!    `PrometheusErrorSendingAlertsToSomeAlertmanagers` reaches the receivers the route tree
//!    gives it, through the Alertmanager that works, naming the broken one.
//! 2. A failing rule: a recording rule whose expression fails at every evaluation (one-to-one
//!    matching against the many `up` series: "found duplicate series for the match group"),
//!    which parses and passes `promtool check rules`; `PrometheusRuleFailures` reaches its
//!    receivers naming the rule's group.
//!
//! Only the alerts' `for` is shortened (rules.overrides); their expressions, windows and
//! thresholds are the bundle's. Every server binds 127.0.0.1 on a free port; every wait is
//! bounded; the processes are stopped by their handles (also on panic). Without the programs it
//! prints SKIP; in CI (`.ci/install`) they must be present.

mod common;
#[path = "e2e/http.rs"]
mod http;
#[path = "e2e/loopback.rs"]
mod loopback;
#[path = "e2e/procs.rs"]
mod procs;

use common::example;
use http::{Client, Exporter, Sink};
use loopback::{Binaries, on_loopback, render};
use monstack::catalogue::metrics;
use procs::{free_port, wait_until};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long a condition that depends on scrapes, rule evaluation and notification may take
/// (seconds here; the margin is for loaded CI machines).
const SETTLE: Duration = Duration::from_secs(90);
/// The rule file and group of the failing rule.
const BROKEN_GROUP: &str = "broken_on_purpose";

#[test]
fn a_broken_alertmanager_and_a_failing_rule_page_through_the_meta_alerts() {
    let Some(bins) = Binaries::find() else { return };
    let started = Instant::now();
    let mark = |what: &str| eprintln!("meta_monitoring: {what} at {:.1}s", started.elapsed().as_secs_f64());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join("logs")).unwrap();
    let client = Client::new();
    let sink = Sink::start();
    let fake = Exporter::start();
    let [prometheus_port, alertmanager_port, dead_port] = [(); 3].map(|()| free_port());
    let at = |port: u16| format!("127.0.0.1:{port}");

    let spec = meta_spec(&sink, &fake, prometheus_port, alertmanager_port, dead_port);
    let bundle = render(&spec, &dir.join("bundle"));
    let rules = std::fs::read_to_string(bundle.join("prometheus/rules/meta_monitoring_alerts.yml")).unwrap();
    for alert in ["PrometheusErrorSendingAlertsToSomeAlertmanagers", "PrometheusRuleFailures"] {
        assert!(rules.contains(&format!("alert: {alert}")), "the bundle's meta rules have {alert}");
    }
    let _alertmanager = loopback::alertmanager(&bins, &bundle, dir, alertmanager_port);
    let _prometheus = loopback::prometheus(&bins, &bundle, dir, prometheus_port);
    let prometheus = format!("http://{}", at(prometheus_port));
    let ready = |url: String| {
        wait_until(&url, SETTLE, || match client.get(&url, &[]) {
            Ok((200, _)) => Ok(()),
            Ok((status, body)) => Err(format!("{status}: {body}")),
            Err(e) => Err(e),
        })
    };
    ready(format!("{prometheus}/-/ready"));
    ready(format!("http://{}/-/ready", at(alertmanager_port)));
    mark("Prometheus and Alertmanager up");

    let loaded = monstack::spec::load::load("meta", &serde_json::to_vec(&spec).unwrap()).unwrap().spec;
    let prometheus_job = loaded.scrape_jobs.iter().find(|j| j.name == metrics::PROMETHEUS_JOB).unwrap();
    assert!(prometheus_job.derived, "Prometheus is scraped through the job meta derives");

    let me = at(prometheus_port);
    let dead = format!("http://{}/api/v2/alerts", at(dead_port));
    let sending = [
        ("alertname", "PrometheusErrorSendingAlertsToSomeAlertmanagers"),
        ("job", metrics::PROMETHEUS_JOB),
        ("instance", me.as_str()),
        ("alertmanager", dead.as_str()),
    ];
    let receivers = delivered(&loaded, &sink, &sending);
    mark(&format!("PrometheusErrorSendingAlertsToSomeAlertmanagers reached {receivers:?}"));
    let live = format!("http://{}/api/v2/alerts", at(alertmanager_port));
    let healthy = [("alertname", "PrometheusErrorSendingAlertsToSomeAlertmanagers"), ("alertmanager", live.as_str())];
    assert!(sink.delivered_to(&healthy).is_empty(), "the Alertmanager that works is not reported");

    let failing =
        [("alertname", "PrometheusRuleFailures"), ("job", metrics::PROMETHEUS_JOB), ("instance", me.as_str())];
    let receivers = delivered(&loaded, &sink, &failing);
    let (_, alert) = sink.find_alert(&failing).unwrap();
    let group = alert["labels"]["rule_group"].as_str().unwrap_or_default().to_string();
    assert!(group.ends_with(&format!(";{BROKEN_GROUP}")), "the failing group is named: {group}");
    let others: Vec<String> = sink
        .notifications()
        .iter()
        .flat_map(|n| n.alerts().into_iter().cloned())
        .filter(|a| a["labels"]["alertname"] == "PrometheusRuleFailures")
        .filter_map(|a| a["labels"]["rule_group"].as_str().map(str::to_string))
        .filter(|g| !g.ends_with(&format!(";{BROKEN_GROUP}")))
        .collect();
    assert!(others.is_empty(), "only the broken group fails: {others:?}");
    mark(&format!("PrometheusRuleFailures ({group}) reached {receivers:?}"));
}

/// Dev on loopback, watched by its own meta jobs: Prometheus and the working Alertmanager at
/// their test ports; Loki, Grafana and the shippers at loopback ports nobody listens on (their
/// jobs are down, which gives Prometheus alerts to send); a second, dead Alertmanager address;
/// a rule file whose one recording rule fails to evaluate; second-scale `for`s.
fn meta_spec(sink: &Sink, fake: &Exporter, prometheus_port: u16, alertmanager_port: u16, dead_port: u16) -> Value {
    let mut spec: Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    let meta = spec["meta"].clone();
    assert!(meta.is_object(), "dev declares meta");
    on_loopback(&mut spec, &BTreeMap::new(), fake.addr(), sink, alertmanager_port);
    let at = |port: u16| format!("127.0.0.1:{port}");
    let nobody = |v: &Value| -> Value { v.as_array().unwrap().iter().map(|_| json!(at(free_port()))).collect() };
    let loki: serde_json::Map<String, Value> =
        meta["loki"].as_object().unwrap().iter().map(|(target, list)| (target.clone(), nobody(list))).collect();
    spec["meta"] = json!({
        "owner": meta["owner"],
        "prometheus": {"prometheus": at(prometheus_port)},
        "alertmanager": true,
        "loki": loki,
        "grafana": nobody(&meta["grafana"]),
        "promtail": nobody(&meta["promtail"]),
        "alloy": nobody(&meta["alloy"]),
    });
    spec["prometheus"]["alertmanagers"] = json!([at(alertmanager_port), at(dead_port)]);
    spec["rules"]["files"].as_array_mut().unwrap().push(json!({
        "name": BROKEN_GROUP,
        "groups": [{
            "name": BROKEN_GROUP,
            "rules": [{"record": "job:up:broken", "expr": "vector(1) * on () up"}]
        }]
    }));
    let overrides = &mut spec["rules"]["overrides"];
    for alert in ["PrometheusErrorSendingAlertsToSomeAlertmanagers", "PrometheusRuleFailures", "TargetDown"] {
        overrides[alert] = json!({"for": "2s"});
    }
    spec
}

/// Waits until the alert with these labels has reached every receiver the route tree gives its
/// labels, and no other; returns them.
fn delivered(spec: &monstack::spec::Spec, sink: &Sink, want: &[(&str, &str)]) -> Vec<String> {
    let (_, alert) = wait_until(&format!("{want:?} delivered"), SETTLE, || sink.find_alert(want));
    let tree = monstack::routing::Tree::new(monstack::routing::effective(spec)).unwrap();
    let labels: monstack::routing::Labels = serde_json::from_value(alert["labels"].clone()).unwrap();
    let mut expected = monstack::routing::receivers(&tree, &labels);
    assert!(!expected.is_empty(), "{want:?} has a receiver");
    expected.sort();
    wait_until(&format!("{want:?} at {expected:?}"), SETTLE, || {
        let mut got = sink.delivered_to(want);
        got.sort();
        if got == expected { Ok(()) } else { Err(format!("delivered to {got:?}")) }
    });
    expected
}
