//! The loopback bundle the end-to-end tests run: the server binaries, the dev environment made
//! to run on one machine, and rendering it with the monstack binary under test.
// Shared by several test crates, each using a part.
#![allow(dead_code)]

use super::common::{example, in_ci};
use super::http::Sink;
use super::procs::{Proc, which};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The server binaries, by their Debian names or upstream's.
pub struct Binaries {
    pub prometheus: PathBuf,
    pub alertmanager: PathBuf,
    pub node_exporter: PathBuf,
    /// The folder of the promtool and amtool of the same versions, when they are not the ones
    /// on PATH: `monstack check` of the bundle is run with it first on PATH.
    pub tools: Option<PathBuf>,
}

/// Where `.ci/install` unpacks Prometheus 3 and a current Alertmanager (Debian forky's), beside
/// the 2.53 and 0.28 on PATH.
pub const PROMETHEUS3: &str = "/opt/monstack/prometheus3/usr/bin";

impl Binaries {
    /// Prometheus 3, Alertmanager and their promtool and amtool from [`PROMETHEUS3`], with the
    /// node_exporter on PATH.
    pub fn prometheus3() -> Option<Binaries> {
        let dir = PathBuf::from(PROMETHEUS3);
        let missing: Vec<&str> = ["prometheus", "prometheus-alertmanager", "promtool", "amtool"]
            .into_iter()
            .filter(|name| !dir.join(name).is_file())
            .collect();
        let node_exporter = which(&["prometheus-node-exporter", "node_exporter"]);
        if !missing.is_empty() || node_exporter.is_none() {
            assert!(!in_ci(), "CI must provide {missing:?} in {PROMETHEUS3} and node_exporter; run .ci/install");
            eprintln!("SKIP: {missing:?} not in {PROMETHEUS3} or node_exporter not on PATH (install with .ci/install)");
            return None;
        }
        Some(Binaries {
            prometheus: dir.join("prometheus"),
            alertmanager: dir.join("prometheus-alertmanager"),
            node_exporter: node_exporter?,
            tools: Some(dir),
        })
    }

    /// `MAJOR.MINOR.PATCH` of a server binary, from its `--version` line (`prometheus, version
    /// 3.5.3+ds1 (…)`).
    pub fn version(bin: &Path) -> String {
        let o = Command::new(bin).arg("--version").output().unwrap();
        let text = String::from_utf8_lossy(if o.stdout.is_empty() { &o.stderr } else { &o.stdout }).into_owned();
        let word =
            text.split_whitespace().nth(2).unwrap_or_else(|| panic!("{}: no version in {text:?}", bin.display()));
        word.split(['+', '-', '~']).next().unwrap().to_string()
    }

    /// `PATH` for tools of these versions: [`Binaries::tools`] first.
    pub fn path(&self) -> std::ffi::OsString {
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let Some(dir) = &self.tools else { return inherited };
        std::env::join_paths(std::iter::once(dir.clone()).chain(std::env::split_paths(&inherited))).unwrap()
    }

    pub fn find() -> Option<Binaries> {
        let prometheus = which(&["prometheus"]);
        let alertmanager = which(&["prometheus-alertmanager", "alertmanager"]);
        let node_exporter = which(&["prometheus-node-exporter", "node_exporter"]);
        let missing: Vec<&str> = [
            ("prometheus", prometheus.is_none()),
            ("prometheus-alertmanager", alertmanager.is_none()),
            ("prometheus-node-exporter", node_exporter.is_none()),
        ]
        .iter()
        .filter_map(|&(name, absent)| absent.then_some(name))
        .collect();
        if !missing.is_empty() {
            assert!(!in_ci(), "CI must provide {missing:?}; run .ci/install");
            eprintln!("SKIP e2e: {} not on PATH (install with .ci/install)", missing.join(", "));
            return None;
        }
        Some(Binaries {
            prometheus: prometheus?,
            alertmanager: alertmanager?,
            node_exporter: node_exporter?,
            tools: None,
        })
    }
}

pub struct Ports {
    pub prometheus: u16,
    pub alertmanager: u16,
    pub node_exporter: u16,
}

/// The dev environment made to run on one machine: every scrape job gets a static loopback
/// target (Kubernetes discovery would fail outside a cluster) — node_exporter the real one, the
/// others the fake exporter, each job at its own metrics path; every receiver becomes a webhook
/// to the sink; and intervals, the alerts' `for` and Alertmanager's grouping waits are short so
/// that alerts arrive within seconds. Routes, teams, inhibitions and the catalogue stay dev's.
pub fn e2e_spec(ports: &Ports, sink: &Sink, exporter: SocketAddr) -> Value {
    let mut spec: Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    let real = [("node_exporter".to_string(), format!("127.0.0.1:{}", ports.node_exporter))].into();
    on_loopback(&mut spec, &real, exporter, sink, ports.alertmanager);
    spec["rules"]["overrides"]["TargetDown"] = json!({"for": "2s"});
    // AI-model alerts take their `for` from the model's thresholds.
    let models = spec["ai_models"]["models"].as_array_mut().unwrap();
    let model = models.iter_mut().find(|m| m["name"] == "image-gen-v2").expect("dev declares image-gen-v2");
    model["thresholds"]["latency_for"] = json!("2s");
    spec
}

