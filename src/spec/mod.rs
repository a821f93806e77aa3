//! The environment spec: what an SRE declares for one environment. These are the raw input
//! types (stage 1 of parse → validate → render). Every struct rejects unknown fields; defaults
//! are given in each field's doc comment and applied by serde.
//!
//! The same document is produced by the Nix modules under `modules/` and accepted as JSON or
//! YAML by the CLI.

pub mod access;
pub mod alertmanager;
pub mod grafana;
pub mod load;
pub mod locate;
pub mod loki;
pub mod meta;
pub mod models;
pub mod parse;
pub mod path;
pub mod prometheus;
pub mod promtail;
pub mod rules;
pub mod scrape;
pub mod slo;

use crate::syntax::version::Declared;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use load::{load, load_with};

/// One environment's monitoring stack.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Environment name, e.g. `prod`: lowercase letters, digits, `-`, `_`, `.`. It names the
    /// bundle, appears in every diagnostic and becomes the `environment` external label.
    pub environment: String,
    /// Target versions of the tools; the renderers emit configuration those versions accept.
    #[serde(default)]
    pub versions: Versions,
    /// Where the bundle is installed on the hosts; used for paths a tool does not resolve
    /// against its own config file (Grafana's dashboard folders). `monstack render
    /// --install-prefix` overrides it. Default: `/etc/monstack`.
    #[serde(default = "default_install_prefix")]
    pub install_prefix: String,
    /// Teams that own services and alerts.
    #[serde(default)]
    pub teams: Vec<Team>,
    /// Prometheus server settings.
    #[serde(default)]
    pub prometheus: prometheus::Prometheus,
    /// Scrape jobs: what to monitor and how each target set is discovered.
    #[serde(default, serialize_with = "declared_jobs")]
    pub scrape_jobs: Vec<scrape::ScrapeJob>,
    /// Alerting and recording rules, by rule file.
    #[serde(default)]
    pub rules: rules::Rules,
    /// Service level objectives, with burn-rate alerts and error budgets.
    #[serde(default)]
    pub slos: Vec<slo::Slo>,
    /// Custom AI models and their per-model alert thresholds.
    #[serde(default)]
    pub ai_models: models::AiModels,
    /// Alertmanager: receivers, route tree, inhibitions.
    pub alertmanager: alertmanager::Alertmanager,
    /// Grafana: datasources and dashboard folders.
    pub grafana: grafana::Grafana,
    /// Loki: storage, schema, retention and limits.
    pub loki: loki::Loki,
    /// Log shipping (Promtail and Grafana Alloy): where logs come from and where they go.
    pub promtail: promtail::Promtail,
    /// TLS and authentication of every UI and API, and the credentials of the stack's clients.
    #[serde(default)]
    pub access: access::Access,
    /// Meta-monitoring: where the stack's own servers listen, for the scrape jobs and alerts
    /// that watch them (derived from the topology: every Prometheus replica and shard, the
    /// Alertmanagers, Loki's targets, the log shippers, Grafana, and the TLS endpoints'
    /// certificates). Default: none (the stack is not watched).
    #[serde(default)]
    pub meta: Option<meta::Meta>,
}

/// The jobs the spec declares: the ones meta-monitoring derives ([`meta::with_jobs`]) are
/// derived again when the document is loaded, so a spec written out loads back the same.
fn declared_jobs<S: serde::Serializer>(jobs: &[scrape::ScrapeJob], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(jobs.iter().filter(|j| !j.derived))
}

fn default_install_prefix() -> String {
    "/etc/monstack".into()
}

/// Versions of the tools the bundle is rendered for (`MAJOR.MINOR[.PATCH]`).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Versions {
    /// Prometheus version; at least 2.51. Default `2.53.3`.
    #[serde(default = "default_prometheus_version")]
    #[schemars(with = "String")]
    pub prometheus: Declared,
    /// Alertmanager version; at least 0.27. Default `0.28.1`.
    #[serde(default = "default_alertmanager_version")]
    #[schemars(with = "String")]
    pub alertmanager: Declared,
    /// Grafana version; at least 10.4. Default `12.0.0`.
    #[serde(default = "default_grafana_version")]
    #[schemars(with = "String")]
    pub grafana: Declared,
    /// Loki version; 2.9.x or 3.x. Default `3.5.0`.
    #[serde(default = "default_loki_version")]
    #[schemars(with = "String")]
    pub loki: Declared,
    /// Promtail version; at least 2.9 (it is not released after 3.6). Default `3.5.0`.
    #[serde(default = "default_promtail_version")]
    #[schemars(with = "String")]
    pub promtail: Declared,
    /// Grafana Alloy version; at least 1.5. Default `1.11.0`.
    #[serde(default = "default_alloy_version")]
    #[schemars(with = "String")]
    pub alloy: Declared,
}

fn default_prometheus_version() -> Declared {
    Declared::new("2.53.3")
}
fn default_alertmanager_version() -> Declared {
    Declared::new("0.28.1")
}
fn default_grafana_version() -> Declared {
    Declared::new("12.0.0")
}
fn default_loki_version() -> Declared {
    Declared::new("3.5.0")
}
fn default_promtail_version() -> Declared {
    Declared::new("3.5.0")
}
fn default_alloy_version() -> Declared {
    Declared::new("1.11.0")
}

impl Default for Versions {
    fn default() -> Self {
        Versions {
            prometheus: default_prometheus_version(),
            alertmanager: default_alertmanager_version(),
            grafana: default_grafana_version(),
            loki: default_loki_version(),
            promtail: default_promtail_version(),
            alloy: default_alloy_version(),
        }
    }
}

/// A team that owns scrape jobs and AI models.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Team name (a slug), e.g. `platform`, `db`, `ai-infra`.
    pub name: String,
    /// What the team does; shown in generated docs.
    #[serde(default)]
    pub description: String,
    /// The receiver that reaches this team (must be declared under `alertmanager.receivers`).
    #[serde(default)]
    pub receiver: Option<String>,
    /// Values of the `service` label this team owns. With `receivers`, each owned service's
    /// alerts of a severity reach the team's receiver for it, before the explicit routes.
    #[serde(default)]
    pub services: Vec<String>,
    /// The team's receiver per severity, e.g. PagerDuty for critical, Slack for warning.
    #[serde(default)]
    pub receivers: SeverityReceivers,
}

/// A receiver per severity; unset severities get no team route.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeverityReceivers {
    #[serde(default)]
    pub critical: Option<String>,
    #[serde(default)]
    pub warning: Option<String>,
    #[serde(default)]
    pub info: Option<String>,
}

impl SeverityReceivers {
    /// (severity, receiver) for the severities that have one.
    pub fn each(&self) -> Vec<(&'static str, &str)> {
        [("critical", &self.critical), ("warning", &self.warning), ("info", &self.info)]
            .into_iter()
            .filter_map(|(s, r)| r.as_deref().map(|r| (s, r)))
            .collect()
    }
}
