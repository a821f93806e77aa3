//! `prometheus/tests/<rule file>_test.yml`: promtool unit tests for every alert, from the
//! catalogue's scenarios and the spec's own rule tests. A test file loads only the rule file it
//! tests, since promtool's cost grows with the rules loaded times the evaluation steps.
//! `prometheus/tests/coverage.json` counts the alerts proven both ways.

use super::{json, yaml};
use crate::bundle::Bundle;
use crate::catalogue::Alert;
use crate::catalogue::scenario::Scenario;
use crate::spec::rules::Rule;
use crate::validate::Model;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct TestFile {
    rule_files: Vec<String>,
    evaluation_interval: &'static str,
    tests: Vec<TestGroup>,
}

#[derive(Serialize)]
struct TestGroup {
    name: String,
    interval: &'static str,
    input_series: Vec<InputSeries>,
    alert_rule_test: Vec<AlertTest>,
}

#[derive(Serialize)]
struct InputSeries {
    series: String,
    values: String,
}

#[derive(Serialize)]
struct AlertTest {
    eval_time: String,
    alertname: String,
    exp_alerts: Vec<Expected>,
}

#[derive(Serialize)]
struct Expected {
    exp_labels: BTreeMap<String, String>,
    exp_annotations: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Coverage {
    alerts: usize,
    proven: usize,
    /// Alerts without a firing and a silent test (always empty: validation requires them).
    unproven: Vec<String>,
}

/// Whether every `{{ … }}` in the templates is `{{ $labels.<name> }}`, which the expected
/// annotations can be computed from.
pub fn labels_only<'a>(templates: impl IntoIterator<Item = &'a String>) -> bool {
    templates.into_iter().all(|t| {
        let mut rest = t.as_str();
        while let Some(start) = rest.find("{{") {
            let Some(end) = rest[start..].find("}}") else { return false };
            let inner = rest[start + 2..start + end].trim();
            let ok = inner.strip_prefix("$labels.").is_some_and(crate::syntax::names::is_label_name);
            if !ok {
                return false;
            }
            rest = &rest[start + end + 2..];
        }
        true
    })
}

