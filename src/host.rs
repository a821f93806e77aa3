//! What runs on the monitoring host, from a rendered bundle: the files a server's web
//! configuration is assembled from at service start (`monstack web-config`), and where the
//! assembled files live. The renderer ([`crate::render`]) writes these files; this module reads
//! them, so their format is defined here, once.
//!
//! - `<component>/web-config.yml`: the web configuration without users, valid as it is;
//! - `<component>/web-secrets.json`: which file holds each user's hash and each TLS file, and the
//!   systemd credential name each is loaded under.
//!
//! [`assemble`] joins them into the file the server reads, from the secret files (directly, or as
//! systemd credentials).

use crate::spec::access::Component;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The file names and the folder this module reads and writes (the bundle's layout, which the
/// NixOS module shares).
pub use crate::bundle::layout::{CLUSTER_TLS, RUNTIME_DIR, WEB_CONFIG, WEB_SECRETS};

/// The assembled file's path on the host.
pub fn runtime_path(component: Component) -> String {
    runtime_file(component, WEB_CONFIG)
}

/// Where a file assembled at service start lives on the host.
pub fn runtime_file(component: Component, name: &str) -> String {
    format!("{RUNTIME_DIR}/{}/{name}", component.as_str())
}

/// exporter-toolkit's web configuration (the subset monstack writes). Deserialised again when
/// assembling, so unknown keys are refused there too.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_server_config: Option<TlsServerConfig>,
    pub http_server_config: HttpServerConfig,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub basic_auth_users: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsServerConfig {
    pub cert_file: String,
    pub key_file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_auth_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ca_file: Option<String>,
    pub min_version: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpServerConfig {
    pub headers: BTreeMap<String, String>,
}

/// The secret files of a web configuration.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    /// Users and the files holding their bcrypt hashes.
    pub users: Vec<UserSecret>,
    /// TLS files of the web configuration (`tls_server_config.cert_file`, …).
    pub tls: Vec<FileSecret>,
    /// The files of `cluster-tls.yml`, each `key` a `section.field` of it. Empty without one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_tls: Vec<FileSecret>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSecret {
    pub name: String,
    pub password_hash_file: String,
    /// Its systemd credential name (`LoadCredential=<credential>:<file>`).
    pub credential: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSecret {
    /// Where in its file it goes: `section.field`.
    pub key: String,
    pub path: String,
    pub credential: String,
}

/// Alertmanager's `cluster-tls.yml` of a component folder, its files pointed at the credentials
/// when `credentials` is given.
pub fn assemble_cluster_tls(component_dir: &Path, credentials: Option<&Path>) -> Result<String, String> {
    let mut doc: serde_yaml::Value = read_yaml(component_dir, CLUSTER_TLS)?;
    let secrets = read_secrets(component_dir)?;
    if let Some(dir) = credentials {
        point_at_credentials(&mut doc, &secrets.cluster_tls, dir, CLUSTER_TLS)?;
    }
    let body = serde_yaml::to_string(&doc).map_err(|e| e.to_string())?;
    Ok(format!("# Assembled by monstack web-config from {}.\n{body}", component_dir.display()))
}

fn read_yaml<T: serde::de::DeserializeOwned>(component_dir: &Path, name: &str) -> Result<T, String> {
    let path = component_dir.join(name);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_secrets(component_dir: &Path) -> Result<Secrets, String> {
    let path = component_dir.join(WEB_SECRETS);
    std::fs::read(&path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Points each file of `doc` (`section.field`) at its systemd credential in `dir`.
fn point_at_credentials(
    doc: &mut serde_yaml::Value,
    files: &[FileSecret],
    dir: &Path,
    name: &str,
) -> Result<(), String> {
    for f in files {
        let (section, key) = f.key.split_once('.').ok_or_else(|| format!("{WEB_SECRETS}: bad key {}", f.key))?;
        let slot =
            doc.get_mut(section).and_then(|s| s.get_mut(key)).ok_or_else(|| format!("{name} has no {}", f.key))?;
        *slot = dir.join(&f.credential).to_string_lossy().into_owned().into();
    }
    Ok(())
}

/// Joins a component folder's web configuration and its secrets into the file the server reads.
/// With `credentials` (systemd's `$CREDENTIALS_DIRECTORY`), every secret is read from the
/// credential of its name and the TLS paths point there; without it, from the declared paths.
/// Each hash must be a bcrypt hash. Returns the file's content.
pub fn assemble(component_dir: &Path, credentials: Option<&Path>) -> Result<String, String> {
    let mut doc: serde_yaml::Value = read_yaml(component_dir, WEB_CONFIG)?;
    let secrets = read_secrets(component_dir)?;
    if let Some(dir) = credentials {
        point_at_credentials(&mut doc, &secrets.tls, dir, WEB_CONFIG)?;
    }
    // Read as the typed model, so a key exporter-toolkit would not know is refused here.
    let mut config: WebConfig =
        serde_yaml::from_value(doc).map_err(|e| format!("{}: {e}", component_dir.join(WEB_CONFIG).display()))?;
    let source = |credential: &str, declared: &str| match credentials {
        Some(dir) => dir.join(credential).to_string_lossy().into_owned(),
        None => declared.to_string(),
    };
    for u in &secrets.users {
        let path = source(&u.credential, &u.password_hash_file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("user {}: cannot read its password hash from {path}: {e}", u.name))?;
        let hash = text.trim();
        if !is_bcrypt(hash) {
            return Err(format!(
                "user {}: {path} does not hold a bcrypt hash (expected $2a$, $2b$ or $2y$ and 60 characters); create one with `htpasswd -nBC 10 \"\" | cut -d: -f2`",
                u.name
            ));
        }
        config.basic_auth_users.insert(u.name.clone(), hash.to_string());
    }
    let body = serde_yaml::to_string(&config).map_err(|e| e.to_string())?;
    Ok(format!("# Assembled by monstack web-config from {}; holds password hashes.\n{body}", component_dir.display()))
}

/// `$2a$`, `$2b$` or `$2y$`, a two-digit cost, `$`, and 53 characters of bcrypt's base64.
fn is_bcrypt(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 60
        && (s.starts_with("$2a$") || s.starts_with("$2b$") || s.starts_with("$2y$"))
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
        && b[6] == b'$'
        && b[7..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'/')
}

#[cfg(test)]
mod tests {
    use super::is_bcrypt;

    #[test]
    fn bcrypt_hashes_are_recognised() {
        let ok = "$2y$10$X3m8Ut6qzYnE7iG7v9Fq3uJYQd1Qj3g0Y8q1bT1v2x6c0kq9l8m7W";
        assert_eq!(ok.len(), 60);
        assert!(is_bcrypt(ok));
        assert!(!is_bcrypt("secret"));
        assert!(!is_bcrypt(&ok.replace("$2y$", "$1$x")));
        assert!(!is_bcrypt(&format!("{ok}x")));
        assert!(!is_bcrypt(&ok.replace('X', "!")));
    }
}
