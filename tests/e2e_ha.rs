//! The scale-out topology on loopback, with Debian's Prometheus and Alertmanager: an HA pair of
//! Prometheus replicas rendered by monstack (`prometheus.ha`) remote-writes to a third
//! Prometheus started with `--web.enable-remote-write-receiver`, standing in for Mimir or Thanos,
//! and sends its alerts to both members of an Alertmanager cluster (`alertmanager.cluster`,
//! started with `render::alertmanager::cluster_args`). The test checks that
//!
//! - the store holds every series from both replicas, the two copies differing only in the
//!   replica label;
//! - an alert both replicas fire (the Watchdog), which both Alertmanagers receive, is delivered
//!   exactly once: the cluster deduplicates it (a duplicate would arrive within the members'
//!   `peer_timeout`; the test waits well past it);
//! - with one replica and one Alertmanager killed, a new alert is still delivered.
//!
//! Every server binds 127.0.0.1 on a free port (gossip too); every wait is bounded; the test
//! stops only the processes it started (by their handles, also on panic). Without the binaries
//! it prints SKIP; in CI they must be present.

mod common;
#[path = "e2e/http.rs"]
mod http;
#[path = "e2e/loopback.rs"]
mod loopback;
#[path = "e2e/procs.rs"]
mod procs;

use common::{example, in_ci};
use http::{Client, Exporter, Sink};
use loopback::render;
use monstack::render::{alertmanager::cluster_args, prometheus};
use procs::{Proc, free_port, wait_until, which};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Scrapes, rule evaluations, remote write batches and notifications each take a second or two
/// here; the margin is for loaded CI machines.
const SETTLE: Duration = Duration::from_secs(60);
/// Each member waits `peer_timeout` × its position in the cluster before it notifies, and first
/// checks the gossiped notification log: a duplicate would arrive about 3s after the first
/// delivery. The test waits longer than that before it counts.
const PEER_TIMEOUT: &str = "3s";
const DUPLICATE_WINDOW: Duration = Duration::from_secs(10);
const REPLICA_LABEL: &str = "replica";

