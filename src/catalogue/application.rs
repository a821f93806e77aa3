//! Application alerts: the services' HTTP errors and latency, and their own failure signals.
//! Services export `http_requests_total{code}` and `http_request_duration_seconds` (the seed's
//! convention); the other metric names below are the contract with each service.

use super::scenario::{self, Scenarios, counter, fraction, gauge, histogram, http_errors, level, pair};
use super::units::Unit;
use super::{APPLICATION_FILE, Cmp, Ctx, Def, traffic_guard};
use std::collections::BTreeMap;

const GROUP: &str = "application_service_alerts";

/// Share of a job's HTTP requests answered with 5xx, over 5 minutes.
pub fn http_error_ratio(c: &Ctx) -> (String, Scenarios) {
    let all = format!("sum(rate(http_requests_total{}[5m]))", c.sel(""));
    let expr = format!(
        "sum(rate(http_requests_total{}[5m])) / {all} > {}{}",
        c.sel("code=~\"5..\""),
        c.t(),
        traffic_guard(c.spec, &all)
    );
    let sc = c.scrape();
    (
        expr,
        pair(fraction(c.threshold, Cmp::Above), c.eval(5), BTreeMap::new(), move |v, n| http_errors(&sc, v, 600.0, n)),
    )
}

/// The 95th percentile of a job's request latency, in seconds, over 5 minutes.
pub fn http_latency_p95(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{}[5m]))) > {}",
        c.sel(""),
        c.t()
    );
    let (sc, t) = (c.scrape(), c.threshold);
    let make = move |slow: bool, n: u64| histogram(&sc, "http_request_duration_seconds", &[], t, slow, n);
    let eval = c.eval(5);
    let n = scenario::length(eval);
    let scenarios = Scenarios {
        firing: scenario::Scenario { series: make(true, n), eval_minutes: eval, expect: vec![BTreeMap::new()] },
        healthy: Some(scenario::Scenario { series: make(false, n), eval_minutes: eval, expect: vec![] }),
    };
    (expr, scenarios)
}

/// `num / den` of two counters of a job, over `window` minutes, compared with the threshold.
pub fn counter_ratio(c: &Ctx, num: (&str, &[(&str, &str)]), den: &str, window: u64, cmp: Cmp) -> (String, Scenarios) {
    let extra: Vec<String> = num.1.iter().map(|(k, v)| format!("{k}={}", crate::syntax::quote(v))).collect();
    let op = if cmp == Cmp::Above { ">" } else { "<" };
    let all = format!("sum(rate({den}{}[{window}m]))", c.sel(""));
    let expr = format!(
        "sum(rate({}{}[{window}m])) / {all} {op} {}{}",
        num.0,
        c.sel(&extra.join(", ")),
        c.t(),
        traffic_guard(c.spec, &all)
    );
    let (sc, num_metric, num_labels, den) = (
        c.scrape(),
        num.0.to_string(),
        num.1.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>(),
        den.to_string(),
    );
    let make = move |v: f64, n: u64| {
        let l: Vec<(&str, &str)> = num_labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        [sc.input(&num_metric, &l, counter(600.0 * v, n)), sc.input(&den, &[], counter(600.0, n))].concat()
    };
    (expr, pair(fraction(c.threshold, cmp), c.eval(window), BTreeMap::new(), make))
}

/// A job's gauge summed over its targets, above the threshold.
pub fn gauge_sum_above(c: &Ctx, metric: &str) -> (String, Scenarios) {
    let expr = format!("sum({metric}{}) > {}", c.sel(""), c.t());
    let (sc, metric) = (c.scrape(), metric.to_string());
    let make = move |v: f64, n: u64| sc.input(&metric, &[], gauge(v, n));
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(0), BTreeMap::new(), make))
}

fn n8n_stuck(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "sum(n8n_queue_jobs_waiting{}) > {} and sum(rate(n8n_queue_jobs_completed_total{}[15m])) == 0",
        c.sel(""),
        c.t(),
        c.sel("")
    );
    let sc = c.scrape();
    // Jobs are stuck when they wait and none completes; the healthy queue drains.
    let make = |waiting: f64, done_per_min: f64, n: u64| {
        [
            sc.input("n8n_queue_jobs_waiting", &[], gauge(waiting, n)),
            sc.input("n8n_queue_jobs_completed_total", &[], counter(done_per_min, n)),
        ]
        .concat()
    };
    let (fire, calm) = level(c.threshold, Cmp::Above);
    let eval = c.eval(15);
    let n = scenario::length(eval);
    let scenarios = Scenarios {
        firing: scenario::Scenario { series: make(fire, 0.0, n), eval_minutes: eval, expect: vec![BTreeMap::new()] },
        healthy: Some(scenario::Scenario { series: make(calm.max(0.0), 5.0, n), eval_minutes: eval, expect: vec![] }),
    };
    (expr, scenarios)
}

