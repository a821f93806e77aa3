//! The scrape model (`src/scrape`) against the real thing: Prometheus 2.53 on loopback scrapes a
//! fake exporter through jobs rendered by monstack — target labels that collide with the
//! exporter's, `honor_labels`, a labeldrop of the discovery's labels, repeated `exported_`
//! prefixes, empty values, metric relabeling — and every series it stores must be the one the
//! model says it stores (the model feeds the alert tests' input series, so it must not be
//! kinder than Prometheus).
//!
//! Every server binds 127.0.0.1 on a free port, every wait is bounded, and the test stops only
//! the Prometheus it started (Drop). Without the server binaries it prints SKIP; in CI they must
//! be present.

mod common;
#[path = "e2e/http.rs"]
mod http;
#[path = "e2e/loopback.rs"]
mod loopback;
#[path = "e2e/procs.rs"]
mod procs;

use http::{Client, Exporter, Sink};
use loopback::{Binaries, Ports, e2e_spec, render};
use procs::{Proc, free_port, wait_until};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::Duration;

type Labels = BTreeMap<String, String>;

/// What the fake exporter exposes, one series per entry: metric and labels (empty values too).
const EXPOSED: &[(&str, &[(&str, &str)])] = &[
    ("kube_pod_labels", &[("namespace", "ai-models"), ("pod", "model-0"), ("label_ai_model_name", "m1")]),
    ("DCGM_FI_DEV_GPU_UTIL", &[("gpu", "0"), ("Hostname", "gpu-node-1"), ("namespace", ""), ("pod", "model-1")]),
    ("kube_node_info", &[("node", "node-1")]),
    ("collides", &[("job", "j"), ("exported_job", "e"), ("instance", "i")]),
    ("go_goroutines", &[]),
];

fn exposition() -> String {
    let mut out = String::new();
    for (metric, labels) in EXPOSED {
        let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        out.push_str(&format!("{metric}{{{}}} 1\n", pairs.join(",")));
    }
    out
}

/// The jobs under test: each a way a scrape can treat the exporter's labels (each also gets a
/// `case` label naming it).
fn jobs() -> Vec<Value> {
    let discovery_like = json!({"namespace": "kube-system", "pod": "exporter-0", "exported_job": "x"});
    vec![
        json!({"name": "model-renaming", "labels": discovery_like}),
        json!({"name": "model-honouring", "honor_labels": true, "labels": discovery_like}),
        json!({"name": "model-dropping", "honor_labels": true, "labels": discovery_like,
               "relabel_configs": [{"action": "labeldrop", "regex": "namespace|pod"}]}),
        json!({"name": "model-metric-relabel", "labels": {"service": "s"},
        "metric_relabel_configs": [
            {"source_labels": ["__name__"], "regex": "go_.*", "action": "drop"},
            {"source_labels": ["__name__", "node"], "regex": "kube_(.*);(.+)", "target_label": "what", "replacement": "$1 on $2"},
            {"action": "labeldrop", "regex": "Hostname"}
        ]}),
    ]
}

#[test]
fn prometheus_stores_what_the_scrape_model_says() {
    let Some(bins) = Binaries::find() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let exporter = Exporter::start();
    let sink = Sink::start();
    let ports = Ports { prometheus: free_port(), alertmanager: free_port(), node_exporter: free_port() };
    let mut spec = e2e_spec(&ports, &sink, exporter.addr());
    for mut job in jobs() {
        let name = job["name"].as_str().unwrap().to_string();
        job["discovery"] = json!({"static": {"targets": [exporter.addr().to_string()]}});
        // Found by this label: with honor_labels, the exporter's own `job` wins.
        job["labels"]["case"] = json!(name);
        job["metrics_path"] = json!(format!("/metrics/{name}"));
        exporter.serve(&format!("/metrics/{name}"), Box::new(|_| exposition()));
        spec["scrape_jobs"].as_array_mut().unwrap().push(job);
    }
    let bundle = render(&spec, &dir.join("bundle"));
    let loaded = monstack::spec::load("spec.json", &serde_json::to_vec(&spec).unwrap()).unwrap().spec;

    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let mut prometheus = Proc::spawn(
        "prometheus",
        Command::new(&bins.prometheus)
            .arg(format!("--config.file={}", bundle.join("prometheus/prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{}", ports.prometheus))
            .current_dir(dir),
        &dir.join("logs"),
    );
    let client = Client::new();
    let url = format!("http://127.0.0.1:{}/api/v1/query", ports.prometheus);
    let mut compared = 0;
    for job in jobs() {
        let name = job["name"].as_str().unwrap();
        let scrape = monstack::scrape::Scrape::of(&loaded, name).expect("the job has a target");
        let expected: BTreeSet<Labels> =
            EXPOSED.iter().filter_map(|(metric, labels)| scrape.stored(metric, labels)).collect();
        let query = format!("{{case=\"{name}\", __name__!~\"up|scrape_.*\"}}");
        let stored = wait_until(&format!("{name}'s series stored"), Duration::from_secs(60), || {
            let body = client.get_json(&url, &[("query", &query)])?;
            let got: BTreeSet<Labels> = body["data"]["result"]
                .as_array()
                .ok_or_else(|| format!("{body}"))?
                .iter()
                .map(|r| serde_json::from_value(r["metric"].clone()).unwrap())
                .collect();
            if got.len() < expected.len() {
                return Err(format!("{} of {} series so far", got.len(), expected.len()));
            }
            Ok(got)
        });
        assert!(prometheus.is_running(), "prometheus exited:\n{}", prometheus.log_text(4000));
        assert_eq!(stored, expected, "{name}: what Prometheus stores (left) against the model (right)");
        compared += stored.len();
    }
    assert!(compared >= 17, "compared {compared} series");
    // The cases hold what they are for: renaming, honouring, dropping, metric relabeling.
    let s = |job: &str, metric: &str| {
        monstack::scrape::Scrape::of(&loaded, job)
            .unwrap()
            .stored(metric, EXPOSED.iter().find(|e| e.0 == metric).unwrap().1)
    };
    assert_eq!(s("model-renaming", "kube_pod_labels").unwrap()["exported_namespace"], "ai-models");
    assert_eq!(s("model-renaming", "collides").unwrap()["exported_exported_job"], "j");
    assert_eq!(s("model-honouring", "kube_pod_labels").unwrap()["namespace"], "ai-models");
    assert!(!s("model-dropping", "kube_node_info").unwrap().contains_key("namespace"));
    assert!(s("model-metric-relabel", "go_goroutines").is_none());
    assert_eq!(s("model-metric-relabel", "kube_node_info").unwrap()["what"], "node_info on node-1");
    prometheus.stop();
}
