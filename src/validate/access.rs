//! Access control: TLS, users and client credentials hang together, the run-time settings
//! (flags) are well-formed, Grafana's server settings are complete, and a production
//! environment exposes nothing without TLS and authentication (`access/insecure`).

use super::cx::Cx;
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::access::{Access, Component};
use crate::spec::grafana::{Datasource, DatasourceType, PrometheusImplementation};
use crate::spec::path::OptionPath;

pub fn check(spec: &Spec, cx: &mut Cx) {
    let a = &spec.access;
    tls(a, cx);
    gossip(spec, cx);
    users_and_client(a, cx);
    grafana_server(spec, cx);
    flags(spec, cx);
    clients_speak_tls(spec, cx);
    if a.production {
        production(spec, cx);
    }
}

fn tls(a: &Access, cx: &mut Cx) {
    let Some(t) = &a.tls else { return };
    let at = OptionPath::root("access.tls");
    cx.file_ref(&at.key("cert_file"), &t.cert_file);
    cx.file_ref(&at.key("key_file"), &t.key_file);
    if let Some(ca) = &t.client_ca_file {
        cx.file_ref(&at.key("client_ca_file"), ca);
    }
    let required = at.key("client_cert_required");
    cx.unique("component", t.client_cert_required.iter().enumerate().map(|(i, c)| (required.index(i), c.as_str())));
    if !t.client_cert_required.is_empty() && t.client_ca_file.is_none() {
        cx.error(
            Code::AccessClient,
            "access.tls.client_ca_file",
            "client certificates are required, but there is no CA to verify them against",
        )
        .hint("set access.tls.client_ca_file to the CA that signs the clients' certificates");
    }
}

/// With TLS and an Alertmanager cluster, the members gossip over mutual TLS: each needs the CA
/// that signs its peers' certificates and a client certificate of its own.
fn gossip(spec: &Spec, cx: &mut Cx) {
    let a = &spec.access;
    let (Some(tls), Some(_)) = (&a.tls, &spec.alertmanager.cluster) else { return };
    let why = "the Alertmanager cluster's members authenticate each other over TLS";
    if tls.client_ca_file.is_none() {
        cx.error(Code::AccessClient, "access.tls.client_ca_file", format!("{why}, but there is no CA to verify peers"))
            .hint("set access.tls.client_ca_file to the CA that signs the members' client certificates");
    }
    if a.client.as_ref().and_then(|c| c.tls.as_ref()).is_none_or(|t| t.cert_file.is_none()) {
        cx.error(
            Code::AccessClient,
            "access.client.tls.cert_file",
            format!("{why}, but the stack's clients have no certificate to present"),
        )
        .hint("set access.client.tls.cert_file and key_file to a certificate signed by access.tls.client_ca_file");
    }
}

fn users_and_client(a: &Access, cx: &mut Cx) {
    let users = OptionPath::root("access.users");
    cx.unique("user", a.users.iter().enumerate().map(|(i, u)| (users.index(i).key("name"), u.name.as_str())));
    for (i, u) in a.users.iter().enumerate() {
        if u.name.is_empty() || u.name.contains(':') || u.name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            cx.error(
                Code::NameInvalid,
                users.index(i).key("name"),
                format!("\"{}\" is not a usable user name", u.name),
            )
            .hint("use a non-empty name without ':' or whitespace, e.g. grafana");
        }
        cx.file_ref(&users.index(i).key("password_hash_file"), &u.password_hash_file);
    }
    let client = a.client.clone().unwrap_or_default();
    if let Some(tls) = &client.tls {
        cx.client_tls(&OptionPath::root("access.client.tls"), tls);
    }
    if let Some(b) = &client.basic_auth {
        cx.file_ref(&OptionPath::root("access.client.basic_auth.password_file"), &b.password_file);
    }
    match (&client.basic_auth, a.users.is_empty()) {
        (None, false) => {
            cx.error(
                Code::AccessClient,
                "access.client.basic_auth",
                "Prometheus and Alertmanager require a user, but the stack's clients have none: Grafana's dashboards and Prometheus' alerts would get 401",
            )
            .hint("set access.client.basic_auth to one of access.users and the file holding its password");
        }
        (Some(b), false) if !a.users.iter().any(|u| u.name == b.username) => {
            cx.error(
                Code::AccessClient,
                "access.client.basic_auth.username",
                format!("\"{}\" is not one of access.users", b.username),
            )
            .hint(format!("declare a user named {} under access.users, or name a declared one", b.username));
        }
        (Some(_), true) => {
            cx.error(
                Code::AccessClient,
                "access.client.basic_auth",
                "the clients have a user, but access.users declares none, so no server checks it",
            )
            .hint("declare the user under access.users, or remove access.client.basic_auth");
        }
        _ => {}
    }
    let needs_cert: Vec<&str> = a.tls.iter().flat_map(|t| &t.client_cert_required).map(|c| c.as_str()).collect();
    if !needs_cert.is_empty() && client.tls.as_ref().is_none_or(|t| t.cert_file.is_none()) {
        cx.error(
            Code::AccessClient,
            "access.client.tls.cert_file",
            format!("{} require a client certificate, but the stack's clients have none", needs_cert.join(", ")),
        )
        .hint("set access.client.tls.cert_file and key_file to a certificate signed by access.tls.client_ca_file");
    }
}

