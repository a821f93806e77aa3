//! What each well-known scrape job exposes: the metric names monstack's alerts, recording rules
//! and dashboards read, keyed by the seed's job names. For the exporters these are their
//! documented metric names; for CreativeFlow's own services this table *is* the contract the
//! services must honour (the seed names the panels, not the metrics behind them).
//!
//! It is the one place that knows which job produces which metric: the dashboard cross-check
//! reports any queried metric that no declared job exposes and no recording rule records, and a
//! test proves that every series the alert catalogue's scenarios feed comes from its job's list.

// The seed's job names that alerts, recording rules and dashboards key on.
pub const NODE_JOB: &str = "node_exporter";
pub const PG_JOB: &str = "postgres_exporter";
pub const REDIS_JOB: &str = "redis_exporter";
pub const MQ_JOB: &str = "rabbitmq_exporter";
pub const CADVISOR_JOB: &str = "kubernetes-cadvisor";
pub const KSM_JOB: &str = "kubernetes-kube-state-metrics";
pub const APISERVER_JOB: &str = "kubernetes-apiservers";
pub const DCGM_JOB: &str = "dcgm_exporter";
pub const GATEWAY_JOB: &str = "api-gateway";
pub const ODOO_JOB: &str = "odoo-backend";
pub const N8N_JOB: &str = "n8n-workflows";
pub const AUTH_JOB: &str = "auth-service";
pub const USERS_JOB: &str = "user-management";
pub const CREATIVE_JOB: &str = "creative-management";
pub const SUBSCRIPTION_JOB: &str = "subscription-service";

/// Every instrumented service (Prometheus client libraries): RED metrics and process metrics.
pub const HTTP_SERVICE: &[&str] = &[
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "http_request_duration_seconds_sum",
    "http_request_duration_seconds_count",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
];

/// Metrics Prometheus itself writes for every target or rule, whatever the job.
pub const SYNTHETIC: &[&str] = &[
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "ALERTS",
    "ALERTS_FOR_STATE",
];

/// The seed's application services and what each exposes beyond [`HTTP_SERVICE`].
const SERVICES: &[(&str, &[&str])] = &[
    (GATEWAY_JOB, &[]),
    // Odoo's `queue_job` module, exported by the custom /metrics endpoint the seed assumes.
    (ODOO_JOB, &["odoo_queue_jobs"]),
    (N8N_JOB, &["n8n_workflow_executions_total", "n8n_queue_jobs_waiting", "n8n_queue_jobs_completed_total"]),
    (AUTH_JOB, &["auth_login_attempts_total", "auth_login_failures_total", "auth_active_sessions"]),
    (USERS_JOB, &["user_registration_attempts_total", "user_registration_success_total"]),
    (
        CREATIVE_JOB,
        &[
            "ai_generation_attempted_total",
            "ai_generation_completed_total",
            "ai_generation_jobs_queued",
            "feature_usage_events_total",
        ],
    ),
    (SUBSCRIPTION_JOB, &["payment_attempts_total", "payment_failure_total", "credits_consumed_total"]),
    ("collaboration-service", &[]),
    (
        "notification-service",
        &["notification_queue_depth", "notification_delivery_attempts_total", "notification_delivery_failures_total"],
    ),
    ("web-frontend", &["frontend_page_loads_total", "frontend_client_errors_total"]),
];

