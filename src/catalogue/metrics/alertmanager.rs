//! Alertmanager scraped by Prometheus: configuration reloads, notification outcomes and the
//! cluster's members. The alerts follow the alertmanager-mixin
//! (`doc/alertmanager-mixin/alerts.libsonnet`); 0.28's failed-notification counter also carries
//! a `reason` (checked on the real 0.28.1 here), which the mixin's one-to-one division by
//! `alertmanager_notifications_total` would not match, so it is summed away first.

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
        m("alertmanager_notifications_failed_total", &["integration", "reason"]),
        m("alertmanager_alerts", &["state"]),
        // cluster/cluster.go: registered when gossip is on (`--cluster.listen-address`).
        m("alertmanager_cluster_members", &[]),
    ]],
    newer_than_scraped: &[],
};
