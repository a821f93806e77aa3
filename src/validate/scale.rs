//! Scale-out topology: Prometheus HA replicas, remote write, the capacity limit and the
//! Alertmanager cluster.

use super::cx::Cx;
use crate::catalogue::capacity::Estimate;
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::path::OptionPath;
use crate::spec::prometheus::{RemoteWrite, Store};
use crate::spec::scrape::Discovery;
use crate::syntax::names;

pub fn check(spec: &Spec, estimate: &Estimate, cx: &mut Cx) {
    ha(spec, cx);
    let queues = OptionPath::root("prometheus.remote_write");
    for (i, rw) in spec.prometheus.remote_write.iter().enumerate() {
        remote_write(&queues.index(i), rw, cx);
    }
    cx.unique(
        "remote write queue",
        spec.prometheus.remote_write.iter().enumerate().map(|(i, r)| (queues.index(i).key("name"), r.name.as_str())),
    );
    capacity(spec, estimate, cx);
    cluster(spec, cx);
    for (i, f) in spec.rules.files.iter().enumerate() {
        if f.store_ruler && spec.prometheus.remote_write.is_empty() {
            cx.error(
                Code::ValueOutOfRange,
                OptionPath::root("rules.files").index(i).key("store_ruler"),
                format!("rule file \"{}\" is meant for the store's ruler, but nothing is remote-written", f.name),
            )
            .hint("declare prometheus.remote_write to a store with a ruler (Mimir, Thanos), or remove store_ruler");
        }
    }
}

fn ha(spec: &Spec, cx: &mut Cx) {
    let Some(ha) = &spec.prometheus.ha else { return };
    if ha.replicas.len() < 2 {
        cx.error(
            Code::ValueOutOfRange,
            "prometheus.ha.replicas",
            format!("{} replica(s): HA needs at least two", ha.replicas.len()),
        )
        .hint("list two replica names, e.g. [\"a\", \"b\"], or remove prometheus.ha for a single Prometheus");
    }
    let replicas = OptionPath::root("prometheus.ha.replicas");
    for (i, r) in ha.replicas.iter().enumerate() {
        cx.slug(&replicas.index(i), "replica", r);
    }
    cx.unique("replica", ha.replicas.iter().enumerate().map(|(i, r)| (replicas.index(i), r.as_str())));
    // `__replica__` is allowed: Mimir's HA tracker reads it and drops it after deduplication.
    for (field, label) in [("replica_label", &ha.replica_label), ("cluster_label", &ha.cluster_label)] {
        let path = OptionPath::root("prometheus.ha").key(field);
        if !names::is_label_name(label) {
            cx.error(Code::LabelInvalid, &path, format!("\"{label}\" is not a valid label name"))
                .hint("label names match [a-zA-Z_][a-zA-Z0-9_]*, e.g. __replica__ or replica");
        } else if spec.prometheus.external_labels.contains_key(label.as_str()) || label == "environment" {
            cx.error(Code::LabelInvalid, &path, format!("\"{label}\" is already an external label"))
                .hint(format!("pick another label name, or remove `{label}` from prometheus.external_labels"));
        }
    }
    if ha.replica_label == ha.cluster_label {
        cx.error(Code::LabelInvalid, "prometheus.ha.cluster_label", "the cluster and replica labels are the same")
            .hint("the defaults are cluster_label = \"cluster\", replica_label = \"__replica__\"");
    }
    if ha.cluster.as_ref().is_some_and(|c| c.is_empty()) {
        cx.error(Code::LabelInvalid, "prometheus.ha.cluster", "empty cluster name")
            .hint("remove it to use the environment name, or give it a value");
    }
}

fn remote_write(path: &OptionPath, rw: &RemoteWrite, cx: &mut Cx) {
    cx.slug(&path.key("name"), "remote write queue", &rw.name);
    cx.url(&path.key("url"), &rw.url);
    if let Some(b) = &rw.basic_auth {
        cx.file_ref(&path.key("basic_auth.password_file"), &b.password_file);
    }
    if let Some(t) = &rw.tls {
        for (field, file) in [("ca_file", &t.ca_file), ("cert_file", &t.cert_file), ("key_file", &t.key_file)] {
            if let Some(f) = file {
                cx.file_ref(&path.key("tls").key(field), f);
            }
        }
    }
    if rw.tenant.is_some() && rw.store == Store::Prometheus {
        cx.error(Code::ValueOutOfRange, path.key("tenant"), "a Prometheus receiver has no tenants")
            .hint("remove tenant, or set store to mimir or thanos");
    }
    for (i, re) in rw.local_only.iter().enumerate() {
        cx.regex(&path.key("local_only").index(i), re);
    }
    let q = &rw.queue;
    let mut positive = |field: &str, v: Option<u64>| {
        if v == Some(0) {
            cx.error(Code::ValueOutOfRange, path.key("queue").key(field), "0 would stop the queue")
                .hint("give a positive number, or remove it to use the derived value");
        }
    };
    positive("capacity", q.capacity);
    positive("min_shards", q.min_shards);
    positive("max_shards", q.max_shards);
    positive("max_samples_per_send", q.max_samples_per_send);
    if let (Some(min), Some(max)) = (q.min_shards, q.max_shards)
        && min > max
    {
        cx.error(Code::ValueOutOfRange, path.key("queue.min_shards"), format!("{min} is more than max_shards {max}"))
            .hint("min_shards must not exceed max_shards");
    }
    if let (Some(c), Some(m)) = (q.capacity, q.max_samples_per_send)
        && c < m
    {
        cx.error(
            Code::ValueOutOfRange,
            path.key("queue.capacity"),
            format!("{c} is less than max_samples_per_send {m}: no batch would ever fill"),
        )
        .hint("the Prometheus remote write guide recommends 3-10 times max_samples_per_send");
    }
}