fn grafana_server(spec: &Spec, cx: &mut Cx) {
    let s = &spec.grafana.server;
    let p = OptionPath::root("grafana.server");
    if s.http_port == 0 {
        cx.error(Code::ValueOutOfRange, p.key("http_port"), "port 0").hint("use a port such as 3000");
    }
    if let Some(u) = &s.root_url {
        cx.url(&p.key("root_url"), u);
    }
    if s.admin_user.is_empty() || s.admin_user.contains(char::is_whitespace) {
        cx.error(Code::NameInvalid, p.key("admin_user"), format!("\"{}\" is not a usable user name", s.admin_user))
            .hint("use a name without whitespace, e.g. admin");
    }
    for (key, file) in [("admin_password_file", &s.admin_password_file), ("secret_key_file", &s.secret_key_file)] {
        if let Some(f) = file {
            cx.file_ref(&p.key(key), f);
        }
    }
    if s.disable_login_form && s.oauth.is_none() {
        cx.error(Code::AccessClient, p.key("disable_login_form"), "without oauth nobody could sign in")
            .hint("declare grafana.server.oauth, or keep the login form");
    }
    let Some(o) = &s.oauth else { return };
    let p = p.key("oauth");
    for (key, value) in [("name", &o.name), ("client_id", &o.client_id)] {
        if value.trim().is_empty() {
            let at = p.key(key);
            cx.error(Code::NameInvalid, &at, "empty").hint(format!("set {at}"));
        }
    }
    cx.file_ref(&p.key("client_secret_file"), &o.client_secret_file);
    for (key, url) in [("auth_url", &o.auth_url), ("token_url", &o.token_url), ("userinfo_url", &o.userinfo_url)] {
        cx.url(&p.key(key), url);
    }
    if !crate::syntax::names::is_label_name(&o.groups_attribute) {
        cx.error(
            Code::NameInvalid,
            p.key("groups_attribute"),
            format!("\"{}\" is not a claim name Grafana's JMESPath can address", o.groups_attribute),
        )
        .hint("use the claim's plain name, e.g. groups");
    }
    for (key, groups) in
        [("admin_groups", &o.admin_groups), ("editor_groups", &o.editor_groups), ("allowed_groups", &o.allowed_groups)]
    {
        for (i, g) in groups.iter().enumerate() {
            if g.is_empty() || g.contains(['\'', '\\', ',', '\n']) {
                cx.error(Code::NameInvalid, p.key(key).index(i), format!("group \"{g}\" cannot be matched"))
                    .hint("group names must be non-empty, without quotes, backslashes or commas");
            }
        }
    }
}

/// Settings rendered as command-line flags (`<component>/flags.json`).
fn flags(spec: &Spec, cx: &mut Cx) {
    let s = &spec.prometheus.storage;
    absolute_dir(cx, &OptionPath::root("prometheus.storage.path"), &s.path);
    if let Some(size) = &s.retention_size
        && !is_byte_size(size)
    {
        cx.error(Code::ValueOutOfRange, "prometheus.storage.retention_size", format!("\"{size}\" is not a size"))
            .hint("write a number and a unit among B, KB, MB, GB, TB, PB, EB, e.g. 50GB");
    }
    if let Some(u) = &spec.prometheus.external_url {
        cx.url(&OptionPath::root("prometheus.external_url"), u);
    }
    absolute_dir(cx, &OptionPath::root("alertmanager.storage_path"), &spec.alertmanager.storage_path);
    if let Some(u) = &spec.alertmanager.external_url {
        cx.url(&OptionPath::root("alertmanager.external_url"), u);
    }
}

fn absolute_dir(cx: &mut Cx, path: &OptionPath, dir: &str) {
    if !dir.starts_with('/') || dir.contains("..") || dir.contains(char::is_whitespace) {
        cx.error(Code::PathInvalid, path, format!("\"{dir}\" is not an absolute folder path"))
            .hint("use an absolute path such as /var/lib/prometheus2");
    }
}

/// Prometheus' `--storage.tsdb.retention.size` units (Go's `units.Base2Bytes`).
fn is_byte_size(s: &str) -> bool {
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && ["B", "KB", "MB", "GB", "TB", "PB", "EB"].contains(&&s[digits..])
}

