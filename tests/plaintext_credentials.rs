//! `access/plaintext-credentials` (issue 23): no credential crosses the network in clear. Each
//! client that sends one — remote write, scrape jobs, Grafana datasources and OAuth, Loki's S3
//! client, Alertmanager's SMTP client, the log shippers, Prometheus' Alertmanager client — is
//! refused over plain HTTP or without certificate verification, unless its peer is a loopback
//! address or the item gives a `plaintext_credentials.reason`, which the catalogue lists.

mod common;

use common::example;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const CODE: &str = "access/plaintext-credentials";

fn spec(env: &str) -> Value {
    serde_json::from_slice(&std::fs::read(example(env)).unwrap()).unwrap()
}

/// The (code, path) of every diagnostic, or none when the spec renders.
fn problems(doc: &Value) -> BTreeSet<(String, String)> {
    match monstack::build("case.json", &serde_json::to_vec(doc).unwrap()) {
        Ok(_) => BTreeSet::new(),
        Err(diags) => diags.iter().map(|d| (d.code.to_string(), d.path.clone())).collect(),
    }
}

fn ours(doc: &Value) -> BTreeSet<String> {
    problems(doc).into_iter().filter(|(c, _)| c == CODE).map(|(_, p)| p).collect()
}

fn set(paths: &[&str]) -> BTreeSet<String> {
    paths.iter().map(|p| p.to_string()).collect()
}

fn job<'a>(doc: &'a mut Value, name: &str) -> (usize, &'a mut Value) {
    let jobs = doc["scrape_jobs"].as_array_mut().unwrap();
    let i = jobs.iter().position(|j| j["name"] == name).unwrap_or_else(|| panic!("no job {name}"));
    (i, &mut jobs[i])
}

#[test]
fn prod_as_issue_23_found_it_is_refused_item_by_item() {
    // The committed prod passes; with each of its fixes undone, each is reported where it is.
    let mut doc = spec("prod");
    assert_eq!(problems(&doc), BTreeSet::new());
    doc["prometheus"]["remote_write"][0]["url"] = json!("http://mimir-distributor:8080/api/v1/push");
    doc["grafana"]["datasources"][0]["url"] = json!("http://mimir-query-frontend:8080/prometheus");
    doc["loki"]["storage"]["s3"]["insecure"] = json!(true);
    let mut minio = Vec::new();
    for name in ["minio", "minio-bucket"] {
        let (i, j) = job(&mut doc, name);
        j["scheme"] = json!("http");
        minio.push(format!("scrape_jobs[{i}].scheme"));
    }
    let mut expected =
        set(&["prometheus.remote_write[0].url", "grafana.datasources[0].url", "loki.storage.s3.insecure"]);
    expected.extend(minio);
    assert_eq!(problems(&doc), expected.into_iter().map(|p| (CODE.to_string(), p)).collect());
    let diags = monstack::build("prod.json", &serde_json::to_vec(&doc).unwrap()).unwrap_err();
    let rw = diags.iter().find(|d| d.path == "prometheus.remote_write[0].url").unwrap();
    assert!(rw.message.contains("basic-auth password and tenant id"), "{rw}");
    assert!(rw.message.contains("mimir-distributor over plain HTTP"), "{rw}");
    let hint = rw.hint.as_deref().unwrap();
    assert!(
        hint.contains("https://") && hint.contains("prometheus.remote_write[0].plaintext_credentials.reason"),
        "{rw}"
    );
}

