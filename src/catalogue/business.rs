//! Business alerts: registration, payments, AI generation (KPI-004), credit consumption, key API
//! users' errors and the adoption of new features. The metric names are the contract with the
//! services that count these events.

use super::application::counter_ratio;
use super::scenario::{self, Scenario, Scenarios, counter, labels};
use super::units::Unit;
use super::{BUSINESS_FILE, Cmp, Ctx, Def, traffic_guard};
use std::collections::BTreeMap;

const GROUP: &str = "business_process_alerts";

fn unusual_credits(c: &Ctx) -> (String, Scenarios) {
    // Compared with the same hour a day earlier, so the daily cycle is not "unusual".
    let expr = format!(
        "sum(rate(credits_consumed_total{}[1h])) > {} * sum(rate(credits_consumed_total{}[1h] offset 1d))",
        c.sel(""),
        c.t(),
        c.sel("")
    );
    let sc = c.scrape();
    let eval = 1440 + c.eval(60);
    let n = scenario::length(eval);
    let base = 10.0;
    let s = |late: f64| {
        // A steady `base` a minute for a day, then `late` a minute.
        let day = 1440;
        let at_day = base * day as f64;
        sc.input(
            "credits_consumed_total",
            &[],
            format!(
                "0+{}x{day} {}+{}x{}",
                crate::syntax::number(base),
                crate::syntax::number(at_day + late),
                crate::syntax::number(late),
                n - day - 1
            ),
        )
    };
    let scenarios = Scenarios {
        firing: Scenario { series: s(base * (c.threshold + 1.0)), eval_minutes: eval, expect: vec![BTreeMap::new()] },
        healthy: Some(Scenario { series: s(base), eval_minutes: eval, expect: vec![] }),
    };
    (expr, scenarios)
}

fn key_user_errors(c: &Ctx) -> (String, Scenarios) {
    let all = format!("sum by (api_client) (rate(http_requests_total{}[5m]))", c.sel("api_tier=\"key\""));
    let expr = format!(
        "sum by (api_client) (rate(http_requests_total{}[5m])) / {all} > {}{}",
        c.sel("api_tier=\"key\", code=~\"5..\""),
        c.t(),
        traffic_guard(c.spec, &all)
    );
    let sc = c.scrape();
    let make = move |ratio: f64, n: u64| {
        let l = |code, values| {
            sc.input("http_requests_total", &[("api_tier", "key"), ("api_client", "acme"), ("code", code)], values)
        };
        [l("500", counter(600.0 * ratio, n)), l("200", counter(600.0 * (1.0 - ratio), n))].concat()
    };
    let (fire, calm) = scenario::fraction(c.threshold, Cmp::Above);
    (expr, scenario::pair((fire, calm), c.eval(5), labels(&[("api_client", "acme")]), make))
}

fn low_adoption(c: &Ctx) -> (String, Scenarios) {
    let expr =
        format!("sum by (feature) (increase(feature_usage_events_total{}[1d])) < {}", c.sel("release=\"new\""), c.t());
    let sc = c.scrape();
    let make = move |per_day: f64, n: u64| {
        sc.input(
            "feature_usage_events_total",
            &[("release", "new"), ("feature", "style-remix")],
            counter(per_day / 1440.0, n),
        )
    };
    let (fire, calm) = scenario::level(c.threshold, Cmp::Below);
    (expr, scenario::pair((fire.max(0.0), calm), c.eval(1440), labels(&[("feature", "style-remix")]), make))
}

/// What every business alert shares; each entry sets the rest.
const BUSINESS: Def = Def { file: BUSINESS_FILE, group: GROUP, ..Def::EMPTY };

/// The business alerts, group by group.
pub fn defs() -> Vec<Def> {
    [process_success(), usage()].into_iter().flatten().collect()
}

/// How often the core processes succeed: registration, payments and AI generation (KPI-004).
fn process_success() -> Vec<Def> {
    vec![
        Def {
            name: "LowRegistrationSuccessRate",
            job: Some("user-management"),
            threshold: 0.95,
            unit: Some(Unit::Ratio),
            for_: "30m",
            severity: "critical",
            labels: &[("business_process", "user_registration")],
            summary: "Low User Registration Success Rate",
            description: "User registration success rate has been below {threshold} over the last hour.",
            build: |c| {
                counter_ratio(
                    c,
                    ("user_registration_success_total", &[]),
                    "user_registration_attempts_total",
                    60,
                    Cmp::Below,
                )
            },
            ..BUSINESS
        },
        Def {
            name: "HighPaymentFailureRate",
            job: Some("subscription-service"),
            threshold: 0.10,
            unit: Some(Unit::Ratio),
            for_: "1h",
            severity: "critical",
            labels: &[("business_process", "payment_processing")],
            summary: "High Payment Failure Rate",
            description: "Payment failure rate has been above {threshold} over the last hour.",
            build: |c| counter_ratio(c, ("payment_failure_total", &[]), "payment_attempts_total", 60, Cmp::Above),
            ..BUSINESS
        },
        Def {
            name: "AIGenerationSuccessRateLow",
            job: Some("creative-management"),
            threshold: 0.98,
            unit: Some(Unit::Ratio),
            for_: "15m",
            severity: "warning",
            labels: &[("business_process", "ai_generation"), ("kpi_id", "KPI-004")],
            summary: "AI Generation Success Rate Below Target",
            description: "AI generation success rate is below {threshold} (KPI-004).",
            build: |c| {
                counter_ratio(
                    c,
                    ("ai_generation_completed_total", &[("status", "success")]),
                    "ai_generation_attempted_total",
                    5,
                    Cmp::Below,
                )
            },
            ..BUSINESS
        },
    ]
}

/// How the product is used: credit consumption, key API users' errors and the adoption of new
/// features.
fn usage() -> Vec<Def> {
    vec![
        Def {
            name: "UnusualCreditConsumption",
            job: Some("subscription-service"),
            threshold: 3.0,
            unit: Some(Unit::Factor),
            for_: "30m",
            severity: "warning",
            labels: &[("business_process", "credit_consumption")],
            summary: "Unusual credit consumption",
            description: "Credits are being consumed more than {threshold} times as fast as at the same time yesterday.",
            build: unusual_credits,
            ..BUSINESS
        },
        Def {
            name: "HighApiErrorRateForKeyUsers",
            job: Some("api-gateway"),
            threshold: 0.05,
            unit: Some(Unit::Ratio),
            for_: "10m",
            severity: "warning",
            labels: &[("business_process", "key_api_users")],
            summary: "API errors for key user {{ $labels.api_client }}",
            description: "More than {threshold} of the requests of key API user {{ $labels.api_client }} have failed for {for}.",
            build: key_user_errors,
            ..BUSINESS
        },
        Def {
            name: "LowNewFeatureAdoption",
            job: Some("creative-management"),
            threshold: 10.0,
            unit: Some(Unit::Count),
            for_: "1h",
            severity: "info",
            labels: &[("business_process", "feature_adoption")],
            summary: "Little use of new feature {{ $labels.feature }}",
            description: "New feature {{ $labels.feature }} has been used fewer than {threshold} times in a day.",
            build: low_adoption,
            ..BUSINESS
        },
    ]
}
