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
    /// High availability: run the same configuration on several replicas that differ only in
    /// their replica external label. Default: none (one Prometheus, `prometheus.yml`).
    #[serde(default)]
    pub ha: Option<Ha>,
    /// Remote write destinations: a long-term, horizontally scalable store (Grafana Mimir,
    /// Thanos Receive, or a Prometheus with `--web.enable-remote-write-receiver`). Default: none.
    #[serde(default)]
    pub remote_write: Vec<RemoteWrite>,
    /// The capacity limit of one Prometheus replica. With it, every scrape job's target count
    /// must be known (static targets, or `expected_targets`), and when the estimated series
    /// exceed the limit the scrape jobs are sharded by `hashmod` across replica groups.
    /// Default: none (estimate only, no sharding).
    #[serde(default)]
    pub capacity: Option<Capacity>,
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

/// Prometheus HA pairs (or more replicas): identical scrape and rule configuration, one
/// `prometheus/prometheus.<replica>.yml` per replica, every replica sending its alerts to every
/// Alertmanager (which deduplicates them: the replica label is dropped from alerts).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ha {
    /// Replica names (slugs), e.g. `["a", "b"]`; at least two.
    pub replicas: Vec<String>,
    /// The external label that tells replicas apart. Default `__replica__` (what Mimir's HA
    /// tracker reads and drops after deduplication; Thanos uses `replica`).
    #[serde(default = "default_replica_label")]
    pub replica_label: String,
    /// The external label naming the HA cluster (Mimir's HA tracker deduplicates per value of
    /// it). Default `cluster`.
    #[serde(default = "default_cluster_label")]
    pub cluster_label: String,
    /// The value of `cluster_label`. Default: the environment name (with the shard appended
    /// when the replicas are sharded, as each shard is its own HA cluster).
    #[serde(default)]
    pub cluster: Option<String>,
}

fn default_replica_label() -> String {
    "__replica__".into()
}
fn default_cluster_label() -> String {
    "cluster".into()
}

/// The kind of store a remote write destination is: it decides the tenant header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Store {
    /// Grafana Mimir (`/api/v1/push`; tenant in `X-Scope-OrgID`).
    Mimir,
    /// Thanos Receive (`/api/v1/receive`; tenant in `THANOS-TENANT`).
    Thanos,
    /// A Prometheus with `--web.enable-remote-write-receiver` (`/api/v1/write`).
    Prometheus,
}

impl Store {
    /// The HTTP header carrying the tenant, for stores that have one.
    pub fn tenant_header(self) -> Option<&'static str> {
        match self {
            Store::Mimir => Some("X-Scope-OrgID"),
            Store::Thanos => Some("THANOS-TENANT"),
            Store::Prometheus => None,
        }
    }
}

/// One remote write destination.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteWrite {
    /// Name of the queue (a slug), unique in the environment; it names the queue's metrics.
    pub name: String,
    /// The store's write endpoint, e.g. `http://mimir-distributor:8080/api/v1/push`.
    pub url: String,
    /// What the store is: `mimir`, `thanos` or `prometheus`.
    pub store: Store,
    /// Tenant (organisation) id sent in the store's tenant header. Default: none.
    #[serde(default)]
    pub tenant: Option<String>,
    /// HTTP basic authentication; the password is read from a file at run time.
    #[serde(default)]
    pub basic_auth: Option<crate::spec::scrape::BasicAuth>,
    /// TLS settings (file references only).
    #[serde(default)]
    pub tls: Option<crate::spec::scrape::Tls>,
    /// Metric names (RE2, anchored) that stay in the local Prometheus only; dropped by
    /// `write_relabel_configs`. Default: none.
    #[serde(default)]
    pub local_only: Vec<String>,
    /// Queue settings; each one set here overrides the value derived from the capacity
    /// estimate. Default: all derived.
    #[serde(default)]
    pub queue: QueueOverrides,
    /// Accept sending this queue's credentials without TLS (basic auth, the tenant header): the reason (shown in the
    /// catalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback
    /// address.
    #[serde(default)]
    pub plaintext_credentials: Option<crate::spec::access::PlaintextCredentials>,
}

/// Overrides of the derived `queue_config` (see the Prometheus remote write tuning guide).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueOverrides {
    /// Samples buffered per shard. Default: 5 × `max_samples_per_send`.
    #[serde(default)]
    pub capacity: Option<u64>,
    /// Shards the queue starts with. Default: what the estimated samples/s need.
    #[serde(default)]
    pub min_shards: Option<u64>,
    /// Most shards Prometheus may scale to. Default: twice what the estimate needs, at least 10.
    #[serde(default)]
    pub max_shards: Option<u64>,
    /// Samples per request. Default 2000 (Prometheus' default).
    #[serde(default)]
    pub max_samples_per_send: Option<u64>,
    /// Longest a sample waits for a full batch. Default `5s`.
    #[serde(default)]
    pub batch_send_deadline: Option<Duration>,
}

/// The capacity one Prometheus replica is sized for.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Most active series one replica should hold. Above it the scrape jobs are sharded into
    /// `ceil(series / limit)` replica groups by `hashmod` of the target address.
    pub max_series_per_replica: u64,
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
            ha: None,
            remote_write: Vec::new(),
            capacity: None,
        }
    }
}