#[test]
fn every_client_that_sends_a_credential_is_checked() {
    let prod = spec("prod");

    let mut d = prod.clone();
    d["prometheus"]["remote_write"][0]["tls"]["insecure_skip_verify"] = json!(true);
    assert_eq!(ours(&d), set(&["prometheus.remote_write[0].tls.insecure_skip_verify"]));

    // STARTTLS off on the submission port: Alertmanager's LOGIN sends the password in clear.
    let mut d = prod.clone();
    d["alertmanager"]["smtp"]["require_tls"] = json!(false);
    assert_eq!(ours(&d), set(&["alertmanager.smtp.require_tls"]));
    // Port 465 is TLS from the first byte (notify/email/email.go dials tls.Dial).
    d["alertmanager"]["smtp"]["smarthost"] = json!("smtp.creativeflow.ai:465");
    assert_eq!(ours(&d), set(&[]));
    // Without a password there is nothing to protect.
    let mut d = prod.clone();
    d["alertmanager"]["smtp"]["require_tls"] = json!(false);
    d["alertmanager"]["smtp"]["auth_password_file"] = Value::Null;
    assert_eq!(ours(&d), set(&[]));

    let mut d = prod.clone();
    d["grafana"]["server"]["oauth"]["token_url"] = json!("http://sso.creativeflow.ai/token");
    d["grafana"]["server"]["oauth"]["userinfo_url"] = json!("http://sso.creativeflow.ai/userinfo");
    assert_eq!(ours(&d), set(&["grafana.server.oauth.token_url", "grafana.server.oauth.userinfo_url"]));

    let mut d = prod.clone();
    d["grafana"]["datasources"][0]["tls"]["insecure_skip_verify"] = json!(true);
    assert_eq!(ours(&d), set(&["grafana.datasources[0].tls.insecure_skip_verify"]));

    // dev has no TLS: a tenant pushed to Loki or a datasource's password goes in clear.
    let dev = spec("dev");
    let mut d = dev.clone();
    d["promtail"]["tenant_id"] = json!("creativeflow-dev");
    d["grafana"]["datasources"][1]["basic_auth"] =
        json!({"username": "grafana", "password_file": "/run/secrets/monstack/loki-password"});
    assert_eq!(ours(&d), set(&["promtail.loki_url", "grafana.datasources[1].url"]));

    // Prometheus' user for Alertmanager, without access.tls.
    let mut d = dev.clone();
    d["prometheus"]["alertmanagers"] = json!(["alertmanager:9093"]);
    d["access"] = json!({
        "users": [{"name": "grafana", "password_hash_file": "/run/secrets/monstack/grafana.bcrypt"}],
        "client": {"basic_auth": {"username": "grafana", "password_file": "/run/secrets/monstack/grafana.password"}},
    });
    let got = ours(&d);
    assert!(got.contains("access.client.basic_auth"), "{got:?}");
    // Grafana sends the same user to its Prometheus datasource.
    assert!(got.contains("grafana.datasources[0].url"), "{got:?}");

    // A scrape job with the service account's token over plain HTTP.
    let mut d = dev.clone();
    let (i, j) = job(&mut d, "kubernetes-cadvisor");
    j["scheme"] = json!("http");
    assert_eq!(ours(&d), set(&[&format!("scrape_jobs[{i}].scheme")]));
    let (_, j) = job(&mut d, "kubernetes-cadvisor");
    j["scheme"] = Value::Null;
    assert_eq!(ours(&d), set(&[]), "a service account scrapes https by default");
}

#[test]
fn loopback_peers_need_no_exception() {
    let mut doc = spec("prod");
    for (url, refused) in [
        ("http://127.0.0.1:9009/api/v1/push", false),
        ("http://localhost:9009/api/v1/push", false),
        ("http://[::1]:9009/api/v1/push", false),
        ("http://127.0.0.1.example.com/api/v1/push", true),
        ("http://10.0.0.1:9009/api/v1/push", true),
    ] {
        doc["prometheus"]["remote_write"][0]["url"] = json!(url);
        let expected = if refused { set(&["prometheus.remote_write[0].url"]) } else { set(&[]) };
        assert_eq!(ours(&doc), expected, "{url}");
    }
    // A static scrape job is let through only when every target is local.
    let mut doc = spec("staging");
    let (i, j) = job(&mut doc, "minio");
    j["scheme"] = json!("http");
    j["discovery"]["static"]["targets"] = json!(["127.0.0.1:9000", "minio.storage.staging.internal:9000"]);
    assert_eq!(ours(&doc), set(&[&format!("scrape_jobs[{i}].scheme")]));
    let (_, j) = job(&mut doc, "minio");
    j["discovery"]["static"]["targets"] = json!(["127.0.0.1:9000", "localhost:9001"]);
    assert_eq!(ours(&doc), set(&[]));
}

#[test]
fn an_exception_needs_a_reason_and_the_catalogue_lists_it() {
    let mut doc = spec("prod");
    doc["loki"]["storage"]["s3"]["insecure"] = json!(true);
    doc["loki"]["storage"]["s3"]["plaintext_credentials"] = json!({"reason": "  "});
    assert_eq!(ours(&doc), set(&["loki.storage.s3.plaintext_credentials.reason"]));

    let reason = "MinIO runs beside Loki in one Linkerd mesh, which encrypts between the pods";
    doc["loki"]["storage"]["s3"]["plaintext_credentials"] = json!({ "reason": reason });
    let bundle = monstack::build("prod.json", &serde_json::to_vec(&doc).unwrap()).unwrap_or_else(|d| panic!("{d:#?}"));
    let catalog = String::from_utf8(bundle.get("docs/catalog.md").unwrap().to_vec()).unwrap();
    let line = catalog.lines().find(|l| l.contains("`loki.storage.s3.insecure`")).expect("the exception is listed");
    assert!(line.contains("S3 access keys over plain HTTP") && line.contains(reason), "{line}");
    let html = String::from_utf8(bundle.get("docs/index.html").unwrap().to_vec()).unwrap();
    assert!(html.contains("<code>loki.storage.s3.insecure</code>") && html.contains(reason));
    // Without exceptions the catalogue says nothing of them.
    let plain = monstack::build("prod.json", &std::fs::read(example("prod")).unwrap()).unwrap();
    let catalog = String::from_utf8(plain.get("docs/catalog.md").unwrap().to_vec()).unwrap();
    assert!(!catalog.contains("plaintext_credentials"));
}
