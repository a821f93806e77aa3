//! Infrastructure alerts: hosts (node_exporter), PostgreSQL, Redis, RabbitMQ, Kubernetes,
//! MinIO, GPUs (DCGM), and every scrape target.

use super::application::gauge_sum_above;
use super::metrics::{
    APISERVER_JOB, DCGM_JOB, KSM_JOB, MINIO_BUCKET_JOB, MINIO_JOB, MQ_JOB, MQ_QUEUES_JOB, NODE_JOB, PG_JOB, REDIS_JOB,
};
use super::scenario::{self, Scenario, Scenarios, counter, fraction, gauge, histogram, labels, level, pair};
use super::units::Unit;
use super::{Cmp, Ctx, Def, INFRASTRUCTURE_FILE};
use crate::scrape::Scrape;
use crate::syntax::{quote, regex_literal};
use std::collections::BTreeMap;

const GROUP: &str = "infrastructure_component_alerts";

/// Only these labels of a label set (what an aggregation `by (…)` keeps).
fn only(l: BTreeMap<String, String>, names: &[&str]) -> BTreeMap<String, String> {
    l.into_iter().filter(|(k, _)| names.contains(&k.as_str())).collect()
}

fn host_cpu_load(c: &Ctx) -> (String, Scenarios) {
    // The seed divided by `count without(cpu)`, which keeps the `mode` label node_load15 lacks:
    // the two sides never matched. Counting by instance and matching on it does.
    let expr = format!(
        "node_load15{} / on (instance) count by (instance) (node_cpu_seconds_total{}) > {}",
        c.sel(""),
        c.sel("mode=\"idle\""),
        c.t()
    );
    let sc = c.scrape();
    // One-to-one matching `on (instance)` keeps only the matched label.
    let expect = only(sc.expected("node_load15", &[]), &["instance"]);
    let make = move |per_core: f64, n: u64| {
        let mut s = sc.input("node_load15", &[], gauge(per_core * 2.0, n));
        for cpu in ["0", "1"] {
            s.extend(sc.input("node_cpu_seconds_total", &[("cpu", cpu), ("mode", "idle")], counter(30.0, n)));
        }
        s
    };
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(0), expect, make))
}

fn host_memory(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "1 - node_memory_MemAvailable_bytes{} / node_memory_MemTotal_bytes{} > {}",
        c.sel(""),
        c.sel(""),
        c.t()
    );
    let sc = c.scrape();
    let expect = sc.expected("node_memory_MemTotal_bytes", &[]);
    let make = move |used: f64, n: u64| {
        [
            sc.input("node_memory_MemTotal_bytes", &[], gauge(1e9, n)),
            sc.input("node_memory_MemAvailable_bytes", &[], gauge((1.0 - used) * 1e9, n)),
        ]
        .concat()
    };
    (expr, pair(fraction(c.threshold, Cmp::Above), c.eval(0), expect, make))
}

const FS: &str = "fstype!~\"tmpfs|fuse.lxcfs\", mountpoint!=\"/boot\"";

/// A filesystem as node_exporter's filesystem collector exposes it.
const ROOT_FS: [(&str, &str); 3] = [("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", "/")];

fn host_disk_space(c: &Ctx) -> (String, Scenarios) {
    let expr =
        format!("node_filesystem_avail_bytes{} / node_filesystem_size_bytes{} * 100 < {}", c.sel(FS), c.sel(FS), c.t());
    let sc = c.scrape();
    let expect = sc.expected("node_filesystem_avail_bytes", &ROOT_FS);
    let make = move |percent: f64, n: u64| {
        [
            sc.input("node_filesystem_size_bytes", &ROOT_FS, gauge(1e9, n)),
            sc.input("node_filesystem_avail_bytes", &ROOT_FS, gauge(percent / 100.0 * 1e9, n)),
        ]
        .concat()
    };
    let (fire, calm) = fraction(c.threshold / 100.0, Cmp::Below);
    (expr, pair((fire * 100.0, calm * 100.0), c.eval(0), expect, make))
}

