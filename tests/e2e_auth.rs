//! End to end on loopback with access control: the dev environment with `access` declared (TLS
//! on every server, a basic-auth user, mutual TLS on Alertmanager) runs on real Prometheus and
//! Alertmanager. The servers are started with the bundle's own `flags.json`; their web
//! configurations are assembled from the bundle by `monstack web-config` and pass
//! `promtool check web-config`. Anonymous requests get 401 (or no TLS session at all without a
//! client certificate), authenticated ones 200, and alerts still flow from Prometheus to
//! Alertmanager (TLS, client certificate, basic auth from files) and on to the receiver. A
//! two-member Alertmanager cluster gossips over mutual TLS.
//!
//! Loopback only, free ports, bounded waits, own processes only (see tests/e2e.rs). Without the
//! server binaries or openssl the test prints SKIP; in CI (`.ci/install`) they must be present.

mod common;
#[path = "e2e/http.rs"]
mod http;
#[path = "e2e/loopback.rs"]
mod loopback;
#[path = "e2e/procs.rs"]
mod procs;

use common::in_ci;
use http::{Client, Exporter, Sink};
use loopback::{Binaries, Ports, e2e_spec, monstack, render};
use procs::{Proc, free_port, wait_until, which};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const SETTLE: Duration = Duration::from_secs(60);
const USER: &str = "grafana";
const PASSWORD: &str = "e2e-only-password";

