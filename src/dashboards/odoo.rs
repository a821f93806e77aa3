//! Odoo backend performance: traffic, errors and latency, its processes, and the queue_job
//! queues.

use super::board::{Board, Section, ts};
use super::*;

pub fn board() -> Board {
    let mut processes = http::process(ODOO_JOB);
    processes.push(http::odoo_queues());
    processes.push(
        ts("Failed jobs", "Odoo queue_job jobs in state failed.", "short")
            .query("failed", format!("sum(odoo_queue_jobs{})", sel(ODOO_JOB, "state=\"failed\"")))
            .warn_crit(1.0, 10.0),
    );
    Board {
        uid: uid(DashboardKind::Odoo).into(),
        title: "Odoo Backend".into(),
        description: "Odoo backend performance and job queues.".into(),
        tags: &["services"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![http::red(ODOO_JOB), Section::new("Processes and job queues", processes)],
    }
}
