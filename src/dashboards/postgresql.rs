//! PostgreSQL deep-dive (postgres_exporter): availability, connections against the limit,
//! transactions, cache hit ratio, replication lag, long transactions, deadlocks and size.

use super::board::{Board, Section, stat, ts};
use super::*;

pub fn board(spec: &Spec) -> Board {
    let pg = |extra: &str| sel(&job_of(spec, PG_JOB), extra);
    let headline = Section::new(
        env_title("Instances"),
        vec![
            stat("Instances up", "Instances the exporter can reach.", "short").query("", format!("sum(pg_up{})", pg(""))),
            stat("Connections used", "Highest share of max_connections in use on any instance.", "percentunit")
                .query(
                    "",
                    format!(
                        "max(sum by (instance) (pg_stat_activity_count{p}) / on (instance) max by (instance) (pg_settings_max_connections{p}))",
                        p = pg("")
                    ),
                )
                .warn_crit(0.7, 0.9),
            stat("Max replication lag", "The largest replication lag of any replica.", "s")
                .query("", format!("max(pg_replication_lag_seconds{}) or vector(0)", pg("")))
                .warn_crit(10.0, 30.0),
            stat("Longest transaction", "Age of the oldest running transaction.", "s")
                .query("", format!("max(pg_stat_activity_max_tx_duration{})", pg("")))
                .warn_crit(60.0, 300.0),
        ],
    );
    let activity = Section::new(
        "Activity",
        vec![
            ts("Connections by state", "Connections per state (active, idle, idle in transaction).", "short")
                .query("{{state}}", format!("sum by (state) (pg_stat_activity_count{})", pg(""))),
            ts("Transactions", "Commits and rollbacks per second.", "ops")
                .query("commits", format!("sum({})", rate("pg_stat_database_xact_commit", &job_of(spec, PG_JOB), "")))
                .query(
                    "rollbacks",
                    format!("sum({})", rate("pg_stat_database_xact_rollback", &job_of(spec, PG_JOB), "")),
                ),
            ts("Cache hit ratio", "Share of block reads served from shared buffers.", "percentunit")
                .query(
                    "{{datname}}",
                    format!(
                        "sum by (datname) ({hit}) / (sum by (datname) ({hit}) + sum by (datname) ({read}))",
                        hit = rate("pg_stat_database_blks_hit", &job_of(spec, PG_JOB), ""),
                        read = rate("pg_stat_database_blks_read", &job_of(spec, PG_JOB), "")
                    ),
                )
                .range(0.0, 1.0)
                .low_is_bad(0.9, 0.99),
            ts("Deadlocks", "Deadlocks detected per second.", "ops")
                .query(
                    "{{datname}}",
                    format!("sum by (datname) ({})", rate("pg_stat_database_deadlocks", &job_of(spec, PG_JOB), "")),
                )
                .warn_crit(0.01, 0.1),
        ],
    );
    let replication = Section::new(
        "Replication and storage",
        vec![
            ts("Replication lag", "How far each replica is behind its primary.", "s")
                .query("{{instance}}", format!("max by (instance) (pg_replication_lag_seconds{})", pg("")))
                .warn_crit(10.0, 30.0),
            ts(
                "Longest transaction",
                "Age of the oldest running transaction per instance (slow queries show here).",
                "s",
            )
            .query("{{instance}}", format!("max by (instance) (pg_stat_activity_max_tx_duration{})", pg("")))
            .warn_crit(60.0, 300.0),
            ts("Database size", "Size of each database.", "bytes")
                .query("{{datname}}", format!("sum by (datname) (pg_database_size_bytes{})", pg(""))),
        ],
    );
    Board {
        uid: uid(DashboardKind::Postgresql).into(),
        title: "PostgreSQL".into(),
        description: "PostgreSQL health from postgres_exporter.".into(),
        tags: &["database", "infrastructure"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections: vec![headline, activity, replication],
    }
}
