//! The exporters for real, on loopback: PostgreSQL with postgres_exporter, Redis with
//! redis_exporter, RabbitMQ with its Prometheus plugin, node_exporter and blackbox_exporter
//! (the Debian packages `.ci/install` installs), and Prometheus and Alertmanager scraping
//! themselves, run a bundle rendered from the staging environment: its scrape configs with
//! every address rewritten to loopback (`loopback::on_loopback`), its routes and receivers with
//! every receiver a webhook to the test's sink.
//!
//! 1. The metric contract: every metric name and label the bundle's generated alerts,
//!    recording rules and dashboards read from these jobs exists in what Prometheus scraped
//!    (`catalogue::metrics::contract`), except the metrics the catalogue lists as newer than
//!    Debian's exporter, which must then be absent; and each job's catalogue table agrees with
//!    the scrape.
//! 2. Real failures page with the failing entity's labels and reach the receivers the route tree
//!    gives those labels (`routing`): a queue filled past its (lowered) threshold, PostgreSQL
//!    stopped, Redis killed; then the exporters and RabbitMQ themselves unreachable
//!    (`CriticalTargetDown`, critical) and node_exporter (`TargetDown`, a warning).
//!
//! Every server binds 127.0.0.1 on a free port; every wait is bounded; the test stops only the
//! processes it started (by their `Child` handles, also on panic). Without the programs it
//! prints SKIP; in CI (`.ci/install`) they must be present.

mod common;
#[path = "e2e/http.rs"]
mod http;
#[path = "e2e/loopback.rs"]
mod loopback;
#[path = "e2e/procs.rs"]
mod procs;
#[path = "e2e/servers.rs"]
mod servers;

use common::example;
use http::{Client, Exporter, Sink};
use loopback::{Binaries, on_loopback, render};
use monstack::catalogue::metrics::contract::{self, Exposition};
use monstack::catalogue::metrics::{self, Verified};
use procs::{free_port, wait_until};
use serde_json::{Value, json};
use servers::{Postgres, Programs, RabbitMq, Redis, exporter, wait_http};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a condition that depends on scrapes, rule evaluation and notification may take
/// (each is a second or two here; the margin is for loaded CI machines).
const SETTLE: Duration = Duration::from_secs(60);
/// The queue the test fills, past the depth the test lowers the alert's threshold to.
const QUEUE: &str = "render-jobs";
const DEPTH: usize = 5;

