//! cAdvisor as the kubelet embeds it (`/metrics/cadvisor`): per-container CPU, memory and
//! network. The names are cAdvisor's (`docs/storage/prometheus.md`); the labels are the
//! kubelet's (`pkg/kubelet/server/server.go`, `containerPrometheusLabelsFunc`: `id`, `name`,
//! `image`, `container`, `pod`, `namespace`), network metrics add `interface`.

use super::{CADVISOR_JOB, Table, Verified, m};

const CONTAINER: &[&str] = &["id", "name", "image", "container", "pod", "namespace"];
const INTERFACE: &[&str] = &["id", "name", "image", "container", "pod", "namespace", "interface"];

pub const TABLE: Table = Table {
    exporter: "cAdvisor (kubelet)",
    job: CADVISOR_JOB,
    endpoint: "/metrics/cadvisor",
    version: "0.60.5 (in the kubelet)",
    source: "https://github.com/google/cadvisor/blob/v0.60.5/docs/storage/prometheus.md",
    verified: Verified::Documented,
    metrics: &[&[
        m("container_cpu_usage_seconds_total", CONTAINER),
        m("container_memory_working_set_bytes", CONTAINER),
        m("container_network_receive_bytes_total", INTERFACE),
        m("container_network_transmit_bytes_total", INTERFACE),
        m("container_cpu_cfs_throttled_periods_total", CONTAINER),
        m("container_cpu_cfs_periods_total", CONTAINER),
    ]],
    newer_than_scraped: &[],
};
