//! Recording rules named `level:metric:operations`: request and error rates per job and per
//! endpoint (`handler`), service latencies (average, p50, p90, p95, p99) from the services'
//! `http_request_duration_seconds` histograms, cluster-wide CPU and memory use (with
//! node_exporter), and RabbitMQ message rates per node (with its plugin's global counters, which
//! have no per-queue breakdown).

use super::metrics::{MQ_JOB, NODE_JOB};
use super::{RECORDING_FILE, Recording};
use crate::spec::Spec;
use std::collections::BTreeMap;

fn rule(group: &str, record: &str, expr: String) -> Recording {
    Recording { file: RECORDING_FILE.into(), group: group.into(), record: record.into(), expr, labels: BTreeMap::new() }
}

pub fn recordings(spec: &Spec) -> Vec<Recording> {
    let job = |role: &str| super::kinds::matcher(spec, role);
    let mut out = vec![
        rule("http_recording_rules", "job:http_requests:rate5m", "sum by (job) (rate(http_requests_total[5m]))".into()),
        rule("http_recording_rules", "job:http_requests_errors:rate5m", "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))".into()),
        rule(
            "http_recording_rules",
            "job_handler:http_requests:rate5m",
            "sum by (job, handler) (rate(http_requests_total[5m]))".into(),
        ),
        rule(
            "http_recording_rules",
            "job_handler:http_requests_errors:rate5m",
            "sum by (job, handler) (rate(http_requests_total{code=~\"5..\"}[5m]))".into(),
        ),
        rule(
            "http_recording_rules",
            "job:http_request_duration_seconds:avg_rate5m",
            "sum by (job) (rate(http_request_duration_seconds_sum[5m])) / sum by (job) (rate(http_request_duration_seconds_count[5m]))".into(),
        ),
    ];
    for (q, name) in [("0.5", "p50"), ("0.9", "p90"), ("0.95", "p95"), ("0.99", "p99")] {
        out.push(rule(
            "http_recording_rules",
            &format!("job:http_request_duration_seconds:{name}_rate5m"),
            format!("histogram_quantile({q}, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m])))"),
        ));
    }
    if let Some(node) = job(NODE_JOB) {
        out.push(rule(
            "cluster_recording_rules",
            "cluster:node_cpu_utilisation:ratio_rate5m",
            format!("1 - avg(rate(node_cpu_seconds_total{{{node}, mode=\"idle\"}}[5m]))"),
        ));
        out.push(rule(
            "cluster_recording_rules",
            "cluster:node_memory_utilisation:ratio",
            format!("1 - sum(node_memory_MemAvailable_bytes{{{node}}}) / sum(node_memory_MemTotal_bytes{{{node}}})"),
        ));
    }
    if let Some(mq) = job(MQ_JOB) {
        for (record, metric) in [
            ("instance:rabbitmq_global_messages_received:rate5m", "rabbitmq_global_messages_received_total"),
            ("instance:rabbitmq_global_messages_delivered:rate5m", "rabbitmq_global_messages_delivered_total"),
            ("instance:rabbitmq_global_messages_acknowledged:rate5m", "rabbitmq_global_messages_acknowledged_total"),
        ] {
            out.push(rule("queue_recording_rules", record, format!("sum by (instance) (rate({metric}{{{mq}}}[5m]))")));
        }
    }
    out
}
