//! A job's `scrape_configs` entry as Prometheus reads it, built from the spec's job: discovery,
//! the target labels and relabeling it implies, TLS and authorization (the Kubernetes service
//! account's for presets). [`crate::render::prometheus`] writes it; [`super::Scrape`] models
//! what a scrape by it makes of an exporter's series.

use super::steps::{constant, copy, k8s_label, keep, step};
use crate::spec::scrape::{
    Authorization, BasicAuth, Discovery, K8sPreset, K8sRole, KubernetesDiscovery, Relabel, RelabelAction, Scheme,
    ScrapeJob, Tls,
};
use crate::syntax::regex_literal;
use serde::Serialize;
use std::collections::BTreeMap;

const SA_CA: &str = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
const SA_TOKEN: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";

#[derive(Serialize, Clone)]
pub(crate) struct StaticConfig {
    pub(crate) targets: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) labels: BTreeMap<String, String>,
}

/// A job's `scrape_configs` entry as written; [`crate::scrape`] models what Prometheus makes of
/// a target's series from these same fields.
#[derive(Serialize, Clone)]
pub(crate) struct ScrapeConfig {
    pub(crate) job_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scrape_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scrape_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) metrics_path: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    params: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scheme: Option<Scheme>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) honor_labels: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_config: Option<TlsConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    basic_auth: Option<BasicAuth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization: Option<AuthorizationOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) static_configs: Vec<StaticConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    file_sd_configs: Vec<FileSdConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kubernetes_sd_configs: Vec<KubernetesSdConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) relabel_configs: Vec<Relabel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) metric_relabel_configs: Vec<Relabel>,
}

#[derive(Serialize, Default, Clone)]
pub(crate) struct TlsConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    ca_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_name: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    insecure_skip_verify: bool,
}

#[derive(Serialize, Clone)]
struct AuthorizationOut {
    #[serde(rename = "type")]
    kind: String,
    credentials_file: String,
}

#[derive(Serialize, Clone)]
struct FileSdConfig {
    files: Vec<String>,
    refresh_interval: String,
}

#[derive(Serialize, Clone)]
struct KubernetesSdConfig {
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespaces: Option<Namespaces>,
}

#[derive(Serialize, Clone)]
struct Namespaces {
    names: Vec<String>,
}

pub(crate) fn scrape_config(job: &ScrapeJob) -> ScrapeConfig {
    let k8s = match &job.discovery {
        Discovery::Kubernetes(k) => Some(k),
        _ => None,
    };
    let preset = k8s.and_then(|k| k.preset);
    let service_account = k8s.is_some_and(|k| k.service_account || k.preset.is_some());

    let mut tls_config = job.tls.as_ref().map(tls_out);
    let mut authorization = job.authorization.as_ref().map(|a: &Authorization| AuthorizationOut {
        kind: a.kind.clone(),
        credentials_file: a.credentials_file.clone(),
    });
    if service_account {
        let tls = tls_config.get_or_insert_with(TlsConfig::default);
        tls.ca_file.get_or_insert_with(|| SA_CA.to_string());
        authorization
            .get_or_insert_with(|| AuthorizationOut { kind: "Bearer".into(), credentials_file: SA_TOKEN.into() });
    }
    let scheme = job.scheme.or(if service_account { Some(Scheme::Https) } else { None });
    let metrics_path = job.metrics_path.clone().or(match preset {
        Some(K8sPreset::Cadvisor) => Some("/metrics/cadvisor".into()),
        _ => None,
    });

    let mut static_configs = Vec::new();
    let mut file_sd_configs = Vec::new();
    let mut kubernetes_sd_configs = Vec::new();
    let mut relabel_configs = Vec::new();
    match &job.discovery {
        Discovery::Static(s) => {
            static_configs.push(StaticConfig { targets: s.targets.clone(), labels: job.labels.clone() })
        }
        Discovery::FileSd(f) => {
            file_sd_configs
                .push(FileSdConfig { files: f.files.clone(), refresh_interval: f.refresh_interval.to_string() });
            relabel_configs.extend(static_labels(&job.labels));
        }
        Discovery::Kubernetes(k) => {
            kubernetes_sd_configs.push(KubernetesSdConfig {
                role: k.role.as_str(),
                namespaces: (!k.namespaces.is_empty()).then(|| Namespaces { names: k.namespaces.clone() }),
            });
            relabel_configs.extend(kubernetes_relabels(k));
            relabel_configs.extend(static_labels(&job.labels));
        }
    }
    relabel_configs.extend(job.relabel_configs.iter().cloned());

    ScrapeConfig {
        job_name: job.name.clone(),
        scrape_interval: job.scrape_interval.as_ref().map(|d| d.to_string()),
        scrape_timeout: job.scrape_timeout.as_ref().map(|d| d.to_string()),
        metrics_path,
        params: job.params.clone(),
        scheme,
        honor_labels: job.honor_labels,
        tls_config,
        basic_auth: job.basic_auth.clone(),
        authorization,
        static_configs,
        file_sd_configs,
        kubernetes_sd_configs,
        relabel_configs,
        metric_relabel_configs: job.metric_relabel_configs.clone(),
    }
}