#[test]
fn a_secured_bundle_refuses_anonymous_requests_and_still_delivers_alerts() {
    // The exporter serves the scrapes while it lives.
    let Some(Setup { bins, tmp, logs, pki, secrets, sink, exporter: _exporter, ports, spec }) = Setup::new() else {
        return;
    };
    let dir = tmp.path();
    let bundle = dir.join("bundle");
    // Installed where it is rendered, so flags.json's absolute paths point into it.
    render_at(&spec, &bundle);

    // No hash, password or key is in the bundle; the web config names their files only.
    let rendered = common::read_tree(&bundle);
    let hash = std::fs::read_to_string(secrets.join("grafana.bcrypt")).unwrap();
    let key = std::fs::read_to_string(&pki.server_key).unwrap();
    for (path, bytes) in &rendered {
        let text = String::from_utf8_lossy(bytes);
        for secret in [hash.as_str(), PASSWORD, key.trim()] {
            assert!(!text.contains(secret), "{path} holds a secret");
        }
    }
    assert!(
        rendered.contains_key("prometheus/web-config.yml") && rendered.contains_key("alertmanager/web-secrets.json")
    );

    let check = Proc::spawn("check", monstack().arg("check").arg(&bundle).env("TMPDIR", dir), &logs);
    let (status, output) = check.finish(Duration::from_secs(300));
    assert!(status.success(), "monstack check refused the secured bundle:\n{output}");

    // Prometheus' from the declared files, Alertmanager's from systemd-style credentials (as the
    // NixOS module does), so that both ways of assembling serve real requests below.
    let web = |component: &str, credentials: Option<&Path>| -> PathBuf {
        let out = dir.join(format!("{component}-web.yml"));
        let mut command = monstack();
        command.arg("web-config").arg(bundle.join(component)).arg("--out").arg(&out);
        command.args(credentials.map(|c| format!("--credentials={}", c.display())));
        let o = command.output().unwrap();
        assert!(o.status.success(), "web-config {component}: {}", String::from_utf8_lossy(&o.stderr));
        if let Some(c) = credentials {
            let text = std::fs::read_to_string(&out).unwrap();
            assert!(
                text.contains(&format!("{}/tls-key", c.display())),
                "TLS files not read from the credentials:\n{text}"
            );
        }
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&out).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600, "the assembled file holds hashes: owner-only");
        let promtool = Command::new("promtool").arg("check").arg("web-config").arg(&out).output().unwrap();
        assert!(promtool.status.success(), "promtool check web-config {component}: {promtool:?}");
        out
    };
    let prometheus_web = web("prometheus", None);
    let credentials = credentials_dir(&bundle.join("alertmanager"), &dir.join("alertmanager-credentials"));
    let alertmanager_web = web("alertmanager", Some(&credentials));
    // A hash file that holds a password in clear is refused, and nothing is written.
    let bad = bundle_copy_with_plain_hash(&bundle, &secrets, dir);
    let refused = dir.join("refused-web.yml");
    let o = monstack().arg("web-config").arg(bad.join("prometheus")).arg("--out").arg(&refused).output().unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("bcrypt"), "{o:?}");
    assert!(!refused.exists());

    let flags: Value = serde_json::from_slice(&rendered["prometheus/flags.json"]).unwrap();
    let prometheus = start("prometheus", &bins.prometheus, &flags, &prometheus_web, ports.prometheus, &logs);
    let flags: Value = serde_json::from_slice(&rendered["alertmanager/flags.json"]).unwrap();
    let alertmanager = start("alertmanager", &bins.alertmanager, &flags, &alertmanager_web, ports.alertmanager, &logs);

    let prom = format!("https://127.0.0.1:{}", ports.prometheus);
    let am = format!("https://127.0.0.1:{}", ports.alertmanager);
    let anonymous = Client::with_tls(&pki.ca, None);
    let wrong = Client::with_tls(&pki.ca, None).basic_auth(USER, "wrong");
    let user = Client::with_tls(&pki.ca, None).basic_auth(USER, PASSWORD);
    let cert_only = Client::with_tls(&pki.ca, Some((&pki.client_cert, &pki.client_key)));
    let cert_and_user = Client::with_tls(&pki.ca, Some((&pki.client_cert, &pki.client_key))).basic_auth(USER, PASSWORD);
    let status = |client: &Client, url: &str| client.get(url, &[]).map(|(s, _)| s);

    wait_until("Prometheus ready", SETTLE, || match status(&user, &format!("{prom}/-/ready"))? {
        200 => Ok(()),
        s => Err(format!("HTTP {s}")),
    });
    wait_until("Alertmanager ready", SETTLE, || match status(&cert_and_user, &format!("{am}/-/ready"))? {
        200 => Ok(()),
        s => Err(format!("HTTP {s}")),
    });

    // Prometheus: TLS and basic auth.
    let query = format!("{prom}/api/v1/query?query=up");
    assert_eq!(status(&anonymous, &query), Ok(401), "anonymous request to Prometheus");
    assert_eq!(status(&wrong, &query), Ok(401), "wrong password to Prometheus");
    assert_eq!(status(&user, &query), Ok(200), "authenticated request to Prometheus");
    assert!(Client::new().get(&query.replace("https:", "http:"), &[]).map_or(true, |(s, _)| s != 200));
    // Alertmanager: mutual TLS, then basic auth.
    let alerts = format!("{am}/api/v2/alerts");
    assert!(status(&user, &alerts).is_err(), "Alertmanager accepted a TLS session without a client certificate");
    assert_eq!(status(&cert_only, &alerts), Ok(401), "client certificate without user to Alertmanager");
    assert_eq!(status(&cert_and_user, &alerts), Ok(200), "client certificate and user to Alertmanager");

    // Prometheus sends to Alertmanager over TLS with the client's certificate and user, and
    // Alertmanager delivers: the Watchdog (always firing) reaches its receiver.
    wait_until("Watchdog delivered through the secured path", SETTLE, || {
        let seen: Vec<String> = sink
            .notifications()
            .iter()
            .flat_map(|n| n.alerts().into_iter().map(|a| a["labels"]["alertname"].to_string()))
            .collect();
        if seen.iter().any(|a| a == "\"Watchdog\"") { Ok(()) } else { Err(format!("received so far: {seen:?}")) }
    });
    let notifier = user.get_json(&format!("{prom}/api/v1/alertmanagers"), &[]).unwrap();
    let active = notifier["data"]["activeAlertmanagers"].to_string();
    assert!(active.contains(&format!("https://127.0.0.1:{}", ports.alertmanager)), "{notifier}");
    drop((prometheus, alertmanager));
}

/// What both tests start from: the binaries, a temp folder with a PKI and the user's secret
/// files, the webhook sink and fake exporter, and the e2e spec secured by `secure`. `None` (after
/// printing SKIP) without the binaries or openssl.
struct Setup {
    bins: Binaries,
    tmp: tempfile::TempDir,
    logs: PathBuf,
    pki: Pki,
    secrets: PathBuf,
    sink: Sink,
    exporter: Exporter,
    ports: Ports,
    spec: Value,
}

