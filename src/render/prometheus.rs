//! Prometheus: `prometheus.yml`, one file per scrape-config group under `scrape_configs/`,
//! and rule files under `rules/`. Paths in `prometheus.yml` are relative: Prometheus resolves
//! `rule_files` and `scrape_config_files` against the config file's folder, so the bundle can be
//! installed anywhere.

use super::web::{self, ClientTls};
use super::yaml;
use crate::bundle::Bundle;
use crate::bundle::layout::{PROMETHEUS_RULES, PROMETHEUS_SCRAPE_CONFIGS};
use crate::scrape::config::{ScrapeConfig, StaticConfig, TlsConfig, scrape_config, tls_out, with_hashmod};
use crate::scrape::steps::{drop, step};
use crate::spec::Spec;
use crate::spec::access::Component;
use crate::spec::rules::Rule;
use crate::spec::scrape::{BasicAuth, Relabel, RelabelAction, ScrapeJob};
use crate::syntax::regex_literal;
use crate::validate::Model;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::topology::{Instance, instances};

#[derive(Serialize)]
struct Config {
    global: Global,
    rule_files: Vec<String>,
    scrape_config_files: Vec<String>,
    alerting: Alerting,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    remote_write: Vec<RemoteWriteOut>,
    /// Retention, for the versions that read it from here ([`retention_in_config`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    storage: Option<StorageOut>,
}

#[derive(Serialize)]
struct StorageOut {
    tsdb: TsdbOut,
}

#[derive(Serialize)]
struct TsdbOut {
    retention: RetentionOut,
}

#[derive(Serialize)]
struct RetentionOut {
    time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<String>,
}

#[derive(Serialize)]
struct Global {
    scrape_interval: String,
    scrape_timeout: String,
    evaluation_interval: String,
    external_labels: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Alerting {
    /// With HA, the replica label is dropped from alerts so that both replicas' copies are the
    /// same alert to Alertmanager (which then notifies once).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alert_relabel_configs: Vec<Relabel>,
    alertmanagers: Vec<AlertmanagerSet>,
}

#[derive(Serialize, Clone)]
struct RemoteWriteOut {
    name: String,
    url: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    basic_auth: Option<BasicAuth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_config: Option<TlsConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    write_relabel_configs: Vec<Relabel>,
    queue_config: QueueConfigOut,
}

#[derive(Serialize, Clone)]
struct QueueConfigOut {
    capacity: u64,
    min_shards: u64,
    max_shards: u64,
    max_samples_per_send: u64,
    batch_send_deadline: String,
}

#[derive(Serialize)]
struct AlertmanagerSet {
    api_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheme: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_config: Option<ClientTls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    basic_auth: Option<BasicAuth>,
    static_configs: Vec<StaticConfig>,
}

#[derive(Serialize)]
struct ScrapeFile {
    scrape_configs: Vec<ScrapeConfig>,
}

#[derive(Serialize)]
pub(super) struct RuleFileOut {
    pub(super) groups: Vec<GroupOut>,
    /// The file's YAML in pieces (see [`RuleFileOut::yaml`]).
    #[serde(skip)]
    pieces: Vec<(String, Vec<String>)>,
}

impl RuleFileOut {
    /// The file, with each group's lines up to its rules and each rule's lines serialised once.
    pub(super) fn new(groups: Vec<GroupOut>) -> Self {
        #[derive(Serialize)]
        struct Head<'a> {
            name: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            interval: Option<&'a str>,
        }
        fn piece<T: Serialize>(value: &T) -> String {
            serde_yaml::to_string(value).expect("rule files always serialise")
        }
        let pieces = groups
            .iter()
            .map(|g| {
                let head = piece(&[Head { name: &g.name, interval: g.interval.as_deref() }]);
                (head, g.rules.iter().map(|r| indented(&piece(&[r]))).collect())
            })
            .collect();
        RuleFileOut { groups, pieces }
    }

