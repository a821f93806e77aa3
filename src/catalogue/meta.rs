//! Meta-monitoring alerts: the stack watching itself, on the jobs `meta` derives from the
//! topology ([`crate::spec::meta`]). Expressions and thresholds follow the upstream mixins —
//! prometheus-mixin (`documentation/prometheus-mixin/alerts.libsonnet`, 2.53.3),
//! alertmanager-mixin (`doc/alertmanager-mixin/alerts.libsonnet`, 0.28.1) and loki-mixin
//! (`production/loki-mixin/alerts.libsonnet`, 3.5.0) — with the job selector of the derived
//! job; where they differ it is said at the alert. Each alert exists where its job does, and
//! the remote write and cluster alerts only where the environment writes remotely or runs an
//! Alertmanager cluster.

use super::metrics::{ALERTMANAGER_JOB, ALLOY_JOB, LOKI_JOB, PROMETHEUS_JOB, PROMTAIL_JOB, TLS_PROBE_JOB};
use super::scenario::{Scenario, Scenarios, counter, fraction, gauge, level, pair};
use super::units::Unit;
use super::{Cmp, Ctx, Def};
use crate::spec::Spec;

pub const FILE: &str = "meta_monitoring_alerts";
const GROUP: &str = "meta_monitoring_alerts";

/// Alerts that need more of the topology than their job.
pub fn applies(name: &str, spec: &Spec) -> bool {
    match name {
        "PrometheusRemoteStorageFailures" | "PrometheusRemoteWriteBehind" => !spec.prometheus.remote_write.is_empty(),
        "AlertmanagerMembersInconsistent" => spec.alertmanager.cluster.is_some(),
        _ => true,
    }
}

/// An Alertmanager as Prometheus' notifier names it (`alertmanager` label: its API URL).
const AM_URL: &str = "http://alertmanager-1:9093/api/v2/alerts";
/// A remote write queue (`remote_name`, `url`).
const QUEUE: [(&str, &str); 2] = [("remote_name", "store"), ("url", "https://store.example/api/v1/push")];

/// `max_over_time(<gauge>[5m]) == 0`: a reload flag that has been 0 throughout (the mixins'
/// form: a failed scrape in between does not end the alert).
fn reload_failed(c: &Ctx, metric: &'static str) -> (String, Scenarios) {
    let expr = format!("max_over_time({metric}{}[5m]) == 0", c.sel(""));
    let sc = c.scrape();
    let expect = sc.expected(metric, &[]);
    let make = move |ok: f64, n: u64| sc.input(metric, &[], gauge(ok, n));
    (expr, pair((0.0, 1.0), c.eval(5), expect, make))
}

/// `increase(<counter>[window]) > t` per series: `per_hour` events an hour when firing.
fn increased(
    c: &Ctx,
    metric: &'static str,
    window_min: u64,
    exposed: &'static [(&'static str, &'static str)],
) -> (String, Scenarios) {
    let expr = format!("increase({metric}{}[{}]) > {}", c.sel(""), window(window_min), c.t());
    let sc = c.scrape();
    let expect = sc.expected(metric, exposed);
    // Events a minute so that the window's increase is on either side of the threshold.
    let (fire, calm) = level(c.threshold, Cmp::Above);
    let per_min = move |total: f64| total.max(0.0) / window_min as f64;
    let make = move |total: f64, n: u64| sc.input(metric, exposed, counter(per_min(total), n));
    (expr, pair((fire, calm), c.eval(window_min), expect, make))
}

fn window(min: u64) -> String {
    if min.is_multiple_of(60) { format!("{}h", min / 60) } else { format!("{min}m") }
}

fn rule_failures(c: &Ctx) -> (String, Scenarios) {
    increased(c, "prometheus_rule_evaluation_failures_total", 5, &[("rule_group", "rules/recording_rules.yml;g")])
}