/// The node mixin's `NodeFilesystemSpaceFillingUp` (node-mixin alerts.libsonnet): the linear
/// trend of the last 6 hours reaches zero within the threshold's hours, and only where that
/// matters and can be acted on: less than 40% is free (a large disk's trend alone is noise) and
/// the filesystem is writable (a read-only one cannot fill up).
fn host_disk_fill(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "(node_filesystem_avail_bytes{fs} / node_filesystem_size_bytes{fs} * 100 < 40 and predict_linear(node_filesystem_avail_bytes{fs}[6h], {} * 3600) < 0 and node_filesystem_readonly{fs} == 0)",
        c.t(),
        fs = c.sel(FS)
    );
    let sc = c.scrape();
    let expect = sc.expected("node_filesystem_avail_bytes", &ROOT_FS);
    let hours = c.threshold;
    let make = move |speed: f64, n: u64| disk_filling(&sc, 0.35, hours, speed, false, n);
    (expr, pair((2.0, 0.5), c.eval(360), expect, make))
}

/// A 1 GB filesystem with `free` of it available, its free space shrinking `speed` times as fast
/// as would empty it in `hours` (2: fires; 0.5: stays silent), mounted read-only or not.
pub fn disk_filling(sc: &Scrape, free: f64, hours: f64, speed: f64, readonly: bool, n: u64) -> Vec<(String, String)> {
    let avail = free * 1e9;
    let per_min = avail / (hours * 60.0) * speed;
    [
        sc.input("node_filesystem_size_bytes", &ROOT_FS, gauge(1e9, n)),
        sc.input(
            "node_filesystem_avail_bytes",
            &ROOT_FS,
            format!("{}-{}x{n}", crate::syntax::number(avail), crate::syntax::number(per_min)),
        ),
        sc.input("node_filesystem_readonly", &ROOT_FS, gauge(if readonly { 1.0 } else { 0.0 }, n)),
    ]
    .concat()
}

/// The jobs marked `critical`, as a regex alternation.
fn critical_jobs(c: &Ctx) -> Option<String> {
    let jobs: Vec<String> = c.spec.scrape_jobs.iter().filter(|j| j.critical).map(|j| regex_literal(&j.name)).collect();
    (!jobs.is_empty()).then(|| jobs.join("|"))
}

/// `up == 0` for every job but the critical ones, whose targets `CriticalTargetDown` covers.
fn target_down(c: &Ctx) -> (String, Scenarios) {
    // `up` of a target of the environment's first job that CriticalTargetDown does not cover,
    // as Prometheus writes it.
    let job = c.spec.scrape_jobs.iter().find(|j| !j.critical).map_or(NODE_JOB, |j| j.name.as_str());
    let sc = Scrape::of_or_nothing(c.spec, job);
    let expect = sc.target().clone();
    let make = move |up: f64, n: u64| sc.report("up", gauge(up, n));
    let expr = match critical_jobs(c) {
        Some(jobs) => format!("up{{job!~{}}} == 0", quote(&jobs)),
        None => "up == 0".into(),
    };
    (expr, pair((0.0, 1.0), c.eval(0), expect, make))
}

/// The first critical job's scrape: its `up` carries the job's target labels (`service`).
fn critical_scrape(c: &Ctx) -> Scrape {
    let job = c.spec.scrape_jobs.iter().find(|j| j.critical).expect("only generated with a critical job");
    Scrape::of_or_nothing(c.spec, &job.name)
}

/// `up == 0` for the critical jobs: their exporter (or, for RabbitMQ's plugin, the server
/// itself) cannot be scraped, so the service's own "down" alert cannot fire either.
fn critical_target_down(c: &Ctx) -> (String, Scenarios) {
    let jobs = critical_jobs(c).unwrap_or_default();
    let sc = critical_scrape(c);
    let expect = sc.target().clone();
    let make = move |up: f64, n: u64| sc.report("up", gauge(up, n));
    (format!("up{{job=~{}}} == 0", quote(&jobs)), pair((0.0, 1.0), c.eval(0), expect, make))
}

/// `absent(up{job})` for each critical job: discovery finds no target at all (an empty file_sd
/// file, a renamed Kubernetes label), so there is no `up` series to be 0.
fn critical_target_missing(c: &Ctx) -> (String, Scenarios) {
    let jobs: Vec<&str> = c.spec.scrape_jobs.iter().filter(|j| j.critical).map(|j| j.name.as_str()).collect();
    let expr: Vec<String> = jobs.iter().map(|j| format!("absent(up{{job={}}})", quote(j))).collect();
    let eval = c.eval(0);
    let n = scenario::length(eval);
    let present: Vec<(String, String)> =
        jobs.iter().flat_map(|j| Scrape::of_or_nothing(c.spec, j).report("up", gauge(1.0, n))).collect();
    let scenarios = Scenarios {
        // No series at all: every critical job is missing, each alert naming its job.
        firing: Scenario {
            series: vec![],
            eval_minutes: eval,
            expect: jobs.iter().map(|j| labels(&[("job", j)])).collect(),
        },
        healthy: Some(Scenario { series: present, eval_minutes: eval, expect: vec![] }),
    };
    (expr.join(" or "), scenarios)
}

