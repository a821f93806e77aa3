//! `monstack diff`: semantic differences between two environments, as a library and as the
//! command (exit codes, Markdown).

mod common;

use monstack::diff::{self, DASHBOARDS, Kind, ROUTING};
use serde_json::{Value, json};
use std::process::Command;

fn prod() -> Value {
    serde_json::from_slice(&std::fs::read(common::example("prod")).unwrap()).unwrap()
}

fn compare(old: &Value, new: &Value) -> diff::Report {
    let model = |v: &Value| monstack::model("spec.json", &serde_json::to_vec(v).unwrap()).unwrap();
    diff::compare(&model(old), &model(new))
}

fn team<'a>(spec: &'a mut Value, name: &str) -> &'a mut Value {
    spec["teams"].as_array_mut().unwrap().iter_mut().find(|t| t["name"] == name).unwrap()
}

fn monstack(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_monstack")).args(args).env_remove("NO_COLOR").output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn write(dir: &std::path::Path, name: &str, spec: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(spec).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_service_handed_to_another_team_moves_its_label_sets_to_that_teams_receiver() {
    let old = prod();
    let mut new = old.clone();
    team(&mut new, "db")["services"] = json!(["postgresql", "redis"]);
    let report = compare(&old, &new);
    let routing = report.section(ROUTING).unwrap();
    let moved: Vec<(&str, &[String])> =
        routing.items.iter().map(|i| (i.subject.as_str(), i.details.as_slice())).collect();
    assert_eq!(
        moved,
        vec![(
            "{alertname=\"RedisDown\", service=\"redis\", severity=\"critical\"}",
            &["receivers: critical-pagerduty → db-team-pagerduty, critical-pagerduty".to_string()][..]
        )],
        "only Redis' critical alert reaches a team route; its warnings have none"
    );
    assert!(routing.items.iter().all(|i| i.kind == Kind::Changed));
    // The alerts themselves did not change (db already owned the Redis job).
    assert!(report.section(diff::ALERTS).unwrap().items.is_empty());
}

#[test]
fn a_route_matcher_change_reports_every_label_set_it_moves_in_both_trees() {
    let old = prod();
    let mut new = old.clone();
    // Critical alerts no longer continue past the pager: warnings still reach Slack, and the
    // P1 route now also takes P2.
    let routes = new["alertmanager"]["route"]["routes"].as_array_mut().unwrap();
    let pager = routes.iter_mut().find(|r| r["receiver"] == "critical-pagerduty").unwrap();
    pager["matchers"] = json!(["severity=~\"critical|P1|warning\""]);
    pager["continue"] = json!(false);
    // The routing expectations pin the old behaviour; keep those about critical alerts only.
    new["alertmanager"]["expectations"].as_array_mut().unwrap().retain(|e| e["labels"]["severity"] == "critical");
    let report = compare(&old, &new);
    let routing = report.section(ROUTING).unwrap();
    let warning = routing
        .items
        .iter()
        .find(|i| i.subject == "{alertname=\"HostHighCpuLoad\", component=\"server\", severity=\"warning\"}")
        .expect("a warning label set moved to the pager");
    assert_eq!(warning.details, vec!["receivers: warning-slack → critical-pagerduty"]);
    // An expectation's label set (with an instance label no alert rule sets) is compared as well.
    assert!(
        routing.items.iter().any(|i| i.subject.contains("instance=\"postgres-exporter-1.db.internal:9187\"")),
        "{:#?}",
        routing.items.iter().map(|i| &i.subject).collect::<Vec<_>>()
    );
}

#[test]
fn an_alert_threshold_override_shows_as_a_changed_alert() {
    let old = prod();
    let mut new = old.clone();
    new["rules"]["overrides"]["HighErrorRateAPIGateway"] = json!({"threshold": 0.1, "for": "10m"});
    let report = compare(&old, &new);
    let alerts = report.section(diff::ALERTS).unwrap();
    assert_eq!(alerts.items.len(), 1, "{alerts:#?}");
    let item = &alerts.items[0];
    assert_eq!((item.kind, item.subject.as_str()), (Kind::Changed, "HighErrorRateAPIGateway"));
    assert!(item.details.iter().any(|d| d.starts_with("expr: ") && d.ends_with("> 0.1")), "{:?}", item.details);
    assert!(item.details.contains(&"threshold: 0.05 → 0.1".to_string()), "{:?}", item.details);
    assert!(item.details.contains(&"for: 5m → 10m".to_string()), "{:?}", item.details);
}