/// The share of alerts (in percent) Prometheus failed to send to one Alertmanager.
fn errors_sending(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "(rate(prometheus_notifications_errors_total{sel}[5m]) / rate(prometheus_notifications_sent_total{sel}[5m])) * 100 > {}",
        c.t(),
        sel = c.sel("")
    );
    let am = [("alertmanager", AM_URL)];
    let sc = c.scrape();
    let expect = sc.expected("prometheus_notifications_errors_total", &am);
    let make = move |share: f64, n: u64| {
        [
            sc.input("prometheus_notifications_sent_total", &am, counter(60.0, n)),
            sc.input("prometheus_notifications_errors_total", &am, counter(60.0 * share, n)),
        ]
        .concat()
    };
    let (fire, calm) = fraction(c.threshold / 100.0, Cmp::Above);
    (expr, pair((fire, calm), c.eval(5), expect, make))
}

fn not_connected(c: &Ctx) -> (String, Scenarios) {
    let metric = "prometheus_notifications_alertmanagers_discovered";
    let expr = format!("max_over_time({metric}{}[5m]) < {}", c.sel(""), c.t());
    let sc = c.scrape();
    let expect = sc.expected(metric, &[]);
    let make = move |n_am: f64, n: u64| sc.input(metric, &[], gauge(n_am, n));
    (expr, pair((0.0, c.threshold.max(1.0)), c.eval(5), expect, make))
}

/// The notification queue, growing linearly, reaches its capacity within the threshold's
/// minutes.
fn queue_full(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "predict_linear(prometheus_notifications_queue_length{sel}[5m], 60 * {}) > min_over_time(prometheus_notifications_queue_capacity{sel}[5m])",
        c.t(),
        sel = c.sel("")
    );
    let sc = c.scrape();
    let expect = sc.expected("prometheus_notifications_queue_length", &[]);
    let eval = c.eval(5);
    const CAPACITY: f64 = 10000.0;
    // Half full and growing fast enough that, from the first evaluation on (5 minutes in: the
    // tests evaluate every 5 minutes), the trend reaches the capacity within the horizon
    // (firing); or half full and steady (silent).
    let rate = 1.2 * CAPACITY / 2.0 / (5.0 + c.threshold);
    let make = move |per_min: f64, n: u64| {
        [
            sc.input("prometheus_notifications_queue_capacity", &[], gauge(CAPACITY, n)),
            sc.input("prometheus_notifications_queue_length", &[], counter_from(CAPACITY / 2.0, per_min, n)),
        ]
        .concat()
    };
    (expr, pair((rate, 0.0), eval, expect, make))
}

fn dropped(c: &Ctx) -> (String, Scenarios) {
    increased(c, "prometheus_notifications_dropped_total", 5, &[])
}

fn compactions_failing(c: &Ctx) -> (String, Scenarios) {
    increased(c, "prometheus_tsdb_compactions_failed_total", 180, &[])
}

/// The failed share (in percent) of the samples sent to a remote write queue.
fn remote_failures(c: &Ctx) -> (String, Scenarios) {
    let failed = format!("rate(prometheus_remote_storage_samples_failed_total{}[5m])", c.sel(""));
    let sent = format!("rate(prometheus_remote_storage_samples_total{}[5m])", c.sel(""));
    let expr = format!("({failed} / ({failed} + {sent})) * 100 > {}", c.t());
    let sc = c.scrape();
    let expect = sc.expected("prometheus_remote_storage_samples_failed_total", &QUEUE);
    let make = move |share: f64, n: u64| {
        [
            sc.input("prometheus_remote_storage_samples_total", &QUEUE, counter(6000.0 * (1.0 - share), n)),
            sc.input("prometheus_remote_storage_samples_failed_total", &QUEUE, counter(6000.0 * share, n)),
        ]
        .concat()
    };
    let (fire, calm) = fraction(c.threshold / 100.0, Cmp::Above);
    (expr, pair((fire, calm), c.eval(5), expect, make))
}

