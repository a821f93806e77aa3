//! Two lints on what an alert carries.
//!
//! `rule/label`: every alert has a `severity` of critical, warning, info or none (the routes
//! match on it), and `summary` and `description` annotations, and a `runbook_url` (its own, or
//! from `rules.runbook_base_url`). Bad: an alert with no labels · Good: `severity: warning` plus
//! the three annotations.
//!
//! `labels/cardinality`: no unbounded values in an alert's identity. A label templated from
//! `$value`, or named like a per-request value (request, trace, span, session, user or
//! inference ids, raw paths, URLs, e-mail or IP addresses), or an aggregation `by` such a label,
//! makes a new alert (and a new series for recording rules) at every change. Bad:
//! `labels: {value: "{{ $value }}"}`, `sum by (trace_id) (...)` · Good: keep them in annotations.

use super::analysis::visit;
use super::{Context, Finding, RuleRef, finding};
use crate::diag::Code;
use promql_parser::parser::{Expr, LabelModifier};

const SEVERITIES: [&str; 4] = ["critical", "warning", "info", "none"];
/// Label names whose values are unbounded (one per request, user or path): never a label of an
/// alert or a log stream. Shared by the rule lints and the log-source checks.
pub const UNBOUNDED: [&str; 16] = [
    "id",
    "request_id",
    "requestid",
    "trace_id",
    "traceid",
    "span_id",
    "spanid",
    "session_id",
    "user_id",
    "userid",
    "inference_id",
    "uuid",
    "email",
    "path",
    "url",
    "client_ip",
];

pub fn required(rule: &RuleRef, cx: &Context) -> Vec<Finding> {
    if rule.alert.is_none() {
        return vec![];
    }
    let mut out = Vec::new();
    match rule.labels.get("severity") {
        None => out.push(finding(
            Code::LintLabel,
            "labels.severity",
            "the alert has no severity",
            "add severity: critical, warning or info",
        )),
        Some(s) if !SEVERITIES.contains(&s.as_str()) => out.push(finding(
            Code::LintLabel,
            "labels.severity",
            match SEVERITIES.split_last() {
                Some((last, rest)) => format!("severity \"{s}\" is not one of {} or {last}", rest.join(", ")),
                None => format!("severity \"{s}\" is not a known severity"),
            },
            "the routes match these values",
        )),
        _ => {}
    }
    for a in ["summary", "description"] {
        if !rule.annotations.contains_key(a) {
            out.push(finding(
                Code::LintLabel,
                &format!("annotations.{a}"),
                format!("the alert has no {a}"),
                format!("add annotations.{a}"),
            ));
        }
    }
    if !rule.annotations.contains_key("runbook_url") && !cx.runbook_base_url {
        out.push(finding(
            Code::LintLabel,
            "annotations.runbook_url",
            "the alert has no runbook_url",
            "add one, or set rules.runbook_base_url",
        ));
    }
    out
}

