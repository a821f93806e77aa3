//! The stack watching itself (meta-monitoring, [`crate::spec::meta`]): each Prometheus server's
//! rule evaluations, alert delivery to the Alertmanagers, TSDB and remote write; the
//! Alertmanagers' notifications and cluster; Loki's request errors; the log shippers' dropped
//! entries; Grafana's requests; the certificate probe. A section is shown only when its job is
//! derived (the topology runs it), so every query reads a job the environment scrapes. The panels
//! read the series the meta alerts (`catalogue/meta.rs`) fire on.

use super::board::{Board, Panel, Section, stat, ts};
use super::*;
use crate::catalogue::metrics::{
    ALERTMANAGER_JOB, ALLOY_JOB, GRAFANA_JOB, LOKI_JOB, PROMETHEUS_JOB, PROMTAIL_JOB, TLS_PROBE_JOB,
};

/// A selector body for a meta job: the stack's own jobs are derived under fixed names
/// ([`crate::spec::meta`]), so each is selected by its name, not by kind.
fn sel(job: &str, extra: &str) -> String {
    super::sel(&crate::catalogue::kinds::named(job), extra)
}

/// `rate(metric{job="x", extra}[$__rate_interval])` for a meta job.
fn rate(metric: &str, job: &str, extra: &str) -> String {
    super::rate(metric, &crate::catalogue::kinds::named(job), extra)
}