    /// The file's YAML (`needed`: `None`), or a file of the rules at these positions (counted
    /// through the groups in order), in their groups and order, groups left without rules
    /// dropped: a test's copy, written from the same bytes as the file.
    pub(super) fn yaml(&self, model: &Model, what: &str, needed: Option<&BTreeSet<usize>>) -> Vec<u8> {
        let mut out = super::header(model, what);
        out.push_str(&self.body(needed));
        out.into_bytes()
    }

    /// The names of the groups [`RuleFileOut::body`] writes for `needed`, in order.
    pub(super) fn group_names(&self, needed: Option<&BTreeSet<usize>>) -> Vec<String> {
        let mut at = 0;
        let mut out = Vec::new();
        for g in &self.groups {
            let first = at;
            at += g.rules.len();
            if needed.is_none_or(|n| (first..at).any(|i| n.contains(&i))) {
                out.push(g.name.clone());
            }
        }
        out
    }

    /// The document [`RuleFileOut::yaml`] writes below its header. serde_yaml writes a block
    /// nested at a fixed indentation and never folds lines, so a piece serialised alone and
    /// indented is the bytes it is within the whole document (the tests below compare).
    pub(super) fn body(&self, needed: Option<&BTreeSet<usize>>) -> String {
        let mut out = String::new();
        let mut at = 0;
        for (head, rules) in &self.pieces {
            let first = at;
            at += rules.len();
            let chosen: Vec<&String> = match needed {
                None => rules.iter().collect(),
                Some(n) => rules.iter().enumerate().filter(|(i, _)| n.contains(&(first + i))).map(|(_, r)| r).collect(),
            };
            if needed.is_some() && chosen.is_empty() {
                continue;
            }
            if out.is_empty() {
                out.push_str("groups:\n");
            }
            out.push_str(head);
            if chosen.is_empty() {
                out.push_str("  rules: []\n");
            } else {
                out.push_str("  rules:\n");
                chosen.into_iter().for_each(|r| out.push_str(r));
            }
        }
        if out.is_empty() {
            out.push_str("groups: []\n");
        }
        out
    }
}

/// A YAML block moved two columns right; empty lines (inside a literal block) stay empty, as
/// the emitter writes them. YAML's line breaks include U+0085, U+2028 and U+2029, after which
/// the emitter indents a quoted scalar's continuation as after `\n` (libyaml's `IS_BREAK`).
fn indented(block: &str) -> String {
    let mut out = String::with_capacity(block.len() + block.len() / 16);
    const BREAKS: [char; 4] = ['\n', '\u{85}', '\u{2028}', '\u{2029}'];
    for line in block.split_inclusive(BREAKS) {
        // A line that is only its break is empty: the emitter writes no indentation there.
        if !(line.chars().count() == 1 && line.starts_with(BREAKS)) {
            out.push_str("  ");
        }
        out.push_str(line);
    }
    out
}

/// A rule group; a test's copy of part of a file keeps its groups (see [`RuleFileOut::yaml`]).
#[derive(Serialize, Clone)]
pub(super) struct GroupOut {
    pub(super) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) interval: Option<String>,
    pub(super) rules: Vec<RuleOut>,
}

#[derive(Serialize, Clone)]
pub(super) struct RuleOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) alert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) record: Option<String>,
    pub(super) expr: String,
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub(super) for_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) keep_firing_for: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) annotations: BTreeMap<String, String>,
}

impl RuleOut {
    /// A catalogue alert as its rule file holds it.
    pub(super) fn of(alert: &crate::catalogue::Alert) -> RuleOut {
        RuleOut {
            alert: Some(alert.name.clone()),
            record: None,
            expr: alert.expr.clone(),
            for_: Some(alert.for_.to_string()),
            keep_firing_for: None,
            labels: alert.labels.clone(),
            annotations: alert.annotations.clone(),
        }
    }
}