/// The newest sample a queue has sent lags the newest sample ingested by more than the
/// threshold's seconds. The mixin matches `ignoring (remote_name, url)`; matching `on (job,
/// instance)` (one Prometheus' own two series) is the same match and names only labels both
/// sides carry.
fn remote_behind(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "(max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds{sel}[5m]) - on (job, instance) group_right max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds{sel}[5m])) > {}",
        c.t(),
        sel = c.sel("")
    );
    let sc = c.scrape();
    let expect = sc.expected("prometheus_remote_storage_queue_highest_sent_timestamp_seconds", &QUEUE);
    let make = move |lag: f64, n: u64| {
        // Both timestamps advance a minute a minute; the sent one `lag` seconds behind.
        let now = 1_700_000_000.0;
        [
            sc.input("prometheus_remote_storage_highest_timestamp_in_seconds", &[], counter_from(now, 60.0, n)),
            sc.input(
                "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
                &QUEUE,
                counter_from(now - lag, 60.0, n),
            ),
        ]
        .concat()
    };
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(5), expect, make))
}

/// A series starting at `start`, growing `per_min` a minute.
fn counter_from(start: f64, per_min: f64, n: u64) -> String {
    format!("{}+{}x{n}", crate::syntax::number(start), crate::syntax::number(per_min))
}

/// The failed share of one integration's notifications. 0.28's failure counter also has a
/// `reason`, which the mixin's one-to-one division would not match: it is summed away.
fn am_failed_to_send(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "sum without (reason) (rate(alertmanager_notifications_failed_total{sel}[5m])) / rate(alertmanager_notifications_total{sel}[5m]) > {}",
        c.t(),
        sel = c.sel("")
    );
    let sc = c.scrape();
    let expect = sc.expected("alertmanager_notifications_total", &[("integration", "webhook")]);
    let make = move |share: f64, n: u64| {
        [
            sc.input("alertmanager_notifications_total", &[("integration", "webhook")], counter(60.0, n)),
            sc.input(
                "alertmanager_notifications_failed_total",
                &[("integration", "webhook"), ("reason", "serverError")],
                counter(60.0 * share, n),
            ),
            sc.input(
                "alertmanager_notifications_failed_total",
                &[("integration", "webhook"), ("reason", "clientError")],
                counter(0.0, n),
            ),
        ]
        .concat()
    };
    (expr, pair(fraction(c.threshold, Cmp::Above), c.eval(5), expect, make))
}

/// A member that sees fewer members than the job scrapes (every member is scraped: validation
/// holds each cluster peer among `prometheus.alertmanagers`).
fn am_members(c: &Ctx) -> (String, Scenarios) {
    let metric = "alertmanager_cluster_members";
    let expr = format!(
        "max_over_time({metric}{sel}[5m]) < on (job) group_left () count by (job) (max_over_time({metric}{sel}[5m]))",
        sel = c.sel("")
    );
    let members: Vec<_> =
        ["alertmanager-1:9093", "alertmanager-2:9093"].iter().map(|i| c.scrape().at_instance(i)).collect();
    let eval = c.eval(5);
    let n = super::scenario::length(eval);
    let make = |first_sees: f64| {
        let mut out = members[0].input(metric, &[], gauge(first_sees, n));
        out.extend(members[1].input(metric, &[], gauge(2.0, n)));
        out
    };
    let scenarios = Scenarios {
        // The first has lost the second; the second still counts both.
        firing: Scenario { series: make(1.0), eval_minutes: eval, expect: vec![members[0].expected(metric, &[])] },
        healthy: Some(Scenario { series: make(2.0), eval_minutes: eval, expect: vec![] }),
    };
    (expr, scenarios)
}

/// The loki-mixin's `LokiRequestErrors`, by Loki target as well (which process of a simple
/// scalable Loki fails).
fn loki_errors(c: &Ctx) -> (String, Scenarios) {
    let by = "job, loki_target, route";
    let metric = "loki_request_duration_seconds_count";
    let expr = format!(
        "100 * sum by ({by}) (rate({metric}{}[2m])) / sum by ({by}) (rate({metric}{}[2m])) > {}",
        c.sel("status_code=~\"5..\""),
        c.sel(""),
        c.t()
    );
    let sc = c.scrape();
    let route = "loki_api_v1_push";
    let request = |code| [("method", "POST"), ("route", route), ("status_code", code), ("ws", "false")];
    let mut expect = sc.expected(metric, &request("500"));
    expect.retain(|k, _| ["job", "loki_target", "route"].contains(&k.as_str()));
    let make = move |share: f64, n: u64| {
        [
            sc.input(metric, &request("500"), counter(60.0 * share, n)),
            sc.input(metric, &request("204"), counter(60.0 * (1.0 - share), n)),
        ]
        .concat()
    };
    let (fire, calm) = fraction(c.threshold / 100.0, Cmp::Above);
    (expr, pair((fire, calm), c.eval(2), expect, make))
}

