//! The metric contract: every metric name and label the generated alerts, recording rules and
//! dashboards read from a scrape job, checked against what the job exposes — its table in this
//! catalogue (in process), or the series a real Prometheus scraped from the real exporter
//! (`tests/exporters.rs`).
//!
//! A selector reads its metric from the declared jobs its `job` matchers select; one without a
//! `job` matcher from those whose table lists the metric. The labels its other matchers name
//! must be on that metric, and so must every label a `by`, `without`, `on`, `ignoring`,
//! `group_left`/`group_right` clause, `histogram_quantile` (`le`) or `label_replace` source
//! names, on at least one of the metrics read below it (a join may bring a label in). Target
//! labels (`job`, `instance`, the job's `labels`, what discovery sets) count as present.
//! Series that recording rules write are checked where they are recorded.

use super::{SYNTHETIC, table};
use crate::lint::analysis::{ALERT_STATES, metric_name};
use crate::spec::Spec;
use crate::spec::scrape::{Discovery, K8sRole, RelabelAction, ScrapeJob};
use promql_parser::label::MatchOp;
use promql_parser::parser::{
    self, AggregateExpr, BinModifier, BinaryExpr, Call, Expr, LabelModifier, VectorMatchCardinality, VectorSelector,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What one job's series carry: metric name → the names of its labels.
pub type Exposition = BTreeMap<String, BTreeSet<String>>;

/// An expression the generated rules or dashboards evaluate, and who evaluates it.
#[derive(Clone, Debug)]
pub struct Reader {
    pub who: String,
    pub expr: String,
}

/// Something a reader needs that a job does not expose.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gap {
    /// The job (or jobs, comma-separated) the metric is read from; `-` when no declared job
    /// exposes it.
    pub job: String,
    pub metric: String,
    /// The missing label; `None` when the metric itself is missing.
    pub label: Option<String>,
    pub reader: String,
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.label {
            None => write!(f, "job {}: no metric {} (read by {})", self.job, self.metric, self.reader),
            Some(l) => write!(f, "job {}: {} has no label {l} (read by {})", self.job, self.metric, self.reader),
        }
    }
}

/// Every expression the generated alerts, recording rules and Prometheus dashboards of `spec`
/// evaluate.
pub fn readers(spec: &Spec) -> Vec<Reader> {
    let mut out = Vec::new();
    for a in crate::catalogue::alerts(spec, &crate::catalogue::capacity::estimate(spec)) {
        let subject = a.subject.map(|s| format!(" ({s})")).unwrap_or_default();
        out.push(Reader { who: format!("alert {}{subject}", a.name), expr: a.expr });
    }
    for r in crate::catalogue::recordings(spec) {
        out.push(Reader { who: format!("recording rule {}", r.record), expr: r.expr });
    }
    for (_, _, d) in crate::dashboards::provisioned(spec) {
        if d.datasource_type() != crate::spec::grafana::DatasourceType::Prometheus {
            continue;
        }
        let json = crate::dashboards::render(spec, d);
        let title = json["title"].as_str().unwrap_or_default().to_string();
        let mut panels: Vec<&serde_json::Value> = json["panels"].as_array().into_iter().flatten().collect();
        while let Some(p) = panels.pop() {
            panels.extend(p["panels"].as_array().into_iter().flatten());
            for t in p["targets"].as_array().into_iter().flatten() {
                if let Some(expr) = t["expr"].as_str() {
                    let who = format!("dashboard {title} / {}", p["title"].as_str().unwrap_or_default());
                    out.push(Reader { who, expr: crate::dashboards::check::substitute(expr) });
                }
            }
        }
    }
    out
}

/// A job's table as an exposition (the labels each metric carries per the catalogue).
pub fn documented(spec: &Spec, job: &str) -> Option<Exposition> {
    let t = super::table_of(spec, job)?;
    Some(t.metrics().map(|m| (m.name.to_string(), m.labels.iter().map(|l| l.to_string()).collect())).collect())
}

/// The labels Prometheus gives every series of the job's targets: `job`, `instance`, the job's
/// `labels`, and what its discovery's relabeling sets (as `render::prometheus` generates it).
pub fn target_labels(job: &ScrapeJob) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = ["job", "instance"].into_iter().map(str::to_string).collect();
    out.extend(job.labels.keys().cloned());
    if let Discovery::Kubernetes(k) = &job.discovery {
        match k.role {
            K8sRole::Node => out.insert("node".into()),
            K8sRole::Pod => out.insert("namespace".into()) | out.insert("pod".into()),
            _ => out.insert("namespace".into()),
        };
        out.extend(k.target_labels.keys().cloned());
    }
    for r in &job.relabel_configs {
        let action = r.action.unwrap_or(RelabelAction::Replace);
        if let Some(t) = &r.target_label
            && matches!(action, RelabelAction::Replace | RelabelAction::Lowercase | RelabelAction::Uppercase)
            && !t.contains('$')
            && !t.starts_with("__")
        {
            out.insert(t.clone());
        }
    }
    out
}