#[test]
fn real_exporters_expose_what_is_read_and_their_failures_page() {
    let Some(bins) = Binaries::find() else { return };
    let Some(programs) = Programs::find() else { return };
    let started = Instant::now();
    let mark = |what: &str| eprintln!("exporters: {what} at {:.1}s", started.elapsed().as_secs_f64());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let logs = dir.join("logs");
    std::fs::create_dir(&logs).unwrap();
    let client = Client::new();
    let sink = Sink::start();
    let fake = Exporter::start();

    // RabbitMQ takes longest to boot: it starts first, the others while it does.
    let mut rabbit = RabbitMq::start(&programs, &dir.join("rabbitmq"), &logs);
    let mut postgres = Postgres::start(&programs, &logs);
    let mut redis = Redis::start(&programs, &dir.join("redis"), &logs);
    let [pg_port, redis_port, node_port, blackbox_port, prometheus_port, alertmanager_port, gossip_port] =
        [(); 7].map(|()| free_port());
    let at = |port: u16| format!("127.0.0.1:{port}");
    let mut pg_exporter = exporter(
        "postgres_exporter",
        Command::new(&programs.postgres_exporter)
            .env("DATA_SOURCE_NAME", postgres.dsn())
            .arg(format!("--web.listen-address={}", at(pg_port))),
        &logs,
        pg_port,
    );
    let mut redis_exporter = exporter(
        "redis_exporter",
        Command::new(&programs.redis_exporter)
            .arg(format!("-redis.addr=redis://127.0.0.1:{}", redis.port))
            .arg(format!("-web.listen-address={}", at(redis_port))),
        &logs,
        redis_port,
    );
    let mut node_exporter = exporter(
        "node_exporter",
        Command::new(&bins.node_exporter).arg(format!("--web.listen-address={}", at(node_port))),
        &logs,
        node_port,
    );
    let blackbox_config = dir.join("blackbox.yml");
    std::fs::write(&blackbox_config, "modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n").unwrap();
    let _blackbox = exporter(
        "blackbox_exporter",
        Command::new(&programs.blackbox_exporter)
            .arg(format!("--config.file={}", blackbox_config.display()))
            .arg(format!("--web.listen-address={}", at(blackbox_port))),
        &logs,
        blackbox_port,
    );
    rabbit.wait_ready(&client);
    rabbit.declare_queue(&client, QUEUE);
    rabbit.connect_peer(&client, &logs);
    mark("services and exporters up");

    let rabbit_at = at(rabbit.prometheus_port);
    let real: BTreeMap<String, String> = [
        (metrics::NODE_JOB, at(node_port)),
        (metrics::PG_JOB, at(pg_port)),
        (metrics::REDIS_JOB, at(redis_port)),
        (metrics::MQ_JOB, rabbit_at.clone()),
        (metrics::MQ_QUEUES_JOB, rabbit_at.clone()),
        (metrics::BLACKBOX_JOB, at(blackbox_port)),
        (metrics::PROMETHEUS_JOB, at(prometheus_port)),
        (metrics::ALERTMANAGER_JOB, at(alertmanager_port)),
    ]
    .into_iter()
    .map(|(job, address)| (job.to_string(), address))
    .collect();
    let spec = exporters_spec(&real, &sink, &fake, prometheus_port, alertmanager_port);
    let bundle = render(&spec, &dir.join("bundle"));
    // Gossip on (one member, on loopback): the cluster's metrics are registered only then.
    let gossip = format!("--cluster.listen-address={}", at(gossip_port));
    let _alertmanager = loopback::alertmanager_with(&bins, &bundle, dir, alertmanager_port, &[&gossip]);
    let _prometheus = loopback::prometheus(&bins, &bundle, dir, prometheus_port);
    let prometheus = format!("http://{}", at(prometheus_port));
    wait_http(&client, &format!("{prometheus}/-/ready"));
    wait_http(&client, &format!("http://{}/-/ready", at(alertmanager_port)));
    mark("Prometheus and Alertmanager up");

    let spec = monstack::spec::load::load("exporters", &serde_json::to_vec(&spec).unwrap()).unwrap().spec;
    let scraped = the_contract_holds_on_real_scrapes(&client, &prometheus, &spec, &real);
    mark("every metric and label read exists in the real scrape");

    let mut route = Route::new(&spec);
    let mut proven: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    // Real failures: the services themselves.
    rabbit.publish(&client, QUEUE, DEPTH * 2);
    postgres.stop(&logs);
    redis.server.stop();
    let queue = [("alertname", "RabbitmqHighQueueDepth"), ("queue", QUEUE), ("vhost", "/"), ("instance", &rabbit_at)];
    proven.entry(metrics::MQ_QUEUES_JOB).or_default().push(route.delivered(&sink, &queue));
    let pg = [("alertname", "PostgresqlDown"), ("service", "postgresql"), ("instance", &real[metrics::PG_JOB])];
    proven.entry(metrics::PG_JOB).or_default().push(route.delivered(&sink, &pg));
    let rd = [("alertname", "RedisDown"), ("service", "redis"), ("instance", &real[metrics::REDIS_JOB])];
    proven.entry(metrics::REDIS_JOB).or_default().push(route.delivered(&sink, &rd));
    mark("a full queue, a stopped PostgreSQL and a killed Redis paged");

    // Nothing left to scrape: the exporters, the broker (whose plugin is its exporter), and
    // node_exporter, which is not critical.
    pg_exporter.stop();
    redis_exporter.stop();
    rabbit.server.stop();
    node_exporter.stop();
    for job in [metrics::PG_JOB, metrics::REDIS_JOB, metrics::MQ_JOB] {
        let down =
            [("alertname", "CriticalTargetDown"), ("job", job), ("instance", &real[job]), ("severity", "critical")];
        proven.entry(job).or_default().push(route.delivered(&sink, &down));
    }
    let node = [("alertname", "TargetDown"), ("job", metrics::NODE_JOB), ("severity", "warning")];
    proven.entry(metrics::NODE_JOB).or_default().push(route.delivered(&sink, &node));
    mark("unreachable exporters paged");

    // By now every alert has had its notifications: none reached a receiver the tree does not
    // give it, and no critical job's target was reported as a mere warning.
    route.nothing_else(&sink);
    for job in [metrics::PG_JOB, metrics::REDIS_JOB, metrics::MQ_JOB] {
        let warned = sink.delivered_to(&[("alertname", "TargetDown"), ("job", job)]);
        assert!(warned.is_empty(), "TargetDown (warning) for critical job {job} reached {warned:?}");
    }
    eprintln!("exporters: alerts proven to fire on real data, by job:");
    for (job, alerts) in &proven {
        let t = metrics::table(job, &spec.ai_models.job).unwrap();
        eprintln!("  {job} ({} {}): {}", t.exporter, scraped_version(t), alerts.join(", "));
    }
    eprintln!("exporters: {} metric names scraped; done in {:.1}s", scraped, started.elapsed().as_secs_f64());
}