/// Constant target labels, for discovery kinds without a `labels` field of their own.
fn static_labels(labels: &BTreeMap<String, String>) -> Vec<Relabel> {
    labels.iter().map(|(k, v)| constant(k, v)).collect()
}

fn kubernetes_relabels(k: &KubernetesDiscovery) -> Vec<Relabel> {
    let object = k.role.object();
    let mut out = Vec::new();
    match k.preset {
        Some(K8sPreset::Apiserver) => out.push(keep(
            &["__meta_kubernetes_namespace", "__meta_kubernetes_service_name", endpoint_port_name(k.role)],
            "default;kubernetes;https",
        )),
        Some(K8sPreset::Cadvisor) => out.push(Relabel {
            regex: Some("__meta_kubernetes_node_label_(.+)".into()),
            ..step(RelabelAction::Labelmap, &[])
        }),
        None => {}
    }
    for (name, re) in &k.match_labels {
        let meta = k8s_label(object, name);
        out.push(keep(&[&meta], re));
    }
    if let Some(port) = &k.port_name {
        let meta = match k.role {
            K8sRole::Pod => "__meta_kubernetes_pod_container_port_name",
            K8sRole::Service => "__meta_kubernetes_service_port_name",
            other => endpoint_port_name(other),
        };
        out.push(keep(&[meta], &regex_literal(port)));
    }
    if k.annotations {
        let a = |what: &str| format!("__meta_kubernetes_{object}_annotation_prometheus_io_{what}");
        out.push(keep(&[&a("scrape")], "true"));
        out.push(Relabel {
            regex: Some("(https?)".into()),
            target_label: Some("__scheme__".into()),
            ..step(RelabelAction::Replace, &[&a("scheme")])
        });
        out.push(Relabel {
            regex: Some("(.+)".into()),
            target_label: Some("__metrics_path__".into()),
            ..step(RelabelAction::Replace, &[&a("path")])
        });
        out.push(Relabel {
            regex: Some(r"([^:]+)(?::\d+)?;(\d+)".into()),
            replacement: Some("$1:$2".into()),
            target_label: Some("__address__".into()),
            ..step(RelabelAction::Replace, &["__address__", &a("port")])
        });
    }
    if let Some(port) = k.port {
        out.push(Relabel {
            regex: Some(r"([^:]+)(?::\d+)?".into()),
            replacement: Some(format!("${{1}}:{port}")),
            target_label: Some("__address__".into()),
            ..step(RelabelAction::Replace, &["__address__"])
        });
    }
    match k.role {
        K8sRole::Node => out.push(copy(&["__meta_kubernetes_node_name"], "node")),
        K8sRole::Pod => {
            out.push(copy(&["__meta_kubernetes_namespace"], "namespace"));
            out.push(copy(&["__meta_kubernetes_pod_name"], "pod"));
        }
        _ => out.push(copy(&["__meta_kubernetes_namespace"], "namespace")),
    }
    if k.instance_from_node {
        let meta = match k.role {
            K8sRole::Node => "__meta_kubernetes_node_name",
            K8sRole::Pod => "__meta_kubernetes_pod_node_name",
            K8sRole::Endpointslice => "__meta_kubernetes_endpointslice_endpoint_node_name",
            _ => "__meta_kubernetes_endpoint_node_name",
        };
        out.push(copy(&[meta], "instance"));
    }
    for (target, source) in &k.target_labels {
        out.push(copy(&[&k8s_label(object, source)], target));
    }
    out
}

fn endpoint_port_name(role: K8sRole) -> &'static str {
    match role {
        K8sRole::Endpointslice => "__meta_kubernetes_endpointslice_port_name",
        _ => "__meta_kubernetes_endpoint_port_name",
    }
}

/// A scrape config restricted to the targets of one shard: `hashmod` of the final target
/// address into `__tmp_hash`, keep those equal to the shard's index.
pub(crate) fn with_hashmod(config: &ScrapeConfig, shard: u64, shards: u64) -> ScrapeConfig {
    let mut config = config.clone();
    config.relabel_configs.push(Relabel {
        modulus: Some(shards),
        target_label: Some("__tmp_hash".into()),
        ..step(RelabelAction::Hashmod, &["__address__"])
    });
    config.relabel_configs.push(keep(&["__tmp_hash"], &shard.to_string()));
    config
}

pub(crate) fn tls_out(t: &Tls) -> TlsConfig {
    TlsConfig {
        ca_file: t.ca_file.clone(),
        cert_file: t.cert_file.clone(),
        key_file: t.key_file.clone(),
        server_name: t.server_name.clone(),
        insecure_skip_verify: t.insecure_skip_verify,
    }
}
