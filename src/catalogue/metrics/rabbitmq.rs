//! RabbitMQ's built-in `rabbitmq_prometheus` plugin (port 15692). It has no
//! `rabbitmq_partitions` and no per-queue delivered/acknowledged counters, and its default
//! endpoint aggregates every queue of a node into one series without `queue` or `vhost`. So
//! the nodes are scraped twice, as RabbitMQ's cluster operator does (its ServiceMonitor,
//! `observability/prometheus/monitors/rabbitmq-servicemonitor.yml`): `/metrics` for the node
//! aggregates, and `/metrics/detailed?family=queue_coarse_metrics&family=queue_consumer_count`
//! (RabbitMQ 3.10+) for the per-queue depth, every series named `rabbitmq_detailed_…` with
//! `vhost` and `queue`.
//!
//! The environments target 4.3 (2026); Debian 12 ships 3.10.8, which the loopback test
//! scrapes. Every name read here is in both (`deps/rabbitmq_prometheus/metrics.md` and
//! `metrics-detailed.md`).

use super::{MQ_JOB, MQ_QUEUES_JOB, Table, Verified, m};

const PACKAGE: Verified = Verified::Scraped { package: "rabbitmq-server (Debian 12)", version: "3.10.8" };

pub const TABLE: Table = Table {
    exporter: "rabbitmq_prometheus",
    job: MQ_JOB,
    endpoint: "/metrics",
    version: "4.3.5",
    source: "https://github.com/rabbitmq/rabbitmq-server/blob/v4.3.5/deps/rabbitmq_prometheus/metrics.md",
    verified: PACKAGE,
    metrics: &[&[
        m("rabbitmq_connections", &[]),
        // All queues of the node together.
        m("rabbitmq_queue_messages_ready", &[]),
        m("rabbitmq_queue_messages_unacked", &[]),
        // Global counters (3.9+): they never go down when connections close, unlike the
        // aggregated channel counters.
        m("rabbitmq_global_messages_received_total", &["protocol"]),
        m("rabbitmq_global_messages_delivered_total", &["protocol", "queue_type"]),
        m("rabbitmq_global_messages_acknowledged_total", &["protocol", "queue_type"]),
        m("rabbitmq_identity_info", &["rabbitmq_node", "rabbitmq_cluster"]),
        m("rabbitmq_build_info", &["rabbitmq_version", "erlang_version"]),
        // The Erlang distribution links to the other nodes (1 pending, 2 up_pending, 3 up),
        // one series per connected peer: RabbitMQ's own dashboards and alerts detect
        // partitions from it (`InsufficientEstablishedErlangDistributionLinks`).
        m("erlang_vm_dist_node_state", &["peer"]),
    ]],
    newer_than_scraped: &[],
};

pub const QUEUES: Table = Table {
    exporter: "rabbitmq_prometheus",
    job: MQ_QUEUES_JOB,
    endpoint: "/metrics/detailed?family=queue_coarse_metrics&family=queue_consumer_count",
    version: "4.3.5",
    source: "https://github.com/rabbitmq/rabbitmq-server/blob/v4.3.5/deps/rabbitmq_prometheus/metrics-detailed.md",
    verified: PACKAGE,
    metrics: &[&[
        m("rabbitmq_detailed_queue_messages_ready", &["vhost", "queue"]),
        m("rabbitmq_detailed_queue_messages_unacked", &["vhost", "queue"]),
        m("rabbitmq_detailed_queue_messages", &["vhost", "queue"]),
        m("rabbitmq_detailed_queue_consumers", &["vhost", "queue"]),
    ]],
    newer_than_scraped: &[],
};
