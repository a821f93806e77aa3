//! Prometheus scraping itself: what meta-monitoring reads (rule evaluation, notifications, the
//! configuration reload, the TSDB's compactions, remote write). The alerts follow the
//! prometheus-mixin (`documentation/prometheus-mixin/alerts.libsonnet`); the names and labels
//! were checked on the real 2.53.3 here (`tests/exporters.rs`, which also remote-writes, so
//! the per-queue series exist).

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
        // notifier/notifier.go: `alertmanager` is the Alertmanager's API URL.
        m("prometheus_notifications_dropped_total", &[]),
        m("prometheus_notifications_errors_total", &["alertmanager"]),
        m("prometheus_notifications_sent_total", &["alertmanager"]),
        m("prometheus_notifications_queue_length", &[]),
        m("prometheus_notifications_queue_capacity", &[]),
        m("prometheus_notifications_alertmanagers_discovered", &[]),
        m("prometheus_tsdb_head_series", &[]),
        m("prometheus_tsdb_head_samples_appended_total", &[]),
        m("prometheus_tsdb_compactions_failed_total", &[]),
        m("prometheus_target_scrape_pool_targets", &["scrape_job"]),
        // storage/remote/queue_manager.go and write.go: per queue (`remote_name`, `url`); the
        // highest sent timestamp exists once a send has succeeded.
        m("prometheus_remote_storage_highest_timestamp_in_seconds", &[]),
        m("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", &["remote_name", "url"]),
        m("prometheus_remote_storage_samples_failed_total", &["remote_name", "url"]),
        m("prometheus_remote_storage_samples_total", &["remote_name", "url"]),
    ]],
    newer_than_scraped: &[],
};
