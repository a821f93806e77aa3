//! Infrastructure alerts: hosts (node_exporter), PostgreSQL, Redis, RabbitMQ, Kubernetes,
//! MinIO, GPUs (DCGM), and every scrape target.

use super::application::gauge_sum_above;
use super::metrics::{
    APISERVER_JOB, DCGM_JOB, KSM_JOB, MINIO_BUCKET_JOB, MINIO_JOB, MQ_JOB, MQ_QUEUES_JOB, NODE_JOB, PG_JOB, REDIS_JOB,
};
use super::scenario::{
    self, Scenario, Scenarios, counter, fraction, gauge, histogram, labels, level, pair, series, series_of,
};
use super::{Cmp, Ctx, Def, INFRASTRUCTURE_FILE};
use crate::render::{quote, regex_literal};
use std::collections::BTreeMap;

const GROUP: &str = "infrastructure_component_alerts";
const HOST: &str = "host-1:9100";

fn host_labels(job: &str) -> Vec<(&str, &str)> {
    vec![("job", job), ("instance", HOST)]
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
    let job = c.job.to_string();
    let make = move |per_core: f64, n: u64| {
        let mut s = vec![(series("node_load15", &host_labels(&job)), gauge(per_core * 2.0, n))];
        for cpu in ["0", "1"] {
            s.push((
                series("node_cpu_seconds_total", &[("job", &job), ("instance", HOST), ("cpu", cpu), ("mode", "idle")]),
                counter(30.0, n),
            ));
        }
        s
    };
    // One-to-one matching `on (instance)` keeps only the matched label.
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(0), labels(&[("instance", HOST)]), make))
}

fn host_memory(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "1 - node_memory_MemAvailable_bytes{} / node_memory_MemTotal_bytes{} > {}",
        c.sel(""),
        c.sel(""),
        c.t()
    );
    let job = c.job.to_string();
    let make = move |used: f64, n: u64| {
        vec![
            (series("node_memory_MemTotal_bytes", &host_labels(&job)), gauge(1e9, n)),
            (series("node_memory_MemAvailable_bytes", &host_labels(&job)), gauge((1.0 - used) * 1e9, n)),
        ]
    };
    (expr, pair(fraction(c.threshold, Cmp::Above), c.eval(0), labels(&host_labels(c.job)), make))
}

const FS: &str = "fstype!~\"tmpfs|fuse.lxcfs\", mountpoint!=\"/boot\"";

fn fs_labels(job: &str) -> Vec<(&str, &str)> {
    vec![("job", job), ("instance", HOST), ("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", "/")]
}

fn host_disk_space(c: &Ctx) -> (String, Scenarios) {
    let expr =
        format!("node_filesystem_avail_bytes{} / node_filesystem_size_bytes{} * 100 < {}", c.sel(FS), c.sel(FS), c.t());
    let job = c.job.to_string();
    let make = move |percent: f64, n: u64| {
        vec![
            (series("node_filesystem_size_bytes", &fs_labels(&job)), gauge(1e9, n)),
            (series("node_filesystem_avail_bytes", &fs_labels(&job)), gauge(percent / 100.0 * 1e9, n)),
        ]
    };
    let (fire, calm) = fraction(c.threshold / 100.0, Cmp::Below);
    (expr, pair((fire * 100.0, calm * 100.0), c.eval(0), labels(&fs_labels(c.job)), make))
}

fn host_disk_fill(c: &Ctx) -> (String, Scenarios) {
    let expr = format!("predict_linear(node_filesystem_avail_bytes{}[6h], {} * 3600) < 0", c.sel(FS), c.t());
    let job = c.job.to_string();
    let hours = c.threshold;
    // Free space shrinking twice as fast as would empty the disk in `hours` (fires), or half as
    // fast (stays silent).
    let make = move |speed: f64, n: u64| {
        let per_min = 1e9 / (hours * 60.0) * speed;
        vec![(
            series("node_filesystem_avail_bytes", &fs_labels(&job)),
            format!("1e9-{}x{n}", crate::render::number(per_min)),
        )]
    };
    (expr, pair((2.0, 0.5), c.eval(360), labels(&fs_labels(c.job)), make))
}

/// The jobs marked `critical`, as a regex alternation.
fn critical_jobs(c: &Ctx) -> Option<String> {
    let jobs: Vec<String> = c.spec.scrape_jobs.iter().filter(|j| j.critical).map(|j| regex_literal(&j.name)).collect();
    (!jobs.is_empty()).then(|| jobs.join("|"))
}