/// A rule file of the spec: its bundle path, bytes, the path Prometheus loads it by (none for a
/// file the remote write store's ruler evaluates over every replica's data), and its rules.
fn user_rule_file(
    model: &Model,
    file: &crate::spec::rules::RuleFile,
) -> (String, Vec<u8>, Option<String>, RuleFileOut) {
    let groups = file.groups.iter().map(|g| GroupOut {
        name: g.name.clone(),
        interval: g.interval.as_ref().map(|d| d.to_string()),
        rules: g.rules.iter().map(|r| rule_out(model, r)).collect(),
    });
    let out = RuleFileOut::new(groups.collect());
    if file.store_ruler {
        let bytes = out.yaml(model, "Rules for the remote write store's ruler", None);
        return (format!("ruler/{}.yml", file.name), bytes, None, out);
    }
    let path = format!("{PROMETHEUS_RULES}/{}.yml", file.name);
    let bytes = out.yaml(model, "Prometheus rules", None);
    (format!("prometheus/{path}"), bytes, Some(path), out)
}

pub fn render(model: &Model, bundle: &mut Bundle) {
    let spec = &model.spec;
    let estimate = &model.capacity;
    let shard_files = write_scrape_files(model, bundle, estimate.shards);
    let rule_files = write_rule_files(model, bundle);
    let remote_write = remote_write_out(spec, estimate.samples_per_second_per_replica);
    for instance in instances(spec, estimate.shards) {
        let scrape_config_files = shard_files[instance.shard.unwrap_or(0) as usize].clone();
        let config = instance_config(model, &instance, rule_files.clone(), scrape_config_files, remote_write.clone());
        let what = match instance.name() {
            Some(name) => format!("Prometheus configuration of instance {name}"),
            None => "Prometheus configuration".to_string(),
        };
        bundle.add(format!("prometheus/{}", instance.config_file()), yaml(model, &what, &config));
    }
}

/// Scrape jobs, grouped by file in the order the files first appear in the spec.
fn scrape_files(spec: &Spec) -> Vec<(String, Vec<ScrapeConfig>)> {
    let mut files: Vec<(String, Vec<ScrapeConfig>)> = Vec::new();
    for job in &spec.scrape_jobs {
        let file = scrape_file_name(job);
        let config = scrape_config(job);
        match files.iter_mut().find(|(f, _)| *f == file) {
            Some((_, jobs)) => jobs.push(config),
            None => files.push((file, vec![config])),
        }
    }
    files
}

/// Writes the scrape config files of each of the `shards` (their jobs `hashmod`-sharded when
/// there is more than one) and returns, per shard (one unsharded group: index 0 of 1), the
/// scrape config files it reads.
fn write_scrape_files(model: &Model, bundle: &mut Bundle, shards: u64) -> Vec<Vec<String>> {
    let files = scrape_files(&model.spec);
    let mut shard_files: Vec<Vec<String>> = Vec::new();
    for shard in 0..shards {
        // Each file serialises on every core; the bundle keeps path order.
        let written: Vec<(String, Vec<u8>)> = files
            .par_iter()
            .map(|(file, scrape_configs)| {
                let (path, scrape_configs) = if shards == 1 {
                    (format!("{PROMETHEUS_SCRAPE_CONFIGS}/{file}.yml"), scrape_configs.clone())
                } else {
                    let sharded = scrape_configs.iter().map(|c| with_hashmod(c, shard, shards)).collect();
                    (format!("{PROMETHEUS_SCRAPE_CONFIGS}/shard-{shard}/{file}.yml"), sharded)
                };
                let bytes = yaml(model, "Prometheus scrape configs", &ScrapeFile { scrape_configs });
                (path, bytes)
            })
            .collect();
        let mut scrape_config_files = Vec::new();
        for (path, bytes) in written {
            bundle.add(format!("prometheus/{path}"), bytes);
            scrape_config_files.push(path);
        }
        shard_files.push(scrape_config_files);
    }
    shard_files
}