/// Exporters, by the seed's job names.
const EXPORTERS: &[(&str, &[&str])] = &[
    (
        NODE_JOB,
        &[
            "node_cpu_seconds_total",
            "node_load1",
            "node_load5",
            "node_load15",
            "node_memory_MemAvailable_bytes",
            "node_memory_MemTotal_bytes",
            "node_filesystem_avail_bytes",
            "node_filesystem_size_bytes",
            "node_disk_read_bytes_total",
            "node_disk_written_bytes_total",
            "node_disk_io_time_seconds_total",
            "node_network_receive_bytes_total",
            "node_network_transmit_bytes_total",
            "node_boot_time_seconds",
            "node_time_seconds",
        ],
    ),
    (
        PG_JOB,
        &[
            "pg_up",
            "pg_stat_activity_count",
            "pg_stat_activity_max_tx_duration",
            "pg_settings_max_connections",
            "pg_replication_lag_seconds",
            "pg_stat_database_xact_commit",
            "pg_stat_database_xact_rollback",
            "pg_stat_database_blks_hit",
            "pg_stat_database_blks_read",
            "pg_stat_database_deadlocks",
            "pg_database_size_bytes",
        ],
    ),
    (
        REDIS_JOB,
        &[
            "redis_up",
            "redis_memory_used_bytes",
            "redis_memory_max_bytes",
            "redis_connected_clients",
            "redis_keyspace_hits_total",
            "redis_keyspace_misses_total",
            "redis_commands_processed_total",
            "redis_evicted_keys_total",
            "redis_db_keys",
        ],
    ),
    (
        MQ_JOB,
        &[
            "rabbitmq_queue_messages_ready",
            "rabbitmq_queue_messages_unacked",
            "rabbitmq_queue_messages_published_total",
            "rabbitmq_queue_messages_delivered_total",
            "rabbitmq_queue_messages_acked_total",
            "rabbitmq_queue_consumers",
            "rabbitmq_connections",
            "rabbitmq_partitions",
        ],
    ),
    (
        "minio",
        &[
            "minio_cluster_drive_offline_total",
            "minio_bucket_replication_failed_count",
            "minio_cluster_capacity_usable_free_bytes",
            "minio_cluster_capacity_usable_total_bytes",
        ],
    ),
    (
        CADVISOR_JOB,
        &[
            "container_cpu_usage_seconds_total",
            "container_memory_working_set_bytes",
            "container_network_receive_bytes_total",
            "container_network_transmit_bytes_total",
            "container_cpu_cfs_throttled_periods_total",
            "container_cpu_cfs_periods_total",
        ],
    ),
    (
        KSM_JOB,
        &[
            "kube_node_info",
            "kube_node_status_condition",
            "kube_node_status_allocatable",
            "kube_pod_info",
            "kube_pod_labels",
            "kube_pod_status_phase",
            "kube_pod_container_status_restarts_total",
            "kube_pod_container_resource_requests",
            "kube_deployment_spec_replicas",
            "kube_deployment_status_replicas_available",
        ],
    ),
    (
        APISERVER_JOB,
        &[
            "apiserver_request_total",
            "apiserver_request_duration_seconds_bucket",
            "apiserver_request_duration_seconds_count",
        ],
    ),
    (
        DCGM_JOB,
        &[
            "DCGM_FI_DEV_GPU_UTIL",
            "DCGM_FI_DEV_FB_USED",
            "DCGM_FI_DEV_FB_FREE",
            "DCGM_FI_DEV_GPU_TEMP",
            "DCGM_FI_DEV_POWER_USAGE",
        ],
    ),
];

/// What the AI model servers expose (the job is `ai_models.job`, so it is not keyed by name).
pub const AI_MODEL_SERVER: &[&str] = &[
    "custom_model_inference_requests_total",
    "custom_model_inference_errors_total",
    "custom_model_inference_latency_seconds_bucket",
    "custom_model_inference_latency_seconds_sum",
    "custom_model_inference_latency_seconds_count",
    "custom_model_drift_score",
];

/// Whether a job of this name exposes `metric`. `ai_job` is the spec's `ai_models.job`.
pub fn exposes(job: &str, ai_job: &str, metric: &str) -> bool {
    if job == ai_job && AI_MODEL_SERVER.contains(&metric) {
        return true;
    }
    if let Some((_, own)) = SERVICES.iter().find(|(j, _)| *j == job) {
        return HTTP_SERVICE.contains(&metric) || own.contains(&metric);
    }
    EXPORTERS.iter().any(|(j, own)| *j == job && own.contains(&metric))
}

/// The well-known jobs that expose `metric` (for a hint naming the job to declare).
pub fn exposed_by(metric: &str, ai_job: &str) -> Vec<String> {
    let mut jobs: Vec<String> = SERVICES
        .iter()
        .chain(EXPORTERS)
        .map(|(j, _)| *j)
        .filter(|j| exposes(j, ai_job, metric))
        .map(str::to_string)
        .collect();
    if AI_MODEL_SERVER.contains(&metric) {
        jobs.push(ai_job.to_string());
    }
    jobs
}