/// `up == 0` for every job but the critical ones, whose targets `CriticalTargetDown` covers.
fn target_down(c: &Ctx) -> (String, Scenarios) {
    let l = [("job", NODE_JOB), ("instance", HOST)];
    let make = move |up: f64, n: u64| vec![(series("up", &l), gauge(up, n))];
    let expr = match critical_jobs(c) {
        Some(jobs) => format!("up{{job!~{}}} == 0", quote(&jobs)),
        None => "up == 0".into(),
    };
    (expr, pair((0.0, 1.0), c.eval(0), labels(&l), make))
}

/// The first critical job's `up` series, with its target labels (`service`).
fn critical_up(c: &Ctx) -> Vec<(String, String)> {
    let job = c.spec.scrape_jobs.iter().find(|j| j.critical).expect("only generated with a critical job");
    let mut l = vec![("job".to_string(), job.name.clone()), ("instance".to_string(), "critical-1:9187".to_string())];
    l.extend(job.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    l
}

/// `up == 0` for the critical jobs: their exporter (or, for RabbitMQ's plugin, the server
/// itself) cannot be scraped, so the service's own "down" alert cannot fire either.
fn critical_target_down(c: &Ctx) -> (String, Scenarios) {
    let jobs = critical_jobs(c).unwrap_or_default();
    let l = critical_up(c);
    let keeps: BTreeMap<String, String> = l.iter().cloned().collect();
    let make = move |up: f64, n: u64| {
        let pairs: Vec<(&str, &str)> = l.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        vec![(series("up", &pairs), gauge(up, n))]
    };
    (format!("up{{job=~{}}} == 0", quote(&jobs)), pair((0.0, 1.0), c.eval(0), keeps, make))
}

/// `absent(up{job})` for each critical job: discovery finds no target at all (an empty file_sd
/// file, a renamed Kubernetes label), so there is no `up` series to be 0.
fn critical_target_missing(c: &Ctx) -> (String, Scenarios) {
    let jobs: Vec<&str> = c.spec.scrape_jobs.iter().filter(|j| j.critical).map(|j| j.name.as_str()).collect();
    let expr: Vec<String> = jobs.iter().map(|j| format!("absent(up{{job={}}})", quote(j))).collect();
    let eval = c.eval(0);
    let n = scenario::length(eval);
    let present: Vec<(String, String)> =
        jobs.iter().map(|j| (series("up", &[("job", j), ("instance", "critical-1:9187")]), gauge(1.0, n))).collect();
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
fn server_down(c: &Ctx, metric: &'static str, instance: &'static str) -> (String, Scenarios) {
    let expr = format!("{metric}{} == 0", c.sel(""));
    let job = c.job.to_string();
    let make = move |up: f64, n: u64| vec![(series(metric, &[("job", &job), ("instance", instance)]), gauge(up, n))];
    (expr, pair((0.0, 1.0), c.eval(0), labels(&[("job", c.job), ("instance", instance)]), make))
}

/// A per-target gauge of a job above the threshold.
fn gauge_above(c: &Ctx, metric: &'static str, instance: &'static str) -> (String, Scenarios) {
    let expr = format!("{metric}{} > {}", c.sel(""), c.t());
    let job = c.job.to_string();
    let make = move |v: f64, n: u64| vec![(series(metric, &[("job", &job), ("instance", instance)]), gauge(v, n))];
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(0), labels(&[("job", c.job), ("instance", instance)]), make))
}

/// A queue's gauge from RabbitMQ's `/metrics/detailed` above the threshold, per queue: every
/// label stays (`instance`, `vhost`, `queue`), so on-call sees which queue of which node.
fn queue_above(c: &Ctx, metric: &'static str) -> (String, Scenarios) {
    let expr = format!("{metric}{} > {}", c.sel(""), c.t());
    let job = c.job.to_string();
    let queue = move |job: &str| labels(&[("job", job), ("instance", MQ), ("vhost", "/"), ("queue", "render-jobs")]);
    let keeps = queue(c.job);
    let make = move |v: f64, n: u64| vec![(series_of(metric, &queue(&job)), gauge(v, n))];
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(0), keeps, make))
}