/// Checks what `readers` read against what each job exposes: `exposed(job)` is the job's
/// exposition, or `None` for a job not checked now (its reads are then skipped).
pub fn check(spec: &Spec, readers: &[Reader], exposed: &dyn Fn(&str) -> Option<Exposition>) -> Vec<Gap> {
    let mut records: BTreeSet<String> = crate::catalogue::recordings(spec).into_iter().map(|r| r.record).collect();
    records.extend(
        spec.rules.files.iter().flat_map(|f| &f.groups).flat_map(|g| &g.rules).filter_map(|r| r.record.clone()),
    );
    let jobs = spec
        .scrape_jobs
        .iter()
        .map(|j| {
            let targets = target_labels(j);
            let exposition = exposed(&j.name).map(|mut e| {
                for labels in e.values_mut() {
                    labels.extend(targets.iter().cloned());
                }
                e
            });
            let table = if j.name == spec.ai_models.job {
                super::table_of(spec, &j.name)
            } else {
                crate::catalogue::kinds::role(j).and_then(|r| table(r, &spec.ai_models.job))
            };
            Job { name: j.name.as_str(), table, targets, exposition }
        })
        .collect();
    let mut c = Checker { jobs, records, gaps: BTreeSet::new() };
    for r in readers {
        match parser::parse(&r.expr) {
            Ok(ast) => {
                c.avail(&ast, &r.who);
            }
            // Validation reports expressions that do not parse.
            Err(_) => continue,
        }
    }
    c.gaps.into_iter().collect()
}

struct Job<'a> {
    name: &'a str,
    /// Its kind's table.
    table: Option<&'static super::Table>,
    targets: BTreeSet<String>,
    exposition: Option<Exposition>,
}

struct Checker<'a> {
    jobs: Vec<Job<'a>>,
    records: BTreeSet<String>,
    gaps: BTreeSet<Gap>,
}

/// The labels an expression's result may carry (`None`: not known, so nothing is checked
/// against it), and the (job, metric) pairs they come from.
#[derive(Default)]
struct Avail {
    labels: Option<BTreeSet<String>>,
    sources: BTreeSet<(String, String)>,
}

impl Avail {
    /// A result without labels (a number, `vector(1)`).
    fn empty() -> Avail {
        Avail { labels: Some(BTreeSet::new()), sources: BTreeSet::new() }
    }

    fn merge(mut self, other: Avail) -> Avail {
        self.sources.extend(other.sources);
        self
    }
}

/// Whether `label` is among `labels`, where `prefix*` stands for every label with the prefix.
fn has(labels: &BTreeSet<String>, label: &str) -> bool {
    labels.contains(label) || labels.iter().any(|l| l.strip_suffix('*').is_some_and(|p| label.starts_with(p)))
}

fn names(labels: &[String]) -> BTreeSet<String> {
    labels.iter().cloned().collect()
}