pub fn cardinality(rule: &RuleRef, _: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (k, v) in rule.labels {
        if v.contains("$value") || v.contains(".Value") {
            out.push(finding(
                Code::LintCardinality,
                &format!("labels.{k}"),
                "a label templated from the value changes at every evaluation",
                "put the value in an annotation",
            ));
        }
        if UNBOUNDED.contains(&k.as_str()) {
            out.push(finding(
                Code::LintCardinality,
                &format!("labels.{k}"),
                format!("`{k}` has unbounded values"),
                "keep it out of labels",
            ));
        }
    }
    let mut by: Vec<&str> = Vec::new();
    visit(rule.expr, &mut |e| {
        if let Expr::Aggregate(a) = e
            && let Some(LabelModifier::Include(l)) = &a.modifier
        {
            by.extend(l.labels.iter().map(String::as_str));
        }
    });
    for l in by {
        if UNBOUNDED.contains(&l) {
            out.push(finding(
                Code::LintCardinality,
                "expr",
                format!("aggregating by `{l}` makes one series per value"),
                "aggregate by bounded labels (job, instance, service, model_name)",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::lint::testing::{Want, expected, findings};

    type Pairs = &'static [(&'static str, &'static str)];

    #[test]
    fn required_table() {
        let full: &[(&str, &str)] = &[("summary", "s"), ("description", "d")];
        let cases: &[(Pairs, Pairs, Want)] = &[
            // (labels, annotations, findings as (field, message, hint))
            (&[("severity", "warning")], full, &[]),
            (&[], full, &[("labels.severity", "the alert has no severity", "add severity: critical, warning or info")]),
            (
                &[("severity", "page")],
                full,
                &[(
                    "labels.severity",
                    "severity \"page\" is not one of critical, warning, info or none",
                    "the routes match these values",
                )],
            ),
            (
                &[("severity", "critical")],
                &[("summary", "s")],
                &[("annotations.description", "the alert has no description", "add annotations.description")],
            ),
            (
                &[],
                &[],
                &[
                    ("labels.severity", "the alert has no severity", "add severity: critical, warning or info"),
                    ("annotations.summary", "the alert has no summary", "add annotations.summary"),
                    ("annotations.description", "the alert has no description", "add annotations.description"),
                ],
            ),
        ];
        for (labels, annotations, want) in cases {
            let got = findings(super::required, true, "up == 0", 0, labels, annotations);
            assert_eq!(got, expected(Code::LintLabel, want), "{labels:?} {annotations:?}");
        }
        // A recording rule needs none of them.
        assert_eq!(findings(super::required, false, "up", 0, &[], &[]), []);
    }

    /// Without `rules.runbook_base_url`, an alert names its own runbook.
    #[test]
    fn an_alert_without_a_base_url_needs_its_own_runbook() {
        use crate::lint::{Context, RuleRef};
        use std::collections::BTreeMap;
        let expr = promql_parser::parser::parse("up == 0").unwrap();
        let labels: BTreeMap<String, String> = [("severity".to_string(), "warning".to_string())].into();
        let lint = |annotations: &[(&str, &str)], runbook_base_url| {
            let annotations: BTreeMap<String, String> =
                annotations.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let rule = RuleRef {
                alert: Some("SomeAlert"),
                record: None,
                expr: &expr,
                for_ms: 0,
                labels: &labels,
                annotations: &annotations,
            };
            super::required(&rule, &Context { scrape_interval_ms: 15_000, runbook_base_url })
        };
        let full = [("summary", "s"), ("description", "d")];
        let missing = expected(
            Code::LintLabel,
            &[("annotations.runbook_url", "the alert has no runbook_url", "add one, or set rules.runbook_base_url")],
        );
        assert_eq!(lint(&full, false), missing);
        assert_eq!(lint(&[full[0], full[1], ("runbook_url", "https://runbooks.example/x")], false), []);
        assert_eq!(lint(&full, true), []);
    }

    #[test]
    fn cardinality_table() {
        const FROM_VALUE: &str = "a label templated from the value changes at every evaluation";
        let cases: &[(&str, Pairs, Want)] = &[
            // (expr, labels, findings as (field, message, hint))
            (
                "up == 0",
                &[("value", "{{ $value }}")],
                &[("labels.value", FROM_VALUE, "put the value in an annotation")],
            ),
            (
                "up == 0",
                &[("trace_id", "x")],
                &[("labels.trace_id", "`trace_id` has unbounded values", "keep it out of labels")],
            ),
            (
                "sum by (trace_id) (rate(x[5m])) > 1",
                &[],
                &[(
                    "expr",
                    "aggregating by `trace_id` makes one series per value",
                    "aggregate by bounded labels (job, instance, service, model_name)",
                )],
            ),
            ("sum by (job) (rate(x[5m])) > 1", &[("team", "db")], &[]),
            // Both problems on one label.
            (
                "up == 0",
                &[("id", "{{ .Value }}")],
                &[
                    ("labels.id", FROM_VALUE, "put the value in an annotation"),
                    ("labels.id", "`id` has unbounded values", "keep it out of labels"),
                ],
            ),
        ];
        for (expr, labels, want) in cases {
            let got = findings(super::cardinality, true, expr, 0, labels, &[]);
            assert_eq!(got, expected(Code::LintCardinality, want), "{expr} {labels:?}");
        }
    }
}
