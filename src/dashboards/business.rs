//! Business KPIs: user registration success, payment failures, AI generation success, credit
//! consumption, feature adoption and key API users' errors — a section for each service the
//! environment declares.

use super::board::{Board, Section, stat, ts};
use super::*;

/// The Business KPIs board: a section for each business service the environment scrapes.
pub fn board(spec: &Spec) -> Board {
    let has = |role: &str| crate::catalogue::kinds::job(spec, role).is_some();
    let mut sections = Vec::new();
    if has(USERS_JOB) {
        sections.push(user_registration(spec));
    }
    if has(SUBSCRIPTION_JOB) {
        sections.push(payments_and_credits(spec));
    }
    if has(CREATIVE_JOB) {
        sections.push(ai_generation(spec));
    }
    if has(GATEWAY_JOB) {
        sections.push(key_api_users(spec));
    }
    if let Some(first) = sections.first_mut() {
        first.title = env_title(&first.title);
    }
    Board {
        uid: uid(DashboardKind::BusinessKpis).into(),
        title: "Business KPIs".into(),
        description: "CreativeFlow's business processes and KPIs.".into(),
        tags: &["business"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections,
    }
}

/// The ratio of two summed rates.
fn ratio(num: String, den: String) -> String {
    format!("sum({num}) / sum({den})")
}

/// Registration success and the attempts and successes per second.
fn user_registration(spec: &Spec) -> Section {
    let success = ratio(
        rate("user_registration_success_total", &job_of(spec, USERS_JOB), ""),
        rate("user_registration_attempts_total", &job_of(spec, USERS_JOB), ""),
    );
    Section::new(
        "User registration",
        vec![
            stat("Registration success", "Share of registration attempts that succeeded.", "percentunit")
                .query("", success)
                .low_is_bad(0.9, 0.95),
            ts("Registrations", "Registration attempts and successes per second.", "ops")
                .query(
                    "attempts",
                    format!("sum({})", rate("user_registration_attempts_total", &job_of(spec, USERS_JOB), "")),
                )
                .query(
                    "successes",
                    format!("sum({})", rate("user_registration_success_total", &job_of(spec, USERS_JOB), "")),
                ),
        ],
    )
}

/// The payment failure ratio and the credits consumed, against the same time yesterday.
fn payments_and_credits(spec: &Spec) -> Section {
    Section::new(
        "Payments and credits",
        vec![
            stat("Payment failures", "Share of payment attempts that failed.", "percentunit")
                .query(
                    "",
                    ratio(
                        rate("payment_failure_total", &job_of(spec, SUBSCRIPTION_JOB), ""),
                        rate("payment_attempts_total", &job_of(spec, SUBSCRIPTION_JOB), ""),
                    ),
                )
                .warn_crit(0.02, 0.05),
            ts("Credits consumed", "Credits consumed per second, and the same time yesterday.", "short")
                .query("now", format!("sum({})", rate("credits_consumed_total", &job_of(spec, SUBSCRIPTION_JOB), "")))
                .query(
                    "yesterday",
                    format!(
                        "sum(rate(credits_consumed_total{}[$__rate_interval] offset 1d))",
                        sel(&job_of(spec, SUBSCRIPTION_JOB), "")
                    ),
                ),
        ],
    )
}

/// AI generation success (KPI-004) and feature usage by feature.
fn ai_generation(spec: &Spec) -> Section {
    Section::new(
        "AI generation",
        vec![
            stat("Generation success", "Share of AI generations that completed successfully (KPI-004).", "percentunit")
                .query(
                    "",
                    ratio(
                        rate("ai_generation_completed_total", &job_of(spec, CREATIVE_JOB), "status=\"success\""),
                        rate("ai_generation_attempted_total", &job_of(spec, CREATIVE_JOB), ""),
                    ),
                )
                .low_is_bad(0.95, 0.98),
            ts("Feature usage", "Feature usage events per second, by feature.", "ops").query(
                "{{feature}}",
                format!("sum by (feature) ({})", rate("feature_usage_events_total", &job_of(spec, CREATIVE_JOB), "")),
            ),
        ],
    )
}

/// The key-tier API clients' error ratio, per client.
fn key_api_users(spec: &Spec) -> Section {
    Section::new(
        "Key API users",
        vec![
            ts("Key users' error ratio", "Share of key-tier API requests failing with 5xx, per client.", "percentunit")
                .query(
                    "{{api_client}}",
                    format!(
                        "sum by (api_client) ({}) / sum by (api_client) ({})",
                        rate("http_requests_total", &job_of(spec, GATEWAY_JOB), "api_tier=\"key\", code=~\"5..\""),
                        rate("http_requests_total", &job_of(spec, GATEWAY_JOB), "api_tier=\"key\"")
                    ),
                )
                .warn_crit(0.01, 0.05),
        ],
    )
}
