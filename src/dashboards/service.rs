//! A service's golden signals: traffic, errors and latency from the recording rules (the
//! [`http`] panels every instrumented service gets), and saturation: its processes' CPU and
//! memory, its queue depth when the spec names the gauge, and its pods' CPU and memory when the
//! job discovers pods, keeps their `namespace` and `pod` labels, and cAdvisor is scraped.

use super::board::{Board, Section, ts};
use super::*;
use crate::spec::grafana::ServiceDashboard;
use crate::spec::scrape::{Discovery, K8sRole};

/// Whether `job`'s targets are pods whose `namespace` and `pod` labels, set by the generated
/// discovery relabeling, reach `up{job}` (the job's own target labels and relabeling leave them
/// alone), and cAdvisor's container metrics are scraped: otherwise the pod panels' join would
/// come out empty, and they are left out.
fn pods_measured(spec: &Spec, job: &str) -> bool {
    let Some(j) = spec.scrape_jobs.iter().find(|j| j.name == job) else { return false };
    let Discovery::Kubernetes(k) = &j.discovery else { return false };
    let kept = |label: &str| {
        !j.labels.contains_key(label)
            && !k.target_labels.contains_key(label)
            && !j.relabel_configs.iter().any(|r| r.may_change(label))
    };
    k.role == K8sRole::Pod
        && kept("namespace")
        && kept("pod")
        && crate::catalogue::kinds::job(spec, CADVISOR_JOB).is_some()
}

/// `series` (cAdvisor, per container) summed per pod, for the pods that are `job`'s targets.
fn per_pod(series: &str, job: &str) -> String {
    format!(
        "sum by (pod) (sum by (namespace, pod) ({series}) * on (namespace, pod) group by (namespace, pod) (up{}))",
        sel(job, "")
    )
}

pub fn board(spec: &Spec, s: &ServiceDashboard) -> Board {
    let name = s.job.as_str();
    let job = &crate::catalogue::kinds::named(name);
    let mut saturation = http::process(job);
    if let Some(metric) = &s.queue_metric {
        saturation.push(
            ts("Queue depth", format!("Backlog of the service's queue ({metric}), per instance."), "short")
                .query("{{instance}}", format!("max by (instance) ({metric}{})", sel(job, ""))),
        );
    }
    if pods_measured(spec, name) {
        let container = "container!=\"\"";
        saturation.push(ts("Pod CPU", "CPU cores used by each of the service's pods (cAdvisor).", "short").query(
            "{{pod}}",
            per_pod(&rate("container_cpu_usage_seconds_total", &job_of(spec, CADVISOR_JOB), container), job),
        ));
        saturation.push(
            ts("Pod memory", "Working-set memory of each of the service's pods (cAdvisor).", "bytes").query(
                "{{pod}}",
                per_pod(
                    &format!("container_memory_working_set_bytes{}", sel(&job_of(spec, CADVISOR_JOB), container)),
                    job,
                ),
            ),
        );
    }
    Board {
        uid: s.uid(),
        title: s.title(),
        description: format!("Golden signals of {name}: traffic, errors, latency and saturation."),
        tags: &["services", "golden-signals"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![http::red(job), Section::new("Saturation", saturation)],
    }
}
