//! Redis deep-dive (redis_exporter): availability, memory against maxmemory, hit ratio, clients,
//! commands, evictions and keys.

use super::board::{Board, Section, stat, ts};
use super::*;

pub fn board(spec: &Spec) -> Board {
    let r = |extra: &str| sel(&job_of(spec, REDIS_JOB), extra);
    let hits = rate("redis_keyspace_hits_total", &job_of(spec, REDIS_JOB), "");
    let misses = rate("redis_keyspace_misses_total", &job_of(spec, REDIS_JOB), "");
    let headline = Section::new(
        env_title("Instances"),
        vec![
            stat("Instances up", "Instances the exporter can reach.", "short")
                .query("", format!("sum(redis_up{})", r(""))),
            stat(
                "Memory used",
                "Highest share of maxmemory in use on any instance (instances without a limit excluded).",
                "percentunit",
            )
            .query("", format!("max(redis_memory_used_bytes{p} / (redis_memory_max_bytes{p} > 0))", p = r("")))
            .warn_crit(0.8, 0.9),
            stat("Hit ratio", "Share of key lookups that found their key, all instances.", "percentunit")
                .query("", format!("sum({hits}) / (sum({hits}) + sum({misses}))"))
                .low_is_bad(0.5, 0.8),
            stat("Clients", "Connected clients, all instances.", "short")
                .query("", format!("sum(redis_connected_clients{})", r(""))),
        ],
    );
    let detail = Section::new(
        "Usage",
        vec![
            ts("Memory", "Memory used and the maxmemory limit per instance.", "bytes")
                .query("used {{instance}}", format!("sum by (instance) (redis_memory_used_bytes{})", r("")))
                .query("max {{instance}}", format!("sum by (instance) (redis_memory_max_bytes{})", r(""))),
            ts("Hit ratio", "Share of key lookups that found their key, per instance.", "percentunit")
                .query(
                    "{{instance}}",
                    format!("sum by (instance) ({hits}) / (sum by (instance) ({hits}) + sum by (instance) ({misses}))"),
                )
                .range(0.0, 1.0)
                .low_is_bad(0.5, 0.8),
            ts("Commands", "Commands processed per second.", "ops").query(
                "{{instance}}",
                format!("sum by (instance) ({})", rate("redis_commands_processed_total", &job_of(spec, REDIS_JOB), "")),
            ),
            ts("Evictions", "Keys evicted per second because of maxmemory.", "ops")
                .query(
                    "{{instance}}",
                    format!("sum by (instance) ({})", rate("redis_evicted_keys_total", &job_of(spec, REDIS_JOB), "")),
                )
                .warn_crit(1.0, 100.0),
            ts("Keys", "Keys per database.", "short").query("{{db}}", format!("sum by (db) (redis_db_keys{})", r(""))),
        ],
    );
    Board {
        uid: uid(DashboardKind::Redis).into(),
        title: "Redis".into(),
        description: "Redis health from redis_exporter.".into(),
        tags: &["cache", "infrastructure"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![headline, detail],
    }
}
