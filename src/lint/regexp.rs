//! `promql/regexp`: regex matchers that do nothing or should not be regexes.
//!
//! Why: Prometheus anchors every regex, so `^…$` is noise that suggests a misunderstanding;
//! a regex without metacharacters is an equality match written slowly; `=~".*"` matches
//! every series (including those without the label), filtering nothing; and `!~".*"` excludes
//! every series, so the selector never returns anything.
//!
//! Bad: `up{job=~"^api$"}`, `up{job=~"api"}`, `up{env=~".*"}` · Good: `up{job="api"}`.

use super::analysis::selectors;
use super::{Context, Finding, RuleRef, finding};
use crate::diag::Code;
use promql_parser::label::MatchOp;

pub fn check(rule: &RuleRef, _: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in selectors(rule.expr).iter().flat_map(|s| s.matchers.matchers.iter()) {
        let negated = match m.op {
            MatchOp::Re(_) => false,
            MatchOp::NotRe(_) => true,
            _ => continue,
        };
        let v = m.value.as_str();
        let problem = if v.starts_with('^') || v.ends_with('$') {
            Some(("is anchored; Prometheus anchors every regex already", "drop ^ and $"))
        } else if !negated && v == ".*" {
            Some(("matches every series and filters nothing", "remove the matcher"))
        } else if negated && v == ".*" {
            // A series without the label has it empty, which `.*` matches too.
            Some((
                "excludes every series: the selector is always empty",
                "remove the matcher, or say which values to exclude",
            ))
        } else if !v.chars().any(|c| "\\.+*?()|[]{}^$".contains(c)) {
            Some(("has no regex metacharacters", "use = or != instead of =~ or !~"))
        } else {
            None
        };
        if let Some((what, hint)) = problem {
            out.push(finding(
                Code::LintRegexp,
                "expr",
                format!("the regex in `{}{}\"{}\"` {what}", m.name, m.op, v),
                hint,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::lint::testing::{Want, expected, findings};

    const ANCHORED: &str = "drop ^ and $";
    const NO_META: &str = "use = or != instead of =~ or !~";

    #[test]
    fn table() {
        let cases: &[(&str, Want)] = &[
            // (expr, findings as (field, message, hint))
            (
                "up{job=~\"^api$\"} == 0",
                &[(
                    "expr",
                    "the regex in `job=~\"^api$\"` is anchored; Prometheus anchors every regex already",
                    ANCHORED,
                )],
            ),
            ("up{job=~\"api\"} == 0", &[("expr", "the regex in `job=~\"api\"` has no regex metacharacters", NO_META)]),
            (
                "up{env=~\".*\"} == 0",
                &[(
                    "expr",
                    "the regex in `env=~\".*\"` matches every series and filters nothing",
                    "remove the matcher",
                )],
            ),
            ("up{job=~\"api|web\"} == 0", &[]),
            (
                "up{env!~\".*\"} == 0",
                &[(
                    "expr",
                    "the regex in `env!~\".*\"` excludes every series: the selector is always empty",
                    "remove the matcher, or say which values to exclude",
                )],
            ),
            ("rate(http_requests_total{code=~\"5..\"}[5m]) > 1", &[]),
            ("up{job!~\"api|web\"} == 0", &[]),
            ("up{job!~\"api\"} == 0", &[("expr", "the regex in `job!~\"api\"` has no regex metacharacters", NO_META)]),
            // `=~""` keeps only the series without the label: a filter, written as `=""`.
            ("up{job=~\"\"} == 0", &[("expr", "the regex in `job=~\"\"` has no regex metacharacters", NO_META)]),
            // One finding per matcher, in the order written.
            (
                "up{job=~\"api\", env=~\"^prod\"} == 0",
                &[
                    ("expr", "the regex in `job=~\"api\"` has no regex metacharacters", NO_META),
                    (
                        "expr",
                        "the regex in `env=~\"^prod\"` is anchored; Prometheus anchors every regex already",
                        ANCHORED,
                    ),
                ],
            ),
        ];
        for (expr, want) in cases {
            assert_eq!(findings(super::check, true, expr, 0, &[], &[]), expected(Code::LintRegexp, want), "{expr}");
        }
    }
}