/// The Monitoring stack board: headline and Prometheus, then each other part the stack runs.
pub fn board(spec: &Spec) -> Board {
    let mut sections = vec![stack(spec), prometheus()];
    if !spec.prometheus.remote_write.is_empty() {
        sections.push(remote_write());
    }
    if has(spec, ALERTMANAGER_JOB) {
        sections.push(alertmanager());
    }
    sections.extend(logs(spec));
    sections.extend(grafana_and_certificates(spec));
    Board {
        uid: uid(DashboardKind::MetaMonitoring).into(),
        title: "Monitoring stack".into(),
        description: "The monitoring stack's own health (meta-monitoring): Prometheus, Alertmanager, Loki, the log shippers, Grafana and the certificates they serve.".into(),
        tags: &["meta-monitoring", "infrastructure"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections,
    }
}

/// Whether the topology runs the meta job `job` (its scrape job is derived).
fn has(spec: &Spec, job: &str) -> bool {
    spec.scrape_jobs.iter().any(|j| j.derived && j.name == job)
}

/// A selector body for the Prometheus servers, with extra matchers.
fn prom(extra: &str) -> String {
    sel(PROMETHEUS_JOB, extra)
}

/// `rate(metric{job="x"}[$__rate_interval])` for the Prometheus servers.
fn prom_rate(metric: &str) -> String {
    rate(metric, PROMETHEUS_JOB, "")
}

/// The headline stats: Prometheus up, rule failures, alert delivery, and Alertmanagers up if run.
fn stack(spec: &Spec) -> Section {
    let mut headline = vec![
        stat("Prometheus servers up", "Prometheus servers (replicas, shards) whose /metrics answers.", "short")
            .query("", format!("sum(up{})", prom(""))),
        stat("Rule failures", "Rule evaluations failing per second, all servers.", "ops")
            .query("", format!("sum({})", prom_rate("prometheus_rule_evaluation_failures_total")))
            .warn_crit(0.001, 0.01),
        stat("Alertmanagers discovered", "The fewest Alertmanagers any Prometheus server sends alerts to.", "short")
            .query("", format!("min(prometheus_notifications_alertmanagers_discovered{})", prom("")))
            .low_is_bad(0.5, 1.5),
        stat("Notification errors", "Alerts Prometheus failed to deliver per second, all servers.", "ops")
            .query("", format!("sum({})", prom_rate("prometheus_notifications_errors_total")))
            .warn_crit(0.001, 0.01),
    ];
    if has(spec, ALERTMANAGER_JOB) {
        headline.push(
            stat("Alertmanagers up", "Alertmanager cluster members whose /metrics answers.", "short")
                .query("", format!("sum(up{})", sel(ALERTMANAGER_JOB, ""))),
        );
    }
    Section::new(env_title("Stack"), headline)
}

/// Each Prometheus server's rule evaluations, alert delivery, configuration and TSDB.
fn prometheus() -> Section {
    let mut panels = rules_and_alert_delivery();
    panels.extend(configuration_and_tsdb());
    Section::new("Prometheus", panels)
}

/// Failing rule evaluations, and the alerts each server failed to send, queued and dropped.
fn rules_and_alert_delivery() -> Vec<Panel> {
    vec![
        ts("Rule evaluation failures", "Failing rule evaluations per second, per server and group.", "ops")
            .query(
                "{{instance}} {{rule_group}}",
                format!("sum by (instance, rule_group) ({})", prom_rate("prometheus_rule_evaluation_failures_total")),
            )
            .warn_crit(0.001, 0.01),
        ts("Alert delivery errors", "Share of alerts each server failed to send, per Alertmanager.", "percentunit")
            .query(
                "{{instance}} → {{alertmanager}}",
                format!(
                    "sum by (instance, alertmanager) ({e}) / sum by (instance, alertmanager) ({s})",
                    e = prom_rate("prometheus_notifications_errors_total"),
                    s = prom_rate("prometheus_notifications_sent_total")
                ),
            )
            .range(0.0, 1.0)
            .warn_crit(0.01, 0.1),
        ts("Alert queue", "Alerts waiting to be sent, against the queue's capacity.", "short")
            .query(
                "queued {{instance}}",
                format!("max by (instance) (prometheus_notifications_queue_length{})", prom("")),
            )
            .query(
                "capacity {{instance}}",
                format!("max by (instance) (prometheus_notifications_queue_capacity{})", prom("")),
            ),
        ts("Alerts dropped", "Alerts dropped per second (queue full or no Alertmanager).", "ops")
            .query(
                "{{instance}}",
                format!("sum by (instance) ({})", prom_rate("prometheus_notifications_dropped_total")),
            )
            .warn_crit(0.001, 0.01),
    ]
}

/// The last configuration reload, head series, samples ingested and failed compactions.
fn configuration_and_tsdb() -> Vec<Panel> {
    vec![
        ts("Configuration reloaded", "1 when the last configuration reload succeeded.", "short")
            .query("{{instance}}", format!("min by (instance) (prometheus_config_last_reload_successful{})", prom("")))
            .range(0.0, 1.0)
            .low_is_bad(0.5, 1.0),
        ts("Head series", "Series in each server's head block.", "short")
            .query("{{instance}}", format!("max by (instance) (prometheus_tsdb_head_series{})", prom(""))),
        ts("Samples ingested", "Samples appended per second.", "ops").query(
            "{{instance}}",
            format!("sum by (instance) ({})", prom_rate("prometheus_tsdb_head_samples_appended_total")),
        ),
        ts("Compactions failed", "TSDB compactions failing per second.", "ops")
            .query(
                "{{instance}}",
                format!("sum by (instance) ({})", prom_rate("prometheus_tsdb_compactions_failed_total")),
            )
            .warn_crit(0.0001, 0.001),
    ]
}

/// How far remote write trails ingestion, and the share of samples it fails to send.
fn remote_write() -> Section {
    Section::new(
        "Remote write",
        vec![
            ts("Remote write behind", "How far the newest sent sample trails the newest ingested one.", "s")
                .query(
                    "{{instance}} {{remote_name}}",
                    format!(
                        "max by (instance) (prometheus_remote_storage_highest_timestamp_in_seconds{p}) - on (instance) group_right max by (instance, remote_name) (prometheus_remote_storage_queue_highest_sent_timestamp_seconds{p})",
                        p = prom("")
                    ),
                )
                .warn_crit(60.0, 120.0),
            ts("Remote write failures", "Share of samples the remote store refused or never got.", "percentunit")
                .query(
                    "{{instance}} {{remote_name}}",
                    format!(
                        "sum by (instance, remote_name) ({f}) / (sum by (instance, remote_name) ({f}) + sum by (instance, remote_name) ({s}))",
                        f = prom_rate("prometheus_remote_storage_samples_failed_total"),
                        s = prom_rate("prometheus_remote_storage_samples_total")
                    ),
                )
                .range(0.0, 1.0)
                .warn_crit(0.01, 0.1),
        ],
    )
}

/// The Alertmanagers' notifications, alerts, cluster members and configuration reloads.
fn alertmanager() -> Section {
    let am = |extra: &str| sel(ALERTMANAGER_JOB, extra);
    Section::new(
        "Alertmanager",
        vec![
            ts("Notifications", "Notifications sent per second, per integration.", "ops").query(
                "{{integration}}",
                format!("sum by (integration) ({})", rate("alertmanager_notifications_total", ALERTMANAGER_JOB, "")),
            ),
            ts("Failed notifications", "Notifications that failed per second, per integration.", "ops")
                .query(
                    "{{instance}} {{integration}}",
                    format!(
                        "sum by (instance, integration) ({})",
                        rate("alertmanager_notifications_failed_total", ALERTMANAGER_JOB, "")
                    ),
                )
                .warn_crit(0.001, 0.01),
            ts("Alerts", "Alerts each Alertmanager holds, by state.", "short")
                .query("{{instance}} {{state}}", format!("sum by (instance, state) (alertmanager_alerts{})", am(""))),
            ts("Cluster members", "Members each Alertmanager sees in its gossip cluster.", "short")
                .query("{{instance}}", format!("max by (instance) (alertmanager_cluster_members{})", am(""))),
            ts("Configuration reloaded", "1 when the last configuration reload succeeded.", "short")
                .query(
                    "{{instance}}",
                    format!("min by (instance) (alertmanager_config_last_reload_successful{})", am("")),
                )
                .range(0.0, 1.0)
                .low_is_bad(0.5, 1.0),
        ],
    )
}

/// Loki's request errors and the log shippers' sent and dropped entries, where they run.
fn logs(spec: &Spec) -> Option<Section> {
    let mut logs = Vec::new();
    if has(spec, LOKI_JOB) {
        let requests = |extra: &str| rate("loki_request_duration_seconds_count", LOKI_JOB, extra);
        logs.push(
            ts("Loki 5xx ratio", "Share of Loki's requests answered with a server error, per target.", "percentunit")
                .query(
                    "{{loki_target}}",
                    format!(
                        "sum by (loki_target) ({}) / sum by (loki_target) ({})",
                        requests("status_code=~\"5..\""),
                        requests("")
                    ),
                )
                .range(0.0, 1.0)
                .warn_crit(0.01, 0.1),
        );
        logs.push(
            ts("Loki requests", "Requests per second, per target.", "reqps")
                .query("{{loki_target}}", format!("sum by (loki_target) ({})", requests(""))),
        );
    }
    for (job, sent, dropped, what) in [
        (PROMTAIL_JOB, "promtail_sent_entries_total", "promtail_dropped_entries_total", "Promtail"),
        (ALLOY_JOB, "loki_write_sent_entries_total", "loki_write_dropped_entries_total", "Alloy"),
    ] {
        if has(spec, job) {
            logs.push(
                ts(format!("{what} entries"), format!("Log entries {what} sent and dropped per second."), "ops")
                    .query("sent {{instance}}", format!("sum by (instance) ({})", rate(sent, job, "")))
                    .query("dropped {{instance}}", format!("sum by (instance) ({})", rate(dropped, job, ""))),
            );
        }
    }
    (!logs.is_empty()).then(|| Section::new("Logs", logs))
}

/// Grafana's requests and the certificate probe, where they run.
fn grafana_and_certificates(spec: &Spec) -> Option<Section> {
    let mut edges = Vec::new();
    if has(spec, GRAFANA_JOB) {
        edges.push(ts("Grafana requests", "Grafana's HTTP requests per second, by status code.", "reqps").query(
            "{{status_code}}",
            format!("sum by (status_code) ({})", rate("grafana_http_request_duration_seconds_count", GRAFANA_JOB, "")),
        ));
    }
    if has(spec, TLS_PROBE_JOB) {
        let t = |extra: &str| sel(TLS_PROBE_JOB, extra);
        edges.push(
            ts("Certificate expiry", "Time until each endpoint's certificate lapses.", "s")
                .query("{{instance}}", format!("min by (instance) (probe_ssl_earliest_cert_expiry{} - time())", t("")))
                .low_is_bad(7.0 * 86400.0, 14.0 * 86400.0),
        );
        edges.push(
            ts("TLS probe", "1 when the TLS handshake with the endpoint succeeds.", "short")
                .query("{{instance}}", format!("min by (instance) (probe_success{})", t("")))
                .range(0.0, 1.0)
                .low_is_bad(0.5, 1.0),
        );
    }
    (!edges.is_empty()).then(|| Section::new("Grafana and certificates", edges))
}