/// `metric{job} == 0` for an exporter's own "is the server up" gauge.
fn server_down(c: &Ctx, metric: &'static str) -> (String, Scenarios) {
    let expr = format!("{metric}{} == 0", c.sel(""));
    let sc = c.scrape();
    let expect = sc.expected(metric, &[]);
    let make = move |up: f64, n: u64| sc.input(metric, &[], gauge(up, n));
    (expr, pair((0.0, 1.0), c.eval(0), expect, make))
}

/// A per-target gauge of a job above the threshold.
fn gauge_above(c: &Ctx, metric: &'static str) -> (String, Scenarios) {
    let expr = format!("{metric}{} > {}", c.sel(""), c.t());
    let sc = c.scrape();
    let expect = sc.expected(metric, &[]);
    let make = move |v: f64, n: u64| sc.input(metric, &[], gauge(v, n));
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(0), expect, make))
}

/// A queue's gauge from RabbitMQ's `/metrics/detailed` above the threshold, per queue: every
/// label stays (`instance`, `vhost`, `queue`), so on-call sees which queue of which node.
fn queue_above(c: &Ctx, metric: &'static str) -> (String, Scenarios) {
    let expr = format!("{metric}{} > {}", c.sel(""), c.t());
    let queue = [("vhost", "/"), ("queue", "render-jobs")];
    let sc = c.scrape();
    let expect = sc.expected(metric, &queue);
    let make = move |v: f64, n: u64| sc.input(metric, &queue, gauge(v, n));
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(0), expect, make))
}

/// RabbitMQ nodes (by `instance`, with their `rabbitmq_cluster`) that see fewer of their
/// cluster's other nodes over Erlang distribution than the cluster has: `job` is the `job`
/// matcher of the plugin's `/metrics` jobs. See [`mq_partition`].
pub fn rabbitmq_partition(job: &str) -> String {
    let sel = |extra: &str| if extra.is_empty() { format!("{{{job}}}") } else { format!("{{{job}, {extra}}}") };
    let identity = format!("rabbitmq_identity_info{}", sel(""));
    format!(
        "(count by (instance) (erlang_vm_dist_node_state{} == 3) or on (instance) (max by (instance) ({identity}) * 0)) \
         * on (instance) group_left (rabbitmq_cluster) max by (instance, rabbitmq_cluster) ({identity}) \
         < on (rabbitmq_cluster) group_left () (count by (rabbitmq_cluster) ({identity}) - 1)",
        sel("peer!~\"rabbitmqcli.*\"")
    )
}

/// A node that sees fewer of its cluster's other nodes over Erlang distribution than the
/// cluster has: a network partition (RabbitMQ's own `InsufficientEstablishedErlangDistributionLinks`
/// alert, per node). The plugin has no partition metric. CLI tools connect as peers named
/// `rabbitmqcli…` and are left out, as RabbitMQ's Erlang-Distribution dashboard does. A node that
/// sees no peer has no `erlang_vm_dist_node_state` series at all, hence the `or` with 0.
fn mq_partition(c: &Ctx) -> (String, Scenarios) {
    let expr = rabbitmq_partition(&c.matcher);
    let nodes = [
        ("rabbitmq-1:15692", "rabbit@rabbitmq-1", "rabbit@rabbitmq-2"),
        ("rabbitmq-2:15692", "rabbit@rabbitmq-2", "rabbit@rabbitmq-1"),
    ];
    const CLUSTER: &str = "rabbit@rabbitmq-1";
    // Two targets of the job, one per node.
    let targets: Vec<(Scrape, &str, &str)> =
        nodes.iter().map(|(instance, node, peer)| (c.scrape().at_instance(instance), *node, *peer)).collect();
    let eval = c.eval(0);
    let n = scenario::length(eval);
    let make = |state: f64| {
        let mut out = Vec::new();
        for (sc, node, peer) in &targets {
            let id = [("rabbitmq_node", *node), ("rabbitmq_cluster", CLUSTER)];
            out.extend(sc.input("rabbitmq_identity_info", &id, gauge(1.0, n)));
            out.extend(sc.input("erlang_vm_dist_node_state", &[("peer", peer)], gauge(state, n)));
        }
        out
    };
    let expect = targets
        .iter()
        .map(|(sc, _, _)| {
            let mut l = sc.expected("rabbitmq_identity_info", &[("rabbitmq_cluster", CLUSTER)]);
            l.retain(|k, _| k == "instance" || k == "rabbitmq_cluster");
            l
        })
        .collect();
    // Pending (1) on both sides: each node has lost the other.
    let scenarios = Scenarios {
        firing: Scenario { series: make(1.0), eval_minutes: eval, expect },
        healthy: Some(Scenario { series: make(3.0), eval_minutes: eval, expect: vec![] }),
    };
    (expr, scenarios)
}