#[test]
fn removing_an_slo_removes_its_alerts_and_its_panels_from_the_slo_dashboard() {
    let old = prod();
    let mut new = old.clone();
    new["slos"].as_array_mut().unwrap().retain(|s| s["name"] != "odoo-availability");
    let report = compare(&old, &new);
    let alerts = report.section(diff::ALERTS).unwrap();
    let removed: Vec<&str> =
        alerts.items.iter().filter(|i| i.kind == Kind::Removed).map(|i| i.subject.as_str()).collect();
    assert_eq!(
        removed,
        vec!["SLOErrorBudgetBurnFast (SLO odoo-availability)", "SLOErrorBudgetBurnSlow (SLO odoo-availability)"]
    );
    let dashboards = report.section(DASHBOARDS).unwrap();
    let slo = dashboards.items.iter().find(|i| i.subject == "monstack-slo").expect("the SLO dashboard, by uid");
    assert_eq!(slo.kind, Kind::Changed);
    assert!(slo.details.iter().any(|d| d.starts_with("panel removed: odoo-availability / ")), "{:?}", slo.details);
    assert!(!slo.details.iter().any(|d| d.starts_with("panel added")), "{:?}", slo.details);
}

#[test]
fn loki_retention_tiers_and_limits_are_compared_by_name() {
    let old = prod();
    let mut new = old.clone();
    new["loki"]["retention"]["classes"][0]["period"] = json!("400d");
    new["loki"]["retention"]["streams"][0]["period"] = json!("7d");
    new["loki"]["limits"]["max_query_parallelism"] = json!(16);
    let report = compare(&old, &new);
    let loki = report.section(diff::LOKI).unwrap();
    let lines: Vec<String> = loki.items.iter().map(|i| format!("{}: {}", i.subject, i.details.join("; "))).collect();
    assert_eq!(
        lines,
        vec![
            "limit max_query_parallelism: value: 64 → 16",
            "retention of {level=\"debug\"}: period: 14d → 7d",
            "retention of {log_class=\"security_audit\"}: period: 365d → 400d",
        ]
    );
}

