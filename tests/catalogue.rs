//! The alert catalogue and its proof: every alert of every environment has a test in which it
//! fires and one in which it stays silent, `promtool test rules` passes on them (also after
//! overrides), and a wrong test fails.

mod common;

use common::{ENVS, example, in_ci, on_path};
use serde_json::{Value, json};
use std::process::Command;

fn spec(env: &str) -> Value {
    serde_json::from_slice(&std::fs::read(example(env)).unwrap()).unwrap()
}

fn build(spec: &Value) -> monstack::bundle::Bundle {
    monstack::build("spec.json", &serde_json::to_vec(spec).unwrap()).unwrap_or_else(|d| panic!("{d:#?}"))
}

fn text(bundle: &monstack::bundle::Bundle, path: &str) -> String {
    String::from_utf8(bundle.get(path).unwrap_or_else(|| panic!("no {path}")).to_vec()).unwrap()
}

/// Runs `promtool test rules` over the bundle's tests; `None` when promtool is missing.
fn promtool_tests(bundle: &monstack::bundle::Bundle) -> Option<(bool, String)> {
    if !on_path("promtool") {
        assert!(!in_ci(), "CI must provide promtool");
        eprintln!("SKIP promtool test rules: promtool not on PATH");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    monstack::bundle::write_atomic(&dir.path().join("b"), bundle.files()).unwrap();
    let tests: Vec<String> =
        bundle.files().keys().filter(|k| k.starts_with("prometheus/tests/") && k.ends_with(".yml")).cloned().collect();
    let o = Command::new("promtool")
        .args(["test", "rules"])
        .args(&tests)
        .current_dir(dir.path().join("b"))
        .output()
        .unwrap();
    Some((o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))))
}

#[test]
fn every_alert_of_every_environment_is_proven() {
    for env in ENVS {
        let bundle = build(&spec(env));
        let coverage: Value = serde_json::from_str(&text(&bundle, "prometheus/tests/coverage.json")).unwrap();
        assert!(coverage["alerts"].as_u64().unwrap() > 20, "{env}: {coverage}");
        assert_eq!(coverage["alerts"], coverage["proven"], "{env}: {coverage}");
    }
}

#[test]
fn the_seed_names_are_kept() {
    let bundle = build(&spec("prod"));
    let rules: String = ["application_alerts", "infrastructure_alerts", "ai_model_alerts", "business_process_alerts"]
        .iter()
        .map(|f| text(&bundle, &format!("prometheus/rules/{f}.yml")))
        .collect();
    for name in [
        "HighErrorRateAPIGateway",
        "HostHighCpuLoad",
        "HostLowDiskSpace",
        "CustomAIModelHighInferenceLatency",
        "CustomAIModelHighErrorRate",
        "LowRegistrationSuccessRate",
        "HighPaymentFailureRate",
        "AIGenerationSuccessRateLow",
        "Watchdog",
    ] {
        assert!(rules.contains(&format!("alert: {name}\n")), "{name} missing");
    }
}

#[test]
fn overrides_change_generated_alerts_and_their_tests_follow() {
    let mut s = spec("prod");
    s["rules"]["overrides"] = json!({
        "HighErrorRateAPIGateway": {"threshold": 0.5, "for": "2m", "severity": "warning", "labels": {"team": "platform"}},
        "HostHighCpuLoad": {"disabled": true},
        "PostgresqlReplicationLag": {"threshold": 120}
    });
    let bundle = build(&s);
    let app = text(&bundle, "prometheus/rules/application_alerts.yml");
    let gw = app.split("- alert: ").find(|r| r.starts_with("HighErrorRateAPIGateway")).unwrap();
    assert!(
        gw.contains("> 0.5")
            && gw.contains("for: 2m")
            && gw.contains("severity: warning")
            && gw.contains("team: platform"),
        "{gw}"
    );
    let infra = text(&bundle, "prometheus/rules/infrastructure_alerts.yml");
    assert!(!infra.contains("HostHighCpuLoad"));
    assert!(infra.contains("pg_replication_lag_seconds{job=\"postgres_exporter\"} > 120"));
    if let Some((ok, out)) = promtool_tests(&bundle) {
        assert!(ok, "{out}");
    }
}

#[test]
fn promtool_passes_every_generated_test_and_fails_a_wrong_one() {
    let mut s = spec("dev");
    let tested_rule = json!({
        "alert": "QueueStalled",
        "expr": "sum by (job) (rate(jobs_done_total[10m])) == 0",
        "for": "10m",
        "labels": {"severity": "warning"},
        "annotations": {"summary": "Queue of {{ $labels.job }} stalled", "description": "No job of {{ $labels.job }} has completed for 10 minutes."},
        "tests": [
            {"input_series": [{"series": "jobs_done_total{job=\"worker\"}", "values": "0+0x40"}],
             "eval_time": "30m", "fires": [{"labels": {"severity": "warning", "job": "worker"}}]},
            {"input_series": [{"series": "jobs_done_total{job=\"worker\"}", "values": "0+5x40"}],
             "eval_time": "30m"}
        ]
    });
    s["rules"]["files"] =
        json!([{"name": "custom_alerts", "groups": [{"name": "custom", "rules": [tested_rule.clone()]}]}]);
    let bundle = build(&s);
    assert!(bundle.get("prometheus/tests/custom_alerts_test.yml").is_some());
    let Some((ok, out)) = promtool_tests(&bundle) else { return };
    assert!(ok, "{out}");

    // The same rule with its expectations swapped: promtool must reject it.
    let mut wrong = tested_rule;
    wrong["tests"][0]["input_series"][0]["values"] = "0+5x40".into();
    s["rules"]["files"][0]["groups"][0]["rules"] = json!([wrong]);
    let (ok, out) = promtool_tests(&build(&s)).unwrap();
    assert!(!ok, "a wrong test passed:\n{out}");
    assert!(out.contains("QueueStalled"), "{out}");
}

