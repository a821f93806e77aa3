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
    /// Ingestion and query limits.
    #[serde(default)]
    pub limits: Limits,
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
    /// Per-stream retention (`limits_config.retention_stream`), e.g. security audit logs 365d.
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
        Retention { period: d30d(), streams: Vec::new(), delete_delay: d2h() }
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
pub struct Limits {
    /// Per-tenant ingestion rate in MB/s. Default 4.
    #[serde(default = "default_rate")]
    pub ingestion_rate_mb: f64,
    /// Per-tenant burst in MB. Default 6.
    #[serde(default = "default_burst")]
    pub ingestion_burst_size_mb: f64,
    /// Longest time range a query may span. Default `721h` (30 days and one hour).
    #[serde(default = "d721h")]
    pub max_query_length: Duration,
    /// Most sub-queries of one query run in parallel. Default 32.
    #[serde(default = "default_parallelism")]
    pub max_query_parallelism: u32,
    /// Most label names per stream. Default 15.
    #[serde(default = "default_label_names")]
    pub max_label_names_per_series: u32,
}

fn default_rate() -> f64 {
    4.0
}
fn default_burst() -> f64 {
    6.0
}
fn d721h() -> Duration {
    Duration::new("721h")
}
fn default_parallelism() -> u32 {
    32
}
fn default_label_names() -> u32 {
    15
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            ingestion_rate_mb: default_rate(),
            ingestion_burst_size_mb: default_burst(),
            max_query_length: d721h(),
            max_query_parallelism: default_parallelism(),
            max_label_names_per_series: default_label_names(),
        }
    }
}
