//! The built-in dashboards. Layout is computed (two panels per row, 12 columns each), so panel
//! positions and ids depend only on the panel list.

use super::dashboard_uid;
use crate::render::quote;
use crate::spec::grafana::{DashboardKind, DatasourceType};
use crate::spec::promtail::LogSourceKind;
use crate::validate::Model;
use serde_json::{Value, json};

/// Grafana's dashboard schema version for 10.4 and later.
const SCHEMA_VERSION: u32 = 39;

/// Whether a dashboard queries a datasource of this type.
pub fn needs(kind: DashboardKind, ds: DatasourceType) -> bool {
    match kind {
        DashboardKind::SystemOverview | DashboardKind::CustomAiModelMonitoring => ds == DatasourceType::Prometheus,
        DashboardKind::LogsAiModel => ds == DatasourceType::Loki,
    }
}

struct Panel {
    title: &'static str,
    description: &'static str,
    kind: &'static str,
    unit: &'static str,
    targets: Vec<(String, String)>,
}

fn ts(title: &'static str, description: &'static str, unit: &'static str, targets: &[(&str, String)]) -> Panel {
    Panel {
        title,
        description,
        kind: "timeseries",
        unit,
        targets: targets.iter().map(|(l, e)| (l.to_string(), e.clone())).collect(),
    }
}

pub fn render(model: &Model, kind: DashboardKind) -> Value {
    let (title, tags, ds_type, panels, mut variables) = match kind {
        DashboardKind::SystemOverview => {
            ("System Overview", vec!["overview"], DatasourceType::Prometheus, system_overview(), vec![])
        }
        DashboardKind::CustomAiModelMonitoring => {
            let job = quote(&model.spec.ai_models.job);
            let vars = vec![
                query_var(
                    "model_name",
                    &format!("label_values(custom_model_inference_requests_total{{job={job}}}, model_name)"),
                    "prometheus",
                ),
                query_var(
                    "model_version",
                    &format!(
                        "label_values(custom_model_inference_requests_total{{job={job}, model_name=~\"$model_name\"}}, model_version)"
                    ),
                    "prometheus",
                ),
            ];
            ("Custom AI Model Monitoring", vec!["ai-models"], DatasourceType::Prometheus, ai_models(&job), vars)
        }
        DashboardKind::LogsAiModel => {
            let job = quote(&ai_log_job(model));
            let vars = vec![
                query_var("model_name", "label_values(model_name)", "loki"),
                query_var("model_version", "label_values(model_version)", "loki"),
                query_var("pod", "label_values(pod)", "loki"),
                custom_var("log_level", "debug,info,warn,error"),
            ];
            ("AI Model Logs", vec!["ai-models", "logs"], DatasourceType::Loki, ai_model_logs(&job), vars)
        }
    };
    let default_ds =
        model.spec.grafana.datasources.iter().find(|d| d.kind == ds_type).map(|d| d.uid.clone()).unwrap_or_default();
    let mut list = vec![json!({
        "name": "datasource",
        "label": "Datasource",
        "type": "datasource",
        "query": ds_type.as_str(),
        "current": { "text": default_ds, "value": default_ds },
        "hide": 0,
        "refresh": 1,
    })];
    list.push(json!({
        "name": "environment",
        "label": "Environment",
        "type": "custom",
        "query": model.env(),
        "current": { "text": model.env(), "value": model.env() },
        "options": [{ "text": model.env(), "value": model.env(), "selected": true }],
        "hide": 0,
    }));
    list.append(&mut variables);
    json!({
        "uid": dashboard_uid(kind),
        "title": title,
        "tags": tags.into_iter().chain(["monstack"]).collect::<Vec<_>>(),
        "timezone": "browser",
        "editable": model.spec.grafana.allow_ui_updates,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": "1m",
        "time": { "from": "now-6h", "to": "now" },
        "templating": { "list": list },
        "annotations": { "list": [] },
        "panels": layout(ds_type, panels),
    })
}

fn query_var(name: &str, query: &str, ds_type: &str) -> Value {
    json!({
        "name": name,
        "type": "query",
        "datasource": { "type": ds_type, "uid": "${datasource}" },
        "query": query,
        "definition": query,
        "refresh": 2,
        "includeAll": true,
        "multi": true,
        "allValue": ".*",
        "current": { "text": "All", "value": "$__all" },
        "sort": 1,
        "hide": 0,
    })
}

fn custom_var(name: &str, values: &str) -> Value {
    json!({
        "name": name,
        "type": "custom",
        "query": values,
        "includeAll": true,
        "multi": true,
        "allValue": ".*",
        "current": { "text": "All", "value": "$__all" },
        "hide": 0,
    })
}

fn layout(ds_type: DatasourceType, panels: Vec<Panel>) -> Vec<Value> {
    panels
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let ds = json!({ "type": ds_type.as_str(), "uid": "${datasource}" });
            let targets: Vec<Value> = p
                .targets
                .iter()
                .enumerate()
                .map(|(j, (legend, expr))| {
                    json!({
                        "refId": ((b'A' + j as u8) as char).to_string(),
                        "datasource": ds,
                        "expr": expr,
                        "legendFormat": legend,
                    })
                })
                .collect();
            let (w, h) = if p.kind == "logs" { (24, 12) } else { (12, 8) };
            let per_row = 24 / w;
            json!({
                "id": i + 1,
                "type": p.kind,
                "title": p.title,
                "description": p.description,
                "datasource": ds,
                "gridPos": { "x": (i % per_row) * w, "y": (i / per_row) * h, "w": w, "h": h },
                "fieldConfig": { "defaults": { "unit": p.unit }, "overrides": [] },
                "options": {},
                "targets": targets,
            })
        })
        .collect()
}

