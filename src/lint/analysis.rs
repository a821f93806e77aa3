//! What an expression reads (its selectors and their metric names) and what labels its result
//! can carry, as far as the expression alone tells.

use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, LabelModifier, VectorMatchCardinality, VectorSelector};
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kept {
    /// The labels of the selected series, whatever they are.
    Any,
    /// Exactly these labels (at most).
    Only(BTreeSet<String>),
    /// The selected series' labels except these.
    Except(BTreeSet<String>),
}

impl Kept {
    /// Whether a result can carry `label`: `None` when the expression does not tell.
    pub fn has(&self, label: &str) -> Option<bool> {
        match self {
            Kept::Any => None,
            Kept::Only(s) => Some(s.contains(label)),
            Kept::Except(s) => {
                if s.contains(label) {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }

    fn without(self, drop: &BTreeSet<String>) -> Kept {
        match self {
            Kept::Any => Kept::Except(drop.clone()),
            Kept::Only(s) => Kept::Only(s.difference(drop).cloned().collect()),
            Kept::Except(s) => Kept::Except(s.union(drop).cloned().collect()),
        }
    }

    fn with(self, add: &BTreeSet<String>) -> Kept {
        match self {
            Kept::Any => Kept::Any,
            Kept::Only(s) => Kept::Only(s.union(add).cloned().collect()),
            Kept::Except(s) => Kept::Except(s.difference(add).cloned().collect()),
        }
    }
}

fn set(labels: &[String]) -> BTreeSet<String> {
    labels.iter().cloned().collect()
}

/// Calls `f` on every node of an expression, parents before children.
pub fn visit<'a>(e: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    f(e);
    match e {
        Expr::Paren(p) => visit(&p.expr, f),
        Expr::Unary(u) => visit(&u.expr, f),
        Expr::Subquery(s) => visit(&s.expr, f),
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                visit(p, f);
            }
            visit(&a.expr, f);
        }
        Expr::Call(c) => c.args.args.iter().for_each(|a| visit(a, f)),
        Expr::Binary(b) => {
            visit(&b.lhs, f);
            visit(&b.rhs, f);
        }
        Expr::MatrixSelector(_)
        | Expr::VectorSelector(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::Extension(_) => {}
    }
}

/// How far back an expression reads stored samples, in milliseconds: the longest range plus
/// offset along any path (a subquery's range and offset add to what its inner expression reads);
/// Prometheus' 5-minute lookback of instant selectors is left out.
pub fn lookback_ms(e: &Expr) -> u128 {
    use promql_parser::parser::Offset;
    let offset = |o: &Option<Offset>| match o {
        Some(Offset::Pos(d)) => d.as_millis(),
        _ => 0,
    };
    match e {
        Expr::VectorSelector(v) => offset(&v.offset),
        Expr::MatrixSelector(m) => m.range.as_millis() + offset(&m.vs.offset),
        Expr::Subquery(s) => s.range.as_millis() + offset(&s.offset) + lookback_ms(&s.expr),
        Expr::Paren(p) => lookback_ms(&p.expr),
        Expr::Unary(u) => lookback_ms(&u.expr),
        Expr::Aggregate(a) => a.param.as_deref().map_or(0, lookback_ms).max(lookback_ms(&a.expr)),
        Expr::Call(c) => c.args.args.iter().map(|a| lookback_ms(a)).max().unwrap_or(0),
        Expr::Binary(b) => lookback_ms(&b.lhs).max(lookback_ms(&b.rhs)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => 0,
    }
}

/// Every series selector an expression reads: instant vectors and the vectors of ranges.
pub fn selectors(e: &Expr) -> Vec<&VectorSelector> {
    let mut found = Vec::new();
    visit(e, &mut |e| match e {
        Expr::VectorSelector(v) => found.push(v),
        Expr::MatrixSelector(m) => found.push(&m.vs),
        _ => {}
    });
    found
}

/// The metric name a selector reads, written as `name{…}` or `{__name__="name"}`; `None` when a
/// regex or no matcher names it (it may read any metric).
pub fn metric_name(vs: &VectorSelector) -> Option<&str> {
    vs.name.as_deref().or_else(|| {
        vs.matchers.matchers.iter().find(|m| m.name == "__name__" && m.op == MatchOp::Equal).map(|m| m.value.as_str())
    })
}

/// Series Prometheus writes for alerting rules' states: an expression reading them depends on
/// alerts (their expressions and `for`) in ways matching recorded names cannot see.
pub const ALERT_STATES: [&str; 2] = ["ALERTS", "ALERTS_FOR_STATE"];

/// The metric names an expression's selectors read, in order; `None` when one reads what is not
/// known by name: a selector without a metric name (`{__name__=~"…"}`) or the alert states.
pub fn names_read(e: &Expr) -> Option<Vec<String>> {
    selectors(e)
        .into_iter()
        .map(|vs| metric_name(vs).filter(|n| !ALERT_STATES.contains(n)).map(str::to_string))
        .collect()
}

/// Expressions (their text) and what each reads by name ([`names_read`]).
pub type NamesRead = std::collections::HashMap<String, Option<Vec<String>>>;

/// What a set of expressions select jobs by: every selector's `=` values and `=~` patterns,
/// by label. A job is read when one of them matches its `job` label or one of its own target
/// labels (`scrape_jobs[].labels`, e.g. `service`): a selector without such a matcher, or one
/// that only excludes (`!=`, `!~`), selects no job in particular.
#[derive(Clone, Debug, Default)]
pub struct JobsRead {
    by_label: std::collections::HashMap<String, Selected>,
}

/// The values of one label that selectors ask for.
#[derive(Clone, Debug, Default)]
struct Selected {
    values: std::collections::HashSet<String>,
    /// Anchored as Prometheus anchors them (promql-parser compiles `^(?:…)$`), one per pattern.
    patterns: Vec<regex::Regex>,
}

impl Selected {
    fn pattern(&mut self, re: &regex::Regex) {
        if !self.patterns.iter().any(|p| p.as_str() == re.as_str()) {
            self.patterns.push(re.clone());
        }
    }
}

impl JobsRead {
    /// Adds what `e`'s selectors ask for.
    pub fn add(&mut self, e: &Expr) {
        for vs in selectors(e) {
            for m in vs.matchers.matchers.iter().filter(|m| m.name != "__name__") {
                match &m.op {
                    MatchOp::Equal => {
                        self.by_label.entry(m.name.clone()).or_default().values.insert(m.value.clone());
                    }
                    MatchOp::Re(re) => self.by_label.entry(m.name.clone()).or_default().pattern(re),
                    _ => {}
                }
            }
        }
    }

    /// Both sets' selections.
    pub fn extend(&mut self, other: JobsRead) {
        for (label, selected) in other.by_label {
            let mine = self.by_label.entry(label).or_default();
            mine.values.extend(selected.values);
            for re in &selected.patterns {
                mine.pattern(re);
            }
        }
    }

    /// Whether a selector asks for the job with these target labels (`job` and its own).
    pub fn reads<'a>(&self, labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
        labels.into_iter().any(|(label, value)| {
            self.by_label
                .get(label)
                .is_some_and(|s| s.values.contains(value) || s.patterns.iter().any(|p| p.is_match(value)))
        })
    }
}

/// Whether an expression is a plain number (no series).
pub fn is_scalar(e: &Expr) -> bool {
    match e {
        Expr::NumberLiteral(_) => true,
        Expr::Paren(p) => is_scalar(&p.expr),
        Expr::Unary(u) => is_scalar(&u.expr),
        Expr::Binary(b) => is_scalar(&b.lhs) && is_scalar(&b.rhs),
        Expr::Call(c) => matches!(c.func.name, "time" | "scalar" | "pi"),
        _ => false,
    }
}

/// The innermost vector selector an expression reads first, if any.
pub fn first_selector(e: &Expr) -> Option<&promql_parser::parser::VectorSelector> {
    match e {
        Expr::VectorSelector(v) => Some(v),
        Expr::MatrixSelector(m) => Some(&m.vs),
        Expr::Paren(p) => first_selector(&p.expr),
        Expr::Unary(u) => first_selector(&u.expr),
        Expr::Subquery(s) => first_selector(&s.expr),
        Expr::Aggregate(a) => first_selector(&a.expr),
        Expr::Call(c) => c.args.args.iter().find_map(|a| first_selector(a)),
        Expr::Binary(b) => first_selector(&b.lhs).or_else(|| first_selector(&b.rhs)),
        _ => None,
    }
}

/// Labels an expression's result can carry.
pub fn kept(e: &Expr) -> Kept {
    match e {
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Kept::Only(BTreeSet::new()),
        Expr::VectorSelector(_) | Expr::MatrixSelector(_) => Kept::Any,
        Expr::Paren(p) => kept(&p.expr),
        Expr::Unary(u) => kept(&u.expr),
        Expr::Subquery(s) => kept(&s.expr),
        Expr::Aggregate(a) => {
            let op = a.op.to_string();
            let inner = kept(&a.expr);
            match (&a.modifier, op.as_str()) {
                (_, "topk" | "bottomk" | "limitk" | "limit_ratio") => inner,
                (Some(LabelModifier::Include(l)), _) => Kept::Only(set(&l.labels)),
                (Some(LabelModifier::Exclude(l)), _) => inner.without(&set(&l.labels)),
                (None, _) => Kept::Only(BTreeSet::new()),
            }
        }
        Expr::Call(c) => {
            let args = &c.args.args;
            match c.func.name {
                "vector" | "time" | "scalar" | "pi" => Kept::Only(BTreeSet::new()),
                "absent" | "absent_over_time" => {
                    let eq = first_selector(e)
                        .map(|v| {
                            v.matchers
                                .matchers
                                .iter()
                                .filter(|m| matches!(m.op, MatchOp::Equal))
                                .map(|m| m.name.clone())
                                .collect()
                        })
                        .unwrap_or_default();
                    Kept::Only(eq)
                }
                "histogram_quantile" => {
                    args.get(1).map(|a| kept(a)).unwrap_or(Kept::Any).without(&set(&["le".to_string()]))
                }
                "label_replace" | "label_join" => {
                    let dst = match args.get(1).map(|a| a.as_ref()) {
                        Some(Expr::StringLiteral(s)) => set(std::slice::from_ref(&s.val)),
                        _ => BTreeSet::new(),
                    };
                    args.first().map(|a| kept(a)).unwrap_or(Kept::Any).with(&dst)
                }
                _ => args.iter().find(|a| !is_scalar(a)).map(|a| kept(a)).unwrap_or(Kept::Only(BTreeSet::new())),
            }
        }
        Expr::Binary(b) => {
            if is_scalar(&b.lhs) {
                return kept(&b.rhs);
            }
            if is_scalar(&b.rhs) {
                return kept(&b.lhs);
            }
            if b.op.is_set_operator() {
                return if b.op.to_string() == "or" { Kept::Any } else { kept(&b.lhs) };
            }
            let lhs = kept(&b.lhs);
            let Some(m) = &b.modifier else { return lhs };
            match (&m.card, &m.matching) {
                (VectorMatchCardinality::OneToOne, Some(LabelModifier::Include(on))) => Kept::Only(set(&on.labels)),
                (VectorMatchCardinality::OneToOne, Some(LabelModifier::Exclude(ign))) => lhs.without(&set(&ign.labels)),
                (VectorMatchCardinality::ManyToOne(extra), _) => lhs.with(&set(&extra.labels)),
                (VectorMatchCardinality::OneToMany(extra), _) => kept(&b.rhs).with(&set(&extra.labels)),
                _ => lhs,
            }
        }
        Expr::Extension(_) => Kept::Any,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(expr: &str) -> Kept {
        kept(&promql_parser::parser::parse(expr).unwrap())
    }

    fn only(l: &[&str]) -> Kept {
        Kept::Only(l.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn kept_labels() {
        let cases: &[(&str, Kept)] = &[
            ("up", Kept::Any),
            ("sum(rate(x[5m]))", only(&[])),
            ("sum by (job, instance) (rate(x[5m])) > 1", only(&["instance", "job"])),
            ("count without (cpu) (node_cpu_seconds_total)", Kept::Except(["cpu".to_string()].into())),
            ("histogram_quantile(0.9, sum by (le, job) (rate(h_bucket[5m])))", only(&["job"])),
            ("a / on (instance) b", only(&["instance"])),
            ("a / on (instance) group_left (team) b", Kept::Any),
            ("absent(up{job=\"x\", instance=~\"a.*\"})", only(&["job"])),
            ("vector(1)", only(&[])),
            ("topk(3, sum by (pod) (x))", only(&["pod"])),
            ("1 - sum by (node) (x) / sum by (node) (y)", only(&["node"])),
        ];
        for (expr, want) in cases {
            assert_eq!(&k(expr), want, "{expr}");
        }
    }
}