pub fn defs() -> Vec<Def> {
    let d = |name, job, threshold, unit, for_, severity, service, summary, description, build| Def {
        name,
        file: APPLICATION_FILE,
        group: GROUP,
        job: Some(job),
        threshold,
        unit,
        for_,
        severity,
        labels: service,
        summary,
        description,
        build,
    };
    vec![
        d(
            "HighErrorRateAPIGateway",
            "api-gateway",
            0.05,
            Some(Unit::Ratio),
            "5m",
            "critical",
            &[("service", "api-gateway")],
            "High API Gateway Error Rate",
            "More than {threshold} of API gateway requests have failed with 5xx for {for}.",
            http_error_ratio,
        ),
        d(
            "OdooHighErrorRate",
            "odoo-backend",
            0.05,
            Some(Unit::Ratio),
            "5m",
            "critical",
            &[("service", "odoo-backend")],
            "High Odoo backend error rate",
            "More than {threshold} of Odoo backend requests have failed with 5xx for {for}.",
            http_error_ratio,
        ),
        d(
            "OdooHighLatency",
            "odoo-backend",
            2.0,
            Some(Unit::Seconds),
            "10m",
            "warning",
            &[("service", "odoo-backend")],
            "High Odoo backend latency",
            "The 95th percentile of Odoo backend request latency has been above {threshold}s for {for}.",
            http_latency_p95,
        ),
        d(
            "N8nWorkflowFailures",
            "n8n-workflows",
            0.1,
            Some(Unit::Ratio),
            "15m",
            "warning",
            &[("service", "n8n-workflows")],
            "n8n workflow executions are failing",
            "More than {threshold} of n8n workflow executions have ended in error for {for}.",
            |c| {
                counter_ratio(
                    c,
                    ("n8n_workflow_executions_total", &[("status", "error")]),
                    "n8n_workflow_executions_total",
                    15,
                    Cmp::Above,
                )
            },
        ),
        d(
            "N8nJobsStuck",
            "n8n-workflows",
            100.0,
            Some(Unit::Count),
            "15m",
            "warning",
            &[("service", "n8n-workflows")],
            "n8n jobs are stuck",
            "More than {threshold} n8n jobs are waiting and none has completed for {for}.",
            n8n_stuck,
        ),
        d(
            "AuthServiceHighErrorRate",
            "auth-service",
            0.05,
            Some(Unit::Ratio),
            "5m",
            "critical",
            &[("service", "auth-service")],
            "Authentication service is failing",
            "More than {threshold} of authentication service requests have failed with 5xx for {for}.",
            http_error_ratio,
        ),
        d(
            "AuthLoginFailureSpike",
            "auth-service",
            0.3,
            Some(Unit::Ratio),
            "10m",
            "warning",
            &[("service", "auth-service")],
            "Many failed logins",
            "More than {threshold} of login attempts have failed for {for} (credential stuffing or a broken client).",
            |c| counter_ratio(c, ("auth_login_failures_total", &[]), "auth_login_attempts_total", 5, Cmp::Above),
        ),
        d(
            "SubscriptionServiceHighErrorRate",
            "subscription-service",
            0.02,
            Some(Unit::Ratio),
            "5m",
            "critical",
            &[("service", "subscription-service")],
            "Subscription service errors",
            "More than {threshold} of subscription service requests have failed with 5xx for {for}.",
            http_error_ratio,
        ),
        d(
            "CollaborationServiceHighLatency",
            "collaboration-service",
            1.0,
            Some(Unit::Seconds),
            "10m",
            "warning",
            &[("service", "collaboration-service")],
            "High collaboration service latency",
            "The 95th percentile of collaboration service latency has been above {threshold}s for {for}.",
            http_latency_p95,
        ),
        d(
            "CollaborationServiceHighErrorRate",
            "collaboration-service",
            0.05,
            Some(Unit::Ratio),
            "5m",
            "warning",
            &[("service", "collaboration-service")],
            "Collaboration service errors",
            "More than {threshold} of collaboration service requests have failed with 5xx for {for}.",
            http_error_ratio,
        ),
        d(
            "NotificationQueueBacklog",
            "notification-service",
            1000.0,
            Some(Unit::Count),
            "10m",
            "warning",
            &[("service", "notification-service")],
            "Notification queue backlog",
            "More than {threshold} notifications have been waiting for {for}.",
            |c| gauge_sum_above(c, "notification_queue_depth"),
        ),
        d(
            "NotificationDeliveryFailures",
            "notification-service",
            0.05,
            Some(Unit::Ratio),
            "10m",
            "warning",
            &[("service", "notification-service")],
            "Notification deliveries are failing",
            "More than {threshold} of notification deliveries have failed for {for}.",
            |c| {
                counter_ratio(
                    c,
                    ("notification_delivery_failures_total", &[]),
                    "notification_delivery_attempts_total",
                    5,
                    Cmp::Above,
                )
            },
        ),
        d(
            "WebFrontendHighClientErrorRate",
            "web-frontend",
            0.02,
            Some(Unit::Ratio),
            "10m",
            "warning",
            &[("service", "web-frontend")],
            "Web frontend client-side errors",
            "More than {threshold} of page loads have reported a client-side error for {for}.",
            |c| counter_ratio(c, ("frontend_client_errors_total", &[]), "frontend_page_loads_total", 5, Cmp::Above),
        ),
    ]
}