/// Writes the spec's rule files, the catalogue's and the tests of the catalogue's alerts, and
/// returns the rule files Prometheus loads, in order.
fn write_rule_files(model: &Model, bundle: &mut Bundle) -> Vec<String> {
    let spec = &model.spec;
    // The catalogue's alerts, by file and group in the order they come: the fixed files, then
    // one per AI model and per SLO.
    let alerts = &model.alerts;
    // The spec's rule files render on every core.
    let user_files: Vec<_> = spec.rules.files.par_iter().map(|file| user_rule_file(model, file)).collect();
    let mut rule_files = Vec::new();
    // Every rule file by name, which the tests load rules from.
    let mut rendered: BTreeMap<String, RuleFileOut> = BTreeMap::new();
    for (file, (path, bytes, loaded, out)) in spec.rules.files.iter().zip(user_files) {
        bundle.add(path, bytes);
        rule_files.extend(loaded);
        rendered.insert(file.name.clone(), out);
    }
    for (file, groups) in catalogue_groups(spec, alerts) {
        let path = format!("{PROMETHEUS_RULES}/{file}.yml");
        let out = RuleFileOut::new(groups);
        bundle.add(format!("prometheus/{path}"), out.yaml(model, "Prometheus rules (generated catalogue)", None));
        rule_files.push(path);
        rendered.insert(file, out);
    }
    super::rule_tests::render(model, bundle, alerts, &rendered, |r| rule_out(model, r).annotations);
    rule_files
}

/// The catalogue's recording rules and `alerts` as rule groups, by file: the fixed files in
/// their order, then the others in the order they first come, files without rules left out.
fn catalogue_groups(spec: &Spec, alerts: &[crate::catalogue::Alert]) -> Vec<(String, Vec<GroupOut>)> {
    let recordings = crate::catalogue::recordings(spec);
    let mut order: Vec<&str> = crate::catalogue::FILES.to_vec();
    let mut by_file: BTreeMap<&str, Vec<GroupOut>> = BTreeMap::new();
    for r in &recordings {
        let rule = RuleOut {
            alert: None,
            record: Some(r.record.clone()),
            expr: r.expr.clone(),
            for_: None,
            keep_firing_for: None,
            labels: r.labels.clone(),
            annotations: BTreeMap::new(),
        };
        push_rule(spec, by_file.entry(&r.file).or_default(), &r.group, rule);
    }
    for alert in alerts {
        push_rule(spec, by_file.entry(&alert.file).or_default(), &alert.group, RuleOut::of(alert));
    }
    for file in alerts.iter().map(|a| &a.file).chain(recordings.iter().map(|r| &r.file)) {
        if !order.contains(&file.as_str()) {
            order.push(file);
        }
    }
    order.into_iter().filter_map(|file| by_file.remove(file).map(|groups| (file.to_string(), groups))).collect()
}

/// One server's `prometheus.yml`: its external labels (the replica and cluster with HA, whose
/// replica label alerts drop), the files it loads, where it sends alerts and writes samples.
fn instance_config(
    model: &Model,
    instance: &Instance,
    rule_files: Vec<String>,
    scrape_config_files: Vec<String>,
    remote_write: Vec<RemoteWriteOut>,
) -> Config {
    let spec = &model.spec;
    let p = &spec.prometheus;
    let mut external_labels = p.external_labels.clone();
    external_labels.entry("environment".into()).or_insert_with(|| spec.environment.clone());
    let mut alert_relabel_configs = Vec::new();
    if let (Some(ha), Some(replica)) = (&p.ha, &instance.replica) {
        external_labels.insert(ha.replica_label.clone(), replica.clone());
        external_labels.insert(ha.cluster_label.clone(), instance.cluster(spec));
        alert_relabel_configs
            .push(Relabel { regex: Some(regex_literal(&ha.replica_label)), ..step(RelabelAction::Labeldrop, &[]) });
    }
    Config {
        global: Global {
            scrape_interval: p.scrape_interval.to_string(),
            scrape_timeout: p.scrape_timeout.to_string(),
            evaluation_interval: p.evaluation_interval.to_string(),
            external_labels,
        },
        rule_files,
        scrape_config_files,
        alerting: Alerting {
            alert_relabel_configs,
            alertmanagers: vec![AlertmanagerSet {
                api_version: "v2",
                scheme: spec.access.tls.as_ref().map(|_| "https"),
                tls_config: ClientTls::of(&spec.access, Component::Alertmanager),
                basic_auth: web::client_basic_auth(&spec.access),
                static_configs: vec![StaticConfig { targets: p.alertmanagers.clone(), labels: BTreeMap::new() }],
            }],
        },
        remote_write,
        storage: crate::features::retention_in_config(&model.versions).then(|| StorageOut {
            tsdb: TsdbOut {
                retention: RetentionOut {
                    time: p.storage.retention_time.to_string(),
                    size: p.storage.retention_size.clone(),
                },
            },
        }),
    }
}