/// RabbitMQ nodes (by `instance`, with their `rabbitmq_cluster`) that see fewer of their
/// cluster's other nodes over Erlang distribution than the cluster has: `job` is the plugin's
/// `/metrics` job. See [`mq_partition`].
pub fn rabbitmq_partition(job: &str) -> String {
    let sel = |extra: &str| {
        let job = format!("job={}", quote(job));
        if extra.is_empty() { format!("{{{job}}}") } else { format!("{{{job}, {extra}}}") }
    };
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
    let expr = rabbitmq_partition(c.job);
    let job = c.job.to_string();
    let nodes = [
        ("rabbitmq-1:15692", "rabbit@rabbitmq-1", "rabbit@rabbitmq-2"),
        ("rabbitmq-2:15692", "rabbit@rabbitmq-2", "rabbit@rabbitmq-1"),
    ];
    let eval = c.eval(0);
    let n = scenario::length(eval);
    let make = |state: f64| {
        let mut out = Vec::new();
        for (instance, node, peer) in nodes {
            let id = [
                ("job", job.as_str()),
                ("instance", instance),
                ("rabbitmq_node", node),
                ("rabbitmq_cluster", "rabbit@rabbitmq-1"),
            ];
            out.push((series("rabbitmq_identity_info", &id), gauge(1.0, n)));
            let link = [("job", job.as_str()), ("instance", instance), ("peer", peer)];
            out.push((series("erlang_vm_dist_node_state", &link), gauge(state, n)));
        }
        out
    };
    let expect =
        nodes.iter().map(|(i, _, _)| labels(&[("instance", i), ("rabbitmq_cluster", "rabbit@rabbitmq-1")])).collect();
    // Pending (1) on both sides: each node has lost the other.
    let scenarios = Scenarios {
        firing: Scenario { series: make(1.0), eval_minutes: eval, expect },
        healthy: Some(Scenario { series: make(3.0), eval_minutes: eval, expect: vec![] }),
    };
    (expr, scenarios)
}

const MQ: &str = "rabbitmq-1:15692";
const PG: &str = "postgres-exporter-1:9187";
const REDIS: &str = "redis-exporter-1:9121";

fn pg_connections(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "sum by (instance) (pg_stat_activity_count{}) / max by (instance) (pg_settings_max_connections{}) > {}",
        c.sel(""),
        c.sel(""),
        c.t()
    );
    let job = c.job.to_string();
    let make = move |used: f64, n: u64| {
        vec![
            (series("pg_settings_max_connections", &[("job", &job), ("instance", PG)]), gauge(100.0, n)),
            (
                series("pg_stat_activity_count", &[("job", &job), ("instance", PG), ("state", "active")]),
                gauge(used * 100.0, n),
            ),
        ]
    };
    (expr, pair(fraction(c.threshold, Cmp::Above), c.eval(0), labels(&[("instance", PG)]), make))
}

fn pg_slow_queries(c: &Ctx) -> (String, Scenarios) {
    let expr = format!("max by (instance) (pg_stat_activity_max_tx_duration{}) > {}", c.sel("state=\"active\""), c.t());
    let job = c.job.to_string();
    let make = move |secs: f64, n: u64| {
        vec![(
            series("pg_stat_activity_max_tx_duration", &[("job", &job), ("instance", PG), ("state", "active")]),
            gauge(secs, n),
        )]
    };
    (expr, pair(level(c.threshold, Cmp::Above), c.eval(0), labels(&[("instance", PG)]), make))
}

fn redis_memory(c: &Ctx) -> (String, Scenarios) {
    // Only instances with a memory limit (maxmemory 0 means none).
    let expr = format!("redis_memory_used_bytes{} / (redis_memory_max_bytes{} > 0) > {}", c.sel(""), c.sel(""), c.t());
    let job = c.job.to_string();
    let make = move |used: f64, n: u64| {
        vec![
            (series("redis_memory_max_bytes", &[("job", &job), ("instance", REDIS)]), gauge(1e9, n)),
            (series("redis_memory_used_bytes", &[("job", &job), ("instance", REDIS)]), gauge(used * 1e9, n)),
        ]
    };
    (expr, pair(fraction(c.threshold, Cmp::Above), c.eval(0), labels(&[("job", c.job), ("instance", REDIS)]), make))
}

fn node_not_ready(c: &Ctx) -> (String, Scenarios) {
    let expr = format!("kube_node_status_condition{} == 0", c.sel("condition=\"Ready\", status=\"true\""));
    let job = c.job.to_string();
    let l = move |job: &str| {
        labels(&[
            ("job", job),
            ("instance", "ksm:8080"),
            ("node", "node-1"),
            ("condition", "Ready"),
            ("status", "true"),
        ])
    };
    let expect = l(c.job);
    let make = move |ready: f64, n: u64| vec![(series_of("kube_node_status_condition", &l(&job)), gauge(ready, n))];
    (expr, pair((0.0, 1.0), c.eval(0), expect, make))
}

