//! Scrape jobs and their service discovery.

use crate::syntax::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One Prometheus scrape job.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScrapeJob {
    /// `job_name`, unique in the environment (e.g. `node_exporter`, `api-gateway`).
    pub name: String,
    /// The file under `prometheus/scrape_configs/` (without `.yml`) this job is written to;
    /// jobs sharing a file are grouped. Default: the job name with `-` replaced by `_`.
    #[serde(default)]
    pub file: Option<String>,
    /// Team owning the targets (a name from `teams`).
    #[serde(default)]
    pub owner: Option<String>,
    /// Whether the job watches a critical service, so that losing sight of it pages: a target
    /// Prometheus cannot scrape fires `CriticalTargetDown` (severity `critical`, after 1m)
    /// instead of `TargetDown` (warning), and a job without any target fires
    /// `CriticalTargetMissing`. The service's own "down" alert (e.g. `PostgresqlDown` from
    /// `pg_up`) cannot fire while its exporter is unreachable. Default false.
    #[serde(default)]
    pub critical: bool,
    /// Overrides `prometheus.scrape_interval` for this job.
    #[serde(default)]
    pub scrape_interval: Option<Duration>,
    /// Overrides `prometheus.scrape_timeout` for this job.
    #[serde(default)]
    pub scrape_timeout: Option<Duration>,
    /// HTTP path of the metrics endpoint. Default: Prometheus' `/metrics`.
    #[serde(default)]
    pub metrics_path: Option<String>,
    /// URL query parameters sent with every scrape (Prometheus `params`), each a list of
    /// values: e.g. RabbitMQ's `/metrics/detailed` takes
    /// `family = [ "queue_coarse_metrics" "queue_consumer_count" ]`, blackbox_exporter a
    /// `module`. Default: none.
    #[serde(default)]
    pub params: BTreeMap<String, Vec<String>>,
    /// `http` or `https`. Default: Prometheus' `http` (or `https` with `service_account`).
    #[serde(default)]
    pub scheme: Option<Scheme>,
    /// Keep the target's own labels on conflict (federation, Pushgateway). Default false.
    #[serde(default)]
    pub honor_labels: bool,
    /// Labels added to every target of the job (e.g. `service: postgresql`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// How targets are found: exactly one of `static`, `file_sd`, `kubernetes`.
    pub discovery: Discovery,
    /// TLS settings for scraping (file references only).
    #[serde(default)]
    pub tls: Option<Tls>,
    /// HTTP basic authentication, password read from a file.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// `Authorization` header credentials read from a file.
    #[serde(default)]
    pub authorization: Option<Authorization>,
    /// Extra relabeling, applied after the generated discovery relabeling.
    #[serde(default)]
    pub relabel_configs: Vec<Relabel>,
    /// Relabeling applied to scraped samples (e.g. to drop expensive series).
    #[serde(default)]
    pub metric_relabel_configs: Vec<Relabel>,
    /// What the targets are, for the capacity estimate's typical series per target. Default:
    /// inferred from the job name (the seed's job names), else `app`.
    #[serde(default)]
    pub exporter: Option<ExporterKind>,
    /// Expected series per target, overriding the exporter's typical count. Default: the
    /// catalogue's estimate for `exporter`.
    #[serde(default)]
    pub expected_series_per_target: Option<u64>,
    /// Expected number of targets of a discovery-based job (static jobs count their targets).
    /// Required when `prometheus.capacity` is declared. Default: unknown.
    #[serde(default)]
    pub expected_targets: Option<u64>,
    /// Accept sending this job's credentials without TLS (basic auth, `authorization`, the service account's token): the reason (shown in the
    /// catalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback
    /// address.
    #[serde(default)]
    pub plaintext_credentials: Option<crate::spec::access::PlaintextCredentials>,
    /// Derived by monstack from the topology (meta-monitoring, [`crate::spec::meta`]), not
    /// declared in the spec.
    #[serde(skip)]
    #[schemars(skip)]
    pub derived: bool,
}

impl ScrapeJob {
    /// Whether the job authenticates with the in-cluster service account: its own
    /// `service_account`, or a preset's (cAdvisor and the API server need it).
    pub fn service_account(&self) -> bool {
        matches!(&self.discovery, Discovery::Kubernetes(k) if k.service_account || k.preset.is_some())
    }

    /// The scheme Prometheus scrapes with when it is not its default `http`: the job's own, or
    /// `https` for a service account (the API server and kubelets serve only HTTPS).
    pub fn scheme(&self) -> Option<Scheme> {
        self.scheme.or(if self.service_account() { Some(Scheme::Https) } else { None })
    }
}

/// Kinds of exporters with a typical series count in the capacity estimate (`app`: an
/// application's own `/metrics` endpoint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExporterKind {
    NodeExporter,
    PostgresExporter,
    RedisExporter,
    RabbitmqExporter,
    Minio,
    KubeStateMetrics,
    Cadvisor,
    Apiserver,
    DcgmExporter,
    Blackbox,
    App,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Http,
    Https,
}

/// Service discovery for a job. Exactly one variant is given.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Discovery {
    /// Fixed targets (`static_configs`).
    Static(StaticDiscovery),
    /// Targets read from JSON/YAML files maintained by another tool (`file_sd_configs`).
    FileSd(FileSdDiscovery),
    /// Kubernetes API discovery (`kubernetes_sd_configs`) with generated relabeling.
    Kubernetes(KubernetesDiscovery),
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaticDiscovery {
    /// `host:port` targets; at least one.
    pub targets: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileSdDiscovery {
    /// Files (or globs in the last path component) with target groups; absolute paths, or
    /// relative to `prometheus.yml`.
    pub files: Vec<String>,
    /// How often the files are re-read in addition to file-change events. Default `5m`.
    #[serde(default = "d5m")]
    pub refresh_interval: Duration,
}

fn d5m() -> Duration {
    Duration::new("5m")
}

/// Kubernetes roles Prometheus discovers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum K8sRole {
    Node,
    Pod,
    Service,
    Endpoints,
    Endpointslice,
    Ingress,
}

