//! Loki's configuration file, as far as monstack renders it, for Loki 2.9 and 3.x: every block
//! rejects keys it does not know, and the version rules Loki itself applies at start-up are
//! checked after parsing (keys 3.0 removed, the store structured metadata needs, the delete
//! store retention needs). Key names from the Loki configuration reference
//! (grafana.com/docs/loki/<version>/configure/) and its 3.0 upgrade notes.

// Most fields are only parsed: the structs exist to reject keys Loki would not know.
#![allow(dead_code)]

use crate::syntax::Version;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    auth_enabled: Option<bool>,
    #[serde(default)]
    target: Option<String>,
    server: super::Server,
    common: Common,
    #[serde(default)]
    memberlist: Option<Memberlist>,
    schema_config: SchemaConfig,
    storage_config: StorageConfig,
    #[serde(default)]
    compactor: Option<Compactor>,
    #[serde(default)]
    compactor_client: Option<CompactorClient>,
    #[serde(default)]
    limits_config: Option<Limits>,
}

/// Loki's compactor HTTP client (`compactorclient.HTTPConfig`: `tls_enabled` and dskit's inline
/// TLS client settings).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct CompactorClient {
    #[serde(default)]
    tls_enabled: bool,
    #[serde(default)]
    tls_ca_path: Option<String>,
    #[serde(default)]
    tls_cert_path: Option<String>,
    #[serde(default)]
    tls_key_path: Option<String>,
    #[serde(default)]
    tls_server_name: Option<String>,
    #[serde(default)]
    tls_insecure_skip_verify: Option<bool>,
    #[serde(default)]
    tls_min_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    #[serde(default)]
    instance_addr: Option<String>,
    #[serde(default)]
    path_prefix: Option<String>,
    #[serde(default)]
    replication_factor: Option<u32>,
    #[serde(default)]
    ring: Option<Ring>,
    #[serde(default)]
    compactor_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ring {
    kvstore: KvStore,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KvStore {
    store: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Memberlist {
    join_members: Vec<String>,
    #[serde(default)]
    bind_port: Option<u16>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaConfig {
    configs: Vec<PeriodConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodConfig {
    from: String,
    store: String,
    object_store: String,
    schema: String,
    index: Index,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    prefix: String,
    period: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StorageConfig {
    #[serde(default)]
    tsdb_shipper: Option<Shipper>,
    #[serde(default)]
    boltdb_shipper: Option<Shipper>,
    #[serde(default)]
    aws: Option<Aws>,
    #[serde(default)]
    filesystem: Option<Filesystem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipper {
    active_index_directory: String,
    cache_location: String,
    #[serde(default)]
    cache_ttl: Option<String>,
    /// Removed in Loki 3.0.
    #[serde(default)]
    shared_store: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Aws {
    endpoint: String,
    bucketnames: String,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    access_key_id: Option<String>,
    #[serde(default)]
    secret_access_key: Option<String>,
    #[serde(default)]
    s3forcepathstyle: Option<bool>,
    #[serde(default)]
    insecure: Option<bool>,
    #[serde(default)]
    http_config: Option<S3Http>,
}

/// `storage_config.aws.http_config` (Loki 2.9 and 3.x).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct S3Http {
    #[serde(default)]
    idle_conn_timeout: Option<String>,
    #[serde(default)]
    response_header_timeout: Option<String>,
    #[serde(default)]
    insecure_skip_verify: Option<bool>,
    #[serde(default)]
    ca_file: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Filesystem {
    directory: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Compactor {
    working_directory: String,
    #[serde(default)]
    compaction_interval: Option<String>,
    #[serde(default)]
    retention_enabled: Option<bool>,
    #[serde(default)]
    retention_delete_delay: Option<String>,
    #[serde(default)]
    delete_request_store: Option<String>,
    /// Removed in Loki 3.0.
    #[serde(default)]
    shared_store: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Limits {
    #[serde(default)]
    retention_period: Option<String>,
    #[serde(default)]
    retention_stream: Vec<RetentionStream>,
    #[serde(default)]
    ingestion_rate_mb: Option<f64>,
    #[serde(default)]
    ingestion_burst_size_mb: Option<f64>,
    #[serde(default)]
    max_query_length: Option<String>,
    #[serde(default)]
    max_query_parallelism: Option<u32>,
    #[serde(default)]
    tsdb_max_query_parallelism: Option<u32>,
    #[serde(default)]
    max_label_names_per_series: Option<u32>,
    #[serde(default)]
    allow_structured_metadata: Option<bool>,
    /// Removed in Loki 3.0.
    #[serde(default)]
    enforce_metric_name: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionStream {
    selector: String,
    priority: u32,
    period: String,
}

/// Problems Loki `version` would have with this configuration file.
pub fn check(text: &str, version: Version) -> Vec<String> {
    let config: Config = match serde_yaml::from_str(text) {
        Ok(c) => c,
        Err(e) => return vec![format!("not a Loki {version} configuration monstack knows: {e}")],
    };
    let mut problems = Vec::new();
    let v3 = version.major >= 3;
    let compactor = config.compactor.as_ref();
    let limits = config.limits_config.as_ref();
    if v3 {
        let removed: BTreeMap<&str, bool> = BTreeMap::from([
            ("compactor.shared_store", compactor.is_some_and(|c| c.shared_store.is_some())),
            (
                "storage_config.*_shipper.shared_store",
                [&config.storage_config.tsdb_shipper, &config.storage_config.boltdb_shipper]
                    .iter()
                    .any(|s| s.as_ref().is_some_and(|s| s.shared_store.is_some())),
            ),
            ("limits_config.enforce_metric_name", limits.is_some_and(|l| l.enforce_metric_name.is_some())),
        ]);
        problems
            .extend(removed.into_iter().filter(|(_, set)| *set).map(|(k, _)| format!("{k} was removed in Loki 3.0")));
        if compactor.is_some_and(|c| c.retention_enabled == Some(true) && c.delete_request_store.is_none()) {
            problems.push("Loki 3 requires compactor.delete_request_store when retention is enabled".into());
        }
        // Loki 3 stores structured metadata by default, which needs TSDB with schema v13 in the
        // newest period (it refuses to start otherwise).
        let newest = config.schema_config.configs.iter().max_by(|a, b| a.from.cmp(&b.from));
        let metadata = limits.and_then(|l| l.allow_structured_metadata).unwrap_or(true);
        if metadata && newest.is_some_and(|p| p.store != "tsdb" || p.schema != "v13") {
            problems.push(
                "Loki 3 needs store tsdb with schema v13 in the newest period while structured metadata is allowed"
                    .into(),
            );
        }
    } else if limits.is_some_and(|l| l.allow_structured_metadata == Some(true)) {
        problems.push("Loki 2.9 as monstack renders it (boltdb-shipper, v12) cannot store structured metadata".into());
    }
    let ring = config.common.ring.as_ref().map(|r| r.kvstore.store.as_str());
    if ring == Some("memberlist") && config.memberlist.as_ref().is_none_or(|m| m.join_members.is_empty()) {
        problems.push("a memberlist ring without memberlist.join_members has nobody to gossip with".into());
    }
    if let Some(t) = &config.target
        && !["all", "read", "write", "backend"].contains(&t.as_str())
    {
        problems.push(format!("target \"{t}\" is not one monstack renders for"));
    }
    problems
}
