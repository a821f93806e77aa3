//! Odoo backend performance: traffic, errors and latency, its processes, and the queue_job
//! queues.

use super::board::{Board, Section, ts};
use super::*;

pub fn board(spec: &Spec) -> Board {
    let mut processes = http::process(&job_of(spec, ODOO_JOB));
    processes.push(http::odoo_queues(spec));
    processes.push(
        ts("Failed jobs", "Odoo queue_job jobs in state failed.", "short")
            .query("failed", format!("sum(odoo_queue_jobs{})", sel(&job_of(spec, ODOO_JOB), "state=\"failed\"")))
            .warn_crit(1.0, 10.0),
    );
    Board {
        uid: uid(DashboardKind::Odoo).into(),
        title: "Odoo Backend".into(),
        description: "Odoo backend performance and job queues.".into(),
        tags: &["services"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![http::red(&job_of(spec, ODOO_JOB)), Section::new("Processes and job queues", processes)],
    }
}
