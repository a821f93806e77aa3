//! Loki: `loki-config.yaml` for the target version. Loki 3.x gets the TSDB index with schema
//! v13 and compactor retention with `delete_request_store`; Loki 2.9 gets boltdb-shipper with
//! schema v12 and the compactor's `shared_store`. Object-store credentials are `${VAR}`
//! references expanded by `-config.expand-env=true`. A single binary keeps its ring in memory; the
//! simple scalable deployment renders one file for its read, write and backend targets, with the
//! ring on memberlist and the compactor's address.

use super::yaml;
use crate::bundle::Bundle;
use crate::bundle::layout::LOKI_CONFIG;
use crate::spec::access::Component;
use crate::spec::loki::{Loki, LokiStorage};
use crate::validate::Model;
use serde::Serialize;

#[derive(Serialize)]
struct Config {
    auth_enabled: bool,
    server: Server,
    common: Common,
    #[serde(skip_serializing_if = "Option::is_none")]
    memberlist: Option<Memberlist>,
    schema_config: SchemaConfig,
    storage_config: StorageConfig,
    compactor: Compactor,
    /// How the read and write targets reach the backend's compactor (`compactor_address`)
    /// when Loki serves TLS: with the CA and, when Loki requires one, the client certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    compactor_client: Option<CompactorClient>,
    limits_config: LimitsConfig,
}

/// dskit's TLS client settings, as Loki's compactor HTTP client takes them.
#[derive(Serialize)]
struct CompactorClient {
    tls_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_ca_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_cert_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_key_path: Option<String>,
    tls_min_version: String,
}

#[derive(Serialize)]
struct Server {
    http_listen_port: u16,
    grpc_listen_port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_min_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_tls_config: Option<ServerTls>,
}

/// TLS of Loki's HTTP API (push and query); components talk gRPC among themselves.
#[derive(Serialize)]
struct ServerTls {
    cert_file: String,
    key_file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_auth_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_ca_file: Option<String>,
}

#[derive(Serialize)]
struct Common {
    /// Single binary: the ring address is loopback instead of the first private interface.
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_addr: Option<&'static str>,
    path_prefix: String,
    replication_factor: u32,
    ring: Ring,
    /// Simple scalable: where the read and write targets send delete requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    compactor_address: Option<String>,
}

#[derive(Serialize)]
struct Memberlist {
    join_members: Vec<String>,
    bind_port: u16,
}

#[derive(Serialize)]
struct Ring {
    kvstore: KvStore,
}

#[derive(Serialize)]
struct KvStore {
    store: &'static str,
}

#[derive(Serialize)]
struct SchemaConfig {
    configs: Vec<PeriodConfig>,
}

#[derive(Serialize)]
struct PeriodConfig {
    from: String,
    store: &'static str,
    object_store: &'static str,
    schema: &'static str,
    index: IndexConfig,
}

#[derive(Serialize)]
struct IndexConfig {
    prefix: &'static str,
    period: &'static str,
}

#[derive(Serialize)]
struct StorageConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    tsdb_shipper: Option<Shipper>,
    #[serde(skip_serializing_if = "Option::is_none")]
    boltdb_shipper: Option<Shipper>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aws: Option<Aws>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filesystem: Option<Filesystem>,
}

#[derive(Serialize)]
struct Shipper {
    active_index_directory: String,
    cache_location: String,
    cache_ttl: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    shared_store: Option<&'static str>,
}

#[derive(Serialize)]
struct Aws {
    endpoint: String,
    bucketnames: String,
    region: String,
    access_key_id: String,
    secret_access_key: String,
    s3forcepathstyle: bool,
    insecure: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_config: Option<S3Http>,
}

/// The S3 client's HTTP settings (`storage_config.aws.http_config`): the CA that signed the
/// endpoint's certificate (`-s3.http.ca-file`, Loki 2.9 and 3.x).
#[derive(Serialize)]
struct S3Http {
    ca_file: String,
}

#[derive(Serialize)]
struct Filesystem {
    directory: String,
}

#[derive(Serialize)]
struct Compactor {
    working_directory: String,
    compaction_interval: &'static str,
    retention_enabled: bool,
    retention_delete_delay: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_request_store: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shared_store: Option<&'static str>,
}

#[derive(Serialize)]
struct LimitsConfig {
    retention_period: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    retention_stream: Vec<RetentionStream>,
    ingestion_rate_mb: f64,
    ingestion_burst_size_mb: f64,
    max_query_length: String,
    max_query_parallelism: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    tsdb_max_query_parallelism: Option<u32>,
    max_label_names_per_series: u32,
}

#[derive(Serialize)]
struct RetentionStream {
    selector: String,
    priority: u32,
    period: String,
}

pub fn render(model: &Model, bundle: &mut Bundle) {
    let loki = &model.spec.loki;
    let v3 = crate::features::tsdb(model.versions.loki);
    let dir = loki.data_dir.trim_end_matches('/');
    let (object_store, aws, filesystem) = object_store(loki, dir);
    let config = Config {
        auth_enabled: loki.auth_enabled,
        server: server(model),
        common: common(loki, dir),
        memberlist: loki
            .simple_scalable
            .as_ref()
            .map(|s| Memberlist { join_members: s.join_members.clone(), bind_port: s.memberlist_port }),
        schema_config: SchemaConfig {
            configs: vec![PeriodConfig {
                from: loki.schema_from.clone(),
                store: if v3 { "tsdb" } else { "boltdb-shipper" },
                object_store,
                schema: if v3 { "v13" } else { "v12" },
                index: IndexConfig { prefix: "index_", period: "24h" },
            }],
        },
        storage_config: StorageConfig {
            tsdb_shipper: v3.then(|| shipper(dir, "tsdb", None)),
            boltdb_shipper: (!v3).then(|| shipper(dir, "boltdb", Some(object_store))),
            aws,
            filesystem,
        },
        compactor: Compactor {
            working_directory: format!("{dir}/compactor"),
            compaction_interval: "10m",
            retention_enabled: true,
            retention_delete_delay: loki.retention.delete_delay.to_go(),
            delete_request_store: v3.then_some(object_store),
            shared_store: (!v3).then_some(object_store),
        },
        compactor_client: compactor_client(model),
        limits_config: limits_config(loki, v3),
    };
    let path = format!("loki/{LOKI_CONFIG}");
    bundle.add(path, yaml(model, "Loki configuration (run with -config.expand-env=true)", &config));
}

