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

fn mismatch(b: &promql_parser::parser::BinaryExpr) -> Option<String> {
    let (l, r) = (kept(&b.lhs), kept(&b.rhs));
    let matching = b.modifier.as_ref().and_then(|m| m.matching.clone());
    match &matching {
        Some(LabelModifier::Include(on)) => {
            for label in &on.labels {
                let (lh, rh) = (l.has(label), r.has(label));
                if lh == Some(false) && rh != Some(false) {
                    return Some(format!("the left side never has `{label}`"));
                }
                if rh == Some(false) && lh != Some(false) {
                    return Some(format!("the right side never has `{label}`"));
                }
            }
            None
        }
        Some(LabelModifier::Exclude(_)) => None,
        None => {
            if let (Kept::Only(a), Kept::Only(c)) = (&l, &r)
                && a != c
            {
                return Some(format!("the left side keeps {}, the right side {}", listed(a), listed(c)));
            }
            filtered_label_on_one_side(&b.lhs, &l, &b.rhs).or_else(|| filtered_label_on_one_side(&b.rhs, &r, &b.lhs))
        }
    }
}

/// Labels as PromQL's `by` lists them, `(job, instance)`; "no label" for none.
fn listed(labels: &std::collections::BTreeSet<String>) -> String {
    if labels.is_empty() {
        return "no label".into();
    }
    format!("({})", labels.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
}

/// A side that keeps a label it selects by equality (every series carries it) against a
/// different metric that is not selected on that label.
fn filtered_label_on_one_side(side: &Expr, side_kept: &Kept, other: &Expr) -> Option<String> {
    let (sel, other_sel) = (first_selector(side)?, first_selector(other)?);
    if sel.name == other_sel.name || !matches!(kept(other), Kept::Any) {
        return None;
    }
    for m in &sel.matchers.matchers {
        let guaranteed =
            matches!(m.op, MatchOp::Equal) && !m.value.is_empty() && m.name != "job" && m.name != "instance";
        let on_other = other_sel.matchers.matchers.iter().any(|o| o.name == m.name);
        if guaranteed && side_kept.has(&m.name) != Some(false) && !on_other {
            return Some(format!(
                "every series of `{}` carries `{}=\"{}\"`, which `{}` is not selected on",
                sel.name.clone().unwrap_or_default(),
                m.name,
                m.value,
                other_sel.name.clone().unwrap_or_default()
            ));
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
        if let Some(problem) = mismatch(b) {
            out.push(finding(
                Code::LintVectorMatching,
                "expr",
                format!("`{}` can never match: {problem}", b.op),
                "match on the labels both sides keep, e.g. `a / on (instance) sum by (instance) (b)`",
            ));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::lint::testing::{Want, expected, findings};

    const HINT: &str = "match on the labels both sides keep, e.g. `a / on (instance) sum by (instance) (b)`";

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
                    HINT,
                )],
            ),
            // Its fix.
            (
                "node_load15{job=\"node_exporter\"} / on (instance) count by (instance) (node_cpu_seconds_total{job=\"node_exporter\", mode=\"idle\"}) > 0.8",
                &[],
            ),
            (
                "sum by (job) (rate(a[5m])) / sum by (instance) (rate(b[5m])) > 1",
                &[("expr", "`/` can never match: the left side keeps (job), the right side (instance)", HINT)],
            ),
            ("sum by (job) (rate(a[5m])) / sum by (job) (rate(b[5m])) > 1", &[]),
            (
                "sum(rate(a[5m])) / sum by (job, instance) (rate(b[5m])) > 1",
                &[("expr", "`/` can never match: the left side keeps no label, the right side (instance, job)", HINT)],
            ),
            (
                "sum(rate(a[5m])) / on (instance) sum by (instance) (rate(b[5m])) > 1",
                &[("expr", "`/` can never match: the left side never has `instance`", HINT)],
            ),
            (
                "sum by (instance) (rate(a[5m])) / on (instance) sum(rate(b[5m])) > 1",
                &[("expr", "`/` can never match: the right side never has `instance`", HINT)],
            ),
            ("sum by (job) (rate(a[5m])) / ignoring (job) sum(rate(b[5m])) > 1", &[]),
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
