//! Server health from node_exporter: CPU, load, memory, disk space and I/O, network, uptime, per
//! host (`instance` variable).

use super::board::{Board, Section, Variable, stat, ts};
use super::*;

/// The filesystems that hold data: neither in memory nor the boot partition.
const FS: &str = "fstype!~\"tmpfs|fuse.lxcfs\", mountpoint!=\"/boot\"";

/// The Server Health board: a host picker, the headline stats, then CPU and memory, disk and network.
pub fn board(spec: &Spec) -> Board {
    let node = &job_of(spec, NODE_JOB);
    Board {
        uid: uid(DashboardKind::NodeExporter).into(),
        title: "Server Health".into(),
        description: "Host resources from node_exporter.".into(),
        tags: &["infrastructure", "hosts"],
        ds: DatasourceType::Prometheus,
        variables: vec![Variable::Query {
            name: "instance",
            label: "Host",
            query: format!("label_values(up{}, instance)", sel(node, "")),
        }],
        sections: vec![headline(node), cpu_and_memory(node), disk_and_network(node)],
    }
}

/// The headline stats: hosts up, cluster CPU and memory use, and the lowest free disk.
fn headline(node: &str) -> Section {
    let n = |extra: &str| hosts(node, extra);
    Section::new(
        env_title("Hosts"),
        vec![
            stat("Hosts up", "Hosts whose node_exporter answers.", "short").query("", format!("sum(up{})", n(""))),
            stat("Cluster CPU busy", "Share of CPU time not idle, all hosts (5m).", "percentunit")
                .query("", "cluster:node_cpu_utilisation:ratio_rate5m")
                .warn_crit(0.7, 0.9),
            stat("Cluster memory used", "Share of memory in use, all hosts.", "percentunit")
                .query("", "cluster:node_memory_utilisation:ratio")
                .warn_crit(0.8, 0.9),
            stat("Lowest free disk", "The least free space of any filesystem.", "percentunit")
                .query("", format!("min(node_filesystem_avail_bytes{f} / node_filesystem_size_bytes{f})", f = n(FS)))
                .low_is_bad(0.1, 0.2),
        ],
    )
}

/// CPU busy, load per core, memory used and uptime, per host.
fn cpu_and_memory(node: &str) -> Section {
    let n = |extra: &str| hosts(node, extra);
    Section::new(
        "CPU and memory",
        vec![
            ts("CPU busy", "Share of CPU time not idle, per host.", "percentunit")
                .query(
                    "{{instance}}",
                    format!(
                        "1 - avg by (instance) (rate(node_cpu_seconds_total{}[$__rate_interval]))",
                        n("mode=\"idle\"")
                    ),
                )
                .range(0.0, 1.0)
                .warn_crit(0.8, 0.95),
            ts("Load per core", "15-minute load average divided by the number of CPUs.", "short").query(
                "{{instance}}",
                format!(
                    "node_load15{} / on (instance) count by (instance) (node_cpu_seconds_total{})",
                    n(""),
                    n("mode=\"idle\"")
                ),
            ),
            ts("Memory used", "Share of memory not available to new processes.", "percentunit")
                .query(
                    "{{instance}}",
                    format!("1 - node_memory_MemAvailable_bytes{} / node_memory_MemTotal_bytes{}", n(""), n("")),
                )
                .range(0.0, 1.0)
                .warn_crit(0.8, 0.9),
            ts("Uptime", "Time since each host booted.", "s")
                .query("{{instance}}", format!("node_time_seconds{} - node_boot_time_seconds{}", n(""), n(""))),
        ],
    )
}

/// Free disk space, disk busy and throughput, and network throughput, per host.
fn disk_and_network(node: &str) -> Section {
    let n = |extra: &str| hosts(node, extra);
    Section::new(
        "Disk and network",
        vec![
            ts("Free disk space", "Free space per filesystem.", "percentunit")
                .query(
                    "{{instance}} {{mountpoint}}",
                    format!("node_filesystem_avail_bytes{f} / node_filesystem_size_bytes{f}", f = n(FS)),
                )
                .range(0.0, 1.0)
                .low_is_bad(0.1, 0.2),
            ts("Disk busy", "Share of time each disk was busy with I/O.", "percentunit").query(
                "{{instance}} {{device}}",
                rate("node_disk_io_time_seconds_total", node, "instance=~\"$instance\""),
            ),
            ts("Disk throughput", "Bytes read and written per second, per host.", "Bps")
                .query(
                    "read {{instance}}",
                    format!(
                        "sum by (instance) ({})",
                        rate("node_disk_read_bytes_total", node, "instance=~\"$instance\"")
                    ),
                )
                .query(
                    "written {{instance}}",
                    format!(
                        "sum by (instance) ({})",
                        rate("node_disk_written_bytes_total", node, "instance=~\"$instance\"")
                    ),
                ),
            ts("Network throughput", "Bytes received and sent per second, per host (loopback excluded).", "Bps")
                .query(
                    "in {{instance}}",
                    format!(
                        "sum by (instance) ({})",
                        rate("node_network_receive_bytes_total", node, "instance=~\"$instance\", device!=\"lo\"")
                    ),
                )
                .query(
                    "out {{instance}}",
                    format!(
                        "sum by (instance) ({})",
                        rate("node_network_transmit_bytes_total", node, "instance=~\"$instance\", device!=\"lo\"")
                    ),
                ),
        ],
    )
}

/// A node_exporter selector on the chosen hosts, with extra matchers.
fn hosts(job: &str, extra: &str) -> String {
    let hosts = "instance=~\"$instance\"";
    sel(job, &if extra.is_empty() { hosts.to_string() } else { format!("{hosts}, {extra}") })
}