fn promtail_dropped(c: &Ctx) -> (String, Scenarios) {
    increased(
        c,
        "promtail_dropped_entries_total",
        5,
        &[("host", "loki-write:3100"), ("tenant", ""), ("reason", "ingester_error")],
    )
}

fn alloy_dropped(c: &Ctx) -> (String, Scenarios) {
    increased(
        c,
        "loki_write_dropped_entries_total",
        5,
        &[
            ("host", "loki-write:3100"),
            ("tenant", ""),
            ("reason", "ingester_error"),
            ("component_id", "loki.write.default"),
        ],
    )
}

/// The earliest certificate of the chain an endpoint presents expires within the threshold's
/// days.
fn cert_expiry(c: &Ctx) -> (String, Scenarios) {
    let metric = "probe_ssl_earliest_cert_expiry";
    let expr = format!("{metric}{} - time() < {} * 86400", c.sel(""), c.t());
    let sc = c.scrape();
    let expect = sc.expected(metric, &[]);
    let make = move |days: f64, n: u64| {
        [sc.input("probe_success", &[], gauge(1.0, n)), sc.input(metric, &[], gauge(days * 86400.0, n))].concat()
    };
    (expr, pair((c.threshold / 2.0, c.threshold * 2.0), c.eval(0), expect, make))
}

fn probe_failed(c: &Ctx) -> (String, Scenarios) {
    let expr = format!("probe_success{} == 0", c.sel(""));
    let sc = c.scrape();
    let expect = sc.expected("probe_success", &[]);
    let make = move |ok: f64, n: u64| sc.input("probe_success", &[], gauge(ok, n));
    (expr, pair((0.0, 1.0), c.eval(0), expect, make))
}

/// What every meta alert shares; each entry sets the rest.
const META: Def = Def { file: FILE, group: GROUP, labels: &[("component", "monitoring")], ..Def::EMPTY };

/// The meta-monitoring alerts, component by component.
pub fn defs() -> Vec<Def> {
    [prometheus(), prometheus_storage(), alertmanager(), log_pipeline(), tls_probe()].into_iter().flatten().collect()
}

