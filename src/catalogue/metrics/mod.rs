//! What each scrape job exposes: per exporter version, the metric names monstack's alerts,
//! recording rules and dashboards read and the labels each carries, keyed by the seed's job
//! names — one table per job, one file per exporter, each naming its source. For the
//! exporters `.ci/install` installs (node_exporter, postgres_exporter, redis_exporter, RabbitMQ,
//! blackbox_exporter, Prometheus, Alertmanager) `tests/exporters.rs` scrapes the real thing and
//! holds the table to what it sees; the others (kube-state-metrics, cAdvisor, the API server,
//! DCGM exporter, MinIO) come from their documentation or source. For CreativeFlow's own
//! services the table *is* the contract the services must honour (the seed names the panels,
//! not the metrics behind them).
//!
//! It is the one place that knows which job produces which metric: the dashboard cross-check
//! reports any queried metric that no declared job exposes and no recording rule records;
//! [`contract`] checks every metric and label the generated rules and dashboards read against
//! a job's table (in process) or its real scrape (`tests/exporters.rs`).

mod alertmanager;
mod apiserver;
mod apps;
mod blackbox;
mod cadvisor;
pub mod contract;
mod dcgm;
mod grafana;
mod kube_state_metrics;
mod loki;
mod minio;
mod node_exporter;
mod postgres_exporter;
mod prometheus;
mod rabbitmq;
mod redis_exporter;
mod shippers;

// The seed's job names that alerts, recording rules and dashboards key on.
pub const NODE_JOB: &str = "node_exporter";
pub const PG_JOB: &str = "postgres_exporter";
pub const REDIS_JOB: &str = "redis_exporter";
/// RabbitMQ's built-in plugin on its default endpoint (`/metrics`): per-node aggregates.
pub const MQ_JOB: &str = "rabbitmq_exporter";
/// The same nodes' `/metrics/detailed` endpoint, for the per-queue metrics (`queue`, `vhost`).
pub const MQ_QUEUES_JOB: &str = "rabbitmq_queues";
/// MinIO's cluster metrics (`/minio/v2/metrics/cluster`).
pub const MINIO_JOB: &str = "minio";
/// MinIO's bucket metrics (`/minio/v2/metrics/bucket`): replication per bucket.
pub const MINIO_BUCKET_JOB: &str = "minio-bucket";
pub const CADVISOR_JOB: &str = "kubernetes-cadvisor";
pub const KSM_JOB: &str = "kubernetes-kube-state-metrics";
pub const APISERVER_JOB: &str = "kubernetes-apiservers";
pub const DCGM_JOB: &str = "dcgm_exporter";
pub const BLACKBOX_JOB: &str = "blackbox_exporter";
// The stack's own jobs (meta-monitoring), derived from the topology.
pub use crate::spec::meta::{
    ALERTMANAGER_JOB, ALLOY_JOB, GRAFANA_JOB, LOKI_JOB, PROMETHEUS_JOB, PROMTAIL_JOB, TLS_PROBE_JOB,
};
pub const GATEWAY_JOB: &str = "api-gateway";
pub const ODOO_JOB: &str = "odoo-backend";
pub const N8N_JOB: &str = "n8n-workflows";
pub const AUTH_JOB: &str = "auth-service";
pub const USERS_JOB: &str = "user-management";
pub const CREATIVE_JOB: &str = "creative-management";
pub const SUBSCRIPTION_JOB: &str = "subscription-service";
/// The AI model servers' job when `ai_models.job` keeps its default.
pub const AI_MODELS_JOB: &str = "custom-ai-models";

/// A metric and the labels the exporter puts on it itself. The target labels Prometheus adds
/// (`job`, `instance`, the job's own `labels`, those discovery's relabeling sets) come on top.
/// A label ending in `*` stands for every label with that prefix (kube-state-metrics'
/// `label_<pod label>`).
#[derive(Clone, Copy, Debug)]
pub struct Metric {
    pub name: &'static str,
    pub labels: &'static [&'static str],
}

pub const fn m(name: &'static str, labels: &'static [&'static str]) -> Metric {
    Metric { name, labels }
}

/// How a table's names and labels were checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    /// Scraped from the real exporter on loopback by `tests/exporters.rs`: the Debian package
    /// `.ci/install` installs, at this version.
    Scraped { package: &'static str, version: &'static str },
    /// Read from the exporter's documentation or source (the table's `source`); it cannot run
    /// here.
    Documented,
    /// CreativeFlow's own services: the table is the contract they implement.
    Contract,
}

/// What one scrape job reads from one exporter endpoint, at one exporter version.
#[derive(Debug)]
pub struct Table {
    pub exporter: &'static str,
    pub job: &'static str,
    /// The endpoint the job scrapes (path, and parameters where they select what is served).
    pub endpoint: &'static str,
    /// The exporter version the environments target, whose names and labels these are.
    pub version: &'static str,
    /// Where they come from: the exporter's metric list, or its source at that version.
    pub source: &'static str,
    pub verified: Verified,
    /// The metrics, in parts (the services share the client libraries' metrics).
    pub metrics: &'static [&'static [Metric]],
    /// Metrics of `version` that the older Debian package scraped here lacks, each with the
    /// release that added it: the loopback test requires them absent from the scrape (so the
    /// list stays true) and every other metric of the table present.
    pub newer_than_scraped: &'static [(&'static str, &'static str)],
}