/// With TLS on, every client URL of the stack's own servers must say https: a plain-HTTP client
/// of a TLS server fails at its first request.
fn clients_speak_tls(spec: &Spec, cx: &mut Cx) {
    if spec.access.tls.is_none() {
        return;
    }
    let hint = "use https:// (access.tls makes every component serve TLS)";
    for (i, d) in spec.grafana.datasources.iter().enumerate() {
        if own_server(d.kind, d.implementation).is_some() && d.url.starts_with("http://") {
            cx.error(
                Code::AccessClient,
                OptionPath::root("grafana.datasources").index(i).key("url"),
                format!("\"{}\" is plain HTTP", d.url),
            )
            .hint(hint);
        }
    }
    if let Some(s) = &spec.loki.simple_scalable
        && s.compactor_address.starts_with("http://")
    {
        cx.error(
            Code::AccessClient,
            "loki.simple_scalable.compactor_address",
            format!("\"{}\" is plain HTTP", s.compactor_address),
        )
        .hint(hint);
    }
    if spec.promtail.loki_url.starts_with("http://") {
        cx.error(Code::AccessClient, "promtail.loki_url", format!("\"{}\" is plain HTTP", spec.promtail.loki_url))
            .hint(hint);
    }
}

/// The component of the stack a datasource queries, if it is one of the stack's own servers
/// (a Mimir or Thanos store has its own access control).
pub fn own_server(kind: DatasourceType, implementation: Option<PrometheusImplementation>) -> Option<Component> {
    match (kind, implementation) {
        (DatasourceType::Prometheus, None | Some(PrometheusImplementation::Prometheus)) => Some(Component::Prometheus),
        (DatasourceType::Prometheus, _) => None,
        (DatasourceType::Loki, _) => Some(Component::Loki),
    }
}

/// The tenant a datasource sends as `X-Scope-OrgID`: its own, or for the stack's own Loki in
/// multi-tenant mode the one the log shippers push as.
pub fn tenant_header<'a>(spec: &'a Spec, d: &'a Datasource) -> Option<&'a str> {
    let own_loki = own_server(d.kind, d.implementation) == Some(Component::Loki) && spec.loki.auth_enabled;
    d.tenant.as_deref().or(if own_loki { spec.promtail.tenant_id.as_deref() } else { None })
}

/// `access/insecure`: production exposes nothing without TLS and authentication, unless an
/// authenticating proxy stands in front of every UI and API.
fn production(spec: &Spec, cx: &mut Cx) {
    let a = &spec.access;
    let env = &spec.environment;
    let proxy = "or, if an authenticating proxy fronts every UI and API, describe it in access.auth_proxy";
    if a.auth_proxy.is_none() {
        if a.tls.is_none() {
            cx.error(
                Code::AccessInsecure,
                "access.tls",
                format!("{env} is production, but Prometheus, Alertmanager, Loki and Grafana would serve plain HTTP"),
            )
            .hint(format!("declare access.tls with cert_file and key_file, {proxy}"));
        }
        if a.users.is_empty() {
            cx.error(
                Code::AccessInsecure,
                "access.users",
                format!("{env} is production, but Prometheus' and Alertmanager's UI and API accept anyone"),
            )
            .hint(format!("declare basic-auth users under access.users, {proxy}"));
        }
        if a.tls.is_some() && !a.requires_client_cert(Component::Loki) {
            cx.error(
                Code::AccessInsecure,
                "access.tls.client_cert_required",
                format!(
                    "{env} is production, but Loki's push and query API accepts anyone (Loki has no users: mutual TLS authenticates its clients)"
                ),
            )
            .hint(format!("add \"loki\" to access.tls.client_cert_required and set access.tls.client_ca_file, {proxy}"));
        }
    }
    let s = &spec.grafana.server;
    if s.admin_password_file.is_none() {
        cx.error(
            Code::AccessInsecure,
            "grafana.server.admin_password_file",
            format!("{env} is production, but Grafana's administrator would keep the default password \"admin\""),
        )
        .hint("set grafana.server.admin_password_file to a file the secret store provides");
    }
    if s.secret_key_file.is_none() {
        cx.error(
            Code::AccessInsecure,
            "grafana.server.secret_key_file",
            format!("{env} is production, but Grafana would sign sessions with its public default secret_key"),
        )
        .hint("set grafana.server.secret_key_file to a file holding a long random key");
    }
}

#[cfg(test)]
mod tests {
    use super::is_byte_size;

    #[test]
    fn byte_sizes_take_prometheus_units() {
        for ok in ["50GB", "512MB", "1TB", "100B"] {
            assert!(is_byte_size(ok), "{ok}");
        }
        for bad in ["", "GB", "50", "50 GB", "50gb", "1.5GB", "50GiB"] {
            assert!(!is_byte_size(bad), "{bad}");
        }
    }
}
