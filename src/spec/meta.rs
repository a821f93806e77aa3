//! Meta-monitoring: the stack watches itself. The environment declares where its own servers
//! listen; their scrape jobs are derived from its topology — every Prometheus server (replica,
//! shard), every Alertmanager in `prometheus.alertmanagers` (each cluster member is one), Loki's
//! targets of its deployment mode, the log shippers it runs, Grafana — and, with TLS, a
//! blackbox_exporter probe of every endpoint that serves the spec's certificate
//! (`access.tls.cert_file`), whose expiry pages before it lapses.
//!
//! The jobs are appended to `scrape_jobs` when the spec is loaded ([`with_jobs`]), so the
//! catalogue, the scrape model, the capacity estimate, the dashboards' metric checks and the
//! docs treat them as any other job; validation (`validate/meta.rs`) holds the declared
//! addresses to the topology.

use crate::spec::Spec;
use crate::spec::access::Component;
use crate::spec::scrape::{Discovery, ExporterKind, Relabel, RelabelAction, Scheme, ScrapeJob, StaticDiscovery, Tls};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the stack's own servers listen, for the jobs that watch them.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The team that owns the stack's jobs and alerts (a name from `teams`), e.g. `sre`.
    /// Default: none.
    #[serde(default)]
    pub owner: Option<String>,
    /// Each Prometheus server's `host:port`, by its name: the replica (`a`, `b`) with
    /// `prometheus.ha`, `shard-<i>.<replica>` when the jobs are sharded, `prometheus` for the
    /// single server. Every server the topology runs must be listed (`meta/topology`).
    /// Default: none (Prometheus is not scraped).
    #[serde(default)]
    pub prometheus: BTreeMap<String, String>,
    /// Scrape every Alertmanager of `prometheus.alertmanagers` (which holds every cluster
    /// member). Default true.
    #[serde(default = "yes")]
    pub alertmanager: bool,
    /// Loki's `host:port` addresses by target: `all` for a monolithic Loki, `read`, `write`
    /// and `backend` with `loki.simple_scalable`. Every target of the deployment mode must be
    /// listed. Default: none (Loki is not scraped).
    #[serde(default)]
    pub loki: BTreeMap<String, Vec<String>>,
    /// Grafana servers (`host:port`). Default: none.
    #[serde(default)]
    pub grafana: Vec<String>,
    /// Promtail agents' HTTP servers (`host:port`, `promtail.http_listen_port`); required when
    /// `promtail.shippers` has `promtail`. Default: none.
    #[serde(default)]
    pub promtail: Vec<String>,
    /// Grafana Alloy agents' HTTP servers (`host:port`, Alloy's `--server.http.listen-addr`,
    /// 12345 by default); required when `promtail.shippers` has `alloy`. Default: none.
    #[serde(default)]
    pub alloy: Vec<String>,
    /// The blackbox_exporter that probes every endpoint serving `access.tls.cert_file`, for
    /// certificate expiry; required with `access.tls`. Default: none.
    #[serde(default)]
    pub blackbox: Option<Blackbox>,
}

fn yes() -> bool {
    true
}

/// A blackbox_exporter and the module it probes TLS endpoints with.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Blackbox {
    /// The exporter's `host:port`, e.g. `blackbox:9115`.
    pub address: String,
    /// The module of its configuration that opens a TLS connection: a `tcp` prober with
    /// `tls: true` (blackbox_exporter's example `tls_connect`), presenting the client
    /// certificate where `access.tls.client_cert_required` names the component. Default
    /// `tls_connect`.
    #[serde(default = "tls_connect")]
    pub module: String,
}

fn tls_connect() -> String {
    "tls_connect".into()
}

/// The jobs' names: the stack's components, and the certificate probe.
pub const PROMETHEUS_JOB: &str = "prometheus";
pub const ALERTMANAGER_JOB: &str = "alertmanager";
pub const LOKI_JOB: &str = "loki";
pub const GRAFANA_JOB: &str = "grafana";
pub const PROMTAIL_JOB: &str = "promtail";
pub const ALLOY_JOB: &str = "alloy";
pub const TLS_PROBE_JOB: &str = "monitoring-tls";
/// The file under `prometheus/scrape_configs/` the jobs are written to.
pub const FILE: &str = "meta_monitoring";
/// The target label naming the Prometheus server a target is (`a`, `shard-0.b`).
pub const SERVER_LABEL: &str = "prometheus_server";
/// The target label naming Loki's target a process runs (`all`, `read`, `write`, `backend`).
pub const LOKI_TARGET_LABEL: &str = "loki_target";

