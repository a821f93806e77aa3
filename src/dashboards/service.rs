//! A service's golden signals: traffic, errors and latency from the recording rules (the
//! [`http`] panels every instrumented service gets), and saturation: its processes' CPU and
//! memory, its queue depth when the spec names the gauge, and its pods' CPU and memory when the
//! job discovers pods and cAdvisor is scraped.

use super::board::{Board, Section, ts};
use super::*;
use crate::spec::grafana::ServiceDashboard;
use crate::spec::scrape::{Discovery, K8sRole};

/// Whether `job`'s targets are pods (so `up{job}` carries `namespace` and `pod`) and cAdvisor's
/// container metrics are scraped.
fn pods_measured(spec: &Spec, job: &str) -> bool {
    let pods = spec
        .scrape_jobs
        .iter()
        .any(|j| j.name == job && matches!(&j.discovery, Discovery::Kubernetes(k) if k.role == K8sRole::Pod));
    pods && spec.scrape_jobs.iter().any(|j| j.name == CADVISOR_JOB)
}

/// `series` (cAdvisor, per container) summed per pod, for the pods that are `job`'s targets.
fn per_pod(series: &str, job: &str) -> String {
    format!(
        "sum by (pod) (sum by (namespace, pod) ({series}) * on (namespace, pod) group by (namespace, pod) (up{}))",
        sel(job, "")
    )
}

pub fn board(spec: &Spec, s: &ServiceDashboard) -> Board {
    let job = s.job.as_str();
    let mut saturation = http::process(job);
    if let Some(metric) = &s.queue_metric {
        saturation.push(
            ts("Queue depth", format!("Backlog of the service's queue ({metric}), per instance."), "short")
                .query("{{instance}}", format!("max by (instance) ({metric}{})", sel(job, ""))),
        );
    }
    if pods_measured(spec, job) {
        let container = "container!=\"\"";
        saturation.push(
            ts("Pod CPU", "CPU cores used by each of the service's pods (cAdvisor).", "short")
                .query("{{pod}}", per_pod(&rate("container_cpu_usage_seconds_total", CADVISOR_JOB, container), job)),
        );
        saturation.push(
            ts("Pod memory", "Working-set memory of each of the service's pods (cAdvisor).", "bytes").query(
                "{{pod}}",
                per_pod(&format!("container_memory_working_set_bytes{}", sel(CADVISOR_JOB, container)), job),
            ),
        );
    }
    Board {
        uid: s.uid(),
        title: s.title(),
        description: format!("Golden signals of {job}: traffic, errors, latency and saturation."),
        tags: &["services", "golden-signals"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![http::red(job), Section::new("Saturation", saturation)],
    }
}
