//! Kubernetes cluster: node conditions, pod phases and restarts, deployments below their desired
//! replicas, cluster CPU and memory use against allocatable, and the API server's traffic and
//! latency (kube-state-metrics, cAdvisor, apiserver).

use super::board::{Board, Panel, Section, Viz, stat, ts};
use super::*;

/// The Kubernetes Cluster board: the cluster's headline, resources, workloads and API server.
pub fn board(spec: &Spec) -> Board {
    Board {
        uid: uid(DashboardKind::Kubernetes).into(),
        title: "Kubernetes Cluster".into(),
        description: "Nodes, pods, workloads and the API server of the Kubernetes cluster.".into(),
        tags: &["kubernetes", "infrastructure"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![headline(spec), resources(spec), workloads(spec), api_server(spec)],
    }
}

/// A kube-state-metrics selector body, with extra matchers.
fn ksm(spec: &Spec, extra: &str) -> String {
    sel(&job_of(spec, KSM_JOB), extra)
}

/// The headline stats: nodes, nodes not ready, pods running and pods pending or failed.
fn headline(spec: &Spec) -> Section {
    Section::new(
        env_title("Cluster"),
        vec![
            stat("Nodes", "Nodes known to the cluster.", "short")
                .query("", format!("count(kube_node_info{})", ksm(spec, ""))),
            stat("Nodes not ready", "Nodes whose Ready condition is not true.", "short")
                .query(
                    "",
                    format!(
                        "sum(kube_node_status_condition{}) or vector(0)",
                        ksm(spec, "condition=\"Ready\", status!=\"true\"")
                    ),
                )
                .warn_crit(1.0, 2.0),
            stat("Pods running", "Pods in phase Running.", "short")
                .query("", format!("sum(kube_pod_status_phase{})", ksm(spec, "phase=\"Running\""))),
            stat("Pods pending or failed", "Pods in phase Pending or Failed.", "short")
                .query("", format!("sum(kube_pod_status_phase{}) or vector(0)", ksm(spec, "phase=~\"Pending|Failed\"")))
                .warn_crit(1.0, 5.0),
        ],
    )
}

/// CPU and memory used against allocatable, CPU by namespace and CPU throttling.
fn resources(spec: &Spec) -> Section {
    Section::new(
        "Resources",
        vec![
            ts(
                "CPU used vs allocatable",
                "CPU cores used by containers, against what the nodes can allocate.",
                "short",
            )
            .query(
                "used",
                format!(
                    "sum({})",
                    rate("container_cpu_usage_seconds_total", &job_of(spec, CADVISOR_JOB), "container!=\"\"")
                ),
            )
            .query("allocatable", format!("sum(kube_node_status_allocatable{})", ksm(spec, "resource=\"cpu\""))),
            ts(
                "Memory used vs allocatable",
                "Working-set memory of containers, against what the nodes can allocate.",
                "bytes",
            )
            .query(
                "used",
                format!(
                    "sum(container_memory_working_set_bytes{})",
                    sel(&job_of(spec, CADVISOR_JOB), "container!=\"\"")
                ),
            )
            .query("allocatable", format!("sum(kube_node_status_allocatable{})", ksm(spec, "resource=\"memory\""))),
            ts("CPU by namespace", "CPU cores used per namespace.", "short").query(
                "{{namespace}}",
                format!(
                    "sum by (namespace) ({})",
                    rate("container_cpu_usage_seconds_total", &job_of(spec, CADVISOR_JOB), "container!=\"\"")
                ),
            ),
            ts(
                "CPU throttling",
                "Share of CFS periods in which containers were throttled, per namespace.",
                "percentunit",
            )
            .query(
                "{{namespace}}",
                format!(
                    "sum by (namespace) ({}) / sum by (namespace) ({})",
                    rate("container_cpu_cfs_throttled_periods_total", &job_of(spec, CADVISOR_JOB), "container!=\"\""),
                    rate("container_cpu_cfs_periods_total", &job_of(spec, CADVISOR_JOB), "container!=\"\"")
                ),
            )
            .warn_crit(0.25, 0.5),
        ],
    )
}

/// Container restarts per pod and the deployments below their desired replicas.
fn workloads(spec: &Spec) -> Section {
    Section::new(
        "Workloads",
        vec![
            ts("Container restarts", "Container restarts per pod over 15 minutes.", "short").query(
                "{{namespace}}/{{pod}}",
                format!("sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{}[15m])) > 0", ksm(spec, "")),
            ),
            Panel::new(
                Viz::Table,
                "Deployments below desired replicas",
                "Deployments with fewer available replicas than desired.",
                "short",
            )
            .query(
                "",
                format!(
                    "kube_deployment_spec_replicas{ksm} - on (namespace, deployment) kube_deployment_status_replicas_available{ksm} > 0",
                    ksm = ksm(spec, "")
                ),
            ),
        ],
    )
}

/// The API server's requests by code and its p99 latency by verb.
fn api_server(spec: &Spec) -> Section {
    Section::new(
        "API server",
        vec![
            ts("API server requests", "API server requests per second by response code.", "reqps").query(
                "{{code}}",
                format!("sum by (code) ({})", rate("apiserver_request_total", &job_of(spec, APISERVER_JOB), "")),
            ),
            ts("API server p99 latency", "99th percentile API server request latency by verb (watches excluded).", "s")
                .query(
                    "{{verb}}",
                    format!(
                        "histogram_quantile(0.99, sum by (le, verb) ({}))",
                        rate(
                            "apiserver_request_duration_seconds_bucket",
                            &job_of(spec, APISERVER_JOB),
                            "verb!~\"WATCH|CONNECT\""
                        )
                    ),
                )
                .warn_crit(0.5, 1.0),
        ],
    )
}
