//! Models of the log tools' own configuration formats (Loki, Promtail, Alloy) for the versions
//! monstack renders for, standing in for the binaries where they are not installed: a rendered
//! file is checked before it is written, and `monstack check` checks a bundle on disk (where
//! `loki -verify-config`, `promtail -check-syntax` and `alloy fmt` also run when present).

pub mod alloy;
pub mod loki;
pub mod promtail;

use crate::syntax::Version;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The versions the files are checked for.
#[derive(Clone, Copy, Debug)]
pub struct Versions {
    pub loki: Version,
    pub promtail: Version,
    pub alloy: Version,
}

/// (file, problem) for every log-tool file of a bundle.
pub fn check(files: &BTreeMap<String, Vec<u8>>, v: Versions) -> Vec<(String, String)> {
    type Check = fn(&str, Version) -> Vec<String>;
    use crate::bundle::layout::{ALLOY_CONFIG, LOKI_CONFIG, PROMTAIL_CONFIG};
    let checks: [(String, Check, Version); 3] = [
        (format!("loki/{LOKI_CONFIG}"), loki::check, v.loki),
        (format!("promtail/{PROMTAIL_CONFIG}"), promtail::check, v.promtail),
        (format!("alloy/{ALLOY_CONFIG}"), alloy::check, v.alloy),
    ];
    let mut out = Vec::new();
    for (path, check, version) in checks {
        let Some(bytes) = files.get(&path) else { continue };
        let text = String::from_utf8_lossy(bytes);
        out.extend(check(&text, version).into_iter().map(|p| (path.to_string(), p)));
    }
    out
}

/// The `server` block Loki and Promtail share (both use Grafana's dskit server).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Parsed to reject unknown keys; the values are not used.
struct Server {
    #[serde(default)]
    http_listen_port: Option<u16>,
    #[serde(default)]
    grpc_listen_port: Option<u16>,
    #[serde(default)]
    http_listen_address: Option<String>,
    #[serde(default)]
    grpc_listen_address: Option<String>,
    #[serde(default)]
    log_level: Option<String>,
    /// `VersionTLS12` or `VersionTLS13` (Go's names).
    #[serde(default)]
    tls_min_version: Option<TlsVersionName>,
    #[serde(default)]
    http_tls_config: Option<ServerTls>,
}

#[derive(Deserialize)]
#[allow(clippy::enum_variant_names)]
enum TlsVersionName {
    VersionTLS12,
    VersionTLS13,
}

/// dskit's server TLS block.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ServerTls {
    cert_file: String,
    key_file: String,
    #[serde(default)]
    client_auth_type: Option<ClientAuthType>,
    #[serde(default)]
    client_ca_file: Option<String>,
}

/// Go's `tls.ClientAuthType` names, as dskit parses them.
#[derive(Deserialize)]
#[allow(clippy::enum_variant_names)]
enum ClientAuthType {
    NoClientCert,
    RequestClientCert,
    RequireAnyClientCert,
    VerifyClientCertIfGiven,
    RequireAndVerifyClientCert,
}

/// A client's TLS block (Prometheus' common `tls_config`, as Promtail's clients use it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ClientTls {
    #[serde(default)]
    ca_file: Option<String>,
    #[serde(default)]
    cert_file: Option<String>,
    #[serde(default)]
    key_file: Option<String>,
    #[serde(default)]
    server_name: Option<String>,
    #[serde(default)]
    insecure_skip_verify: bool,
}
