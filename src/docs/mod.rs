//! The bundle's catalogue, `docs/`: what this environment alerts on and who hears it.
//! `docs/index.html` is one file that works offline (inline CSS, the route tree as inline SVG,
//! a few lines of script for the search box over the alerts); `docs/catalog.md` says the same
//! for a repository or a pull request. Both are tera templates (`templates/`) over one
//! [`Catalog`], built from the validated model with the same functions the other renderers
//! use: the catalogue's alerts, Alertmanager's routing semantics ([`crate::routing`]) on each
//! alert's labels, and the dashboards' own queries.
//!
//! For on-call: each alert shows the routes (numbered in evaluation order) and receivers its
//! labels reach, the time intervals that mute or activate those routes, the inhibit rules and
//! catalogued alerts that can mute it ([`crate::routing::possible`]), links to Alertmanager,
//! Prometheus and Grafana when the spec says where they are ([`links`]), and its summary and
//! description without template syntax ([`readable`]); the HTML filters alerts by severity and
//! owner. Every value reaches the HTML through tera's autoescaping, the Markdown through
//! [`md_cell`]/[`md_code`], the SVG through its own escaping.
//!
//! No secrets: receivers are described by kind and destination (an e-mail address, a Slack
//! channel), never by the files their keys are read from.

mod links;
pub mod readable;
pub mod route_tree;
pub mod units;

use crate::bundle::Bundle;
use crate::catalogue::{self, show};
use crate::routing::possible::{Inhibition, Known};
use crate::routing::{self, Labels};
use crate::spec::Spec;
use crate::spec::alertmanager::Alertmanager;
use crate::spec::grafana::DashboardKind;
use crate::spec::scrape::Discovery;
use crate::spec::slo::{Sli, Slo};
use crate::syntax::matcher::canonical;
use crate::validate::Model;
use rayon::prelude::*;
use readable::{Readable, readable};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use tera::{Context, Kwargs, State, Tera};

const HTML: &str = include_str!("templates/index.html");
const MARKDOWN: &str = include_str!("templates/catalog.md");

/// Everything the two pages show, in the order they show it.
#[derive(Debug, Serialize)]
pub struct Catalog {
    pub environment: String,
    pub generator: String,
    pub alerts: Vec<AlertDoc>,
    pub slos: Vec<SloDoc>,
    pub scrape_jobs: Vec<JobDoc>,
    /// The capacity estimate (also in `manifest.json`).
    pub capacity: crate::catalogue::capacity::Estimate,
    pub logs: LogsDoc,
    pub dashboards: Vec<DashboardDoc>,
    pub receivers: Vec<ReceiverDoc>,
    pub route_tree_svg: String,
    pub route_tree_mermaid: String,
    /// The route tree's nodes in evaluation order.
    pub routes: Vec<RouteDoc>,
    pub inhibit_rules: Vec<InhibitRuleDoc>,
    pub time_intervals: Vec<IntervalDoc>,
    /// The severities and owners of the alerts, with counts, for the filters.
    pub severities: Vec<Count>,
    pub owners: Vec<Count>,
    /// Where people reach the UIs, when the spec says.
    pub urls: UrlsDoc,
    pub access: AccessDoc,
    /// Every server's command-line arguments, by role (`<component>/flags.json`).
    pub flags: Vec<FlagsDoc>,
}

/// How the environment's UIs and APIs are secured, in words.
#[derive(Debug, Serialize)]
pub struct AccessDoc {
    pub production: bool,
    pub auth_proxy: Option<String>,
    /// e.g. `HTTPS (TLS12 or later) on every server`.
    pub transport: String,
    /// Basic-auth users of Prometheus and Alertmanager.
    pub users: Vec<String>,
    /// Components accepting only clients with a certificate.
    pub client_cert_required: Vec<String>,
    /// How people sign in to Grafana.
    pub grafana_login: String,
    pub loki_tenant: Option<String>,
    /// The clients allowed to send credentials without verified TLS
    /// (`plaintext_credentials`), each with its reason.
    pub plaintext_credentials: Vec<PlaintextDoc>,
}

