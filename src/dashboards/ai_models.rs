//! Custom AI model monitoring (the seed's `custom_ai_model_monitoring.json`): per-model latency
//! percentiles, throughput and errors from the model servers, and per-model GPU utilisation and
//! memory and pod CPU and memory, attributed to models through kube-state-metrics' pod labels
//! (the same join the GPU alerts use).

use super::board::{Board, Section, Variable, ts};
use super::*;
use crate::catalogue::ai_model_pod_label;

pub fn board(spec: &Spec) -> Board {
    let job = quote(&spec.ai_models.job);
    let m = format!("job={job}, model_name=~\"$model_name\", model_version=~\"$model_version\"");
    let pct = |p: &str| {
        format!(
            "histogram_quantile({p}, sum by (le, model_name) (rate(custom_model_inference_latency_seconds_bucket{{{m}}}[$__rate_interval])))"
        )
    };
    let requests =
        format!("sum by (model_name) (rate(custom_model_inference_requests_total{{{m}}}[$__rate_interval]))");
    let errors = format!("sum by (model_name) (rate(custom_model_inference_errors_total{{{m}}}[$__rate_interval]))");
    // The model's pods, with their `model_name` taken from the allow-listed pod label.
    let label = ai_model_pod_label(spec);
    let pods = format!(
        "label_replace(kube_pod_labels{{{}, {label}=~\"$model_name\"}}, \"model_name\", \"$1\", \"{label}\", \"(.*)\")",
        &job_of(spec, KSM_JOB)
    );
    let per_model = |agg: &str, series: String| {
        format!("{agg} by (model_name) ({series} * on (namespace, pod) group_left (model_name) {pods})")
    };
    let models = Section::new(
        env_title("Models"),
        vec![
            ts("Inference latency", "P50, P90 and P99 inference latency per model.", "s")
                .query("p50 {{model_name}}", pct("0.5"))
                .query("p90 {{model_name}}", pct("0.9"))
                .query("p99 {{model_name}}", pct("0.99")),
            ts("Throughput", "Inference requests per second per model.", "reqps")
                .query("{{model_name}}", requests.clone()),
            ts("Error ratio", "Failed inferences as a share of all inferences, per model.", "percentunit")
                .query("{{model_name}}", format!("{errors} / {requests}"))
                .warn_crit(0.02, 0.05),
            ts("Drift score", "Each model's input drift score (as reported by the model server).", "short")
                .query("{{model_name}}", format!("max by (model_name) (custom_model_drift_score{{{m}}})")),
        ],
    );
    let resources = Section::new(
        "GPUs and pods",
        vec![
            ts("GPU utilisation", "Average utilisation of the GPUs serving each model (DCGM).", "percent")
                .query(
                    "{{model_name}}",
                    per_model("avg", format!("DCGM_FI_DEV_GPU_UTIL{}", sel(&job_of(spec, DCGM_JOB), ""))),
                )
                .range(0.0, 100.0)
                .warn_crit(80.0, 95.0),
            ts("GPU memory used", "Share of GPU framebuffer memory in use, per model.", "percentunit")
                .query(
                    "{{model_name}}",
                    per_model(
                        "avg",
                        format!(
                            "(DCGM_FI_DEV_FB_USED{dcgm} / (DCGM_FI_DEV_FB_USED{dcgm} + DCGM_FI_DEV_FB_FREE{dcgm}))",
                            dcgm = sel(&job_of(spec, DCGM_JOB), "")
                        ),
                    ),
                )
                .range(0.0, 1.0)
                .warn_crit(0.85, 0.95),
            ts("Pod CPU", "CPU cores used by each model's serving pods (cAdvisor).", "short").query(
                "{{model_name}}",
                per_model(
                    "sum",
                    rate("container_cpu_usage_seconds_total", &job_of(spec, CADVISOR_JOB), "container!=\"\""),
                ),
            ),
            ts("Pod memory", "Working-set memory of each model's serving pods (cAdvisor).", "bytes").query(
                "{{model_name}}",
                per_model(
                    "sum",
                    format!(
                        "container_memory_working_set_bytes{}",
                        sel(&job_of(spec, CADVISOR_JOB), "container!=\"\"")
                    ),
                ),
            ),
        ],
    );
    let names = format!("custom_model_inference_requests_total{{job={job}}}");
    Board {
        uid: uid(DashboardKind::CustomAiModelMonitoring).into(),
        title: "Custom AI Model Monitoring".into(),
        description: "Latency, throughput, errors and resources of the custom AI models.".into(),
        tags: &["ai-models"],
        ds: DatasourceType::Prometheus,
        variables: vec![
            Variable::Query { name: "model_name", label: "Model", query: format!("label_values({names}, model_name)") },
            Variable::Query {
                name: "model_version",
                label: "Version",
                query: format!(
                    "label_values(custom_model_inference_requests_total{{job={job}, model_name=~\"$model_name\"}}, model_version)"
                ),
            },
        ],
        sections: vec![models, resources],
    }
}