fn pod_crash_looping(c: &Ctx) -> (String, Scenarios) {
    let expr = format!("increase(kube_pod_container_status_restarts_total{}[15m]) > {}", c.sel(""), c.t());
    let job = c.job.to_string();
    let pod = move |job: &str| {
        labels(&[
            ("job", job),
            ("instance", "ksm:8080"),
            ("namespace", "creativeflow"),
            ("pod", "api-7f9c"),
            ("container", "api"),
        ])
    };
    let expect = pod(c.job);
    let make = move |restarts_15m: f64, n: u64| {
        vec![(series_of("kube_pod_container_status_restarts_total", &pod(&job)), counter(restarts_15m / 15.0, n))]
    };
    let (fire, calm) = level(c.threshold, Cmp::Above);
    (expr, pair((fire, calm.max(0.0)), c.eval(15), expect, make))
}

fn apiserver_latency(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket{}[5m]))) > {}",
        c.sel("verb!~\"WATCH|CONNECT\""),
        c.t()
    );
    let (job, t) = (c.job.to_string(), c.threshold);
    let eval = c.eval(5);
    let n = scenario::length(eval);
    let make = |slow| histogram("apiserver_request_duration_seconds", &[("job", &job), ("verb", "GET")], t, slow, n);
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
    let job = c.job.to_string();
    let arn = "arn:minio:replication::backup:assets";
    let make = move |failures_per_hour: f64, n: u64| {
        vec![(
            series(
                "minio_bucket_replication_total_failed_count",
                &[
                    ("job", &job),
                    ("instance", "minio:9000"),
                    ("bucket", "assets"),
                    ("targetArn", arn),
                    ("server", "minio-1:9000"),
                ],
            ),
            counter(failures_per_hour / 60.0, n),
        )]
    };
    let (fire, calm) = level(c.threshold, Cmp::Above);
    (expr, pair((fire, calm.max(0.0)), c.eval(60), labels(&[("bucket", "assets"), ("targetArn", arn)]), make))
}

fn gpu_memory(c: &Ctx) -> (String, Scenarios) {
    let expr = format!(
        "DCGM_FI_DEV_FB_USED{} / (DCGM_FI_DEV_FB_USED{} + DCGM_FI_DEV_FB_FREE{}) > {}",
        c.sel(""),
        c.sel(""),
        c.sel(""),
        c.t()
    );
    let job = c.job.to_string();
    let gpu =
        move |job: &str| labels(&[("job", job), ("instance", "gpu-node-1"), ("gpu", "0"), ("Hostname", "gpu-node-1")]);
    let expect = gpu(c.job);
    let make = move |used: f64, n: u64| {
        let l = gpu(&job);
        vec![
            (series_of("DCGM_FI_DEV_FB_USED", &l), gauge(used * 80000.0, n)),
            (series_of("DCGM_FI_DEV_FB_FREE", &l), gauge((1.0 - used) * 80000.0, n)),
        ]
    };
    (expr, pair(fraction(c.threshold, Cmp::Above), c.eval(0), expect, make))
}

fn gpu_utilisation(c: &Ctx) -> (String, Scenarios) {
    let expr = format!("avg by (Hostname, gpu) (DCGM_FI_DEV_GPU_UTIL{}) > {}", c.sel(""), c.t());
    let job = c.job.to_string();
    let make = move |util: f64, n: u64| {
        vec![(
            series(
                "DCGM_FI_DEV_GPU_UTIL",
                &[("job", &job), ("instance", "gpu-node-1"), ("gpu", "0"), ("Hostname", "gpu-node-1")],
            ),
            gauge(util, n),
        )]
    };
    let (fire, calm) = (c.threshold + (100.0 - c.threshold) / 2.0, c.threshold / 2.0);
    (expr, pair((fire, calm), c.eval(0), labels(&[("Hostname", "gpu-node-1"), ("gpu", "0")]), make))
}

