//! blackbox_exporter: the outcome of a probe (`/probe?module=…&target=…`).

use super::{BLACKBOX_JOB, TLS_PROBE_JOB, Table, Verified, m};

pub const TABLE: Table = Table {
    exporter: "blackbox_exporter",
    job: BLACKBOX_JOB,
    endpoint: "/probe?module=http_2xx",
    version: "0.28.0",
    source: "https://github.com/prometheus/blackbox_exporter/blob/v0.28.0/prober/http.go",
    verified: Verified::Scraped { package: "prometheus-blackbox-exporter (Debian 12)", version: "0.23.0" },
    metrics: &[&[
        // prober/handler.go: every probe.
        m("probe_success", &[]),
        m("probe_duration_seconds", &[]),
        // prober/http.go.
        m("probe_http_status_code", &[]),
        m("probe_http_duration_seconds", &["phase"]),
    ]],
    newer_than_scraped: &[],
};

/// The same exporter probing the stack's TLS endpoints (`meta.blackbox`, a `tcp` module with
/// `tls: true`): `probe_ssl_earliest_cert_expiry` is the earliest `NotAfter` of the chain the
/// endpoint presents (prober/tcp.go, `getEarliestCertExpiry` in prober/tls.go), set when the
/// handshake succeeds.
pub const TLS_PROBE: Table = Table {
    exporter: "blackbox_exporter (TLS probes)",
    job: TLS_PROBE_JOB,
    endpoint: "/probe?module=tls_connect",
    version: "0.28.0",
    source: "https://github.com/prometheus/blackbox_exporter/blob/v0.28.0/prober/tcp.go",
    verified: Verified::Documented,
    metrics: &[&[m("probe_success", &[]), m("probe_ssl_earliest_cert_expiry", &[])]],
    newer_than_scraped: &[],
};
