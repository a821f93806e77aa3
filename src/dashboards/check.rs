//! In-process validation of a dashboard's JSON, standing in for a Grafana server: unique panel
//! ids; grid positions inside 24 columns with no overlaps; every datasource reference resolving
//! to a provisioned uid or a datasource variable of the same type; every variable used defined
//! and every variable defined used; unique refIds; every PromQL target parsing (Grafana's macros
//! and variables substituted) and every LogQL target structurally sound; known units; a valid uid.
//!
//! With [`Metrics`], it also cross-checks every metric a Prometheus query reads against the
//! environment: produced by a declared scrape job ([`crate::catalogue::metrics`]), recorded by a
//! rule, or written by Prometheus itself.

use super::board::COLUMNS;
use super::units::is_unit;
use crate::catalogue::metrics;
use crate::diag::Code;
use crate::lint::analysis::{metric_name, selectors};
use crate::spec::Spec;
use crate::syntax::logql;
use promql_parser::parser::{self, Expr, VectorSelector};
use regex::Regex;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// One problem in a dashboard: its code, where in the JSON, and what.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    pub code: Code,
    pub at: String,
    pub message: String,
    pub hint: Option<String>,
}

/// What the metric cross-check knows of the environment.
pub struct Metrics<'a> {
    pub jobs: Vec<&'a str>,
    pub ai_job: &'a str,
    /// Series names recording rules write.
    pub records: BTreeSet<String>,
    /// Jobs the spec declares instrumented HTTP services (golden-signals dashboards), with the
    /// metrics they expose beyond the client libraries' ([`metrics::HTTP_SERVICE`]).
    pub services: BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// Each job's role ([`crate::catalogue::kinds::role`]): whose table it has.
    pub roles: BTreeMap<&'a str, &'static str>,
}

impl<'a> Metrics<'a> {
    /// What an environment produces: its scrape jobs, and the series its generated and its own
    /// recording rules write.
    pub fn of(spec: &'a Spec) -> Self {
        let mut records: BTreeSet<String> = crate::catalogue::recordings(spec).into_iter().map(|r| r.record).collect();
        records.extend(
            spec.rules.files.iter().flat_map(|f| &f.groups).flat_map(|g| &g.rules).filter_map(|r| r.record.clone()),
        );
        let mut services: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for s in spec.grafana.folders.iter().flat_map(|f| &f.services) {
            services.entry(s.job.as_str()).or_default().extend(s.queue_metric.as_deref());
        }
        Metrics {
            jobs: spec.scrape_jobs.iter().map(|j| j.name.as_str()).collect(),
            roles: spec
                .scrape_jobs
                .iter()
                .filter_map(|j| Some((j.name.as_str(), crate::catalogue::kinds::role(j)?)))
                .collect(),
            ai_job: &spec.ai_models.job,
            records,
            services,
        }
    }

    /// Whether a declared job of this name exposes `metric`: a well-known job, or one the spec
    /// declares an instrumented service.
    fn exposes(&self, job: &str, metric: &str) -> bool {
        let table = if job == self.ai_job { Some(job) } else { self.roles.get(job).copied() };
        table.is_some_and(|t| metrics::exposes(t, self.ai_job, metric))
            || self
                .services
                .get(job)
                .is_some_and(|own| metrics::HTTP_SERVICE.iter().any(|m| m.name == metric) || own.contains(metric))
    }
}

/// The datasources an environment provisions: uid → type.
pub fn datasources(spec: &Spec) -> BTreeMap<String, String> {
    spec.grafana.datasources.iter().map(|d| (d.uid.clone(), d.kind.as_str().to_string())).collect()
}

/// Grafana's variable syntaxes: `$name`, `${name}`, `${name:format}`, `[[name]]`.
static VARIABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$(\w+)|\$\{(\w+)(?:[:.][^}]*)?\}|\[\[(\w+)(?::\w+)?\]\]").expect("valid regex"));

/// Grafana's built-in interval macros, replaced by a duration for parsing.
const INTERVAL_MACROS: &[&str] = &["__rate_interval", "__interval", "__range", "__auto"];