pub fn defs() -> Vec<Def> {
    let d = |name, job, threshold, for_, severity, l, summary, description, build| Def {
        name,
        file: INFRASTRUCTURE_FILE,
        group: GROUP,
        job,
        threshold,
        for_,
        severity,
        labels: l,
        summary,
        description,
        build,
    };
    let server: &[(&str, &str)] = &[("component", "server")];
    let pg: &[(&str, &str)] = &[("service", "postgresql")];
    let redis: &[(&str, &str)] = &[("service", "redis")];
    let mq: &[(&str, &str)] = &[("service", "rabbitmq")];
    let k8s: &[(&str, &str)] = &[("component", "kubernetes")];
    let minio: &[(&str, &str)] = &[("component", "minio")];
    let gpu: &[(&str, &str)] = &[("component", "gpu")];
    let ne = Some(NODE_JOB);
    vec![
        d(
            "HostHighCpuLoad",
            ne,
            0.8,
            "10m",
            "warning",
            server,
            "High CPU Load on {{ $labels.instance }}",
            "The 15-minute load per core on {{ $labels.instance }} has been above {threshold} for {for}.",
            host_cpu_load,
        ),
        d(
            "HostHighMemoryUsage",
            ne,
            0.9,
            "10m",
            "warning",
            server,
            "High memory usage on {{ $labels.instance }}",
            "More than {threshold} of the memory of {{ $labels.instance }} has been in use for {for}.",
            host_memory,
        ),
        d(
            "HostLowDiskSpace",
            ne,
            10.0,
            "5m",
            "critical",
            server,
            "Low Disk Space on {{ $labels.instance }} (mountpoint {{ $labels.mountpoint }})",
            "Less than {threshold}% disk space available on {{ $labels.mountpoint }} for host {{ $labels.instance }}.",
            host_disk_space,
        ),
        d(
            "HostDiskWillFillSoon",
            ne,
            24.0,
            "1h",
            "warning",
            server,
            "Disk on {{ $labels.instance }} fills within {threshold} hours",
            "At the rate of the last 6 hours, {{ $labels.mountpoint }} on {{ $labels.instance }} is full within {threshold} hours.",
            host_disk_fill,
        ),
        d(
            "TargetDown",
            None,
            0.0,
            "5m",
            "warning",
            &[("component", "scrape")],
            "Target {{ $labels.instance }} of job {{ $labels.job }} is down",
            "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for {for}.",
            target_down,
        ),
        d(
            "CriticalTargetDown",
            None,
            0.0,
            "1m",
            "critical",
            &[("component", "scrape")],
            "Target {{ $labels.instance }} of critical job {{ $labels.job }} is down",
            "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}) for {for}: the service cannot be seen, and its own alerts cannot fire.",
            critical_target_down,
        ),
        d(
            "CriticalTargetMissing",
            None,
            0.0,
            "5m",
            "critical",
            &[("component", "scrape")],
            "Critical job {{ $labels.job }} has no targets",
            "Service discovery has found no target of job {{ $labels.job }} for {for}: nothing watches the service.",
            critical_target_missing,
        ),
        d(
            "PostgresqlDown",
            Some(PG_JOB),
            0.0,
            "1m",
            "critical",
            pg,
            "PostgreSQL {{ $labels.instance }} is down",
            "postgres_exporter on {{ $labels.instance }} cannot reach its PostgreSQL server.",
            |c| server_down(c, "pg_up", PG),
        ),
        d(
            "PostgresqlReplicationLag",
            Some(PG_JOB),
            30.0,
            "5m",
            "warning",
            pg,
            "PostgreSQL replication lag on {{ $labels.instance }}",
            "The replica {{ $labels.instance }} has been more than {threshold}s behind its primary for {for}.",
            |c| gauge_above(c, "pg_replication_lag_seconds", PG),
        ),
        d(
            "PostgresqlTooManyConnections",
            Some(PG_JOB),
            0.8,
            "5m",
            "warning",
            pg,
            "PostgreSQL {{ $labels.instance }} near its connection limit",
            "More than {threshold} of max_connections on {{ $labels.instance }} have been in use for {for}.",
            pg_connections,
        ),
        d(
            "PostgresqlSlowQueries",
            Some(PG_JOB),
            300.0,
            "5m",
            "warning",
            pg,
            "Slow PostgreSQL transactions on {{ $labels.instance }}",
            "An active transaction on {{ $labels.instance }} has been running for more than {threshold}s.",
            pg_slow_queries,
        ),
        d(
            "RedisDown",
            Some(REDIS_JOB),
            0.0,
            "1m",
            "critical",
            redis,
            "Redis {{ $labels.instance }} is down",
            "redis_exporter on {{ $labels.instance }} cannot reach its Redis server.",
            |c| server_down(c, "redis_up", REDIS),
        ),
        d(
            "RedisHighMemoryUsage",
            Some(REDIS_JOB),
            0.9,
            "5m",
            "warning",
            redis,
            "Redis {{ $labels.instance }} memory nearly full",
            "Redis {{ $labels.instance }} has used more than {threshold} of its maxmemory for {for}.",
            redis_memory,
        ),
        d(
            "RabbitmqHighQueueDepth",
            Some(MQ_QUEUES_JOB),
            10000.0,
            "10m",
            "warning",
            mq,
            "RabbitMQ queue {{ $labels.queue }} (vhost {{ $labels.vhost }}) is backing up",
            "More than {threshold} messages have been ready in queue {{ $labels.queue }} of vhost {{ $labels.vhost }} on {{ $labels.instance }} for {for}.",
            |c| queue_above(c, "rabbitmq_detailed_queue_messages_ready"),
        ),
        d(
            "RabbitmqUnackedMessages",
            Some(MQ_QUEUES_JOB),
            1000.0,
            "10m",
            "warning",
            mq,
            "Many unacknowledged messages in RabbitMQ queue {{ $labels.queue }} (vhost {{ $labels.vhost }})",
            "More than {threshold} messages delivered from queue {{ $labels.queue }} of vhost {{ $labels.vhost }} on {{ $labels.instance }} have been waiting for an acknowledgement for {for}.",
            |c| queue_above(c, "rabbitmq_detailed_queue_messages_unacked"),
        ),
        d(
            "RabbitmqClusterPartition",
            Some(MQ_JOB),
            0.0,
            "1m",
            "critical",
            mq,
            "RabbitMQ node {{ $labels.instance }} has lost cluster peers",
            "RabbitMQ node {{ $labels.instance }} of cluster {{ $labels.rabbitmq_cluster }} has fewer established Erlang distribution links than the cluster has other nodes: a network partition or a node that cannot rejoin.",
            mq_partition,
        ),
        d(
            "KubernetesNodeNotReady",
            Some(KSM_JOB),
            0.0,
            "10m",
            "critical",
            k8s,
            "Kubernetes node {{ $labels.node }} is not ready",
            "Node {{ $labels.node }} has not been Ready for {for}.",
            node_not_ready,
        ),
        d(
            "KubernetesPodCrashLooping",
            Some(KSM_JOB),
            3.0,
            "5m",
            "warning",
            k8s,
            "Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping",
            "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} restarted more than {threshold} times in 15 minutes.",
            pod_crash_looping,
        ),
        d(
            "KubernetesApiServerLatency",
            Some(APISERVER_JOB),
            1.0,
            "10m",
            "warning",
            k8s,
            "Kubernetes API server is slow for {{ $labels.verb }}",
            "The 99th percentile of {{ $labels.verb }} requests to the API server has been above {threshold}s for {for}.",
            apiserver_latency,
        ),
        d(
            "MinioDriveOffline",
            Some(MINIO_JOB),
            0.0,
            "5m",
            "critical",
            minio,
            "MinIO drives are offline",
            "MinIO reports offline drives; the object store runs with reduced redundancy.",
            |c| gauge_sum_above(c, "minio_cluster_drive_offline_total"),
        ),
        d(
            "MinioReplicationFailures",
            Some(MINIO_BUCKET_JOB),
            0.0,
            "15m",
            "warning",
            minio,
            "MinIO replication of bucket {{ $labels.bucket }} is failing",
            "More than {threshold} objects of bucket {{ $labels.bucket }} failed to replicate to {{ $labels.targetArn }} in the last hour.",
            minio_replication_failures,
        ),
        d(
            "GpuHighUtilisation",
            Some(DCGM_JOB),
            95.0,
            "30m",
            "warning",
            gpu,
            "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is saturated",
            "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has been more than {threshold}% busy for {for}.",
            gpu_utilisation,
        ),
        d(
            "GpuMemorySaturation",
            Some(DCGM_JOB),
            0.95,
            "15m",
            "warning",
            gpu,
            "GPU {{ $labels.gpu }} memory nearly full on {{ $labels.Hostname }}",
            "More than {threshold} of the memory of GPU {{ $labels.gpu }} on {{ $labels.Hostname }} has been in use for {for}.",
            gpu_memory,
        ),
    ]
}
