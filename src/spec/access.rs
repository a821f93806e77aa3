//! Access control: TLS and authentication for every UI and API of the stack, and the
//! credentials the stack's own clients present to each other.
//!
//! Every credential is a file path the tools read at run time. Basic-auth users' bcrypt hashes
//! count as secrets too: the bundle lists which user's hash is in which file, and the web
//! configuration that holds the hashes is assembled on the host at service start
//! (`monstack web-config`), never rendered into the bundle.

use crate::spec::scrape::{BasicAuth, Tls};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// This environment is production: every UI and API must be served over TLS and require
    /// authentication (lint `access/insecure`), unless `auth_proxy` says an authenticating proxy
    /// stands in front of them. Default false.
    #[serde(default)]
    pub production: bool,
    /// The authenticating proxy every UI and API of the environment is reachable only through,
    /// e.g. `oauth2-proxy on the ingress`; shown in the catalogue. With it, the lint accepts
    /// components without TLS or authentication of their own. Default: none.
    #[serde(default)]
    pub auth_proxy: Option<String>,
    /// The TLS certificate every component serves (Prometheus, Alertmanager, Loki, Grafana): the
    /// same paths on every host, each host holding its own certificate. Default: none (plain
    /// HTTP).
    #[serde(default)]
    pub tls: Option<ServerTls>,
    /// Basic-auth users of Prometheus' and Alertmanager's web UI and API. Default: none (no
    /// authentication).
    #[serde(default)]
    pub users: Vec<WebUser>,
    /// What the stack's own clients present: Prometheus to Alertmanager, Grafana to Prometheus
    /// and Loki, Promtail and Alloy to Loki. Required as soon as `users` or client certificates
    /// are; the username must be one of `users`. Default: none.
    #[serde(default)]
    pub client: Option<ClientCredentials>,
}

/// Server-side TLS.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerTls {
    /// PEM certificate (chain) the servers present, e.g. `/run/secrets/monstack/tls.crt`.
    pub cert_file: String,
    /// Its private key.
    pub key_file: String,
    /// CA that signs client certificates; required when `client_cert_required` names a
    /// component. Default: none.
    #[serde(default)]
    pub client_ca_file: Option<String>,
    /// Components that accept only clients presenting a certificate signed by
    /// `client_ca_file` (mutual TLS). Loki has no users of its own, so in production mutual TLS
    /// is how its push and query endpoints authenticate. Default: none.
    #[serde(default)]
    pub client_cert_required: Vec<Component>,
    /// Lowest TLS version accepted: `TLS12` or `TLS13`. Default `TLS12`.
    #[serde(default)]
    pub min_version: TlsVersion,
}

/// A component serving an API (`prometheus`, `alertmanager`, `loki`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Component {
    Prometheus,
    Alertmanager,
    Loki,
}

impl Component {
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Prometheus => "prometheus",
            Component::Alertmanager => "alertmanager",
            Component::Loki => "loki",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TlsVersion {
    #[default]
    TLS12,
    TLS13,
}

impl TlsVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::TLS12 => "TLS12",
            TlsVersion::TLS13 => "TLS13",
        }
    }
}

/// A basic-auth user.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebUser {
    /// User name, e.g. `grafana` or `sre`.
    pub name: String,
    /// File holding the user's bcrypt hash (`htpasswd -nBC 10 "" | cut -d: -f2`), read on the host
    /// when the service starts.
    pub password_hash_file: String,
}

/// What the stack's clients present.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientCredentials {
    /// Basic-auth user (one of `access.users`) and the file holding its password in clear (the
    /// client sends it). Default: none.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// The CA that signed the servers' certificates (when it is not in the hosts' trust store)
    /// and the client certificate for components that require one. Default: none.
    #[serde(default)]
    pub tls: Option<Tls>,
    /// Accept that Prometheus sends `basic_auth` to Alertmanager over plain HTTP (no
    /// `access.tls`): the reason, e.g. a mesh that encrypts it. Default: refused
    /// (`access/plaintext-credentials`).
    #[serde(default)]
    pub plaintext_credentials: Option<PlaintextCredentials>,
}

/// An explicit exception to `access/plaintext-credentials`: this item may send its credentials
/// without TLS (plain HTTP, an SMTP session without STARTTLS, or TLS without certificate
/// verification), for the reason given. The catalogue (`docs/`) lists every exception in use.
/// Loopback addresses (`localhost`, 127.0.0.0/8, `::1`) need none: that traffic never leaves the
/// host.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaintextCredentials {
    /// Why the credentials are safe in transit without TLS, e.g. `Linkerd mTLS between the
    /// pods` or `same host, over a Unix-socket proxy`; shown in the catalogue.
    pub reason: String,
}

impl Access {
    /// The URL scheme the stack's servers speak.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// Whether `component` requires client certificates.
    pub fn requires_client_cert(&self, component: Component) -> bool {
        self.tls.as_ref().is_some_and(|t| t.client_cert_required.contains(&component))
    }
}

/// The TLS files a client of `component` presents and trusts (Prometheus' and Promtail's
/// `tls_config`), when the stack serves TLS.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ClientTls {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
}

impl ClientTls {
    pub fn of(a: &Access, component: Component) -> Option<ClientTls> {
        a.tls.as_ref()?;
        let c = a.client.as_ref().and_then(|c| c.tls.clone()).unwrap_or_default();
        let mutual = a.requires_client_cert(component);
        Some(ClientTls {
            ca_file: c.ca_file,
            cert_file: c.cert_file.filter(|_| mutual),
            key_file: c.key_file.filter(|_| mutual),
        })
    }
}

/// The basic-auth user a client of Prometheus or Alertmanager sends.
pub fn client_basic_auth(a: &Access) -> Option<BasicAuth> {
    if a.users.is_empty() {
        return None;
    }
    a.client.as_ref()?.basic_auth.clone()
}
