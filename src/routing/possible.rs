//! What can happen to an alert known only by its rule, before any series exists: its static
//! labels (`alertname`, `severity`, `service`…) and, from its expression, which other labels
//! its result can carry at all (`sum(…)` carries none; a plain selector any). A label the rule
//! does not set but the result can carry may take any value, so a matcher on it *may* hold: the
//! answers here are "no", or "yes, if the series' labels satisfy these matchers". The catalogue
//! uses them to say which inhibit rules can mute an alert, and the route-tree picture which
//! inhibit rules can mute what a route delivers.

use super::Labels;
use crate::lint::analysis::Kept;
use crate::spec::alertmanager::InhibitRule;
use crate::syntax::Matcher;
use crate::syntax::matcher::MatchOp;
use std::collections::BTreeMap;

/// An alert as its rule tells it.
#[derive(Clone, Debug)]
pub struct Known {
    /// The static labels and `alertname`.
    pub labels: Labels,
    /// The labels its expression's result can carry ([`crate::lint::analysis::kept`]).
    pub series: Kept,
}

impl Known {
    /// Only static labels known: any other label may come from the series.
    pub fn labels(labels: Labels) -> Known {
        Known { labels, series: Kept::Any }
    }

    /// `Some(Some(v))`: the label is `v`; `Some(None)`: the alert never has it; `None`: the
    /// series decides.
    fn value(&self, label: &str) -> Option<Option<&str>> {
        match self.labels.get(label) {
            Some(v) => Some(Some(v)),
            None if self.series.has(label) == Some(false) => Some(None),
            None => None,
        }
    }
}

/// `None`: the alert never satisfies the matchers. `Some(conditions)`: it does if its series
/// satisfy `conditions`, the matchers on labels the series decides (canonical text; empty:
/// always).
pub fn may_match(matchers: &[Matcher], alert: &Known) -> Option<Vec<String>> {
    let mut conditions = Vec::new();
    for m in matchers {
        match alert.value(&m.name) {
            Some(v) if !m.matches(v) => return None,
            Some(_) => {}
            None => conditions.push(m.to_string()),
        }
    }
    Some(conditions)
}

/// An inhibit rule with its matchers parsed.
#[derive(Debug)]
pub struct Inhibition {
    pub source: Vec<Matcher>,
    pub target: Vec<Matcher>,
    pub equal: Vec<String>,
}

impl Inhibition {
    /// The rule, or the first matcher that does not parse.
    pub fn new(rule: &InhibitRule) -> Result<Inhibition, String> {
        let parse = |ms: &[String]| ms.iter().map(|m| Matcher::parse(m)).collect::<Result<Vec<_>, _>>();
        Ok(Inhibition {
            source: parse(&rule.source_matchers)?,
            target: parse(&rule.target_matchers)?,
            equal: rule.equal.clone(),
        })
    }

    /// Whether a firing `source` can mute `target` under this rule: as in Alertmanager
    /// (`inhibit/inhibit.go`), the source satisfies the source matchers, the target the target
    /// matchers, and the `equal` labels are equal (absent on both counts as equal); only labels
    /// known on both sides can prove them different. An alert matching both
    /// sides is never muted by another matching both sides (`hasEqual`'s
    /// `excludeTwoSidedMatch`), which also keeps an alert's own series from muting each other.
    pub fn may_mute(&self, source: &Known, target: &Known) -> Option<Mute> {
        let target_if = may_match(&self.target, target)?;
        let source_if = may_match(&self.source, source)?;
        let differ = self.equal.iter().any(
            |l| matches!((source.value(l), target.value(l)), (Some(a), Some(b)) if a.unwrap_or("") != b.unwrap_or("")),
        );
        let both_sides = |l: &Known| {
            may_match(&self.source, l).is_some_and(|c| c.is_empty())
                && may_match(&self.target, l).is_some_and(|c| c.is_empty())
        };
        let excluded = differ || (both_sides(source) && both_sides(target));
        (!excluded).then_some(Mute { source_if, target_if })
    }
}

/// How a source may mute a target: the conditions on each one's series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mute {
    pub source_if: Vec<String>,
    pub target_if: Vec<String>,
}

/// The values a matcher allows when they are finitely many: an equality, or a regex that is an
/// alternation of plain words (`critical|P1`).
fn finite(m: &Matcher) -> Option<Vec<String>> {
    match m.op {
        MatchOp::Equal => Some(vec![m.value.clone()]),
        MatchOp::Regex => {
            let words: Vec<&str> = m.value.split('|').collect();
            let plain = |w: &&str| !w.contains(|c: char| "\\.+*?()[]{}^$".contains(c));
            words.iter().all(plain).then(|| words.iter().map(|w| w.to_string()).collect())
        }
        MatchOp::NotEqual | MatchOp::NotRegex => None,
    }
}

