//! The capacity estimate: active series per scrape job from its target count and the typical
//! series count of its exporter, samples per second from the scrape interval, and the remote
//! write bandwidth that implies — so an SRE sees when a replica group must be sharded before it
//! falls over. It is the one place of these numbers: `manifest.json`'s `capacity`, the
//! catalogue (`docs/`), the remote write queue sizing and the `hashmod` sharding all read it.
//!
//! Every number below is an ESTIMATE. Real series counts depend on the host (CPUs, disks,
//! interfaces), the database (number of databases, tables), the cluster (objects, containers)
//! and the application (routes, status codes, histogram buckets); declare
//! `scrape_jobs[].expected_series_per_target` where you know better.

use crate::spec::Spec;
use crate::spec::scrape::{Discovery, ExporterKind, ScrapeJob};
use serde::Serialize;

/// Typical active series per target, by exporter kind, with where each number comes from.
pub fn typical_series(kind: ExporterKind) -> u64 {
    match kind {
        // Measured: Debian's prometheus-node-exporter 1.9.0 with default collectors exposed 515
        // series on a 2-core container (monstack issue 12); per-CPU, per-disk, per-filesystem and
        // per-interface series grow with the host, so a server is rounded up to 1000.
        ExporterKind::NodeExporter => 1000,
        // Estimate: postgres_exporter's default collectors give ~150 series per instance plus
        // ~20 per database and per-table stat_user_tables series; a few databases → ~500.
        ExporterKind::PostgresExporter => 500,
        // Estimate: redis_exporter's INFO-derived gauges (~150) plus per-db keyspace and per-
        // command series (~10 per command used) → ~300.
        ExporterKind::RedisExporter => 300,
        // Estimate: RabbitMQ's built-in `rabbitmq_prometheus` plugin with aggregated metrics
        // (the default, per-object metrics off) exposes a few hundred series per node.
        ExporterKind::RabbitmqExporter => 400,
        // Estimate: MinIO's cluster/node metrics v2 endpoint, a few hundred per node (drives,
        // API calls by name).
        ExporterKind::Minio => 500,
        // Estimate: kube-state-metrics scales with the cluster's objects (about 10–20 series per
        // pod, more per deployment/node); ~10000 for a cluster of a few hundred pods.
        ExporterKind::KubeStateMetrics => 10_000,
        // Estimate: cAdvisor (per kubelet) exposes ~50–80 series per container; ~60 containers
        // per node → ~4000.
        ExporterKind::Cadvisor => 4000,
        // Estimate: the API server's request and etcd latency histograms make it one of the
        // largest targets: 20000–60000 series per instance; 30000.
        ExporterKind::Apiserver => 30_000,
        // Estimate: DCGM exporter's default counters (~40 fields) per GPU; 8 GPUs per node.
        ExporterKind::DcgmExporter => 400,
        // Estimate: blackbox_exporter's probe series per probed target (probe_* gauges, HTTP
        // phase durations).
        ExporterKind::Blackbox => 30,
        // Estimate: an application's own /metrics: HTTP request counters and a latency
        // histogram (~10 buckets) by route and status code, plus the client library's process
        // and runtime series (~50) → ~500.
        ExporterKind::App => 500,
    }
}

/// Compressed remote write bytes per sample (protobuf + snappy, remote write 1.0). ESTIMATE:
/// a request repeats each series' labels with its samples, so it depends on label sizes and
/// batching. VictoriaMetrics reports ~50 bytes per sample in production ("Save network costs
/// with VictoriaMetrics remote write protocol", 2023); tests/e2e_ha.rs prints what its loopback
/// run sends (77 bytes/sample there, with tiny 1s batches of dev's labels).
pub const REMOTE_WRITE_BYTES_PER_SAMPLE: f64 = 50.0;

/// The exporter kind of a job ([`super::kinds::exporter`]).
pub fn exporter_kind(job: &ScrapeJob) -> ExporterKind {
    super::kinds::exporter(job)
}

/// Where a job's target count comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// Counted from `discovery.static.targets`.
    Static,
    /// `expected_targets` as declared.
    Declared,
    /// A discovery-based job without `expected_targets`: left out of the totals.
    Unknown,
}

/// One scrape job's share of the estimate.
#[derive(Clone, Debug, Serialize)]
pub struct JobEstimate {
    pub job: String,
    pub exporter: ExporterKind,
    pub series_per_target: u64,
    /// Whether `series_per_target` was declared (`expected_series_per_target`) rather than
    /// taken from the catalogue's table.
    pub series_declared: bool,
    pub targets: Option<u64>,
    pub targets_from: TargetSource,
    pub scrape_interval_seconds: f64,
    pub series: Option<u64>,
    pub samples_per_second: Option<f64>,
}

/// One environment's estimate, for ONE replica (every replica of a group scrapes the same).
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    pub jobs: Vec<JobEstimate>,
    /// Series of all jobs with a known target count (what one unsharded replica would hold).
    pub series: u64,
    pub samples_per_second: f64,
    /// `prometheus.capacity.max_series_per_replica`, when declared.
    pub max_series_per_replica: Option<u64>,
    /// Replica groups the scrape jobs are split into (1: not sharded).
    pub shards: u64,
    /// Replicas per group (1 without `prometheus.ha`).
    pub replicas_per_shard: u64,
    /// Series one replica holds, with the jobs spread evenly over the shards.
    pub series_per_replica: u64,
    pub samples_per_second_per_replica: f64,
    /// Remote write traffic of one replica to each destination, and of all replicas together
    /// (every replica of an HA group writes; the store deduplicates).
    pub remote_write_bytes_per_second_per_replica: f64,
    pub remote_write_bytes_per_second_total: f64,
    pub remote_write_bytes_per_sample: f64,
    /// Jobs left out of the totals because their target count is unknown.
    pub unknown_targets: Vec<String>,
}