fn capacity(spec: &Spec, estimate: &Estimate, cx: &mut Cx) {
    let jobs = OptionPath::root("scrape_jobs");
    for (i, job) in spec.scrape_jobs.iter().enumerate() {
        for (field, v) in
            [("expected_series_per_target", job.expected_series_per_target), ("expected_targets", job.expected_targets)]
        {
            if v == Some(0) {
                cx.error(Code::ValueOutOfRange, jobs.index(i).key(field), "0 makes the job invisible to the estimate")
                    .hint("give the expected number (at least 1), or remove the job");
            }
        }
    }
    let Some(c) = &spec.prometheus.capacity else { return };
    let limit = "prometheus.capacity.max_series_per_replica";
    if c.max_series_per_replica == 0 {
        cx.error(Code::ValueOutOfRange, limit, "0 series per replica")
            .hint("give the series one replica can hold, e.g. 2000000");
    } else if estimate.shards > crate::catalogue::capacity::MAX_SHARDS {
        cx.error(
            Code::ValueOutOfRange,
            limit,
            format!(
                "{} estimated series at {} per replica would need {} shards, more than the {} monstack renders",
                estimate.series,
                c.max_series_per_replica,
                estimate.shards,
                crate::catalogue::capacity::MAX_SHARDS
            ),
        )
        .hint("raise the limit (one Prometheus holds millions of series), or check expected_targets and expected_series_per_target");
    }
    for (i, job) in spec.scrape_jobs.iter().enumerate() {
        if !matches!(job.discovery, Discovery::Static(_)) && job.expected_targets.is_none() {
            cx.error(
                Code::CapacityUnknownTargets,
                jobs.index(i).key("expected_targets"),
                format!(
                    "job \"{}\" discovers its targets, so their number is unknown to the capacity estimate",
                    job.name
                ),
            )
            .hint("declare expected_targets (how many targets discovery finds), or remove prometheus.capacity");
        }
    }
}

fn cluster(spec: &Spec, cx: &mut Cx) {
    let Some(c) = &spec.alertmanager.cluster else { return };
    if c.peers.len() < 2 {
        cx.error(
            Code::ValueOutOfRange,
            "alertmanager.cluster.peers",
            format!("{} member(s): a cluster needs at least two", c.peers.len()),
        )
        .hint("list every member's gossip address (host:9094), or remove alertmanager.cluster");
    }
    let peers = OptionPath::root("alertmanager.cluster.peers");
    for (i, p) in c.peers.iter().enumerate() {
        cx.host_port(&peers.index(i), p);
    }
    cx.unique("cluster member", c.peers.iter().enumerate().map(|(i, p)| (peers.index(i), p.as_str())));
    if c.listen_host.is_empty() || c.listen_host.contains(':') && !c.listen_host.starts_with('[') {
        cx.error(
            Code::AddressInvalid,
            "alertmanager.cluster.listen_host",
            format!("\"{}\" is not a host", c.listen_host),
        )
        .hint("give an address without a port, e.g. 0.0.0.0; the port is each member's own from peers");
    }
    // Every member must get every alert: Prometheus lists each member's host.
    let host = |a: &str| a.rsplit_once(':').map_or(a.to_string(), |(h, _)| h.to_string());
    let listed: Vec<String> = spec.prometheus.alertmanagers.iter().map(|a| host(a)).collect();
    for (i, p) in c.peers.iter().enumerate() {
        let h = host(p);
        if !listed.contains(&h) {
            cx.error(
                Code::RefUnlistedAlertmanager,
                peers.index(i),
                format!("cluster member {h} is not in prometheus.alertmanagers, so it gets no alert"),
            )
            .hint(format!("add {h}:9093 (its web address) to prometheus.alertmanagers"));
        }
    }
}
