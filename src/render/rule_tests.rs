//! `prometheus/tests/`: promtool unit tests for every alert, from the catalogue's scenarios and
//! the spec's own rule tests, each loading only the rules it needs, since promtool's cost grows
//! with the rules loaded times the evaluation steps of every test group.
//!
//! An alert's tests load its closure (see [`Reads::closure`]): the alert and the recording rules
//! it reads, transitively. `prometheus/tests/by_alert/<rule file>/<alert>_test.yml` loads
//! `<alert>.rules.yml` beside it, a copy of those rules in their groups and order, serialised as
//! the rule file is. Tests whose closure is the whole file, or cannot be known, load the rule
//! file itself from `prometheus/tests/<rule file>_test.yml`. promtool's `rule_files` is per test
//! file, so a test file holds the tests of one closure; an alerting rule is in no other alert's
//! closure, so that is one file per alert. `prometheus/tests/coverage.json` counts the alerts
//! proven both ways.

use super::prometheus::{GroupOut, RuleFileOut, RuleOut};
use super::yaml;
use crate::bundle::Bundle;
use crate::bundle::json;
use crate::catalogue::Alert;
use crate::catalogue::scenario::Scenario;
use crate::lint::analysis::{NamesRead, names_read};
use crate::spec::rules::Rule;
use crate::syntax::template::expand;
use crate::validate::Model;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Serialize)]
struct TestFile {
    rule_files: Vec<String>,
    evaluation_interval: &'static str,
    /// The rule groups in file order. promtool evaluates every group at each step, in a random
    /// order without this; a group reading what an earlier one records (an SLO's burn alert,
    /// its windows) then reads, now and then, the previous step's sample, one evaluation
    /// interval old, which Prometheus 3's left-open lookback drops at the boundary: a flaky
    /// test. In file order, each step reads what the same step recorded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    group_eval_order: Vec<String>,
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

/// Whether a catalogue alert's tests can evaluate the rules every 5 minutes instead of every
/// minute, at a fifth of promtool's cost (which grows with the evaluation steps; SLO, disk and
/// business tests simulate hours or days). They can when its scenarios' evaluation times E are
/// multiples of 5, as `scenario::eval_minutes` makes them: E ≥ W + F + 5 for the longest window
/// W and the `for` F, and the scenarios' series are steady from the start, so the condition
/// holds (or, silent, never holds) from some minute m ≤ W on. Under 5-minute steps the alert is
/// pending from ⌈m⌉₅ and fires from ⌈m⌉₅ + ⌈F⌉₅ ≤ ⌈E − F − 5⌉₅ + ⌈F⌉₅ ≤ E: both scenarios come
/// out as under 1-minute steps. The catalogue's expressions read raw series, or recorded ones
/// at an instant, except the SLO windows: a ratio of two `sum_over_time`s of recorded 5-minute
/// rates, which under the scenarios' steady rates is the same whether a range holds samples a
/// minute or 5 minutes apart.
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
            alert_rule_test: t
                .checks()
                .map(|(_, eval_time, fires)| AlertTest {
                    eval_time: eval_time.to_string(),
                    alertname: name.clone(),
                    exp_alerts: fires
                        .iter()
                        .map(|e| Expected {
                            exp_labels: e.labels.clone(),
                            exp_annotations: e.annotations.clone().unwrap_or_else(|| {
                                rule.annotations.iter().map(|(k, v)| (k.clone(), expand(v, &e.labels))).collect()
                            }),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

/// What each rule of a rule file reads, as positions in the file's rules in order (group by
/// group): the recording rules whose name one of its selectors reads, or `None` when that is
/// not known by name.
struct Reads<'a> {
    rules: Vec<&'a RuleOut>,
    reads: Vec<Option<Vec<usize>>>,
}

impl<'a> Reads<'a> {
    /// `known`: what the spec's rule expressions read, found by validation; the catalogue's
    /// are parsed here.
    fn of(file: &'a RuleFileOut, known: &NamesRead) -> Self {
        let rules: Vec<&RuleOut> = file.groups.iter().flat_map(|g| &g.rules).collect();
        let mut recorded: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            if let Some(name) = &r.record {
                recorded.entry(name).or_default().push(i);
            }
        }
        let reads = rules
            .iter()
            .map(|r| {
                let parsed;
                let names = match known.get(&r.expr) {
                    Some(names) => names.as_ref()?,
                    None => {
                        // Unparsable is unknown (validation rejects it before rendering anyway).
                        parsed = names_read(&promql_parser::parser::parse(&r.expr).ok()?)?;
                        &parsed
                    }
                };
                Some(names.iter().flat_map(|n| recorded.get(n.as_str())).flatten().copied().collect())
            })
            .collect();
        Reads { rules, reads }
    }

    /// The rules a test of `alert` needs: every alerting rule of that name (promtool checks the
    /// alerts of all of them) and, transitively, every recording rule an expression among them
    /// reads by name. `None` when the test must load the whole file: the closure is the whole
    /// file anyway, or a rule in it reads something not known by name — a selector without a
    /// metric name (`{__name__=~"…"}`) or the alert states, which depend on other alerts.
    fn closure(&self, alert: &str) -> Option<BTreeSet<usize>> {
        let mut needed: BTreeSet<usize> =
            (0..self.rules.len()).filter(|&i| self.rules[i].alert.as_deref() == Some(alert)).collect();
        let mut todo: Vec<usize> = needed.iter().copied().collect();
        while let Some(i) = todo.pop() {
            for &dep in self.reads[i].as_ref()? {
                if needed.insert(dep) {
                    todo.push(dep);
                }
            }
        }
        (!needed.is_empty() && needed.len() < self.rules.len()).then_some(needed)
    }
}

/// The test files: by rule file, then by the alert whose closure the tests load (`None`: the
/// whole file).
struct Plan<'a> {
    /// What each rule file's rules read, found once for all its alerts.
    reads: HashMap<&'a str, Reads<'a>>,
    files: BTreeMap<(String, Option<String>), Planned>,
    closures: BTreeMap<(String, String), Option<BTreeSet<usize>>>,
}

struct Planned {
    tests: Vec<TestGroup>,
    /// Every test is of a catalogue alert whose tests may evaluate every 5 minutes.
    five_minute: bool,
    /// The rules the tests load, when not the whole file.
    needed: Option<BTreeSet<usize>>,
}

impl<'a> Plan<'a> {
    fn new(rule_files: &'a BTreeMap<String, RuleFileOut>, known: &NamesRead) -> Self {
        // The files' expressions are parsed (those validation has not) on every core.
        let reads = rule_files.par_iter().map(|(name, rules)| (name.as_str(), Reads::of(rules, known))).collect();
        Plan { reads, files: BTreeMap::new(), closures: BTreeMap::new() }
    }

    fn add(&mut self, file: &str, alert: &str, tests: Vec<TestGroup>, five: bool) {
        let reads = &self.reads;
        let closure = self
            .closures
            .entry((file.to_string(), alert.to_string()))
            .or_insert_with(|| reads.get(file)?.closure(alert));
        let part = closure.is_some().then(|| alert.to_string());
        let planned = self.files.entry((file.to_string(), part)).or_insert_with(|| Planned {
            tests: Vec::new(),
            five_minute: true,
            needed: closure.clone(),
        });
        planned.tests.extend(tests);
        planned.five_minute &= five;
    }
}

/// The promtool files that prove `alerts` outside a bundle: a rule file holding just them (one
/// group), to be written as `rules.yml`, and their firing and silent tests. For showing what the
/// catalogue's scenarios make of a spec that validation refuses (a scrape job that renames the
/// labels an alert joins on: `tests/catalogue.rs`).
pub fn standalone(alerts: &[Alert]) -> (String, String) {
    let rules = alerts.iter().map(RuleOut::of).collect();
    let file = RuleFileOut::new(vec![GroupOut { name: "standalone".into(), interval: None, rules }]);
    let mut tests = Vec::new();
    for alert in alerts {
        tests.push(group_for(&alert.name, "fires", &alert.scenarios.firing, alert));
        if let Some(h) = &alert.scenarios.healthy {
            tests.push(group_for(&alert.name, "stays silent", h, alert));
        }
    }
    let doc = TestFile {
        rule_files: vec!["rules.yml".into()],
        evaluation_interval: "1m",
        group_eval_order: Vec::new(),
        tests,
    };
    (file.body(None), serde_yaml::to_string(&doc).expect("test files always serialise"))
}

pub(super) fn render(
    model: &Model,
    bundle: &mut Bundle,
    alerts: &[Alert],
    rule_files: &BTreeMap<String, RuleFileOut>,
    runbook: impl Fn(&Rule) -> BTreeMap<String, String>,
) {
    let mut plan = Plan::new(rule_files, &model.reads);
    let mut total = 0;
    let mut unproven = Vec::new();
    for alert in alerts {
        total += 1;
        let mut groups = vec![group_for(&alert.name, "fires", &alert.scenarios.firing, alert)];
        if let Some(h) = &alert.scenarios.healthy {
            groups.push(group_for(&alert.name, "stays silent", h, alert));
        }
        plan.add(&alert.file, &alert.name, groups, five_minute(alert));
    }
    for file in &model.spec.rules.files {
        for rule in file.groups.iter().flat_map(|g| &g.rules).filter(|r| r.alert.is_some()) {
            total += 1;
            let with_annotations = Rule { annotations: runbook(rule), ..rule.clone() };
            let groups = user_groups(&with_annotations);
            let (fires, silent) = rule.proven_ways();
            if !(fires && silent) {
                unproven.push(rule.alert.clone().unwrap_or_default());
            }
            plan.add(&file.name, rule.alert.as_deref().unwrap_or_default(), groups, false);
        }
    }
    // Each test file (and rule copy) serialises on every core; the bundle keeps path order.
    let ruler: BTreeSet<&str> =
        model.spec.rules.files.iter().filter(|f| f.store_ruler).map(|f| f.name.as_str()).collect();
    let planned: Vec<_> = plan.files.into_iter().collect();
    let written: Vec<Vec<(String, Vec<u8>)>> = planned
        .into_par_iter()
        .map(|((file, part), planned)| {
            let mut out = Vec::new();
            let for_ruler = ruler.contains(file.as_str());
            let evaluation_interval = if planned.five_minute { "5m" } else { "1m" };
            // The groups of what the test loads: the copy's, or the whole file's.
            let copied = part.is_some() && planned.needed.is_some();
            let (path, rule_file) = match (part, &planned.needed, rule_files.get(&file)) {
                (Some(alert), Some(needed), Some(rules)) => {
                    let dir = format!("prometheus/tests/by_alert/{file}");
                    let source =
                        if for_ruler { format!("ruler/{file}.yml") } else { format!("prometheus/rules/{file}.yml") };
                    let what = format!("The rules of {source} that {alert}'s promtool tests load");
                    out.push((format!("{dir}/{alert}.rules.yml"), rules.yaml(model, &what, Some(needed))));
                    (format!("{dir}/{alert}_test.yml"), format!("{alert}.rules.yml"))
                }
                // Relative to `prometheus/tests/`; a file for the store's ruler is in the `ruler` component.
                _ if for_ruler => (format!("prometheus/tests/{file}_test.yml"), format!("../../ruler/{file}.yml")),
                _ => (format!("prometheus/tests/{file}_test.yml"), format!("../rules/{file}.yml")),
            };
            let groups = rule_files
                .get(&file)
                .map(|r| r.group_names(if copied { planned.needed.as_ref() } else { None }))
                .unwrap_or_default();
            let group_eval_order = if groups.len() > 1 { groups } else { Vec::new() };
            let doc =
                TestFile { rule_files: vec![rule_file], evaluation_interval, group_eval_order, tests: planned.tests };
            out.push((path, yaml(model, "promtool rule tests", &doc)));
            out
        })
        .collect();
    for (path, bytes) in written.into_iter().flatten() {
        bundle.add(path, bytes);
    }
    let coverage = Coverage { alerts: total, proven: total - unproven.len(), unproven };
    bundle.add("prometheus/tests/coverage.json", json(&coverage));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_with_later_checks_is_one_group_checking_each_time() {
        let rule: Rule = serde_json::from_value(serde_json::json!({
            "alert": "QueueStalled",
            "expr": "sum(rate(jobs_done_total[10m])) == 0",
            "labels": {"severity": "warning"},
            "annotations": {"summary": "{{ $labels.severity }} stall"},
            "tests": [{
                "input_series": [{"series": "jobs_done_total{job=\"w\"}", "values": "0+1x10 10x30"}],
                "eval_time": "8m",
                "fires": [],
                "later": [{"eval_time": "30m", "fires": [{"labels": {"severity": "warning"}}]}]
            }]
        }))
        .unwrap();
        let groups = user_groups(&rule);
        assert_eq!(groups.len(), 1);
        let checks: Vec<(&str, usize)> =
            groups[0].alert_rule_test.iter().map(|t| (t.eval_time.as_str(), t.exp_alerts.len())).collect();
        assert_eq!(checks, [("8m", 0), ("30m", 1)]);
        assert_eq!(groups[0].alert_rule_test[1].exp_alerts[0].exp_annotations["summary"], "warning stall");
    }

    fn rule(alert: Option<&str>, record: Option<&str>, expr: &str) -> RuleOut {
        RuleOut {
            alert: alert.map(String::from),
            record: record.map(String::from),
            expr: expr.into(),
            for_: alert.map(|_| "5m".into()),
            keep_firing_for: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        }
    }

    fn record(name: &str, expr: &str) -> RuleOut {
        rule(None, Some(name), expr)
    }

    fn alert(name: &str, expr: &str) -> RuleOut {
        rule(Some(name), None, expr)
    }

    /// Two groups: a chain a → b → HighB across them, an unrelated recording and alert, and
    /// an alert reading a recording by `{__name__="…"}`.
    fn file() -> RuleFileOut {
        RuleFileOut::new(vec![
            GroupOut {
                name: "first".into(),
                interval: Some("30s".into()),
                rules: vec![
                    record("job:a:rate5m", "sum by (job) (rate(a_total[5m]))"),
                    record("job:unrelated:sum", "sum by (job) (unrelated)"),
                    record("job:b:ratio", "job:a:rate5m / on (job) group_left sum by (job) (rate(c_total[5m]))"),
                ],
            },
            GroupOut {
                name: "second".into(),
                interval: None,
                rules: vec![
                    alert("Unrelated", "job:unrelated:sum > 1"),
                    alert("HighB", "max_over_time(job:b:ratio[10m]) > 0.5"),
                    alert("ByName", "{__name__=\"job:unrelated:sum\"} > 2"),
                    alert("Raw", "up == 0"),
                ],
            },
        ])
    }

    fn names(f: &RuleFileOut, needed: &BTreeSet<usize>) -> Vec<String> {
        let rules: Vec<&RuleOut> = f.groups.iter().flat_map(|g| &g.rules).collect();
        needed.iter().map(|&i| rules[i].alert.clone().or(rules[i].record.clone()).unwrap()).collect()
    }

    #[test]
    fn a_closure_holds_the_alert_and_the_recordings_it_reads_transitively_and_nothing_else() {
        let f = file();
        let reads = Reads::of(&f, &NamesRead::new());
        let closure = |a| names(&f, &reads.closure(a).unwrap());
        assert_eq!(closure("HighB"), ["job:a:rate5m", "job:b:ratio", "HighB"]);
        assert_eq!(closure("Unrelated"), ["job:unrelated:sum", "Unrelated"]);
        assert_eq!(closure("ByName"), ["job:unrelated:sum", "ByName"]);
        assert_eq!(closure("Raw"), ["Raw"]);
    }

    #[test]
    fn a_closure_that_cannot_be_known_by_name_or_is_everything_is_the_whole_file() {
        let mut f = file();
        f.groups[1].rules.push(alert("Inhibit", "ALERTS{alertname=\"HighB\"} unless on () vector(1)"));
        f.groups[1].rules.push(alert("Any", "count({job=\"x\"}) > 1"));
        f.groups[1].rules.push(alert("AnyRegex", "count({__name__=~\"job:.*\"}) > 1"));
        f.groups[0].rules.push(record("job:restored:max", "max by (job) (ALERTS_FOR_STATE)"));
        f.groups[1].rules.push(alert("FromRestored", "job:restored:max > 0"));
        let reads = Reads::of(&f, &NamesRead::new());
        for whole in ["Inhibit", "Any", "AnyRegex", "FromRestored", "NoSuchAlert"] {
            assert_eq!(reads.closure(whole), None, "{whole}");
        }
        assert!(reads.closure("HighB").is_some());
        let single =
            RuleFileOut::new(vec![GroupOut { name: "g".into(), interval: None, rules: vec![alert("Raw", "up == 0")] }]);
        assert_eq!(Reads::of(&single, &NamesRead::new()).closure("Raw"), None);
    }

    /// The copy's rules are the file's, byte for byte, in their groups and in file order.
    #[test]
    fn a_copy_keeps_rules_verbatim_in_their_groups_and_order() {
        let f = file();
        let needed = Reads::of(&f, &NamesRead::new()).closure("HighB").unwrap();
        let copied = f.body(Some(&needed));
        let expected = RuleFileOut::new(vec![
            GroupOut {
                name: "first".into(),
                interval: Some("30s".into()),
                rules: vec![f.groups[0].rules[0].clone(), f.groups[0].rules[2].clone()],
            },
            GroupOut { name: "second".into(), interval: None, rules: vec![f.groups[1].rules[1].clone()] },
        ]);
        assert_eq!(copied, serde_yaml::to_string(&expected).unwrap());
        let whole = f.body(None);
        let mut rest = whole.as_str();
        for block in copied.split("\n  - ").skip(1) {
            let block = block.split("\n- name:").next().unwrap();
            let at = rest.find(block).unwrap_or_else(|| panic!("not in the file, or out of order:\n{block}"));
            rest = &rest[at + block.len()..];
        }
        // A group without needed rules is left out.
        let raw = f.body(Some(&Reads::of(&f, &NamesRead::new()).closure("Raw").unwrap()));
        assert!(raw.starts_with("groups:\n- name: second\n") && !raw.contains("name: first"), "{raw}");
    }
}