/// Rewrites an environment to run on this machine, keeping its scrape jobs, routes and
/// catalogue: each job scrapes a static loopback target — `real[job]` where the test runs the
/// exporter (the job's metrics path and parameters kept), else the fake exporter at
/// `/metrics/<job>`; credentials and TLS of the real deployment are dropped; every receiver is
/// a webhook to the sink; time intervals that would mute a route (by the clock) are dropped;
/// intervals and grouping waits are a second. Prometheus sends to the Alertmanager on
/// `alertmanager`.
pub fn on_loopback(
    spec: &mut Value,
    real: &BTreeMap<String, String>,
    fake: SocketAddr,
    sink: &Sink,
    alertmanager: u16,
) {
    let prometheus = &mut spec["prometheus"];
    for key in ["scrape_interval", "scrape_timeout", "evaluation_interval"] {
        prometheus[key] = json!("1s");
    }
    prometheus["alertmanagers"] = json!([format!("127.0.0.1:{alertmanager}")]);
    for key in ["ha", "capacity", "external_url"] {
        prometheus[key] = Value::Null;
    }
    prometheus["remote_write"] = json!([]);
    spec.as_object_mut().unwrap().remove("access");
    // The stack's own jobs are derived from `meta`'s addresses, not from `scrape_jobs`: a test
    // that watches the stack declares its loopback addresses after this.
    crate::common::without_meta(spec);
    for job in spec["scrape_jobs"].as_array_mut().unwrap() {
        let name = job["name"].as_str().unwrap().to_string();
        let target = match real.get(&name) {
            Some(address) => address.clone(),
            None => {
                job["metrics_path"] = json!(format!("/metrics/{name}"));
                job["params"] = json!({});
                fake.to_string()
            }
        };
        job["discovery"] = json!({"static": {"targets": [target]}});
        // Scheme and credentials of the real deployment (TLS, service-account token) do not apply.
        for key in ["scheme", "tls", "basic_auth", "authorization"] {
            job[key] = Value::Null;
        }
    }
    let alertmanager = &mut spec["alertmanager"];
    alertmanager["slack_api_url_file"] = Value::Null;
    alertmanager["smtp"] = Value::Null;
    alertmanager["cluster"] = Value::Null;
    alertmanager["external_url"] = Value::Null;
    for receiver in alertmanager["receivers"].as_array_mut().unwrap() {
        let url = sink.url(receiver["name"].as_str().unwrap());
        for integration in ["email", "slack", "pagerduty"] {
            receiver[integration] = json!([]);
        }
        receiver["webhook"] = json!([{"url": url, "send_resolved": true}]);
    }
    alertmanager["time_intervals"] = json!([]);
    let mut routes = vec![&mut alertmanager["route"]];
    while let Some(route) = routes.pop() {
        route["mute_time_intervals"] = json!([]);
        route["active_time_intervals"] = json!([]);
        if let Some(children) = route["routes"].as_array_mut() {
            routes.extend(children.iter_mut());
        }
    }
    alertmanager["route"]["group_wait"] = json!("1s");
    alertmanager["route"]["group_interval"] = json!("1s");
    for timing in alertmanager["severity_timing"].as_object_mut().unwrap().values_mut() {
        timing["group_wait"] = json!("1s");
        timing["group_interval"] = json!("1s");
    }
}

/// Alertmanager on a bundle whose root is `bundle` (a live link the caller may switch), data in
/// `dir`. No HA gossip: it would listen on 0.0.0.0:9094.
pub fn alertmanager(bins: &Binaries, bundle: &Path, dir: &Path, port: u16) -> Proc {
    alertmanager_with(bins, bundle, dir, port, &["--cluster.listen-address="])
}

/// [`alertmanager`] with other flags (gossip on a loopback port, for its cluster metrics).
pub fn alertmanager_with(bins: &Binaries, bundle: &Path, dir: &Path, port: u16, extra: &[&str]) -> Proc {
    server(
        "alertmanager",
        &bins.alertmanager,
        bundle,
        "alertmanager/alertmanager.yml",
        "storage.path",
        dir,
        port,
        extra,
    )
}

/// Prometheus on a bundle whose root is `bundle`, data in `dir`, reloadable by `POST /-/reload`.
/// The first rule evaluation can come before the notifier knows Alertmanager; what it could not
/// send is sent again only after the resend delay (default 1m), so that is 2s.
pub fn prometheus(bins: &Binaries, bundle: &Path, dir: &Path, port: u16) -> Proc {
    server(
        "prometheus",
        &bins.prometheus,
        bundle,
        "prometheus/prometheus.yml",
        "storage.tsdb.path",
        dir,
        port,
        &["--web.enable-lifecycle", "--rules.alert.resend-delay=2s"],
    )
}

#[allow(clippy::too_many_arguments)]
fn server(
    name: &str,
    bin: &Path,
    bundle: &Path,
    config: &str,
    storage: &str,
    dir: &Path,
    port: u16,
    extra: &[&str],
) -> Proc {
    let mut command = Command::new(bin);
    command
        .arg(format!("--config.file={}", bundle.join(config).display()))
        .arg(format!("--{storage}={}", dir.join(format!("{name}-data")).display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .args(extra)
        .current_dir(dir);
    Proc::spawn(name, &mut command, &dir.join("logs"))
}

pub fn monstack() -> Command {
    Command::new(env!("CARGO_BIN_EXE_monstack"))
}

pub fn render(spec: &Value, out: &Path) -> PathBuf {
    let file = out.with_extension("json");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&file, serde_json::to_vec_pretty(spec).unwrap()).unwrap();
    let o = monstack().args(["render", "--spec"]).arg(&file).arg("--out").arg(out).output().unwrap();
    assert!(o.status.success(), "render {}: {}", out.display(), String::from_utf8_lossy(&o.stderr));
    out.to_path_buf()
}
