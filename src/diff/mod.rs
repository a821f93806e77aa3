//! `monstack diff OLD NEW`: what changes, in monitoring terms, between two environments or two
//! versions of one. Both sides are validated models (a bundle is read through its own
//! `spec.json`), compared by meaning rather than by file: alerts by name (and model or SLO),
//! routing by the receivers each label set reaches, scrape jobs by name, dashboards by uid and
//! their panels by section and title, Loki retention tiers by selector and limits by name.
//!
//! Routing is compared on the label sets that matter: every routing expectation of either side
//! and the static labels of every alert of either side, each routed through both route trees
//! with Alertmanager's semantics ([`crate::routing`]). A label set is reported when the
//! receivers it reaches (in route order) differ.

mod output;

use crate::docs::{self, Entry};
use crate::routing::{self, Labels};
use crate::spec::Spec;
use crate::spec::path::OptionPath;
use crate::validate::Model;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What happened to one thing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Added,
    Removed,
    Changed,
}

/// One added, removed or changed thing, with what changed about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub kind: Kind,
    pub subject: String,
    pub details: Vec<String>,
}

/// The items of one area (alerts, routing, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub title: &'static str,
    pub items: Vec<Item>,
}

/// Every difference between two environments, by area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The environment names of the two sides.
    pub old: String,
    pub new: String,
    pub sections: Vec<Section>,
}

impl Report {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.sections.iter().all(|s| s.items.is_empty())
    }

    /// How many things changed.
    pub fn count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }

    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.title == title)
    }

    /// For a terminal; ANSI colours when `colour`.
    pub fn terminal(&self, colour: bool) -> String {
        output::terminal(self, colour)
    }

    /// Markdown for a pull-request comment.
    pub fn markdown(&self) -> String {
        output::markdown(self)
    }
}

pub const ALERTS: &str = "Alerts";
pub const ROUTING: &str = "Routing";
pub const SCRAPE_JOBS: &str = "Scrape jobs";
pub const DASHBOARDS: &str = "Dashboards";
pub const LOKI: &str = "Loki retention and limits";
/// Every option of the spec that differs, by its path: the complete list of causes, whatever
/// the sections above say of their effects (an interval, a retention, HA, remote write, access,
/// the Alertmanager cluster, time intervals, …).
pub const SPEC: &str = "Spec options";

/// Why a side of the diff could not be read.
#[derive(Debug)]
pub enum LoadError {
    /// Not readable, or a folder that is not a bundle.
    Read(String),
    /// An invalid spec: every problem, as `monstack validate` reports them.
    Invalid(Vec<crate::diag::Diagnostic>),
}

/// Reads one side: a bundle folder (through its `spec.json`) or a spec file (JSON or YAML).
pub fn load(path: &std::path::Path) -> Result<crate::validate::Model, LoadError> {
    let file = if path.is_dir() {
        let spec = path.join(crate::SPEC_FILE);
        if !path.join(crate::bundle::MANIFEST).is_file() || !spec.is_file() {
            return Err(LoadError::Read(format!(
                "{} is a folder but not a bundle (no {} and {})",
                path.display(),
                crate::bundle::MANIFEST,
                crate::SPEC_FILE
            )));
        }
        spec
    } else {
        path.to_path_buf()
    };
    let bytes = crate::spec::load::read(&file.display().to_string()).map_err(|e| match e {
        crate::spec::load::ReadError::Io(message) => LoadError::Read(message),
        crate::spec::load::ReadError::TooLarge(diags) => LoadError::Invalid(diags),
    })?;
    crate::model(&file.display().to_string(), &bytes).map_err(LoadError::Invalid)
}

/// Compares two validated specs.
pub fn compare(old_model: &Model, new_model: &Model) -> Report {
    let (old, new) = (&old_model.spec, &new_model.spec);
    Report {
        old: old.environment.clone(),
        new: new.environment.clone(),
        sections: vec![
            Section { title: ALERTS, items: alerts(old_model, new_model) },
            Section { title: ROUTING, items: routes(old_model, new_model) },
            Section { title: SCRAPE_JOBS, items: scrape_jobs(old, new) },
            Section { title: DASHBOARDS, items: dashboards(old_model, new_model) },
            Section { title: LOKI, items: loki(old, new) },
            Section { title: SPEC, items: spec_options(old, new) },
        ],
    }
}

