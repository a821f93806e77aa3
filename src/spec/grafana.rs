//! Grafana provisioning: datasources and dashboard folders.

use crate::syntax::Duration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grafana {
    /// Datasources; exactly one is the default.
    pub datasources: Vec<Datasource>,
    /// Dashboard folders, each provisioned by its own provider.
    #[serde(default)]
    pub folders: Vec<Folder>,
    /// Let users save provisioned dashboards from the UI (their edits are overwritten on the
    /// next provisioning). Default false, so the bundle stays the source of truth.
    #[serde(default)]
    pub allow_ui_updates: bool,
    /// The server's own settings (`grafana.ini`): address, login and session security.
    #[serde(default)]
    pub server: Server,
}

/// Grafana's server settings. Anonymous access and sign-up are always off, new users are
/// viewers, and cookies and security headers are on: monstack renders no switch for them.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Address Grafana listens on (`server.http_addr`). Default `""`: every interface, Grafana's
    /// own default. Always rendered, because hosts disagree otherwise: NixOS' module defaults it
    /// to `127.0.0.1`, which would leave Grafana unreachable from other hosts.
    #[serde(default)]
    pub http_addr: String,
    /// Port Grafana listens on. Default 3000.
    #[serde(default = "default_http_port")]
    pub http_port: u16,
    /// The URL users reach Grafana at (`root_url`), e.g. `https://grafana.creativeflow.ai/`;
    /// OAuth redirects and alert links are built from it. Default: none (Grafana's own).
    #[serde(default)]
    pub root_url: Option<String>,
    /// Name of the built-in administrator. Default `admin`.
    #[serde(default = "default_admin_user")]
    pub admin_user: String,
    /// File holding the administrator's password, read by Grafana through `$__file{}`.
    /// Required in production (Grafana's default password is `admin`). Default: none.
    #[serde(default)]
    pub admin_password_file: Option<String>,
    /// File holding the key Grafana signs sessions and encrypts datasource secrets with.
    /// Required in production (Grafana's default key is public). Default: none.
    #[serde(default)]
    pub secret_key_file: Option<String>,
    /// `SameSite` attribute of the session cookie: `lax` or `strict`. Default `lax` (`strict`
    /// breaks OAuth's redirect back to Grafana).
    #[serde(default)]
    pub cookie_samesite: SameSite,
    /// Single sign-on through an OpenID Connect / OAuth 2 provider. Default: none.
    #[serde(default)]
    pub oauth: Option<OAuth>,
    /// Hide the user/password form, so the administrator's password is for emergencies only
    /// (Grafana's `/login?disableAutoLogin` still shows it). Needs `oauth`. Default false.
    #[serde(default)]
    pub disable_login_form: bool,
}

fn default_http_port() -> u16 {
    3000
}
fn default_admin_user() -> String {
    "admin".into()
}

