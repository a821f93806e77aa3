//! Loki's own `/metrics`, every target alike (monolithic `all`, or `read`, `write` and
//! `backend`): the HTTP and gRPC requests it serves, as dskit's instrumentation middleware
//! counts them (`loki_request_duration_seconds{method, route, status_code, ws}`). Loki cannot run
//! here; the alert is the loki-mixin's `LokiRequestErrors`.

use super::{LOKI_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "Loki",
    job: LOKI_JOB,
    endpoint: "/metrics",
    version: "3.5.0",
    source: "https://github.com/grafana/loki/blob/v3.5.0/production/loki-mixin/alerts.libsonnet",
    verified: Verified::Documented,
    metrics: &[&[
        m("loki_request_duration_seconds_count", &["method", "route", "status_code", "ws"]),
        m("loki_request_duration_seconds_bucket", &["method", "route", "status_code", "ws", "le"]),
    ]],
    newer_than_scraped: &[],
};