#[test]
fn the_same_environment_as_bundle_and_spec_has_no_changes_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let spec = common::example("prod");
    let (code, _, err) = monstack(&["render", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, stdout, _) = monstack(&["diff", out.to_str().unwrap(), spec.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stdout, "monstack diff: prod → prod\nno changes\n");
}

#[test]
fn a_change_exits_1_and_prints_markdown_for_a_pull_request() {
    let dir = tempfile::tempdir().unwrap();
    let mut new = prod();
    team(&mut new, "db")["services"] = json!(["postgresql", "redis"]);
    let old = write(dir.path(), "old.json", &prod());
    let new = write(dir.path(), "new.json", &new);
    let (code, md, err) = monstack(&["diff", &old, &new, "--format", "markdown"]);
    assert_eq!(code, 1, "{err}");
    let routing = "#### Routing\n\n- **changed** `{alertname=\"RedisDown\", service=\"redis\", severity=\"critical\"}`\n  - receivers: `critical-pagerduty` → `db-team-pagerduty, critical-pagerduty`\n";
    assert!(md.starts_with("### monstack diff: `prod` → `prod`\n\n"), "{md}");
    assert!(md.contains(routing), "{md}");
    // Piped, the terminal form has no colour codes.
    let (code, text, _) = monstack(&["diff", &old, &new]);
    assert_eq!(code, 1);
    assert!(text.contains("\n  ~ {alertname=\"RedisDown\""), "{text}");
    assert!(!text.contains('\x1b'), "{text}");
}

#[test]
fn unreadable_or_invalid_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let spec = common::example("prod");
    let (code, _, err) = monstack(&["diff", dir.path().to_str().unwrap(), spec.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not a bundle"), "{err}");
    let mut broken = prod();
    broken["versions"]["loki"] = json!("2.8.0");
    let broken = write(dir.path(), "broken.json", &broken);
    let (code, _, err) = monstack(&["diff", spec.to_str().unwrap(), &broken]);
    assert_eq!(code, 2);
    assert!(err.contains("env prod: versions.loki"), "{err}");
}

/// What a diff must never miss (issue 21): a scrape interval, a retention and a recording rule
/// were "no changes" with exit 0, and prod → staging left out HA, remote write, access, the
/// Alertmanager cluster and time intervals.
#[test]
fn every_option_that_differs_is_listed_by_its_path() {
    let old = prod();
    let mut new = old.clone();
    new["prometheus"]["scrape_interval"] = json!("30s");
    new["prometheus"]["storage"]["retention_time"] = json!("45d");
    let files = new["rules"]["files"].as_array_mut().unwrap();
    files[0]["groups"][0]["rules"].as_array_mut().unwrap().push(json!({
        "record": "job:extra:sum", "expr": "sum by (job) (up)"
    }));
    let report = compare(&old, &new);
    let spec = report.section(diff::SPEC).unwrap();
    let subjects: Vec<&str> = spec.items.iter().map(|i| i.subject.as_str()).collect();
    assert!(subjects.contains(&"prometheus.scrape_interval"), "{subjects:?}");
    assert!(subjects.contains(&"prometheus.storage.retention_time"), "{subjects:?}");
    let file = old["rules"]["files"][0]["name"].as_str().unwrap();
    let group = old["rules"]["files"][0]["groups"][0]["name"].as_str().unwrap();
    let rule = format!("rules.files[{file}].groups[{group}].rules[job:extra:sum]");
    let added = spec.items.iter().find(|i| i.subject == rule).unwrap_or_else(|| panic!("{rule} in {subjects:?}"));
    assert_eq!(added.kind, Kind::Added);

    let staging: Value = serde_json::from_slice(&std::fs::read(common::example("staging")).unwrap()).unwrap();
    let report = compare(&old, &staging);
    let subjects: Vec<String> = report.section(diff::SPEC).unwrap().items.iter().map(|i| i.subject.clone()).collect();
    for path in ["prometheus.ha", "prometheus.remote_write", "access.production", "alertmanager.cluster"] {
        assert!(subjects.iter().any(|s| s.starts_with(path)), "prod → staging misses {path}: {subjects:?}");
    }
    assert!(subjects.iter().any(|s| s.starts_with("alertmanager.time_intervals[")), "{subjects:?}");
}

#[test]
fn a_changed_interval_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let old = prod();
    let mut new = old.clone();
    new["prometheus"]["evaluation_interval"] = json!("1m");
    let (a, b) = (write(dir.path(), "old.json", &old), write(dir.path(), "new.json", &new));
    let (code, out, _) = monstack(&["diff", &a, &b]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("prometheus.evaluation_interval"), "{out}");
    assert!(out.contains("15s → 1m"), "{out}");
}

/// Any change to a spec whose canonical form (spec.json) changes gives a non-empty diff: each
/// case changes one leaf of dev's canonical spec (a string, a number or a flag) and, when the
/// result is still valid, compares.
#[test]
fn any_change_to_a_spec_gives_a_non_empty_diff() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
    let model = |v: &Value| monstack::model("spec.json", &serde_json::to_vec(v).unwrap()).ok();
    let dev: Value = serde_json::from_slice(&std::fs::read(common::example("dev")).unwrap()).unwrap();
    let canonical = serde_json::to_value(&model(&dev).unwrap().spec).unwrap();
    let mut leaves = Vec::new();
    leaf_paths(&canonical, &mut Vec::new(), &mut leaves);
    assert!(leaves.len() > 300, "{} leaves", leaves.len());
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(120);
    let persistence = FileFailurePersistence::WithSource("proptest-regressions");
    let mut runner =
        TestRunner::new(Config { cases, failure_persistence: Some(Box::new(persistence)), ..Config::default() });
    let base = model(&canonical).unwrap();
    let (valid, tried) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner
        .run(&(0..leaves.len(), 0u8..3), |(i, how)| {
            let mut changed = canonical.clone();
            let leaf = leaves[i].iter().fold(&mut changed, |v, step| match step {
                Step::Key(k) => &mut v[k.as_str()],
                Step::Index(n) => &mut v[*n],
            });
            *leaf = match (&*leaf, how) {
                (Value::Bool(b), _) => json!(!b),
                (Value::Number(n), _) => json!(n.as_f64().unwrap_or(0.0) + 1.0 + f64::from(how)),
                (Value::String(s), 0) => json!(format!("{s}x")),
                (Value::String(s), 1) => json!(format!("{s}1")),
                (Value::String(_), _) => json!("5m"),
                // A null leaf (an unset option) is not changed: not counted as a try either, or
                // the share of valid changes drifts toward the threshold below (the dev spec has
                // many; counted, a run of 120 cases fell under it now and then).
                (Value::Null, _) => return Ok(()),
                (other, _) => other.clone(),
            };
            tried.set(tried.get() + 1);
            let Some(new) = model(&changed) else { return Ok(()) };
            valid.set(valid.get() + 1);
            let same = serde_json::to_value(&base.spec).unwrap() == serde_json::to_value(&new.spec).unwrap();
            let report = diff::compare(&base, &new);
            prop_assert_eq!(report.is_empty(), same, "leaf {:?}: {}", leaves[i], report.terminal(false));
            Ok(())
        })
        .unwrap();
    let (valid, tried) = (valid.get(), tried.get());
    eprintln!("{valid} of {tried} changed specs were valid and compared");
    assert!(valid * 4 >= tried, "too few valid mutations ({valid} of {tried}) to prove anything");
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn leaf_paths(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                at.push(Step::Key(k.clone()));
                leaf_paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                leaf_paths(child, at, out);
                at.pop();
            }
        }
        _ => out.push(at.clone()),
    }
}
