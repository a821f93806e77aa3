//! `access/plaintext-credentials`: no credential crosses the network in clear (issue 23).
//!
//! Every client the bundle configures that sends a credential — a password, a bearer or
//! service-account token, S3 keys, a tenant id, an OAuth client secret — must send it over TLS
//! that verifies the server: not to an `http://` URL, not over an SMTP session without TLS, not
//! with `insecure_skip_verify`. Two ways around it, both visible:
//!
//! - the peer is a loopback address (`localhost`, 127.0.0.0/8, `::1`): that traffic never leaves
//!   the host, so no opt-out is needed;
//! - the item declares `plaintext_credentials.reason` (a trusted mesh that encrypts between
//!   sidecars, say); the catalogue lists every such exception ([`exposures`]).
//!
//! The check is an error in every environment, production or not: diagnostics have one
//! severity. A tenant id counts as a credential: Mimir and Loki take `X-Scope-OrgID` as the
//! tenant's identity and leave authentication to a gateway
//! (grafana.com/docs/mimir/latest/manage/secure/authentication-and-authorization/), so whoever
//! reads it off the wire can read and write that tenant's data wherever the store is reachable.
//!
//! What is safe by construction, so not checked: Slack and PagerDuty receivers (Alertmanager's
//! https defaults; the spec cannot set their URLs in clear), webhook URLs from `url_file`
//! (read at run time: their scheme is the secret store's business) and plain webhook `url`s,
//! which carry no credential (`url/invalid` refuses `user:password@`).

use super::access::{own_server, tenant_header};
use super::cx::Cx;
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::access::{Component, PlaintextCredentials};
use crate::spec::loki::LokiStorage;
use crate::spec::path::OptionPath;
use crate::spec::scrape::{Discovery, Scheme, Tls};
use crate::syntax::names::{host_of, is_loopback_host};

/// An item that sends credentials without verified TLS.
#[derive(Debug)]
pub struct Exposure {
    /// The option that makes it so, e.g. `prometheus.remote_write[0].url`.
    pub path: String,
    /// The client, e.g. `remote write "mimir"`.
    pub what: String,
    /// What it sends, e.g. `basic-auth password, tenant id`.
    pub credentials: String,
    /// How, e.g. `plain HTTP`.
    pub how: &'static str,
    /// The accepted reason (`plaintext_credentials.reason`), if any.
    pub reason: Option<String>,
}

/// Why a client's credentials would not be protected.
#[derive(Clone, Copy)]
enum Clear {
    Http,
    NoStartTls,
    SkipVerify,
}

impl Clear {
    fn how(self) -> &'static str {
        match self {
            Clear::Http => "plain HTTP",
            Clear::NoStartTls => "an SMTP session without TLS",
            Clear::SkipVerify => "TLS without certificate verification",
        }
    }
}

/// One client that sends credentials.
struct Item<'a> {
    /// Where the client is declared, e.g. `prometheus.remote_write[0]` (its opt-out is
    /// `<at>.plaintext_credentials`).
    at: OptionPath,
    /// The option that exposes the credentials, relative to `at`, e.g. `url`.
    field: &'static str,
    what: String,
    credentials: Vec<&'static str>,
    /// The hosts they go to; all loopback lets them through. Empty: discovered at run time.
    hosts: Vec<&'a str>,
    clear: Option<Clear>,
    opt_out: Option<&'a PlaintextCredentials>,
    /// How to protect them instead.
    fix: String,
}

/// The clients of `spec` that send credentials, each with how.
fn items(spec: &Spec) -> Vec<Item<'_>> {
    let mut out = remote_writes(spec);
    out.extend(scrape_jobs(spec));
    out.extend(datasources(spec));
    out.extend(object_store(spec));
    out.extend(smtp(spec));
    out.extend(oauth(spec));
    out.extend(log_push(spec));
    out.extend(alertmanager_client(spec));
    out
}