fn pg_connections(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "sum by (instance) (pg_stat_activity_count{}) / max by (instance) (pg_settings_max_connections{}) > {}",
        c.sel(""),
        c.sel(""),
        c.t()
    );
    let sc = c.scrape();
    let expect = only(sc.expected("pg_settings_max_connections", &[]), &["instance"]);
    let make = move |used: f64, n: u64| {
        [
            sc.input("pg_settings_max_connections", &[], gauge(100.0, n)),
            sc.input("pg_stat_activity_count", &[("state", "active")], gauge(used * 100.0, n)),
        ]
        .concat()
    };
    (expr, pair(fraction(c.threshold, Cmp::Above), c.eval(0), expect, make))
}

fn pg_slow_queries(c: &Ctx) -> (String, Scenarios) {
    let expr = format!("max by (instance) (pg_stat_activity_max_tx_duration{}) > {}", c.sel("state=\"active\""), c.t());
    let sc = c.scrape();
    let expect = only(sc.expected("pg_stat_activity_max_tx_duration", &[]), &["instance"]);
    let make =
        move |secs: f64, n: u64| sc.input("pg_stat_activity_max_tx_duration", &[("state", "active")], gauge(secs, n));
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(0), expect, make))
}

fn redis_memory(c: &Ctx) -> (String, Scenarios) {
    // Only instances with a memory limit (maxmemory 0 means none).
    let expr = format!("redis_memory_used_bytes{} / (redis_memory_max_bytes{} > 0) > {}", c.sel(""), c.sel(""), c.t());
    let sc = c.scrape();
    let expect = sc.expected("redis_memory_used_bytes", &[]);
    let make = move |used: f64, n: u64| {
        [
            sc.input("redis_memory_max_bytes", &[], gauge(1e9, n)),
            sc.input("redis_memory_used_bytes", &[], gauge(used * 1e9, n)),
        ]
        .concat()
    };
    (expr, pair(fraction(c.threshold, Cmp::Above), c.eval(0), expect, make))
}

fn node_not_ready(c: &Ctx) -> (String, Scenarios) {
    let expr = format!("kube_node_status_condition{} == 0", c.sel("condition=\"Ready\", status=\"true\""));
    let sc = c.scrape();
    let node = [("node", "node-1"), ("condition", "Ready"), ("status", "true")];
    let expect = sc.expected("kube_node_status_condition", &node);
    let make = move |ready: f64, n: u64| sc.input("kube_node_status_condition", &node, gauge(ready, n));
    (expr, pair((0.0, 1.0), c.eval(0), expect, make))
}

/// The crash-looping container as kube-state-metrics exposes it: the pod's own namespace.
const CRASHING: [(&str, &str); 3] = [("namespace", "creativeflow"), ("pod", "api-7f9c"), ("container", "api")];

