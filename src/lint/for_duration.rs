//! `alerts/for`: an alert on `absent()` needs `for` of at least two scrape intervals.
//!
//! Why: one missed or late scrape makes a series look absent for an evaluation; without a long
//! enough `for` the alert flaps on every scrape hiccup.
//!
//! Bad: `absent(up{job="api"})` with `for: 0s` · Good: the same with `for: 5m`.

use super::analysis::visit;
use super::{Context, Finding, RuleRef, finding};
use crate::diag::Code;
use promql_parser::parser::Expr;

fn uses_absent(e: &Expr) -> bool {
    let mut found = false;
    visit(e, &mut |n| found |= matches!(n, Expr::Call(c) if matches!(c.func.name, "absent" | "absent_over_time")));
    found
}

pub fn check(rule: &RuleRef, cx: &Context) -> Vec<Finding> {
    if rule.alert.is_none() || !uses_absent(rule.expr) || rule.for_ms >= 2 * cx.scrape_interval_ms {
        return vec![];
    }
    vec![finding(
        Code::LintFor,
        "for",
        format!(
            "`for` is shorter than two scrape intervals ({}s) on an absent() alert",
            2 * cx.scrape_interval_ms / 1000
        ),
        "set `for` to a few scrape intervals, e.g. 5m",
    )]
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::lint::testing::{Want, expected, findings};

    /// With the tests' 15s scrape interval.
    const TOO_SHORT: Want = &[(
        "for",
        "`for` is shorter than two scrape intervals (30s) on an absent() alert",
        "set `for` to a few scrape intervals, e.g. 5m",
    )];

    #[test]
    fn table() {
        let cases: &[(&str, u64, Want)] = &[
            ("absent(up{job=\"api\"})", 0, TOO_SHORT),
            ("absent(up{job=\"api\"})", 15_000, TOO_SHORT),
            ("absent(up{job=\"api\"})", 300_000, &[]),
            ("absent_over_time(up{job=\"api\"}[5m])", 0, TOO_SHORT),
            ("up == 0", 0, &[]),
        ];
        for (expr, for_ms, want) in cases {
            let got = findings(super::check, true, expr, *for_ms, &[], &[]);
            assert_eq!(got, expected(Code::LintFor, want), "{expr} {for_ms}");
        }
    }
}