/// TLS that skips verifying the server's certificate protects nothing from who sits between.
fn unverified(tls: &Option<Tls>) -> Option<Clear> {
    if tls.as_ref().is_some_and(|t| t.insecure_skip_verify) { Some(Clear::SkipVerify) } else { None }
}

/// A client of `url`: plain HTTP, or else TLS that may skip verification.
fn url_clear(url: &str, tls: &Option<Tls>) -> Option<Clear> {
    if url.starts_with("http://") { Some(Clear::Http) } else { unverified(tls) }
}

/// The option to blame: `tls.insecure_skip_verify` when that is what exposes the credentials,
/// else the client's own `url_field`.
fn field_of(clear: Option<Clear>, url_field: &'static str) -> &'static str {
    match clear {
        Some(Clear::SkipVerify) => "tls.insecure_skip_verify",
        _ => url_field,
    }
}

/// The fix for an HTTP client of `thing` declared at `at`.
fn https_fix(thing: &str, at: &OptionPath) -> String {
    format!(
        "use an https:// URL for {thing} (with {at}.tls.ca_file when a private CA signed its certificate) and keep certificate verification on"
    )
}

/// Prometheus' remote-write clients: a basic-auth password and a tenant id.
fn remote_writes(spec: &Spec) -> Vec<Item<'_>> {
    let mut out = Vec::new();
    for (i, w) in spec.prometheus.remote_write.iter().enumerate() {
        let at = OptionPath::root("prometheus.remote_write").index(i);
        let clear = url_clear(&w.url, &w.tls);
        out.push(Item {
            field: field_of(clear, "url"),
            what: format!("remote write \"{}\"", w.name),
            credentials: [w.basic_auth.as_ref().map(|_| "basic-auth password"), w.tenant.as_ref().map(|_| "tenant id")]
                .into_iter()
                .flatten()
                .collect(),
            hosts: host_of(&w.url).into_iter().collect(),
            clear,
            opt_out: w.plaintext_credentials.as_ref(),
            fix: https_fix("the store's endpoint", &at),
            at,
        });
    }
    out
}

/// The scrape jobs that authenticate to their targets.
fn scrape_jobs(spec: &Spec) -> Vec<Item<'_>> {
    let mut out = Vec::new();
    for (i, j) in spec.scrape_jobs.iter().enumerate() {
        let at = OptionPath::root("scrape_jobs").index(i);
        let clear = if j.scheme() == Some(Scheme::Https) { unverified(&j.tls) } else { Some(Clear::Http) };
        let hosts = match &j.discovery {
            Discovery::Static(s) => s.targets.iter().filter_map(|t| host_of(t)).collect(),
            _ => Vec::new(),
        };
        out.push(Item {
            field: field_of(clear, "scheme"),
            what: format!("scrape job \"{}\"", j.name),
            credentials: [
                j.basic_auth.as_ref().map(|_| "basic-auth password"),
                j.authorization.as_ref().map(|_| "authorization credentials"),
                j.service_account().then_some("service-account token"),
            ]
            .into_iter()
            .flatten()
            .collect(),
            hosts,
            clear,
            opt_out: j.plaintext_credentials.as_ref(),
            fix: format!(
                "scrape over TLS: set {at}.scheme to https (with {at}.tls.ca_file when a private CA signed the targets' certificates) and keep certificate verification on"
            ),
            at,
        });
    }
    out
}

