//! Alertmanager scraped by Prometheus: configuration reloads and notification outcomes.

use super::{ALERTMANAGER_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "Alertmanager",
    job: ALERTMANAGER_JOB,
    endpoint: "/metrics",
    version: "0.28.1",
    source: "https://github.com/prometheus/alertmanager/blob/v0.28.1/doc/alertmanager-mixin/alerts.libsonnet",
    verified: Verified::Scraped { package: "prometheus-alertmanager (Debian 13)", version: "0.28.1" },
    metrics: &[&[
        m("alertmanager_config_last_reload_successful", &[]),
        m("alertmanager_notifications_total", &["integration"]),
        m("alertmanager_notifications_failed_total", &["integration"]),
        m("alertmanager_alerts", &["state"]),
    ]],
    newer_than_scraped: &[],
};