/// Prometheus itself: its configuration, its rules, and the alerts it sends to Alertmanager.
fn prometheus() -> Vec<Def> {
    vec![
        Def {
            name: "PrometheusBadConfig",
            job: Some(PROMETHEUS_JOB),
            threshold: 0.0,
            unit: None,
            for_: "10m",
            severity: "critical",
            summary: "Prometheus {{ $labels.instance }} failed to reload its configuration",
            description: "Prometheus {{ $labels.instance }} has failed to load its configuration for {for}: it runs the previous one, and the next restart fails.",
            build: |c| reload_failed(c, "prometheus_config_last_reload_successful"),
            ..META
        },
        Def {
            name: "PrometheusRuleFailures",
            job: Some(PROMETHEUS_JOB),
            threshold: 0.0,
            unit: Some(Unit::Count),
            for_: "15m",
            severity: "critical",
            summary: "Prometheus {{ $labels.instance }} is failing rule evaluations",
            description: "Rules of group {{ $labels.rule_group }} on {{ $labels.instance }} have failed to evaluate for {for}: their alerts cannot fire and their recordings have gaps.",
            build: rule_failures,
            ..META
        },
        Def {
            name: "PrometheusErrorSendingAlertsToSomeAlertmanagers",
            job: Some(PROMETHEUS_JOB),
            threshold: 1.0,
            unit: Some(Unit::Percent),
            for_: "15m",
            severity: "warning",
            summary: "Prometheus {{ $labels.instance }} fails to send alerts to {{ $labels.alertmanager }}",
            description: "More than {threshold}% of the alerts Prometheus {{ $labels.instance }} sent to Alertmanager {{ $labels.alertmanager }} have failed for {for}.",
            build: errors_sending,
            ..META
        },
        Def {
            name: "PrometheusNotConnectedToAlertmanagers",
            job: Some(PROMETHEUS_JOB),
            threshold: 1.0,
            unit: Some(Unit::Count),
            for_: "10m",
            severity: "warning",
            summary: "Prometheus {{ $labels.instance }} knows no Alertmanager",
            description: "Prometheus {{ $labels.instance }} has discovered no Alertmanager for {for}: no alert it fires reaches anyone.",
            build: not_connected,
            ..META
        },
        Def {
            name: "PrometheusNotificationQueueRunningFull",
            job: Some(PROMETHEUS_JOB),
            threshold: 30.0,
            unit: Some(Unit::Minutes),
            for_: "15m",
            severity: "warning",
            summary: "Prometheus {{ $labels.instance }}'s alert queue is filling up",
            description: "At its current growth, the notification queue of Prometheus {{ $labels.instance }} is full within {threshold} minutes; alerts beyond it are dropped.",
            build: queue_full,
            ..META
        },
        Def {
            name: "PrometheusNotificationsDropped",
            job: Some(PROMETHEUS_JOB),
            threshold: 0.0,
            unit: Some(Unit::Count),
            for_: "5m",
            severity: "warning",
            summary: "Prometheus {{ $labels.instance }} is dropping alerts",
            description: "Prometheus {{ $labels.instance }} has dropped alerts for {for}: every Alertmanager failed them, or its queue was full.",
            build: dropped,
            ..META
        },
    ]
}

/// Prometheus' storage: compaction of its local blocks and its remote write.
fn prometheus_storage() -> Vec<Def> {
    vec![
        Def {
            name: "PrometheusTSDBCompactionsFailing",
            job: Some(PROMETHEUS_JOB),
            threshold: 0.0,
            unit: Some(Unit::Count),
            for_: "4h",
            severity: "warning",
            summary: "Prometheus {{ $labels.instance }} fails to compact its blocks",
            description: "Prometheus {{ $labels.instance }} has had compaction failures in every 3 hours for {for}: its disk use grows and queries slow down.",
            build: compactions_failing,
            ..META
        },
        Def {
            name: "PrometheusRemoteStorageFailures",
            job: Some(PROMETHEUS_JOB),
            threshold: 1.0,
            unit: Some(Unit::Percent),
            for_: "15m",
            severity: "critical",
            summary: "Prometheus {{ $labels.instance }} fails to remote-write to {{ $labels.remote_name }}",
            description: "More than {threshold}% of the samples Prometheus {{ $labels.instance }} sent to {{ $labels.remote_name }} ({{ $labels.url }}) have failed for {for}.",
            build: remote_failures,
            ..META
        },
        Def {
            name: "PrometheusRemoteWriteBehind",
            job: Some(PROMETHEUS_JOB),
            threshold: 120.0,
            unit: Some(Unit::Seconds),
            for_: "15m",
            severity: "critical",
            summary: "Prometheus {{ $labels.instance }}'s remote write to {{ $labels.remote_name }} is behind",
            description: "The newest sample Prometheus {{ $labels.instance }} has sent to {{ $labels.remote_name }} ({{ $labels.url }}) has been more than {threshold}s behind the newest it ingested for {for}.",
            build: remote_behind,
            ..META
        },
    ]
}