/// Grafana's datasources: their own basic auth, the stack's client user towards its own
/// servers, and a tenant id.
fn datasources(spec: &Spec) -> Vec<Item<'_>> {
    let a = &spec.access;
    let mut out = Vec::new();
    for (i, d) in spec.grafana.datasources.iter().enumerate() {
        let at = OptionPath::root("grafana.datasources").index(i);
        let own = own_server(d.kind, d.implementation);
        // A plain-HTTP URL of the stack's own TLS server is `access/client` already.
        if own.is_some() && a.tls.is_some() && d.url.starts_with("http://") {
            continue;
        }
        let basic_auth = d.basic_auth.is_some()
            || (own.is_some_and(|c| c != Component::Loki) && crate::spec::access::client_basic_auth(a).is_some());
        let clear = url_clear(&d.url, &d.tls);
        out.push(Item {
            field: field_of(clear, "url"),
            what: format!("Grafana datasource \"{}\"", d.name),
            credentials: [basic_auth.then_some("basic-auth password"), tenant_header(spec, d).map(|_| "tenant id")]
                .into_iter()
                .flatten()
                .collect(),
            hosts: host_of(&d.url).into_iter().collect(),
            clear,
            opt_out: d.plaintext_credentials.as_ref(),
            fix: https_fix("the datasource", &at),
            at,
        });
    }
    out
}

/// Loki's S3 client and its access keys.
fn object_store(spec: &Spec) -> Option<Item<'_>> {
    let LokiStorage::S3(s3) = &spec.loki.storage else { return None };
    Some(Item {
        at: OptionPath::root("loki.storage.s3"),
        field: "insecure",
        what: format!("Loki's object store client ({})", s3.endpoint),
        credentials: vec!["S3 access keys"],
        hosts: host_of(&s3.endpoint).into_iter().collect(),
        clear: s3.insecure.then_some(Clear::Http),
        opt_out: s3.plaintext_credentials.as_ref(),
        fix: "set loki.storage.s3.insecure to false, so Loki speaks HTTPS to the endpoint (with loki.storage.s3.ca_file when a private CA signed its certificate)".into(),
    })
}

/// Alertmanager's SMTP client and its password.
fn smtp(spec: &Spec) -> Option<Item<'_>> {
    let smtp = spec.alertmanager.smtp.as_ref()?;
    // Alertmanager dials TLS on port 465 and otherwise upgrades with STARTTLS only when
    // `require_tls` says so; its LOGIN mechanism then sends the password in clear
    // (notify/email/email.go).
    let implicit_tls = smtp.smarthost.rsplit_once(':').is_some_and(|(_, port)| port == "465");
    Some(Item {
        at: OptionPath::root("alertmanager.smtp"),
        field: "require_tls",
        what: format!("Alertmanager's SMTP client ({})", smtp.smarthost),
        credentials: smtp.auth_password_file.as_ref().map(|_| "SMTP password").into_iter().collect(),
        hosts: host_of(&smtp.smarthost).into_iter().collect(),
        clear: (!smtp.require_tls && !implicit_tls).then_some(Clear::NoStartTls),
        opt_out: smtp.plaintext_credentials.as_ref(),
        fix: "keep alertmanager.smtp.require_tls = true (STARTTLS), or use the server's implicit-TLS port 465".into(),
    })
}

/// Grafana's OAuth client: one item per provider URL, each carrying a different secret.
fn oauth(spec: &Spec) -> Vec<Item<'_>> {
    let Some(o) = &spec.grafana.server.oauth else { return Vec::new() };
    let at = OptionPath::root("grafana.server.oauth");
    let mut out = Vec::new();
    for (field, url, credential) in [
        ("auth_url", &o.auth_url, "users' passwords (the provider's sign-in page)"),
        ("token_url", &o.token_url, "OAuth client secret"),
        ("userinfo_url", &o.userinfo_url, "users' access tokens"),
    ] {
        out.push(Item {
            at: at.clone(),
            field,
            what: format!("Grafana's OAuth client ({field})"),
            credentials: vec![credential],
            hosts: host_of(url).into_iter().collect(),
            clear: url.starts_with("http://").then_some(Clear::Http),
            opt_out: o.plaintext_credentials.as_ref(),
            fix: format!("use the provider's https:// {field}"),
        });
    }
    out
}

