//! Alertmanager: receivers, the route tree and inhibitions. Secrets are always file
//! references (`*_file`), which Alertmanager reads when it sends a notification.

use crate::syntax::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alertmanager {
    /// Time after which an alert that is no longer updated is declared resolved. Default `5m`.
    #[serde(default = "d5m")]
    pub resolve_timeout: Duration,
    /// SMTP settings for email receivers.
    #[serde(default)]
    pub smtp: Option<Smtp>,
    /// File holding the Slack webhook URL used by Slack receivers without their own.
    #[serde(default)]
    pub slack_api_url_file: Option<String>,
    /// Receivers, referenced by name from the route tree and from teams.
    pub receivers: Vec<Receiver>,
    /// The root of the route tree.
    pub route: Route,
    /// Inhibitions: a firing source alert mutes matching target alerts.
    #[serde(default)]
    pub inhibit_rules: Vec<InhibitRule>,
    /// Grouping and timing of the team routes by severity, e.g. critical: repeat every 1h.
    #[serde(default)]
    pub severity_timing: BTreeMap<String, Timing>,
    /// Named time intervals routes can mute or activate notifications in.
    #[serde(default)]
    pub time_intervals: Vec<TimeInterval>,
    /// Routing expectations: a label set and the receivers it must reach, in route order.
    /// Checked in-process before rendering and by `amtool config routes test` in `monstack
    /// check`.
    #[serde(default)]
    pub expectations: Vec<RouteExpectation>,
    /// Alerts (by name; `*` for every alert) that may reach only the root route's receiver.
    /// Any other generated or declared alert that matches no child route fails validation.
    /// Default: none.
    #[serde(default)]
    pub unrouted: Vec<String>,
    /// Folder of the notification log and silences (`--storage.path`). Default
    /// `/var/lib/alertmanager` (NixOS' path).
    #[serde(default = "default_storage_path")]
    pub storage_path: String,
    /// The URL users reach Alertmanager at (`--web.external-url`); notifications link there.
    /// Default: none.
    #[serde(default)]
    pub external_url: Option<String>,
    /// An Alertmanager cluster: every member runs this same configuration and gossips
    /// notification state with the others, so an alert sent to all of them (as every Prometheus
    /// does) is delivered once. Default: none (a single Alertmanager, gossip off).
    #[serde(default)]
    pub cluster: Option<Cluster>,
}

fn default_storage_path() -> String {
    "/var/lib/alertmanager".into()
}

/// Alertmanager's gossip cluster (command-line flags; see `render::alertmanager::cluster_args`).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// Every member's gossip address (`host:port`, usually port 9094), in a fixed order; a
    /// member is started with the others as `--cluster.peer`. At least two. Each member's host
    /// must also be one of `prometheus.alertmanagers`.
    pub peers: Vec<String>,
    /// The address each member listens for gossip on; the port is the member's own from
    /// `peers` (`--cluster.listen-address=<listen_host>:<port>`). Default `0.0.0.0`.
    #[serde(default = "default_listen")]
    pub listen_host: String,
    /// Interval between gossip messages (`--cluster.gossip-interval`). Default: Alertmanager's
    /// (200ms).
    #[serde(default)]
    pub gossip_interval: Option<Duration>,
    /// Interval between full state syncs (`--cluster.pushpull-interval`). Default:
    /// Alertmanager's (1m).
    #[serde(default)]
    pub pushpull_interval: Option<Duration>,
    /// How long a member waits for a peer before notifying in its place, scaled by its position
    /// (`--cluster.peer-timeout`). Default: Alertmanager's (15s).
    #[serde(default)]
    pub peer_timeout: Option<Duration>,
}

fn default_listen() -> String {
    "0.0.0.0".into()
}

/// A label set and where it must go.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteExpectation {
    /// The alert's labels, e.g. `{ service = "postgresql"; severity = "critical"; }`.
    pub labels: BTreeMap<String, String>,
    /// The receivers it reaches, in route order.
    pub receivers: Vec<String>,
    /// Labels of a firing alert that must inhibit this one. Default: none.
    #[serde(default)]
    pub inhibited_by: Option<BTreeMap<String, String>>,
}

fn d5m() -> Duration {
    Duration::new("5m")
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    /// `host:port` of the SMTP server.
    pub smarthost: String,
    /// Sender address.
    pub from: String,
    /// SMTP user name.
    #[serde(default)]
    pub auth_username: Option<String>,
    /// File holding the SMTP password.
    #[serde(default)]
    pub auth_password_file: Option<String>,
    /// Require STARTTLS. Default true.
    #[serde(default = "yes")]
    pub require_tls: bool,
    /// Accept sending this server's credentials without TLS (the password, with `require_tls = false` on a port other than 465): the reason (shown in the
    /// catalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback
    /// address.
    #[serde(default)]
    pub plaintext_credentials: Option<crate::spec::access::PlaintextCredentials>,
}

