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

pub fn defs() -> Vec<Def> {
    let d = |name, job, threshold, unit, for_, severity, l, summary, description, build| Def {
        name,
        file: BUSINESS_FILE,
        group: GROUP,
        job: Some(job),
        threshold,
        unit,
        for_,
        severity,
        labels: l,
        summary,
        description,
        build,
    };
    vec![
        d(
            "LowRegistrationSuccessRate",
            "user-management",
            0.95,
            Some(Unit::Ratio),
            "30m",
            "critical",
            &[("business_process", "user_registration")],
            "Low User Registration Success Rate",
            "User registration success rate has been below {threshold} over the last hour.",
            |c| {
                counter_ratio(
                    c,
                    ("user_registration_success_total", &[]),
                    "user_registration_attempts_total",
                    60,
                    Cmp::Below,
                )
            },
        ),
        d(
            "HighPaymentFailureRate",
            "subscription-service",
            0.10,
            Some(Unit::Ratio),
            "1h",
            "critical",
            &[("business_process", "payment_processing")],
            "High Payment Failure Rate",
            "Payment failure rate has been above {threshold} over the last hour.",
            |c| counter_ratio(c, ("payment_failure_total", &[]), "payment_attempts_total", 60, Cmp::Above),
        ),
        d(
            "AIGenerationSuccessRateLow",
            "creative-management",
            0.98,
            Some(Unit::Ratio),
            "15m",
            "warning",
            &[("business_process", "ai_generation"), ("kpi_id", "KPI-004")],
            "AI Generation Success Rate Below Target",
            "AI generation success rate is below {threshold} (KPI-004).",
            |c| {
                counter_ratio(
                    c,
                    ("ai_generation_completed_total", &[("status", "success")]),
                    "ai_generation_attempted_total",
                    5,
                    Cmp::Below,
                )
            },
        ),
        d(
            "UnusualCreditConsumption",
            "subscription-service",
            3.0,
            Some(Unit::Factor),
            "30m",
            "warning",
            &[("business_process", "credit_consumption")],
            "Unusual credit consumption",
            "Credits are being consumed more than {threshold} times as fast as at the same time yesterday.",
            unusual_credits,
        ),
        d(
            "HighApiErrorRateForKeyUsers",
            "api-gateway",
            0.05,
            Some(Unit::Ratio),
            "10m",
            "warning",
            &[("business_process", "key_api_users")],
            "API errors for key user {{ $labels.api_client }}",
            "More than {threshold} of the requests of key API user {{ $labels.api_client }} have failed for {for}.",
            key_user_errors,
        ),
        d(
            "LowNewFeatureAdoption",
            "creative-management",
            10.0,
            Some(Unit::Count),
            "1h",
            "info",
            &[("business_process", "feature_adoption")],
            "Little use of new feature {{ $labels.feature }}",
            "New feature {{ $labels.feature }} has been used fewer than {threshold} times in a day.",
            low_adoption,
        ),
    ]
}