/// Checks one dashboard. `datasources` maps each provisioned datasource uid to its type.
pub fn check(dashboard: &Value, datasources: &BTreeMap<String, String>, metrics: Option<&Metrics>) -> Vec<Problem> {
    let mut c = Checker { problems: Vec::new(), datasources, metrics, ds_vars: BTreeMap::new(), used: BTreeSet::new() };
    c.dashboard(dashboard);
    c.problems
}

struct Checker<'a> {
    problems: Vec<Problem>,
    datasources: &'a BTreeMap<String, String>,
    metrics: Option<&'a Metrics<'a>>,
    /// Datasource variables: name → the datasource type they select.
    ds_vars: BTreeMap<String, String>,
    used: BTreeSet<String>,
}

impl Checker<'_> {
    fn problem(&mut self, code: Code, at: impl Into<String>, message: impl Into<String>) -> &mut Problem {
        self.problems.push(Problem { code, at: at.into(), message: message.into(), hint: None });
        self.problems.last_mut().expect("just pushed")
    }

    fn invalid(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.problem(Code::DashboardInvalid, at, message);
    }

    fn dashboard(&mut self, d: &Value) {
        let uid = d["uid"].as_str().unwrap_or_default();
        if !crate::syntax::names::is_grafana_uid(uid) {
            self.invalid("uid", format!("\"{uid}\" is not a Grafana uid (1–40 of a-z, A-Z, 0-9, - and _)"));
        }
        if d["title"].as_str().is_none_or(|t| t.trim().is_empty()) {
            self.invalid("title", "a dashboard needs a title");
        }
        let variables = d["templating"]["list"].as_array().cloned().unwrap_or_default();
        let mut defined = BTreeSet::new();
        for (i, v) in variables.iter().enumerate() {
            let name = v["name"].as_str().unwrap_or_default().to_string();
            if !defined.insert(name.clone()) {
                self.invalid(format!("templating.list[{i}]"), format!("variable ${name} is defined twice"));
            }
            if v["type"] == "datasource" {
                self.ds_vars.insert(name, v["query"].as_str().unwrap_or_default().to_string());
            }
        }
        for (i, v) in variables.iter().enumerate() {
            let at = format!("templating.list[{i}]");
            self.strings(v);
            if v["type"] == "query" {
                let ds_type = self.datasource(&v["datasource"], &at);
                let query = v["query"].as_str().unwrap_or_default();
                self.variable_query(query, ds_type.as_deref(), &at);
            }
        }
        let panels = d["panels"].as_array().cloned().unwrap_or_default();
        let mut ids = BTreeSet::new();
        let mut boxes: Vec<(String, [u64; 4])> = Vec::new();
        for (i, p) in panels.iter().enumerate() {
            let at = format!("panels[{i}] \"{}\"", p["title"].as_str().unwrap_or_default());
            match p["id"].as_u64() {
                Some(id) if id > 0 => {
                    if !ids.insert(id) {
                        self.invalid(&at, format!("panel id {id} is used twice"));
                    }
                }
                _ => self.invalid(&at, "a panel needs a positive integer id"),
            }
            if let Some(b) = self.grid(&p["gridPos"], &at) {
                if let Some((other, _)) = boxes.iter().find(|(_, o)| overlap(o, &b)) {
                    let message = format!("overlaps {other}");
                    self.invalid(&at, message);
                }
                boxes.push((at.clone(), b));
            }
            self.panel(p, &at);
        }
        let used = std::mem::take(&mut self.used);
        for name in defined.difference(&used) {
            self.invalid("templating.list", format!("variable ${name} is defined but never used"));
        }
        for name in used.difference(&defined) {
            self.invalid("panels", format!("${name} is used but no such variable is defined"));
        }
    }

    /// Records every variable referenced in any string under `v`.
    fn strings(&mut self, v: &Value) {
        match v {
            Value::String(s) => self.uses(s),
            Value::Array(a) => a.iter().for_each(|x| self.strings(x)),
            Value::Object(o) => {
                // A variable's own name and current value are not references.
                for (k, x) in o {
                    if k != "name" && k != "current" && k != "options" {
                        self.strings(x);
                    }
                }
            }
            _ => {}
        }
    }

    fn uses(&mut self, s: &str) {
        for cap in VARIABLE.captures_iter(s) {
            let name = cap.get(1).or(cap.get(2)).or(cap.get(3)).map(|m| m.as_str()).unwrap_or_default();
            // `$1` in label_replace is a regex group, and `__name` are Grafana's own macros.
            if !name.starts_with("__") && !name.starts_with(|c: char| c.is_ascii_digit()) {
                self.used.insert(name.to_string());
            }
        }
    }

    fn grid(&mut self, g: &Value, at: &str) -> Option<[u64; 4]> {
        let field = |k: &str| g[k].as_u64();
        let (Some(x), Some(y), Some(w), Some(h)) = (field("x"), field("y"), field("w"), field("h")) else {
            self.invalid(at, "gridPos needs integer x, y, w and h");
            return None;
        };
        if w == 0 || h == 0 || x + w > COLUMNS {
            self.invalid(at, format!("gridPos x={x} w={w} h={h} does not fit the {COLUMNS}-column grid"));
            return None;
        }
        Some([x, y, w, h])
    }

    /// Resolves a datasource reference; returns its type.
    fn datasource(&mut self, ds: &Value, at: &str) -> Option<String> {
        let (Some(kind), Some(uid)) = (ds["type"].as_str(), ds["uid"].as_str()) else {
            self.invalid(at, "a datasource reference needs a type and a uid");
            return None;
        };
        let var = VARIABLE.captures(uid).filter(|c| c.get(0).is_some_and(|m| m.as_str() == uid));
        let resolved = match var {
            Some(c) => {
                let name = c.get(1).or(c.get(2)).or(c.get(3)).map(|m| m.as_str()).unwrap_or_default();
                self.used.insert(name.to_string());
                self.ds_vars.get(name).cloned().ok_or(format!("${name} is not a datasource variable"))
            }
            None => self.datasources.get(uid).cloned().ok_or(format!("no provisioned datasource has uid \"{uid}\"")),
        };
        match resolved {
            Ok(t) if t == kind => Some(t),
            Ok(t) => {
                self.problem(
                    Code::RefUnknownDatasource,
                    at,
                    format!("datasource \"{uid}\" is of type {t}, not {kind}"),
                );
                None
            }
            Err(e) => {
                self.problem(Code::RefUnknownDatasource, at, e);
                None
            }
        }
    }

    fn panel(&mut self, p: &Value, at: &str) {
        let kind = p["type"].as_str().unwrap_or_default();
        if kind == "row" {
            if !p["collapsed"].is_boolean() || !p["panels"].is_array() {
                self.invalid(at, "a row panel needs collapsed and panels");
            }
            self.strings(&p["title"]);
            return;
        }
        if !["timeseries", "stat", "gauge", "bargauge", "table", "logs", "text"].contains(&kind) {
            self.invalid(at, format!("unknown panel type \"{kind}\""));
        }
        for k in ["title", "description"] {
            self.strings(&p[k]);
        }
        if p["description"].as_str().is_none_or(|d| d.trim().is_empty()) {
            self.invalid(at, "every panel says what it shows in its description");
        }
        let unit = p["fieldConfig"]["defaults"]["unit"].as_str().unwrap_or_default();
        if !is_unit(unit) {
            self.invalid(at, format!("\"{unit}\" is not a Grafana unit"));
        }
        let panel_ds = self.datasource(&p["datasource"], at);
        let targets = p["targets"].as_array().cloned().unwrap_or_default();
        if targets.is_empty() && kind != "text" {
            self.invalid(at, "a panel without queries shows nothing");
        }
        let mut ref_ids = BTreeSet::new();
        for (j, t) in targets.iter().enumerate() {
            let at = format!("{at}.targets[{j}]");
            let ref_id = t["refId"].as_str().unwrap_or_default();
            if ref_id.is_empty() || !ref_ids.insert(ref_id.to_string()) {
                self.invalid(&at, format!("refId \"{ref_id}\" is empty or used twice in the panel"));
            }
            let ds = if t["datasource"].is_null() { panel_ds.clone() } else { self.datasource(&t["datasource"], &at) };
            self.strings(t);
            let expr = t["expr"].as_str().unwrap_or_default();
            match ds.as_deref() {
                Some("prometheus") => self.promql(expr, &at),
                Some("loki") => {
                    if let Err(e) = logql::check_query(&substitute(expr)) {
                        self.problem(Code::LogqlInvalid, &at, format!("{expr}: {e}"));
                    }
                }
                _ => {}
            }
        }
    }

    fn promql(&mut self, expr: &str, at: &str) {
        match parser::parse(&substitute(expr)) {
            Err(e) => {
                self.problem(Code::PromqlInvalid, at, format!("{expr}: {e}"));
            }
            Ok(ast) => self.cross_check(&ast, at),
        }
    }

    /// `label_values(selector, label)` and the other Prometheus variable queries.
    fn variable_query(&mut self, query: &str, ds_type: Option<&str>, at: &str) {
        let inner = query.strip_prefix("label_values(").and_then(|q| q.strip_suffix(')'));
        let Some((selector, label)) = inner.and_then(|q| q.rsplit_once(',')) else {
            self.invalid(at, format!("\"{query}\" is not a label_values(selector, label) query"));
            return;
        };
        if !crate::syntax::names::is_label_name(label.trim()) {
            self.invalid(at, format!("\"{}\" is not a label name", label.trim()));
        }
        match ds_type {
            Some("prometheus") => self.promql(selector, at),
            Some("loki") => {
                if let Err(e) = logql::parse_selector(&substitute(selector)) {
                    self.problem(Code::LogqlInvalid, at, format!("{selector}: {e}"));
                }
            }
            _ => {}
        }
    }

    fn cross_check(&mut self, ast: &Expr, at: &str) {
        let Some(m) = self.metrics else { return };
        for vs in selectors(ast) {
            let Some(name) = metric_name(vs) else { continue };
            if metrics::SYNTHETIC.contains(&name) || m.records.contains(name) {
                continue;
            }
            let jobs: Vec<&str> = m.jobs.iter().copied().filter(|j| job_matches(vs, j)).collect();
            if jobs.iter().any(|j| m.exposes(j, name)) {
                continue;
            }
            let from = metrics::exposed_by(name, m.ai_job);
            let hint = if from.is_empty() {
                "no known exporter or CreativeFlow service exposes it; fix the query".to_string()
            } else {
                format!("declare a scrape job that exposes it: {}", from.join(", "))
            };
            self.problem(
                Code::DashboardUnknownMetric,
                at,
                format!("{name} is neither scraped by a declared job nor recorded by a rule"),
            )
            .hint = Some(hint);
        }
    }
}

/// Grafana's macros and variables replaced by values that keep the query's shape: durations for
/// interval macros, a word for variables (which the dashboards only use inside quoted values).
pub(crate) fn substitute(expr: &str) -> String {
    VARIABLE
        .replace_all(expr, |c: &regex::Captures| {
            let name = c.get(1).or(c.get(2)).or(c.get(3)).map(|m| m.as_str()).unwrap_or_default();
            if INTERVAL_MACROS.contains(&name) {
                "5m".to_string()
            } else if name.starts_with(|c: char| c.is_ascii_digit()) {
                c[0].to_string()
            } else {
                "x".to_string()
            }
        })
        .into_owned()
}

/// Whether the selector's `job` matchers (if any) select this job.
fn job_matches(vs: &VectorSelector, job: &str) -> bool {
    vs.matchers.matchers.iter().filter(|m| m.name == "job").all(|m| m.is_match(job))
}

fn overlap(a: &[u64; 4], b: &[u64; 4]) -> bool {
    a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3]
}
