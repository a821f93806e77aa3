//! Promtail: `promtail-config.yaml` with one scrape job per log source. Only bounded values
//! become labels (namespace, pod, container, app, level, model name and version); trace, span
//! and inference ids stay in the line.

use super::relabel::{constant, copy, drop, k8s_label};
use super::{regex_literal, yaml};
use crate::bundle::Bundle;
use crate::spec::promtail::{AiModelLogs, LogSource, LogSourceKind};
use crate::spec::scrape::Relabel;
use crate::validate::Model;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Config {
    server: Server,
    positions: Positions,
    clients: Vec<Client>,
    scrape_configs: Vec<ScrapeConfig>,
}

#[derive(Serialize)]
struct Server {
    http_listen_port: u16,
    grpc_listen_port: u16,
}

#[derive(Serialize)]
struct Positions {
    filename: String,
}

#[derive(Serialize)]
struct Client {
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_id: Option<String>,
}

#[derive(Serialize)]
struct ScrapeConfig {
    job_name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    static_configs: Vec<StaticConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kubernetes_sd_configs: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relabel_configs: Vec<Relabel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pipeline_stages: Vec<Value>,
}

#[derive(Serialize)]
struct StaticConfig {
    targets: Vec<&'static str>,
    labels: BTreeMap<String, String>,
}

pub fn render(model: &Model, bundle: &mut Bundle) {
    let pt = &model.spec.promtail;
    // Pods that an AI-model source reads are left out of the generic pod source, so no log file
    // is tailed twice.
    let ai_selectors: Vec<&AiModelLogs> = pt
        .sources
        .iter()
        .filter_map(|s| match &s.kind {
            LogSourceKind::AiModels(a) => Some(a),
            _ => None,
        })
        .collect();
    let config = Config {
        server: Server { http_listen_port: pt.http_listen_port, grpc_listen_port: 0 },
        positions: Positions { filename: pt.positions_file.clone() },
        clients: vec![Client { url: pt.loki_url.clone(), tenant_id: pt.tenant_id.clone() }],
        scrape_configs: pt.sources.iter().map(|s| scrape_config(s, &ai_selectors)).collect(),
    };
    bundle.add("promtail/promtail-config.yaml", yaml(model, "Promtail configuration", &config));
}

/// `key=value` terms of a validated equality selector.
fn selector_terms(selector: &str) -> Vec<(String, String)> {
    selector
        .split(',')
        .filter_map(|t| {
            let (k, v) = t.split_once("==").or_else(|| t.split_once('='))?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

fn pod_relabels(job: &str) -> Vec<Relabel> {
    vec![
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
    ]
}

/// CRI lines, JSON payloads: level becomes a label, the timestamp comes from the line and the
/// message becomes the line. Ids in the payload stay in the line.
fn json_pipeline() -> Vec<Value> {
    vec![
        json!({ "cri": {} }),
        json!({ "json": { "expressions": { "level": "level", "message": "message", "timestamp": "time" } } }),
        json!({ "labels": { "level": null } }),
        json!({ "timestamp": { "source": "timestamp", "format": "RFC3339Nano", "fallback_formats": ["RFC3339"] } }),
        json!({ "output": { "source": "message" } }),
    ]
}

fn k8s_sd(namespaces: &[String], selector: Option<&str>) -> Value {
    let mut sd = json!({ "role": "pod" });
    if !namespaces.is_empty() {
        sd["namespaces"] = json!({ "names": namespaces });
    }
    if let Some(label) = selector {
        sd["selectors"] = json!([{ "role": "pod", "label": label }]);
    }
    sd
}

fn scrape_config(source: &LogSource, ai: &[&AiModelLogs]) -> ScrapeConfig {
    let job = source.name.clone();
    match &source.kind {
        LogSourceKind::Files(f) => {
            let mut labels = f.labels.clone();
            labels.entry("job".into()).or_insert_with(|| job.clone());
            labels.insert("__path__".into(), f.path.clone());
            ScrapeConfig {
                job_name: job,
                static_configs: vec![StaticConfig { targets: vec!["localhost"], labels }],
                kubernetes_sd_configs: vec![],
                relabel_configs: vec![],
                pipeline_stages: vec![],
            }
        }
        LogSourceKind::KubernetesPods(p) => {
            let mut relabel_configs: Vec<Relabel> = ai
                .iter()
                .map(|a| {
                    let terms = selector_terms(&a.pod_selector);
                    let sources: Vec<String> = terms.iter().map(|(k, _)| k8s_label("pod", k)).collect();
                    let values: Vec<String> = terms.iter().map(|(_, v)| regex_literal(v)).collect();
                    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
                    drop(&sources, &values.join(";"))
                })
                .collect();
            relabel_configs.extend(pod_relabels(&job));
            ScrapeConfig {
                job_name: job,
                static_configs: vec![],
                kubernetes_sd_configs: vec![k8s_sd(&p.namespaces, None)],
                relabel_configs,
                pipeline_stages: json_pipeline(),
            }
        }
        LogSourceKind::AiModels(a) => {
            let mut relabel_configs = vec![
                copy(&[&k8s_label("pod", &a.model_name_label)], "model_name"),
                copy(&[&k8s_label("pod", &a.model_version_label)], "model_version"),
            ];
            relabel_configs.extend(pod_relabels(&job));
            ScrapeConfig {
                job_name: job,
                static_configs: vec![],
                kubernetes_sd_configs: vec![k8s_sd(&a.namespaces, Some(&a.pod_selector))],
                relabel_configs,
                pipeline_stages: json_pipeline(),
            }
        }
    }
}
