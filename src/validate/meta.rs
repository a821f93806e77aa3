//! Meta-monitoring: the declared addresses of the stack's servers against its topology. A
//! declared `meta` watches the whole stack: every Prometheus server, every Loki target of the
//! deployment mode, every log shipper the environment runs, Grafana, and with TLS a prober of
//! the certificates; a gap names what is missing and where to declare it.

use super::cx::Cx;
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::meta::{self, Meta};
use crate::spec::path::OptionPath;
use crate::spec::promtail::Shipper;

pub fn check(spec: &Spec, capacity: &crate::catalogue::capacity::Estimate, cx: &mut Cx) {
    // A job the spec declares under a derived name (the derived one is then left out).
    let derived: Vec<String> = meta::jobs(spec).into_iter().map(|j| j.name).collect();
    for (i, job) in spec.scrape_jobs.iter().enumerate() {
        if !job.derived && derived.contains(&job.name) {
            cx.error(
                Code::NameDuplicate,
                OptionPath::root("scrape_jobs").index(i).key("name"),
                format!("job \"{}\" is derived from the topology by meta-monitoring (`meta`)", job.name),
            )
            .hint("remove this job: `meta` scrapes the stack's own servers, with the credentials `access` gives");
        }
    }
    let Some(m) = &spec.meta else { return };
    if let Some(owner) = &m.owner
        && !spec.teams.iter().any(|t| &t.name == owner)
    {
        let known: Vec<&str> = spec.teams.iter().map(|t| t.name.as_str()).collect();
        cx.error(Code::RefUnknownTeam, "meta.owner", format!("no team \"{owner}\""))
            .hint(format!("declared teams: {}", known.join(", ")));
    }
    prometheus(spec, m, capacity.shards, cx);
    let at = OptionPath::root("meta");
    for (t, addresses) in &m.loki {
        addresses.iter().enumerate().for_each(|(i, a)| cx.host_port(&at.key("loki").key(t).index(i), a));
    }
    let targets = meta::loki_targets(spec);
    let mode = if spec.loki.simple_scalable.is_some() { "simple scalable" } else { "monolithic" };
    for t in targets {
        if m.loki.get(*t).is_none_or(Vec::is_empty) {
            cx.error(Code::MetaTopology, "meta.loki", format!("no address of Loki's `{t}` target ({mode} Loki)"))
                .hint(format!("list every Loki process by its target: meta.loki = {{ {} }}", example(targets)));
        }
    }
    for t in m.loki.keys().filter(|t| !targets.contains(&t.as_str())) {
        cx.error(Code::MetaTopology, at.key("loki").key(t), format!("{mode} Loki has no target `{t}`"))
            .hint(format!("its targets are {}", targets.join(", ")));
    }
    for (what, list) in [("grafana", &m.grafana), ("promtail", &m.promtail), ("alloy", &m.alloy)] {
        list.iter().enumerate().for_each(|(i, a)| cx.host_port(&at.key(what).index(i), a));
    }
    if m.grafana.is_empty() {
        cx.error(Code::MetaTopology, "meta.grafana", "no Grafana server").hint("list Grafana's host:port");
    }
    for (shipper, what, list) in [(Shipper::Promtail, "promtail", &m.promtail), (Shipper::Alloy, "alloy", &m.alloy)] {
        let runs = spec.promtail.shippers.contains(&shipper);
        if runs && list.is_empty() {
            cx.error(
                Code::MetaTopology,
                at.key(what),
                format!("the environment ships logs with {what}, but no agent is listed"),
            )
            .hint(format!("list every {what} agent's HTTP server as host:port"));
        } else if !runs && !list.is_empty() {
            cx.error(Code::MetaTopology, at.key(what), format!("{what} is not among promtail.shippers"))
                .hint(format!("remove meta.{what}, or add \"{what}\" to promtail.shippers"));
        }
    }
    match (&m.blackbox, &spec.access.tls) {
        (Some(b), Some(_)) => {
            cx.host_port(&at.key("blackbox.address"), &b.address);
            if b.module.is_empty() {
                cx.error(Code::ValueOutOfRange, "meta.blackbox.module", "empty module name")
                    .hint("name the blackbox_exporter module that opens a TLS connection, e.g. tls_connect");
            }
        }
        (None, Some(tls)) => {
            cx.error(
                Code::MetaTopology,
                "meta.blackbox",
                format!("the stack serves {}, but no prober watches its expiry", tls.cert_file),
            )
            .hint("declare meta.blackbox = { address = \"blackbox:9115\"; } (a blackbox_exporter with a tls_connect module)");
        }
        (Some(_), None) => {
            cx.error(Code::MetaTopology, "meta.blackbox", "no TLS endpoint to probe: access.tls is not declared")
                .hint("remove meta.blackbox, or serve the stack over TLS");
        }
        (None, None) => {}
    }
}

fn example(targets: &[&str]) -> String {
    targets.iter().map(|t| format!("{t} = [ \"loki-{t}:3100\" ];")).collect::<Vec<_>>().join(" ")
}

/// Every Prometheus server of the topology (replica, shard) has an address, and nothing else.
fn prometheus(spec: &Spec, m: &Meta, shards: u64, cx: &mut Cx) {
    let names: Vec<String> = crate::topology::instances(spec, shards)
        .iter()
        .map(|i| i.name().unwrap_or_else(|| meta::PROMETHEUS_JOB.into()))
        .collect();
    for (name, a) in &m.prometheus {
        let at = OptionPath::root("meta.prometheus").key(name);
        cx.host_port(&at, a);
        if !names.contains(name) {
            cx.error(Code::MetaTopology, at, format!("the topology runs no Prometheus server \"{name}\""))
                .hint(format!("its servers are {}", names.join(", ")));
        }
    }
    let missing: Vec<&String> = names.iter().filter(|n| !m.prometheus.contains_key(*n)).collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|n| format!("\"{n}\"")).collect();
        cx.error(Code::MetaTopology, "meta.prometheus", format!("no address of Prometheus server {}", list.join(", ")))
            .hint(format!(
                "list every server the topology runs (replicas with prometheus.ha, shard-<i>.<replica> when sharded): {}",
                names.join(", ")
            ));
    }
}
