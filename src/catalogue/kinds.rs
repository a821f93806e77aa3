//! What each scrape job is, and so what of the catalogue it switches on. The catalogue, the
//! recording rules and the dashboards key on a job's kind — its `exporter` and, where one
//! exporter serves several endpoints with different metrics (RabbitMQ's `/metrics` and
//! `/metrics/detailed`, MinIO's cluster and bucket endpoints), the endpoint — never on its name.
//!
//! A kind is named by its *role*: the seed's job name for it (the [`super::metrics`] constants,
//! `node_exporter`, `rabbitmq_queues`, …), which is also the name of its metric table. A job
//! without `exporter` whose name is a role has that role (the seed's environments declare no
//! `exporter`); `exporter: app` jobs are CreativeFlow's services, each its own role by name.
//! Every job of a role is read: the alerts, recording rules and dashboards select them all
//! ([`matcher`]: `job="node"`, or `job=~"node|node-k8s"`); a unit test's input series come from
//! the first one's scrape.

use super::metrics;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::spec::Spec;
use crate::spec::scrape::{ExporterKind, ScrapeJob};
use std::collections::{HashMap, HashSet};

/// The role of a job, when it has one: what the catalogue reads it as.
pub fn role(job: &ScrapeJob) -> Option<&'static str> {
    use metrics::*;
    // CreativeFlow's services are known by name; so is every kind when `exporter` is omitted.
    // (A lookup, not a scan of the tables: the catalogue asks for every job's role many times.)
    let by_name = |only_apps: bool| {
        let (apps, all) = &*BY_NAME;
        if only_apps { apps.get(job.name.as_str()).copied() } else { all.get(job.name.as_str()).copied() }
    };
    // The stack's own jobs are derived under their tables' names ([`crate::spec::meta`]); the
    // TLS probe is a blackbox job whose table is the probe's, not blackbox's.
    if job.derived {
        return by_name(false);
    }
    let Some(kind) = job.exporter else { return by_name(false) };
    let path = job.metrics_path.as_deref().unwrap_or("/metrics");
    Some(match kind {
        ExporterKind::NodeExporter => NODE_JOB,
        ExporterKind::PostgresExporter => PG_JOB,
        ExporterKind::RedisExporter => REDIS_JOB,
        // The plugin's per-object endpoint (rabbitmq/rabbitmq-server deps/rabbitmq_prometheus
        // README: `/metrics/detailed` with `family` parameters) serves the per-queue metrics.
        ExporterKind::RabbitmqExporter if path.starts_with("/metrics/detailed") => MQ_QUEUES_JOB,
        ExporterKind::RabbitmqExporter => MQ_JOB,
        // MinIO v2 metrics: `/minio/v2/metrics/cluster` and `/minio/v2/metrics/bucket`.
        ExporterKind::Minio if path.trim_end_matches('/').ends_with("/bucket") => MINIO_BUCKET_JOB,
        ExporterKind::Minio => MINIO_JOB,
        ExporterKind::KubeStateMetrics => KSM_JOB,
        ExporterKind::Cadvisor => CADVISOR_JOB,
        ExporterKind::Apiserver => APISERVER_JOB,
        ExporterKind::DcgmExporter => DCGM_JOB,
        ExporterKind::Blackbox => BLACKBOX_JOB,
        ExporterKind::App => return by_name(true),
    })
}

/// The metric tables' job names, as roles: the services' (`Verified::Contract`), and all of them
/// but the AI models' (whose job the spec names).
static BY_NAME: std::sync::LazyLock<(HashSet<&'static str>, HashSet<&'static str>)> = std::sync::LazyLock::new(|| {
    let tables = || metrics::tables().filter(|t| t.job != metrics::AI_MODELS_JOB);
    (
        tables().filter(|t| t.verified == metrics::Verified::Contract).map(|t| t.job).collect(),
        tables().map(|t| t.job).collect(),
    )
});

