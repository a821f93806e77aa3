//! The built-in Grafana dashboards: what each one shows, built from what the environment declares
//! (scrape jobs, AI models, SLOs), written in the [`board`] model and validated in-process by
//! [`check`] before anything is rendered. One file per dashboard.
//!
//! Panels read the recording rules where they exist (`job:http_requests:rate5m`, …) and
//! `rate(...[$__rate_interval])` elsewhere; every metric they read comes from a job in
//! [`crate::catalogue::metrics`], which the cross-check enforces.

mod ai_logs;
mod ai_models;
mod api_gateway;
pub mod board;
mod business;
pub mod check;
mod http;
mod kubernetes;
mod meta_monitoring;
mod n8n;
mod node;
mod odoo;
mod overview;
mod postgresql;
mod rabbitmq;
mod redis;
mod service;
mod slo;
pub mod units;

use crate::spec::Spec;
use crate::spec::grafana::{DashboardKind, DatasourceType, Folder, ServiceDashboard};
use crate::spec::path::OptionPath;
use crate::syntax::quote;
use board::Board;
use serde_json::Value;

pub(crate) use crate::catalogue::metrics::{
    APISERVER_JOB, AUTH_JOB, CADVISOR_JOB, CREATIVE_JOB, DCGM_JOB, GATEWAY_JOB, KSM_JOB, MQ_JOB, MQ_QUEUES_JOB,
    N8N_JOB, NODE_JOB, ODOO_JOB, PG_JOB, REDIS_JOB, SUBSCRIPTION_JOB, USERS_JOB,
};

/// The stable uid of a built-in dashboard (the same in every environment, so links work).
pub fn uid(kind: DashboardKind) -> &'static str {
    match kind {
        DashboardKind::SystemOverview => "monstack-system-overview",
        DashboardKind::CustomAiModelMonitoring => "monstack-ai-models",
        DashboardKind::LogsAiModel => "monstack-ai-model-logs",
        DashboardKind::Kubernetes => "monstack-kubernetes",
        DashboardKind::NodeExporter => "monstack-node-exporter",
        DashboardKind::Postgresql => "monstack-postgresql",
        DashboardKind::Rabbitmq => "monstack-rabbitmq",
        DashboardKind::Redis => "monstack-redis",
        DashboardKind::ApiGateway => "monstack-api-gateway",
        DashboardKind::Odoo => "monstack-odoo",
        DashboardKind::N8n => "monstack-n8n",
        DashboardKind::BusinessKpis => "monstack-business-kpis",
        DashboardKind::Slo => "monstack-slo",
        DashboardKind::MetaMonitoring => "monstack-meta-monitoring",
    }
}

/// The datasource type a dashboard queries.
pub fn datasource_type(kind: DashboardKind) -> DatasourceType {
    match kind {
        DashboardKind::LogsAiModel => DatasourceType::Loki,
        _ => DatasourceType::Prometheus,
    }
}