/// The kubernetes-mixin's form (`KubePodCrashLooping`, kubernetes-mixin
/// alerts/apps_alerts.libsonnet): the container has been waiting in CrashLoopBackOff within
/// every 5 minutes for the whole `for`. Counting restarts (`increase(restarts[15m]) > 3`, the
/// old form) resolves during a steady crash loop: kubelet's back-off caps at 5 minutes
/// (kubelet's MaxContainerBackOff), exactly 3 restarts in 15 minutes.
fn pod_crash_looping(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "max_over_time(kube_pod_container_status_waiting_reason{}[5m]) >= {}",
        c.sel("reason=\"CrashLoopBackOff\""),
        c.t()
    );
    let sc = c.scrape();
    let waiting = |reason| [CRASHING[0], CRASHING[1], CRASHING[2], ("reason", reason)];
    let expect = sc.expected("kube_pod_container_status_waiting_reason", &waiting("CrashLoopBackOff"));
    let eval = c.eval(5);
    let n = scenario::length(eval);
    let crash_loop = |reason| {
        // A restart every 5 minutes, the capped back-off; kube-state-metrics exposes the waiting
        // reason while the container waits (4 of every 5 one-minute samples) and none while it
        // runs its few seconds.
        let (restarts, waits) = scenario::kubelet_backoff(n);
        // Waiting for an image pull restarts nothing.
        let restarts = if reason == "CrashLoopBackOff" { restarts } else { gauge(0.0, n) };
        [
            sc.input("kube_pod_container_status_restarts_total", &CRASHING, restarts),
            sc.input("kube_pod_container_status_waiting_reason", &waiting(reason), waits),
        ]
        .concat()
    };
    let scenarios = Scenarios {
        firing: Scenario { series: crash_loop("CrashLoopBackOff"), eval_minutes: eval, expect: vec![expect] },
        // The same rhythm waiting for something else (an image pull) is no crash loop.
        healthy: Some(Scenario { series: crash_loop("ImagePullBackOff"), eval_minutes: eval, expect: vec![] }),
    };
    (expr, scenarios)
}

fn apiserver_latency(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket{}[5m]))) > {}",
        c.sel("verb!~\"WATCH|CONNECT\""),
        c.t()
    );
    let (sc, t) = (c.scrape(), c.threshold);
    let eval = c.eval(5);
    let n = scenario::length(eval);
    let make = |slow| histogram(&sc, "apiserver_request_duration_seconds", &[("verb", "GET")], t, slow, n);
    let scenarios = Scenarios {
        firing: Scenario { series: make(true), eval_minutes: eval, expect: vec![labels(&[("verb", "GET")])] },
        healthy: Some(Scenario { series: make(false), eval_minutes: eval, expect: vec![] }),
    };
    (expr, scenarios)
}

/// Objects of a bucket that failed to replicate in the last hour, per bucket and target. The
/// counter is per MinIO server (`server`); several scrape targets may each report every
/// server, so the servers' counts are taken once each (`max`) before summing.
fn minio_replication_failures(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "sum by (bucket, targetArn) (max by (bucket, targetArn, server) (increase(minio_bucket_replication_total_failed_count{}[1h]))) > {}",
        c.sel(""),
        c.t()
    );
    let arn = "arn:minio:replication::backup:assets";
    let exposed = [("bucket", "assets"), ("targetArn", arn), ("server", "minio-1:9000")];
    let sc = c.scrape();
    let make = move |failures_per_hour: f64, n: u64| {
        sc.input("minio_bucket_replication_total_failed_count", &exposed, counter(failures_per_hour / 60.0, n))
    };
    let (fire, calm) = level(c.threshold, Cmp::Above);
    (expr, pair((fire, calm.max(0.0)), c.eval(60), labels(&[("bucket", "assets"), ("targetArn", arn)]), make))
}

/// A GPU as DCGM exporter exposes it (no workload on it: no pod labels).
const GPU: [(&str, &str); 2] = [("gpu", "0"), ("Hostname", "gpu-node-1")];

fn gpu_memory(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "DCGM_FI_DEV_FB_USED{} / (DCGM_FI_DEV_FB_USED{} + DCGM_FI_DEV_FB_FREE{}) > {}",
        c.sel(""),
        c.sel(""),
        c.sel(""),
        c.t()
    );
    let sc = c.scrape();
    let expect = sc.expected("DCGM_FI_DEV_FB_USED", &GPU);
    let make = move |used: f64, n: u64| {
        [
            sc.input("DCGM_FI_DEV_FB_USED", &GPU, gauge(used * 80000.0, n)),
            sc.input("DCGM_FI_DEV_FB_FREE", &GPU, gauge((1.0 - used) * 80000.0, n)),
        ]
        .concat()
    };
    (expr, pair(fraction(c.threshold, Cmp::Above), c.eval(0), expect, make))
}

fn gpu_utilisation(c: &Ctx) -> (String, Scenarios) {
    let expr = format!("avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL{}) > {}", c.sel(""), c.t());
    let sc = c.scrape();
    let expect = only(sc.expected("DCGM_FI_DEV_GPU_UTIL", &GPU), &["Hostname", "gpu"]);
    let make = move |util: f64, n: u64| sc.input("DCGM_FI_DEV_GPU_UTIL", &GPU, gauge(util, n));
    let (fire, calm) = (c.threshold + (100.0 - c.threshold) / 2.0, c.threshold / 2.0);
    (expr, pair((fire, calm), c.eval(0), expect, make))
}