/// The exporter kind of a job: declared, else its role's, else `app`.
pub fn exporter(job: &ScrapeJob) -> ExporterKind {
    use metrics::*;
    job.exporter.unwrap_or(match role(job) {
        Some(NODE_JOB) => ExporterKind::NodeExporter,
        Some(PG_JOB) => ExporterKind::PostgresExporter,
        Some(REDIS_JOB) => ExporterKind::RedisExporter,
        Some(MQ_JOB | MQ_QUEUES_JOB) => ExporterKind::RabbitmqExporter,
        Some(CADVISOR_JOB) => ExporterKind::Cadvisor,
        Some(KSM_JOB) => ExporterKind::KubeStateMetrics,
        Some(APISERVER_JOB) => ExporterKind::Apiserver,
        Some(DCGM_JOB) => ExporterKind::DcgmExporter,
        Some(MINIO_JOB | MINIO_BUCKET_JOB) => ExporterKind::Minio,
        Some(BLACKBOX_JOB) => ExporterKind::Blackbox,
        _ => ExporterKind::App,
    })
}

/// The spelling of an exporter kind in the spec (`node-exporter`).
pub fn spelling(kind: ExporterKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The first job of `role` (a [`super::metrics`] job constant): the one whose scrape a unit
/// test's input series come from.
pub fn job<'a>(spec: &'a Spec, role: &str) -> Option<&'a str> {
    spec.scrape_jobs.iter().find(|j| self::role(j) == Some(role)).map(|j| j.name.as_str())
}

/// Every job of `role`, in `scrape_jobs` order.
pub fn jobs<'a>(spec: &'a Spec, role: &str) -> Vec<&'a str> {
    spec.scrape_jobs.iter().filter(|j| self::role(j) == Some(role)).map(|j| j.name.as_str()).collect()
}

/// The `job` matcher that selects every job of `role`: `job="node"`, or `job=~"node|node-k8s"`
/// for several; `None` where the spec has none.
pub fn matcher(spec: &Spec, role: &str) -> Option<String> {
    match jobs(spec, role).as_slice() {
        [] => None,
        [one] => Some(named(one)),
        many => {
            let alternatives: Vec<String> = many.iter().map(|j| crate::syntax::regex_literal(j)).collect();
            Some(format!("job=~{}", crate::syntax::quote(&alternatives.join("|"))))
        }
    }
}

/// The matcher of one job by name: `job="node"`.
pub fn named(job: &str) -> String {
    format!("job={}", crate::syntax::quote(job))
}

/// [`matcher`], or the role's own name's where the spec has no such job (what is built then is
/// not rendered: callers check first that the job exists).
pub fn matcher_or_role(spec: &Spec, role: &str) -> String {
    matcher(spec, role).unwrap_or_else(|| named(role))
}

/// How a spec declares a job of `role`, for messages: `exporter: node-exporter`,
/// `exporter: rabbitmq-exporter, metrics_path: /metrics/detailed`, `name: api-gateway`.
pub fn declared_as(role: &str) -> String {
    use metrics::*;
    let (kind, path) = match role {
        NODE_JOB => (ExporterKind::NodeExporter, None),
        PG_JOB => (ExporterKind::PostgresExporter, None),
        REDIS_JOB => (ExporterKind::RedisExporter, None),
        MQ_JOB => (ExporterKind::RabbitmqExporter, None),
        MQ_QUEUES_JOB => (ExporterKind::RabbitmqExporter, Some("/metrics/detailed")),
        MINIO_JOB => (ExporterKind::Minio, Some("/minio/v2/metrics/cluster")),
        MINIO_BUCKET_JOB => (ExporterKind::Minio, Some("/minio/v2/metrics/bucket")),
        KSM_JOB => (ExporterKind::KubeStateMetrics, None),
        CADVISOR_JOB => (ExporterKind::Cadvisor, None),
        APISERVER_JOB => (ExporterKind::Apiserver, None),
        DCGM_JOB => (ExporterKind::DcgmExporter, None),
        BLACKBOX_JOB => (ExporterKind::Blackbox, None),
        other => return format!("name: {other}"),
    };
    match path {
        Some(p) => format!("exporter: {}, metrics_path: {p}", spelling(kind)),
        None => format!("exporter: {}", spelling(kind)),
    }
}