/// The command-line flags that differ between the environment's Prometheus servers: the
/// instance's configuration file under the install prefix. (Shared flags such as retention are
/// not per replica.)
pub fn replica_args(spec: &Spec, instance: &Instance) -> Vec<String> {
    vec![format!("--config.file={}/prometheus/{}", spec.install_prefix, instance.config_file())]
}

/// Remote write destinations, with queues sized from one replica's estimated samples/s unless
/// the spec overrides them.
fn remote_write_out(spec: &Spec, samples_per_second: f64) -> Vec<RemoteWriteOut> {
    use crate::catalogue::capacity;
    spec.prometheus
        .remote_write
        .iter()
        .map(|rw| {
            let q = &rw.queue;
            let derived =
                capacity::queue(samples_per_second, q.max_samples_per_send.unwrap_or(capacity::MAX_SAMPLES_PER_SEND));
            let headers = match (rw.store.tenant_header(), &rw.tenant) {
                (Some(h), Some(t)) => [(h.to_string(), t.clone())].into_iter().collect(),
                _ => BTreeMap::new(),
            };
            let write_relabel_configs =
                if rw.local_only.is_empty() { Vec::new() } else { vec![drop(&["__name__"], &rw.local_only.join("|"))] };
            RemoteWriteOut {
                name: rw.name.clone(),
                url: rw.url.clone(),
                headers,
                basic_auth: rw.basic_auth.clone(),
                tls_config: rw.tls.as_ref().map(tls_out),
                write_relabel_configs,
                queue_config: QueueConfigOut {
                    capacity: q.capacity.unwrap_or(derived.capacity),
                    min_shards: q.min_shards.unwrap_or(derived.min_shards),
                    max_shards: q.max_shards.unwrap_or(derived.max_shards),
                    max_samples_per_send: derived.max_samples_per_send,
                    batch_send_deadline: q.batch_send_deadline.as_ref().map_or("5s".into(), |d| d.to_string()),
                },
            }
        })
        .collect()
}

fn scrape_file_name(job: &ScrapeJob) -> String {
    job.file.clone().unwrap_or_else(|| job.name.replace('-', "_"))
}

fn rule_out(model: &Model, r: &Rule) -> RuleOut {
    let mut annotations = r.annotations.clone();
    if let (Some(alert), Some(base)) = (&r.alert, &model.spec.rules.runbook_base_url) {
        annotations.entry("runbook_url".into()).or_insert_with(|| format!("{}/{alert}", base.trim_end_matches('/')));
    }
    RuleOut {
        alert: r.alert.clone(),
        record: r.record.clone(),
        expr: r.expr.clone(),
        for_: r.for_.as_ref().map(|d| d.to_string()),
        keep_firing_for: r.keep_firing_for.as_ref().map(|d| d.to_string()),
        labels: r.labels.clone(),
        annotations,
    }
}