#[test]
fn catalogue_alert_names_are_unique_and_named_like_prometheus_alerts() {
    let names = monstack::catalogue::names();
    let mut sorted = names.clone();
    sorted.dedup();
    assert_eq!(names.len(), sorted.len());
    for n in names {
        assert!(n.chars().next().unwrap().is_ascii_uppercase() && n.chars().all(|c| c.is_ascii_alphanumeric()), "{n}");
    }
}

/// The catalogue holds itself to the lints the spec's own rules must pass.
#[test]
fn every_generated_rule_passes_every_lint() {
    for env in ENVS {
        let loaded = monstack::spec::load("spec.json", &std::fs::read(example(env)).unwrap()).unwrap();
        let spec = loaded.spec;
        let cx = monstack::lint::Context {
            scrape_interval_ms: 15_000,
            runbook_base_url: spec.rules.runbook_base_url.is_some(),
        };
        let mut problems = Vec::new();
        for alert in monstack::catalogue::alerts(&spec) {
            let parsed = promql_parser::parser::parse(&alert.expr).unwrap_or_else(|e| panic!("{}: {e}", alert.name));
            let rule = monstack::lint::RuleRef {
                alert: Some(&alert.name),
                record: None,
                expr: &parsed,
                for_ms: alert.for_.millis().unwrap(),
                labels: &alert.labels,
                annotations: &alert.annotations,
            };
            for f in monstack::lint::check(&rule, &cx) {
                problems.push(format!("{env} {}: {} {}: {}", alert.name, f.code, f.field, f.message));
            }
        }
        let no_annotations = std::collections::BTreeMap::new();
        for r in monstack::catalogue::recordings(&spec) {
            let parsed = promql_parser::parser::parse(&r.expr).unwrap_or_else(|e| panic!("{}: {e}", r.record));
            let rule = monstack::lint::RuleRef {
                alert: None,
                record: Some(&r.record),
                expr: &parsed,
                for_ms: 0,
                labels: &r.labels,
                annotations: &no_annotations,
            };
            for f in monstack::lint::check(&rule, &cx) {
                problems.push(format!("{env} {}: {} {}: {}", r.record, f.code, f.field, f.message));
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

/// The description states the alert's effective `for`, also when an override changes it.
#[test]
fn descriptions_follow_an_overridden_for() {
    let mut s = spec("dev");
    s["rules"]["overrides"]["TargetDown"] = json!({ "for": "90s" });
    s["rules"]["overrides"]["HostHighCpuLoad"] = json!({ "for": "1h" });
    let rules = text(&build(&s), "prometheus/rules/infrastructure_alerts.yml");
    assert!(
        rules.contains("has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for 90 seconds."),
        "{rules}"
    );
    assert!(rules.contains("has been above 0.8 for 1 hour."), "{rules}");
    let plain = text(&build(&spec("dev")), "prometheus/rules/infrastructure_alerts.yml");
    assert!(plain.contains("(job {{ $labels.job }}) for 5 minutes."), "{plain}");
}

#[test]
fn each_model_and_slo_has_its_own_rule_file_and_test_file_loading_only_it() {
    let s = spec("prod");
    let bundle = build(&s);
    let mut stems: Vec<String> = s["ai_models"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("ai_model_alerts_{}", m["name"].as_str().unwrap()))
        .collect();
    stems.extend(s["slos"].as_array().unwrap().iter().map(|x| format!("slo_rules_{}", x["name"].as_str().unwrap())));
    assert!(stems.len() >= 4, "{stems:?}");
    for stem in &stems {
        let rules = text(&bundle, &format!("prometheus/rules/{stem}.yml"));
        let tests: Value = serde_yaml::from_str(&text(&bundle, &format!("prometheus/tests/{stem}_test.yml"))).unwrap();
        assert_eq!(tests["rule_files"], json!([format!("../rules/{stem}.yml")]), "{stem}");
        // The file holds its own model's or SLO's rules and no other's.
        for other in stems.iter().filter(|o| *o != stem) {
            let subject = other.trim_start_matches("ai_model_alerts_").trim_start_matches("slo_rules_");
            assert!(!rules.contains(&format!("\"{subject}\"")), "{stem} holds rules of {other}:\n{rules}");
        }
    }
    // Undeclared models keep the seed's file name.
    assert!(text(&bundle, "prometheus/rules/ai_model_alerts.yml").contains("undeclared model"));
}