/// A template with `{{ $labels.x }}` filled in as Prometheus does (a missing label is "").
pub fn expand(template: &str, labels: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").map(|e| start + e).unwrap_or(rest.len() - 2);
        let name = rest[start + 2..end].trim().trim_start_matches("$labels.");
        out.push_str(labels.get(name).map(String::as_str).unwrap_or(""));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether a catalogue alert's tests can evaluate the rules every 5 minutes instead of every
/// minute, at a fifth of promtool's cost (which grows with the evaluation steps; SLO, disk and
/// business tests simulate hours or days). They can when its scenarios' evaluation times E are
/// multiples of 5, as `scenario::eval_minutes` makes them: E ≥ W + F + 5 for the longest window
/// W and the `for` F, and the scenarios' series are steady from the start, so the condition
/// holds (or, silent, never holds) from some minute m ≤ W on. Under 5-minute steps the alert is
/// pending from ⌈m⌉₅ and fires from ⌈m⌉₅ + ⌈F⌉₅ ≤ ⌈E − F − 5⌉₅ + ⌈F⌉₅ ≤ E: both scenarios come
/// out as under 1-minute steps. The catalogue's expressions read raw series, or recorded ones
/// at an instant, never a range of recorded samples that coarser steps would thin out.
fn five_minute(alert: &Alert) -> bool {
    let s = &alert.scenarios;
    s.firing.eval_minutes.is_multiple_of(5) && s.healthy.as_ref().is_none_or(|h| h.eval_minutes.is_multiple_of(5))
}

fn minutes(m: u64) -> String {
    format!("{m}m")
}

fn group_for(name: &str, what: &str, s: &Scenario, alert: &Alert) -> TestGroup {
    let exp_alerts = s
        .expect
        .iter()
        .map(|keeps| {
            // The annotation templates see the expression's labels; the alert has the rule's too.
            let annotations = alert.annotations.iter().map(|(k, v)| (k.clone(), expand(v, keeps))).collect();
            let mut labels = keeps.clone();
            labels.extend(alert.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
            Expected { exp_labels: labels, exp_annotations: annotations }
        })
        .collect();
    TestGroup {
        name: format!("{name} {what}"),
        interval: "1m",
        input_series: s
            .series
            .iter()
            .map(|(series, values)| InputSeries { series: series.clone(), values: values.clone() })
            .collect(),
        alert_rule_test: vec![AlertTest {
            eval_time: minutes(s.eval_minutes),
            alertname: alert.name.clone(),
            exp_alerts,
        }],
    }
}

fn user_groups(rule: &Rule) -> Vec<TestGroup> {
    let name = rule.alert.clone().unwrap_or_default();
    rule.tests
        .iter()
        .enumerate()
        .map(|(i, t)| TestGroup {
            name: format!("{name} test {}", i + 1),
            interval: "1m",
            input_series: t
                .input_series
                .iter()
                .map(|s| InputSeries { series: s.series.clone(), values: s.values.clone() })
                .collect(),
            alert_rule_test: vec![AlertTest {
                eval_time: t.eval_time.to_string(),
                alertname: name.clone(),
                exp_alerts: t
                    .fires
                    .iter()
                    .map(|e| Expected {
                        exp_labels: e.labels.clone(),
                        exp_annotations: e.annotations.clone().unwrap_or_else(|| {
                            rule.annotations.iter().map(|(k, v)| (k.clone(), expand(v, &e.labels))).collect()
                        }),
                    })
                    .collect(),
            }],
        })
        .collect()
}

pub fn render(
    model: &Model,
    bundle: &mut Bundle,
    alerts: &[Alert],
    runbook: impl Fn(&Rule) -> BTreeMap<String, String>,
) {
    let mut files: BTreeMap<String, Vec<TestGroup>> = BTreeMap::new();
    let mut total = 0;
    let mut unproven = Vec::new();
    for alert in alerts {
        total += 1;
        let groups = files.entry(alert.file.to_string()).or_default();
        groups.push(group_for(&alert.name, "fires", &alert.scenarios.firing, alert));
        if let Some(h) = &alert.scenarios.healthy {
            groups.push(group_for(&alert.name, "stays silent", h, alert));
        }
    }
    for file in &model.spec.rules.files {
        for rule in file.groups.iter().flat_map(|g| &g.rules).filter(|r| r.alert.is_some()) {
            total += 1;
            let with_annotations = Rule { annotations: runbook(rule), ..rule.clone() };
            let groups = user_groups(&with_annotations);
            let fires = rule.tests.iter().any(|t| !t.fires.is_empty());
            let silent = rule.tests.iter().any(|t| t.fires.is_empty());
            if !(fires && silent) {
                unproven.push(rule.alert.clone().unwrap_or_default());
            }
            files.entry(file.name.clone()).or_default().extend(groups);
        }
    }
    for (file, tests) in files {
        // Relative to `prometheus/tests/`; a file for the store's ruler is in the `ruler` component.
        let for_ruler = model.spec.rules.files.iter().any(|f| f.name == file && f.store_ruler);
        let rule_file = if for_ruler { format!("../../ruler/{file}.yml") } else { format!("../rules/{file}.yml") };
        let generated = alerts.iter().filter(|a| a.file == file);
        let evaluation_interval =
            if generated.clone().next().is_some() && generated.clone().all(five_minute) { "5m" } else { "1m" };
        let doc = TestFile { rule_files: vec![rule_file], evaluation_interval, tests };
        bundle.add(format!("prometheus/tests/{file}_test.yml"), yaml(model, "promtool rule tests", &doc));
    }
    let coverage = Coverage { alerts: total, proven: total - unproven.len(), unproven };
    bundle.add("prometheus/tests/coverage.json", json(&coverage));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_templates_expand_like_prometheus() {
        let l: BTreeMap<String, String> = [("instance".to_string(), "a:1".to_string())].into();
        assert_eq!(expand("Load on {{ $labels.instance }} ({{$labels.missing}})", &l), "Load on a:1 ()");
        assert!(labels_only([&"x {{ $labels.instance }}".to_string()]));
        assert!(!labels_only([&"x {{ $value | humanize }}".to_string()]));
        assert!(!labels_only([&"x {{ $labels.instance".to_string()]));
    }
}