fn yes() -> bool {
    true
}

/// A named notification target with one or more integrations.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Receiver {
    /// Receiver name, e.g. `critical-pagerduty`.
    pub name: String,
    #[serde(default)]
    pub email: Vec<Email>,
    #[serde(default)]
    pub slack: Vec<Slack>,
    #[serde(default)]
    pub pagerduty: Vec<PagerDuty>,
    #[serde(default)]
    pub webhook: Vec<Webhook>,
    /// Declare that this receiver intentionally has no integration (alerts routed to it are
    /// dropped). Default false: an empty receiver is an error.
    #[serde(default)]
    pub blackhole: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Email {
    /// Recipient address(es), comma separated.
    pub to: String,
    /// Notify when alerts resolve. Default true.
    #[serde(default = "yes")]
    pub send_resolved: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slack {
    /// Channel, e.g. `#alerts-warning`.
    pub channel: String,
    /// File holding this receiver's webhook URL. Default: `alertmanager.slack_api_url_file`.
    #[serde(default)]
    pub api_url_file: Option<String>,
    /// Notify when alerts resolve. Default true.
    #[serde(default = "yes")]
    pub send_resolved: bool,
    /// Prefix each message with `<!channel>` to alert everyone in the channel. Default false.
    #[serde(default)]
    pub mention_channel: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PagerDuty {
    /// File holding the Events API v2 integration (routing) key.
    pub routing_key_file: String,
    /// Notify when alerts resolve. Default true.
    #[serde(default = "yes")]
    pub send_resolved: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Endpoint URL, when it is not a secret (no credentials or tokens in it).
    #[serde(default)]
    pub url: Option<String>,
    /// File holding the endpoint URL, when the URL is a secret.
    #[serde(default)]
    pub url_file: Option<String>,
    /// Notify when alerts resolve. Default true.
    #[serde(default = "yes")]
    pub send_resolved: bool,
    /// Most alerts in one message; 0 means all. Default 0.
    #[serde(default)]
    pub max_alerts: u32,
}

/// A node of the route tree.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Receiver for alerts this node catches. Required at the root; children inherit it.
    #[serde(default)]
    pub receiver: Option<String>,
    /// Matchers, e.g. `severity=~"critical|P1"`. The root takes none.
    #[serde(default)]
    pub matchers: Vec<String>,
    /// Labels alerts are grouped by; inherited when unset.
    #[serde(default)]
    pub group_by: Option<Vec<String>>,
    /// Wait before the first notification of a group; inherited when unset (root default 30s).
    #[serde(default)]
    pub group_wait: Option<Duration>,
    /// Wait before notifying about new alerts in a group; inherited (root default 5m).
    #[serde(default)]
    pub group_interval: Option<Duration>,
    /// Wait before re-sending a still-firing notification; inherited (root default 4h).
    #[serde(default)]
    pub repeat_interval: Option<Duration>,
    /// Time intervals (names from `time_intervals`) in which this route sends nothing.
    #[serde(default)]
    pub mute_time_intervals: Vec<String>,
    /// Time intervals outside which this route sends nothing. Default: always active.
    #[serde(default)]
    pub active_time_intervals: Vec<String>,
    /// Continue matching siblings after this node matched. Default false.
    #[serde(default, rename = "continue")]
    pub continue_: bool,
    /// Child routes, tried in order.
    #[serde(default)]
    pub routes: Vec<Route>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InhibitRule {
    /// Matchers the muting (source) alert must satisfy.
    pub source_matchers: Vec<String>,
    /// Matchers the muted (target) alert must satisfy.
    pub target_matchers: Vec<String>,
    /// Labels that must be equal in source and target.
    #[serde(default)]
    pub equal: Vec<String>,
}

/// A named set of time ranges (Alertmanager `time_intervals`).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeInterval {
    /// Name routes refer to, e.g. `outside-business-hours`.
    pub name: String,
    /// The interval is the union of these ranges.
    pub intervals: Vec<TimeRange>,
}

/// One range; every field given must match (an absent field matches always).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    /// Times of day, `HH:MM` to `HH:MM` (end exclusive, `24:00` allowed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub times: Vec<TimeOfDay>,
    /// Days of the week or ranges of them, e.g. `monday:friday`, `saturday`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weekdays: Vec<String>,
    /// Days of the month or ranges, e.g. `1:5`, `-1` (the last day).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days_of_month: Vec<String>,
    /// Months or ranges, e.g. `december`, `1:3`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub months: Vec<String>,
    /// Time zone of the times, e.g. `Europe/Berlin`. Default: UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOfDay {
    pub start_time: String,
    pub end_time: String,
}

/// Notification timing of a route.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    #[serde(default)]
    pub group_wait: Option<Duration>,
    #[serde(default)]
    pub group_interval: Option<Duration>,
    #[serde(default)]
    pub repeat_interval: Option<Duration>,
}
