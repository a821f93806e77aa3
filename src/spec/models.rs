//! Custom AI models. Each declared model gets its own alert thresholds; models that are
//! discovered but not declared are covered by the default thresholds.

use crate::syntax::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AiModels {
    /// Scrape job of the model pods (the `job` label of their series). Default `custom-ai-models`.
    #[serde(default = "default_job")]
    pub job: String,
    /// Kubernetes pod label holding the model name; kube-state-metrics exports it as
    /// `label_<name>` on `kube_pod_labels` (allow-list it), which attributes GPUs to models.
    /// Default `ai_model_name`.
    #[serde(default = "default_pod_label")]
    pub pod_label: String,
    /// Team owning model alerts unless a model names its own. Default: none.
    #[serde(default)]
    pub owner: Option<String>,
    /// Thresholds for models without their own. Default: p99 latency 2s, error ratio 0.05.
    #[serde(default)]
    pub defaults: Thresholds,
    /// Declared models.
    #[serde(default)]
    pub models: Vec<AiModel>,
}

fn default_job() -> String {
    "custom-ai-models".into()
}

fn default_pod_label() -> String {
    "ai_model_name".into()
}

impl Default for AiModels {
    fn default() -> Self {
        AiModels {
            job: default_job(),
            pod_label: default_pod_label(),
            owner: None,
            defaults: Thresholds::default(),
            models: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AiModel {
    /// Value of the `model_name` label.
    pub name: String,
    /// Team owning this model's alerts. Default: `ai_models.owner`.
    #[serde(default)]
    pub owner: Option<String>,
    /// This model's thresholds; unset values fall back to `ai_models.defaults`.
    #[serde(default)]
    pub thresholds: PartialThresholds,
}

/// Alert thresholds of a model.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// P99 inference latency above which `CustomAIModelHighInferenceLatency` fires, in seconds.
    /// Default 2.
    #[serde(default = "default_latency")]
    pub p99_latency_seconds: f64,
    /// Error ratio (errors / requests, 0..1) above which `CustomAIModelHighErrorRate` fires.
    /// Default 0.05.
    #[serde(default = "default_error_ratio")]
    pub error_ratio: f64,
    /// How long the latency condition must hold. Default `5m`.
    #[serde(default = "d5m")]
    pub latency_for: Duration,
    /// How long the error condition must hold. Default `10m`.
    #[serde(default = "d10m")]
    pub error_for: Duration,
    /// Average GPU utilisation (percent) of the model's pods above which
    /// `CustomAIModelGpuSaturation` fires (for 30m). Default 95.
    #[serde(default = "default_gpu_util")]
    pub gpu_utilisation_percent: f64,
    /// Share of GPU memory in use by the model's pods above which
    /// `CustomAIModelGpuMemorySaturation` fires (for 15m). Default 0.95.
    #[serde(default = "default_gpu_memory")]
    pub gpu_memory_ratio: f64,
    /// Requests per second below which `CustomAIModelLowThroughput` fires (for 15m). Default:
    /// none (no throughput alert).
    #[serde(default)]
    pub min_requests_per_second: Option<f64>,
    /// Drift score (`custom_model_drift_score`) above which `CustomAIModelDrift` fires (for
    /// 30m), for models that export one. Default: none.
    #[serde(default)]
    pub drift_threshold: Option<f64>,
}

fn default_latency() -> f64 {
    2.0
}
fn default_error_ratio() -> f64 {
    0.05
}
fn default_gpu_util() -> f64 {
    95.0
}
fn default_gpu_memory() -> f64 {
    0.95
}
fn d5m() -> Duration {
    Duration::new("5m")
}
fn d10m() -> Duration {
    Duration::new("10m")
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            p99_latency_seconds: default_latency(),
            error_ratio: default_error_ratio(),
            latency_for: d5m(),
            error_for: d10m(),
            gpu_utilisation_percent: default_gpu_util(),
            gpu_memory_ratio: default_gpu_memory(),
            min_requests_per_second: None,
            drift_threshold: None,
        }
    }
}

/// Per-model overrides of [`Thresholds`].
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartialThresholds {
    #[serde(default)]
    pub p99_latency_seconds: Option<f64>,
    #[serde(default)]
    pub error_ratio: Option<f64>,
    #[serde(default)]
    pub latency_for: Option<Duration>,
    #[serde(default)]
    pub error_for: Option<Duration>,
    #[serde(default)]
    pub gpu_utilisation_percent: Option<f64>,
    #[serde(default)]
    pub gpu_memory_ratio: Option<f64>,
    #[serde(default)]
    pub min_requests_per_second: Option<f64>,
    #[serde(default)]
    pub drift_threshold: Option<f64>,
}

impl PartialThresholds {
    pub fn over(&self, d: &Thresholds) -> Thresholds {
        Thresholds {
            p99_latency_seconds: self.p99_latency_seconds.unwrap_or(d.p99_latency_seconds),
            error_ratio: self.error_ratio.unwrap_or(d.error_ratio),
            latency_for: self.latency_for.clone().unwrap_or_else(|| d.latency_for.clone()),
            error_for: self.error_for.clone().unwrap_or_else(|| d.error_for.clone()),
            gpu_utilisation_percent: self.gpu_utilisation_percent.unwrap_or(d.gpu_utilisation_percent),
            gpu_memory_ratio: self.gpu_memory_ratio.unwrap_or(d.gpu_memory_ratio),
            min_requests_per_second: self.min_requests_per_second.or(d.min_requests_per_second),
            drift_threshold: self.drift_threshold.or(d.drift_threshold),
        }
    }
}