impl K8sRole {
    pub fn as_str(self) -> &'static str {
        match self {
            K8sRole::Node => "node",
            K8sRole::Pod => "pod",
            K8sRole::Service => "service",
            K8sRole::Endpoints => "endpoints",
            K8sRole::Endpointslice => "endpointslice",
            K8sRole::Ingress => "ingress",
        }
    }

    /// The object whose labels and annotations the role exposes as meta labels.
    pub fn object(self) -> &'static str {
        match self {
            K8sRole::Node => "node",
            K8sRole::Pod => "pod",
            K8sRole::Service | K8sRole::Endpoints | K8sRole::Endpointslice => "service",
            K8sRole::Ingress => "ingress",
        }
    }
}

/// Well-known Kubernetes scrape shapes, with the relabeling the Prometheus project's example
/// configuration uses for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum K8sPreset {
    /// Kubelet cAdvisor metrics: role `node`, path `/metrics/cadvisor`, node labels mapped.
    Cadvisor,
    /// The API server: role `endpoints`, keeps `default/kubernetes:https`.
    Apiserver,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KubernetesDiscovery {
    /// Role to discover (`node`, `pod`, `service`, `endpoints`, `endpointslice`, `ingress`).
    pub role: K8sRole,
    /// Namespaces to watch. Default: all.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// A preset that adds the standard relabeling for cAdvisor or the API server.
    #[serde(default)]
    pub preset: Option<K8sPreset>,
    /// Keep only targets whose Kubernetes object has these labels; values are RE2 regexes,
    /// anchored (e.g. `app: api-gateway-app`).
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
    /// Keep only the container port (pod role) or endpoint port with this name.
    #[serde(default)]
    pub port_name: Option<String>,
    /// Rewrite the target address to this port (e.g. 9400 for DCGM exporter).
    #[serde(default)]
    pub port: Option<u16>,
    /// Honour `prometheus.io/scrape`, `prometheus.io/path`, `prometheus.io/port` and
    /// `prometheus.io/scheme` annotations. Default false.
    #[serde(default)]
    pub annotations: bool,
    /// Target labels taken from the object's Kubernetes labels, e.g.
    /// `model_name: ai_model_name` sets `model_name` from the pod label `ai_model_name`.
    #[serde(default)]
    pub target_labels: BTreeMap<String, String>,
    /// Set `instance` to the node name (for per-node daemons). Default false.
    #[serde(default)]
    pub instance_from_node: bool,
    /// Authenticate with the in-cluster service account (its CA file and token file), as
    /// Prometheus running in the cluster does. Default false.
    #[serde(default)]
    pub service_account: bool,
}

/// TLS client settings; every value is a file path or a name.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// CA certificate file to verify the server.
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Client certificate file (mutual TLS).
    #[serde(default)]
    pub cert_file: Option<String>,
    /// Client key file (mutual TLS).
    #[serde(default)]
    pub key_file: Option<String>,
    /// Server name to verify, if it differs from the target host.
    #[serde(default)]
    pub server_name: Option<String>,
    /// Skip certificate verification. Default false; avoid outside development.
    #[serde(default)]
    pub insecure_skip_verify: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// User name (not a secret).
    pub username: String,
    /// File holding the password, read by the tool at run time.
    pub password_file: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    /// Authorization type. Default `Bearer`.
    #[serde(default = "bearer", rename = "type")]
    pub kind: String,
    /// File holding the credentials, read by the tool at run time.
    pub credentials_file: String,
}

fn bearer() -> String {
    "Bearer".into()
}

/// A Prometheus relabeling step, as in `relabel_configs`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Relabel {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_label: Option<String>,
    /// RE2 regex, anchored by Prometheus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modulus: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// Default `replace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<RelabelAction>,
}

impl Relabel {
    /// Whether this step may change or remove the target label `label` (a label name); false
    /// only when it certainly leaves it alone. Steps that keep or drop targets leave labels as
    /// they are; a regex over label names counts when it may match `label` (or, for
    /// `labelkeep`, may not); a templated target label or a `labelmap` may write any name.
    pub fn may_change(&self, label: &str) -> bool {
        let regex = self.regex.as_deref().unwrap_or("(.*)");
        let matches = || regex::Regex::new(&format!("^(?:{regex})$")).map_or(true, |re| re.is_match(label));
        match self.action.unwrap_or(RelabelAction::Replace) {
            RelabelAction::Keep | RelabelAction::Drop | RelabelAction::Keepequal | RelabelAction::Dropequal => false,
            RelabelAction::Labeldrop => matches(),
            RelabelAction::Labelkeep => {
                !regex::Regex::new(&format!("^(?:{regex})$")).is_ok_and(|re| re.is_match(label))
            }
            RelabelAction::Labelmap => true,
            RelabelAction::Replace | RelabelAction::Hashmod | RelabelAction::Lowercase | RelabelAction::Uppercase => {
                self.target_label.as_deref().is_some_and(|t| t == label || t.contains('$'))
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RelabelAction {
    Replace,
    Keep,
    Drop,
    Keepequal,
    Dropequal,
    Hashmod,
    Labelmap,
    Labeldrop,
    Labelkeep,
    Lowercase,
    Uppercase,
}