impl Table {
    pub fn metrics(&self) -> impl Iterator<Item = &'static Metric> {
        self.metrics.iter().flat_map(|part| part.iter())
    }

    pub fn metric(&self, name: &str) -> Option<&'static Metric> {
        self.metrics().find(|m| m.name == name)
    }
}

/// Metrics Prometheus itself writes for every target or rule, whatever the job.
pub const SYNTHETIC: &[&str] = &[
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "ALERTS",
    "ALERTS_FOR_STATE",
];

/// Every instrumented service (Prometheus client libraries): RED metrics and process metrics.
pub use apps::HTTP_SERVICE;

/// The exporters' own labels that the alerts, recording rules and dashboards read or join on,
/// by the seed's job names: a target label of the same name would rename them (see
/// [`crate::scrape`]). kube-state-metrics and DCGM exporter label series with the object they
/// describe (DCGM: the pod using the GPU, with its Kubernetes mapping on), not with themselves.
const OWN_LABELS: &[(&str, &[&str])] = &[
    (KSM_JOB, &["namespace", "pod", "container", "node"]),
    (DCGM_JOB, &["namespace", "pod", "container", "gpu", "Hostname"]),
    (CADVISOR_JOB, &["namespace", "pod", "container"]),
    (NODE_JOB, &["cpu", "mode", "device", "fstype", "mountpoint"]),
    (APISERVER_JOB, &["verb"]),
];

/// The labels of [`OWN_LABELS`] for a job of this role ([`super::kinds::role`]).
pub fn own_labels(job: &str) -> &'static [&'static str] {
    OWN_LABELS.iter().find(|(j, _)| *j == job).map_or(&[], |(_, l)| l)
}

/// Every table, the services' and the AI model servers' last.
pub fn tables() -> impl Iterator<Item = &'static Table> {
    [
        &node_exporter::TABLE,
        &postgres_exporter::TABLE,
        &redis_exporter::TABLE,
        &rabbitmq::TABLE,
        &rabbitmq::QUEUES,
        &blackbox::TABLE,
        &prometheus::TABLE,
        &alertmanager::TABLE,
        &loki::TABLE,
        &shippers::PROMTAIL,
        &shippers::ALLOY,
        &grafana::TABLE,
        &blackbox::TLS_PROBE,
        &minio::CLUSTER,
        &minio::BUCKET,
        &kube_state_metrics::TABLE,
        &cadvisor::TABLE,
        &apiserver::TABLE,
        &dcgm::TABLE,
    ]
    .into_iter()
    .chain(apps::TABLES.iter())
    .chain([&apps::AI_MODEL_SERVER])
}

/// The table of the job named `job`; `ai_job` is the spec's `ai_models.job`, whose table is the
/// AI model servers'.
pub fn table(job: &str, ai_job: &str) -> Option<&'static Table> {
    if job == ai_job {
        return Some(&apps::AI_MODEL_SERVER);
    }
    tables().find(|t| t.job == job && t.job != AI_MODELS_JOB)
}

/// The table of the spec's job named `job`: the AI model servers' for `ai_models.job`, else
/// its kind's ([`super::kinds::role`]), whatever the job is called.
pub fn table_of(spec: &crate::spec::Spec, job: &str) -> Option<&'static Table> {
    if job == spec.ai_models.job {
        return Some(&apps::AI_MODEL_SERVER);
    }
    let role = spec.scrape_jobs.iter().find(|j| j.name == job).and_then(super::kinds::role)?;
    table(role, &spec.ai_models.job)
}

/// Whether a job of this name exposes `metric`. `ai_job` is the spec's `ai_models.job`.
pub fn exposes(job: &str, ai_job: &str, metric: &str) -> bool {
    table(job, ai_job).is_some_and(|t| t.metric(metric).is_some())
}

/// The well-known jobs that expose `metric` (for a hint naming the job to declare).
pub fn exposed_by(metric: &str, ai_job: &str) -> Vec<String> {
    tables()
        .filter(|t| t.metric(metric).is_some())
        .map(|t| if t.job == AI_MODELS_JOB { ai_job.to_string() } else { t.job.to_string() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_has_one_table_and_every_table_names_its_source() {
        let mut jobs = std::collections::BTreeSet::new();
        for t in tables() {
            assert!(jobs.insert(t.job), "two tables for job {}", t.job);
            let documented = t.verified != Verified::Contract;
            assert!(t.source.starts_with("https://") || !documented, "{}: source {}", t.job, t.source);
            assert!(!t.version.is_empty() && t.metrics().next().is_some(), "{}", t.job);
            let mut names = std::collections::BTreeSet::new();
            for m in t.metrics() {
                assert!(names.insert(m.name), "{}: {} listed twice", t.job, m.name);
            }
            for (name, since) in t.newer_than_scraped {
                assert!(t.metric(name).is_some() && !since.is_empty(), "{}: {name}", t.job);
                assert!(matches!(t.verified, Verified::Scraped { .. }), "{}: only scraped tables have a gap", t.job);
            }
        }
    }

    #[test]
    fn the_ai_model_servers_table_follows_the_spec_job() {
        assert!(exposes("model-servers", "model-servers", "custom_model_drift_score"));
        assert!(!exposes(AI_MODELS_JOB, "model-servers", "custom_model_drift_score"));
        assert_eq!(exposed_by("custom_model_drift_score", "model-servers"), ["model-servers"]);
        assert_eq!(exposed_by("pg_up", "x"), [PG_JOB]);
    }
}