impl Checker<'_> {
    /// The declared jobs a selector reads from; `None` when it reads no scraped metric (a
    /// recorded series, the alert states, a selector without a metric name).
    fn attribute(&self, vs: &VectorSelector, name: &str) -> Option<Vec<usize>> {
        if self.records.contains(name) || ALERT_STATES.contains(&name) {
            return None;
        }
        let job_matchers: Vec<_> = vs.matchers.matchers.iter().filter(|m| m.name == "job").collect();
        let jobs = (0..self.jobs.len())
            .filter(|&i| {
                let job = &self.jobs[i];
                job_matchers.iter().all(|m| m.is_match(job.name))
                    && (!job_matchers.is_empty()
                        || SYNTHETIC.contains(&name)
                        || job.table.is_some_and(|t| t.metric(name).is_some()))
            })
            .collect();
        Some(jobs)
    }

    fn gap(&mut self, sources: &BTreeSet<(String, String)>, label: Option<&str>, reader: String) {
        let jobs: BTreeSet<&str> = sources.iter().map(|(j, _)| j.as_str()).collect();
        let metrics: BTreeSet<&str> = sources.iter().map(|(_, m)| m.as_str()).collect();
        self.gaps.insert(Gap {
            job: jobs.into_iter().collect::<Vec<_>>().join(","),
            metric: metrics.into_iter().collect::<Vec<_>>().join(","),
            label: label.map(str::to_string),
            reader,
        });
    }

    /// `labels` (named by `clause`) must be available below.
    fn need(&mut self, labels: &[String], below: &Avail, clause: &str, who: &str) {
        let Some(available) = &below.labels else { return };
        for l in labels {
            if !has(available, l) {
                self.gap(&below.sources, Some(l), format!("{who}: `{clause}`"));
            }
        }
    }

    fn selector(&mut self, vs: &VectorSelector, who: &str) -> Avail {
        let Some(name) = metric_name(vs) else { return Avail::default() };
        let Some(jobs) = self.attribute(vs, name) else { return Avail::default() };
        if jobs.is_empty() {
            let source = [("-".to_string(), name.to_string())].into_iter().collect();
            self.gap(&source, None, who.to_string());
            return Avail::default();
        }
        let mut labels = Some(BTreeSet::new());
        let mut sources = BTreeSet::new();
        for i in jobs {
            let job = &self.jobs[i];
            let Some(exposition) = &job.exposition else {
                labels = None;
                continue;
            };
            let carried = if SYNTHETIC.contains(&name) { Some(&job.targets) } else { exposition.get(name) };
            let source: BTreeSet<(String, String)> = [(job.name.to_string(), name.to_string())].into();
            let Some(carried) = carried.cloned() else {
                self.gap(&source, None, who.to_string());
                // Reported once: what it would carry is not known.
                labels = None;
                continue;
            };
            for m in vs.matchers.matchers.iter().filter(|m| m.name != "__name__" && m.name != "job") {
                if !has(&carried, &m.name) {
                    self.gap(&source, Some(&m.name), format!("{who}: matcher `{}`", m.name));
                }
            }
            if let Some(l) = &mut labels {
                l.extend(carried);
            }
            sources.extend(source);
        }
        Avail { labels, sources }
    }

    /// The labels an expression's result carries; what it reads that its jobs lack becomes a gap.
    fn avail(&mut self, e: &Expr, who: &str) -> Avail {
        match e {
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Avail::empty(),
            Expr::VectorSelector(vs) => self.selector(vs, who),
            Expr::MatrixSelector(m) => self.selector(&m.vs, who),
            Expr::Paren(p) => self.avail(&p.expr, who),
            Expr::Unary(u) => self.avail(&u.expr, who),
            Expr::Subquery(s) => self.avail(&s.expr, who),
            Expr::Aggregate(a) => self.aggregate(a, who),
            Expr::Call(call) => self.call(e, call, who),
            Expr::Binary(b) => self.binary(b, who),
            Expr::Extension(_) => Avail::default(),
        }
    }

    /// An aggregation: `by` keeps what it names, `without` drops it, `topk` and kin keep all.
    fn aggregate(&mut self, a: &AggregateExpr, who: &str) -> Avail {
        if let Some(p) = &a.param {
            self.avail(p, who);
        }
        let inner = self.avail(&a.expr, who);
        let op = a.op.to_string();
        let mut out = match &a.modifier {
            Some(LabelModifier::Include(l)) => {
                self.need(&l.labels, &inner, &format!("by ({})", l.labels.join(", ")), who);
                Avail { labels: Some(names(&l.labels)), sources: BTreeSet::new() }
            }
            Some(LabelModifier::Exclude(l)) => {
                self.need(&l.labels, &inner, &format!("without ({})", l.labels.join(", ")), who);
                let drop = names(&l.labels);
                Avail { labels: inner.labels.as_ref().map(|s| s - &drop), sources: BTreeSet::new() }
            }
            None => Avail::empty(),
        };
        if matches!(op.as_str(), "topk" | "bottomk" | "limitk" | "limit_ratio") {
            out.labels = inner.labels.clone();
        }
        if let (Some(Expr::StringLiteral(s)), Some(l)) = (a.param.as_deref(), &mut out.labels)
            && op == "count_values"
        {
            l.insert(s.val.clone());
        }
        out.merge(inner)
    }

    /// A function call: the first vector argument's labels, as the function changes them.
    fn call(&mut self, e: &Expr, call: &Call, who: &str) -> Avail {
        let mut args: Vec<Avail> = call.args.args.iter().map(|a| self.avail(a, who)).collect();
        let sources: BTreeSet<(String, String)> = args.iter().flat_map(|a| a.sources.iter().cloned()).collect();
        // What the result carries: the first vector argument's labels (`round(x, 2)`,
        // `clamp_min(x, 0)`), or the second's after a scalar (`histogram_quantile`).
        let vector = call.args.args.iter().position(|a| !crate::lint::analysis::is_scalar(a));
        let main = match vector {
            Some(i) => std::mem::take(&mut args[i]),
            None => Avail::empty(),
        };
        let labels = self.call_labels(e, call, main, who);
        Avail { labels, sources }
    }

    /// The labels a call's result carries, from those of its first vector argument, `main`.
    fn call_labels(&mut self, e: &Expr, call: &Call, main: Avail, who: &str) -> Option<BTreeSet<String>> {
        let string = |i: usize| match call.args.args.get(i).map(|a| a.as_ref()) {
            Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
            _ => None,
        };
        match call.func.name {
            "histogram_quantile" => {
                self.need(&["le".to_string()], &main, "histogram_quantile (le)", who);
                main.labels.map(|s| &s - &names(&["le".to_string()]))
            }
            "label_replace" | "label_join" => {
                let read: Vec<String> = if call.func.name == "label_replace" {
                    string(3).into_iter().filter(|s| !s.is_empty()).collect()
                } else {
                    (3..call.args.args.len()).filter_map(string).collect()
                };
                self.need(&read, &main, call.func.name, who);
                main.labels.map(|mut s| {
                    s.extend(string(1));
                    s
                })
            }
            "absent" | "absent_over_time" => Some(absent_labels(e)),
            "vector" | "time" | "scalar" | "pi" => Some(BTreeSet::new()),
            _ => main.labels,
        }
    }

    /// A binary operation: a scalar side keeps the other's labels; vectors match as their clauses say.
    fn binary(&mut self, b: &BinaryExpr, who: &str) -> Avail {
        let l = self.avail(&b.lhs, who);
        let r = self.avail(&b.rhs, who);
        if crate::lint::analysis::is_scalar(&b.lhs) {
            return r.merge(l);
        }
        if crate::lint::analysis::is_scalar(&b.rhs) {
            return l.merge(r);
        }
        let Some(m) = &b.modifier else { return l.merge(r) };
        self.need_matching(m, &l, &r, who);
        if b.op.is_set_operator() {
            let labels = match b.op.to_string().as_str() {
                "or" => l.labels.as_ref().zip(r.labels.as_ref()).map(|(a, b)| a | b),
                _ => l.labels.clone(),
            };
            return Avail { labels, ..l.merge(r) };
        }
        self.vector_matched(m, l, r, who)
    }

    /// The labels an `on (…)` or `ignoring (…)` clause names must be available on both sides.
    fn need_matching(&mut self, m: &BinModifier, l: &Avail, r: &Avail, who: &str) {
        match &m.matching {
            Some(LabelModifier::Include(on)) => {
                let clause = format!("on ({})", on.labels.join(", "));
                self.need(&on.labels, l, &clause, who);
                self.need(&on.labels, r, &clause, who);
            }
            Some(LabelModifier::Exclude(ign)) => {
                let clause = format!("ignoring ({})", ign.labels.join(", "));
                self.need(&ign.labels, l, &clause, who);
                self.need(&ign.labels, r, &clause, who);
            }
            None => {}
        }
    }

    /// A vector-to-vector match's labels: the "many" side's plus `group_left`/`right`'s, or `on`'s.
    fn vector_matched(&mut self, m: &BinModifier, l: Avail, r: Avail, who: &str) -> Avail {
        match (&m.card, &m.matching) {
            (VectorMatchCardinality::ManyToOne(extra), _) => {
                let clause = format!("group_left ({})", extra.labels.join(", "));
                self.need(&extra.labels, &r, &clause, who);
                let labels = l.labels.as_ref().map(|s| s | &names(&extra.labels));
                Avail { labels, ..l.merge(r) }
            }
            (VectorMatchCardinality::OneToMany(extra), _) => {
                let clause = format!("group_right ({})", extra.labels.join(", "));
                self.need(&extra.labels, &l, &clause, who);
                let labels = r.labels.as_ref().map(|s| s | &names(&extra.labels));
                Avail { labels, ..r.merge(l) }
            }
            (VectorMatchCardinality::OneToOne, Some(LabelModifier::Include(on))) => {
                Avail { labels: Some(names(&on.labels)), ..l.merge(r) }
            }
            (VectorMatchCardinality::OneToOne, Some(LabelModifier::Exclude(ign))) => {
                let labels = l.labels.as_ref().map(|s| s - &names(&ign.labels));
                Avail { labels, ..l.merge(r) }
            }
            _ => l.merge(r),
        }
    }
}