/// What every infrastructure alert shares; each entry sets the rest.
const INFRASTRUCTURE: Def = Def { file: INFRASTRUCTURE_FILE, group: GROUP, ..Def::EMPTY };

/// The infrastructure alerts, group by group.
pub fn defs() -> Vec<Def> {
    [hosts(), scrape_targets(), postgresql(), redis(), rabbitmq(), kubernetes(), minio(), gpus()]
        .into_iter()
        .flatten()
        .collect()
}

/// Hosts, from node_exporter: CPU, memory and disks.
fn hosts() -> Vec<Def> {
    vec![
        Def {
            name: "HostHighCpuLoad",
            job: Some(NODE_JOB),
            threshold: 0.8,
            unit: Some(Unit::LoadPerCore),
            for_: "10m",
            severity: "warning",
            labels: &[("component", "server")],
            summary: "High CPU Load on {{ $labels.instance }}",
            description: "The 15-minute load per core on {{ $labels.instance }} has been above {threshold} for {for}.",
            build: host_cpu_load,
            ..INFRASTRUCTURE
        },
        Def {
            name: "HostHighMemoryUsage",
            job: Some(NODE_JOB),
            threshold: 0.9,
            unit: Some(Unit::Ratio),
            for_: "10m",
            severity: "warning",
            labels: &[("component", "server")],
            summary: "High memory usage on {{ $labels.instance }}",
            description: "More than {threshold} of the memory of {{ $labels.instance }} has been in use for {for}.",
            build: host_memory,
            ..INFRASTRUCTURE
        },
        Def {
            name: "HostLowDiskSpace",
            job: Some(NODE_JOB),
            threshold: 10.0,
            unit: Some(Unit::Percent),
            for_: "5m",
            severity: "critical",
            labels: &[("component", "server")],
            summary: "Low Disk Space on {{ $labels.instance }} (mountpoint {{ $labels.mountpoint }})",
            description: "Less than {threshold}% disk space available on {{ $labels.mountpoint }} for host {{ $labels.instance }}.",
            build: host_disk_space,
            ..INFRASTRUCTURE
        },
        Def {
            name: "HostDiskWillFillSoon",
            job: Some(NODE_JOB),
            threshold: 24.0,
            unit: Some(Unit::Hours),
            for_: "1h",
            severity: "warning",
            labels: &[("component", "server")],
            summary: "Disk on {{ $labels.instance }} fills within {threshold} hours",
            description: "At the rate of the last 6 hours, {{ $labels.mountpoint }} on {{ $labels.instance }} (less than 40% free, writable) is full within {threshold} hours.",
            build: host_disk_fill,
            ..INFRASTRUCTURE
        },
    ]
}

/// Every scrape target, and the targets of the jobs marked `critical`.
fn scrape_targets() -> Vec<Def> {
    vec![
        Def {
            name: "TargetDown",
            job: None,
            threshold: 0.0,
            unit: None,
            for_: "5m",
            severity: "warning",
            labels: &[("component", "scrape")],
            summary: "Target {{ $labels.instance }} of job {{ $labels.job }} is down",
            description: "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for {for}.",
            build: target_down,
            ..INFRASTRUCTURE
        },
        Def {
            name: "CriticalTargetDown",
            job: None,
            threshold: 0.0,
            unit: None,
            for_: "1m",
            severity: "critical",
            labels: &[("component", "scrape")],
            summary: "Target {{ $labels.instance }} of critical job {{ $labels.job }} is down",
            description: "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for {for}: the service cannot be seen, and its own alerts cannot fire.",
            build: critical_target_down,
            ..INFRASTRUCTURE
        },
        Def {
            name: "CriticalTargetMissing",
            job: None,
            threshold: 0.0,
            unit: None,
            for_: "5m",
            severity: "critical",
            labels: &[("component", "scrape")],
            summary: "Critical job {{ $labels.job }} has no targets",
            description: "Service discovery has found no target of job {{ $labels.job }} for {for}: nothing watches the service.",
            build: critical_target_missing,
            ..INFRASTRUCTURE
        },
    ]
}

