//! The log shippers' own `/metrics`: Promtail's Loki client and Grafana Alloy's `loki.write`
//! component count the entries they gave up on after every retry (or, for a full queue, without
//! one), by `reason`. Neither runs here.

use super::{ALLOY_JOB, PROMTAIL_JOB, Table, Verified, m};

/// Promtail (`clients/pkg/promtail/client/metrics.go`): `host` is the Loki it pushes to.
pub const PROMTAIL: Table = Table {
    exporter: "Promtail",
    job: PROMTAIL_JOB,
    endpoint: "/metrics",
    version: "3.5.0",
    source: "https://github.com/grafana/loki/blob/v3.5.0/clients/pkg/promtail/client/metrics.go",
    verified: Verified::Documented,
    metrics: &[&[
        m("promtail_sent_entries_total", &["host"]),
        m("promtail_dropped_entries_total", &["host", "tenant", "reason"]),
    ]],
    newer_than_scraped: &[],
};

/// Grafana Alloy's `loki.write` (`internal/component/common/loki/client/metrics.go`); Alloy
/// adds the component's `component_id` and `component_path` to every component metric.
pub const ALLOY: Table = Table {
    exporter: "Grafana Alloy",
    job: ALLOY_JOB,
    endpoint: "/metrics",
    version: "1.11.0",
    source: "https://github.com/grafana/alloy/blob/v1.11.0/internal/component/common/loki/client/metrics.go",
    verified: Verified::Documented,
    metrics: &[&[
        m("loki_write_sent_entries_total", &["host", "tenant", "component_id"]),
        m("loki_write_dropped_entries_total", &["host", "tenant", "reason", "component_id"]),
    ]],
    newer_than_scraped: &[],
};