/// Staging on loopback, with the jobs that watch the stack itself and a probe added (the
/// environments do not scrape those yet), and second-scale `for`s and a low queue threshold.
fn exporters_spec(
    real: &BTreeMap<String, String>,
    sink: &Sink,
    fake: &Exporter,
    prometheus_port: u16,
    alertmanager_port: u16,
) -> Value {
    let mut spec: Value = serde_json::from_slice(&std::fs::read(example("staging")).unwrap()).unwrap();
    let jobs = spec["scrape_jobs"].as_array_mut().unwrap();
    for job in [metrics::PROMETHEUS_JOB, metrics::ALERTMANAGER_JOB] {
        jobs.push(json!({"name": job, "owner": "sre", "discovery": {"static": {"targets": ["placeholder:9090"]}}}));
    }
    jobs.push(json!({
        "name": metrics::BLACKBOX_JOB,
        "owner": "sre",
        "metrics_path": "/probe",
        "params": {"module": ["http_2xx"], "target": [format!("http://127.0.0.1:{prometheus_port}/-/healthy")]},
        "discovery": {"static": {"targets": ["placeholder:9115"]}}
    }));
    on_loopback(&mut spec, real, fake.addr(), sink, alertmanager_port);
    // Remote write to the fake exporter (which answers every request 200), so that Prometheus'
    // per-queue remote write series exist, the highest sent timestamp among them.
    spec["prometheus"]["remote_write"] = json!([{
        "name": "store",
        "url": format!("http://{}/api/v1/push", fake.addr()),
        "store": "prometheus"
    }]);
    // With PostgreSQL down, postgres_exporter 0.11 answers after a 1 s connection retry: a
    // scrape timeout of 1 s would turn its `pg_up 0` into a failed scrape (`up 0`), and
    // PostgresqlDown into CriticalTargetDown. (Staging's timeout is 10 s.)
    for job in spec["scrape_jobs"].as_array_mut().unwrap() {
        if job["name"] == metrics::PG_JOB {
            job["scrape_interval"] = json!("3s");
            job["scrape_timeout"] = json!("3s");
        }
    }
    let overrides = &mut spec["rules"]["overrides"];
    for alert in ["TargetDown", "CriticalTargetDown", "PostgresqlDown", "RedisDown"] {
        overrides[alert] = json!({"for": "2s"});
    }
    overrides["RabbitmqHighQueueDepth"] = json!({"for": "2s", "threshold": DEPTH});
    spec
}

