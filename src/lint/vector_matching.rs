//! `promql/vector-matching`: both sides of a binary operation must be able to match.
//!
//! Why: `a / b` pairs series with identical label sets (less the metric name). When the sides
//! keep different labels, nothing pairs and the result is always empty: the alert can never
//! fire. The seed's HostHighCpuLoad divided `node_load15` by
//! `count without(cpu)(node_cpu_seconds_total{mode="system"})`, whose series all carry
//! `mode="system"`, which node_load15 has not.
//!
//! Flagged: sides aggregated to different label sets; an `on (...)` label one side never has;
//! and a side that keeps a label it is filtered on (so every series has it) facing a different
//! metric not filtered on it. Bad: `node_load15 / count without (cpu) (node_cpu_seconds_total{mode="idle"})`
//! · Good: `node_load15 / on (instance) count by (instance) (node_cpu_seconds_total{mode="idle"})`.

use super::analysis::{Kept, first_selector, is_scalar, kept, visit};
use super::{Context, Finding, RuleRef, finding};
use crate::diag::Code;
use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, LabelModifier};
use std::collections::BTreeSet;

/// Why the sides of `b` can never match, and the fix that fits: (problem, hint).
fn mismatch(b: &promql_parser::parser::BinaryExpr) -> Option<(String, String)> {
    let (l, r) = (kept(&b.lhs), kept(&b.rhs));
    let matching = b.modifier.as_ref().and_then(|m| m.matching.clone());
    match &matching {
        Some(LabelModifier::Include(on)) => {
            for label in &on.labels {
                let (lh, rh) = (l.has(label), r.has(label));
                for (side, never) in [
                    ("left", lh == Some(false) && rh != Some(false)),
                    ("right", rh == Some(false) && lh != Some(false)),
                ] {
                    if never {
                        return Some((
                            format!("the {side} side never has `{label}`"),
                            format!(
                                "drop `{label}` from on (...), or keep it on the {side} side (e.g. `sum by (..., {label})`)"
                            ),
                        ));
                    }
                }
            }
            None
        }
        Some(LabelModifier::Exclude(_)) => None,
        None => {
            if let (Kept::Only(a), Kept::Only(c)) = (&l, &r)
                && a != c
            {
                let problem = format!("the left side keeps {}, the right side {}", listed(a), listed(c));
                return Some((problem, different_labels_fix(a, c)));
            }
            filtered_label_on_one_side(&b.lhs, &l, &b.rhs).or_else(|| filtered_label_on_one_side(&b.rhs, &r, &b.lhs))
        }
    }
}

/// The fix for sides aggregated to different labels: where one side's labels are a subset of
/// the other's, match on them and let the side with more series per match be the many
/// (`group_left`/`group_right`); else bring both to the labels they share.
fn different_labels_fix(left: &BTreeSet<String>, right: &BTreeSet<String>) -> String {
    let common: BTreeSet<String> = left.intersection(right).cloned().collect();
    let on = format!("on ({})", common.iter().map(String::as_str).collect::<Vec<_>>().join(", "));
    if left.is_subset(right) {
        format!("match `{on} group_right`: the right side has several series for each left one")
    } else if right.is_subset(left) {
        format!("match `{on} group_left`: the left side has several series for each right one")
    } else if common.is_empty() {
        "aggregate both sides with a plain `sum (...)`, or match `on ()`".to_string()
    } else {
        format!("aggregate both sides to the labels they share (`sum by {}`), or match `{on}`", listed(&common))
    }
}

