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
        }
    }
}