/// The canonical specs' differences, one item per option path: lists of objects with an
/// identifying field (`name`, `uid`, `job`, `alert`, `record`) are matched by it
/// (`scrape_jobs[node_exporter].scrape_interval`), other lists of objects by position
/// (`alertmanager.route.routes[2].receiver`), lists of values compared whole. Two specs whose
/// canonical forms differ always give at least one item.
fn spec_options(old: &Spec, new: &Spec) -> Vec<Item> {
    let canonical = |s: &Spec| serde_json::to_value(s).expect("a spec serialises");
    let mut items = Vec::new();
    option_walk(&OptionPath::default(), &canonical(old), &canonical(new), &mut items);
    items
}

const IDENTIFYING: [&str; 5] = ["name", "uid", "job", "alert", "record"];

/// The field, among [`IDENTIFYING`], that every element of both lists has as a string distinct
/// within its list.
fn identifying(old: &[Value], new: &[Value]) -> Option<&'static str> {
    let distinct = |list: &[Value], field: &str| {
        let mut seen = BTreeSet::new();
        list.iter().all(|e| e.get(field).and_then(Value::as_str).is_some_and(|id| seen.insert(id)))
    };
    IDENTIFYING.into_iter().find(|field| distinct(old, field) && distinct(new, field))
}

fn option_walk(path: &OptionPath, old: &Value, new: &Value, out: &mut Vec<Item>) {
    if old == new {
        return;
    }
    let item = |kind, details| Item { kind, subject: path.to_string(), details };
    match (old, new) {
        (Value::Null, v) => out.push(item(Kind::Added, vec![compact_limited(v)])),
        (v, Value::Null) => out.push(item(Kind::Removed, vec![compact_limited(v)])),
        (Value::Object(o), Value::Object(n)) => {
            let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
            for k in keys {
                option_walk(&path.key(k), o.get(k).unwrap_or(&Value::Null), n.get(k).unwrap_or(&Value::Null), out);
            }
        }
        (Value::Array(o), Value::Array(n)) => match identifying(o, n) {
            Some(field) => {
                let id = |e: &Value| e[field].as_str().unwrap_or_default().to_string();
                let by_id =
                    |list: &[Value]| -> BTreeMap<String, Value> { list.iter().map(|e| (id(e), e.clone())).collect() };
                let (om, nm) = (by_id(o), by_id(n));
                for key in om.keys().chain(nm.keys()).collect::<BTreeSet<_>>() {
                    option_walk(
                        &path.named(key),
                        om.get(key).unwrap_or(&Value::Null),
                        nm.get(key).unwrap_or(&Value::Null),
                        out,
                    );
                }
                // The same elements in another order: in a list, order is meaning (routes, rules).
                let kept = |list: &[Value], other: &BTreeMap<String, Value>| -> Vec<String> {
                    list.iter().map(id).filter(|k| other.contains_key(k)).collect()
                };
                let (before, after) = (kept(o, &nm), kept(n, &om));
                if before != after {
                    out.push(item(Kind::Changed, vec![format!("order: {} → {}", before.join(", "), after.join(", "))]));
                }
            }
            // Lists of objects without a name (routes, expectations) by position; lists of
            // values (targets, matchers) whole.
            None if o.iter().chain(n).all(Value::is_object) => {
                for i in 0..o.len().max(n.len()) {
                    option_walk(
                        &path.index(i),
                        o.get(i).unwrap_or(&Value::Null),
                        n.get(i).unwrap_or(&Value::Null),
                        out,
                    );
                }
            }
            None => out.push(item(Kind::Changed, vec![format!("{} → {}", compact_limited(old), compact_limited(new))])),
        },
        _ => out.push(item(Kind::Changed, vec![format!("{} → {}", compact_limited(old), compact_limited(new))])),
    }
}

/// Items for keyed maps: added and removed keys, and `changed` for keys on both sides.
fn keyed<T>(
    old: &BTreeMap<String, T>,
    new: &BTreeMap<String, T>,
    describe: impl Fn(&T) -> Vec<String>,
    changed: impl Fn(&T, &T) -> Vec<String>,
) -> Vec<Item> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|k| match (old.get(k), new.get(k)) {
            (None, Some(n)) => Some(Item { kind: Kind::Added, subject: k.clone(), details: describe(n) }),
            (Some(o), None) => Some(Item { kind: Kind::Removed, subject: k.clone(), details: describe(o) }),
            (Some(o), Some(n)) => {
                let details = changed(o, n);
                (!details.is_empty()).then(|| Item { kind: Kind::Changed, subject: k.clone(), details })
            }
            (None, None) => None,
        })
        .collect()
}

