//! Promtail's configuration file, as far as monstack renders it: unknown keys are rejected in
//! every block, pipeline stages are the ones Promtail has (and, for `structured_metadata`,
//! the version that has it), and Kubernetes discovery uses a role Promtail knows (the roles
//! Prometheus discovers, [`K8sRole`]). Key names from
//! the Promtail configuration reference (grafana.com/docs/loki/<version>/send-data/promtail/).

// Most fields are only parsed: the structs exist to reject keys Promtail would not know.
#![allow(dead_code)]

use crate::spec::scrape::K8sRole;
use crate::syntax::Version;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    server: super::Server,
    positions: Positions,
    clients: Vec<Client>,
    scrape_configs: Vec<ScrapeConfig>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Positions {
    filename: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Client {
    url: String,
    #[serde(default)]
    tenant_id: Option<String>,
    #[serde(default)]
    external_labels: BTreeMap<String, String>,
    #[serde(default)]
    tls_config: Option<super::ClientTls>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScrapeConfig {
    job_name: String,
    #[serde(default)]
    static_configs: Vec<StaticConfig>,
    #[serde(default)]
    kubernetes_sd_configs: Vec<KubernetesSd>,
    #[serde(default)]
    relabel_configs: Vec<Relabel>,
    #[serde(default)]
    pipeline_stages: Vec<BTreeMap<String, serde_yaml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaticConfig {
    targets: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KubernetesSd {
    role: K8sRole,
    #[serde(default)]
    namespaces: Option<Namespaces>,
    #[serde(default)]
    selectors: Vec<Selector>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Namespaces {
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Selector {
    role: K8sRole,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    field: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Relabel {
    #[serde(default)]
    source_labels: Vec<String>,
    #[serde(default)]
    separator: Option<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    target_label: Option<String>,
    #[serde(default)]
    replacement: Option<String>,
    #[serde(default)]
    action: Option<String>,
}

/// Pipeline stages Promtail has: (name, the version that introduced it).
const STAGES: &[(&str, Version)] = &[
    ("cri", Version::new(2, 0, 0)),
    ("docker", Version::new(2, 0, 0)),
    ("json", Version::new(2, 0, 0)),
    ("regex", Version::new(2, 0, 0)),
    ("labels", Version::new(2, 0, 0)),
    ("timestamp", Version::new(2, 0, 0)),
    ("output", Version::new(2, 0, 0)),
    ("match", Version::new(2, 0, 0)),
    ("drop", Version::new(2, 0, 0)),
    ("template", Version::new(2, 0, 0)),
    ("structured_metadata", Version::new(2, 9, 0)),
];

/// Problems Promtail `version` would have with this configuration file.
pub fn check(text: &str, version: Version) -> Vec<String> {
    let config: Config = match serde_yaml::from_str(text) {
        Ok(c) => c,
        Err(e) => return vec![format!("not a Promtail {version} configuration monstack knows: {e}")],
    };
    let mut problems = Vec::new();
    if config.clients.is_empty() {
        problems.push("no client: Promtail would read logs and send them nowhere".into());
    }
    for sc in &config.scrape_configs {
        let job = &sc.job_name;
        for stage in &sc.pipeline_stages {
            if stage.len() != 1 {
                problems.push(format!("{job}: a pipeline stage has exactly one key"));
            }
            for name in stage.keys() {
                match STAGES.iter().find(|(s, _)| s == name) {
                    None => problems.push(format!("{job}: \"{name}\" is not a Promtail pipeline stage")),
                    Some((_, since)) if version < *since => {
                        problems.push(format!("{job}: the {name} stage needs Promtail {since}, not {version}"))
                    }
                    Some(_) => {}
                }
            }
        }
    }
    problems
}