/// A client that sends credentials without verified TLS, and why that is accepted.
#[derive(Debug, Serialize)]
pub struct PlaintextDoc {
    /// The option, e.g. `prometheus.remote_write[0].url`.
    pub path: String,
    /// e.g. `remote write "mimir" sends its basic-auth password over plain HTTP`.
    pub what: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct FlagsDoc {
    pub component: String,
    pub role: String,
    pub args: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct AlertDoc {
    /// Unique within the page, for links (`#alert-…`).
    pub anchor: String,
    pub name: String,
    pub subject: Option<String>,
    pub severity: String,
    pub expr: String,
    #[serde(rename = "for_")]
    pub for_: String,
    pub threshold: Option<String>,
    pub owner: Option<String>,
    /// The severity and owner as the filters know them ([`NONE`] for none).
    pub severity_key: String,
    pub owner_key: String,
    /// Static labels other than `severity`, as `name=value`.
    pub labels: Vec<String>,
    /// The receivers its labels reach through the route tree, in route order.
    pub receivers: Vec<String>,
    /// The routes that deliver it (the receivers' routes), in route order.
    pub routes: Vec<RouteHit>,
    /// The inhibit rules that can mute it, each with the catalogued alerts that can be its source.
    pub inhibited_by: Vec<InhibitedBy>,
    /// When it is not notified, in words: its routes' time intervals, then its inhibit rules.
    pub muted_when: Vec<String>,
    pub runbook_url: Option<String>,
    pub summary: Readable,
    pub description: Readable,
    /// The rule file it is in (`prometheus/rules/<file>.yml`).
    pub file: String,
    pub dashboards: Vec<DashboardRef>,
    pub links: AlertLinks,
}

/// A route that delivers an alert, and when it does not.
#[derive(Clone, Debug, Serialize)]
pub struct RouteHit {
    /// The route's number in evaluation order (`routing::number`).
    pub number: String,
    pub receiver: String,
    /// Time intervals in which the route sends nothing, and outside which it sends nothing.
    pub mute: Vec<IntervalRef>,
    pub active: Vec<IntervalRef>,
}

#[derive(Clone, Debug, Serialize)]
pub struct IntervalRef {
    pub name: String,
    /// Its ranges in words.
    pub words: String,
}

/// An inhibit rule that can mute an alert.
#[derive(Debug, Serialize)]
pub struct InhibitedBy {
    /// 1-based, in `alertmanager.inhibit_rules` order.
    pub rule: usize,
    /// Conditions on the alert's own series for the rule to apply to it (matchers on labels its
    /// rule does not set).
    pub target_if: Vec<String>,
    pub equal: Vec<String>,
    /// The catalogued alerts that can be the source, by name (the first [`MAX_SOURCES`]).
    pub sources: Vec<SourceRef>,
    /// How many more alert names can be the source.
    pub more: usize,
}

/// Sources listed per alert and rule; the inhibit rules' table lists them all.
pub const MAX_SOURCES: usize = 8;

#[derive(Clone, Debug, Serialize)]
pub struct SourceRef {
    pub name: String,
    pub anchor: String,
    /// Conditions on the source's series (`job="node_exporter"`).
    pub condition: Vec<String>,
}

/// Links to the environment's UIs for one alert.
#[derive(Debug, Default, Serialize)]
pub struct AlertLinks {
    /// Alertmanager's alert list filtered to this alert.
    pub alertmanager: Option<String>,
    /// Prometheus' alerts page searched for the rule, and its expression in the table view.
    pub prometheus_rule: Option<String>,
    pub prometheus_query: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DashboardRef {
    pub title: String,
    pub uid: String,
    /// Grafana's URL path of the dashboard, `/d/<uid>`.
    pub path: String,
    /// The dashboard in Grafana, with `grafana.server.root_url`.
    pub url: Option<String>,
}

/// A node of the route tree.
#[derive(Debug, Serialize)]
pub struct RouteDoc {
    pub number: String,
    pub depth: usize,
    /// Its own matchers, canonical.
    pub matchers: Vec<String>,
    pub receiver: String,
    pub continue_: bool,
    pub mute: Vec<IntervalRef>,
    pub active: Vec<IntervalRef>,
    /// Inhibit rules whose target matchers alerts reaching it can satisfy (the picture's marks).
    pub inhibit_marks: Vec<usize>,
    /// Catalogued alerts it delivers.
    pub alerts: usize,
    /// Of those, how many each inhibit rule can mute.
    pub inhibitable: Vec<RuleCount>,
}

#[derive(Debug, Serialize)]
pub struct RuleCount {
    pub rule: usize,
    pub alerts: usize,
}

#[derive(Debug, Serialize)]
pub struct InhibitRuleDoc {
    pub number: usize,
    pub source: Vec<String>,
    pub target: Vec<String>,
    pub equal: Vec<String>,
    pub words: String,
    /// Catalogued alerts it can mute.
    pub targets: usize,
    /// Catalogued alerts that can be its source, by name, with conditions on their series.
    pub sources: Vec<SourceRef>,
}

#[derive(Debug, Serialize)]
pub struct IntervalDoc {
    pub name: String,
    pub words: String,
    /// Routes that send nothing in it, and routes that send only in it.
    pub muted_routes: Vec<String>,
    pub active_routes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Count {
    pub name: String,
    pub count: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct UrlsDoc {
    pub grafana: Option<String>,
    pub alertmanager: Option<String>,
    pub prometheus: Option<String>,
}

/// The filter key (`data-severity`, `data-owner`) of alerts without a severity or owner.
pub const NONE: &str = "—";

#[derive(Debug, Serialize)]
pub struct SloDoc {
    pub name: String,
    pub service: String,
    pub owner: Option<String>,
    /// `99.9%`.
    pub objective: String,
    pub period: String,
    /// Share of events that may fail, `0.1%`.
    pub budget: String,
    /// The budget as time of total failure within the period, `43m12s`.
    pub budget_time: String,
    pub sli: String,
    pub windows: Vec<WindowDoc>,
}

#[derive(Debug, Serialize)]
pub struct WindowDoc {
    pub alert: String,
    pub severity: String,
    pub long: String,
    pub short: String,
    pub factor: String,
    /// The error ratio both windows must exceed.
    pub error_ratio: String,
}

#[derive(Debug, Serialize)]
pub struct JobDoc {
    pub name: String,
    pub owner: Option<String>,
    /// The discovery kind: `static`, `file_sd` or `kubernetes`.
    pub kind: String,
    /// What it discovers, in words.
    pub discovery: String,
    pub interval: String,
    pub file: String,
    /// Alerts that read this job's metrics.
    pub alerts: usize,
}

#[derive(Debug, Serialize)]
pub struct LogsDoc {
    pub default_period: String,
    pub delete_delay: String,
    pub storage: String,
    /// Per-stream retention, highest priority first.
    pub tiers: Vec<TierDoc>,
    pub limits: Vec<LimitDoc>,
}

#[derive(Debug, Serialize)]
pub struct TierDoc {
    pub selector: String,
    pub period: String,
    pub priority: u32,
}

#[derive(Debug, Serialize)]
pub struct LimitDoc {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct DashboardDoc {
    pub title: String,
    pub uid: String,
    pub path: String,
    /// The dashboard in Grafana, with `grafana.server.root_url`.
    pub url: Option<String>,
    pub folder: String,
    pub file: String,
    pub panels: usize,
    /// Scrape jobs its queries select (`job="…"`).
    pub jobs: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ReceiverDoc {
    pub name: String,
    pub integrations: Vec<String>,
    /// How many catalogued alerts reach it.
    pub alerts: usize,
}

/// Server flags by component and role, as the renderer gives them (the docs list them).
pub type Flags = Vec<(&'static str, BTreeMap<String, Vec<String>>)>;

pub fn render(model: &Model, flags: Flags, bundle: &mut Bundle) {
    let catalog = catalog(model, flags);
    // The catalogue as the templates' context, once for both pages.
    let context = Context::from_serialize(&catalog).expect("the catalogue serialises");
    // The context holds all of it: the catalogue is not needed while the pages render.
    drop(catalog);
    let (html, markdown) =
        rayon::join(|| fill("index.html", HTML, &context), || fill("catalog.md", MARKDOWN, &context));
    bundle.add("docs/index.html", html.into_bytes());
    bundle.add("docs/catalog.md", markdown.into_bytes());
}

fn fill(name: &str, template: &str, context: &Context) -> String {
    let mut tera = Tera::new();
    // Autoescaping follows the template's name: on for `index.html`, off for `catalog.md`.
    tera.register_filter("md_cell", |s: &str, _: Kwargs, _: &State| md_cell(s));
    tera.register_filter("md_code", |s: &str, _: Kwargs, _: &State| md_code(s));
    tera.register_filter("si", |x: f64, _: Kwargs, _: &State| units::si(x));
    tera.register_filter("bytes_per_second", |x: f64, _: Kwargs, _: &State| units::bytes_per_second(x));
    tera.register_filter("seconds", |x: f64, _: Kwargs, _: &State| units::seconds(x));
    tera.add_raw_template(name, template).expect("the docs templates parse");
    tera.render(name, context).expect("the docs templates render every catalogue")
}

/// Text for a Markdown table cell: `|` escaped (GitHub honours `\|` in code spans too), line
/// breaks flattened, and `&`, `<`, `>` as HTML entities, which Markdown shows as the characters
/// but never reads as HTML (a `<instance>` placeholder, a label value `<script>`).
fn md_cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A Markdown code span for a table cell.
fn md_code(s: &str) -> String {
    code_span(&s.replace('|', "\\|").replace(['\n', '\r'], " "))
}

/// A Markdown code span holding `s`, fenced with more backticks than it holds.
pub(crate) fn code_span(s: &str) -> String {
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// An alert as the catalogue and the rule files give it, before it is described.
pub struct Entry {
    pub name: String,
    pub subject: Option<String>,
    pub expr: String,
    pub for_: String,
    pub threshold: Option<String>,
    pub owner: Option<String>,
    pub job: Option<String>,
    pub labels: Labels,
    pub annotations: Labels,
    pub file: String,
}

impl Entry {
    /// The labels Alertmanager routes on: the static labels and `alertname`.
    pub fn routing_labels(&self) -> Labels {
        let mut l = self.labels.clone();
        l.insert("alertname".into(), self.name.clone());
        l
    }
}

/// Every alert of the environment: the catalogue's (overrides applied) and those of the spec's
/// own rule files (`runbook_url` from `rules.runbook_base_url` as the rule files get it).
pub fn entries(model: &Model) -> Vec<Entry> {
    let spec = &model.spec;
    let mut out: Vec<Entry> = model
        .alerts
        .iter()
        .map(|a| Entry {
            name: a.name.clone(),
            subject: a.subject.clone(),
            expr: a.expr.clone(),
            for_: a.for_.to_string(),
            threshold: a.threshold.clone(),
            owner: a.owner.clone(),
            job: a.job.clone(),
            labels: a.labels.clone(),
            annotations: a.annotations.clone(),
            file: a.file.to_string(),
        })
        .collect();
    for file in &spec.rules.files {
        for rule in file.groups.iter().flat_map(|g| &g.rules) {
            let Some(name) = &rule.alert else { continue };
            let mut annotations = rule.annotations.clone();
            if let Some(base) = &spec.rules.runbook_base_url {
                annotations
                    .entry("runbook_url".into())
                    .or_insert_with(|| format!("{}/{name}", base.trim_end_matches('/')));
            }
            out.push(Entry {
                name: name.clone(),
                subject: None,
                expr: rule.expr.clone(),
                for_: rule.for_.as_ref().map(|d| d.to_string()).unwrap_or_else(|| "0s".into()),
                threshold: None,
                owner: catalogue::owner(spec, &rule.labels, None),
                job: None,
                labels: rule.labels.clone(),
                annotations,
                file: file.name.clone(),
            });
        }
    }
    out.sort_by(|a, b| (&a.name, &a.subject, &a.file).cmp(&(&b.name, &b.subject, &b.file)));
    out
}

/// The scrape jobs a dashboard's queries select by name (`job="name"`), in declaration order.
/// `quoted` maps each job's quoted name to the job.
fn jobs_shown(spec: &Spec, quoted: &BTreeMap<String, usize>, exprs: &[String]) -> Vec<String> {
    let mut shown = BTreeSet::new();
    for e in exprs {
        for (at, _) in e.match_indices("job=\"") {
            let value = &e[at + "job=".len()..];
            // The quoted value ends at the first quote not escaped by a backslash.
            let mut escaped = false;
            let end = value.char_indices().skip(1).find(|&(_, c)| {
                let close = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                close
            });
            if let Some(&i) = end.and_then(|(end, _)| quoted.get(&value[..=end])) {
                shown.insert(i);
            }
        }
    }
    shown.into_iter().map(|i| spec.scrape_jobs[i].name.clone()).collect()
}

/// Builds the catalogue of an environment.
pub fn catalog(model: &Model, flags: Flags) -> Catalog {
    let spec = &model.spec;
    let am = &spec.alertmanager;
    let dashboards = dashboard_docs(model);
    let urls = UrlsDoc {
        grafana: spec.grafana.server.root_url.clone(),
        alertmanager: spec.alertmanager.external_url.clone(),
        prometheus: spec.prometheus.external_url.clone(),
    };

    let entries = entries(model);
    let labels: Vec<Labels> = entries.iter().map(Entry::routing_labels).collect();
    let anchors = anchors(&entries);
    let rules = &model.inhibitions;
    let known = known_series(&entries, &labels);
    let muting = Muting::new(rules, &known);
    let related =
        Related { am, dashboards: &dashboards, slo_uid: crate::dashboards::uid(DashboardKind::Slo), urls: &urls };
    let alerts = alert_docs(&related, &model.route, &entries, &labels, &anchors, &muting);

    let routes = route_docs(model, &alerts);
    let inhibit_rules = inhibit_rule_docs(rules, &alerts, &muting, &entries, &anchors);
    let time_intervals = interval_docs(am, &routes);
    let severities = counts(alerts.iter().map(|a| a.severity_key.as_str()), &["critical", "warning", "info"]);
    let owners = counts(alerts.iter().map(|a| a.owner_key.as_str()), &[]);

    Catalog {
        environment: spec.environment.clone(),
        generator: format!("monstack {}", env!("CARGO_PKG_VERSION")),
        receivers: receiver_docs(spec, &alerts),
        alerts,
        slos: spec.slos.iter().map(|slo| slo_doc(spec, slo)).collect(),
        scrape_jobs: job_docs(spec, &entries),
        capacity: model.capacity.clone(),
        logs: logs_doc(model),
        dashboards,
        route_tree_svg: route_tree::to_svg(&model.route, rules, am),
        route_tree_mermaid: route_tree::to_mermaid(&model.route, rules, am),
        routes,
        inhibit_rules,
        time_intervals,
        severities,
        owners,
        urls,
        access: access(spec),
        flags: flags
            .into_iter()
            .flat_map(|(component, roles)| {
                roles.into_iter().map(move |(role, args)| FlagsDoc { component: component.into(), role, args })
            })
            .collect(),
    }
}

/// The provisioned dashboards, each with the scrape jobs its queries select.
fn dashboard_docs(model: &Model) -> Vec<DashboardDoc> {
    let spec = &model.spec;
    let quoted: BTreeMap<String, usize> =
        spec.scrape_jobs.iter().enumerate().map(|(i, j)| (crate::syntax::quote(&j.name), i)).collect();
    let grafana = spec.grafana.server.root_url.as_deref();
    crate::dashboards::provisioned(spec)
        .zip(&model.dashboards)
        .map(|((folder, _, d), built)| {
            let uid = d.uid();
            DashboardDoc {
                title: built.title.clone(),
                path: format!("/d/{uid}"),
                url: grafana.and_then(|root| links::grafana_dashboard(root, &uid)),
                uid,
                folder: folder.title.clone(),
                file: format!("{}.json", d.file_stem()),
                panels: built.panels,
                jobs: jobs_shown(spec, &quoted, &built.exprs),
            }
        })
        .collect()
}

/// Each entry's anchor: its name and subject as a slug, made unique within the page.
fn anchors(entries: &[Entry]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    entries
        .iter()
        .map(|e| {
            let mut anchor = slug(&format!("alert-{}-{}", e.name, e.subject.as_deref().unwrap_or("")));
            while !taken.insert(anchor.clone()) {
                anchor.push_str("-x");
            }
            anchor
        })
        .collect()
}

/// Each entry as the inhibition analysis knows it: its routing `labels` and what its
/// expression keeps of its series.
fn known_series(entries: &[Entry], labels: &[Labels]) -> Vec<Known> {
    entries
        .par_iter()
        .zip(labels)
        .map(|(e, l)| Known {
            labels: l.clone(),
            series: promql_parser::parser::parse(&e.expr)
                .map(|x| crate::lint::analysis::kept(&x))
                .unwrap_or(crate::lint::analysis::Kept::Any),
        })
        .collect()
}

/// A time interval by name, with its ranges in words.
fn interval_ref(am: &Alertmanager, name: &str) -> IntervalRef {
    IntervalRef {
        name: name.to_string(),
        words: am.time_intervals.iter().find(|t| t.name == name).map(route_tree::interval_words).unwrap_or_default(),
    }
}

/// Every entry described: the routes its labels reach in the effective `tree`, the inhibit
/// rules that can mute it, its dashboards and links.
fn alert_docs(
    related: &Related,
    tree: &routing::Tree,
    entries: &[Entry],
    labels: &[Labels],
    anchors: &[String],
    muting: &Muting,
) -> Vec<AlertDoc> {
    // Routing every alert is most of this page's work: it runs on every core.
    let routed: Vec<Vec<routing::Match>> = labels.par_iter().map(|l| routing::route(tree, l)).collect();
    let inhibited: Vec<Vec<InhibitedBy>> =
        (0..entries.len()).into_par_iter().map(|t| muting.of(t, entries, anchors)).collect();
    entries
        .iter()
        .zip(routed.iter().zip(inhibited))
        .zip(anchors.iter().zip(labels))
        .map(|((e, (matches, inhibited_by)), (anchor, labels))| related.alert(e, anchor, labels, matches, inhibited_by))
        .collect()
}

/// What an alert's description refers to besides the alert: the time intervals of its routes,
/// the dashboards that show it, the UIs.
struct Related<'a> {
    am: &'a Alertmanager,
    dashboards: &'a [DashboardDoc],
    /// The SLO dashboard's uid, which shows every SLO alert.
    slo_uid: &'static str,
    urls: &'a UrlsDoc,
}

impl Related<'_> {
    /// The alert `e` at `anchor`, with its routing `labels`, the routes they reach (`matches`)
    /// and the inhibit rules that can mute it.
    fn alert(
        &self,
        e: &Entry,
        anchor: &str,
        labels: &Labels,
        matches: &[routing::Match],
        inhibited_by: Vec<InhibitedBy>,
    ) -> AlertDoc {
        let mut receivers: Vec<String> = Vec::new();
        for m in matches {
            if !receivers.contains(&m.receiver) {
                receivers.push(m.receiver.clone());
            }
        }
        let annotation = |key: &str| readable(e.annotations.get(key).map(String::as_str).unwrap_or_default());
        let severity = e.labels.get("severity").cloned().unwrap_or_default();
        let hits: Vec<RouteHit> = matches
            .iter()
            .map(|m| RouteHit {
                number: routing::number(&m.at),
                receiver: m.receiver.clone(),
                mute: m.mute.iter().map(|n| interval_ref(self.am, n)).collect(),
                active: m.active.iter().map(|n| interval_ref(self.am, n)).collect(),
            })
            .collect();
        AlertDoc {
            anchor: anchor.to_string(),
            name: e.name.clone(),
            subject: e.subject.clone(),
            severity_key: if severity.is_empty() { NONE.into() } else { severity.clone() },
            owner_key: e.owner.clone().unwrap_or_else(|| NONE.into()),
            severity,
            expr: e.expr.clone(),
            for_: e.for_.clone(),
            threshold: e.threshold.clone(),
            owner: e.owner.clone(),
            labels: e.labels.iter().filter(|(k, _)| *k != "severity").map(|(k, v)| format!("{k}={v}")).collect(),
            receivers,
            muted_when: muted_when(&hits, &inhibited_by),
            routes: hits,
            inhibited_by,
            runbook_url: e.annotations.get("runbook_url").cloned(),
            summary: annotation("summary"),
            description: annotation("description"),
            file: e.file.clone(),
            dashboards: self.dashboards_of(e),
            links: self.links(e, labels),
        }
    }

    /// The dashboards that show alert `e`: the SLO dashboard for an SLO's alert, else those
    /// whose queries select its job.
    fn dashboards_of(&self, e: &Entry) -> Vec<DashboardRef> {
        self.dashboards
            .iter()
            .filter(|d| match (&e.job, e.labels.contains_key("slo")) {
                (_, true) => d.uid == self.slo_uid,
                (Some(job), false) => d.jobs.contains(job),
                (None, false) => false,
            })
            .map(|d| DashboardRef {
                title: d.title.clone(),
                uid: d.uid.clone(),
                path: d.path.clone(),
                url: d.url.clone(),
            })
            .collect()
    }

    /// Alert `e` in the UIs the spec gives the addresses of.
    fn links(&self, e: &Entry, labels: &Labels) -> AlertLinks {
        // Alertmanager's filter by the alert's name and static labels; a label whose value
        // is a template has another value on the alert.
        let filter: Labels =
            labels.iter().filter(|(_, v)| !v.contains("{{")).map(|(k, v)| (k.clone(), v.clone())).collect();
        let urls = self.urls;
        AlertLinks {
            alertmanager: urls.alertmanager.as_deref().map(|u| links::alertmanager_alerts(u, &filter)),
            prometheus_rule: urls.prometheus.as_deref().map(|u| links::prometheus_rule(u, &e.name)),
            prometheus_query: urls.prometheus.as_deref().map(|u| links::prometheus_query(u, &e.expr)),
        }
    }
}

/// The route tree's nodes in evaluation order, each with the alerts it delivers and how many
/// of them each inhibit rule (numbered 1 to `rules`) can mute.
fn route_docs(model: &Model, alerts: &[AlertDoc]) -> Vec<RouteDoc> {
    let (am, inhibitions) = (&model.spec.alertmanager, &model.inhibitions);
    routing::nodes(&model.route)
        .iter()
        .map(|n| {
            let delivered: Vec<&AlertDoc> =
                alerts.iter().filter(|a| a.routes.iter().any(|r| r.number == n.number)).collect();
            RouteDoc {
                number: n.number.clone(),
                depth: n.at.len(),
                matchers: canonical(n.own),
                receiver: n.receiver.clone(),
                continue_: n.route.continue_,
                mute: n.route.mute_time_intervals.iter().map(|i| interval_ref(am, i)).collect(),
                active: n.route.active_time_intervals.iter().map(|i| interval_ref(am, i)).collect(),
                inhibit_marks: route_tree::inhibit_marks(inhibitions, &n.matchers),
                alerts: delivered.len(),
                inhibitable: (1..=inhibitions.len())
                    .map(|k| RuleCount {
                        rule: k,
                        alerts: delivered.iter().filter(|a| a.inhibited_by.iter().any(|i| i.rule == k)).count(),
                    })
                    .filter(|c| c.alerts > 0)
                    .collect(),
            }
        })
        .collect()
}

/// The inhibit rules, each with the alerts it can mute and every alert that can be its source.
fn inhibit_rule_docs(
    inhibitions: &[Inhibition],
    alerts: &[AlertDoc],
    muting: &Muting,
    entries: &[Entry],
    anchors: &[String],
) -> Vec<InhibitRuleDoc> {
    inhibitions
        .iter()
        .enumerate()
        .map(|(k, r)| InhibitRuleDoc {
            number: k + 1,
            source: canonical(&r.source),
            target: canonical(&r.target),
            equal: r.equal.clone(),
            words: route_tree::inhibit_words(r),
            targets: alerts.iter().filter(|a| a.inhibited_by.iter().any(|i| i.rule == k + 1)).count(),
            sources: by_name(
                muting.sources[k].iter().map(|&(i, ref condition)| (i, condition.clone())),
                entries,
                anchors,
            ),
        })
        .collect()
}

/// The time intervals, each with the routes that send nothing in it and those that send only in
/// it.
fn interval_docs(am: &Alertmanager, routes: &[RouteDoc]) -> Vec<IntervalDoc> {
    am.time_intervals
        .iter()
        .map(|t| IntervalDoc {
            name: t.name.clone(),
            words: route_tree::interval_words(t),
            muted_routes: routes
                .iter()
                .filter(|r| r.mute.iter().any(|m| m.name == t.name))
                .map(|r| r.number.clone())
                .collect(),
            active_routes: routes
                .iter()
                .filter(|r| r.active.iter().any(|m| m.name == t.name))
                .map(|r| r.number.clone())
                .collect(),
        })
        .collect()
}

/// The receivers, each with its integrations in words (never their secrets) and how many
/// alerts reach it.
fn receiver_docs(spec: &Spec, alerts: &[AlertDoc]) -> Vec<ReceiverDoc> {
    spec.alertmanager
        .receivers
        .iter()
        .map(|r| {
            let mut integrations: Vec<String> = Vec::new();
            integrations.extend(r.email.iter().map(|e| format!("email to {}", e.to)));
            integrations.extend(r.slack.iter().map(|s| format!("Slack {}", s.channel)));
            integrations.extend(r.pagerduty.iter().map(|_| "PagerDuty (Events v2)".to_string()));
            integrations.extend(r.webhook.iter().map(|_| "webhook".to_string()));
            if integrations.is_empty() {
                integrations.push("none (drops the alerts)".into());
            }
            ReceiverDoc {
                name: r.name.clone(),
                integrations,
                alerts: alerts.iter().filter(|a| a.receivers.contains(&r.name)).count(),
            }
        })
        .collect()
}

/// An SLO: its objective, error budget (also as time), SLI in words and burn-rate windows.
fn slo_doc(spec: &Spec, slo: &Slo) -> SloDoc {
    let budget = 1.0 - slo.objective;
    let period_ms = slo.period.millis() as f64;
    let mut labels = Labels::new();
    labels.insert("service".into(), slo.service.clone());
    SloDoc {
        name: slo.name.clone(),
        service: slo.service.clone(),
        owner: catalogue::owner(spec, &labels, None),
        objective: percent(slo.objective),
        period: slo.period.to_string(),
        budget: percent(budget),
        budget_time: spoken_ms((period_ms * budget).round() as u64),
        sli: match &slo.sli {
            Sli::Availability(a) => format!("failed events {} out of all events {}", a.errors, a.total),
            Sli::Latency(l) => format!(
                "requests slower than {}s out of all requests ({}{{{}}})",
                show(l.threshold_seconds),
                l.histogram,
                l.matchers
            ),
        },
        windows: catalogue::slo::windows(slo)
            .into_iter()
            .map(|w| WindowDoc {
                alert: w.alert.into(),
                severity: w.severity.into(),
                long: w.long.into(),
                short: w.short.into(),
                factor: show(w.factor),
                error_ratio: show(w.error_ratio),
            })
            .collect(),
    }
}

/// The scrape jobs, each with its discovery in words and how many alerts read its metrics.
fn job_docs(spec: &Spec, entries: &[Entry]) -> Vec<JobDoc> {
    spec.scrape_jobs
        .iter()
        .map(|j| JobDoc {
            name: j.name.clone(),
            owner: j.owner.clone(),
            kind: match &j.discovery {
                Discovery::Static(_) => "static",
                Discovery::FileSd(_) => "file_sd",
                Discovery::Kubernetes(_) => "kubernetes",
            }
            .into(),
            discovery: discovery(&j.discovery),
            interval: j.scrape_interval.as_ref().unwrap_or(&spec.prometheus.scrape_interval).to_string(),
            file: format!("{}.yml", j.file.clone().unwrap_or_else(|| j.name.replace('-', "_"))),
            alerts: entries.iter().filter(|e| e.job.as_deref() == Some(j.name.as_str())).count(),
        })
        .collect()
}

/// Loki's retention (per-stream tiers highest priority first), storage and limits.
fn logs_doc(model: &Model) -> LogsDoc {
    let loki = &model.spec.loki;
    // Loki 3 renders the TSDB index, where the TSDB parallelism limit applies.
    let tsdb = crate::features::tsdb(model.versions.loki);
    let mut tiers: Vec<TierDoc> = loki
        .retention_tiers()
        .into_iter()
        .map(|s| TierDoc { selector: s.selector, period: s.period.to_string(), priority: s.priority })
        .collect();
    tiers.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.selector.cmp(&b.selector)));
    LogsDoc {
        default_period: loki.retention.period.to_string(),
        delete_delay: loki.retention.delete_delay.to_string(),
        storage: match &loki.storage {
            crate::spec::loki::LokiStorage::S3(s) => format!("S3 bucket {} at {}", s.bucket, s.endpoint),
            crate::spec::loki::LokiStorage::Filesystem(_) => "local filesystem".into(),
        },
        tiers,
        limits: loki
            .effective_limits()
            .entries(tsdb)
            .into_iter()
            .map(|(name, value)| LimitDoc { name: name.into(), value })
            .collect(),
    }
}

/// An alert's silences in words, for the Markdown: `route 6 (warning-slack) sends nothing in
/// outside-business-hours`, `inhibit rule 1 while TargetDown (job="node_exporter") fires, with the
/// same instance`.
fn muted_when(hits: &[RouteHit], inhibited_by: &[InhibitedBy]) -> Vec<String> {
    let mut out = Vec::new();
    for h in hits {
        for m in &h.mute {
            out.push(format!("route {} ({}) sends nothing in {}", h.number, h.receiver, m.name));
        }
        for m in &h.active {
            out.push(format!("route {} ({}) sends only in {}", h.number, h.receiver, m.name));
        }
    }
    for i in inhibited_by {
        let mut sources: Vec<String> = i
            .sources
            .iter()
            .map(|s| {
                if s.condition.is_empty() { s.name.clone() } else { format!("{} ({})", s.name, s.condition.join(", ")) }
            })
            .collect();
        if i.more > 0 {
            sources.push(format!("{} more", i.more));
        }
        let mut line = format!("inhibit rule {}", i.rule);
        if !i.target_if.is_empty() {
            line.push_str(&format!(" (if its series has {})", i.target_if.join(", ")));
        }
        line.push_str(&format!(" while {} fires", sources.join(" or ")));
        if !i.equal.is_empty() {
            line.push_str(&format!(", with the same {}", i.equal.join(", ")));
        }
        out.push(line);
    }
    out
}

/// Each value with how often it occurs: `first` in that order, then the others sorted, [`NONE`]
/// last.
fn counts<'a>(values: impl Iterator<Item = &'a str>, first: &[&str]) -> Vec<Count> {
    let mut n: BTreeMap<&str, usize> = BTreeMap::new();
    for v in values {
        *n.entry(v).or_default() += 1;
    }
    let rank = |v: &str| first.iter().position(|f| *f == v).unwrap_or(if v == NONE { usize::MAX } else { first.len() });
    let mut out: Vec<Count> = n.into_iter().map(|(name, count)| Count { name: name.into(), count }).collect();
    out.sort_by(|a, b| rank(&a.name).cmp(&rank(&b.name)).then_with(|| a.name.cmp(&b.name)));
    out
}

/// Catalogue entries (index, conditions on its series), one per alert name: the first of each
/// name, as entries come sorted by name.
fn by_name(found: impl Iterator<Item = (usize, Vec<String>)>, entries: &[Entry], anchors: &[String]) -> Vec<SourceRef> {
    let mut out: Vec<SourceRef> = Vec::new();
    for (i, condition) in found {
        if out.last().is_none_or(|s| s.name != entries[i].name) {
            out.push(SourceRef { name: entries[i].name.clone(), anchor: anchors[i].clone(), condition });
        }
    }
    out
}

/// A rule's sources (positions in its source list) by the value of one label.
type SourceIndex = (String, BTreeMap<String, Vec<usize>>);

/// Which catalogued alerts can mute which, by their static labels.
struct Muting<'a> {
    rules: &'a [Inhibition],
    alerts: &'a [Known],
    /// Per rule, the alerts that can be its source, with the conditions on their series.
    sources: Vec<Vec<(usize, Vec<String>)>>,
    /// Per rule, its sources by the value of a label every alert sets and the rule's `equal`
    /// names (`alertname` usually): a target can only be muted by sources of its own value.
    by_key: Vec<Option<SourceIndex>>,
}

impl<'a> Muting<'a> {
    fn new(rules: &'a [Inhibition], alerts: &'a [Known]) -> Muting<'a> {
        let sources: Vec<Vec<(usize, Vec<String>)>> = rules
            .iter()
            .map(|r| {
                alerts
                    .iter()
                    .enumerate()
                    .filter_map(|(i, a)| routing::possible::may_match(&r.source, a).map(|c| (i, c)))
                    .collect()
            })
            .collect();
        let labels: Vec<&Labels> = alerts.iter().map(|a| &a.labels).collect();
        let by_key = rules
            .iter()
            .zip(&sources)
            .map(|(r, found)| {
                let key = r.equal.iter().find(|k| labels.iter().all(|l| l.contains_key(*k)))?;
                let mut index: BTreeMap<String, Vec<usize>> = BTreeMap::new();
                for (n, (i, _)) in found.iter().enumerate() {
                    index.entry(labels[*i][key].clone()).or_default().push(n);
                }
                Some((key.clone(), index))
            })
            .collect();
        Muting { rules, alerts, sources, by_key }
    }

    /// The inhibit rules that can mute alert `t`, with their sources.
    fn of(&self, t: usize, entries: &[Entry], anchors: &[String]) -> Vec<InhibitedBy> {
        let target = &self.alerts[t];
        let mut out = Vec::new();
        for (k, rule) in self.rules.iter().enumerate() {
            let Some(target_if) = routing::possible::may_match(&rule.target, target) else { continue };
            let all: Vec<usize>;
            let candidates: &[usize] = match &self.by_key[k] {
                Some((key, index)) => index.get(&target.labels[key]).map(Vec::as_slice).unwrap_or_default(),
                None => {
                    all = (0..self.sources[k].len()).collect();
                    &all
                }
            };
            let found = candidates
                .iter()
                .map(|&n| &self.sources[k][n])
                .filter(|(i, _)| *i != t)
                .filter_map(|(i, _)| rule.may_mute(&self.alerts[*i], target).map(|m| (*i, m.source_if)));
            let sources = by_name(found, entries, anchors);
            if sources.is_empty() {
                continue;
            }
            let more = sources.len().saturating_sub(MAX_SOURCES);
            out.push(InhibitedBy {
                rule: k + 1,
                target_if,
                equal: rule.equal.clone(),
                sources: sources.into_iter().take(MAX_SOURCES).collect(),
                more,
            });
        }
        out
    }
}

/// How the environment's UIs and APIs are secured, in words.
fn access(spec: &Spec) -> AccessDoc {
    let a = &spec.access;
    let server = &spec.grafana.server;
    AccessDoc {
        production: a.production,
        auth_proxy: a.auth_proxy.clone(),
        transport: match &a.tls {
            Some(t) => {
                format!("HTTPS ({} or later) on Prometheus, Alertmanager, Loki and Grafana", t.min_version.as_str())
            }
            None => "plain HTTP".into(),
        },
        users: a.users.iter().map(|u| u.name.clone()).collect(),
        client_cert_required: a
            .tls
            .iter()
            .flat_map(|t| &t.client_cert_required)
            .map(|c| c.as_str().to_string())
            .collect(),
        grafana_login: match &server.oauth {
            Some(o) => format!(
                "{} (OAuth; admins: {}; editors: {}; everyone else a viewer){}",
                o.name,
                list_or_none(&o.admin_groups),
                list_or_none(&o.editor_groups),
                if server.disable_login_form { "; no password form" } else { "; password form for the administrator" }
            ),
            None => format!("user and password (administrator {}); new users are viewers", server.admin_user),
        },
        loki_tenant: spec.loki.auth_enabled.then(|| spec.promtail.tenant_id.clone().unwrap_or_default()),
        plaintext_credentials: crate::validate::transport::exposures(spec)
            .into_iter()
            .filter_map(|e| {
                let reason = e.reason?;
                Some(PlaintextDoc {
                    path: e.path,
                    what: format!("{} sends its {} over {}", e.what, e.credentials, e.how),
                    reason,
                })
            })
            .collect(),
    }
}

fn list_or_none(groups: &[String]) -> String {
    if groups.is_empty() { "none".into() } else { groups.join(", ") }
}

/// A job's discovery in words.
pub fn discovery(d: &Discovery) -> String {
    match d {
        Discovery::Static(s) => format!("targets {}", s.targets.join(", ")),
        Discovery::FileSd(f) => format!("files {} (re-read every {})", f.files.join(", "), f.refresh_interval),
        Discovery::Kubernetes(k) => {
            let mut parts = vec![format!("role {}", k.role.as_str())];
            if let Some(p) = k.preset {
                let name = serde_json::to_value(p).ok().and_then(|v| v.as_str().map(str::to_string));
                parts.push(format!("preset {}", name.unwrap_or_default()));
            }
            parts.push(if k.namespaces.is_empty() {
                "all namespaces".into()
            } else {
                format!("namespaces {}", k.namespaces.join(", "))
            });
            if !k.match_labels.is_empty() {
                let m: Vec<String> = k.match_labels.iter().map(|(a, b)| format!("{a}={b}")).collect();
                parts.push(format!("labels {}", m.join(", ")));
            }
            if let Some(p) = &k.port_name {
                parts.push(format!("port {p}"));
            }
            if let Some(p) = k.port {
                parts.push(format!("port {p}"));
            }
            if k.annotations {
                parts.push("prometheus.io annotations".into());
            }
            parts.join(", ")
        }
    }
}

/// `0.999` → `99.9%`.
fn percent(x: f64) -> String {
    format!("{}%", show(x * 100.0))
}

/// Milliseconds as `43m12s`, `7h12m`, `3d`.
fn spoken_ms(ms: u64) -> String {
    let s = ms / 1000;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (sec, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if parts.is_empty() { "0s".into() } else { parts.concat() }
}

/// Lowercase letters, digits and `-`, for anchors.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_keep_pipes_and_backticks_inside_the_cell() {
        assert_eq!(md_code("a|b"), "`a\\|b`");
        assert_eq!(md_code("x`y"), "``x`y``");
        assert_eq!(md_code("`y"), "`` `y ``");
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
    }

    #[test]
    fn budgets_are_spoken_as_durations() {
        assert_eq!(spoken_ms(43 * 60_000 + 12_000), "43m12s");
        assert_eq!(spoken_ms(3 * 86_400_000), "3d");
        assert_eq!(spoken_ms(0), "0s");
        assert_eq!(percent(0.999), "99.9%");
    }

    #[test]
    fn anchors_are_slugs() {
        assert_eq!(slug("alert-CustomAIModelDrift-model image-gen.v2"), "alert-customaimodeldrift-model-image-gen-v2");
    }
}