/// Every metric and label the generated rules and dashboards read from the jobs run here is in
/// what Prometheus scraped from them, and every table of an exporter run here agrees with its
/// scrape. Returns the number of metric names scraped.
fn the_contract_holds_on_real_scrapes(
    client: &Client,
    prometheus: &str,
    spec: &monstack::spec::Spec,
    real: &BTreeMap<String, String>,
) -> usize {
    let jobs: Vec<&String> = real.keys().collect();
    wait_until("every real target up", SETTLE, || targets_up(client, prometheus, &jobs));
    // The per-queue series appear once a scrape follows the queue's declaration; the Erlang
    // peer's link once one follows its connection.
    for (job, metric, matcher) in [
        (metrics::MQ_QUEUES_JOB, "rabbitmq_detailed_queue_messages_ready", format!("queue=\"{QUEUE}\"")),
        (metrics::MQ_JOB, "erlang_vm_dist_node_state", "peer=\"peer@localhost\"".to_string()),
    ] {
        let query = format!("{metric}{{job=\"{job}\", {matcher}}}");
        wait_until(&format!("{query} scraped"), SETTLE, || {
            let data = api(client, prometheus, "series", &[("match[]", &query)])?;
            if data.as_array().is_some_and(|a| !a.is_empty()) { Ok(()) } else { Err("not yet".into()) }
        });
    }
    let expositions: BTreeMap<String, Exposition> =
        real.keys().map(|job| (job.clone(), exposition(client, prometheus, job))).collect();

    let readers = contract::readers(spec);
    let gaps = contract::check(spec, &readers, &|job| expositions.get(job).cloned());
    let unexplained: Vec<String> = gaps
        .iter()
        .filter(|g| {
            // A metric of the targeted version that Debian's older exporter lacks, by the table.
            let newer = metrics::table(&g.job, &spec.ai_models.job)
                .is_some_and(|t| g.label.is_none() && t.newer_than_scraped.iter().any(|(m, _)| *m == g.metric));
            !newer
        })
        .map(ToString::to_string)
        .collect();
    assert!(unexplained.is_empty(), "read but not scraped from the real exporters:\n{}", unexplained.join("\n"));
    // The same check sees what is missing: without `pg_up` and RabbitMQ's `queue` label.
    let mut without = expositions.clone();
    without.get_mut(metrics::PG_JOB).unwrap().remove("pg_up");
    for labels in without.get_mut(metrics::MQ_QUEUES_JOB).unwrap().values_mut() {
        labels.remove("queue");
    }
    let gaps: Vec<String> =
        contract::check(spec, &readers, &|job| without.get(job).cloned()).iter().map(ToString::to_string).collect();
    for missing in [
        "job postgres_exporter: no metric pg_up (read by alert PostgresqlDown)",
        "job rabbitmq_queues: rabbitmq_detailed_queue_messages_ready has no label queue (read by dashboard RabbitMQ / Queue depth: `by (vhost, queue)`)",
    ] {
        assert!(gaps.iter().any(|g| g == missing), "the check missed {missing}: {gaps:#?}");
    }

    let mut checked = BTreeSet::new();
    let mut disagreements = Vec::new();
    for t in metrics::tables().filter(|t| matches!(t.verified, Verified::Scraped { .. })) {
        let e = expositions.get(t.job).unwrap_or_else(|| panic!("table of {} is marked scraped; run it here", t.job));
        checked.insert(t.job);
        for m in t.metrics() {
            let newer = t.newer_than_scraped.iter().find(|(n, _)| *n == m.name);
            match (e.get(m.name), newer) {
                (Some(_), Some((_, since))) => disagreements.push(format!(
                    "{}: {} is listed as new in {since}, but {} has it",
                    t.job,
                    m.name,
                    scraped_version(t)
                )),
                (None, None) => {
                    disagreements.push(format!("{}: no {} in the scrape of {}", t.job, m.name, scraped_version(t)))
                }
                (Some(labels), None) => {
                    for l in m.labels.iter().filter(|l| !labels.contains(**l)) {
                        disagreements.push(format!("{}: {} has no label {l} in the scrape", t.job, m.name));
                    }
                }
                (None, Some(_)) => {}
            }
        }
    }
    assert!(disagreements.is_empty(), "the catalogue disagrees with the real exporters:\n{}", disagreements.join("\n"));
    assert_eq!(checked.len(), real.len(), "a job run here has no scraped table: {checked:?} vs {:?}", real.keys());
    expositions.values().map(BTreeMap::len).sum()
}

