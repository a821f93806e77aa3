//! Prometheus server settings (the `global` and `alerting` sections of `prometheus.yml`).

use crate::syntax::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prometheus {
    /// Default scrape interval. Default `15s`.
    #[serde(default = "d15s")]
    pub scrape_interval: Duration,
    /// Default scrape timeout; must not exceed the interval. Default `10s`.
    #[serde(default = "d10s")]
    pub scrape_timeout: Duration,
    /// How often rules are evaluated. Default `15s`.
    #[serde(default = "d15s")]
    pub evaluation_interval: Duration,
    /// Labels added to every series and alert leaving this Prometheus (federation, remote write,
    /// Alertmanager). `environment` is added with the environment name unless set here.
    #[serde(default)]
    pub external_labels: BTreeMap<String, String>,
    /// Alertmanager instances (`host:port`) every alert is sent to.
    #[serde(default = "default_alertmanagers")]
    pub alertmanagers: Vec<String>,
    /// The TSDB: where and how long. Rendered as flags (`prometheus/flags.json`).
    #[serde(default)]
    pub storage: Storage,
    /// The URL users reach Prometheus at (`--web.external-url`), e.g.
    /// `https://prometheus.creativeflow.ai/`; alert links point there. Default: none.
    #[serde(default)]
    pub external_url: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// Data folder (`--storage.tsdb.path`). Default `/var/lib/prometheus2/data` (NixOS' path).
    #[serde(default = "default_storage_path")]
    pub path: String,
    /// How long samples are kept (`--storage.tsdb.retention.time`). Default `15d`.
    #[serde(default = "d15d")]
    pub retention_time: Duration,
    /// Most disk the blocks may use before the oldest are deleted
    /// (`--storage.tsdb.retention.size`), e.g. `50GB`. Default: no limit.
    #[serde(default)]
    pub retention_size: Option<String>,
}

fn default_storage_path() -> String {
    "/var/lib/prometheus2/data".into()
}
fn d15d() -> Duration {
    Duration::new("15d")
}

impl Default for Storage {
    fn default() -> Self {
        Storage { path: default_storage_path(), retention_time: d15d(), retention_size: None }
    }
}

fn d15s() -> Duration {
    Duration::new("15s")
}
fn d10s() -> Duration {
    Duration::new("10s")
}
fn default_alertmanagers() -> Vec<String> {
    vec!["localhost:9093".into()]
}

impl Default for Prometheus {
    fn default() -> Self {
        Prometheus {
            scrape_interval: d15s(),
            scrape_timeout: d10s(),
            evaluation_interval: d15s(),
            external_labels: BTreeMap::new(),
            alertmanagers: default_alertmanagers(),
            storage: Storage::default(),
            external_url: None,
        }
    }
}