/// The log shippers' push to Loki and its tenant id.
fn log_push(spec: &Spec) -> Option<Item<'_>> {
    let p = &spec.promtail;
    // With access.tls a plain-HTTP push URL is `access/client` already.
    if spec.access.tls.is_some() {
        return None;
    }
    let shippers: Vec<&str> = p.shippers.iter().map(|s| s.as_str()).collect();
    Some(Item {
        at: OptionPath::root("promtail"),
        field: "loki_url",
        what: format!("the log shippers' Loki client ({})", shippers.join(", ")),
        credentials: p.tenant_id.as_ref().map(|_| "tenant id").into_iter().collect(),
        hosts: host_of(&p.loki_url).into_iter().collect(),
        clear: p.loki_url.starts_with("http://").then_some(Clear::Http),
        opt_out: p.plaintext_credentials.as_ref(),
        fix: "serve Loki over TLS (access.tls) and push to an https:// promtail.loki_url".into(),
    })
}

/// The stack's client user, as Prometheus presents it to Alertmanager.
fn alertmanager_client(spec: &Spec) -> Option<Item<'_>> {
    let a = &spec.access;
    // Prometheus presents the stack's client user to Alertmanager (and Grafana to Prometheus,
    // checked with the datasources); without access.tls the servers speak plain HTTP.
    if a.tls.is_none()
        && let Some(client) = &a.client
        && crate::spec::access::client_basic_auth(a).is_some()
    {
        Some(Item {
            at: OptionPath::root("access.client"),
            field: "basic_auth",
            what: "Prometheus' Alertmanager client".into(),
            credentials: vec!["basic-auth password"],
            hosts: spec.prometheus.alertmanagers.iter().filter_map(|h| host_of(h)).collect(),
            clear: Some(Clear::Http),
            opt_out: client.plaintext_credentials.as_ref(),
            fix: "declare access.tls, so Prometheus and Alertmanager serve HTTPS and their clients use it".into(),
        })
    } else {
        None
    }
}

impl Item<'_> {
    /// Whether the credentials would cross the network unprotected.
    fn exposed(&self) -> Option<Clear> {
        let loopback = !self.hosts.is_empty() && self.hosts.iter().all(|h| is_loopback_host(h));
        self.clear.filter(|_| !self.credentials.is_empty() && !loopback)
    }

    fn exposure(&self, how: Clear) -> Exposure {
        Exposure {
            path: self.at.key(self.field).into(),
            what: self.what.clone(),
            credentials: match self.credentials.split_last() {
                Some((last, [])) => last.to_string(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => String::new(),
            },
            how: how.how(),
            reason: self.opt_out.map(|o| o.reason.trim().to_string()).filter(|r| !r.is_empty()),
        }
    }
}

/// Every item that sends credentials without verified TLS, accepted or not, in spec order.
pub fn exposures(spec: &Spec) -> Vec<Exposure> {
    items(spec).iter().filter_map(|i| i.exposed().map(|how| i.exposure(how))).collect()
}

pub fn check(spec: &Spec, cx: &mut Cx) {
    for item in items(spec) {
        let opt_out = item.at.key("plaintext_credentials");
        if let Some(o) = item.opt_out
            && o.reason.trim().is_empty()
        {
            cx.error(Code::AccessPlaintextCredentials, opt_out.key("reason"), "empty reason")
                .hint("say why the credentials are safe without TLS (e.g. the mesh that encrypts them), or remove the exception");
        }
        let Some(how) = item.exposed() else { continue };
        let e = item.exposure(how);
        if e.reason.is_some() || item.opt_out.is_some() {
            continue;
        }
        let to = if item.hosts.is_empty() { "discovered targets".to_string() } else { item.hosts.join(", ") };
        cx.error(
            Code::AccessPlaintextCredentials,
            e.path,
            format!("{} would send its {} to {to} over {}", e.what, e.credentials, e.how),
        )
        .hint(format!(
            "{}; or, if a trusted mesh protects this traffic, say so in {opt_out}.reason (listed in the catalogue)",
            item.fix
        ));
    }
}