fn postgresql() -> Vec<Def> {
    vec![
        Def {
            name: "PostgresqlDown",
            job: Some(PG_JOB),
            threshold: 0.0,
            unit: None,
            for_: "1m",
            severity: "critical",
            labels: &[("service", "postgresql")],
            summary: "PostgreSQL {{ $labels.instance }} is down",
            description: "postgres_exporter on {{ $labels.instance }} cannot reach its PostgreSQL server.",
            build: |c| server_down(c, "pg_up"),
            ..INFRASTRUCTURE
        },
        Def {
            name: "PostgresqlReplicationLag",
            job: Some(PG_JOB),
            threshold: 30.0,
            unit: Some(Unit::Seconds),
            for_: "5m",
            severity: "warning",
            labels: &[("service", "postgresql")],
            summary: "PostgreSQL replication lag on {{ $labels.instance }}",
            description: "The replica {{ $labels.instance }} has been more than {threshold}s behind its primary for {for}.",
            build: |c| gauge_above(c, "pg_replication_lag_seconds"),
            ..INFRASTRUCTURE
        },
        Def {
            name: "PostgresqlTooManyConnections",
            job: Some(PG_JOB),
            threshold: 0.8,
            unit: Some(Unit::Ratio),
            for_: "5m",
            severity: "warning",
            labels: &[("service", "postgresql")],
            summary: "PostgreSQL {{ $labels.instance }} near its connection limit",
            description: "More than {threshold} of max_connections on {{ $labels.instance }} have been in use for {for}.",
            build: pg_connections,
            ..INFRASTRUCTURE
        },
        Def {
            name: "PostgresqlSlowQueries",
            job: Some(PG_JOB),
            threshold: 300.0,
            unit: Some(Unit::Seconds),
            for_: "5m",
            severity: "warning",
            labels: &[("service", "postgresql")],
            summary: "Slow PostgreSQL transactions on {{ $labels.instance }}",
            description: "An active transaction on {{ $labels.instance }} has been running for more than {threshold}s.",
            build: pg_slow_queries,
            ..INFRASTRUCTURE
        },
    ]
}

fn redis() -> Vec<Def> {
    vec![
        Def {
            name: "RedisDown",
            job: Some(REDIS_JOB),
            threshold: 0.0,
            unit: None,
            for_: "1m",
            severity: "critical",
            labels: &[("service", "redis")],
            summary: "Redis {{ $labels.instance }} is down",
            description: "redis_exporter on {{ $labels.instance }} cannot reach its Redis server.",
            build: |c| server_down(c, "redis_up"),
            ..INFRASTRUCTURE
        },
        Def {
            name: "RedisHighMemoryUsage",
            job: Some(REDIS_JOB),
            threshold: 0.9,
            unit: Some(Unit::Ratio),
            for_: "5m",
            severity: "warning",
            labels: &[("service", "redis")],
            summary: "Redis {{ $labels.instance }} memory nearly full",
            description: "Redis {{ $labels.instance }} has used more than {threshold} of its maxmemory for {for}.",
            build: redis_memory,
            ..INFRASTRUCTURE
        },
    ]
}

/// RabbitMQ's queues (from `/metrics/detailed`) and its cluster (from `/metrics`).
fn rabbitmq() -> Vec<Def> {
    vec![
        Def {
            name: "RabbitmqHighQueueDepth",
            job: Some(MQ_QUEUES_JOB),
            threshold: 10000.0,
            unit: Some(Unit::Count),
            for_: "10m",
            severity: "warning",
            labels: &[("service", "rabbitmq")],
            summary: "RabbitMQ queue {{ $labels.queue }} (vhost {{ $labels.vhost }}) is backing up",
            description: "More than {threshold} messages have been ready in queue {{ $labels.queue }} of vhost {{ $labels.vhost }} on {{ $labels.instance }} for {for}.",
            build: |c| queue_above(c, "rabbitmq_detailed_queue_messages_ready"),
            ..INFRASTRUCTURE
        },
        Def {
            name: "RabbitmqUnackedMessages",
            job: Some(MQ_QUEUES_JOB),
            threshold: 1000.0,
            unit: Some(Unit::Count),
            for_: "10m",
            severity: "warning",
            labels: &[("service", "rabbitmq")],
            summary: "Many unacknowledged messages in RabbitMQ queue {{ $labels.queue }} (vhost {{ $labels.vhost }})",
            description: "More than {threshold} messages delivered from queue {{ $labels.queue }} of vhost {{ $labels.vhost }} on {{ $labels.instance }} have been waiting for an acknowledgement for {for}.",
            build: |c| queue_above(c, "rabbitmq_detailed_queue_messages_unacked"),
            ..INFRASTRUCTURE
        },
        Def {
            name: "RabbitmqClusterPartition",
            job: Some(MQ_JOB),
            threshold: 0.0,
            unit: None,
            for_: "1m",
            severity: "critical",
            labels: &[("service", "rabbitmq")],
            summary: "RabbitMQ node {{ $labels.instance }} has lost cluster peers",
            description: "RabbitMQ node {{ $labels.instance }} of cluster {{ $labels.rabbitmq_cluster }} has fewer established Erlang distribution links than the cluster has other nodes: a network partition or a node that cannot rejoin.",
            build: mq_partition,
            ..INFRASTRUCTURE
        },
    ]
}