#[test]
fn an_ha_pair_writes_both_copies_to_the_store_and_the_alertmanager_cluster_notifies_once() {
    let Some(bins) = Binaries::find() else { return };
    let started = Instant::now();
    let mark = |what: &str| eprintln!("e2e_ha: {what} at {:.1}s", started.elapsed().as_secs_f64());
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let sink = Sink::start();
    let exporter = Exporter::start();
    let ports = Ports::new();
    let bundle = tmp.path().join("bundle");
    let spec = ha_spec(&ports, &sink, &exporter, &bundle);
    render(&spec, &bundle);
    let model = monstack::model("spec.json", &serde_json::to_vec(&spec).unwrap()).unwrap_or_else(|d| panic!("{d:?}"));
    let instances = prometheus::instances(&model.spec, model.capacity.shards);
    let names: Vec<String> = instances.iter().map(|i| i.config_file()).collect();
    assert_eq!(names, ["prometheus.a.yml", "prometheus.b.yml"]);
    assert!(!bundle.join("prometheus/prometheus.yml").exists(), "an HA bundle has no replica-less configuration");
    mark("bundle rendered");

    let client = Client::new();
    let store_config = tmp.path().join("store.yml");
    // The store scrapes nothing: it only receives. Its configuration is the test's own.
    std::fs::write(&store_config, "global:\n  scrape_interval: 1s\n").unwrap();
    let data = |name: &str| tmp.path().join(format!("{name}-data"));
    let _store = Proc::spawn(
        "store",
        Command::new(&bins.prometheus)
            .arg(format!("--config.file={}", store_config.display()))
            .arg(format!("--storage.tsdb.path={}", data("store").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{}", ports.store))
            .arg("--web.enable-remote-write-receiver"),
        &logs,
    );
    let mut alertmanagers: Vec<Proc> = (0..2)
        .map(|i| {
            let name = format!("alertmanager-{i}");
            Proc::spawn(
                &name,
                Command::new(&bins.alertmanager)
                    .arg(format!("--config.file={}", bundle.join("alertmanager/alertmanager.yml").display()))
                    .arg(format!("--storage.path={}", data(&name).display()))
                    .arg(format!("--web.listen-address=127.0.0.1:{}", ports.alertmanager[i]))
                    .args(cluster_args(&model.spec.alertmanager, i)),
                &logs,
            )
        })
        .collect();
    let mut replicas: Vec<Proc> = instances
        .iter()
        .zip(&ports.replicas)
        .map(|(instance, port)| {
            let name = format!("prometheus-{}", instance.replica.as_deref().unwrap());
            Proc::spawn(
                &name,
                Command::new(&bins.prometheus)
                    .args(prometheus::replica_args(&model.spec, instance))
                    .arg(format!("--storage.tsdb.path={}", data(&name).display()))
                    .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                    // The first rule evaluation can come before the notifier knows the
                    // Alertmanagers; what it could not send is sent again after this delay.
                    .arg("--rules.alert.resend-delay=2s"),
                &logs,
            )
        })
        .collect();
    let urls = |ports: &[u16]| ports.iter().map(|p| format!("http://127.0.0.1:{p}")).collect::<Vec<_>>();
    let (replica_urls, am_urls) = (urls(&ports.replicas), urls(&ports.alertmanager));
    let store_url = format!("http://127.0.0.1:{}", ports.store);
    for url in replica_urls.iter().chain(&am_urls).chain([&store_url]) {
        wait_until(&format!("{url} ready"), SETTLE, || ready(&client, url));
    }
    for url in &am_urls {
        wait_until(&format!("{url} in a cluster of 2"), SETTLE, || cluster_size(&client, url, 2));
    }
    mark("servers ready, cluster formed");

    // 1. The store holds each series twice, once per replica, otherwise identical.
    let jobs = spec["scrape_jobs"].as_array().unwrap().len();
    let copies =
        wait_until("both replicas' series in the store", SETTLE, || store_holds_both_copies(&client, &store_url, jobs));
    mark(&format!("store holds {copies} series twice, by replica"));

    // 2. Both replicas fire the Watchdog, both Alertmanagers receive it, the sink gets it once.
    for url in &replica_urls {
        wait_until(&format!("Watchdog firing on {url}"), SETTLE, || watchdog_firing(&client, url));
    }
    for url in &am_urls {
        wait_until(&format!("Watchdog received by {url}"), SETTLE, || alertmanager_holds(&client, url, "Watchdog"));
    }
    let first = wait_until("Watchdog delivered", SETTLE, || {
        deliveries(&sink, "Watchdog").first().cloned().ok_or("none".to_string())
    });
    assert!(first["labels"].get(REPLICA_LABEL).is_none(), "the replica label reached Alertmanager: {first}");
    std::thread::sleep(DUPLICATE_WINDOW);
    let delivered = deliveries(&sink, "Watchdog");
    assert_eq!(delivered.len(), 1, "the cluster delivered the Watchdog {} times: {delivered:?}", delivered.len());
    mark("Watchdog from both replicas delivered exactly once");
    let (bytes, samples) = (
        metric(&client, &replica_urls[0], "prometheus_remote_storage_bytes_total"),
        metric(&client, &replica_urls[0], "prometheus_remote_storage_samples_total"),
    );
    eprintln!(
        "e2e_ha: replica a sent {samples} samples in {bytes} compressed bytes: {:.1} bytes/sample",
        bytes / samples.max(1.0)
    );

    // 3. One replica and one Alertmanager (the first member, which notifies first) go away; a
    //    new alert still arrives.
    replicas[1].stop();
    alertmanagers[0].stop();
    exporter.serve("/metrics/redis_exporter", Box::new(|_| "redis_up 0\n".to_string()));
    let down = wait_until("RedisDown delivered by the surviving pair", SETTLE, || {
        deliveries(&sink, "RedisDown").first().cloned().ok_or("none".to_string())
    });
    assert_eq!(down["labels"]["job"], "redis_exporter");
    assert!(replicas[0].is_running() && alertmanagers[1].is_running(), "a surviving server exited");
    mark("alert delivered with one replica and one Alertmanager down");
}

struct Binaries {
    prometheus: PathBuf,
    alertmanager: PathBuf,
}

impl Binaries {
    fn find() -> Option<Binaries> {
        let prometheus = which(&["prometheus"]);
        let alertmanager = which(&["prometheus-alertmanager", "alertmanager"]);
        match (prometheus, alertmanager) {
            (Some(prometheus), Some(alertmanager)) => Some(Binaries { prometheus, alertmanager }),
            _ => {
                assert!(!in_ci(), "CI must provide prometheus and prometheus-alertmanager; run .ci/install");
                eprintln!("SKIP e2e_ha: prometheus or prometheus-alertmanager not on PATH (install with .ci/install)");
                None
            }
        }
    }
}

struct Ports {
    store: u16,
    replicas: [u16; 2],
    alertmanager: [u16; 2],
    gossip: [u16; 2],
}

impl Ports {
    fn new() -> Ports {
        Ports {
            store: free_port(),
            replicas: [free_port(), free_port()],
            alertmanager: [free_port(), free_port()],
            gossip: [free_port(), free_port()],
        }
    }
}

/// The dev environment as an HA pair on one machine: replicas `a` and `b` (replica label
/// `replica`, which a Prometheus store keeps as is; Mimir would use `__replica__`) writing to
/// the store; a two-member Alertmanager cluster gossiping on loopback; each scrape job (its
/// name, owner, file and labels kept) one static target, the fake exporter, at its own path;
/// each receiver one webhook to the sink; intervals of a second. The bundle's install prefix is
/// its own folder, so `replica_args` names the real files.
fn ha_spec(ports: &Ports, sink: &Sink, exporter: &Exporter, bundle: &Path) -> Value {
    let mut spec: Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    // The stack's own jobs would need the replicas' addresses; this test does not scrape them.
    common::without_meta(&mut spec);
    let loopback = |ports: &[u16]| ports.iter().map(|p| format!("127.0.0.1:{p}")).collect::<Vec<_>>();
    let jobs: Vec<Value> = spec["scrape_jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| {
            let mut kept = json!({
                "discovery": {"static": {"targets": [exporter.addr().to_string()]}},
                "metrics_path": format!("/metrics/{}", job["name"].as_str().unwrap()),
            });
            for key in ["name", "owner", "file", "labels"] {
                kept[key] = job[key].clone();
            }
            kept
        })
        .collect();
    let receivers: Vec<Value> = spec["alertmanager"]["receivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"name": r["name"], "webhook": [{"url": sink.url(r["name"].as_str().unwrap()), "send_resolved": false}]}))
        .collect();
    let patch = json!({
        "install_prefix": bundle.display().to_string(),
        "prometheus": {
            "scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s",
            "alertmanagers": loopback(&ports.alertmanager),
            "ha": {"replicas": ["a", "b"], "replica_label": REPLICA_LABEL},
            "remote_write": [{
                "name": "store",
                "url": format!("http://127.0.0.1:{}/api/v1/write", ports.store),
                "store": "prometheus",
                "queue": {"batch_send_deadline": "1s"},
            }],
        },
        "scrape_jobs": jobs,
        "rules": {"overrides": {"RedisDown": {"for": "1s"}}},
        "alertmanager": {
            "slack_api_url_file": null,
            "smtp": null,
            "receivers": receivers,
            "route": {"group_wait": "1s", "group_interval": "1s"},
            "cluster": {
                "peers": loopback(&ports.gossip),
                "listen_host": "127.0.0.1",
                "gossip_interval": "200ms",
                "pushpull_interval": "1s",
                "peer_timeout": PEER_TIMEOUT,
            },
        },
    });
    common::merge(&mut spec, &patch);
    spec
}

fn ready(client: &Client, url: &str) -> Result<(), String> {
    match client.get(&format!("{url}/-/ready"), &[])? {
        (200, _) => Ok(()),
        (status, body) => Err(format!("HTTP {status}: {body}")),
    }
}

/// Alertmanager's `/api/v2/status` lists `size` ready peers (itself included).
fn cluster_size(client: &Client, url: &str, size: usize) -> Result<(), String> {
    let status = client.get_json(&format!("{url}/api/v2/status"), &[])?;
    let cluster = &status["cluster"];
    let peers = cluster["peers"].as_array().map_or(0, Vec::len);
    if cluster["status"] == "ready" && peers == size { Ok(()) } else { Err(format!("cluster {cluster}")) }
}

fn api(client: &Client, url: &str, path: &str, query: &[(&str, &str)]) -> Result<Value, String> {
    let v = client.get_json(&format!("{url}/api/v1/{path}"), query)?;
    if v["status"] != "success" {
        return Err(format!("{path}: {v}"));
    }
    Ok(v["data"].clone())
}

/// Every series the store received (those carrying the environment's external label) comes in
/// exactly two copies, from replicas `a` and `b`, identical but for the replica label; and every
/// job's `up` is among them. Returns the number of distinct series.
fn store_holds_both_copies(client: &Client, store: &str, jobs: usize) -> Result<usize, String> {
    let series = api(client, store, "series", &[("match[]", "{environment=\"dev\"}")])?;
    let mut copies: BTreeMap<BTreeMap<String, String>, BTreeSet<String>> = BTreeMap::new();
    for s in series.as_array().unwrap() {
        let mut labels: BTreeMap<String, String> = serde_json::from_value(s.clone()).unwrap();
        let replica = labels.remove(REPLICA_LABEL).ok_or_else(|| format!("a series without the replica label: {s}"))?;
        copies.entry(labels).or_default().insert(replica);
    }
    let ups = copies.keys().filter(|l| l["__name__"] == "up").count();
    if ups != jobs {
        return Err(format!("{ups} of {jobs} jobs' up series so far"));
    }
    let both: BTreeSet<String> = ["a", "b"].map(String::from).into();
    match copies.iter().find(|(_, replicas)| **replicas != both) {
        Some((labels, replicas)) => Err(format!("{labels:?} only from {replicas:?}")),
        None => Ok(copies.len()),
    }
}

fn watchdog_firing(client: &Client, url: &str) -> Result<(), String> {
    let alerts = api(client, url, "alerts", &[])?;
    let firing = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["labels"]["alertname"] == "Watchdog" && a["state"] == "firing");
    if firing { Ok(()) } else { Err("not firing yet".into()) }
}

fn alertmanager_holds(client: &Client, url: &str, alertname: &str) -> Result<(), String> {
    let filter = format!("alertname=\"{alertname}\"");
    let alerts = client.get_json(&format!("{url}/api/v2/alerts"), &[("filter", &filter)])?;
    if alerts.as_array().is_some_and(|a| !a.is_empty()) { Ok(()) } else { Err("not received".into()) }
}

/// Every firing alert named `alertname` in every notification the sink got, in arrival order.
fn deliveries(sink: &Sink, alertname: &str) -> Vec<Value> {
    sink.notifications()
        .iter()
        .flat_map(|n| n.alerts().into_iter().cloned().collect::<Vec<_>>())
        .filter(|a| a["status"] == "firing" && a["labels"]["alertname"] == alertname)
        .collect()
}

/// The sum of a metric's samples on a server's own `/metrics`.
fn metric(client: &Client, url: &str, name: &str) -> f64 {
    let (_, text) = client.get(&format!("{url}/metrics"), &[]).unwrap();
    text.lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