impl Default for Server {
    fn default() -> Self {
        Server {
            http_addr: String::new(),
            http_port: default_http_port(),
            root_url: None,
            admin_user: default_admin_user(),
            admin_password_file: None,
            secret_key_file: None,
            cookie_samesite: SameSite::default(),
            oauth: None,
            disable_login_form: false,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SameSite {
    #[default]
    Lax,
    Strict,
}

impl SameSite {
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "lax",
            SameSite::Strict => "strict",
        }
    }
}

/// A generic OAuth 2 / OpenID Connect provider (Keycloak, Okta, Azure AD, Google, …), with
/// Grafana roles mapped from the user's groups.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OAuth {
    /// Name on the login button, e.g. `Keycloak`.
    pub name: String,
    /// The client id registered with the provider.
    pub client_id: String,
    /// File holding the client secret, read through `$__file{}`.
    pub client_secret_file: String,
    /// Authorization endpoint, e.g. `https://sso.example.com/realms/x/protocol/openid-connect/auth`.
    pub auth_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Userinfo endpoint (Grafana's `api_url`).
    pub userinfo_url: String,
    /// Scopes requested. Default `openid`, `email`, `profile`, `groups`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim (in the ID token or userinfo) listing the user's groups. Default `groups`.
    #[serde(default = "default_groups_attribute")]
    pub groups_attribute: String,
    /// Groups whose members are Grafana admins of the organisation. Default: none.
    #[serde(default)]
    pub admin_groups: Vec<String>,
    /// Groups whose members are editors. Everyone else who signs in is a viewer. Default: none.
    #[serde(default)]
    pub editor_groups: Vec<String>,
    /// Members of these groups only may sign in; empty lets every user of the provider in (as a
    /// viewer). Default: none.
    #[serde(default)]
    pub allowed_groups: Vec<String>,
    /// Accept sending this client's credentials without TLS (an `http://` token or userinfo URL): the reason (shown in the
    /// catalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback
    /// address.
    #[serde(default)]
    pub plaintext_credentials: Option<crate::spec::access::PlaintextCredentials>,
}

fn default_scopes() -> Vec<String> {
    ["openid", "email", "profile", "groups"].map(String::from).to_vec()
}
fn default_groups_attribute() -> String {
    "groups".into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DatasourceType {
    Prometheus,
    Loki,
}

impl DatasourceType {
    pub fn as_str(self) -> &'static str {
        match self {
            DatasourceType::Prometheus => "prometheus",
            DatasourceType::Loki => "loki",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Datasource {
    /// Display name, e.g. `Prometheus-Main`.
    pub name: String,
    /// Stable uid dashboards refer to (a slug of at most 40 characters), e.g. `prometheus-main`.
    pub uid: String,
    /// `prometheus` or `loki`.
    #[serde(rename = "type")]
    pub kind: DatasourceType,
    /// URL Grafana's server reaches the datasource at.
    pub url: String,
    /// The default datasource of the organisation. Default false.
    #[serde(default)]
    pub is_default: bool,
    /// Prometheus: the scrape interval, so `$__rate_interval` is right. Default: none.
    #[serde(default)]
    pub time_interval: Option<Duration>,
    /// Loki: most lines a query returns. Default: none (Grafana's 1000).
    #[serde(default)]
    pub max_lines: Option<u32>,
    /// Basic authentication; the password is read from a file through `$__file{}`.
    #[serde(default)]
    pub basic_auth: Option<crate::spec::scrape::BasicAuth>,
    /// Prometheus datasources: what serves the Prometheus API at `url` — Prometheus itself
    /// (the default), or a horizontally scalable store's query endpoint (`mimir`, `thanos`,
    /// `cortex`), which Grafana adapts its query features to.
    #[serde(default)]
    pub implementation: Option<PrometheusImplementation>,
    /// Tenant sent as `X-Scope-OrgID`, for multi-tenant Mimir, Cortex and Loki. A Loki
    /// datasource without one uses `promtail.tenant_id` when `loki.auth_enabled`. Default: none.
    #[serde(default)]
    pub tenant: Option<String>,
    /// TLS towards `url` (file references only): the CA that signed its certificate, a client
    /// certificate, the server name. Default: for the stack's own servers, `access.client.tls`;
    /// for others, the host's trust store.
    #[serde(default)]
    pub tls: Option<crate::spec::scrape::Tls>,
    /// Accept sending this datasource's credentials without TLS (basic auth, the tenant header): the reason (shown in the
    /// catalogue). Default: refused (`access/plaintext-credentials`), but towards a loopback
    /// address.
    #[serde(default)]
    pub plaintext_credentials: Option<crate::spec::access::PlaintextCredentials>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PrometheusImplementation {
    Prometheus,
    Mimir,
    Thanos,
    Cortex,
}

impl PrometheusImplementation {
    /// Grafana's `jsonData.prometheusType`.
    pub fn grafana_name(self) -> &'static str {
        match self {
            PrometheusImplementation::Prometheus => "Prometheus",
            PrometheusImplementation::Mimir => "Mimir",
            PrometheusImplementation::Thanos => "Thanos",
            PrometheusImplementation::Cortex => "Cortex",
        }
    }
}

/// Built-in dashboards monstack generates. Each shows what the environment declares: a
/// dashboard for a service needs that service's scrape job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DashboardKind {
    /// Platform health at a glance (the seed's system overview).
    SystemOverview,
    /// Per-model latency, throughput, errors, GPU and pod resources.
    CustomAiModelMonitoring,
    /// Logs of the AI model pods (Loki).
    LogsAiModel,
    /// Kubernetes cluster: nodes, pods, restarts, deployments, API server.
    Kubernetes,
    /// Server health from node_exporter.
    NodeExporter,
    /// PostgreSQL deep-dive (postgres_exporter).
    Postgresql,
    /// RabbitMQ deep-dive.
    Rabbitmq,
    /// Redis deep-dive (redis_exporter).
    Redis,
    /// API gateway: traffic, errors and latency per route.
    ApiGateway,
    /// Odoo backend performance and job queues.
    Odoo,
    /// n8n workflow executions and queue.
    N8n,
    /// Business KPIs: registrations, payments, AI generation, credits.
    BusinessKpis,
    /// SLOs: SLI, burn rates and error budget remaining.
    Slo,
    /// The monitoring stack itself (needs `meta` with `meta.prometheus`): rule failures, alert
    /// delivery, TSDB and remote write, Alertmanager, Loki, the log shippers, Grafana and the
    /// certificates.
    MetaMonitoring,
}

impl DashboardKind {
    pub const ALL: [DashboardKind; 14] = [
        DashboardKind::SystemOverview,
        DashboardKind::CustomAiModelMonitoring,
        DashboardKind::LogsAiModel,
        DashboardKind::Kubernetes,
        DashboardKind::NodeExporter,
        DashboardKind::Postgresql,
        DashboardKind::Rabbitmq,
        DashboardKind::Redis,
        DashboardKind::ApiGateway,
        DashboardKind::Odoo,
        DashboardKind::N8n,
        DashboardKind::BusinessKpis,
        DashboardKind::Slo,
        DashboardKind::MetaMonitoring,
    ];

    /// The file name under the folder, without `.json` (the seed's names where it has them).
    pub fn file_stem(self) -> &'static str {
        match self {
            DashboardKind::SystemOverview => "system_overview_dashboard",
            DashboardKind::CustomAiModelMonitoring => "custom_ai_model_monitoring",
            DashboardKind::LogsAiModel => "logs_ai_model_dashboard",
            DashboardKind::Kubernetes => "kubernetes_cluster",
            DashboardKind::NodeExporter => "node_exporter_server_health",
            DashboardKind::Postgresql => "postgresql",
            DashboardKind::Rabbitmq => "rabbitmq",
            DashboardKind::Redis => "redis",
            DashboardKind::ApiGateway => "api_gateway",
            DashboardKind::Odoo => "odoo_backend",
            DashboardKind::N8n => "n8n_workflows",
            DashboardKind::BusinessKpis => "business_kpis",
            DashboardKind::Slo => "slo",
            DashboardKind::MetaMonitoring => "meta_monitoring",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Folder {
    /// Folder title in Grafana, e.g. `CreativeFlow AI Dashboards`.
    pub title: String,
    /// Folder on disk under `grafana/dashboards/` (a slug); also the provider name.
    pub dir: String,
    /// Built-in dashboards in this folder. Default: none.
    #[serde(default)]
    pub dashboards: Vec<DashboardKind>,
    /// Golden-signals dashboards in this folder, one per listed service: request rate, error
    /// ratio, latency percentiles and saturation. Default: none.
    #[serde(default)]
    pub services: Vec<ServiceDashboard>,
}

/// A service's golden-signals dashboard: traffic, errors and latency (RED) from the
/// `job:http_*` recording rules, and saturation: CPU and memory of its processes, its queue
/// depth when declared, and CPU and memory of its pods when the job discovers pods and the
/// `kubernetes-cadvisor` job is declared. The service is an instrumented HTTP service: its job
/// exposes `http_requests_total` (with a `code` label), the `http_request_duration_seconds`
/// histogram and the `process_*` metrics of the Prometheus client libraries.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceDashboard {
    /// The service's scrape job (a name from `scrape_jobs`), e.g. `auth-service`.
    pub job: String,
    /// Dashboard title, unique in the folder. Default: `<job> golden signals`.
    #[serde(default)]
    pub title: Option<String>,
    /// Stable uid (1–40 of a-z, A-Z, 0-9, `-` and `_`), unique in the organisation; it names the
    /// dashboard's file too. Default: `svc-<job>` (a `.` in the job becomes `-`).
    #[serde(default)]
    pub uid: Option<String>,
    /// A gauge the service's job exposes for its backlog, e.g. `queue_depth`, shown as
    /// saturation per instance. Default: none.
    #[serde(default)]
    pub queue_metric: Option<String>,
}

impl ServiceDashboard {
    /// The dashboard's uid: the declared one, else `svc-<job>`.
    pub fn uid(&self) -> String {
        self.uid.clone().unwrap_or_else(|| format!("svc-{}", self.job.replace('.', "-")))
    }

    /// The dashboard's title: the declared one, else `<job> golden signals`.
    pub fn title(&self) -> String {
        self.title.clone().unwrap_or_else(|| format!("{} golden signals", self.job))
    }
}