/// Loki's targets in the spec's deployment mode.
pub fn loki_targets(spec: &Spec) -> &'static [&'static str] {
    if spec.loki.simple_scalable.is_some() { &["read", "write", "backend"] } else { &["all"] }
}

/// The spec with the jobs [`jobs`] derives appended to its `scrape_jobs`; a job the spec
/// declares itself under one of those names is left as it is (validation reports the clash).
pub fn with_jobs(mut spec: Spec) -> Spec {
    let derived = jobs(&spec);
    for job in derived {
        if !spec.scrape_jobs.iter().any(|j| j.name == job.name) {
            spec.scrape_jobs.push(job);
        }
    }
    spec
}

/// The scrape jobs of the stack's own servers, in a fixed order.
pub fn jobs(spec: &Spec) -> Vec<ScrapeJob> {
    let Some(meta) = &spec.meta else { return Vec::new() };
    let owner = meta.owner.as_deref().filter(|o| spec.teams.iter().any(|t| t.name == *o));
    [
        prometheus_job(spec, meta, owner),
        alertmanager_job(spec, meta, owner),
        loki_job(spec, meta, owner),
        grafana_job(spec, meta, owner),
        (!meta.promtail.is_empty()).then(|| derived_job(PROMTAIL_JOB, meta.promtail.clone(), owner)),
        (!meta.alloy.is_empty()).then(|| derived_job(ALLOY_JOB, meta.alloy.clone(), owner)),
        tls_probe_job(spec, meta, owner),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A derived job of the stack's own: a static list of application targets, written to
/// [`FILE`], owned by `owner`; the callers add what their server needs.
fn derived_job(name: &str, targets: Vec<String>, owner: Option<&str>) -> ScrapeJob {
    ScrapeJob {
        name: name.into(),
        file: Some(FILE.into()),
        owner: owner.map(String::from),
        critical: false,
        scrape_interval: None,
        scrape_timeout: None,
        metrics_path: None,
        params: BTreeMap::new(),
        scheme: None,
        honor_labels: false,
        labels: BTreeMap::new(),
        discovery: Discovery::Static(StaticDiscovery { targets }),
        tls: None,
        basic_auth: None,
        authorization: None,
        relabel_configs: Vec::new(),
        metric_relabel_configs: Vec::new(),
        exporter: Some(ExporterKind::App),
        expected_series_per_target: None,
        expected_targets: None,
        plaintext_credentials: None,
        derived: true,
    }
}

/// The Prometheus servers' job, each target labelled with its server's name.
fn prometheus_job(spec: &Spec, meta: &Meta, owner: Option<&str>) -> Option<ScrapeJob> {
    if meta.prometheus.is_empty() {
        return None;
    }
    // The spec is not validated yet: the estimate is made here, before the model's.
    let order = crate::topology::instances(spec, crate::catalogue::capacity::estimate(spec).shards);
    let name = |i: &crate::topology::Instance| i.name().unwrap_or_else(|| PROMETHEUS_JOB.into());
    // Topology order first, then any name validation will refuse.
    let mut servers: Vec<(String, String)> =
        order.iter().filter_map(|i| meta.prometheus.get(&name(i)).map(|a| (name(i), a.clone()))).collect();
    for (n, a) in &meta.prometheus {
        if !servers.iter().any(|(s, _)| s == n) {
            servers.push((n.clone(), a.clone()));
        }
    }
    let mut j = derived_job(PROMETHEUS_JOB, servers.iter().map(|(_, a)| a.clone()).collect(), owner);
    j.relabel_configs = label_by_address(SERVER_LABEL, servers.iter().map(|(n, a)| (n.as_str(), vec![a.clone()])));
    secured(spec, &mut j, Component::Prometheus);
    Some(j)
}

/// The job of every Alertmanager Prometheus sends to.
fn alertmanager_job(spec: &Spec, meta: &Meta, owner: Option<&str>) -> Option<ScrapeJob> {
    if !meta.alertmanager || spec.prometheus.alertmanagers.is_empty() {
        return None;
    }
    let mut j = derived_job(ALERTMANAGER_JOB, spec.prometheus.alertmanagers.clone(), owner);
    secured(spec, &mut j, Component::Alertmanager);
    Some(j)
}

/// Loki's job, each target labelled with the Loki target it runs.
fn loki_job(spec: &Spec, meta: &Meta, owner: Option<&str>) -> Option<ScrapeJob> {
    if meta.loki.is_empty() {
        return None;
    }
    let mut j = derived_job(LOKI_JOB, meta.loki.values().flatten().cloned().collect(), owner);
    j.relabel_configs = label_by_address(LOKI_TARGET_LABEL, meta.loki.iter().map(|(t, a)| (t.as_str(), a.clone())));
    if spec.access.tls.is_some() {
        j.scheme = Some(Scheme::Https);
        j.tls = client_tls(spec, Component::Loki);
    }
    Some(j)
}

/// Grafana's job.
fn grafana_job(spec: &Spec, meta: &Meta, owner: Option<&str>) -> Option<ScrapeJob> {
    if meta.grafana.is_empty() {
        return None;
    }
    let mut j = derived_job(GRAFANA_JOB, meta.grafana.clone(), owner);
    if spec.access.tls.is_some() {
        // Grafana serves the same certificate (`grafana.ini` `protocol = https`) and its
        // `/metrics` needs no user unless `metrics.basic_auth_*` is set.
        j.scheme = Some(Scheme::Https);
        j.tls = spec
            .access
            .client
            .as_ref()
            .and_then(|c| c.tls.as_ref())
            .map(|t| Tls { ca_file: t.ca_file.clone(), ..Tls::default() });
    }
    Some(j)
}

/// The blackbox_exporter probe of every endpoint that serves the spec's certificate, with TLS
/// and a declared exporter.
fn tls_probe_job(spec: &Spec, meta: &Meta, owner: Option<&str>) -> Option<ScrapeJob> {
    let (Some(bb), Some(_)) = (&meta.blackbox, &spec.access.tls) else { return None };
    let endpoints = tls_endpoints(spec);
    if endpoints.is_empty() {
        return None;
    }
    let mut j = derived_job(TLS_PROBE_JOB, endpoints, owner);
    j.metrics_path = Some("/probe".into());
    j.params.insert("module".into(), vec![bb.module.clone()]);
    j.exporter = Some(ExporterKind::Blackbox);
    // blackbox_exporter's README: the endpoint becomes the `target` parameter and the
    // `instance`, the scrape goes to the exporter.
    j.relabel_configs = vec![
        Relabel {
            source_labels: vec!["__address__".into()],
            target_label: Some("__param_target".into()),
            ..relabel(RelabelAction::Replace)
        },
        Relabel {
            source_labels: vec!["__param_target".into()],
            target_label: Some("instance".into()),
            ..relabel(RelabelAction::Replace)
        },
        Relabel {
            target_label: Some("__address__".into()),
            replacement: Some(bb.address.clone()),
            ..relabel(RelabelAction::Replace)
        },
    ];
    Some(j)
}

/// Every endpoint that serves `access.tls.cert_file`: the Prometheus servers, the
/// Alertmanagers, Loki's processes and Grafana, each once.
pub fn tls_endpoints(spec: &Spec) -> Vec<String> {
    let Some(meta) = &spec.meta else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    let all = meta
        .prometheus
        .values()
        .cloned()
        .chain(spec.prometheus.alertmanagers.iter().cloned())
        .chain(meta.loki.values().flatten().cloned())
        .chain(meta.grafana.iter().cloned());
    for a in all {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

fn relabel(action: RelabelAction) -> Relabel {
    crate::scrape::steps::step(action, &[])
}

/// One `replace` per name: the targets at its addresses get `label` = the name.
fn label_by_address<'a>(label: &str, by: impl Iterator<Item = (&'a str, Vec<String>)>) -> Vec<Relabel> {
    by.filter(|(_, addresses)| !addresses.is_empty())
        .map(|(name, addresses)| {
            let re: Vec<String> = addresses.iter().map(|a| crate::syntax::regex_literal(a)).collect();
            Relabel {
                source_labels: vec!["__address__".into()],
                regex: Some(re.join("|")),
                target_label: Some(label.into()),
                replacement: Some(name.into()),
                ..relabel(RelabelAction::Replace)
            }
        })
        .collect()
}

/// Prometheus and Alertmanager with `access`: HTTPS with the client's CA (and certificate where
/// the component requires one), the client's basic-auth user where users are declared.
fn secured(spec: &Spec, job: &mut ScrapeJob, component: Component) {
    let a = &spec.access;
    if a.tls.is_some() {
        job.scheme = Some(Scheme::Https);
        job.tls = client_tls(spec, component);
    }
    job.basic_auth = crate::spec::access::client_basic_auth(a);
}

fn client_tls(spec: &Spec, component: Component) -> Option<Tls> {
    let c = crate::spec::access::ClientTls::of(&spec.access, component)?;
    let tls = Tls { ca_file: c.ca_file, cert_file: c.cert_file, key_file: c.key_file, ..Tls::default() };
    (tls.ca_file.is_some() || tls.cert_file.is_some()).then_some(tls)
}