/// The object store's name in `schema_config` and its settings: S3's (with the credentials as
/// `${VAR}` references) or the filesystem's (under the data directory `dir` by default).
fn object_store(loki: &Loki, dir: &str) -> (&'static str, Option<Aws>, Option<Filesystem>) {
    match &loki.storage {
        LokiStorage::S3(s3) => (
            "s3",
            Some(Aws {
                endpoint: s3.endpoint.clone(),
                bucketnames: s3.bucket.clone(),
                region: s3.region.clone(),
                access_key_id: format!("${{{}}}", s3.access_key_id_env),
                secret_access_key: format!("${{{}}}", s3.secret_access_key_env),
                s3forcepathstyle: true,
                insecure: s3.insecure,
                http_config: s3.ca_file.clone().map(|ca_file| S3Http { ca_file }),
            }),
            None,
        ),
        LokiStorage::Filesystem(fs) => (
            "filesystem",
            None,
            Some(Filesystem { directory: fs.directory.clone().unwrap_or_else(|| format!("{dir}/chunks")) }),
        ),
    }
}

/// The index shipper of `kind` (`tsdb`, `boltdb`) under the data directory `dir`; Loki 2.9's
/// boltdb-shipper names its `shared_store`.
fn shipper(dir: &str, kind: &str, shared_store: Option<&'static str>) -> Shipper {
    Shipper {
        active_index_directory: format!("{dir}/{kind}-index"),
        cache_location: format!("{dir}/{kind}-cache"),
        cache_ttl: "24h",
        shared_store,
    }
}

/// The HTTP and gRPC ports, and TLS of the HTTP API when `access.tls` is set, requiring client
/// certificates where `access` says Loki does.
fn server(model: &Model) -> Server {
    let loki = &model.spec.loki;
    Server {
        http_listen_port: loki.http_listen_port,
        grpc_listen_port: loki.grpc_listen_port,
        tls_min_version: model.spec.access.tls.as_ref().map(|t| format!("Version{}", t.min_version.as_str())),
        http_tls_config: model.spec.access.tls.as_ref().map(|t| {
            let mutual = model.spec.access.requires_client_cert(Component::Loki);
            ServerTls {
                cert_file: t.cert_file.clone(),
                key_file: t.key_file.clone(),
                client_auth_type: mutual.then_some("RequireAndVerifyClientCert"),
                client_ca_file: t.client_ca_file.clone().filter(|_| mutual),
            }
        }),
    }
}

/// The ring: in memory on loopback for a single binary, on memberlist with the compactor's
/// address for the simple scalable deployment.
fn common(loki: &Loki, dir: &str) -> Common {
    match &loki.simple_scalable {
        None => Common {
            instance_addr: Some("127.0.0.1"),
            path_prefix: dir.to_string(),
            replication_factor: 1,
            ring: Ring { kvstore: KvStore { store: "inmemory" } },
            compactor_address: None,
        },
        Some(s) => Common {
            instance_addr: None,
            path_prefix: dir.to_string(),
            replication_factor: s.replication_factor,
            ring: Ring { kvstore: KvStore { store: "memberlist" } },
            compactor_address: Some(s.compactor_address.clone()),
        },
    }
}

/// The compactor client's TLS, for the simple scalable deployment when Loki serves TLS.
fn compactor_client(model: &Model) -> Option<CompactorClient> {
    match (&model.spec.loki.simple_scalable, &model.spec.access.tls) {
        (Some(_), Some(tls)) => {
            let client = super::web::ClientTls::of(&model.spec.access, Component::Loki).unwrap_or_default();
            Some(CompactorClient {
                tls_enabled: true,
                tls_ca_path: client.ca_file,
                tls_cert_path: client.cert_file,
                tls_key_path: client.key_file,
                tls_min_version: format!("Version{}", tls.min_version.as_str()),
            })
        }
        _ => None,
    }
}

/// Retention, by stream where tiers are declared, and the ingestion and query limits; the TSDB
/// query parallelism only for Loki 3.x (`v3`).
fn limits_config(loki: &Loki, v3: bool) -> LimitsConfig {
    let limits = loki.effective_limits();
    LimitsConfig {
        retention_period: loki.retention.period.to_string(),
        retention_stream: loki
            .retention_tiers()
            .into_iter()
            .map(|s| RetentionStream { selector: s.selector, priority: s.priority, period: s.period.to_string() })
            .collect(),
        ingestion_rate_mb: limits.ingestion_rate_mb,
        ingestion_burst_size_mb: limits.ingestion_burst_size_mb,
        max_query_length: limits.max_query_length.to_string(),
        max_query_parallelism: limits.max_query_parallelism,
        tsdb_max_query_parallelism: v3.then_some(limits.tsdb_max_query_parallelism),
        max_label_names_per_series: limits.max_label_names_per_series,
    }
}