/// What a dashboard needs declared to have anything to show; `None` when the spec has it.
/// The message names what is missing.
pub fn missing(spec: &Spec, kind: DashboardKind) -> Option<String> {
    // A job of the role's kind ([`crate::catalogue::kinds`]), whatever it is called; the AI
    // model servers' job is `ai_models.job`.
    let has = |role: &str| {
        crate::catalogue::kinds::job(spec, role).is_some()
            || (role == spec.ai_models.job && spec.scrape_jobs.iter().any(|j| j.name == role))
    };
    let all = |jobs: &[&str]| -> Option<String> {
        let absent: Vec<&str> = jobs.iter().copied().filter(|j| !has(j)).collect();
        let absent: Vec<String> =
            absent
                .into_iter()
                .map(|r| {
                    if r == spec.ai_models.job { format!("name: {r}") } else { crate::catalogue::kinds::declared_as(r) }
                })
                .collect();
        (!absent.is_empty()).then(|| format!("a scrape job with {}", absent.join("; a scrape job with ")))
    };
    let any = |jobs: &[&str]| -> Option<String> {
        let kinds: Vec<String> = jobs.iter().map(|r| crate::catalogue::kinds::declared_as(r)).collect();
        (!jobs.iter().any(|j| has(j))).then(|| format!("a scrape job with one of: {}", kinds.join("; ")))
    };
    match kind {
        // Scrape health (`up`) is always there to show.
        DashboardKind::SystemOverview => None,
        DashboardKind::CustomAiModelMonitoring => all(&[spec.ai_models.job.as_str(), DCGM_JOB, KSM_JOB, CADVISOR_JOB]),
        DashboardKind::LogsAiModel => {
            let ai_logs = spec
                .promtail
                .sources
                .iter()
                .any(|s| matches!(s.kind, crate::spec::promtail::LogSourceKind::AiModels(_)));
            (!ai_logs).then(|| "a promtail.sources entry of kind ai_models".to_string())
        }
        DashboardKind::Kubernetes => all(&[KSM_JOB, CADVISOR_JOB, APISERVER_JOB]),
        DashboardKind::NodeExporter => all(&[NODE_JOB]),
        DashboardKind::Postgresql => all(&[PG_JOB]),
        DashboardKind::Rabbitmq => all(&[MQ_JOB, MQ_QUEUES_JOB]),
        DashboardKind::Redis => all(&[REDIS_JOB]),
        DashboardKind::ApiGateway => all(&[GATEWAY_JOB]),
        DashboardKind::Odoo => all(&[ODOO_JOB]),
        DashboardKind::N8n => all(&[N8N_JOB]),
        DashboardKind::BusinessKpis => any(&[USERS_JOB, SUBSCRIPTION_JOB, CREATIVE_JOB, GATEWAY_JOB]),
        DashboardKind::Slo => spec.slos.is_empty().then(|| "at least one entry in slos".to_string()),
        DashboardKind::MetaMonitoring => {
            let watched = spec.scrape_jobs.iter().any(|j| j.derived && j.name == crate::spec::meta::PROMETHEUS_JOB);
            (!watched).then(|| "meta with the Prometheus servers' addresses (meta.prometheus)".to_string())
        }
    }
}

/// The dashboard's model. Call only when [`missing`] is `None`.
pub fn board(spec: &Spec, kind: DashboardKind) -> Board {
    match kind {
        DashboardKind::SystemOverview => overview::board(spec),
        DashboardKind::CustomAiModelMonitoring => ai_models::board(spec),
        DashboardKind::LogsAiModel => ai_logs::board(spec),
        DashboardKind::Kubernetes => kubernetes::board(spec),
        DashboardKind::NodeExporter => node::board(spec),
        DashboardKind::Postgresql => postgresql::board(spec),
        DashboardKind::Rabbitmq => rabbitmq::board(spec),
        DashboardKind::Redis => redis::board(spec),
        DashboardKind::ApiGateway => api_gateway::board(spec),
        DashboardKind::Odoo => odoo::board(spec),
        DashboardKind::N8n => n8n::board(spec),
        DashboardKind::BusinessKpis => business::board(spec),
        DashboardKind::Slo => slo::board(spec),
        DashboardKind::MetaMonitoring => meta_monitoring::board(spec),
    }
}

/// One dashboard a folder provisions: a built-in kind, or a service's golden signals.
#[derive(Clone, Copy)]
pub enum Dashboard<'a> {
    Builtin(DashboardKind),
    Service(&'a ServiceDashboard),
}

impl Dashboard<'_> {
    pub fn uid(self) -> String {
        match self {
            Dashboard::Builtin(kind) => uid(kind).to_string(),
            Dashboard::Service(s) => s.uid(),
        }
    }

    /// The file name under the folder, without `.json`.
    pub fn file_stem(self) -> String {
        match self {
            Dashboard::Builtin(kind) => kind.file_stem().to_string(),
            Dashboard::Service(s) => s.uid(),
        }
    }

    pub fn datasource_type(self) -> DatasourceType {
        match self {
            Dashboard::Builtin(kind) => datasource_type(kind),
            Dashboard::Service(_) => DatasourceType::Prometheus,
        }
    }
}