/// Kubernetes nodes and pods (kube-state-metrics) and the API server.
fn kubernetes() -> Vec<Def> {
    vec![
        Def {
            name: "KubernetesNodeNotReady",
            job: Some(KSM_JOB),
            threshold: 0.0,
            unit: None,
            for_: "10m",
            severity: "critical",
            labels: &[("component", "kubernetes")],
            summary: "Kubernetes node {{ $labels.node }} is not ready",
            description: "Node {{ $labels.node }} has not been Ready for {for}.",
            build: node_not_ready,
            ..INFRASTRUCTURE
        },
        Def {
            name: "KubernetesPodCrashLooping",
            job: Some(KSM_JOB),
            threshold: 1.0,
            unit: None,
            for_: "15m",
            severity: "warning",
            labels: &[("component", "kubernetes")],
            summary: "Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping",
            description: "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} has been waiting in CrashLoopBackOff for {for}.",
            build: pod_crash_looping,
            ..INFRASTRUCTURE
        },
        Def {
            name: "KubernetesApiServerLatency",
            job: Some(APISERVER_JOB),
            threshold: 1.0,
            unit: Some(Unit::Seconds),
            for_: "10m",
            severity: "warning",
            labels: &[("component", "kubernetes")],
            summary: "Kubernetes API server is slow for {{ $labels.verb }}",
            description: "The 99th percentile of {{ $labels.verb }} requests to the API server has been above {threshold}s for {for}.",
            build: apiserver_latency,
            ..INFRASTRUCTURE
        },
    ]
}

/// MinIO's drives (cluster metrics) and its buckets' replication (bucket metrics).
fn minio() -> Vec<Def> {
    vec![
        Def {
            name: "MinioDriveOffline",
            job: Some(MINIO_JOB),
            threshold: 0.0,
            unit: Some(Unit::Count),
            for_: "5m",
            severity: "critical",
            labels: &[("component", "minio")],
            summary: "MinIO drives are offline",
            description: "MinIO reports offline drives; the object store runs with reduced redundancy.",
            build: |c| gauge_sum_above(c, "minio_cluster_drive_offline_total"),
            ..INFRASTRUCTURE
        },
        Def {
            name: "MinioReplicationFailures",
            job: Some(MINIO_BUCKET_JOB),
            threshold: 0.0,
            unit: Some(Unit::Count),
            for_: "15m",
            severity: "warning",
            labels: &[("component", "minio")],
            summary: "MinIO replication of bucket {{ $labels.bucket }} is failing",
            description: "More than {threshold} objects of bucket {{ $labels.bucket }} failed to replicate to {{ $labels.targetArn }} in the last hour.",
            build: minio_replication_failures,
            ..INFRASTRUCTURE
        },
    ]
}

/// GPUs, from DCGM exporter.
fn gpus() -> Vec<Def> {
    vec![
        Def {
            name: "GpuHighUtilisation",
            job: Some(DCGM_JOB),
            threshold: 95.0,
            unit: Some(Unit::Percent),
            for_: "30m",
            severity: "warning",
            labels: &[("component", "gpu")],
            summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is saturated",
            description: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has been more than {threshold}% busy for {for}.",
            build: gpu_utilisation,
            ..INFRASTRUCTURE
        },
        Def {
            name: "GpuMemorySaturation",
            job: Some(DCGM_JOB),
            threshold: 0.95,
            unit: Some(Unit::Ratio),
            for_: "15m",
            severity: "warning",
            labels: &[("component", "gpu")],
            summary: "GPU {{ $labels.gpu }} memory nearly full on {{ $labels.Hostname }}",
            description: "More than {threshold} of the memory of GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has been in use for {for}.",
            build: gpu_memory,
            ..INFRASTRUCTURE
        },
    ]
}
