//! Promtail: `promtail-config.yaml` with one scrape job per log pipeline (see [`super::logs`]).

use super::logs::{self, Input, JSON_FIELDS, LEVEL_LABEL, LogJob, Parsing, TIMESTAMP_FORMATS};
use super::yaml;
use crate::bundle::Bundle;
use crate::bundle::layout::PROMTAIL_CONFIG;
use crate::spec::access::Component;
use crate::spec::promtail::Shipper;
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
    /// Every stream carries its environment, which the log dashboards select on.
    external_labels: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_config: Option<super::web::ClientTls>,
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
    if !pt.shippers.contains(&Shipper::Promtail) {
        return;
    }
    let parsing = logs::parsing(model);
    let config = Config {
        server: Server { http_listen_port: pt.http_listen_port, grpc_listen_port: 0 },
        positions: Positions { filename: pt.positions_file.clone() },
        clients: vec![Client {
            url: pt.loki_url.clone(),
            tenant_id: pt.tenant_id.clone(),
            external_labels: BTreeMap::from([("environment", model.env().to_string())]),
            tls_config: super::web::ClientTls::of(&model.spec.access, Component::Loki),
        }],
        scrape_configs: logs::jobs(model).into_iter().map(|j| scrape_config(j, &parsing)).collect(),
    };
    bundle.add(format!("promtail/{PROMTAIL_CONFIG}"), yaml(model, "Promtail configuration", &config));
}

fn json_pipeline(parsing: &Parsing) -> Vec<Value> {
    let mut expressions: BTreeMap<&str, &str> = JSON_FIELDS.into_iter().collect();
    expressions.extend(parsing.metadata.iter().map(|f| (*f, *f)));
    let mut stages = vec![
        json!({ "cri": {} }),
        json!({ "json": { "expressions": expressions } }),
        json!({ "labels": { LEVEL_LABEL: null } }),
    ];
    if !parsing.metadata.is_empty() {
        let metadata: BTreeMap<&str, Value> = parsing.metadata.iter().map(|f| (*f, Value::Null)).collect();
        stages.push(json!({ "structured_metadata": metadata }));
    }
    stages.push(json!({ "timestamp": { "source": "timestamp", "format": TIMESTAMP_FORMATS[0], "fallback_formats": &TIMESTAMP_FORMATS[1..] } }));
    if parsing.message_as_line {
        stages.push(json!({ "output": { "source": "message" } }));
    }
    stages
}

fn scrape_config(job: LogJob, parsing: &Parsing) -> ScrapeConfig {
    let pipeline_stages = if job.container_json { json_pipeline(parsing) } else { vec![] };
    match job.input {
        Input::Files { path, mut labels } => {
            labels.insert("__path__".into(), path);
            ScrapeConfig {
                job_name: job.name,
                static_configs: vec![StaticConfig { targets: vec!["localhost"], labels }],
                kubernetes_sd_configs: vec![],
                relabel_configs: job.relabels,
                pipeline_stages,
            }
        }
        Input::Pods { namespaces, label_selector } => {
            let mut sd = json!({ "role": "pod" });
            if !namespaces.is_empty() {
                sd["namespaces"] = json!({ "names": namespaces });
            }
            if let Some(label) = label_selector {
                sd["selectors"] = json!([{ "role": "pod", "label": label }]);
            }
            ScrapeConfig {
                job_name: job.name,
                static_configs: vec![],
                kubernetes_sd_configs: vec![sd],
                relabel_configs: job.relabels,
                pipeline_stages,
            }
        }
    }
}