impl From<DashboardKind> for Dashboard<'_> {
    fn from(kind: DashboardKind) -> Self {
        Dashboard::Builtin(kind)
    }
}

/// The dashboards of folder `i`, built-in ones first, each with its option path.
pub fn in_folder(i: usize, f: &Folder) -> impl Iterator<Item = (OptionPath, Dashboard<'_>)> {
    let folder = OptionPath::root("grafana.folders").index(i);
    let (dashboards, services) = (folder.key("dashboards"), folder.key("services"));
    let builtin = f.dashboards.iter().enumerate().map(move |(j, k)| (dashboards.index(j), Dashboard::Builtin(*k)));
    let services = f.services.iter().enumerate().map(move |(j, s)| (services.index(j), Dashboard::Service(s)));
    builtin.chain(services)
}

/// Every dashboard the environment provisions, in folder order: (folder, option path, dashboard).
pub fn provisioned(spec: &Spec) -> impl Iterator<Item = (&Folder, OptionPath, Dashboard<'_>)> {
    spec.grafana.folders.iter().enumerate().flat_map(|(i, f)| in_folder(i, f).map(move |(path, d)| (f, path, d)))
}

/// A provisioned dashboard as validation built it: its file, and what the docs catalogue
/// lists of it.
#[derive(Debug)]
pub struct Built {
    /// The JSON file Grafana provisions.
    pub file: Vec<u8>,
    pub title: String,
    /// Panels, rows not counted.
    pub panels: usize,
    /// Every query's `expr`, in document order.
    pub exprs: Vec<String>,
}

impl Built {
    pub fn new(json: &Value) -> Built {
        fn exprs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    for (k, child) in m {
                        match child {
                            Value::String(s) if k == "expr" => out.push(s.clone()),
                            other => exprs(other, out),
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| exprs(i, out)),
                _ => {}
            }
        }
        let mut all = Vec::new();
        exprs(json, &mut all);
        Built {
            file: crate::bundle::json(json),
            title: json["title"].as_str().unwrap_or_default().to_string(),
            panels: json["panels"].as_array().map(|p| p.iter().filter(|p| p["type"] != "row").count()).unwrap_or(0),
            exprs: all,
        }
    }
}

/// The dashboard's JSON for this environment.
pub fn render<'a>(spec: &Spec, dashboard: impl Into<Dashboard<'a>>) -> Value {
    let dashboard = dashboard.into();
    let ds = dashboard.datasource_type();
    let default_ds = spec.grafana.datasources.iter().find(|d| d.kind == ds).map(|d| d.uid.as_str()).unwrap_or_default();
    let board = match dashboard {
        Dashboard::Builtin(kind) => board(spec, kind),
        Dashboard::Service(s) => service::board(spec, s),
    };
    board.to_json(&spec.environment, default_ds, spec.grafana.allow_ui_updates)
}

/// The `job` matcher of what a dashboard reads for `role` (a [`crate::catalogue::metrics`] job
/// constant): every job of that kind ([`crate::catalogue::kinds::matcher`]).
pub(crate) fn job_of(spec: &Spec, role: &str) -> String {
    crate::catalogue::kinds::matcher_or_role(spec, role)
}

/// A selector body for a `job` matcher with extra matchers: `{job="x", extra}`.
pub(crate) fn sel(job: &str, extra: &str) -> String {
    if extra.is_empty() { format!("{{{job}}}") } else { format!("{{{job}, {extra}}}") }
}

/// `rate(metric{job="x", extra}[$__rate_interval])`, `job` a `job` matcher.
pub(crate) fn rate(metric: &str, job: &str, extra: &str) -> String {
    format!("rate({metric}{}[$__rate_interval])", sel(job, extra))
}

/// The section title every dashboard's first row carries, naming the environment.
pub(crate) fn env_title(what: &str) -> String {
    format!("{what} · $environment")
}
