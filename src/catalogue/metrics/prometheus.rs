//! Prometheus scraping itself: what meta-monitoring reads (rule evaluation, notifications, the
//! configuration reload, ingestion).

use super::{PROMETHEUS_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "Prometheus",
    job: PROMETHEUS_JOB,
    endpoint: "/metrics",
    version: "2.53.3",
    source: "https://github.com/prometheus/prometheus/blob/v2.53.3/documentation/prometheus-mixin/alerts.libsonnet",
    verified: Verified::Scraped { package: "prometheus (Debian 13)", version: "2.53.3" },
    metrics: &[&[
        m("prometheus_config_last_reload_successful", &[]),
        m("prometheus_rule_evaluation_failures_total", &["rule_group"]),
        m("prometheus_rule_group_iterations_missed_total", &["rule_group"]),
        m("prometheus_notifications_dropped_total", &[]),
        m("prometheus_notifications_errors_total", &["alertmanager"]),
        m("prometheus_notifications_alertmanagers_discovered", &[]),
        m("prometheus_tsdb_head_series", &[]),
        m("prometheus_target_scrape_pool_targets", &["scrape_job"]),
    ]],
    newer_than_scraped: &[],
};
