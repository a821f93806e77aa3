//! n8n workflows: executions by outcome, the failure ratio, and the queue of waiting jobs
//! against the completion rate.

use super::board::{Board, Section, stat, ts};
use super::*;

pub fn board(spec: &Spec) -> Board {
    let executions = |extra: &str| rate("n8n_workflow_executions_total", &job_of(spec, N8N_JOB), extra);
    let failure = format!("sum({}) / sum({})", executions("status=\"error\""), executions(""));
    let headline = Section::new(
        env_title("Workflows"),
        vec![
            stat("Executions", "Workflow executions per second.", "ops").query("", format!("sum({})", executions(""))),
            stat("Failure ratio", "Share of workflow executions that failed.", "percentunit")
                .query("", failure.clone())
                .warn_crit(0.05, 0.1),
            stat("Jobs waiting", "Jobs waiting in the n8n queue.", "short")
                .query("", format!("sum(n8n_queue_jobs_waiting{})", sel(&job_of(spec, N8N_JOB), ""))),
        ],
    );
    let detail = Section::new(
        "Executions and queue",
        vec![
            ts("Executions by outcome", "Workflow executions per second by status.", "ops")
                .query("{{status}}", format!("sum by (status) ({})", executions(""))),
            ts("Failure ratio", "Share of workflow executions that failed.", "percentunit")
                .query("failed", failure)
                .warn_crit(0.05, 0.1),
            ts("Queue", "Jobs waiting, and jobs completed per second.", "short")
                .query("waiting", format!("sum(n8n_queue_jobs_waiting{})", sel(&job_of(spec, N8N_JOB), "")))
                .query(
                    "completed/s",
                    format!("sum({})", rate("n8n_queue_jobs_completed_total", &job_of(spec, N8N_JOB), "")),
                ),
        ],
    );
    Board {
        uid: uid(DashboardKind::N8n).into(),
        title: "n8n Workflows".into(),
        description: "n8n workflow executions and queue.".into(),
        tags: &["services"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![headline, detail, Section::new("Processes", http::process(&job_of(spec, N8N_JOB)))],
    }
}
