//! redis_exporter: reachability, memory, clients, keyspace and command counters.
//!
//! The environments target 1.88 (2026); Debian 12 ships 1.45.0, which the loopback test
//! scrapes. Every name read here has the same name and labels in both (`exporter/exporter.go`,
//! `exporter/info.go`).

use super::{REDIS_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "redis_exporter",
    job: REDIS_JOB,
    endpoint: "/metrics",
    version: "1.88.0",
    source: "https://github.com/oliver006/redis_exporter/blob/v1.88.0/exporter/exporter.go",
    verified: Verified::Scraped { package: "prometheus-redis-exporter (Debian 12)", version: "1.45.0" },
    metrics: &[&[
        m("redis_up", &[]),
        m("redis_memory_used_bytes", &[]),
        // `maxmemory`; 0 when Redis has no limit.
        m("redis_memory_max_bytes", &[]),
        m("redis_connected_clients", &[]),
        m("redis_keyspace_hits_total", &[]),
        m("redis_keyspace_misses_total", &[]),
        m("redis_commands_processed_total", &[]),
        m("redis_evicted_keys_total", &[]),
        m("redis_db_keys", &["db"]),
    ]],
    newer_than_scraped: &[],
};