/// Alertmanager: its configuration, its notifications and its cluster.
fn alertmanager() -> Vec<Def> {
    vec![
        Def {
            name: "AlertmanagerFailedReload",
            job: Some(ALERTMANAGER_JOB),
            threshold: 0.0,
            unit: None,
            for_: "10m",
            severity: "critical",
            summary: "Alertmanager {{ $labels.instance }} failed to reload its configuration",
            description: "Alertmanager {{ $labels.instance }} has failed to load its configuration for {for}: it routes by the previous one.",
            build: |c| reload_failed(c, "alertmanager_config_last_reload_successful"),
            ..META
        },
        Def {
            name: "AlertmanagerFailedToSendAlerts",
            job: Some(ALERTMANAGER_JOB),
            threshold: 0.01,
            unit: Some(Unit::Ratio),
            for_: "5m",
            severity: "warning",
            summary: "Alertmanager {{ $labels.instance }} fails to send {{ $labels.integration }} notifications",
            description: "More than {threshold} of the {{ $labels.integration }} notifications of Alertmanager {{ $labels.instance }} have failed for {for}.",
            build: am_failed_to_send,
            ..META
        },
        Def {
            name: "AlertmanagerMembersInconsistent",
            job: Some(ALERTMANAGER_JOB),
            threshold: 0.0,
            unit: Some(Unit::Count),
            for_: "15m",
            severity: "critical",
            summary: "Alertmanager {{ $labels.instance }} has lost cluster members",
            description: "Alertmanager {{ $labels.instance }} sees fewer cluster members than are scraped, and has for {for}: silences and notifications are not shared, so alerts may be sent twice or silenced on one member only.",
            build: am_members,
            ..META
        },
    ]
}

/// The log pipeline: Loki and the shippers that write to it.
fn log_pipeline() -> Vec<Def> {
    vec![
        Def {
            name: "LokiRequestErrors",
            job: Some(LOKI_JOB),
            threshold: 10.0,
            unit: Some(Unit::Percent),
            for_: "15m",
            severity: "critical",
            summary: "Loki {{ $labels.loki_target }} is failing requests to {{ $labels.route }}",
            description: "More than {threshold}% of the requests to {{ $labels.route }} on Loki's {{ $labels.loki_target }} target have failed with 5xx for {for}.",
            build: loki_errors,
            ..META
        },
        Def {
            name: "PromtailDroppedEntries",
            job: Some(PROMTAIL_JOB),
            threshold: 0.0,
            unit: Some(Unit::Count),
            for_: "5m",
            severity: "warning",
            summary: "Promtail {{ $labels.instance }} is dropping log entries",
            description: "Promtail {{ $labels.instance }} has given up on log entries for {{ $labels.host }} ({{ $labels.reason }}) for {for}: those logs are lost.",
            build: promtail_dropped,
            ..META
        },
        Def {
            name: "AlloyDroppedEntries",
            job: Some(ALLOY_JOB),
            threshold: 0.0,
            unit: Some(Unit::Count),
            for_: "5m",
            severity: "warning",
            summary: "Alloy {{ $labels.instance }} is dropping log entries",
            description: "Alloy {{ $labels.instance }} ({{ $labels.component_id }}) has given up on log entries for {{ $labels.host }} ({{ $labels.reason }}) for {for}: those logs are lost.",
            build: alloy_dropped,
            ..META
        },
    ]
}

/// The stack's own TLS endpoints, probed by blackbox_exporter.
fn tls_probe() -> Vec<Def> {
    vec![
        Def {
            name: "MonitoringCertificateExpiringSoon",
            job: Some(TLS_PROBE_JOB),
            threshold: 14.0,
            unit: Some(Unit::Days),
            for_: "1h",
            severity: "warning",
            summary: "The certificate of {{ $labels.instance }} expires within {threshold} days",
            description: "The earliest certificate {{ $labels.instance }} presents expires in less than {threshold} days: renew the file access.tls.cert_file names.",
            build: cert_expiry,
            ..META
        },
        Def {
            name: "MonitoringTlsProbeFailed",
            job: Some(TLS_PROBE_JOB),
            threshold: 0.0,
            unit: None,
            for_: "10m",
            severity: "warning",
            summary: "The TLS probe of {{ $labels.instance }} fails",
            description: "blackbox_exporter has failed to open a TLS connection to {{ $labels.instance }} for {for}: the endpoint is down or its certificate is not accepted, and its expiry cannot be watched.",
            build: probe_failed,
            ..META
        },
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows_are_written_as_prometheus_durations() {
        assert_eq!(super::window(5), "5m");
        assert_eq!(super::window(180), "3h");
    }

    #[test]
    fn every_alert_reads_its_own_job() {
        for d in super::defs() {
            assert!(d.job.is_some(), "{}", d.name);
        }
    }
}