fn change(what: &str, old: &str, new: &str) -> Option<String> {
    (old != new).then(|| format!("{what}: {old} → {new}"))
}

fn or_none(s: Option<&String>) -> String {
    s.cloned().unwrap_or_else(|| "(none)".into())
}

/// Alerts by name, and by model or SLO for those that repeat.
fn alert_map(model: &Model) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    for e in docs::entries(model) {
        let mut key = match &e.subject {
            Some(s) => format!("{} ({s})", e.name),
            None => e.name.clone(),
        };
        if out.contains_key(&key) {
            key = format!("{key} [{}]", e.file);
        }
        out.insert(key, e);
    }
    out
}

fn alerts(old: &Model, new: &Model) -> Vec<Item> {
    keyed(
        &alert_map(old),
        &alert_map(new),
        |e| {
            vec![format!("severity {}, for {}", or_none(e.labels.get("severity")), e.for_), format!("expr: {}", e.expr)]
        },
        |o, n| {
            let mut d = Vec::new();
            d.extend(change("expr", &o.expr, &n.expr));
            d.extend(change("for", &o.for_, &n.for_));
            d.extend(change("threshold", &or_none(o.threshold.as_ref()), &or_none(n.threshold.as_ref())));
            let names: BTreeSet<&String> = o.labels.keys().chain(n.labels.keys()).collect();
            for l in names {
                d.extend(change(&format!("label {l}"), &or_none(o.labels.get(l)), &or_none(n.labels.get(l))));
            }
            d.extend(change("owner", &or_none(o.owner.as_ref()), &or_none(n.owner.as_ref())));
            d
        },
    )
}

/// `{alertname="X", severity="critical"}`, as Alertmanager prints label sets.
pub fn label_set(labels: &Labels) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={}", crate::syntax::quote(v))).collect();
    format!("{{{}}}", pairs.join(", "))
}

fn routes(old: &Model, new: &Model) -> Vec<Item> {
    let (old_tree, new_tree) = (&old.route, &new.route);
    let mut sets: BTreeSet<Labels> = BTreeSet::new();
    for model in [old, new] {
        sets.extend(model.spec.alertmanager.expectations.iter().map(|e| e.labels.clone()));
        sets.extend(docs::entries(model).iter().map(Entry::routing_labels));
    }
    let mut items: Vec<Item> = sets
        .iter()
        .filter_map(|labels| {
            let (before, after) = (routing::receivers(old_tree, labels), routing::receivers(new_tree, labels));
            (before != after).then(|| Item {
                kind: Kind::Changed,
                subject: label_set(labels),
                details: vec![format!("receivers: {} → {}", before.join(", "), after.join(", "))],
            })
        })
        .collect();
    let receivers = |s: &Spec| -> BTreeMap<String, Value> {
        s.alertmanager
            .receivers
            .iter()
            .map(|r| (format!("receiver {}", r.name), serde_json::to_value(r).expect("receivers serialise")))
            .collect()
    };
    items.extend(keyed(&receivers(&old.spec), &receivers(&new.spec), |_| vec![], json_changes));
    items
}

fn scrape_jobs(old: &Spec, new: &Spec) -> Vec<Item> {
    let jobs = |s: &Spec| -> BTreeMap<String, (String, Value)> {
        s.scrape_jobs
            .iter()
            .map(|j| {
                (j.name.clone(), (docs::discovery(&j.discovery), serde_json::to_value(j).expect("jobs serialise")))
            })
            .collect()
    };
    keyed(&jobs(old), &jobs(new), |(d, _)| vec![format!("discovery: {d}")], |(_, o), (_, n)| json_changes(o, n))
}

/// A dashboard's non-row panels by `section / title` (a repeated one numbered), without the
/// layout fields that move when another panel does.
fn panels(dashboard: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut section = String::new();
    for p in dashboard["panels"].as_array().into_iter().flatten() {
        let title = p["title"].as_str().unwrap_or_default();
        if p["type"] == "row" {
            section = title.to_string();
            continue;
        }
        let mut key = if section.is_empty() { title.to_string() } else { format!("{section} / {title}") };
        let mut n = 1;
        while out.contains_key(&key) {
            n += 1;
            key = format!("{section} / {title} #{n}");
        }
        let mut p = p.clone();
        if let Some(m) = p.as_object_mut() {
            m.remove("id");
            m.remove("gridPos");
        }
        out.insert(key, p);
    }
    out
}

