//! blackbox_exporter: the outcome of a probe (`/probe?module=…&target=…`).

use super::{BLACKBOX_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "blackbox_exporter",
    job: BLACKBOX_JOB,
    endpoint: "/probe?module=http_2xx",
    version: "0.28.0",
    source: "https://github.com/prometheus/blackbox_exporter/blob/v0.28.0/prober/http.go",
    verified: Verified::Scraped { package: "prometheus-blackbox-exporter (Debian 12)", version: "0.23.0" },
    metrics: &[&[
        // prober/handler.go: every probe.
        m("probe_success", &[]),
        m("probe_duration_seconds", &[]),
        // prober/http.go.
        m("probe_http_status_code", &[]),
        m("probe_http_duration_seconds", &["phase"]),
    ]],
    newer_than_scraped: &[],
};