/// The labels `absent(…)` gives its result: its selector's equality matchers.
fn absent_labels(e: &Expr) -> BTreeSet<String> {
    crate::lint::analysis::first_selector(e)
        .map(|v| {
            v.matchers
                .matchers
                .iter()
                .filter(|m| m.op == MatchOp::Equal && m.name != "__name__")
                .map(|m| m.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        let doc = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/creativeflow/dev.json")).unwrap();
        crate::spec::load::load("dev", &doc).unwrap().spec
    }

    fn gaps(exprs: &[&str], job: &str, exposition: &[(&str, &[&str])]) -> Vec<String> {
        let spec = spec();
        let readers: Vec<Reader> = exprs.iter().map(|e| Reader { who: "r".into(), expr: e.to_string() }).collect();
        let e: Exposition =
            exposition.iter().map(|(m, ls)| (m.to_string(), ls.iter().map(|l| l.to_string()).collect())).collect();
        let job = job.to_string();
        check(&spec, &readers, &|j| (j == job).then(|| e.clone())).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn missing_metrics_and_labels_are_named_with_their_reader() {
        let aggregated: &[(&str, &[&str])] = &[("rabbitmq_queue_messages_ready", &[])];
        let cases: &[(&str, &[&str])] = &[
            // The issue's defect: the default endpoint has no `queue`.
            (
                "sum by (queue) (rabbitmq_queue_messages_ready{job=\"rabbitmq_exporter\"})",
                &["job rabbitmq_exporter: rabbitmq_queue_messages_ready has no label queue (read by r: `by (queue)`)"],
            ),
            (
                "rabbitmq_partitions{job=\"rabbitmq_exporter\"} > 0",
                &["job rabbitmq_exporter: no metric rabbitmq_partitions (read by r)"],
            ),
            (
                "rabbitmq_queue_messages_ready{job=\"rabbitmq_exporter\", vhost=\"/\"} > 1",
                &[
                    "job rabbitmq_exporter: rabbitmq_queue_messages_ready has no label vhost (read by r: matcher `vhost`)",
                ],
            ),
            // Target labels are there (`service` from the job's labels), and so is what a join
            // brings in.
            ("sum by (instance, service) (rabbitmq_queue_messages_ready{job=\"rabbitmq_exporter\"})", &[]),
            (
                "count by (x) (label_replace(rabbitmq_queue_messages_ready{job=\"rabbitmq_exporter\"}, \"x\", \"$1\", \"instance\", \"(.*)\"))",
                &[],
            ),
            // A job not checked now is skipped.
            ("sum by (nothing) (pg_up{job=\"postgres_exporter\"})", &[]),
        ];
        for (expr, want) in cases {
            assert_eq!(gaps(&[expr], "rabbitmq_exporter", aggregated), *want, "{expr}");
        }
    }

    #[test]
    fn a_selector_without_a_job_reads_the_jobs_whose_table_lists_it() {
        let got = gaps(&["sum by (mode) (rate(node_cpu_seconds_total[5m]))"], "node_exporter", &[("node_load1", &[])]);
        assert_eq!(got, ["job node_exporter: no metric node_cpu_seconds_total (read by r)"]);
        let got = gaps(&["unknown_metric > 1"], "node_exporter", &[]);
        assert_eq!(got, ["job -: no metric unknown_metric (read by r)"]);
    }

    #[test]
    fn histogram_quantile_needs_le_and_group_left_needs_its_labels_on_the_one_side() {
        let got = gaps(
            &["histogram_quantile(0.9, sum by (le) (rate(node_load1{job=\"node_exporter\"}[5m])))"],
            "node_exporter",
            &[("node_load1", &[])],
        );
        assert_eq!(got, ["job node_exporter: node_load1 has no label le (read by r: `by (le)`)",]);
        let got = gaps(
            &[
                "node_load1{job=\"node_exporter\"} * on (instance) group_left (nodename) node_uname_info{job=\"node_exporter\"}",
            ],
            "node_exporter",
            &[("node_load1", &[]), ("node_uname_info", &["sysname"])],
        );
        assert_eq!(
            got,
            ["job node_exporter: node_uname_info has no label nodename (read by r: `group_left (nodename)`)"]
        );
    }
}
