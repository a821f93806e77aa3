//! `alerts/comparison`: an alert expression must compare.
//!
//! Why: an alert fires for every series its expression returns. Without a comparison (or
//! `absent()`), it fires whenever the metric exists, which is always.
//!
//! Bad: `sum(rate(errors_total[5m]))` · Good: `sum(rate(errors_total[5m])) > 0.1`.
//! `vector(1)` is allowed: it is the deliberate always-firing Watchdog.

use super::{Context, Finding, RuleRef, finding};
use crate::diag::Code;
use promql_parser::parser::Expr;

fn compares(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => compares(&p.expr),
        Expr::Binary(b) => {
            let returns_bool = b.modifier.as_ref().is_some_and(|m| m.return_bool);
            (b.op.is_comparison_operator() && !returns_bool)
                || (b.op.is_set_operator() && b.op.to_string() != "or" && compares(&b.lhs))
                || (b.op.to_string() == "or" && compares(&b.lhs) && compares(&b.rhs))
                || (b.op.to_string() == "unless" && compares(&b.lhs))
        }
        Expr::Call(c) => matches!(c.func.name, "absent" | "absent_over_time" | "vector"),
        Expr::Aggregate(a) => matches!(a.op.to_string().as_str(), "count" | "topk" | "bottomk") && compares(&a.expr),
        _ => false,
    }
}

/// Whether the expression is a comparison with `bool` (through parentheses).
fn returns_bool(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => returns_bool(&p.expr),
        Expr::Binary(b) => b.op.is_comparison_operator() && b.modifier.as_ref().is_some_and(|m| m.return_bool),
        _ => false,
    }
}

pub fn check(rule: &RuleRef, _: &Context) -> Vec<Finding> {
    if rule.alert.is_none() || compares(rule.expr) {
        return vec![];
    }
    if returns_bool(rule.expr) {
        return vec![finding(
            Code::LintComparison,
            "expr",
            "the comparison has `bool`, so it returns every series (as 0 or 1) and the alert fires whenever the series exist",
            "drop `bool` so that only the series that pass remain, e.g. `... > 0.05`",
        )];
    }
    vec![finding(
        Code::LintComparison,
        "expr",
        "the expression has no comparison, so the alert fires whenever the series exist",
        "compare with a threshold, e.g. `... > 0.05`",
    )]
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::lint::testing::{Want, expected, findings};

    const NO_COMPARISON: Want = &[(
        "expr",
        "the expression has no comparison, so the alert fires whenever the series exist",
        "compare with a threshold, e.g. `... > 0.05`",
    )];

    const WITH_BOOL: Want = &[(
        "expr",
        "the comparison has `bool`, so it returns every series (as 0 or 1) and the alert fires whenever the series exist",
        "drop `bool` so that only the series that pass remain, e.g. `... > 0.05`",
    )];

    #[test]
    fn table() {
        let cases: &[(&str, bool, Want)] = &[
            // (expr, is alert, findings as (field, message, hint))
            ("sum(rate(errors_total[5m]))", true, NO_COMPARISON),
            ("sum(rate(errors_total[5m])) > 0.1", true, &[]),
            ("up == 0", true, &[]),
            ("(up == 0) and on (job) (x > 1)", true, &[]),
            ("absent(up{job=\"api\"})", true, &[]),
            ("vector(1)", true, &[]),
            ("up > bool 0", true, WITH_BOOL),
            ("(up > bool 0)", true, WITH_BOOL),
            ("sum(rate(errors_total[5m]))", false, &[]),
            // `or` compares only when both sides do; `count` keeps its argument's filtering.
            ("up == 0 or up", true, NO_COMPARISON),
            ("count(up == 0)", true, &[]),
        ];
        for (expr, alert, want) in cases {
            let got = findings(super::check, *alert, expr, 0, &[], &[]);
            assert_eq!(got, expected(Code::LintComparison, want), "{expr}");
        }
    }
}
