//! `alerts/template`: templates may only use labels the expression keeps.
//!
//! Why: `{{ $labels.instance }}` after `sum(...)` renders as an empty string — the seed's
//! "High API Gateway Error Rate (Instance {{ $labels.instance }})" would never name one.
//!
//! Bad: `sum(rate(x[5m])) > 1` with summary `on {{ $labels.instance }}` · Good:
//! `sum by (instance) (rate(x[5m])) > 1` with the same summary.

use super::analysis::kept;
use super::{Context, Finding, RuleRef, finding, label_refs};
use crate::diag::Code;

pub fn check(rule: &RuleRef, _: &Context) -> Vec<Finding> {
    let kept = kept(rule.expr);
    let mut out = Vec::new();
    let templates = rule
        .annotations
        .iter()
        .map(|(k, v)| (format!("annotations.{k}"), v))
        .chain(rule.labels.iter().map(|(k, v)| (format!("labels.{k}"), v)));
    for (field, text) in templates {
        for label in label_refs(text) {
            if kept.has(&label) == Some(false) {
                out.push(finding(
                    Code::LintTemplate,
                    &field,
                    format!("`$labels.{label}` is always empty: the expression does not keep `{label}`"),
                    format!("keep it (e.g. `sum by ({label}) (...)`) or drop it from the template"),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::lint::testing::{Want, expected, findings};

    const NO_INSTANCE: Want = &[(
        "annotations.summary",
        "`$labels.instance` is always empty: the expression does not keep `instance`",
        "keep it (e.g. `sum by (instance) (...)`) or drop it from the template",
    )];

    #[test]
    fn table() {
        let cases: &[(&str, &str, Want)] = &[
            // (expr, summary, findings as (field, message, hint))
            ("sum(rate(x[5m])) > 1", "on {{ $labels.instance }}", NO_INSTANCE),
            ("sum by (instance) (rate(x[5m])) > 1", "on {{ $labels.instance }}", &[]),
            ("up == 0", "on {{ $labels.instance }}", &[]),
            ("count without (instance) (up) > 1", "on {{ $labels.instance }}", NO_INSTANCE),
            (
                "a / on (instance) b > 0.8",
                "on {{ $labels.job }}",
                &[(
                    "annotations.summary",
                    "`$labels.job` is always empty: the expression does not keep `job`",
                    "keep it (e.g. `sum by (job) (...)`) or drop it from the template",
                )],
            ),
            ("sum(rate(x[5m])) > 1", "static text", &[]),
        ];
        for (expr, summary, want) in cases {
            let got = findings(super::check, true, expr, 0, &[], &[("summary", summary)]);
            assert_eq!(got, expected(Code::LintTemplate, want), "{expr} / {summary}");
        }
    }

    #[test]
    fn labels_are_templates_too() {
        let got = findings(super::check, true, "sum(up) == 0", 0, &[("host", "{{ $labels.instance }}")], &[]);
        let want = [(
            "labels.host",
            "`$labels.instance` is always empty: the expression does not keep `instance`",
            "keep it (e.g. `sum by (instance) (...)`) or drop it from the template",
        )];
        assert_eq!(got, expected(Code::LintTemplate, &want));
    }
}
