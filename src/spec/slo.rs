//! Service level objectives. Each SLO gets SLI recording rules over the burn-rate windows,
//! multi-window multi-burn-rate alerts (Google SRE workbook) and an error-budget-remaining
//! series for dashboards.

use crate::syntax::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    /// SLO name (a slug), e.g. `api-gateway-availability`; the `slo` label of its series.
    pub name: String,
    /// The `service` label of its alerts, e.g. `api-gateway`.
    pub service: String,
    /// Target share of good events, e.g. 0.999.
    pub objective: f64,
    /// The period the objective and its error budget cover. Default `30d`.
    #[serde(default = "d30d")]
    pub period: Duration,
    /// How good and bad events are counted: exactly one of `availability`, `latency`.
    pub sli: Sli,
}

fn d30d() -> Duration {
    Duration::new("30d")
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Sli {
    /// Errors and all events as counters, e.g. 5xx and all requests.
    Availability(AvailabilitySli),
    /// Requests slower than a threshold, from a histogram with a bucket at the threshold.
    Latency(LatencySli),
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilitySli {
    /// Counter selector of failed events, e.g. `http_requests_total{job="api-gateway", code=~"5.."}`.
    pub errors: String,
    /// Counter selector of all events, e.g. `http_requests_total{job="api-gateway"}`.
    pub total: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencySli {
    /// Histogram name without suffix, e.g. `http_request_duration_seconds`.
    pub histogram: String,
    /// Label matchers selecting the service's series, e.g. `job="api-gateway"`.
    pub matchers: String,
    /// Requests slower than this many seconds are bad; the histogram needs a bucket `le` at
    /// exactly this value.
    pub threshold_seconds: f64,
}