/// Dashboards by uid, from the files validation built (in [`crate::dashboards::provisioned`]
/// order): the folder, title and panels of each.
fn dashboards(old: &Model, new: &Model) -> Vec<Item> {
    let boards = |m: &Model| -> BTreeMap<String, (String, Value)> {
        crate::dashboards::provisioned(&m.spec)
            .zip(&m.dashboards)
            .map(|((f, _, d), built)| {
                let json = serde_json::from_slice(&built.file).expect("monstack writes dashboards as JSON");
                (d.uid(), (f.title.clone(), json))
            })
            .collect()
    };
    keyed(
        &boards(old),
        &boards(new),
        |(folder, json)| {
            vec![format!(
                "\"{}\" in folder {folder}, {} panels",
                json["title"].as_str().unwrap_or_default(),
                panels(json).len()
            )]
        },
        |(of, oj), (nf, nj)| {
            let mut d = Vec::new();
            d.extend(change("folder", of, nf));
            d.extend(change(
                "title",
                oj["title"].as_str().unwrap_or_default(),
                nj["title"].as_str().unwrap_or_default(),
            ));
            let (op, np) = (panels(oj), panels(nj));
            for item in keyed(&op, &np, |_| vec![], json_changes) {
                let what = match item.kind {
                    Kind::Added => "panel added",
                    Kind::Removed => "panel removed",
                    Kind::Changed => "panel changed",
                };
                let fields: BTreeSet<&str> =
                    item.details.iter().map(|c| c.split([':', '.', '[']).next().unwrap_or_default()).collect();
                if fields.is_empty() {
                    d.push(format!("{what}: {}", item.subject));
                } else {
                    d.push(format!("{what}: {} ({})", item.subject, fields.into_iter().collect::<Vec<_>>().join(", ")));
                }
            }
            d
        },
    )
}

fn loki(old: &Spec, new: &Spec) -> Vec<Item> {
    let settings = |s: &Spec| -> BTreeMap<String, Value> {
        let r = &s.loki.retention;
        let mut m = BTreeMap::new();
        m.insert("retention period".to_string(), Value::String(r.period.to_string()));
        m.insert("retention delete_delay".to_string(), Value::String(r.delete_delay.to_string()));
        for t in &s.loki.retention_tiers() {
            m.insert(
                format!("retention of {}", t.selector),
                serde_json::json!({ "period": t.period.to_string(), "priority": t.priority }),
            );
        }
        for (k, v) in s.loki.effective_limits().entries(true) {
            m.insert(format!("limit {k}"), Value::String(v));
        }
        m
    };
    keyed(&settings(old), &settings(new), |v| vec![compact(v)], json_changes)
}

/// Leaf changes between two JSON values, as `path: old → new`.
pub fn json_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(&OptionPath::default(), old, new, &mut out);
    out
}

fn walk(path: &OptionPath, old: &Value, new: &Value, out: &mut Vec<String>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
            for k in keys {
                walk(&path.key(k), o.get(k).unwrap_or(&Value::Null), n.get(k).unwrap_or(&Value::Null), out);
            }
        }
        // Lists of objects (receivers' integrations) compare item by item while their length
        // holds; lists of values (targets) compare whole.
        (Value::Array(o), Value::Array(n)) if o.len() == n.len() && o.iter().chain(n).all(Value::is_object) => {
            for (i, (a, b)) in o.iter().zip(n).enumerate() {
                walk(&path.index(i), a, b, out);
            }
        }
        _ => {
            let p = if path.is_empty() { "value" } else { path.as_str() };
            out.push(format!("{p}: {} → {}", compact(old), compact(new)));
        }
    }
}

/// [`compact`], cut to a line's length.
fn compact_limited(v: &Value) -> String {
    const MAX: usize = 100;
    let text = compact(v);
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_changes_name_each_leaf_and_compare_value_lists_whole() {
        let old = json!({"a": 1, "b": {"c": "x", "d": [1, 2]}, "e": null, "f": [{"g": 1}]});
        let new = json!({"a": 1, "b": {"c": "y", "d": [1, 3]}, "e": true, "f": [{"g": 2}]});
        assert_eq!(
            json_changes(&old, &new),
            vec!["b.c: x → y", "b.d: [1,2] → [1,3]", "e: (none) → true", "f[0].g: 1 → 2"]
        );
        assert!(json_changes(&old, &old).is_empty());
    }

    #[test]
    fn label_sets_print_as_alertmanager_does() {
        let l: Labels = [("severity".to_string(), "critical".to_string()), ("alertname".into(), "X".into())].into();
        assert_eq!(label_set(&l), "{alertname=\"X\", severity=\"critical\"}");
    }
}
