//! The alert catalogue and its proof: every alert of every environment has a test in which it
//! fires and one in which it stays silent, `promtool test rules` passes on them (also after
//! overrides), and a wrong test fails.

mod common;

use common::{build, example_json as spec, text};

use common::{ENVS, example, in_ci, on_path};
use serde_json::{Value, json};
use std::process::Command;

/// Runs `promtool test rules` over the bundle's tests; `None` when promtool is missing.
fn promtool_tests(bundle: &monstack::bundle::Bundle) -> Option<(bool, String)> {
    if !on_path("promtool") {
        assert!(!in_ci(), "CI must provide promtool");
        eprintln!("SKIP promtool test rules: promtool not on PATH");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    monstack::bundle::write_atomic(&dir.path().join("b"), bundle.files(), Default::default()).unwrap();
    let tests: Vec<String> = bundle
        .files()
        .keys()
        .filter(|k| k.starts_with("prometheus/tests/") && k.ends_with("_test.yml"))
        .cloned()
        .collect();
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

/// One test whose series turn: silent at its `eval_time`, firing at a later check (`later`) —
/// one promtool test group that promtool holds to both, and fails when they are swapped.
#[test]
fn a_test_checked_at_several_times_is_held_to_each() {
    let mut s = spec("dev");
    let rule = |silent_at: &str, fires_at: &str| {
        json!({
            "alert": "QueueStalled",
            "expr": "sum by (job) (rate(jobs_done_total[10m])) == 0",
            "for": "10m",
            "labels": {"severity": "warning"},
            "annotations": {"summary": "Queue of {{ $labels.job }} stalled", "description": "No job of {{ $labels.job }} has completed for 10 minutes."},
            "tests": [{
                "input_series": [{"series": "jobs_done_total{job=\"worker\"}", "values": "0+5x15 75x30"}],
                "eval_time": silent_at,
                "later": [{"eval_time": fires_at, "fires": [{"labels": {"severity": "warning", "job": "worker"}}]}]
            }]
        })
    };
    s["rules"]["files"] =
        json!([{"name": "custom_alerts", "groups": [{"name": "custom", "rules": [rule("12m", "40m")]}]}]);
    let bundle = build(&s);
    let tests = text(&bundle, "prometheus/tests/custom_alerts_test.yml");
    assert_eq!(tests.matches("- name:").count(), 1, "{tests}");
    assert_eq!(tests.matches("eval_time:").count(), 2, "{tests}");
    let Some((ok, out)) = promtool_tests(&bundle) else { return };
    assert!(ok, "{out}");
    s["rules"]["files"][0]["groups"][0]["rules"] = json!([rule("40m", "12m")]);
    let (ok, out) = promtool_tests(&build(&s)).unwrap();
    assert!(!ok, "swapped checks passed:\n{out}");
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
        for alert in monstack::catalogue::alerts(&spec, &monstack::catalogue::capacity::estimate(&spec)) {
            let parsed = promql_parser::parser::parse(&alert.expr).unwrap_or_else(|e| panic!("{}: {e}", alert.name));
            let rule = monstack::lint::RuleRef {
                alert: Some(&alert.name),
                record: None,
                expr: &parsed,
                for_ms: alert.for_.millis(),
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
fn each_model_and_slo_has_its_own_rule_file_and_its_tests_load_only_it() {
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
        // The whole file, or parts of it copied beside the tests of one alert.
        let whole = format!("prometheus/tests/{stem}_test.yml");
        let parts = format!("prometheus/tests/by_alert/{stem}/");
        let tests: Vec<&String> = bundle
            .files()
            .keys()
            .filter(|k| *k == &whole || (k.starts_with(&parts) && k.ends_with("_test.yml")))
            .collect();
        assert!(!tests.is_empty(), "{stem}");
        for path in tests {
            let doc: Value = serde_yaml::from_str(&text(&bundle, path)).unwrap();
            let loads = if *path == whole {
                format!("../rules/{stem}.yml")
            } else {
                path.trim_start_matches(&parts).replace("_test.yml", ".rules.yml")
            };
            assert_eq!(doc["rule_files"], json!([loads]), "{path}");
        }
        // The file holds its own model's or SLO's rules and no other's.
        for other in stems.iter().filter(|o| *o != stem) {
            let subject = other.trim_start_matches("ai_model_alerts_").trim_start_matches("slo_rules_");
            assert!(!rules.contains(&format!("\"{subject}\"")), "{stem} holds rules of {other}:\n{rules}");
        }
    }
    // Undeclared models keep the seed's file name.
    assert!(text(&bundle, "prometheus/rules/ai_model_alerts.yml").contains("undeclared model"));
}

/// A rule file's groups as text: each group's lines before its rules, and each rule's lines.
fn rule_blocks(file: &str) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for line in file.lines().skip_while(|l| *l != "groups:").skip(1) {
        if line.starts_with("- ") {
            groups.push((String::new(), Vec::new()));
        }
        let (header, rules) = groups.last_mut().expect("a group first");
        if line.starts_with("  - ") {
            rules.push(String::new());
        }
        match rules.last_mut() {
            Some(rule) => rule.push_str(line),
            None => header.push_str(line),
        }
        rules.last_mut().unwrap_or(header).push('\n');
    }
    groups
}

/// Whether every item of `part` is in `whole`, in the same order.
fn in_order<T: PartialEq>(part: &[T], whole: &[T]) -> bool {
    let mut rest = whole.iter();
    part.iter().all(|p| rest.any(|w| w == p))
}

/// A test that loads part of a rule file loads its alert's rules, copied byte for byte in their
/// groups (same settings) and in the file's order.
#[test]
fn tests_load_verbatim_parts_of_their_rule_files_in_file_order() {
    for env in ENVS {
        let bundle = build(&spec(env));
        let mut parts = 0;
        for (path, _) in bundle.files().range("prometheus/tests/by_alert/".to_string()..) {
            let Some(rest) = path.strip_prefix("prometheus/tests/by_alert/") else { break };
            let Some((file, alert)) = rest.strip_suffix("_test.yml").and_then(|r| r.split_once('/')) else { continue };
            parts += 1;
            let doc: Value = serde_yaml::from_str(&text(&bundle, path)).unwrap();
            assert_eq!(doc["rule_files"], json!([format!("{alert}.rules.yml")]), "{path}");
            for t in doc["tests"].as_array().unwrap() {
                assert_eq!(t["alert_rule_test"][0]["alertname"], json!(alert), "{path}");
            }
            let original = bundle
                .get(&format!("prometheus/rules/{file}.yml"))
                .or_else(|| bundle.get(&format!("ruler/{file}.yml")))
                .unwrap_or_else(|| panic!("{path}: no rule file {file}"));
            let original = rule_blocks(std::str::from_utf8(original).unwrap());
            let copy = rule_blocks(&text(&bundle, &format!("prometheus/tests/by_alert/{file}/{alert}.rules.yml")));
            assert!(
                copy.iter().flat_map(|(_, rules)| rules).any(|r| r.contains(&format!("- alert: {alert}\n"))),
                "{path}"
            );
            let mut rest = original.iter();
            for (header, rules) in &copy {
                let (_, all) = rest
                    .find(|(h, _)| h == header)
                    .unwrap_or_else(|| panic!("{path}: group {header} not in {file}, or out of order"));
                assert!(in_order(rules, all), "{path}: rules not verbatim or out of order:\n{rules:#?}");
            }
        }
        assert!(parts > 10, "{env}: {parts} tests load part of a rule file");
    }
}

/// A recording chain a → b → alert: the alert's tests load both recordings and not the
/// unrelated rules; promtool passes on them, and fails when the copy lacks `a`.
#[test]
fn an_alert_tests_load_the_recordings_it_reads_and_fail_without_them() {
    recording_chain("dev", false);
}

/// The same for a file the store's ruler evaluates (`ruler/`, not `prometheus/rules/`).
#[test]
fn a_store_ruler_files_alert_tests_load_the_recordings_it_reads() {
    recording_chain("prod", true);
}

fn recording_chain(env: &str, store_ruler: bool) {
    let mut s = spec(env);
    let test = |rate: &str, fires: Value| {
        json!({"input_series": [{"series": "jobs_failed_total{job=\"worker\"}", "values": format!("0+{rate}x40")},
                                {"series": "jobs_total{job=\"worker\"}", "values": "0+10x40"}],
               "eval_time": "30m", "fires": fires})
    };
    s["rules"]["files"] = json!([{"name": "custom_alerts", "store_ruler": store_ruler, "groups": [
        {"name": "rates", "rules": [
            {"record": "job:jobs_failed:rate5m", "expr": "sum by (job) (rate(jobs_failed_total[5m]))"},
            {"record": "job:jobs:rate5m", "expr": "sum by (job) (rate(jobs_total[5m]))"},
            {"record": "job:unrelated:max", "expr": "max by (job) (queue_depth)"}
        ]},
        {"name": "alerts", "rules": [
            {"record": "job:jobs_failed:ratio_rate5m", "expr": "job:jobs_failed:rate5m / job:jobs:rate5m"},
            {"alert": "JobsFailing", "expr": "job:jobs_failed:ratio_rate5m > 0.5", "for": "5m",
             "labels": {"severity": "warning"},
             "annotations": {"summary": "Jobs of {{ $labels.job }} fail", "description": "Over half of the jobs of {{ $labels.job }} have failed for 5 minutes."},
             "tests": [test("8", json!([{"labels": {"severity": "warning", "job": "worker"}}])), test("1", json!([]))]},
            {"alert": "QueueDeep", "expr": "job:unrelated:max > 100", "for": "5m",
             "labels": {"severity": "warning"},
             "annotations": {"summary": "Queue of {{ $labels.job }} deep", "description": "The queue of {{ $labels.job }} has been over 100 for 5 minutes."},
             "tests": [{"input_series": [{"series": "queue_depth{job=\"worker\"}", "values": "500x40"}], "eval_time": "30m",
                        "fires": [{"labels": {"severity": "warning", "job": "worker"}}]},
                       {"input_series": [{"series": "queue_depth{job=\"worker\"}", "values": "5x40"}], "eval_time": "30m"}]}
        ]}
    ]}]);
    let bundle = build(&s);
    let (source, other) = if store_ruler {
        ("ruler/custom_alerts.yml", "prometheus/rules/custom_alerts.yml")
    } else {
        ("prometheus/rules/custom_alerts.yml", "ruler/custom_alerts.yml")
    };
    assert!(bundle.get(source).is_some() && bundle.get(other).is_none(), "the rule file is written to {source}");
    let copy_path = "prometheus/tests/by_alert/custom_alerts/JobsFailing.rules.yml";
    let copy = text(&bundle, copy_path);
    assert!(copy.lines().next().unwrap().contains(&format!("The rules of {source} ")), "{copy}");
    let loaded: Vec<&str> =
        copy.lines().filter_map(|l| l.strip_prefix("  - record: ").or(l.strip_prefix("  - alert: "))).collect();
    assert_eq!(
        loaded,
        ["job:jobs_failed:rate5m", "job:jobs:rate5m", "job:jobs_failed:ratio_rate5m", "JobsFailing"],
        "{copy}"
    );
    assert!(bundle.get("prometheus/tests/by_alert/custom_alerts/QueueDeep_test.yml").is_some());
    assert!(bundle.get("prometheus/tests/custom_alerts_test.yml").is_none());
    let Some((ok, out)) = promtool_tests(&bundle) else { return };
    assert!(ok, "{out}");

    // Without the first link of the chain the ratio is never recorded and the firing test fails.
    let mut broken = monstack::bundle::Bundle::default();
    for (path, bytes) in bundle.files() {
        let bytes = if path == copy_path {
            let without = copy.replace(
                "  - record: job:jobs_failed:rate5m\n    expr: sum by (job) (rate(jobs_failed_total[5m]))\n",
                "",
            );
            assert_ne!(without, copy);
            without.into_bytes()
        } else {
            bytes.clone()
        };
        broken.add(path.clone(), bytes);
    }
    let (ok, out) = promtool_tests(&broken).unwrap();
    assert!(!ok, "the tests passed without a rule the alert reads:\n{out}");
    assert!(out.contains("JobsFailing"), "{out}");
}

/// The spec with kube-state-metrics and DCGM scraped as they were before issue 20: Kubernetes
/// discovery's `namespace`/`pod` target labels and no `honor_labels`.
fn renaming_scrapes(mut s: Value) -> Value {
    for job in s["scrape_jobs"].as_array_mut().unwrap() {
        if ["kubernetes-kube-state-metrics", "dcgm_exporter"].contains(&job["name"].as_str().unwrap()) {
            let job = job.as_object_mut().unwrap();
            job.remove("honor_labels");
            job.remove("relabel_configs");
        }
    }
    s
}

/// One catalogue alert of the spec (validated or not).
fn catalogue_alert(spec: &Value, alert: &str, subject: Option<&str>) -> monstack::catalogue::Alert {
    let loaded = monstack::spec::load("spec.json", &serde_json::to_vec(spec).unwrap()).unwrap().spec;
    let mut alerts: Vec<_> = monstack::catalogue::alerts(&loaded, &monstack::catalogue::capacity::estimate(&loaded))
        .into_iter()
        .filter(|a| a.name == alert && a.subject.as_deref() == subject)
        .collect();
    assert_eq!(alerts.len(), 1, "{alert} for {subject:?}");
    alerts.remove(0)
}

/// Runs promtool over alerts' standalone tests (their scenarios' input series through each
/// job's scrape); `None` without promtool.
fn promtool_alone(alerts: &[monstack::catalogue::Alert]) -> Option<(bool, String)> {
    if !on_path("promtool") {
        assert!(!in_ci(), "CI must provide promtool");
        return None;
    }
    let (rules, tests) = monstack::render::rule_tests::standalone(alerts);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.yml"), rules).unwrap();
    std::fs::write(dir.path().join("tests.yml"), tests).unwrap();
    let o = Command::new("promtool").args(["test", "rules", "tests.yml"]).current_dir(dir.path()).output().unwrap();
    Some((o.status.success(), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))))
}

fn standalone_promtool(spec: &Value, alert: &str, subject: Option<&str>) -> Option<(bool, String)> {
    promtool_alone(&[catalogue_alert(spec, alert, subject)])
}

/// KubernetesPodCrashLooping under kubelet's real back-off (a restart every 300 s, the cap):
/// the kubernetes-mixin's form (waiting in CrashLoopBackOff) fires; the old form,
/// `increase(restarts[15m]) > 3`, sees exactly 3 restarts in 15 minutes and never fires.
#[test]
fn crash_looping_fires_through_kubelets_capped_backoff_where_counting_restarts_does_not() {
    let alert = catalogue_alert(&spec("dev"), "KubernetesPodCrashLooping", None);
    assert!(alert.expr.starts_with("max_over_time(kube_pod_container_status_waiting_reason{"), "{}", alert.expr);
    let firing = &alert.scenarios.firing.series;
    assert!(
        firing.iter().any(
            |(s, v)| s.starts_with("kube_pod_container_status_restarts_total{") && v.starts_with("0x4 1x4 2x4 3x4")
        )
    );
    let Some((ok, out)) = promtool_alone(std::slice::from_ref(&alert)) else { return };
    assert!(ok, "{out}");
    let old = monstack::catalogue::Alert {
        expr: "increase(kube_pod_container_status_restarts_total{job=\"kubernetes-kube-state-metrics\"}[15m]) > 3"
            .into(),
        ..alert
    };
    let (ok, out) = promtool_alone(&[old]).unwrap();
    assert!(!ok && out.contains("KubernetesPodCrashLooping fires") && out.contains("got:[]"), "{out}");
}

/// Issue 20's GPU-join defect, reproduced: with the exporters' `namespace`/`pod` renamed to
/// `exported_namespace`/`exported_pod` by the scrape, the per-model GPU alerts' join
/// `on (namespace, pod)` finds nothing and their firing test fails under promtool (as it did on
/// the CreativeFlow environments before their jobs honoured the exporters' labels); validation
/// refuses such a job, naming it; the environment as declared passes.
#[test]
fn a_scrape_renaming_the_join_labels_fails_the_gpu_alerts_firing_tests() {
    let fixed = spec("prod");
    let broken = renaming_scrapes(fixed.clone());
    for alert in ["CustomAIModelGpuSaturation", "CustomAIModelGpuMemorySaturation"] {
        let Some((ok, out)) = standalone_promtool(&broken, alert, Some("model image-gen-v2")) else { return };
        assert!(!ok && out.contains(&format!("{alert} fires")) && out.contains("got:[]"), "{out}");
        let (ok, out) = standalone_promtool(&fixed, alert, Some("model image-gen-v2")).unwrap();
        assert!(ok, "{out}");
    }
    // The same shape gives every kube-state-metrics series the exporter's own namespace: the
    // crash-looping pod is reported in kube-system.
    let (ok, out) = standalone_promtool(&broken, "KubernetesPodCrashLooping", None).unwrap();
    assert!(!ok && out.contains("exported_namespace=\"creativeflow\"") && out.contains("kube-system/"), "{out}");
    let (ok, out) = standalone_promtool(&fixed, "KubernetesPodCrashLooping", None).unwrap();
    assert!(ok, "{out}");
    // Validation refuses the shape before any test runs, naming both jobs.
    let diags = monstack::build("spec.json", &serde_json::to_vec(&broken).unwrap()).unwrap_err();
    let renamed: Vec<String> =
        diags.iter().filter(|d| d.code.to_string() == "scrape/renamed-label").map(|d| d.path.clone()).collect();
    let jobs = broken["scrape_jobs"].as_array().unwrap();
    let at = |name: &str| jobs.iter().position(|j| j["name"] == name).unwrap();
    assert_eq!(
        renamed,
        [
            format!("scrape_jobs[{}].honor_labels", at("kubernetes-kube-state-metrics")),
            format!("scrape_jobs[{}].honor_labels", at("dcgm_exporter"))
        ],
        "{diags:#?}"
    );
}

/// Issue 20: the SLO windows read raw counters only over 5 minutes; every longer window (the
/// 30-day period included) is derived from the recorded 5-minute rates, in groups evaluated
/// every minute (short windows, alerts) or every 5 minutes (a day and longer). The period reads
/// local data: validation requires the retention to keep it, and exempts a store_ruler file.
#[test]
fn slo_windows_derive_from_recorded_5m_rates() {
    let s = spec("prod");
    let loaded = monstack::spec::load("spec.json", &serde_json::to_vec(&s).unwrap()).unwrap().spec;
    let recordings = monstack::catalogue::recordings(&loaded);
    let slo_rules: Vec<_> = recordings.iter().filter(|r| r.file.starts_with("slo_rules_")).collect();
    assert!(slo_rules.len() > 20);
    let raw_reads = |expr: &str| {
        let parsed = promql_parser::parser::parse(expr).unwrap();
        let raw = monstack::lint::analysis::selectors(&parsed)
            .iter()
            .any(|v| !monstack::lint::analysis::metric_name(v).unwrap_or("").starts_with("slo:"));
        (raw, monstack::lint::analysis::lookback_ms(&parsed))
    };
    for r in &slo_rules {
        let (raw, back) = raw_reads(&r.expr);
        assert!(!raw || back <= 300_000, "{} reads raw series over {back} ms: {}", r.record, r.expr);
    }
    let period = slo_rules.iter().find(|r| r.record == "slo:sli_error:ratio_rate30d").unwrap();
    assert!(period.expr.starts_with("sum_over_time(slo:sli_bad_events:rate5m{"), "{}", period.expr);
    let file = text(&build(&s), "prometheus/rules/slo_rules_api-gateway-availability.yml");
    assert!(file.contains("- name: slo_api_gateway_availability\n  interval: 1m\n"), "{file}");
    assert!(file.contains("- name: slo_api_gateway_availability_long_windows\n  interval: 5m\n"), "{file}");

    // 15 days of local data cannot give a 30-day ratio; a store_ruler file may read further.
    let mut short = s.clone();
    short["prometheus"]["storage"]["retention_time"] = json!("15d");
    let diags = monstack::build("spec.json", &serde_json::to_vec(&short).unwrap()).unwrap_err();
    assert!(
        diags.iter().all(|d| d.code.to_string() == "rule/beyond-retention" && d.path.ends_with(".period")),
        "{diags:#?}"
    );
    assert_eq!(diags.len(), s["slos"].as_array().unwrap().len());
    let mut remote = s.clone();
    remote["rules"]["files"][0]["groups"][0]["rules"] =
        json!([{"record": "job:up:avg90d", "expr": "avg_over_time(up[90d])"}]);
    assert_eq!(remote["rules"]["files"][0]["store_ruler"], json!(true));
    build(&remote);
}

/// Every counter of a scenario's input (`0+<per minute>x<n>`) at `k` times its rate.
fn trickle(series: &[(String, String)], k: f64) -> Vec<(String, String)> {
    let counter = regex::Regex::new(r"^0\+([0-9.e+-]+)x(\d+)$").unwrap();
    series
        .iter()
        .map(|(s, v)| {
            let c = counter.captures(v).unwrap_or_else(|| panic!("not a steady counter: {s} {v}"));
            let per_min: f64 = c[1].parse().unwrap();
            (s.clone(), format!("0+{}x{}", per_min * k, &c[2]))
        })
        .collect()
}

/// Issue 20's minimum-traffic guard: a ratio alert's firing scenario slowed to one event in 5
/// minutes (the same share failing), or to no traffic at all, must stay silent; without the
/// guard (`and <all events per second> > rules.ratio_min_rate`), the trickle fires.
#[test]
fn ratio_alerts_stay_silent_on_a_trickle_and_at_zero_traffic() {
    let s = spec("prod");
    let cases = [
        ("HighErrorRateAPIGateway", None),
        ("N8nWorkflowFailures", None),
        ("LowRegistrationSuccessRate", None),
        ("HighApiErrorRateForKeyUsers", None),
        ("CustomAIModelHighErrorRate", Some("model image-gen-v2")),
    ];
    for (name, subject) in cases {
        let alert = catalogue_alert(&s, name, subject);
        let guard = " and sum";
        assert!(alert.expr.contains(guard) && alert.expr.ends_with(" > 0.1"), "{}", alert.expr);
        let firing = &alert.scenarios.firing;
        // The busiest series of the scenario counts 600 events a minute: 1 in 5 minutes is 1/3000.
        for k in [1.0 / 3000.0, 0.0] {
            let mut quiet = alert.clone();
            quiet.scenarios.firing.series = trickle(&firing.series, k);
            quiet.scenarios.firing.expect = vec![];
            quiet.scenarios.healthy = None;
            let Some((ok, out)) = promtool_alone(std::slice::from_ref(&quiet)) else { return };
            assert!(ok, "{name} fired at {k} x its firing traffic:\n{out}");
            if k > 0.0 {
                let unguarded = monstack::catalogue::Alert {
                    expr: quiet.expr.split(guard).next().unwrap().to_string(),
                    ..quiet.clone()
                };
                let (ok, out) = promtool_alone(&[unguarded]).unwrap();
                assert!(!ok && out.contains(&format!("{name} fires")), "{name} without its guard:\n{out}");
            }
        }
    }
}

/// Issue 20: HostDiskWillFillSoon with the node mixin's guards. A filesystem shrinking fast
/// enough to fill in 24 hours fires; a half-free one shrinking as fast (7 × 10⁵ bytes a minute
/// from 80% free: 50% free at the evaluation, empty within the day), or a read-only one, stays
/// silent — where the old expression (the 6-hour trend alone) fired.
#[test]
fn disk_fill_alert_has_the_node_mixins_guards() {
    let alert = catalogue_alert(&spec("dev"), "HostDiskWillFillSoon", None);
    let Some((ok, out)) = promtool_alone(std::slice::from_ref(&alert)) else { return };
    assert!(ok, "{out}");
    let with = |metric: &str, values: &str| {
        let mut a = alert.clone();
        for (s, v) in &mut a.scenarios.firing.series {
            if s.starts_with(&format!("{metric}{{")) {
                let n = v.rsplit('x').next().unwrap().to_string();
                *v = format!("{values}x{n}");
            }
        }
        a.scenarios.firing.expect = vec![];
        a.scenarios.healthy = None;
        a
    };
    let old = "predict_linear(node_filesystem_avail_bytes{job=\"node_exporter\", fstype!~\"tmpfs|fuse.lxcfs\", mountpoint!=\"/boot\"}[6h], 24 * 3600) < 0";
    for (what, guarded) in [
        ("half-free", with("node_filesystem_avail_bytes", "8e8-7e5")),
        ("read-only", with("node_filesystem_readonly", "1+0")),
    ] {
        let (ok, out) = promtool_alone(std::slice::from_ref(&guarded)).unwrap();
        assert!(ok, "fired on a {what} filesystem:\n{out}");
        let unguarded = monstack::catalogue::Alert { expr: old.into(), ..guarded };
        let (ok, out) = promtool_alone(&[unguarded]).unwrap();
        assert!(!ok && out.contains("HostDiskWillFillSoon fires"), "the old expression on a {what} filesystem:\n{out}");
    }
}

/// The catalogue, the recording rules and the dashboards key on what a job is (issue 21, item
/// 2): dev's node_exporter, PostgreSQL and RabbitMQ per-queue jobs renamed, each declaring its
/// `exporter` (and, for the queues, the endpoint), switch on the same alerts, recordings and
/// dashboards, reading the new names, and every alert is still proven by its tests.
#[test]
fn jobs_switch_on_the_catalogue_by_their_exporter_not_their_name() {
    let original = build(&spec("dev"));
    let mut s = spec("dev");
    for job in s["scrape_jobs"].as_array_mut().unwrap() {
        let (name, exporter) = match job["name"].as_str().unwrap() {
            "node_exporter" => ("hosts", "node-exporter"),
            "postgres_exporter" => ("pg", "postgres-exporter"),
            "rabbitmq_queues" => ("mq-per-queue", "rabbitmq-exporter"),
            _ => continue,
        };
        job["name"] = name.into();
        job["exporter"] = exporter.into();
    }
    // The spec's own references to the old names.
    let renamed = serde_json::to_string(&s)
        .unwrap()
        .replace(r#"job=\"node_exporter\""#, r#"job=\"hosts\""#)
        .replace(r#""job":"node_exporter""#, r#""job":"hosts""#)
        .replace(r#""job":"postgres_exporter""#, r#""job":"pg""#);
    let s: Value = serde_json::from_str(&renamed).unwrap();
    let bundle = build(&s);
    let rules = text(&bundle, "prometheus/rules/infrastructure_alerts.yml");
    for alert in ["HostHighCpuLoad", "HostLowDiskSpace", "PostgresqlDown", "RabbitmqHighQueueDepth"] {
        assert!(rules.contains(&format!("alert: {alert}")), "{alert} missing");
    }
    for (old, new) in [("node_exporter", "hosts"), ("postgres_exporter", "pg"), ("rabbitmq_queues", "mq-per-queue")] {
        assert!(!rules.contains(&format!("job=\"{old}\"")), "{old} still read:\n{rules}");
        assert!(rules.contains(&format!("job=\"{new}\"")), "{new} not read");
    }
    let recordings = text(&bundle, "prometheus/rules/recording_rules.yml");
    assert!(recordings.contains(r#"node_cpu_seconds_total{job="hosts", mode="idle"}"#), "{recordings}");
    let node_board = text(&bundle, "grafana/dashboards/infrastructure/node_exporter_server_health.json");
    assert!(node_board.contains(r#"job=\"hosts\""#), "{node_board}");
    assert!(!node_board.contains(r#"job=\"node_exporter\""#), "{node_board}");
    // As many alerts as before, every one proven.
    let count = |b: &monstack::bundle::Bundle| {
        serde_json::from_str::<Value>(&text(b, "prometheus/tests/coverage.json")).unwrap()
    };
    let (before, after) = (count(&original), count(&bundle));
    assert_eq!(before["alerts"], after["alerts"], "{before} → {after}");
    assert_eq!(after["alerts"], after["proven"], "{after}");
    if let Some((ok, out)) = promtool_tests(&bundle) {
        assert!(ok, "{out}");
    }

    // Named like a seed job but declared as another exporter: it is what it declares.
    let mut s = spec("dev");
    let job = s["scrape_jobs"].as_array_mut().unwrap().iter_mut().find(|j| j["name"] == "redis_exporter").unwrap();
    job["exporter"] = "blackbox".into();
    // The Redis dashboard would have no job to show: it goes too.
    for folder in s["grafana"]["folders"].as_array_mut().unwrap() {
        folder["dashboards"].as_array_mut().unwrap().retain(|d| d != "redis");
    }
    let model = monstack::model("spec.json", &serde_json::to_vec(&s).unwrap()).unwrap_or_else(|d| panic!("{d:?}"));
    let switched = monstack::catalogue::kinds::switched(&model);
    let redis = switched.jobs.iter().find(|j| j.job == "redis_exporter").unwrap();
    assert!(redis.groups.is_empty(), "{redis:?}");
}

/// A job the spec's own rules or SLOs select — by `job` or by one of the job's own target
/// labels, exactly or by a pattern — is watched, not "only TargetDown" (issue 21, item 2): the
/// 1,000 services of the bench fleet are read by their own rules through `service`. A rule that
/// only excludes the job, or names another, leaves the warning.
#[test]
fn a_job_read_by_the_specs_own_rules_or_slos_switches_on_own_rules() {
    let groups_of = |expr: &str, slo: Option<&str>| {
        let mut s = spec("dev");
        s["scrape_jobs"].as_array_mut().unwrap().push(serde_json::json!({
            "name": "billing", "labels": {"service": "billing"},
            "discovery": {"static": {"targets": ["billing:8080"]}}
        }));
        s["rules"]["files"].as_array_mut().unwrap().push(serde_json::json!({
            "name": "billing", "groups": [{"name": "billing", "rules": [{"record": "job:up:sum", "expr": expr}]}]
        }));
        if let Some(selector) = slo {
            s["slos"].as_array_mut().unwrap().push(serde_json::json!({
                "name": "billing-availability", "service": "billing", "objective": 0.99,
                "sli": {"availability": {"errors": format!("http_requests_total{{{selector}, code=~\"5..\"}}"),
                                          "total": format!("http_requests_total{{{selector}}}")}}
            }));
        }
        let bytes = serde_json::to_vec(&s).unwrap();
        let model = monstack::model("spec.json", &bytes).unwrap_or_else(|d| panic!("{d:?}"));
        let switched = monstack::catalogue::kinds::switched(&model);
        let warned = switched.warnings(&model.spec).iter().any(|w| w.message.contains("\"billing\""));
        let groups = switched.jobs.iter().find(|j| j.job == "billing").unwrap().groups.clone();
        (groups, warned)
    };
    let own = (vec!["own rules".to_string()], false);
    assert_eq!(groups_of(r#"sum by (job) (up{job="billing"})"#, None), own);
    assert_eq!(groups_of(r#"sum by (job) (up{service="billing"})"#, None), own);
    assert_eq!(groups_of(r#"sum by (job) (up{job=~"bill.*|payments"})"#, None), own);
    // Prometheus anchors a pattern: `bil+` is not `billing`.
    assert_eq!(groups_of(r#"sum by (job) (up{job=~"bil+"})"#, None), (vec![], true));
    assert_eq!(groups_of(r#"sum by (job) (up{job!="billing"})"#, None), (vec![], true));
    assert_eq!(groups_of(r#"sum by (job) (up{job="payments"})"#, None), (vec![], true));
    let slo = groups_of(r#"sum by (job) (up{job="payments"})"#, Some(r#"job="billing""#));
    assert_eq!(slo, (vec!["slo".to_string()], false));
}
