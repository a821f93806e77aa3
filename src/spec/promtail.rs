//! Promtail: log sources and the Loki client.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Promtail {
    /// HTTP port. Default 9080.
    #[serde(default = "default_port")]
    pub http_listen_port: u16,
    /// File recording how far each log file was read. Default
    /// `/var/lib/promtail/positions.yaml`.
    #[serde(default = "default_positions")]
    pub positions_file: String,
    /// Loki push URL, e.g. `http://loki:3100/loki/api/v1/push`.
    pub loki_url: String,
    /// Tenant id sent as `X-Scope-OrgID` (multi-tenant Loki). Default: none.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// Log sources; each becomes one scrape job (Promtail) or one pipeline (Alloy).
    pub sources: Vec<LogSource>,
    /// Which shippers the bundle configures for these sources: `promtail` (the seed's, end of
    /// life since 2026-03-02 and gone from nixpkgs) and `alloy` (its successor). Default both.
    #[serde(default = "default_shippers")]
    pub shippers: Vec<Shipper>,
    /// Accept sending this client's credentials without TLS (the tenant header to an `http://` `loki_url`): the reason (shown in the
    /// catalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback
    /// address.
    #[serde(default)]
    pub plaintext_credentials: Option<crate::spec::access::PlaintextCredentials>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Shipper {
    Promtail,
    Alloy,
}

impl Shipper {
    pub fn as_str(self) -> &'static str {
        match self {
            Shipper::Promtail => "promtail",
            Shipper::Alloy => "alloy",
        }
    }
}

fn default_shippers() -> Vec<Shipper> {
    vec![Shipper::Promtail, Shipper::Alloy]
}

fn default_port() -> u16 {
    9080
}
fn default_positions() -> String {
    "/var/lib/promtail/positions.yaml".into()
}

/// The label a source's `log_class` is written to, which per-class retention selects on.
pub const LOG_CLASS_LABEL: &str = "log_class";

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogSource {
    /// Job name (a slug), e.g. `system`, `kubernetes-pods`.
    pub name: String,
    /// What is read: exactly one of `files`, `kubernetes_pods`, `ai_models`.
    pub kind: LogSourceKind,
    /// The log class of every stream it ships (a `log_class` label), which
    /// `loki.retention.classes` keeps for the class's period, e.g. `security_audit`. Default:
    /// none (the default retention).
    #[serde(default)]
    pub log_class: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LogSourceKind {
    /// Files on the host, e.g. system logs.
    Files(FileLogs),
    /// Every pod's container logs (CRI format) on the node, JSON lines parsed.
    KubernetesPods(PodLogs),
    /// Logs of AI model pods, selected by a pod label, with `model_name` and `model_version`.
    AiModels(AiModelLogs),
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileLogs {
    /// Glob of the files, e.g. `/var/log/*log`.
    pub path: String,
    /// Labels of the streams; values must be bounded. Default: `job` = the source name.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PodLogs {
    /// Namespaces to read. Default: all.
    #[serde(default)]
    pub namespaces: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AiModelLogs {
    /// Kubernetes label selector of the model pods, e.g. `app.kubernetes.io/component=ai-model`.
    pub pod_selector: String,
    /// Pod label holding the model name. Default `ai_model_name`.
    #[serde(default = "default_model_name_label")]
    pub model_name_label: String,
    /// Pod label holding the model version. Default `ai_model_version`.
    #[serde(default = "default_model_version_label")]
    pub model_version_label: String,
    /// Namespaces to read. Default: all.
    #[serde(default)]
    pub namespaces: Vec<String>,
}

fn default_model_name_label() -> String {
    "ai_model_name".into()
}
fn default_model_version_label() -> String {
    "ai_model_version".into()
}
