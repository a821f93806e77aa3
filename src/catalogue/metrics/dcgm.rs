//! NVIDIA DCGM exporter: GPU utilisation, memory, temperature and power from its default
//! counters (`etc/default-counters.csv`). Every GPU series carries `gpu`, `UUID`,
//! `pci_bus_id`, `device`, `modelName` and `Hostname`
//! (`internal/pkg/rendermetrics/render_metrics.go`), and with the Kubernetes mapping on (the
//! GPU operator's default) the `pod`, `namespace` and `container` using the GPU.

use super::{DCGM_JOB, Table, Verified, m};

const GPU: &[&str] = &["gpu", "UUID", "pci_bus_id", "device", "modelName", "Hostname", "pod", "namespace", "container"];

pub const TABLE: Table = Table {
    exporter: "dcgm-exporter",
    job: DCGM_JOB,
    endpoint: "/metrics",
    version: "4.5.3-4.8.2",
    source: "https://github.com/NVIDIA/dcgm-exporter/blob/4.5.3-4.8.2/etc/default-counters.csv",
    verified: Verified::Documented,
    metrics: &[&[
        m("DCGM_FI_DEV_GPU_UTIL", GPU),
        m("DCGM_FI_DEV_FB_USED", GPU),
        m("DCGM_FI_DEV_FB_FREE", GPU),
        m("DCGM_FI_DEV_GPU_TEMP", GPU),
        m("DCGM_FI_DEV_POWER_USAGE", GPU),
    ]],
    newer_than_scraped: &[],
};
