//! The Kubernetes API server's request metrics: both are STABLE in the Kubernetes metrics
//! reference (v1.36), so their labels cannot change.

use super::{APISERVER_JOB, Table, Verified, m};

const REQUEST: &[&str] = &["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"];

pub const TABLE: Table = Table {
    exporter: "kube-apiserver",
    job: APISERVER_JOB,
    endpoint: "/metrics",
    version: "1.36",
    source: "https://kubernetes.io/docs/reference/instrumentation/metrics/",
    verified: Verified::Documented,
    metrics: &[&[
        m(
            "apiserver_request_total",
            &["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "code"],
        ),
        m(
            "apiserver_request_duration_seconds_bucket",
            &["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "le"],
        ),
        m("apiserver_request_duration_seconds_count", REQUEST),
    ]],
    newer_than_scraped: &[],
};
