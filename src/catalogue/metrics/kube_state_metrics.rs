//! kube-state-metrics: the state of Kubernetes objects (nodes, pods, deployments).

use super::{KSM_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "kube-state-metrics",
    job: KSM_JOB,
    endpoint: "/metrics",
    version: "2.20.0",
    source: "https://github.com/kubernetes/kube-state-metrics/tree/v2.20.0/docs/metrics",
    verified: Verified::Documented,
    metrics: &[&[
        // cluster/node-metrics.md
        m("kube_node_info", &["node", "kernel_version", "os_image", "kubelet_version", "internal_ip"]),
        m("kube_node_status_condition", &["node", "condition", "status"]),
        m("kube_node_status_allocatable", &["node", "resource", "unit"]),
        // workload/pod-metrics.md; `label_<pod label>` for the pod labels allow-listed with
        // `--metric-labels-allowlist`.
        m(
            "kube_pod_info",
            &["namespace", "pod", "uid", "node", "host_ip", "pod_ip", "created_by_kind", "created_by_name"],
        ),
        m("kube_pod_labels", &["namespace", "pod", "uid", "label_*"]),
        m("kube_pod_status_phase", &["namespace", "pod", "uid", "phase"]),
        m("kube_pod_container_status_restarts_total", &["namespace", "pod", "uid", "container"]),
        m("kube_pod_container_status_waiting_reason", &["namespace", "pod", "uid", "container", "reason"]),
        m(
            "kube_pod_container_resource_requests",
            &["namespace", "pod", "uid", "container", "node", "resource", "unit"],
        ),
        // workload/deployment-metrics.md
        m("kube_deployment_spec_replicas", &["namespace", "deployment"]),
        m("kube_deployment_status_replicas_available", &["namespace", "deployment"]),
    ]],
    newer_than_scraped: &[],
};
