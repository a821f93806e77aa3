//! The log pipelines, independent of the shipper: what each log source reads, how its targets
//! are relabeled and how its lines are parsed. Promtail and Grafana Alloy render the same
//! pipelines in their own syntax. Only bounded values become labels (namespace, pod, container,
//! app, level, model name and version); trace, span and inference ids stay in the line.

use crate::scrape::steps::{constant, copy, drop, k8s_label};
use crate::spec::promtail::{AiModelLogs, LogSourceKind};
use crate::spec::scrape::Relabel;
use crate::syntax::regex_literal;
use crate::validate::Model;
use std::collections::BTreeMap;

/// Fields read from JSON log lines: (name in the pipeline, key in the line).
pub const JSON_FIELDS: [(&str, &str); 3] = [("level", "level"), ("message", "message"), ("timestamp", "time")];
/// The extracted field that becomes a label.
pub const LEVEL_LABEL: &str = "level";
/// Request-scoped ids in JSON lines: unbounded, so never labels. On Loki 3 they become
/// structured metadata (queryable without indexing); on Loki 2.9 they stay in the line.
pub const METADATA_FIELDS: [&str; 3] = ["trace_id", "span_id", "inference_id"];

/// How container JSON lines are shipped for the target Loki.
pub struct Parsing {
    /// Fields attached as structured metadata.
    pub metadata: &'static [&'static str],
    /// Whether the line becomes its `message` field. Only when the ids are kept as metadata:
    /// otherwise the whole JSON line stays, so no id is lost.
    pub message_as_line: bool,
}

pub fn parsing(model: &Model) -> Parsing {
    // Structured metadata needs the TSDB index with schema v13.
    let v3 = crate::features::tsdb(model.versions.loki);
    Parsing { metadata: if v3 { &METADATA_FIELDS } else { &[] }, message_as_line: v3 }
}

pub use crate::spec::promtail::LOG_CLASS_LABEL;
/// Layouts of the line's timestamp, tried in order.
pub const TIMESTAMP_FORMATS: [&str; 2] = ["RFC3339Nano", "RFC3339"];

pub struct LogJob {
    pub name: String,
    pub input: Input,
    /// Target relabeling, applied to discovered targets before their files are read.
    pub relabels: Vec<Relabel>,
    /// Container logs: CRI lines with JSON payloads (level label, timestamp, message).
    pub container_json: bool,
}

pub enum Input {
    /// Files on the host: a glob and the stream labels.
    Files { path: String, labels: BTreeMap<String, String> },
    /// Pods on this node, optionally limited to namespaces and a label selector.
    Pods { namespaces: Vec<String>, label_selector: Option<String> },
}

pub fn jobs(model: &Model) -> Vec<LogJob> {
    let sources = &model.spec.promtail.sources;
    // Pods that an AI-model source reads are left out of the generic pod source, so no log file
    // is read twice.
    let ai: Vec<&AiModelLogs> = sources
        .iter()
        .filter_map(|s| match &s.kind {
            LogSourceKind::AiModels(a) => Some(a),
            _ => None,
        })
        .collect();
    sources
        .iter()
        .map(|source| {
            let name = source.name.clone();
            match &source.kind {
                LogSourceKind::Files(f) => {
                    let mut labels = f.labels.clone();
                    labels.entry("job".into()).or_insert_with(|| name.clone());
                    if let Some(c) = &source.log_class {
                        labels.insert(LOG_CLASS_LABEL.into(), c.clone());
                    }
                    LogJob {
                        name,
                        input: Input::Files { path: f.path.clone(), labels },
                        relabels: vec![],
                        container_json: false,
                    }
                }
                LogSourceKind::KubernetesPods(p) => {
                    let mut relabels: Vec<Relabel> = ai.iter().map(|a| exclude(&a.pod_selector)).collect();
                    relabels.extend(pod_relabels(&name, source.log_class.as_deref()));
                    LogJob {
                        name,
                        input: Input::Pods { namespaces: p.namespaces.clone(), label_selector: None },
                        relabels,
                        container_json: true,
                    }
                }
                LogSourceKind::AiModels(a) => {
                    let mut relabels = vec![
                        copy(&[&k8s_label("pod", &a.model_name_label)], "model_name"),
                        copy(&[&k8s_label("pod", &a.model_version_label)], "model_version"),
                    ];
                    relabels.extend(pod_relabels(&name, source.log_class.as_deref()));
                    LogJob {
                        name,
                        input: Input::Pods {
                            namespaces: a.namespaces.clone(),
                            label_selector: Some(a.pod_selector.clone()),
                        },
                        relabels,
                        container_json: true,
                    }
                }
            }
        })
        .collect()
}

/// Drops the pods a validated equality selector (`k=v[,k2=v2]`) selects.
fn exclude(selector: &str) -> Relabel {
    let terms: Vec<(&str, &str)> = selector
        .split(',')
        .filter_map(|t| t.split_once("==").or_else(|| t.split_once('=')))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    let sources: Vec<String> = terms.iter().map(|(k, _)| k8s_label("pod", k)).collect();
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    let values: Vec<String> = terms.iter().map(|(_, v)| regex_literal(v)).collect();
    drop(&sources, &values.join(";"))
}

fn pod_relabels(job: &str, log_class: Option<&str>) -> Vec<Relabel> {
    let class = log_class.map(|c| constant(LOG_CLASS_LABEL, c));
    let mut out = vec![
        copy(&["__meta_kubernetes_pod_node_name"], "__host__"),
        copy(&["__meta_kubernetes_namespace"], "namespace"),
        copy(&["__meta_kubernetes_pod_name"], "pod"),
        copy(&["__meta_kubernetes_pod_container_name"], "container"),
        copy(&["__meta_kubernetes_pod_label_app_kubernetes_io_name"], "app"),
        constant("job", job),
        Relabel {
            separator: Some("/".into()),
            replacement: Some("/var/log/pods/*$1/*.log".into()),
            ..copy(&["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"], "__path__")
        },
    ];
    out.extend(class);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::labels::UNBOUNDED;

    /// Every stream label the pipelines set is bounded (the list the rule lints use).
    #[test]
    fn no_pipeline_sets_an_unbounded_label() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/creativeflow/prod.json")).unwrap();
        let loaded = crate::spec::load::load("prod.json", &bytes).unwrap();
        let model = crate::validate::validate(loaded.spec, String::new()).unwrap();
        let mut labels = vec![LEVEL_LABEL.to_string()];
        for job in jobs(&model) {
            labels.extend(job.relabels.iter().filter_map(|r| r.target_label.clone()));
            if let Input::Files { labels: l, .. } = &job.input {
                labels.extend(l.keys().cloned());
            }
        }
        assert!(labels.len() > 10, "{labels:?}");
        for l in labels {
            assert!(!UNBOUNDED.contains(&l.as_str()), "{l} is unbounded");
        }
        assert!(
            METADATA_FIELDS.iter().all(|f| UNBOUNDED.contains(f)),
            "the ids kept out of labels are the unbounded ones"
        );
    }
}
