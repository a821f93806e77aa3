//! MinIO's metrics v2 (deprecated in favour of v3 since RELEASE.2024-07-15, still served by
//! every release): cluster metrics at `/minio/v2/metrics/cluster` and, since
//! RELEASE.2023-07-21, bucket metrics — replication among them — at their own
//! `/minio/v2/metrics/bucket`, so a second job scrapes that endpoint. Every metric carries the
//! `server` that reported it (`cmd/metrics-v2.go`, `ReportMetrics`). MinIO cannot run here; the
//! environments target the last community release, RELEASE.2025-10-15T17-29-55Z.

use super::{MINIO_BUCKET_JOB, MINIO_JOB, Table, Verified, m};

const VERSION: &str = "RELEASE.2025-10-15T17-29-55Z";

pub const CLUSTER: Table = Table {
    exporter: "MinIO",
    job: MINIO_JOB,
    endpoint: "/minio/v2/metrics/cluster",
    version: VERSION,
    source: "https://github.com/minio/minio/blob/RELEASE.2025-10-15T17-29-55Z/docs/metrics/prometheus/list.md",
    verified: Verified::Documented,
    metrics: &[&[
        m("minio_cluster_drive_offline_total", &["server"]),
        m("minio_cluster_capacity_usable_free_bytes", &["server"]),
        m("minio_cluster_capacity_usable_total_bytes", &["server"]),
    ]],
    newer_than_scraped: &[],
};

pub const BUCKET: Table = Table {
    exporter: "MinIO",
    job: MINIO_BUCKET_JOB,
    endpoint: "/minio/v2/metrics/bucket",
    version: VERSION,
    source: "https://github.com/minio/minio/blob/RELEASE.2025-10-15T17-29-55Z/cmd/metrics-v2.go",
    verified: Verified::Documented,
    metrics: &[&[
        // Objects that failed replication since the server started, per bucket and
        // replication target (`getBucketUsageMetrics`).
        m("minio_bucket_replication_total_failed_count", &["bucket", "targetArn", "server"]),
        m("minio_bucket_replication_last_hour_failed_count", &["bucket", "targetArn", "server"]),
    ]],
    newer_than_scraped: &[],
};
