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

/// What every application alert shares; each entry sets the rest.
const APPLICATION: Def = Def { file: APPLICATION_FILE, group: GROUP, ..Def::EMPTY };

/// The application alerts, service by service.
pub fn defs() -> Vec<Def> {
    [api_gateway(), odoo(), n8n(), auth(), subscription(), collaboration(), notifications(), web_frontend()]
        .into_iter()
        .flatten()
        .collect()
}

fn api_gateway() -> Vec<Def> {
    vec![Def {
        name: "HighErrorRateAPIGateway",
        job: Some("api-gateway"),
        threshold: 0.05,
        unit: Some(Unit::Ratio),
        for_: "5m",
        severity: "critical",
        labels: &[("service", "api-gateway")],
        summary: "High API Gateway Error Rate",
        description: "More than {threshold} of API gateway requests have failed with 5xx for {for}.",
        build: http_error_ratio,
        ..APPLICATION
    }]
}

fn odoo() -> Vec<Def> {
    vec![
        Def {
            name: "OdooHighErrorRate",
            job: Some("odoo-backend"),
            threshold: 0.05,
            unit: Some(Unit::Ratio),
            for_: "5m",
            severity: "critical",
            labels: &[("service", "odoo-backend")],
            summary: "High Odoo backend error rate",
            description: "More than {threshold} of Odoo backend requests have failed with 5xx for {for}.",
            build: http_error_ratio,
            ..APPLICATION
        },
        Def {
            name: "OdooHighLatency",
            job: Some("odoo-backend"),
            threshold: 2.0,
            unit: Some(Unit::Seconds),
            for_: "10m",
            severity: "warning",
            labels: &[("service", "odoo-backend")],
            summary: "High Odoo backend latency",
            description: "The 95th percentile of Odoo backend request latency has been above {threshold}s for {for}.",
            build: http_latency_p95,
            ..APPLICATION
        },
    ]
}

fn n8n() -> Vec<Def> {
    vec![
        Def {
            name: "N8nWorkflowFailures",
            job: Some("n8n-workflows"),
            threshold: 0.1,
            unit: Some(Unit::Ratio),
            for_: "15m",
            severity: "warning",
            labels: &[("service", "n8n-workflows")],
            summary: "n8n workflow executions are failing",
            description: "More than {threshold} of n8n workflow executions have ended in error for {for}.",
            build: |c| {
                counter_ratio(
                    c,
                    ("n8n_workflow_executions_total", &[("status", "error")]),
                    "n8n_workflow_executions_total",
                    15,
                    Cmp::Above,
                )
            },
            ..APPLICATION
        },
        Def {
            name: "N8nJobsStuck",
            job: Some("n8n-workflows"),
            threshold: 100.0,
            unit: Some(Unit::Count),
            for_: "15m",
            severity: "warning",
            labels: &[("service", "n8n-workflows")],
            summary: "n8n jobs are stuck",
            description: "More than {threshold} n8n jobs are waiting and none has completed for {for}.",
            build: n8n_stuck,
            ..APPLICATION
        },
    ]
}

fn auth() -> Vec<Def> {
    vec![
        Def {
            name: "AuthServiceHighErrorRate",
            job: Some("auth-service"),
            threshold: 0.05,
            unit: Some(Unit::Ratio),
            for_: "5m",
            severity: "critical",
            labels: &[("service", "auth-service")],
            summary: "Authentication service is failing",
            description: "More than {threshold} of authentication service requests have failed with 5xx for {for}.",
            build: http_error_ratio,
            ..APPLICATION
        },
        Def {
            name: "AuthLoginFailureSpike",
            job: Some("auth-service"),
            threshold: 0.3,
            unit: Some(Unit::Ratio),
            for_: "10m",
            severity: "warning",
            labels: &[("service", "auth-service")],
            summary: "Many failed logins",
            description: "More than {threshold} of login attempts have failed for {for} (credential stuffing or a broken client).",
            build: |c| counter_ratio(c, ("auth_login_failures_total", &[]), "auth_login_attempts_total", 5, Cmp::Above),
            ..APPLICATION
        },
    ]
}

fn subscription() -> Vec<Def> {
    vec![Def {
        name: "SubscriptionServiceHighErrorRate",
        job: Some("subscription-service"),
        threshold: 0.02,
        unit: Some(Unit::Ratio),
        for_: "5m",
        severity: "critical",
        labels: &[("service", "subscription-service")],
        summary: "Subscription service errors",
        description: "More than {threshold} of subscription service requests have failed with 5xx for {for}.",
        build: http_error_ratio,
        ..APPLICATION
    }]
}

fn collaboration() -> Vec<Def> {
    vec![
        Def {
            name: "CollaborationServiceHighLatency",
            job: Some("collaboration-service"),
            threshold: 1.0,
            unit: Some(Unit::Seconds),
            for_: "10m",
            severity: "warning",
            labels: &[("service", "collaboration-service")],
            summary: "High collaboration service latency",
            description: "The 95th percentile of collaboration service latency has been above {threshold}s for {for}.",
            build: http_latency_p95,
            ..APPLICATION
        },
        Def {
            name: "CollaborationServiceHighErrorRate",
            job: Some("collaboration-service"),
            threshold: 0.05,
            unit: Some(Unit::Ratio),
            for_: "5m",
            severity: "warning",
            labels: &[("service", "collaboration-service")],
            summary: "Collaboration service errors",
            description: "More than {threshold} of collaboration service requests have failed with 5xx for {for}.",
            build: http_error_ratio,
            ..APPLICATION
        },
    ]
}

fn notifications() -> Vec<Def> {
    vec![
        Def {
            name: "NotificationQueueBacklog",
            job: Some("notification-service"),
            threshold: 1000.0,
            unit: Some(Unit::Count),
            for_: "10m",
            severity: "warning",
            labels: &[("service", "notification-service")],
            summary: "Notification queue backlog",
            description: "More than {threshold} notifications have been waiting for {for}.",
            build: |c| gauge_sum_above(c, "notification_queue_depth"),
            ..APPLICATION
        },
        Def {
            name: "NotificationDeliveryFailures",
            job: Some("notification-service"),
            threshold: 0.05,
            unit: Some(Unit::Ratio),
            for_: "10m",
            severity: "warning",
            labels: &[("service", "notification-service")],
            summary: "Notification deliveries are failing",
            description: "More than {threshold} of notification deliveries have failed for {for}.",
            build: |c| {
                counter_ratio(
                    c,
                    ("notification_delivery_failures_total", &[]),
                    "notification_delivery_attempts_total",
                    5,
                    Cmp::Above,
                )
            },
            ..APPLICATION
        },
    ]
}

fn web_frontend() -> Vec<Def> {
    vec![Def {
        name: "WebFrontendHighClientErrorRate",
        job: Some("web-frontend"),
        threshold: 0.02,
        unit: Some(Unit::Ratio),
        for_: "10m",
        severity: "warning",
        labels: &[("service", "web-frontend")],
        summary: "Web frontend client-side errors",
        description: "More than {threshold} of page loads have reported a client-side error for {for}.",
        build: |c| counter_ratio(c, ("frontend_client_errors_total", &[]), "frontend_page_loads_total", 5, Cmp::Above),
        ..APPLICATION
    }]
}