fn scraped_version(t: &metrics::Table) -> String {
    match t.verified {
        Verified::Scraped { package, version } => format!("{version} ({package})"),
        _ => t.version.to_string(),
    }
}

fn api(client: &Client, prometheus: &str, path: &str, query: &[(&str, &str)]) -> Result<Value, String> {
    let v = client.get_json(&format!("{prometheus}/api/v1/{path}"), query)?;
    if v["status"] != "success" {
        return Err(format!("{path}: {v}"));
    }
    Ok(v["data"].clone())
}

fn targets_up(client: &Client, prometheus: &str, jobs: &[&String]) -> Result<(), String> {
    let data = api(client, prometheus, "targets", &[("state", "active")])?;
    let targets = data["activeTargets"].as_array().cloned().unwrap_or_default();
    let not_up: Vec<String> = jobs
        .iter()
        .filter(|j| !targets.iter().any(|t| t["scrapePool"] == ***j && t["health"] == "up"))
        .map(|j| {
            let t = targets.iter().find(|t| t["scrapePool"] == ***j);
            format!("{j}: {}", t.map(|t| format!("{} {}", t["health"], t["lastError"])).unwrap_or("no target".into()))
        })
        .collect();
    if not_up.is_empty() { Ok(()) } else { Err(not_up.join("; ")) }
}

/// What Prometheus holds of a job: every series' metric name and label names.
fn exposition(client: &Client, prometheus: &str, job: &str) -> Exposition {
    let matcher = format!("{{job=\"{job}\"}}");
    let data = api(client, prometheus, "series", &[("match[]", &matcher)]).unwrap();
    let mut out = Exposition::new();
    for series in data.as_array().unwrap() {
        let labels = series.as_object().unwrap();
        let name = labels["__name__"].as_str().unwrap().to_string();
        out.entry(name).or_default().extend(labels.keys().filter(|k| *k != "__name__").cloned());
    }
    out
}

/// The bundle's route tree, in process: the receivers Alertmanager must deliver an alert to.
struct Route {
    spec: monstack::spec::Spec,
    checked: Vec<Delivered>,
}

/// An alert (by the labels looked for) and the receivers the tree gives it.
struct Delivered {
    want: Vec<(String, String)>,
    receivers: Vec<String>,
}

impl Route {
    fn new(spec: &monstack::spec::Spec) -> Route {
        Route { spec: spec.clone(), checked: Vec::new() }
    }

    fn receivers(&self, labels: &Value) -> Vec<String> {
        let tree = monstack::routing::Tree::new(monstack::routing::effective(&self.spec)).unwrap();
        let labels: monstack::routing::Labels = serde_json::from_value(labels.clone()).unwrap();
        monstack::routing::receivers(&tree, &labels)
    }

    /// Waits until the alert with these labels has reached every receiver the tree gives its
    /// labels; returns its name.
    fn delivered(&mut self, sink: &Sink, want: &[(&str, &str)]) -> String {
        let (_, alert) = wait_until(&format!("{want:?} delivered"), SETTLE, || sink.find_alert(want));
        let expected = self.receivers(&alert["labels"]);
        assert!(!expected.is_empty());
        wait_until(&format!("{want:?} at {expected:?}"), SETTLE, || {
            let got = sink.delivered_to(want);
            if expected.iter().all(|r| got.contains(r)) { Ok(()) } else { Err(format!("delivered to {got:?}")) }
        });
        let want: Vec<(String, String)> = want.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.checked.push(Delivered { want, receivers: expected });
        alert["labels"]["alertname"].as_str().unwrap().to_string()
    }

    /// No alert checked so far reached a receiver the tree does not give it.
    fn nothing_else(&self, sink: &Sink) {
        for d in &self.checked {
            let want: Vec<(&str, &str)> = d.want.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let mut got = sink.delivered_to(&want);
            got.sort();
            let mut expected = d.receivers.clone();
            expected.sort();
            assert_eq!(got, expected, "{want:?}");
        }
    }
}
