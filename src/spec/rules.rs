//! Alerting and recording rules, grouped by rule file (`prometheus/rules/<file>.yml`).

use crate::syntax::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Base URL of the runbooks; an alert's `runbook_url` annotation, when it has none, becomes
    /// `<base>/<AlertName>`. Default: none (alerts keep what they declare).
    #[serde(default)]
    pub runbook_base_url: Option<String>,
    /// Rule files, each written to `prometheus/rules/<name>.yml`.
    #[serde(default)]
    pub files: Vec<RuleFile>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// File name without extension (a slug), e.g. `application_alerts`.
    pub name: String,
    /// Rule groups, evaluated in order within each group.
    pub groups: Vec<RuleGroup>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleGroup {
    /// Group name, unique in the environment.
    pub name: String,
    /// Evaluation interval for this group. Default: `prometheus.evaluation_interval`.
    #[serde(default)]
    pub interval: Option<Duration>,
    /// The rules: each has exactly one of `alert` or `record`.
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Alert name (for an alerting rule).
    #[serde(default)]
    pub alert: Option<String>,
    /// Series name (for a recording rule), `level:metric:operations`.
    #[serde(default)]
    pub record: Option<String>,
    /// PromQL expression.
    pub expr: String,
    /// How long the condition must hold before the alert fires. Alerts only.
    #[serde(default, rename = "for")]
    pub for_: Option<Duration>,
    /// How long the alert keeps firing after the condition clears. Alerts only.
    #[serde(default)]
    pub keep_firing_for: Option<Duration>,
    /// Labels attached to the alert or recorded series.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations (`summary`, `description`, `runbook_url`). Alerts only.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}