impl Setup {
    fn new() -> Option<Setup> {
        let bins = Binaries::find()?;
        let Some(openssl) = which(&["openssl"]) else {
            assert!(!in_ci(), "CI must provide openssl; run .ci/install");
            eprintln!("SKIP e2e_auth: openssl not on PATH");
            return None;
        };
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let logs = dir.join("logs");
        std::fs::create_dir(&logs).unwrap();
        let pki = Pki::make(&openssl, &dir.join("pki"), &logs);
        let secrets = dir.join("secrets");
        std::fs::create_dir(&secrets).unwrap();
        // Cost 4, bcrypt's lowest: the servers verify it on every request.
        std::fs::write(secrets.join("grafana.bcrypt"), bcrypt::hash(PASSWORD, 4).unwrap()).unwrap();
        std::fs::write(secrets.join("grafana.password"), PASSWORD).unwrap();
        let sink = Sink::start();
        let exporter = Exporter::start();
        let ports = Ports { prometheus: free_port(), alertmanager: free_port(), node_exporter: free_port() };
        let mut spec = e2e_spec(&ports, &sink, exporter.addr());
        secure(&mut spec, &pki, &secrets, dir);
        Some(Setup { bins, tmp, logs, pki, secrets, sink, exporter, ports, spec })
    }
}

/// Access control over the e2e spec: TLS on every server (mutual on Alertmanager), the user
/// `grafana`, the clients' credentials; data folders in the test's folder.
fn secure(spec: &mut Value, pki: &Pki, secrets: &Path, dir: &Path) {
    let s = |p: &Path| p.to_string_lossy().into_owned();
    spec["access"] = json!({
        "tls": {
            "cert_file": s(&pki.server_cert_file), "key_file": s(&pki.server_key),
            "client_ca_file": s(&pki.ca_file), "client_cert_required": ["alertmanager"]
        },
        "users": [{ "name": USER, "password_hash_file": s(&secrets.join("grafana.bcrypt")) }],
        "client": {
            "basic_auth": { "username": USER, "password_file": s(&secrets.join("grafana.password")) },
            "tls": { "ca_file": s(&pki.ca_file), "cert_file": s(&pki.client_cert_file), "key_file": s(&pki.client_key_file) }
        }
    });
    // The SLOs' 30-day windows are read from local data: validation wants it kept that long.
    spec["prometheus"]["storage"] = json!({ "path": s(&dir.join("prometheus-data")), "retention_time": "30d" });
    spec["alertmanager"]["storage_path"] = json!(s(&dir.join("alertmanager-data")));
    // The stack's clients of its own servers speak TLS.
    for d in spec["grafana"]["datasources"].as_array_mut().unwrap() {
        let url = d["url"].as_str().unwrap().replace("http://", "https://");
        d["url"] = json!(url);
    }
    let loki = spec["promtail"]["loki_url"].as_str().unwrap().replace("http://", "https://");
    spec["promtail"]["loki_url"] = json!(loki);
}

fn render_at(spec: &Value, bundle: &Path) {
    let mut spec = spec.clone();
    spec["install_prefix"] = json!(bundle.to_string_lossy());
    render(&spec, bundle);
}

/// What systemd's `LoadCredential` makes of a component's web-secrets.json: a folder holding
/// each declared file under its credential name.
fn credentials_dir(component: &Path, out: &Path) -> PathBuf {
    std::fs::create_dir_all(out).unwrap();
    let secrets: Value = serde_json::from_slice(&std::fs::read(component.join("web-secrets.json")).unwrap()).unwrap();
    for list in ["users", "tls", "cluster_tls"] {
        for entry in secrets[list].as_array().into_iter().flatten() {
            let declared = entry["path"].as_str().or(entry["password_hash_file"].as_str()).unwrap();
            std::fs::copy(declared, out.join(entry["credential"].as_str().unwrap())).unwrap();
        }
    }
    out.to_path_buf()
}

