//! API gateway details: traffic, errors and latency, the busiest and most failing routes, and
//! the gateway's processes.

use super::board::{Board, Panel, Section, Viz};
use super::*;

pub fn board(spec: &Spec) -> Board {
    let j = job_of(spec, GATEWAY_JOB);
    let routes = Section::new(
        "Routes",
        vec![
            Panel::new(Viz::Table, "Busiest routes", "The ten routes with the most requests per second (5m).", "reqps")
                .query("", format!("topk(10, sum by (handler) (job_handler:http_requests:rate5m{{{j}}}))")),
            Panel::new(Viz::Table, "Most failing routes", "The ten routes with the highest 5xx ratio (5m).", "percentunit").query(
                "",
                format!(
                    "topk(10, sum by (handler) (job_handler:http_requests_errors:rate5m{{{j}}}) / sum by (handler) (job_handler:http_requests:rate5m{{{j}}}) > 0)"
                ),
            ),
        ],
    );
    Board {
        uid: uid(DashboardKind::ApiGateway).into(),
        title: "API Gateway".into(),
        description: "Traffic, errors and latency through the API gateway.".into(),
        tags: &["services"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![
            http::red(&job_of(spec, GATEWAY_JOB)),
            routes,
            Section::new("Processes", http::process(&job_of(spec, GATEWAY_JOB))),
        ],
    }
}
