//! Offline lints for rules, modelled on Cloudflare pint's offline checks. One module per lint,
//! each with a doc comment (what, why, a bad and a good example) and table tests; every lint is
//! registered in [`LINTS`]. The spec's own rules that fail a lint fail validation; the catalogue's
//! rules are tested to pass them all.

pub mod analysis;
mod comparison;
mod for_duration;
pub mod labels;
mod naming;
mod regexp;
mod template;
mod vector_matching;

use crate::diag::Code;
use promql_parser::parser::Expr;
use std::collections::BTreeMap;

/// A rule as the lints see it.
pub struct RuleRef<'a> {
    pub alert: Option<&'a str>,
    pub record: Option<&'a str>,
    pub expr: &'a Expr,
    pub for_ms: u64,
    pub labels: &'a BTreeMap<String, String>,
    pub annotations: &'a BTreeMap<String, String>,
}

/// What the lints need to know about the environment.
pub struct Context {
    pub scrape_interval_ms: u64,
    /// Whether alerts get their runbook_url from `rules.runbook_base_url`.
    pub runbook_base_url: bool,
}

/// A problem found by a lint: the field it concerns (`expr`, `for`, `labels.x`, …), a message
/// and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub field: String,
    pub message: String,
    pub hint: String,
}

pub struct Lint {
    pub code: Code,
    pub check: fn(&RuleRef, &Context) -> Vec<Finding>,
    /// The source of its module, whose doc comment is its documentation ([`documentation`]).
    source: &'static str,
}

/// Every lint, in the order their findings are reported.
pub const LINTS: &[Lint] = &[
    Lint { code: Code::LintComparison, check: comparison::check, source: include_str!("comparison.rs") },
    Lint { code: Code::LintFor, check: for_duration::check, source: include_str!("for_duration.rs") },
    Lint { code: Code::LintTemplate, check: template::check, source: include_str!("template.rs") },
    Lint { code: Code::LintVectorMatching, check: vector_matching::check, source: include_str!("vector_matching.rs") },
    Lint { code: Code::LintRegexp, check: regexp::check, source: include_str!("regexp.rs") },
    Lint { code: Code::LintName, check: naming::check, source: include_str!("naming.rs") },
    Lint { code: Code::LintLabel, check: labels::required, source: include_str!("labels.rs") },
    Lint { code: Code::LintCardinality, check: labels::cardinality, source: include_str!("labels.rs") },
];

/// A lint's documentation (what it checks, why, a bad and a good example): its module's doc
/// comment, for `monstack codes CODE`.
pub fn documentation(code: Code) -> Option<String> {
    let lint = LINTS.iter().find(|l| l.code == code)?;
    let doc: Vec<&str> =
        lint.source.lines().map_while(|l| l.strip_prefix("//!")).map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
    (!doc.is_empty()).then(|| doc.join("\n"))
}

/// Runs every lint on one rule.
pub fn check(rule: &RuleRef, cx: &Context) -> Vec<Finding> {
    LINTS.iter().flat_map(|l| (l.check)(rule, cx)).collect()
}

pub(crate) fn finding(code: Code, field: &str, message: impl Into<String>, hint: impl Into<String>) -> Finding {
    Finding { code, field: field.to_string(), message: message.into(), hint: hint.into() }
}

/// Every `{{ $labels.<name> }}` referenced in a template.
pub(crate) fn label_refs(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find("$labels.") {
        rest = &rest[i + "$labels.".len()..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Lints one rule given as (alert name or None for a recording rule, expr, for, labels,
    /// annotations) and returns the findings.
    pub fn findings(
        lint: fn(&RuleRef, &Context) -> Vec<Finding>,
        alert: bool,
        expr: &str,
        for_: u64,
        labels: &[(&str, &str)],
        annotations: &[(&str, &str)],
    ) -> Vec<Finding> {
        let names = (alert.then_some("SomeAlert"), (!alert).then_some("job:x:rate5m"));
        run(lint, names, expr, for_, labels, annotations)
    }

    /// Lints a rule `up` with the given alert and record names, no `for`, labels nor annotations,
    /// and returns the findings: for lints on the names themselves.
    pub fn named(
        lint: fn(&RuleRef, &Context) -> Vec<Finding>,
        alert: Option<&str>,
        record: Option<&str>,
    ) -> Vec<Finding> {
        run(lint, (alert, record), "up", 0, &[], &[])
    }

    /// The findings a test expects from a lint, as (field, message, hint).
    pub type Want = &'static [(&'static str, &'static str, &'static str)];

    /// The findings of `code` expected from a lint: one (field, message, hint) each.
    pub fn expected(code: Code, findings: &[(&str, &str, &str)]) -> Vec<Finding> {
        findings.iter().map(|(field, message, hint)| finding(code, field, *message, *hint)).collect()
    }

    fn run(
        lint: fn(&RuleRef, &Context) -> Vec<Finding>,
        (alert, record): (Option<&str>, Option<&str>),
        expr: &str,
        for_: u64,
        labels: &[(&str, &str)],
        annotations: &[(&str, &str)],
    ) -> Vec<Finding> {
        let parsed = promql_parser::parser::parse(expr).unwrap();
        let labels: BTreeMap<String, String> = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let annotations: BTreeMap<String, String> =
            annotations.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let rule = RuleRef { alert, record, expr: &parsed, for_ms: for_, labels: &labels, annotations: &annotations };
        lint(&rule, &Context { scrape_interval_ms: 15_000, runbook_base_url: true })
    }
}
