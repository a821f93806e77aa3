//! node_exporter: host CPU, load, memory, filesystems, disks and network.

use super::{NODE_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "node_exporter",
    job: NODE_JOB,
    endpoint: "/metrics",
    version: "1.9.0",
    source: "https://github.com/prometheus/node_exporter/tree/v1.9.0/collector",
    verified: Verified::Scraped { package: "prometheus-node-exporter (Debian 13)", version: "1.9.0" },
    metrics: &[&[
        m("node_cpu_seconds_total", &["cpu", "mode"]),
        m("node_load1", &[]),
        m("node_load5", &[]),
        m("node_load15", &[]),
        m("node_memory_MemAvailable_bytes", &[]),
        m("node_memory_MemTotal_bytes", &[]),
        m("node_filesystem_avail_bytes", &["device", "fstype", "mountpoint"]),
        m("node_filesystem_size_bytes", &["device", "fstype", "mountpoint"]),
        m("node_filesystem_readonly", &["device", "fstype", "mountpoint"]),
        m("node_disk_read_bytes_total", &["device"]),
        m("node_disk_written_bytes_total", &["device"]),
        m("node_disk_io_time_seconds_total", &["device"]),
        m("node_network_receive_bytes_total", &["device"]),
        m("node_network_transmit_bytes_total", &["device"]),
        m("node_boot_time_seconds", &[]),
        m("node_time_seconds", &[]),
    ]],
    newer_than_scraped: &[],
};
