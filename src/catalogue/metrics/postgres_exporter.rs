//! postgres_exporter: server reachability, connections, transactions, replication and sizes.
//!
//! The environments target 0.20 (2026); Debian 12 ships 0.11.1 (2022), which the loopback test
//! scrapes. Between them the default metrics moved to standalone collectors (0.13–0.20) and
//! lost the `server` label; the names read here kept their labels, except that
//! `pg_replication_lag_seconds` only exists since the replication collector (0.13.0).

use super::{PG_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "postgres_exporter",
    job: PG_JOB,
    endpoint: "/metrics",
    version: "0.20.1",
    source: "https://github.com/prometheus-community/postgres_exporter/tree/v0.20.1/collector",
    verified: Verified::Scraped { package: "prometheus-postgres-exporter (Debian 12)", version: "0.11.1" },
    metrics: &[&[
        // exporter/postgres_exporter.go: 1 when the last scrape reached the server.
        m("pg_up", &[]),
        // collector/pg_stat_activity.go (0.20 adds usename, application_name, backend_type,
        // wait_event_type, wait_event).
        m("pg_stat_activity_count", &["datname", "state"]),
        m("pg_stat_activity_max_tx_duration", &["datname", "state"]),
        // collector/pg_setting.go: one gauge per setting, without labels.
        m("pg_settings_max_connections", &[]),
        // collector/pg_replication.go: 0 on a primary.
        m("pg_replication_lag_seconds", &[]),
        // collector/pg_stat_database.go.
        m("pg_stat_database_xact_commit", &["datid", "datname"]),
        m("pg_stat_database_xact_rollback", &["datid", "datname"]),
        m("pg_stat_database_blks_hit", &["datid", "datname"]),
        m("pg_stat_database_blks_read", &["datid", "datname"]),
        m("pg_stat_database_deadlocks", &["datid", "datname"]),
        // collector/pg_database.go.
        m("pg_database_size_bytes", &["datname"]),
    ]],
    newer_than_scraped: &[("pg_replication_lag_seconds", "0.13.0 (collector/pg_replication.go)")],
};