/// A copy of the bundle whose first user's hash file holds the password in clear.
fn bundle_copy_with_plain_hash(bundle: &Path, secrets: &Path, dir: &Path) -> PathBuf {
    let copy = dir.join("bad-bundle/prometheus");
    std::fs::create_dir_all(&copy).unwrap();
    for f in ["web-config.yml", "web-secrets.json"] {
        std::fs::copy(bundle.join("prometheus").join(f), copy.join(f)).unwrap();
    }
    let plain = secrets.join("plain.bcrypt");
    std::fs::write(&plain, PASSWORD).unwrap();
    let mut s: Value = serde_json::from_slice(&std::fs::read(copy.join("web-secrets.json")).unwrap()).unwrap();
    s["users"][0]["password_hash_file"] = json!(plain.to_string_lossy());
    std::fs::write(copy.join("web-secrets.json"), s.to_string()).unwrap();
    copy.parent().unwrap().to_path_buf()
}

/// Starts a server with its role `server` arguments from the bundle's flags.json; the web
/// config path (a run-time folder on hosts) is the test's assembled file, and it listens on
/// loopback.
fn start(name: &str, bin: &Path, flags: &Value, web: &Path, port: u16, logs: &Path) -> Proc {
    start_role(name, bin, &flags["roles"]["server"], &[("--web.config.file", web)], port, logs)
}

/// Starts `role`'s arguments with the flags named in `replace` given the test's paths (each
/// must be among the role's arguments).
fn start_role(name: &str, bin: &Path, role: &Value, replace: &[(&str, &Path)], port: u16, logs: &Path) -> Proc {
    let mut command = Command::new(bin);
    let mut seen = Vec::new();
    for arg in role.as_array().unwrap_or_else(|| panic!("{name}: no such role in flags.json")) {
        let arg = arg.as_str().unwrap();
        let flag = arg.split('=').next().unwrap();
        match replace.iter().find(|(f, _)| *f == flag) {
            Some((f, path)) => {
                seen.push(*f);
                command.arg(format!("{f}={}", path.display()));
            }
            None => {
                command.arg(arg);
            }
        }
    }
    for (f, _) in replace {
        assert!(seen.contains(f), "{name}'s flags.json has no {f}");
    }
    command.arg(format!("--web.listen-address=127.0.0.1:{port}"));
    if name == "prometheus" {
        // What it could not send before Alertmanager was up is sent again after this delay.
        command.arg("--rules.alert.resend-delay=2s");
    }
    Proc::spawn(name, &mut command, logs)
}