/// Appends a rule to its group, opening the group where it first appears (with the interval the
/// catalogue gives it, if any).
fn push_rule(spec: &Spec, groups: &mut Vec<GroupOut>, group: &str, rule: RuleOut) {
    match groups.iter_mut().find(|g| g.name == group) {
        Some(g) => g.rules.push(rule),
        None => groups.push(GroupOut {
            name: group.to_string(),
            interval: crate::catalogue::group_interval(spec, group).map(str::to_string),
            rules: vec![rule],
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(alert: bool, name: &str, expr: &str, labels: &[(&str, &str)], annotations: &[(&str, &str)]) -> RuleOut {
        let map = |kv: &[(&str, &str)]| kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        RuleOut {
            alert: alert.then(|| name.to_string()),
            record: (!alert).then(|| name.to_string()),
            expr: expr.into(),
            for_: alert.then(|| "5m".into()),
            keep_firing_for: None,
            labels: map(labels),
            annotations: map(annotations),
        }
    }

    /// serde_yaml's own document of the rules at `needed` (all: `None`), groups without them
    /// left out: what the pieces must add up to.
    fn reference(groups: &[GroupOut], needed: Option<&BTreeSet<usize>>) -> String {
        let mut at = 0;
        let kept = groups.iter().filter_map(|g| {
            let first = at;
            at += g.rules.len();
            let rules: Vec<RuleOut> = g
                .rules
                .iter()
                .enumerate()
                .filter(|(i, _)| needed.is_none_or(|n| n.contains(&(first + i))))
                .map(|(_, r)| r.clone())
                .collect();
            (needed.is_none() || !rules.is_empty()).then(|| GroupOut { rules, ..g.clone() })
        });
        serde_yaml::to_string(&RuleFileOut::new(kept.collect())).unwrap()
    }

    fn assert_same(groups: Vec<GroupOut>, needed: &BTreeSet<usize>) {
        let file = RuleFileOut::new(groups.clone());
        assert_eq!(file.body(None), reference(&groups, None));
        assert_eq!(file.body(Some(needed)), reference(&groups, Some(needed)));
    }

    #[test]
    fn pieces_add_up_to_the_document_serde_yaml_writes() {
        let groups = vec![
            GroupOut {
                name: "multi: line".into(),
                interval: Some("30s".into()),
                rules: vec![
                    rule(false, "job:a:rate5m", "sum by (job) (\n  rate(a_total[5m])\n)\n", &[], &[]),
                    rule(true, "A", "up == 0", &[("severity", "page")], &[("description", "line one\n\n  indented\n")]),
                ],
            },
            GroupOut { name: "empty".into(), interval: None, rules: vec![] },
            GroupOut {
                name: "'quoted' #x".into(),
                interval: None,
                rules: vec![rule(true, "B", " leading space", &[("k", "yes"), ("n", "1e3")], &[("s", "- dash: x")])],
            },
        ];
        for needed in [vec![], vec![0], vec![1, 2], vec![0, 1, 2]] {
            assert_same(groups.clone(), &needed.into_iter().collect());
        }
        // No groups at all.
        assert_eq!(RuleFileOut::new(vec![]).body(None), reference(&[], None));
        // Unicode line breaks inside a quoted scalar (proptest found U+2028).
        let breaks = vec![GroupOut {
            name: "g".into(),
            interval: None,
            rules: vec![rule(
                true,
                "C",
                "x",
                &[("l", "a\u{2028}  b\u{2029}c\u{85}d")],
                &[("s", "'\u{2028}\n\u{2028}e")],
            )],
        }];
        assert_same(breaks, &[0].into_iter().collect());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
        #[test]
        fn pieces_add_up_for_any_text(
            texts in proptest::collection::vec("[a-z0-9 :#'\"|>{}\\[\\],&*!%@`\t\n\r-]{0,24}|\\PC{0,8}", 12),
            sizes in proptest::collection::vec(0usize..4, 1..4),
            needed in proptest::collection::btree_set(0usize..10, 0..6),
        ) {
            let mut t = texts.iter().cycle();
            let groups = sizes
                .iter()
                .map(|&n| GroupOut {
                    name: t.next().unwrap().clone(),
                    interval: Some(t.next().unwrap().clone()).filter(|s| !s.is_empty()),
                    rules: (0..n)
                        .map(|i| {
                            rule(i % 2 == 0, t.next().unwrap(), t.next().unwrap(), &[("l", t.next().unwrap())], &[(t.next().unwrap(), t.next().unwrap())])
                        })
                        .collect(),
                })
                .collect();
            assert_same(groups, &needed);
        }
    }
}
