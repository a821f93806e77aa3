//! CreativeFlow's own services and AI model servers. Nothing to scrape here: these tables are
//! the contract the services implement. Every service exports the Prometheus client libraries'
//! HTTP and process metrics (the seed's convention, `http_requests_total{code}`) and the
//! counters and gauges of its own failure signals and business events that the alerts and
//! dashboards read.

use super::{
    AI_MODELS_JOB, AUTH_JOB, CREATIVE_JOB, GATEWAY_JOB, Metric, N8N_JOB, ODOO_JOB, SUBSCRIPTION_JOB, Table, USERS_JOB,
    Verified, m,
};

/// The seed names the panels and alerts, not the metrics: this table is where they are fixed.
const SOURCE: &str = "src/catalogue/metrics/apps.rs (the contract)";
const VERSION: &str = "contract";

/// Every instrumented service (Prometheus client libraries): RED metrics and process metrics.
pub const HTTP_SERVICE: &[Metric] = &[
    m("http_requests_total", &["code", "handler", "method"]),
    m("http_request_duration_seconds_bucket", &["handler", "method", "le"]),
    m("http_request_duration_seconds_sum", &["handler", "method"]),
    m("http_request_duration_seconds_count", &["handler", "method"]),
    m("process_cpu_seconds_total", &[]),
    m("process_resident_memory_bytes", &[]),
];

/// The API gateway's requests also name the client and its tier (key API users).
const GATEWAY_HTTP: &[Metric] = &[
    m("http_requests_total", &["code", "handler", "method", "api_tier", "api_client"]),
    m("http_request_duration_seconds_bucket", &["handler", "method", "le"]),
    m("http_request_duration_seconds_sum", &["handler", "method"]),
    m("http_request_duration_seconds_count", &["handler", "method"]),
    m("process_cpu_seconds_total", &[]),
    m("process_resident_memory_bytes", &[]),
];

const fn service(job: &'static str, metrics: &'static [&'static [Metric]]) -> Table {
    Table {
        exporter: "CreativeFlow service",
        job,
        endpoint: "/metrics",
        version: VERSION,
        source: SOURCE,
        verified: Verified::Contract,
        metrics,
        newer_than_scraped: &[],
    }
}

pub const TABLES: [Table; 10] = [
    service(GATEWAY_JOB, &[GATEWAY_HTTP]),
    // Odoo's `queue_job` module, exported by the custom /metrics endpoint the seed assumes.
    service(ODOO_JOB, &[HTTP_SERVICE, &[m("odoo_queue_jobs", &["state"])]]),
    service(
        N8N_JOB,
        &[
            HTTP_SERVICE,
            &[
                m("n8n_workflow_executions_total", &["status"]),
                m("n8n_queue_jobs_waiting", &[]),
                m("n8n_queue_jobs_completed_total", &[]),
            ],
        ],
    ),
    service(
        AUTH_JOB,
        &[
            HTTP_SERVICE,
            &[m("auth_login_attempts_total", &[]), m("auth_login_failures_total", &[]), m("auth_active_sessions", &[])],
        ],
    ),
    service(
        USERS_JOB,
        &[HTTP_SERVICE, &[m("user_registration_attempts_total", &[]), m("user_registration_success_total", &[])]],
    ),
    service(
        CREATIVE_JOB,
        &[
            HTTP_SERVICE,
            &[
                m("ai_generation_attempted_total", &[]),
                m("ai_generation_completed_total", &["status"]),
                m("ai_generation_jobs_queued", &[]),
                m("feature_usage_events_total", &["feature", "release"]),
            ],
        ],
    ),
    service(
        SUBSCRIPTION_JOB,
        &[
            HTTP_SERVICE,
            &[m("payment_attempts_total", &[]), m("payment_failure_total", &[]), m("credits_consumed_total", &[])],
        ],
    ),
    service("collaboration-service", &[HTTP_SERVICE]),
    service(
        "notification-service",
        &[
            HTTP_SERVICE,
            &[
                m("notification_queue_depth", &[]),
                m("notification_delivery_attempts_total", &[]),
                m("notification_delivery_failures_total", &[]),
            ],
        ],
    ),
    service(
        "web-frontend",
        &[HTTP_SERVICE, &[m("frontend_page_loads_total", &[]), m("frontend_client_errors_total", &[])]],
    ),
];

/// What the AI model servers expose (the job is `ai_models.job`). `model_name` and
/// `model_version` come from the pods' labels (`target_labels`) in CreativeFlow's environments;
/// a server scraped without them must carry them itself.
const MODEL: &[&str] = &["model_name", "model_version"];
const MODEL_LE: &[&str] = &["model_name", "model_version", "le"];

pub const AI_MODEL_SERVER: Table = Table {
    exporter: "CreativeFlow AI model server",
    job: AI_MODELS_JOB,
    endpoint: "/metrics",
    version: VERSION,
    source: SOURCE,
    verified: Verified::Contract,
    metrics: &[&[
        m("custom_model_inference_requests_total", MODEL),
        m("custom_model_inference_errors_total", MODEL),
        m("custom_model_inference_latency_seconds_bucket", MODEL_LE),
        m("custom_model_inference_latency_seconds_sum", MODEL),
        m("custom_model_inference_latency_seconds_count", MODEL),
        m("custom_model_drift_score", MODEL),
    ]],
    newer_than_scraped: &[],
};