/// Two Alertmanagers of a cluster, with `access.tls`: the bundle's `cluster-tls.yml` makes them
/// gossip over mutual TLS. They form the cluster, and a silence created on one reaches the
/// other (silences travel only by gossip).
#[test]
fn alertmanager_peers_gossip_over_mutual_tls() {
    let Some(Setup { bins, tmp, logs, pki, ports, mut spec, .. }) = Setup::new() else { return };
    let dir = tmp.path();
    let (web1, gossip) = (free_port(), [free_port(), free_port()]);
    spec["prometheus"]["alertmanagers"] =
        json!([format!("127.0.0.1:{}", ports.alertmanager), format!("127.0.0.1:{web1}")]);
    spec["alertmanager"]["cluster"] = json!({
        "peers": gossip.map(|p| format!("127.0.0.1:{p}")),
        "listen_host": "127.0.0.1",
        "pushpull_interval": "1s",
        "peer_timeout": "1s"
    });
    let bundle = dir.join("bundle");
    render_at(&spec, &bundle);
    let rendered = common::read_tree(&bundle);
    assert!(rendered.contains_key("alertmanager/cluster-tls.yml"), "no gossip TLS rendered");

    let web = dir.join("alertmanager-web.yml");
    let cluster_tls = dir.join("alertmanager-cluster-tls.yml");
    let credentials = credentials_dir(&bundle.join("alertmanager"), &dir.join("credentials"));
    let o = monstack()
        .arg("web-config")
        .arg(bundle.join("alertmanager"))
        .arg("--out")
        .arg(&web)
        .arg("--credentials")
        .arg(&credentials)
        .arg("--cluster-tls-out")
        .arg(&cluster_tls)
        .output()
        .unwrap();
    assert!(o.status.success(), "web-config: {}", String::from_utf8_lossy(&o.stderr));

    let flags: Value = serde_json::from_slice(&rendered["alertmanager/flags.json"]).unwrap();
    let members: Vec<Proc> = [ports.alertmanager, web1]
        .iter()
        .enumerate()
        .map(|(i, port)| {
            let data = dir.join(format!("alertmanager-{i}-data"));
            let replace = [
                ("--web.config.file", web.as_path()),
                ("--cluster.tls-config", &cluster_tls),
                ("--storage.path", &data),
            ];
            start_role(
                &format!("alertmanager-{i}"),
                &bins.alertmanager,
                &flags["roles"][format!("member-{i}")],
                &replace,
                *port,
                &logs,
            )
        })
        .collect();
    let client = Client::with_tls(&pki.ca, Some((&pki.client_cert, &pki.client_key))).basic_auth(USER, PASSWORD);
    let urls = [ports.alertmanager, web1].map(|p| format!("https://127.0.0.1:{p}"));
    for url in &urls {
        wait_until(&format!("{url} in a ready cluster of 2 over TLS"), SETTLE, || {
            let status = client.get_json(&format!("{url}/api/v2/status"), &[])?;
            let peers = status["cluster"]["peers"].as_array().map_or(0, Vec::len);
            if status["cluster"]["status"] == "ready" && peers == 2 {
                Ok(())
            } else {
                Err(status["cluster"].to_string())
            }
        });
    }
    let silence = json!({
        "matchers": [{"name": "alertname", "value": "E2eGossip", "isRegex": false, "isEqual": true}],
        "startsAt": "2020-01-01T00:00:00Z", "endsAt": "2100-01-01T00:00:00Z",
        "createdBy": "e2e", "comment": "travels by gossip"
    });
    let (status, body) = client.post(&format!("{}/api/v2/silences", urls[0]), Some(&silence)).unwrap();
    assert_eq!(status, 200, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["silenceID"].as_str().unwrap().to_string();
    wait_until("the silence gossiped to the other member", SETTLE, || {
        let all = client.get_json(&format!("{}/api/v2/silences", urls[1]), &[])?;
        if all.as_array().is_some_and(|a| a.iter().any(|s| s["id"] == id.as_str())) {
            Ok(())
        } else {
            Err(format!("member 1 has {all}"))
        }
    });
    let log = std::fs::read_to_string(logs.join("alertmanager-0.log")).unwrap_or_default();
    assert!(log.contains("using TLS for gossip"), "member 0 gossips without TLS:\n{log}");
    drop(members);
}

/// A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with
/// openssl.
struct Pki {
    ca: Vec<u8>,
    ca_file: PathBuf,
    server_cert_file: PathBuf,
    server_key: PathBuf,
    client_cert: Vec<u8>,
    client_key: Vec<u8>,
    client_cert_file: PathBuf,
    client_key_file: PathBuf,
}

impl Pki {
    fn make(openssl: &Path, dir: &Path, logs: &Path) -> Pki {
        std::fs::create_dir_all(dir).unwrap();
        let run = |args: &[&str]| {
            let o = Command::new(openssl).args(args).current_dir(dir).output().unwrap();
            if !o.status.success() {
                std::fs::write(logs.join("openssl.log"), &o.stderr).unwrap();
                panic!("openssl {args:?}: {}", String::from_utf8_lossy(&o.stderr));
            }
        };
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        run(&[
            &["req", "-x509"][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=monstack e2e CA"],
        ]
        .concat());
        // X.509 v3 extensions (rustls refuses v1 certificates).
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
        for name in ["server", "client"] {
            let (key, csr, crt, ext) =
                (format!("{name}.key"), format!("{name}.csr"), format!("{name}.crt"), format!("{name}.ext"));
            run(&[&["req"][..], &ec, &["-keyout", &key, "-out", &csr, "-subj", &format!("/CN=monstack e2e {name}")]]
                .concat());
            let mut sign = vec!["x509", "-req", "-in", &csr, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"];
            sign.extend(["-out", &crt, "-days", "1", "-extfile", &ext]);
            run(&sign);
        }
        let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
        Pki {
            ca: read("ca.crt"),
            ca_file: dir.join("ca.crt"),
            server_cert_file: dir.join("server.crt"),
            server_key: dir.join("server.key"),
            client_cert: read("client.crt"),
            client_key: read("client.key"),
            client_cert_file: dir.join("client.crt"),
            client_key_file: dir.join("client.key"),
        }
    }
}
