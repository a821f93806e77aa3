//! System overview (the seed's `system_overview_dashboard.json`): API gateway traffic and errors,
//! Odoo health, n8n executions, the AI cluster's GPUs and job queue, PostgreSQL, RabbitMQ, Redis
//! and active sessions — a section for each of those the environment declares — plus host load
//! and scrape health.

use super::board::{Board, Section, stat, ts};
use super::*;

/// The System Overview board: the platform's headline, then a section per service scraped.
pub fn board(spec: &Spec) -> Board {
    let mut sections = vec![platform(spec)];
    if has(spec, GATEWAY_JOB) {
        sections.push(api_gateway(spec));
    }
    if has(spec, NODE_JOB) {
        sections.push(hosts());
    }
    if has(spec, ODOO_JOB) {
        sections.push(odoo_backend(spec));
    }
    if has(spec, N8N_JOB) {
        sections.push(n8n_workflows(spec));
    }
    sections.extend(ai_cluster(spec));
    if has(spec, PG_JOB) {
        sections.push(postgresql(spec));
    }
    if has(spec, MQ_JOB) {
        sections.push(rabbitmq(spec));
    }
    if has(spec, REDIS_JOB) {
        sections.push(redis(spec));
    }
    Board {
        uid: uid(DashboardKind::SystemOverview).into(),
        title: "System Overview".into(),
        description: "CreativeFlow platform health at a glance.".into(),
        tags: &["overview"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections,
    }
}

/// Whether the environment scrapes a job in `role`.
fn has(spec: &Spec, role: &str) -> bool {
    crate::catalogue::kinds::job(spec, role).is_some()
}

/// The headline stats: gateway traffic and errors and active sessions where scraped, targets down.
fn platform(spec: &Spec) -> Section {
    let gw = job_of(spec, GATEWAY_JOB);
    let mut headline = Vec::new();
    if has(spec, GATEWAY_JOB) {
        headline.push(
            stat("API gateway requests", "Requests per second through the API gateway (5m rate).", "reqps")
                .query("", format!("sum(job:http_requests:rate5m{{{gw}}})")),
        );
        headline.push(
            stat("API gateway errors", "Share of API gateway responses with a 5xx status (5m).", "percentunit")
                .query("", http::error_ratio(&job_of(spec, GATEWAY_JOB)))
                .warn_crit(0.01, 0.05),
        );
    }
    if has(spec, AUTH_JOB) {
        headline.push(
            stat("Active user sessions", "Sessions the auth service currently holds.", "short")
                .query("", format!("sum(auth_active_sessions{})", sel(&job_of(spec, AUTH_JOB), ""))),
        );
    }
    headline.push(
        stat("Targets down", "Scrape targets not answering, across all jobs.", "short")
            .query("", "count(up == 0) or vector(0)")
            .warn_crit(1.0, 5.0),
    );
    Section::new(env_title("Platform"), headline)
}

/// The API gateway's status codes and error ratio.
fn api_gateway(spec: &Spec) -> Section {
    Section::new(
        "API gateway",
        vec![http::status_codes(&job_of(spec, GATEWAY_JOB)), http::errors(&job_of(spec, GATEWAY_JOB))],
    )
}

/// Cluster CPU busy and memory used, across all hosts.
fn hosts() -> Section {
    Section::new(
        "Hosts",
        vec![
            ts("Cluster CPU busy", "Share of CPU time not idle across all hosts (5m).", "percentunit")
                .query("cpu", "cluster:node_cpu_utilisation:ratio_rate5m")
                .range(0.0, 1.0)
                .warn_crit(0.7, 0.9),
            ts("Cluster memory used", "Share of memory in use across all hosts.", "percentunit")
                .query("memory", "cluster:node_memory_utilisation:ratio")
                .range(0.0, 1.0)
                .warn_crit(0.8, 0.9),
        ],
    )
}

/// The Odoo backend's process CPU and memory and its job queues.
fn odoo_backend(spec: &Spec) -> Section {
    let mut odoo = http::process(&job_of(spec, ODOO_JOB));
    odoo.push(http::odoo_queues(spec));
    Section::new("Odoo backend", odoo.into_iter().map(|p| p.width(8)).collect())
}

/// n8n workflow executions by outcome and their failure ratio.
fn n8n_workflows(spec: &Spec) -> Section {
    Section::new(
        "n8n workflows",
        vec![
            ts("Executions", "Workflow executions per second by outcome.", "ops").query(
                "{{status}}",
                format!("sum by (status) ({})", rate("n8n_workflow_executions_total", &job_of(spec, N8N_JOB), "")),
            ),
            ts("Failure ratio", "Share of workflow executions that failed.", "percentunit")
                .query(
                    "failed",
                    format!(
                        "sum({}) / sum({})",
                        rate("n8n_workflow_executions_total", &job_of(spec, N8N_JOB), "status=\"error\""),
                        rate("n8n_workflow_executions_total", &job_of(spec, N8N_JOB), "")
                    ),
                )
                .warn_crit(0.05, 0.1),
        ],
    )
}

/// The AI processing cluster's GPU utilisation and job queue, where either is scraped.
fn ai_cluster(spec: &Spec) -> Option<Section> {
    let mut ai = Vec::new();
    if has(spec, DCGM_JOB) {
        ai.push(
            ts("GPU utilisation", "Average utilisation of the AI processing cluster's GPUs (DCGM).", "percent")
                .query("average", format!("avg(DCGM_FI_DEV_GPU_UTIL{})", sel(&job_of(spec, DCGM_JOB), "")))
                .range(0.0, 100.0)
                .warn_crit(80.0, 95.0),
        );
    }
    if has(spec, CREATIVE_JOB) {
        ai.push(
            ts("AI job queue", "Generation jobs waiting for the AI processing cluster.", "short")
                .query("queued", format!("sum(ai_generation_jobs_queued{})", sel(&job_of(spec, CREATIVE_JOB), ""))),
        );
    }
    (!ai.is_empty()).then(|| Section::new("AI processing cluster", ai))
}

/// PostgreSQL connections, replication lag and longest transaction, per instance.
fn postgresql(spec: &Spec) -> Section {
    let pg = sel(&job_of(spec, PG_JOB), "");
    Section::new(
        "PostgreSQL",
        vec![
            ts("Connections", "Open connections per instance.", "short")
                .query("{{instance}}", format!("sum by (instance) (pg_stat_activity_count{pg})"))
                .width(8),
            ts("Replication lag", "How far each replica is behind its primary.", "s")
                .query("{{instance}}", format!("max by (instance) (pg_replication_lag_seconds{pg})"))
                .warn_crit(10.0, 30.0)
                .width(8),
            ts("Longest transaction", "Age of the oldest running transaction (slow queries show here).", "s")
                .query("{{instance}}", format!("max by (instance) (pg_stat_activity_max_tx_duration{pg})"))
                .warn_crit(60.0, 300.0)
                .width(8),
        ],
    )
}

/// RabbitMQ queue depth and message rates.
fn rabbitmq(spec: &Spec) -> Section {
    Section::new(
        "RabbitMQ",
        vec![
            ts("Queue depth", "Messages ready and unacknowledged, all queues.", "short")
                .query("ready", format!("sum(rabbitmq_queue_messages_ready{})", sel(&job_of(spec, MQ_JOB), "")))
                .query("unacked", format!("sum(rabbitmq_queue_messages_unacked{})", sel(&job_of(spec, MQ_JOB), ""))),
            ts("Message rates", "Messages published and delivered per second (5m).", "ops")
                .query("published", "sum(instance:rabbitmq_global_messages_received:rate5m)")
                .query("delivered", "sum(instance:rabbitmq_global_messages_delivered:rate5m)"),
        ],
    )
}

/// Redis memory used and hit ratio, per instance.
fn redis(spec: &Spec) -> Section {
    Section::new(
        "Redis",
        vec![
            ts("Memory used", "Memory used by each Redis instance.", "bytes").query(
                "{{instance}}",
                format!("sum by (instance) (redis_memory_used_bytes{})", sel(&job_of(spec, REDIS_JOB), "")),
            ),
            ts("Hit ratio", "Share of key lookups that found their key.", "percentunit")
                .query(
                    "{{instance}}",
                    format!(
                        "sum by (instance) ({}) / (sum by (instance) ({}) + sum by (instance) ({}))",
                        rate("redis_keyspace_hits_total", &job_of(spec, REDIS_JOB), ""),
                        rate("redis_keyspace_hits_total", &job_of(spec, REDIS_JOB), ""),
                        rate("redis_keyspace_misses_total", &job_of(spec, REDIS_JOB), "")
                    ),
                )
                .low_is_bad(0.5, 0.8)
                .range(0.0, 1.0),
        ],
    )
}
