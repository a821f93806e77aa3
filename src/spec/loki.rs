//! Loki: storage on an S3-compatible object store (MinIO) or the local filesystem, the index
//! schema, retention and limits.

use crate::syntax::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Loki {
    /// HTTP port. Default 3100.
    #[serde(default = "default_http_port")]
    pub http_listen_port: u16,
    /// gRPC port. Default 9096.
    #[serde(default = "default_grpc_port")]
    pub grpc_listen_port: u16,
    /// Directory for Loki's local state (index cache, compactor work). Default `/var/lib/loki`.
    #[serde(default = "default_data_dir")]
    pub data_dir: String,
    /// Require a tenant id (`X-Scope-OrgID`) on every request. Default false.
    #[serde(default)]
    pub auth_enabled: bool,
    /// Where chunks and index live.
    pub storage: LokiStorage,
    /// First day (`YYYY-MM-DD`) of the index schema period. Default `2024-01-01`.
    #[serde(default = "default_schema_from")]
    pub schema_from: String,
    /// Retention, enforced by the compactor.
    #[serde(default)]
    pub retention: Retention,
    /// Run as the simple scalable deployment: read, write and backend targets sharing the object
    /// store and one ring over memberlist; each process picks its part with
    /// `-target=read|write|backend`. Default: none, a single binary running every component.
    #[serde(default)]
    pub simple_scalable: Option<SimpleScalable>,
    /// Expected load: `small`, `medium` or `large`, which sets the default limits. Default
    /// small.
    #[serde(default)]
    pub size: LokiSize,
    /// Ingestion and query limits (each defaults from `size`).
    #[serde(default)]
    pub limits: Limits,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SimpleScalable {
    /// `host:port` of memberlist peers to join (every target gossips the ring), e.g.
    /// `loki-read:7946`, `loki-write:7946`, `loki-backend:7946`.
    pub join_members: Vec<String>,
    /// Memberlist port. Default 7946.
    #[serde(default = "default_memberlist_port")]
    pub memberlist_port: u16,
    /// URL of the backend target, which runs the compactor (deletes and retention), e.g.
    /// `http://loki-backend:3100`.
    pub compactor_address: String,
    /// Copies of each stream the write targets keep. Default 3.
    #[serde(default = "default_replication")]
    pub replication_factor: u32,
}

fn default_memberlist_port() -> u16 {
    7946
}
fn default_replication() -> u32 {
    3
}

fn default_http_port() -> u16 {
    3100
}
fn default_grpc_port() -> u16 {
    9096
}
fn default_data_dir() -> String {
    "/var/lib/loki".into()
}
fn default_schema_from() -> String {
    "2024-01-01".into()
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LokiStorage {
    /// S3-compatible object store such as MinIO. Credentials come from environment variables
    /// expanded by `-config.expand-env=true`, never from the file.
    S3(S3Storage),
    /// Local filesystem (single node, development).
    Filesystem(FilesystemStorage),
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Storage {
    /// `host:port` of the S3 endpoint, e.g. `minio:9000`.
    pub endpoint: String,
    /// Bucket name.
    pub bucket: String,
    /// Region. Default `us-east-1` (MinIO ignores it).
    #[serde(default = "default_region")]
    pub region: String,
    /// Use plain HTTP to the endpoint. Default false.
    #[serde(default)]
    pub insecure: bool,
    /// Environment variable holding the access key id. Default `LOKI_S3_ACCESS_KEY_ID`.
    #[serde(default = "default_access_key_env")]
    pub access_key_id_env: String,
    /// Environment variable holding the secret access key. Default `LOKI_S3_SECRET_ACCESS_KEY`.
    #[serde(default = "default_secret_key_env")]
    pub secret_access_key_env: String,
}

fn default_region() -> String {
    "us-east-1".into()
}
fn default_access_key_env() -> String {
    "LOKI_S3_ACCESS_KEY_ID".into()
}
fn default_secret_key_env() -> String {
    "LOKI_S3_SECRET_ACCESS_KEY".into()
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilesystemStorage {
    /// Directory for chunks. Default `<data_dir>/chunks`.
    #[serde(default)]
    pub directory: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Retention of streams no rule below selects. Default `30d`.
    #[serde(default = "d30d")]
    pub period: Duration,
    /// Retention per log class (the `log_class` a log source gives its streams), e.g.
    /// `security_audit` 365d: a `retention_stream` on `{log_class="..."}`.
    #[serde(default)]
    pub classes: Vec<ClassRetention>,
    /// Per-stream retention by any selector (`limits_config.retention_stream`), e.g. debug
    /// logs 14d on `{level="debug"}`.
    #[serde(default)]
    pub streams: Vec<StreamRetention>,
    /// Delay between marking chunks for deletion and deleting them. Default `2h`.
    #[serde(default = "d2h")]
    pub delete_delay: Duration,
}

fn d30d() -> Duration {
    Duration::new("30d")
}
fn d2h() -> Duration {
    Duration::new("2h")
}

impl Default for Retention {
    fn default() -> Self {
        Retention { period: d30d(), classes: Vec::new(), streams: Vec::new(), delete_delay: d2h() }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamRetention {
    /// LogQL stream selector, e.g. `{log_class="security_audit"}`.
    pub selector: String,
    /// How long matching streams are kept.
    pub period: Duration,
    /// When several selectors match, the highest priority wins. Default 1.
    #[serde(default = "one")]
    pub priority: u32,
}

fn one() -> u32 {
    1
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassRetention {
    /// A log class some `promtail.sources[].log_class` gives, e.g. `security_audit`.
    pub class: String,
    /// How long its streams are kept.
    pub period: Duration,
    /// When several rules match a stream, the highest priority wins. Default 10, above the
    /// selector rules' default, so a class keeps its period whatever the level.
    #[serde(default = "ten")]
    pub priority: u32,
}

fn ten() -> u32 {
    10
}

/// Expected load, which sets the default limits. Values given in `limits` win.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LokiSize {
    /// A development environment: Loki's own defaults, fewer query shards.
    #[default]
    Small,
    /// A staging environment or a small production one.
    Medium,
    /// A production environment with many services.
    Large,
}

/// The limits in effect: `limits` over the defaults of `size`.
#[derive(Clone, Debug, PartialEq)]
pub struct EffectiveLimits {
    pub ingestion_rate_mb: f64,
    pub ingestion_burst_size_mb: f64,
    pub max_query_length: Duration,
    pub max_query_parallelism: u32,
    pub tsdb_max_query_parallelism: u32,
    pub max_label_names_per_series: u32,
}

impl EffectiveLimits {
    /// (name in `limits_config`, value) of each limit; the TSDB one only where it applies.
    pub fn entries(&self, tsdb: bool) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("ingestion_rate_mb", self.ingestion_rate_mb.to_string()),
            ("ingestion_burst_size_mb", self.ingestion_burst_size_mb.to_string()),
            ("max_query_length", self.max_query_length.to_string()),
            ("max_query_parallelism", self.max_query_parallelism.to_string()),
        ];
        if tsdb {
            out.push(("tsdb_max_query_parallelism", self.tsdb_max_query_parallelism.to_string()));
        }
        out.push(("max_label_names_per_series", self.max_label_names_per_series.to_string()));
        out
    }
}

impl LokiSize {
    /// Defaults per size. Loki's own are 4 MB/s, 6 MB burst, 721h, 32 and (TSDB) 128.
    pub fn defaults(self) -> EffectiveLimits {
        let (rate, burst, parallelism, tsdb) = match self {
            LokiSize::Small => (4.0, 6.0, 16, 64),
            LokiSize::Medium => (8.0, 16.0, 32, 128),
            LokiSize::Large => (16.0, 32.0, 64, 256),
        };
        EffectiveLimits {
            ingestion_rate_mb: rate,
            ingestion_burst_size_mb: burst,
            max_query_length: Duration::new("721h"),
            max_query_parallelism: parallelism,
            tsdb_max_query_parallelism: tsdb,
            max_label_names_per_series: 15,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Per-tenant ingestion rate in MB/s. Default: from `size` (4, 8, 16).
    #[serde(default)]
    pub ingestion_rate_mb: Option<f64>,
    /// Per-tenant burst in MB. Default: from `size` (6, 16, 32).
    #[serde(default)]
    pub ingestion_burst_size_mb: Option<f64>,
    /// Longest time range a query may span. Default `721h` (30 days and one hour).
    #[serde(default)]
    pub max_query_length: Option<Duration>,
    /// Most sub-queries of one query run in parallel (non-TSDB index). Default: from `size`
    /// (16, 32, 64).
    #[serde(default)]
    pub max_query_parallelism: Option<u32>,
    /// Loki 3.x, whose TSDB index splits queries by shard: most of them in parallel. Default:
    /// from `size` (64, 128, 256).
    #[serde(default)]
    pub tsdb_max_query_parallelism: Option<u32>,
    /// Most label names per stream. Default 15.
    #[serde(default)]
    pub max_label_names_per_series: Option<u32>,
}

impl Loki {
    /// Every per-stream retention rule: the classes' (on `{log_class="..."}`) and then the
    /// selectors'.
    pub fn retention_tiers(&self) -> Vec<StreamRetention> {
        let r = &self.retention;
        r.classes
            .iter()
            .map(|c| StreamRetention {
                selector: format!("{{{}={}}}", super::promtail::LOG_CLASS_LABEL, crate::syntax::quote(&c.class)),
                period: c.period.clone(),
                priority: c.priority,
            })
            .chain(r.streams.iter().cloned())
            .collect()
    }

    /// The limits in effect.
    pub fn effective_limits(&self) -> EffectiveLimits {
        let d = self.size.defaults();
        let l = &self.limits;
        EffectiveLimits {
            ingestion_rate_mb: l.ingestion_rate_mb.unwrap_or(d.ingestion_rate_mb),
            ingestion_burst_size_mb: l.ingestion_burst_size_mb.unwrap_or(d.ingestion_burst_size_mb),
            max_query_length: l.max_query_length.clone().unwrap_or(d.max_query_length),
            max_query_parallelism: l.max_query_parallelism.unwrap_or(d.max_query_parallelism),
            tsdb_max_query_parallelism: l.tsdb_max_query_parallelism.unwrap_or(d.tsdb_max_query_parallelism),
            max_label_names_per_series: l.max_label_names_per_series.unwrap_or(d.max_label_names_per_series),
        }
    }
}