/// The estimate for a validated spec.
pub fn estimate(spec: &Spec) -> Estimate {
    let global = interval_seconds(&spec.prometheus.scrape_interval).unwrap_or(15.0);
    let jobs: Vec<JobEstimate> = spec
        .scrape_jobs
        .iter()
        .map(|job| {
            let exporter = exporter_kind(job);
            let series_per_target = job.expected_series_per_target.unwrap_or_else(|| typical_series(exporter));
            let (targets, targets_from) = match (&job.discovery, job.expected_targets) {
                (_, Some(n)) => (Some(n), TargetSource::Declared),
                (Discovery::Static(s), None) => (Some(s.targets.len() as u64), TargetSource::Static),
                _ => (None, TargetSource::Unknown),
            };
            let interval = job.scrape_interval.as_ref().and_then(interval_seconds).unwrap_or(global);
            let series = targets.map(|t| t.saturating_mul(series_per_target));
            JobEstimate {
                job: job.name.clone(),
                exporter,
                series_per_target,
                series_declared: job.expected_series_per_target.is_some(),
                targets,
                targets_from,
                scrape_interval_seconds: interval,
                series,
                samples_per_second: series.map(|s| round(s as f64 / interval)),
            }
        })
        .collect();
    let series: u64 = jobs.iter().filter_map(|j| j.series).fold(0, u64::saturating_add);
    let samples_per_second = round(jobs.iter().filter_map(|j| j.samples_per_second).sum());
    let max = spec.prometheus.capacity.as_ref().map(|c| c.max_series_per_replica);
    let shards = shard_count(series, max);
    let replicas_per_shard = spec.prometheus.ha.as_ref().map_or(1, |h| h.replicas.len() as u64);
    let per_replica = round(samples_per_second / shards as f64);
    let bytes = round(per_replica * REMOTE_WRITE_BYTES_PER_SAMPLE);
    Estimate {
        unknown_targets: jobs.iter().filter(|j| j.targets.is_none()).map(|j| j.job.clone()).collect(),
        jobs,
        series,
        samples_per_second,
        max_series_per_replica: max,
        shards,
        replicas_per_shard,
        series_per_replica: series.div_ceil(shards),
        samples_per_second_per_replica: per_replica,
        remote_write_bytes_per_second_per_replica: bytes,
        remote_write_bytes_per_second_total: round(bytes * shards.saturating_mul(replicas_per_shard) as f64),
        remote_write_bytes_per_sample: REMOTE_WRITE_BYTES_PER_SAMPLE,
    }
}

/// The most shards monstack renders; a limit that needs more is refused by validation (it is
/// almost certainly a typo, and would render thousands of files).
pub const MAX_SHARDS: u64 = 64;

/// `ceil(series / limit)` replica groups; 1 without a limit.
pub fn shard_count(series: u64, max_series_per_replica: Option<u64>) -> u64 {
    match max_series_per_replica {
        Some(limit) if limit > 0 => series.div_ceil(limit).max(1),
        _ => 1,
    }
}

/// The remote write `queue_config` one replica needs, derived from its samples/s following the
/// Prometheus remote write tuning guide (prometheus.io/docs/practices/remote_write):
/// `capacity` 3–10 × `max_samples_per_send` (5 × here); enough shards to start with for the
/// estimated rate, and room to scale to twice that.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Queue {
    pub capacity: u64,
    pub min_shards: u64,
    pub max_shards: u64,
    pub max_samples_per_send: u64,
}

/// Prometheus' default `max_samples_per_send` (2.53).
pub const MAX_SAMPLES_PER_SEND: u64 = 2000;
/// ESTIMATE: one request of `max_samples_per_send` samples takes about this long to compress,
/// send and be acknowledged by the store, so one shard moves `max_samples_per_send / 0.5`
/// samples per second.
pub const SECONDS_PER_SEND: f64 = 0.5;

pub fn queue(samples_per_second: f64, max_samples_per_send: u64) -> Queue {
    let per_shard = max_samples_per_send as f64 / SECONDS_PER_SEND;
    let needed = ((samples_per_second / per_shard).ceil() as u64).max(1);
    Queue {
        capacity: max_samples_per_send.saturating_mul(5),
        min_shards: needed,
        max_shards: needed.saturating_mul(2).max(10),
        max_samples_per_send,
    }
}

fn interval_seconds(d: &crate::syntax::Duration) -> Option<f64> {
    Some(d.millis()).filter(|ms| *ms > 0).map(|ms| ms as f64 / 1000.0)
}

/// Two decimals, so the figures print the same everywhere.
fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_the_ceiling_of_series_over_the_limit() {
        assert_eq!(shard_count(100, None), 1);
        assert_eq!(shard_count(100, Some(100)), 1);
        assert_eq!(shard_count(101, Some(100)), 2);
        assert_eq!(shard_count(0, Some(100)), 1);
        assert_eq!(shard_count(250_001, Some(50_000)), 6);
    }

    #[test]
    fn the_queue_grows_with_the_sample_rate() {
        let small = queue(100.0, 2000);
        assert_eq!(small, Queue { capacity: 10_000, min_shards: 1, max_shards: 10, max_samples_per_send: 2000 });
        let big = queue(100_000.0, 2000);
        assert_eq!((big.min_shards, big.max_shards), (25, 50));
        assert!(big.capacity >= 3 * big.max_samples_per_send && big.capacity <= 10 * big.max_samples_per_send);
    }
}
