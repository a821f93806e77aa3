//! Grafana provisioning: datasources (`prometheus_ds.yml`, `loki_ds.yml`), one dashboard
//! provider per folder, and the dashboards' JSON.
//!
//! Grafana expands `$VAR`, `$__env{}` and `$__file{}` in every string of a provisioning file, so
//! user-given strings are written with `$` doubled; the only expansion monstack writes on purpose
//! is `$__file{}` for secrets. Dashboard JSON files get no expansion.

pub mod settings;

use super::yaml;
use crate::bundle::Bundle;
use crate::bundle::json;
use crate::bundle::layout::{GRAFANA_DASHBOARD_PROVIDERS, GRAFANA_DATASOURCES};
use crate::spec::access::{Access, Component};
use crate::spec::grafana::{Datasource, DatasourceType};
use crate::validate::Model;
use crate::validate::access::{own_server, tenant_header};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DatasourcesFile {
    api_version: u32,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    prune: bool,
    datasources: Vec<DatasourceOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DatasourceOut {
    name: String,
    uid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    access: &'static str,
    url: String,
    is_default: bool,
    editable: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    basic_auth: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    basic_auth_user: Option<String>,
    json_data: BTreeMap<String, serde_json::Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    secure_json_data: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProvidersFile {
    api_version: u32,
    providers: Vec<Provider>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Provider {
    name: String,
    org_id: u32,
    folder: String,
    folder_uid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    disable_deletion: bool,
    allow_ui_updates: bool,
    update_interval_seconds: u32,
    options: ProviderOptions,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProviderOptions {
    path: String,
    folders_from_files_structure: bool,
}

pub fn render(model: &Model, bundle: &mut Bundle) {
    let g = &model.spec.grafana;
    let server = settings::settings(&model.spec);
    bundle.add("grafana/grafana.ini", settings::ini(model.env(), &server));
    bundle.add("grafana/settings.json", json(&server));
    let prune = model.versions.grafana >= crate::features::PRUNE_SINCE;
    for (kind, file) in [(DatasourceType::Prometheus, "prometheus_ds.yml"), (DatasourceType::Loki, "loki_ds.yml")] {
        let datasources: Vec<DatasourceOut> =
            g.datasources.iter().filter(|d| d.kind == kind).map(|d| datasource_out(model, d)).collect();
        if !datasources.is_empty() {
            let doc = DatasourcesFile { api_version: 1, prune, datasources };
            bundle.add(format!("grafana/{GRAFANA_DATASOURCES}/{file}"), yaml(model, "Grafana datasources", &doc));
        }
    }
    if g.folders.is_empty() {
        return;
    }
    let providers = g
        .folders
        .iter()
        .map(|f| Provider {
            name: f.dir.clone(),
            org_id: 1,
            folder: literal(&f.title),
            folder_uid: f.dir.clone(),
            kind: "file",
            disable_deletion: true,
            allow_ui_updates: g.allow_ui_updates,
            update_interval_seconds: 60,
            options: ProviderOptions {
                path: literal(&format!("{}/grafana/dashboards/{}", model.spec.install_prefix, f.dir)),
                folders_from_files_structure: false,
            },
        })
        .collect();
    bundle.add(
        format!("grafana/{GRAFANA_DASHBOARD_PROVIDERS}/dashboard_provider.yml"),
        yaml(model, "Grafana dashboard providers", &ProvidersFile { api_version: 1, providers }),
    );
    for ((f, _, d), file) in crate::dashboards::provisioned(&model.spec).zip(&model.dashboards) {
        bundle.add(format!("grafana/dashboards/{}/{}.json", f.dir, d.file_stem()), file.file.clone());
    }
}

/// A string Grafana must not expand.
fn literal(s: &str) -> String {
    s.replace('$', "$$")
}

fn datasource_out(model: &Model, d: &Datasource) -> DatasourceOut {
    let mut json_data = BTreeMap::new();
    match d.kind {
        DatasourceType::Prometheus => {
            json_data.insert("httpMethod".into(), "POST".into());
            if let Some(t) = &d.time_interval {
                json_data.insert("timeInterval".into(), t.to_string().into());
            }
            if let Some(i) = d.implementation {
                json_data.insert("prometheusType".into(), i.grafana_name().into());
            }
        }
        DatasourceType::Loki => {
            if let Some(m) = d.max_lines {
                json_data.insert("maxLines".into(), m.into());
            }
        }
    }
    let mut secure_json_data = BTreeMap::new();
    let own = own_server(d.kind, d.implementation);
    // The datasource's own credentials win; the stack's own servers get the stack's client's.
    let basic_auth = d
        .basic_auth
        .clone()
        .or_else(|| own.filter(|c| *c != Component::Loki).and(super::web::client_basic_auth(&model.spec.access)));
    if let Some(b) = &basic_auth {
        secure_json_data.insert("basicAuthPassword".into(), file(&b.password_file));
    }
    // The datasource's own TLS settings win too (a store behind a private CA); the stack's own
    // servers otherwise get the stack's client's.
    if let Some(t) = &d.tls {
        tls_out(t, &mut json_data, &mut secure_json_data);
    } else if let Some(c) = own {
        client_tls(&model.spec.access, c, &mut json_data, &mut secure_json_data);
    }
    // The tenant header; Grafana takes custom header values only as secure data.
    if let Some(tenant) = tenant_header(&model.spec, d) {
        json_data.insert("httpHeaderName1".into(), "X-Scope-OrgID".into());
        secure_json_data.insert("httpHeaderValue1".into(), literal(tenant));
    }
    DatasourceOut {
        name: literal(&d.name),
        uid: d.uid.clone(),
        kind: d.kind.as_str(),
        access: "proxy",
        url: literal(&d.url),
        is_default: d.is_default,
        editable: false,
        basic_auth: basic_auth.is_some(),
        basic_auth_user: basic_auth.as_ref().map(|b| literal(&b.username)),
        json_data,
        secure_json_data,
    }
}

fn file(path: &str) -> String {
    format!("$__file{{{path}}}")
}

/// A datasource's own TLS settings, in the keys of Grafana's datasource provisioning
/// (grafana.com/docs/grafana/latest/administration/provisioning/#json-data): the CA and the
/// client certificate as file contents through `$__file{}`.
fn tls_out(
    tls: &crate::spec::scrape::Tls,
    json_data: &mut BTreeMap<String, serde_json::Value>,
    secure: &mut BTreeMap<String, String>,
) {
    if let Some(ca) = &tls.ca_file {
        json_data.insert("tlsAuthWithCACert".into(), true.into());
        secure.insert("tlsCACert".into(), file(ca));
    }
    if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
        json_data.insert("tlsAuth".into(), true.into());
        secure.insert("tlsClientCert".into(), file(cert));
        secure.insert("tlsClientKey".into(), file(key));
    }
    if let Some(name) = &tls.server_name {
        json_data.insert("serverName".into(), literal(name).into());
    }
    if tls.insecure_skip_verify {
        json_data.insert("tlsSkipVerify".into(), true.into());
    }
}

/// TLS towards one of the stack's own servers: the CA to trust and, when the server requires
/// one, the client certificate.
fn client_tls(
    access: &Access,
    component: Component,
    json_data: &mut BTreeMap<String, serde_json::Value>,
    secure: &mut BTreeMap<String, String>,
) {
    let Some(tls) = super::web::ClientTls::of(access, component) else { return };
    let tls = crate::spec::scrape::Tls {
        ca_file: tls.ca_file,
        cert_file: tls.cert_file,
        key_file: tls.key_file,
        ..Default::default()
    };
    tls_out(&tls, json_data, secure);
}
