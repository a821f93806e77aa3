//! The panels every instrumented HTTP service gets: rate, errors and latency percentiles from the
//! recording rules, and CPU and memory of its processes.

use super::board::{Panel, Section, ts};
use super::*;

// `job` is a `job` matcher throughout (`job="odoo-backend"`: crate::catalogue::kinds::named).

/// The share of `job`'s responses with a 5xx status, from the recording rules (5m).
pub fn error_ratio(job: &str) -> String {
    format!("sum(job:http_requests_errors:rate5m{{{job}}}) / sum(job:http_requests:rate5m{{{job}}})")
}

pub fn errors(job: &str) -> Panel {
    ts("Error ratio", "Share of responses with a 5xx status (5m).", "percentunit")
        .query("5xx", error_ratio(job))
        .warn_crit(0.01, 0.05)
}

pub fn status_codes(job: &str) -> Panel {
    ts("Status codes", "Responses per second by status code.", "reqps")
        .query("{{code}}", format!("sum by (code) ({})", rate("http_requests_total", job, "")))
}

/// Traffic, errors and latency of `job`, from the `job:http_*` recording rules.
pub fn red(job: &str) -> Section {
    let p = |q: &str| format!("max(job:http_request_duration_seconds:{q}_rate5m{{{job}}})");
    Section::new(
        env_title("Traffic"),
        vec![
            ts("Request rate", "Requests per second (5m).", "reqps")
                .query("requests", format!("sum(job:http_requests:rate5m{{{job}}})"))
                .query("5xx", format!("sum(job:http_requests_errors:rate5m{{{job}}})")),
            errors(job),
            ts("Latency", "Median, 90th, 95th and 99th percentile request latency (5m).", "s")
                .query("p50", p("p50"))
                .query("p90", p("p90"))
                .query("p95", p("p95"))
                .query("p99", p("p99")),
            status_codes(job),
        ],
    )
}

/// CPU and resident memory of the service's processes, per instance.
pub fn process(job: &str) -> Vec<Panel> {
    vec![
        ts("CPU", "CPU seconds per second used by the service's processes.", "short")
            .query("{{instance}}", format!("sum by (instance) ({})", rate("process_cpu_seconds_total", job, ""))),
        ts("Memory", "Resident memory of the service's processes.", "bytes")
            .query("{{instance}}", format!("sum by (instance) (process_resident_memory_bytes{})", sel(job, ""))),
    ]
}

/// The Odoo queue_job jobs by state.
pub fn odoo_queues(spec: &Spec) -> Panel {
    ts("Job queues", "Odoo queue_job jobs by state.", "short")
        .query("{{state}}", format!("sum by (state) (odoo_queue_jobs{})", sel(&job_of(spec, ODOO_JOB), "")))
}
