//! Alerting and recording rules, grouped by rule file (`prometheus/rules/<file>.yml`).

use crate::syntax::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Base URL of the runbooks; an alert's `runbook_url` annotation, when it has none, becomes
    /// `<base>/<AlertName>`. Default: none (alerts keep what they declare).
    #[serde(default)]
    pub runbook_base_url: Option<String>,
    /// Your own rule files, each written to `prometheus/rules/<name>.yml`. Every alerting rule in
    /// them needs `tests` in which it fires and in which it stays silent.
    #[serde(default)]
    pub files: Vec<RuleFile>,
    /// Changes to generated (catalogue) alerts, by alert name: disable one, or change its
    /// threshold, `for`, severity or labels. Default: none. Each threshold is in its alert's
    /// unit, and one outside its range is refused.
    #[serde(default)]
    #[schemars(
        schema_with = "crate::catalogue::units::overrides_schema",
        transform = crate::catalogue::units::describe_overrides
    )]
    pub overrides: BTreeMap<String, AlertOverride>,
    /// Generate the always-firing `Watchdog` alert that proves the path to Alertmanager is alive.
    /// Default true.
    #[serde(default = "yes")]
    pub watchdog: bool,
    /// The least traffic, in events per second, at which a generated ratio alert (failed
    /// requests, logins, payments, inferences … over all of them) may fire: each is
    /// `<ratio> > <threshold> and <all events per second> > <this>`, so one failed request in a
    /// quiet five minutes does not page, and no traffic at all is silent by design rather than
    /// by a 0/0 that never compares true. Default 0.1 (30 events in 5 minutes).
    #[serde(default = "min_rate")]
    pub ratio_min_rate: f64,
}

fn min_rate() -> f64 {
    0.1
}

fn yes() -> bool {
    true
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            runbook_base_url: None,
            files: Vec::new(),
            overrides: BTreeMap::new(),
            watchdog: true,
            ratio_min_rate: min_rate(),
        }
    }
}

/// A change to one generated alert.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertOverride {
    /// Leave the alert out. Default false.
    #[serde(default)]
    pub disabled: bool,
    /// The alert's threshold, in its unit (`rules.overrides` lists each alert's: a ratio from 0
    /// to 1, a percentage, seconds, …); out of its range is refused. Default: the catalogue's.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// How long the condition must hold. Default: the catalogue's.
    #[serde(default, rename = "for")]
    pub for_: Option<Duration>,
    /// The `severity` label (`critical`, `warning`, `info`). Default: the catalogue's.
    #[serde(default)]
    pub severity: Option<String>,
    /// Extra labels (e.g. `team: db`). Default: none.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// File name without extension (a slug), e.g. `application_alerts`.
    pub name: String,
    /// Evaluate this file on the remote write store's ruler (Mimir ruler, Thanos Ruler) instead
    /// of in Prometheus: for rules that need every replica's and shard's data (aggregations
    /// across sharded targets, `absent()` of a job another shard scrapes). Written to
    /// `ruler/<name>.yml` (Prometheus rule format: the file is the ruler namespace; Mimir's
    /// local rule storage reads it from `<directory>/<tenant>/`), not loaded by Prometheus;
    /// still checked by promtool and tested. Needs `prometheus.remote_write`. Default false.
    #[serde(default)]
    pub store_ruler: bool,
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
    /// Unit tests, written to `prometheus/tests/` and run by `promtool test rules`. An alerting
    /// rule needs at least one test in which it fires and one in which it stays silent.
    #[serde(default)]
    pub tests: Vec<RuleTest>,
}

/// One `promtool test rules` case for an alerting rule.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    /// Input series, one sample a minute: `{ series = "up{job=\"x\"}"; values = "1+0x10"; }`.
    pub input_series: Vec<InputSeries>,
    /// When to check, from the start of the series.
    pub eval_time: Duration,
    /// The alerts expected to fire then; empty means the rule must stay silent.
    #[serde(default)]
    pub fires: Vec<ExpectedAlert>,
    /// Later evaluation times checked against the same input series, each with the alerts
    /// expected then. One test so proves both ways — silent while the series are healthy,
    /// firing after they turn — in one promtool test group, and promtool's cost is per group.
    #[serde(default)]
    pub later: Vec<Check>,
}

/// A further evaluation time of a [`RuleTest`].
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// When to check, from the start of the series.
    pub eval_time: Duration,
    /// The alerts expected to fire then; empty means the rule must stay silent.
    #[serde(default)]
    pub fires: Vec<ExpectedAlert>,
}

impl Rule {
    /// Whether the rule's tests have a check in which it fires, and one in which it is silent.
    pub fn proven_ways(&self) -> (bool, bool) {
        let checks = || self.tests.iter().flat_map(|t| t.checks());
        (checks().any(|(_, _, f)| !f.is_empty()), checks().any(|(_, _, f)| f.is_empty()))
    }
}

impl RuleTest {
    /// Every check of the test with where it sits: its own `eval_time` and `fires` first (at the
    /// test, `None`), then each of `later` (at `later[i]`, `Some(i)`).
    pub fn checks(&self) -> impl Iterator<Item = (Option<usize>, &Duration, &[ExpectedAlert])> {
        std::iter::once((None, &self.eval_time, self.fires.as_slice()))
            .chain(self.later.iter().enumerate().map(|(i, c)| (Some(i), &c.eval_time, c.fires.as_slice())))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputSeries {
    /// A series in PromQL notation, e.g. `http_requests_total{job="api", code="500"}`.
    pub series: String,
    /// Values in promtool's expanding notation, e.g. `0+10x30`.
    pub values: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedAlert {
    /// Labels of the alert, including the rule's own labels, without `alertname`.
    pub labels: BTreeMap<String, String>,
    /// Annotations of the alert. Default: the rule's annotations with `{{ $labels.x }}` filled
    /// in from `labels`; give them when the templates use anything else (e.g. `$value`).
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}