/// The catalogue group a role switches on, as the summary names it; `None` for a kind the
/// catalogue has no alert, recording rule or dashboard for.
fn group(role: &str) -> Option<&'static str> {
    use metrics::*;
    Some(match role {
        NODE_JOB => "hosts",
        PG_JOB => "postgresql",
        REDIS_JOB => "redis",
        MQ_JOB => "rabbitmq",
        MQ_QUEUES_JOB => "rabbitmq-queues",
        MINIO_JOB => "minio",
        MINIO_BUCKET_JOB => "minio-buckets",
        KSM_JOB => "kubernetes",
        CADVISOR_JOB => "containers",
        APISERVER_JOB => "kubernetes-apiserver",
        DCGM_JOB => "gpus",
        BLACKBOX_JOB | PROMETHEUS_JOB | ALERTMANAGER_JOB => return None,
        _ => "service",
    })
}

/// What one job switched on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSummary {
    pub job: String,
    /// Its exporter kind, as the spec spells it.
    pub exporter: String,
    /// The catalogue groups it switched on (`hosts`, `postgresql`, `service api-gateway`,
    /// `ai-models`, `service-dashboard`); empty when none.
    pub groups: Vec<String>,
    /// The generated alerts that read it (not counting `TargetDown`, which reads every job).
    pub alerts: Vec<String>,
}

/// What every job of a spec switched on, in `scrape_jobs` order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Switched {
    pub jobs: Vec<JobSummary>,
}

