//! Grafana's own `/metrics`: the requests it serves (`pkg/middleware/request_metrics.go`).

use super::{GRAFANA_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "Grafana",
    job: GRAFANA_JOB,
    endpoint: "/metrics",
    version: "12.0.0",
    source: "https://github.com/grafana/grafana/blob/v12.0.0/pkg/middleware/request_metrics.go",
    verified: Verified::Documented,
    metrics: &[&[
        m("grafana_http_request_duration_seconds_count", &["handler", "status_code", "method"]),
        m("grafana_http_request_duration_seconds_bucket", &["handler", "status_code", "method", "le"]),
    ]],
    newer_than_scraped: &[],
};