fn system_overview() -> Vec<Panel> {
    let gw = "job=\"api-gateway\"";
    vec![
        ts("API gateway request rate", "Requests per second through the API gateway.", "reqps", &[(
            "requests",
            format!("sum(rate(http_requests_total{{{gw}}}[$__rate_interval]))"),
        )]),
        ts("API gateway error ratio", "Share of API gateway responses with a 5xx status.", "percentunit", &[(
            "5xx",
            format!(
                "sum(rate(http_requests_total{{{gw}, code=~\"5..\"}}[$__rate_interval])) / sum(rate(http_requests_total{{{gw}}}[$__rate_interval]))"
            ),
        )]),
        ts("Scrape targets up", "Targets answering their scrape, per job.", "short", &[("{{job}}", "sum by (job) (up)".into())]),
        ts("GPU utilisation", "Average GPU utilisation of the AI processing cluster (DCGM).", "percent", &[(
            "GPU",
            "avg(DCGM_FI_DEV_GPU_UTIL{job=\"dcgm_exporter\"})".into(),
        )]),
        ts("PostgreSQL connections", "Open connections per PostgreSQL instance.", "short", &[(
            "{{instance}}",
            "sum by (instance) (pg_stat_activity_count{job=\"postgres_exporter\"})".into(),
        )]),
        ts("RabbitMQ queue depth", "Messages waiting in RabbitMQ queues.", "short", &[(
            "ready",
            "sum(rabbitmq_queue_messages_ready{job=\"rabbitmq_exporter\"})".into(),
        )]),
        ts("Redis memory", "Memory used by each Redis instance.", "bytes", &[(
            "{{instance}}",
            "sum by (instance) (redis_memory_used_bytes{job=\"redis_exporter\"})".into(),
        )]),
        ts("Node CPU busy", "Share of CPU time not idle, per host.", "percentunit", &[(
            "{{instance}}",
            "1 - avg by (instance) (rate(node_cpu_seconds_total{job=\"node_exporter\", mode=\"idle\"}[$__rate_interval]))".into(),
        )]),
    ]
}

fn ai_models(job: &str) -> Vec<Panel> {
    let sel = format!("job={job}, model_name=~\"$model_name\", model_version=~\"$model_version\"");
    let q = |p: &str| {
        format!(
            "histogram_quantile({p}, sum by (le, model_name) (rate(custom_model_inference_latency_seconds_bucket{{{sel}}}[$__rate_interval])))"
        )
    };
    vec![
        ts("Inference latency", "P50, P90 and P99 inference latency per model.", "s", &[
            ("p50 {{model_name}}", q("0.5")),
            ("p90 {{model_name}}", q("0.9")),
            ("p99 {{model_name}}", q("0.99")),
        ]),
        ts("Throughput", "Inference requests per second per model.", "reqps", &[(
            "{{model_name}}",
            format!("sum by (model_name) (rate(custom_model_inference_requests_total{{{sel}}}[$__rate_interval]))"),
        )]),
        ts("Error ratio", "Failed inferences as a share of all inferences, per model.", "percentunit", &[(
            "{{model_name}}",
            format!(
                "sum by (model_name) (rate(custom_model_inference_errors_total{{{sel}}}[$__rate_interval])) / sum by (model_name) (rate(custom_model_inference_requests_total{{{sel}}}[$__rate_interval]))"
            ),
        )]),
        ts("Model pod CPU", "CPU used by the model-serving pods (cAdvisor).", "short", &[(
            "{{pod}}",
            "sum by (pod) (rate(container_cpu_usage_seconds_total{job=\"kubernetes-cadvisor\", container!=\"\", pod=~\".*\"}[$__rate_interval]))".into(),
        )]),
    ]
}

fn ai_log_job(model: &Model) -> String {
    model
        .spec
        .promtail
        .sources
        .iter()
        .find(|s| matches!(s.kind, LogSourceKind::AiModels(_)))
        .map(|s| s.name.clone())
        .unwrap_or_else(|| "ai-custom-models".into())
}

fn ai_model_logs(job: &str) -> Vec<Panel> {
    let sel = format!(
        "{{job={job}, model_name=~\"$model_name\", model_version=~\"$model_version\", pod=~\"$pod\", level=~\"$log_level\"}}"
    );
    vec![
        Panel {
            title: "Log stream",
            description: "Recent log lines of the selected models.",
            kind: "logs",
            unit: "",
            targets: vec![(String::new(), sel.clone())],
        },
        ts(
            "Lines by level",
            "Log lines per level.",
            "short",
            &[("{{level}}", format!("sum by (level) (count_over_time({sel}[$__auto]))"))],
        ),
        ts(
            "Errors over time",
            "Error lines per model.",
            "short",
            &[(
                "{{model_name}}",
                format!(
                    "sum by (model_name) (count_over_time({{job={job}, model_name=~\"$model_name\", model_version=~\"$model_version\", pod=~\"$pod\", level=\"error\"}}[$__auto]))"
                ),
            )],
        ),
    ]
}