/// Whether some label set can satisfy both matcher lists. `false` only when it is proven: a
/// label one list restricts to finitely many values none of which the other list allows.
pub fn overlap<'a>(a: impl IntoIterator<Item = &'a Matcher>, b: impl IntoIterator<Item = &'a Matcher>) -> bool {
    let mut by_label: BTreeMap<&str, Vec<&Matcher>> = BTreeMap::new();
    for m in a.into_iter().chain(b) {
        by_label.entry(m.name.as_str()).or_default().push(m);
    }
    by_label.values().all(|ms| match ms.iter().find_map(|m| finite(m)) {
        Some(values) => values.iter().any(|v| ms.iter().all(|m| m.matches(Some(v)))),
        None => true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(list: &[&str]) -> Vec<Matcher> {
        list.iter().map(|m| Matcher::parse(m).unwrap()).collect()
    }

    fn labels(pairs: &[(&str, &str)]) -> Known {
        Known::labels(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn a_label_the_rule_does_not_set_may_match_and_becomes_a_condition() {
        let l = labels(&[("alertname", "TargetDown"), ("severity", "warning")]);
        assert_eq!(may_match(&ms(&["alertname=\"TargetDown\""]), &l), Some(vec![]));
        assert_eq!(
            may_match(&ms(&["alertname=\"TargetDown\"", "job=node_exporter"]), &l),
            Some(vec!["job=\"node_exporter\"".to_string()])
        );
        assert_eq!(may_match(&ms(&["severity=\"critical\""]), &l), None);
        // `sum(…)` keeps no label: its alert never has a `job`, nor `instance`.
        let summed = Known {
            series: crate::lint::analysis::kept(&promql_parser::parser::parse("sum(rate(x[5m])) > 1").unwrap()),
            ..l
        };
        assert_eq!(may_match(&ms(&["alertname=\"TargetDown\"", "job=node_exporter"]), &summed), None);
        assert_eq!(may_match(&ms(&["job!=node_exporter"]), &summed), Some(vec![]));
    }

    #[test]
    fn equal_labels_set_differently_by_both_rules_rule_out_a_source() {
        let rule = Inhibition::new(&InhibitRule {
            source_matchers: vec!["severity=\"critical\"".into()],
            target_matchers: vec!["severity=\"warning\"".into()],
            equal: vec!["alertname".into(), "instance".into()],
        })
        .unwrap();
        let crit = |name: &str| labels(&[("alertname", name), ("severity", "critical")]);
        let warn = labels(&[("alertname", "A"), ("severity", "warning")]);
        assert_eq!(rule.may_mute(&crit("A"), &warn), Some(Mute { source_if: vec![], target_if: vec![] }));
        assert_eq!(rule.may_mute(&crit("B"), &warn), None, "alertname differs");
        assert_eq!(rule.may_mute(&warn, &crit("A")), None, "the wrong way round");
        // The target's expression keeps no `instance`: a source whose rule sets one never has
        // an equal instance; a source whose series decide still may.
        let summed = Known {
            series: crate::lint::analysis::kept(&promql_parser::parser::parse("sum(x) > 1").unwrap()),
            ..labels(&[("alertname", "A"), ("severity", "warning")])
        };
        assert!(rule.may_mute(&crit("A"), &summed).is_some());
        assert_eq!(
            rule.may_mute(&labels(&[("alertname", "A"), ("severity", "critical"), ("instance", "db1")]), &summed),
            None
        );
        let any = Inhibition::new(&InhibitRule {
            source_matchers: vec!["service=\"db\"".into()],
            target_matchers: vec!["service=\"db\"".into()],
            equal: vec![],
        })
        .unwrap();
        let db = labels(&[("alertname", "A"), ("service", "db")]);
        assert_eq!(any.may_mute(&db, &db), None, "both match both sides");
    }

    #[test]
    fn overlap_is_refuted_only_by_finite_value_sets() {
        type Case = (&'static [&'static str], &'static [&'static str], bool);
        let cases: &[Case] = &[
            (&["severity=\"warning\""], &["severity=~\"warning|P2|P3\""], true),
            (&["severity=\"warning\""], &["severity=~\"critical|P1\""], false),
            (&["severity=\"warning\""], &["service=\"postgresql\"", "severity=\"critical\""], false),
            (&["component=\"server\""], &["severity=\"critical\""], true),
            (&["severity=~\"crit.*\""], &["severity=\"warning\""], false),
            (&["severity!=\"warning\""], &["severity=\"warning\""], false),
            // Neither side finite: not refuted.
            (&["severity=~\"crit.*\""], &["severity!~\"c.*\""], true),
            (&[], &["alertname=\"Watchdog\""], true),
        ];
        for (a, b, want) in cases {
            assert_eq!(overlap(&ms(a), &ms(b)), *want, "{a:?} {b:?}");
            assert_eq!(overlap(&ms(b), &ms(a)), *want, "{b:?} {a:?}");
        }
    }
}
