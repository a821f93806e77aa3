//! RabbitMQ deep-dive: the nodes' message totals, connections and peers (the plugin's
//! `/metrics`), each queue's depth, unacknowledged messages and consumers (its
//! `/metrics/detailed`, the `rabbitmq_queues` job), and message rates (from the recording rules).

use super::board::{Board, Panel, Section, Viz, stat, ts};
use super::*;

pub fn board(spec: &Spec) -> Board {
    let mq = |extra: &str| sel(&job_of(spec, MQ_JOB), extra);
    let queue = |metric: &str| format!("sum by (vhost, queue) ({metric}{})", sel(&job_of(spec, MQ_QUEUES_JOB), ""));
    let headline = Section::new(
        env_title("Broker"),
        vec![
            stat("Messages ready", "Messages waiting in all queues.", "short")
                .query("", format!("sum(rabbitmq_queue_messages_ready{})", mq(""))),
            stat("Messages unacknowledged", "Messages delivered but not yet acknowledged.", "short")
                .query("", format!("sum(rabbitmq_queue_messages_unacked{})", mq(""))),
            stat("Connections", "Open client connections.", "short")
                .query("", format!("sum(rabbitmq_connections{})", mq(""))),
            stat(
                "Nodes cut off",
                "Nodes with fewer established Erlang distribution links than the cluster has other nodes (a partition; must be 0).",
                "short",
            )
            .query("", format!("count({}) or vector(0)", crate::catalogue::rabbitmq_partition(&job_of(spec, MQ_JOB))))
            .warn_crit(1.0, 1.0),
        ],
    );
    let queues = Section::new(
        "Queues",
        vec![
            ts("Queue depth", "Messages ready per queue.", "short")
                .query("{{vhost}} {{queue}}", queue("rabbitmq_detailed_queue_messages_ready")),
            ts("Unacknowledged", "Messages awaiting acknowledgement per queue.", "short")
                .query("{{vhost}} {{queue}}", queue("rabbitmq_detailed_queue_messages_unacked")),
            ts("Message rates", "Messages received, delivered and acknowledged per second, all nodes (5m).", "ops")
                .query("received", "sum(instance:rabbitmq_global_messages_received:rate5m)")
                .query("delivered", "sum(instance:rabbitmq_global_messages_delivered:rate5m)")
                .query("acknowledged", "sum(instance:rabbitmq_global_messages_acknowledged:rate5m)"),
            Panel::new(
                Viz::BarGauge,
                "Consumers per queue",
                "Consumers attached to each queue (0 means nobody drains it).",
                "short",
            )
            .query("{{vhost}} {{queue}}", queue("rabbitmq_detailed_queue_consumers")),
        ],
    );
    Board {
        uid: uid(DashboardKind::Rabbitmq).into(),
        title: "RabbitMQ".into(),
        description: "RabbitMQ queues and message flow.".into(),
        tags: &["messaging", "infrastructure"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![headline, queues],
    }
}