/// Labels as PromQL's `by` lists them, `(job, instance)`; "no label" for none.
fn listed(labels: &BTreeSet<String>) -> String {
    if labels.is_empty() {
        return "no label".into();
    }
    format!("({})", labels.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
}

/// A side that keeps a label it selects by equality (every series carries it) against a
/// different metric that is not selected on that label.
fn filtered_label_on_one_side(side: &Expr, side_kept: &Kept, other: &Expr) -> Option<(String, String)> {
    let (sel, other_sel) = (first_selector(side)?, first_selector(other)?);
    if sel.name == other_sel.name || !matches!(kept(other), Kept::Any) {
        return None;
    }
    for m in &sel.matchers.matchers {
        let guaranteed =
            matches!(m.op, MatchOp::Equal) && !m.value.is_empty() && m.name != "job" && m.name != "instance";
        let on_other = other_sel.matchers.matchers.iter().any(|o| o.name == m.name);
        if guaranteed && side_kept.has(&m.name) != Some(false) && !on_other {
            let problem = format!(
                "every series of `{}` carries `{}=\"{}\"`, which `{}` is not selected on",
                sel.name.clone().unwrap_or_default(),
                m.name,
                m.value,
                other_sel.name.clone().unwrap_or_default()
            );
            let hint = format!(
                "match on the labels both sides keep (e.g. `on (instance)`), or leave `{}` out of the matching (`ignoring ({})`) or aggregate it away",
                m.name, m.name
            );
            return Some((problem, hint));
        }
    }
    None
}

pub fn check(rule: &RuleRef, _: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    visit(rule.expr, &mut |e| {
        let Expr::Binary(b) = e else { return };
        if is_scalar(&b.lhs) || is_scalar(&b.rhs) || b.op.is_set_operator() {
            return;
        }
        if let Some((problem, hint)) = mismatch(b) {
            out.push(finding(Code::LintVectorMatching, "expr", format!("`{}` can never match: {problem}", b.op), hint));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::lint::testing::{Want, expected, findings};

    const FILTERED: &str = "match on the labels both sides keep (e.g. `on (instance)`), or leave `mode` out of the matching (`ignoring (mode)`) or aggregate it away";

    #[test]
    fn table() {
        let cases: &[(&str, Want)] = &[
            // (expr, findings as (field, message, hint))
            // The seed's HostHighCpuLoad.
            (
                "node_load15{job=\"node_exporter\"} / count without(cpu)(node_cpu_seconds_total{job=\"node_exporter\",mode=\"system\"}) > 0.8",
                &[(
                    "expr",
                    "`/` can never match: every series of `node_cpu_seconds_total` carries `mode=\"system\"`, which `node_load15` is not selected on",
                    FILTERED,
                )],
            ),
            // Its fix.
            (
                "node_load15{job=\"node_exporter\"} / on (instance) count by (instance) (node_cpu_seconds_total{job=\"node_exporter\", mode=\"idle\"}) > 0.8",
                &[],
            ),
            (
                "sum by (job) (rate(a[5m])) / sum by (instance) (rate(b[5m])) > 1",
                &[(
                    "expr",
                    "`/` can never match: the left side keeps (job), the right side (instance)",
                    "aggregate both sides with a plain `sum (...)`, or match `on ()`",
                )],
            ),
            (
                "sum by (job, env) (rate(a[5m])) / sum by (instance, env) (rate(b[5m])) > 1",
                &[(
                    "expr",
                    "`/` can never match: the left side keeps (env, job), the right side (env, instance)",
                    "aggregate both sides to the labels they share (`sum by (env)`), or match `on (env)`",
                )],
            ),
            (
                "sum by (job, instance) (rate(a[5m])) / sum by (job) (rate(b[5m])) > 1",
                &[(
                    "expr",
                    "`/` can never match: the left side keeps (instance, job), the right side (job)",
                    "match `on (job) group_left`: the left side has several series for each right one",
                )],
            ),
            ("sum by (job) (rate(a[5m])) / sum by (job) (rate(b[5m])) > 1", &[]),
            (
                "sum(rate(a[5m])) / sum by (job, instance) (rate(b[5m])) > 1",
                &[(
                    "expr",
                    "`/` can never match: the left side keeps no label, the right side (instance, job)",
                    "match `on () group_right`: the right side has several series for each left one",
                )],
            ),
            (
                "sum(rate(a[5m])) / on (instance) sum by (instance) (rate(b[5m])) > 1",
                &[(
                    "expr",
                    "`/` can never match: the left side never has `instance`",
                    "drop `instance` from on (...), or keep it on the left side (e.g. `sum by (..., instance)`)",
                )],
            ),
            (
                "sum by (instance) (rate(a[5m])) / on (instance) sum(rate(b[5m])) > 1",
                &[(
                    "expr",
                    "`/` can never match: the right side never has `instance`",
                    "drop `instance` from on (...), or keep it on the right side (e.g. `sum by (..., instance)`)",
                )],
            ),
            ("sum by (job) (rate(a[5m])) / ignoring (job) sum(rate(b[5m])) > 1", &[]),
            // The hints' fixes pass (and promtool 2.53 loads each of them).
            ("sum(rate(a[5m])) / on () group_right sum by (job, instance) (rate(b[5m])) > 1", &[]),
            ("sum by (job, instance) (rate(a[5m])) / on (job) group_left sum by (job) (rate(b[5m])) > 1", &[]),
            (
                "node_load15{job=\"node_exporter\"} / ignoring (mode) count without(cpu)(node_cpu_seconds_total{job=\"node_exporter\",mode=\"system\"}) > 0.8",
                &[],
            ),
            ("sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) > 0.05", &[]),
            ("1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes > 0.9", &[]),
            ("up == 0", &[]),
        ];
        for (expr, want) in cases {
            let got = findings(super::check, true, expr, 0, &[], &[]);
            assert_eq!(got, expected(Code::LintVectorMatching, want), "{expr}");
        }
    }
}