/// What each job of the model's spec switches on. What the spec's own rules and its SLOs select
/// ([`crate::validate::Model::jobs_read`], [`crate::validate::Model::slo_jobs_read`]): a job they
/// select by its `job` label or one of its own target labels is watched (`own rules`,
/// `slo`) even when the catalogue has nothing for its kind.
pub fn switched(model: &crate::validate::Model) -> Switched {
    let (spec, read, slos) = (&model.spec, &model.jobs_read, &model.slo_jobs_read);
    // Each job's role once, and each role's first job: the summary is linear in the jobs (a
    // fleet's validation pays for it).
    let roles: Vec<Option<&'static str>> = spec.scrape_jobs.iter().map(role).collect();
    let mut first: HashMap<&str, &str> = HashMap::new();
    for (j, r) in spec.scrape_jobs.iter().zip(&roles) {
        if let Some(r) = r {
            first.entry(r).or_insert(j.name.as_str());
        }
    }
    // The alerts' names only, by the job each names (its kind's first), decided as
    // [`super::alerts`] decides, without building them.
    let mut alerts: HashMap<&str, Vec<String>> = HashMap::new();
    let mut critical = Vec::new();
    let disabled = |name: &str| spec.rules.overrides.get(name).is_some_and(|o| o.disabled);
    for def in super::defs() {
        if disabled(def.name) || !super::applies(&def, spec, &model.capacity) {
            continue;
        }
        match def.job.and_then(|r| first.get(r)) {
            Some(first) => alerts.entry(first).or_default().push(def.name.to_string()),
            None if def.name.starts_with("CriticalTarget") => critical.push(def.name.to_string()),
            None => {}
        }
    }
    for a in super::ai_models::alerts(spec) {
        if !disabled(&a.name) {
            alerts.entry(spec.ai_models.job.as_str()).or_default().push(a.name);
        }
    }
    let dashboards: HashSet<&str> =
        spec.grafana.folders.iter().flat_map(|f| f.services.iter().map(|s| s.job.as_str())).collect();
    let jobs = spec
        .scrape_jobs
        .iter()
        .zip(&roles)
        .map(|(j, r)| {
            let mut groups = Vec::new();
            // An alert of a role names the role's first job; it reads them all.
            let mut read_as = j.name.as_str();
            if let Some(r) = *r {
                read_as = first.get(r).copied().unwrap_or(read_as);
                // The stack's own jobs, derived from `meta` ([`crate::spec::meta`]).
                if j.derived {
                    groups.push("meta-monitoring".to_string());
                } else {
                    match group(r) {
                        Some("service") => groups.push(format!("service {r}")),
                        Some(g) => groups.push(g.to_string()),
                        None => {}
                    }
                }
            }
            if j.name == spec.ai_models.job {
                groups.push("ai-models".into());
            }
            if dashboards.contains(j.name.as_str()) {
                groups.push("service-dashboard".into());
            }
            let labels = || {
                std::iter::once(("job", j.name.as_str())).chain(j.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            };
            if slos.reads(labels()) {
                groups.push("slo".into());
            }
            if read.reads(labels()) {
                groups.push("own rules".into());
            }
            let mut read: Vec<String> = alerts.get(read_as).cloned().unwrap_or_default();
            if j.critical {
                read.extend(critical.iter().cloned());
            }
            read.sort();
            read.dedup();
            JobSummary { job: j.name.clone(), exporter: spelling(exporter(j)), groups, alerts: read }
        })
        .collect();
    Switched { jobs }
}

impl Switched {
    /// A `catalogue/no-group` warning for every job that switched on no group.
    pub fn warnings(&self, spec: &Spec) -> Vec<Diagnostic> {
        let mut d = Diagnostics::new(spec.environment.clone());
        let kinds = kinds_list();
        for (i, j) in self.jobs.iter().enumerate() {
            if !j.groups.is_empty() {
                continue;
            }
            let hint = match role(&spec.scrape_jobs[i]) {
                // A kind the catalogue has nothing for yet.
                Some(_) => {
                    "the catalogue has no alerts or dashboards for this kind yet: add your own rules".to_string()
                }
                None => format!(
                    "if it is an exporter the catalogue knows, declare it, e.g. `exporter: node-exporter` (one of {}); for a service, add a golden-signals dashboard (grafana.folders[].services) or your own rules",
                    kinds
                ),
            };
            d.warning(
                Code::CatalogueNoGroup,
                format!("scrape_jobs[{i}]"),
                format!(
                    "job \"{}\" ({}) switches on no catalogue group: only TargetDown watches it",
                    j.job, j.exporter
                ),
            )
            .hint(hint);
        }
        d.into_sorted()
    }

    /// The text summary: a line per job.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for j in &self.jobs {
            let groups =
                if j.groups.is_empty() { "nothing (only TargetDown)".to_string() } else { j.groups.join(", ") };
            let alerts = match j.alerts.len() {
                0 => String::new(),
                1 => " (1 alert)".to_string(),
                n => format!(" ({n} alerts)"),
            };
            out.push_str(&format!("catalogue: job {} ({}): {groups}{alerts}\n", j.job, j.exporter));
        }
        out
    }

    /// The summary for `--format json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.jobs
                .iter()
                .map(|j| {
                    serde_json::json!({
                        "job": j.job,
                        "exporter": j.exporter,
                        "groups": j.groups,
                        "alerts": j.alerts,
                    })
                })
                .collect(),
        )
    }
}

/// Every exporter kind as the spec spells it, from the spec's schema.
fn kinds_list() -> String {
    let schema = serde_json::to_value(schemars::schema_for!(ExporterKind)).unwrap_or_default();
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_string)).collect()
    };
    let mut all = names(&schema["enum"]);
    // Variants with their own doc comment are `oneOf` single-value enums.
    for one in schema["oneOf"].as_array().into_iter().flatten() {
        all.extend(names(&one["enum"]));
    }
    all.join(", ")
}
