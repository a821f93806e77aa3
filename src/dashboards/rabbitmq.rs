//! RabbitMQ deep-dive: queue depths, message rates (from the recording rules), consumers,
//! connections and partitions.

use super::board::{Board, Panel, Section, Viz, stat, ts};
use super::*;

pub fn board() -> Board {
    let mq = |extra: &str| sel(MQ_JOB, extra);
    let headline = Section::new(
        env_title("Broker"),
        vec![
            stat("Messages ready", "Messages waiting in all queues.", "short")
                .query("", format!("sum(rabbitmq_queue_messages_ready{})", mq(""))),
            stat("Messages unacknowledged", "Messages delivered but not yet acknowledged.", "short")
                .query("", format!("sum(rabbitmq_queue_messages_unacked{})", mq(""))),
            stat("Connections", "Open client connections.", "short")
                .query("", format!("sum(rabbitmq_connections{})", mq(""))),
            stat("Partitions", "Network partitions any node sees (must be 0).", "short")
                .query("", format!("max(rabbitmq_partitions{})", mq("")))
                .warn_crit(1.0, 1.0),
        ],
    );
    let queues = Section::new(
        "Queues",
        vec![
            ts("Queue depth", "Messages ready per queue.", "short")
                .query("{{queue}}", format!("sum by (queue) (rabbitmq_queue_messages_ready{})", mq(""))),
            ts("Unacknowledged", "Messages awaiting acknowledgement per queue.", "short")
                .query("{{queue}}", format!("sum by (queue) (rabbitmq_queue_messages_unacked{})", mq(""))),
            ts("Message rates", "Messages published, delivered and acknowledged per second (5m).", "ops")
                .query("published", "sum(queue:rabbitmq_messages_published:rate5m)")
                .query("delivered", "sum(queue:rabbitmq_messages_delivered:rate5m)")
                .query("acked", "sum(queue:rabbitmq_messages_acked:rate5m)"),
            Panel::new(
                Viz::BarGauge,
                "Consumers per queue",
                "Consumers attached to each queue (0 means nobody drains it).",
                "short",
            )
            .query("{{queue}}", format!("sum by (queue) (rabbitmq_queue_consumers{})", mq(""))),
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
