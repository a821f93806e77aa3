//! The alert catalogue: every alert CreativeFlow's design document asks for, generated from the
//! environment spec. An alert is generated when a scrape job of the kind whose metrics it reads
//! is declared ([`kinds`]: by its `exporter`, not its name), with its threshold and `for` from the catalogue unless
//! `rules.overrides` changes them. Each alert carries two test scenarios — input series under
//! which it fires with known labels, and under which it stays silent — derived from its
//! threshold, so `promtool test rules` proves every alert, overridden or not.

mod ai_models;
mod application;
mod business;
pub mod capacity;
mod infrastructure;
pub mod kinds;
mod meta;
pub mod metrics;
mod recording;
pub mod scenario;
pub mod slo;
pub mod units;

pub use ai_models::ksm_label as ai_model_pod_label;
pub use infrastructure::rabbitmq_partition;

use crate::scrape::Scrape;
use crate::spec::Spec;
use crate::syntax::Duration;
use scenario::Scenarios;
use std::collections::BTreeMap;

/// A generated alert, ready to render.
#[derive(Clone, Debug)]
pub struct Alert {
    pub name: String,
    /// Rule file stem under `prometheus/rules/`.
    pub file: String,
    pub group: String,
    pub expr: String,
    pub for_: Duration,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub scenarios: Scenarios,
    /// The scrape job whose metrics the alert reads, when it reads one job's.
    pub job: Option<String>,
    /// The threshold as the catalogue states it (`0.05`; for burn-rate alerts the factor per
    /// window pair); `None` for alerts without one (`Watchdog`).
    pub threshold: Option<String>,
    /// Which instance of a repeated alert this is (`model image-gen-v2`, `SLO api-latency`):
    /// per-model and SLO alerts share their name.
    pub subject: Option<String>,
    /// The team that owns it: a model's owner, else the team whose `services` has the alert's
    /// `service` label, else the owner of its scrape job.
    pub owner: Option<String>,
}

/// How an alert compares its value with its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Above,
    Below,
}

/// A catalogue entry. `build` turns a threshold into the expression and its test scenarios.
pub struct Def {
    pub name: &'static str,
    pub file: &'static str,
    pub group: &'static str,
    /// The role of the scrape job the alert reads ([`kinds`]); the alert exists only where a
    /// job of that kind is declared.
    pub job: Option<&'static str>,
    pub threshold: f64,
    /// The threshold's unit ([`units`]); `None` for an alert without a threshold to change
    /// (`up == 0`, a condition that holds or not).
    pub unit: Option<units::Unit>,
    pub for_: &'static str,
    pub severity: &'static str,
    /// The seed's identifying labels (`service`, `component`, `business_process`, `kpi_id`).
    pub labels: &'static [(&'static str, &'static str)],
    /// Annotation templates; only `{{ $labels.<name> }}` is expanded, so tests can state the
    /// expected text exactly. `{threshold}` is replaced by the threshold.
    pub summary: &'static str,
    pub description: &'static str,
    pub build: fn(&Ctx) -> (String, Scenarios),
}

impl Def {
    /// A definition with every field empty, for struct literals to fill: each module's defaults
    /// (`INFRASTRUCTURE`, `META`…) set its file and group over it, and each entry the rest.
    pub const EMPTY: Def = Def {
        name: "",
        file: "",
        group: "",
        job: None,
        threshold: 0.0,
        unit: None,
        for_: "",
        severity: "",
        labels: &[],
        summary: "",
        description: "",
        build: no_build,
    };
}

/// The `build` of [`Def::EMPTY`], which every entry replaces.
fn no_build(_: &Ctx) -> (String, Scenarios) {
    unreachable!("every catalogue entry sets its build")
}

/// What an entry's `build` gets.
pub struct Ctx<'a> {
    pub spec: &'a Spec,
    /// The first job of the alert's kind: its scrape gives the test scenarios' series.
    pub job: &'a str,
    /// The `job` matcher of every job of the kind ([`kinds::matcher`]).
    pub matcher: String,
    pub threshold: f64,
    /// The alert's `for`, in whole minutes (rounded up).
    pub for_min: u64,
}

/// `and <all events per second> > rules.ratio_min_rate`: the traffic guard of a ratio alert whose
/// denominator is `all` (an expression of events per second).
pub fn traffic_guard(spec: &Spec, all: &str) -> String {
    format!(" and {all} > {}", show(spec.rules.ratio_min_rate))
}

impl Ctx<'_> {
    /// A PromQL selector body: the job matcher followed by `extra` matchers.
    pub fn sel(&self, extra: &str) -> String {
        let job = &self.matcher;
        if extra.is_empty() { format!("{{{job}}}") } else { format!("{{{job}, {extra}}}") }
    }

    /// The threshold as written in PromQL.
    pub fn t(&self) -> String {
        show(self.threshold)
    }

    /// A target of the alert's job as Prometheus scrapes it: scenarios state what the exporter
    /// exposes and feed promtool what this stores (see [`crate::scrape`]).
    pub fn scrape(&self) -> Scrape {
        Scrape::of_or_nothing(self.spec, self.job)
    }

    /// Evaluation time for a scenario whose expression looks back `window_min` minutes.
    pub fn eval(&self, window_min: u64) -> u64 {
        scenario::eval_minutes(window_min, self.for_min)
    }
}

fn minutes(d: &Duration) -> u64 {
    d.millis().div_ceil(60_000)
}

pub const APPLICATION_FILE: &str = "application_alerts";
pub const INFRASTRUCTURE_FILE: &str = "infrastructure_alerts";
pub const BUSINESS_FILE: &str = "business_process_alerts";
/// The undeclared models' alerts; each declared model's are in `ai_model_alerts_<model>`.
pub const AI_MODEL_FILE: &str = "ai_model_alerts";
/// The prefix of each SLO's rule file, `slo_rules_<slo>`.
pub const SLO_FILE: &str = "slo_rules";
pub const RECORDING_FILE: &str = "recording_rules";
/// Rule files the catalogue writes, in this order, before the per-model and per-SLO files.
pub const FILES: [&str; 6] =
    [RECORDING_FILE, APPLICATION_FILE, INFRASTRUCTURE_FILE, BUSINESS_FILE, AI_MODEL_FILE, META_FILE];
/// The meta-monitoring alerts (the stack watching itself).
pub const META_FILE: &str = meta::FILE;

/// Whether a spec's own rule file would take a name the catalogue writes or reserves: its fixed
/// files, and one per AI model (`ai_model_alerts_<model>`) and per SLO (`slo_rules_<slo>`), so
/// that a unit test loads only its model's or SLO's rules.
pub fn reserved_file(name: &str) -> bool {
    FILES.contains(&name) || name == SLO_FILE || name.starts_with("ai_model_alerts_") || name.starts_with("slo_rules_")
}

/// A generated recording rule.
#[derive(Clone, Debug)]
pub struct Recording {
    pub file: String,
    pub group: String,
    pub record: String,
    pub expr: String,
    pub labels: BTreeMap<String, String>,
}

/// The generated recording rules: rates, latencies and aggregates; SLIs, objectives and
/// error budgets.
pub fn recordings(spec: &Spec) -> Vec<Recording> {
    let mut all = recording::recordings(spec);
    all.extend(slo::recordings(spec));
    all
}

/// The evaluation interval of a catalogue rule group, when it is not the global one (the SLOs'
/// groups).
pub fn group_interval(spec: &Spec, group: &str) -> Option<&'static str> {
    slo::interval(spec, group)
}

/// Every fixed catalogue entry (per-model AI alerts are generated from `ai_models`).
pub fn defs() -> Vec<Def> {
    let mut all = application::defs();
    all.extend(infrastructure::defs());
    all.extend(business::defs());
    all.extend(meta::defs());
    all
}

/// Names of every alert the catalogue can generate, for override checks.
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = defs().iter().map(|d| d.name).collect();
    names.extend(ai_models::NAMES);
    names.extend(slo::NAMES);
    names.sort_unstable();
    names.dedup();
    names
}

/// Where an alert's threshold and `for` come from when not from `rules.overrides`: per-model
/// and SLO alerts are shaped by their own sections, so overriding those fields there is refused.
pub fn shaped_by(name: &str) -> Option<&'static str> {
    if ai_models::NAMES.contains(&name) {
        Some("ai_models.defaults or ai_models.models[].thresholds")
    } else if slo::NAMES.contains(&name) {
        Some("slos[] (objective and period)")
    } else {
        None
    }
}

/// Alerts on the scrape jobs marked `critical`, generated only where one is.
const ON_CRITICAL_JOBS: [&str; 2] = ["CriticalTargetDown", "CriticalTargetMissing"];

/// Whether the spec declares what an entry reads: its job, or a `critical` job. `absent()`
/// sees only the shard it runs on: a sharded environment would find every critical job missing
/// on the shards that do not scrape it, so `CriticalTargetMissing` is left out there.
fn applies(def: &Def, spec: &Spec, capacity: &capacity::Estimate) -> bool {
    if let Some(role) = def.job {
        return kinds::job(spec, role).is_some() && meta::applies(def.name, spec);
    }
    if !ON_CRITICAL_JOBS.contains(&def.name) {
        return true;
    }
    spec.scrape_jobs.iter().any(|j| j.critical) && (def.name != "CriticalTargetMissing" || capacity.shards <= 1)
}

/// The generated alerts for a spec, overrides applied, disabled ones left out; `capacity` is
/// the spec's estimate ([`capacity::estimate`]), which decides whether it is sharded.
pub fn alerts(spec: &Spec, capacity: &capacity::Estimate) -> Vec<Alert> {
    let mut out = Vec::new();
    for def in defs() {
        if !applies(&def, spec, capacity) {
            continue;
        }
        let o = spec.rules.overrides.get(def.name);
        if o.is_some_and(|o| o.disabled) {
            continue;
        }
        let threshold = o.and_then(|o| o.threshold).unwrap_or(def.threshold);
        let for_ = o.and_then(|o| o.for_.clone()).unwrap_or_else(|| Duration::new(def.for_));
        let job = def.job.and_then(|role| kinds::job(spec, role));
        let matcher = def.job.and_then(|role| kinds::matcher(spec, role)).unwrap_or_default();
        let ctx = Ctx { spec, job: job.unwrap_or_default(), matcher, threshold, for_min: minutes(&for_) };
        let description = def.description.replace("{for}", &spoken(&for_));
        let (expr, scenarios) = (def.build)(&ctx);
        let mut labels: BTreeMap<String, String> =
            def.labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        labels.insert("severity".into(), def.severity.into());
        let mut alert = Alert {
            name: def.name.into(),
            file: def.file.into(),
            group: def.group.into(),
            expr,
            for_,
            labels,
            annotations: annotations(spec, def.name, def.summary, &description, threshold),
            scenarios,
            job: job.map(str::to_string),
            threshold: Some(show(threshold)),
            subject: None,
            owner: None,
        };
        apply_override(spec, &mut alert);
        out.push(alert);
    }
    for mut alert in ai_models::alerts(spec).into_iter().chain(slo::alerts(spec)) {
        if spec.rules.overrides.get(&alert.name).is_some_and(|o| o.disabled) {
            continue;
        }
        apply_override(spec, &mut alert);
        out.push(alert);
    }
    if spec.rules.watchdog {
        out.push(watchdog(spec));
    }
    for alert in &mut out {
        if alert.owner.is_none() {
            alert.owner = owner(spec, &alert.labels, alert.job.as_deref());
        }
    }
    out
}

/// The team owning an alert with these labels: the team whose `services` has its `service`
/// label (the one its team route uses), else the owner of the scrape job it reads (or of the
/// job named like its service).
pub fn owner(spec: &Spec, labels: &BTreeMap<String, String>, job: Option<&str>) -> Option<String> {
    let service = labels.get("service");
    let by_service = service.and_then(|s| spec.teams.iter().find(|t| t.services.contains(s))).map(|t| t.name.clone());
    let by_job = || {
        let job = job.or(service.map(String::as_str))?;
        spec.scrape_jobs.iter().find(|j| j.name == job)?.owner.clone()
    };
    by_service.or_else(by_job)
}

/// Severity and extra labels from `rules.overrides` (threshold and `for` shape the expression
/// and its scenarios, so `build` applies them).
fn apply_override(spec: &Spec, alert: &mut Alert) {
    let Some(o) = spec.rules.overrides.get(&alert.name) else { return };
    if let Some(s) = &o.severity {
        alert.labels.insert("severity".into(), s.clone());
    }
    alert.labels.extend(o.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
}

/// A duration as the annotations say it: `5m` → "5 minutes", `1h` → "1 hour", `90s` → "90 seconds".
fn spoken(d: &Duration) -> String {
    let ms = d.millis();
    let (n, unit) = match ms {
        ms if ms % 86_400_000 == 0 && ms > 0 => (ms / 86_400_000, "day"),
        ms if ms % 3_600_000 == 0 && ms > 0 => (ms / 3_600_000, "hour"),
        ms if ms % 60_000 == 0 && ms > 0 => (ms / 60_000, "minute"),
        ms if ms % 1000 == 0 => (ms / 1000, "second"),
        ms => (ms, "millisecond"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// A number as thresholds are written in text: `0.05`, `2`, `1.5`.
pub fn show(x: f64) -> String {
    crate::syntax::number(x)
}

pub fn annotations(
    spec: &Spec,
    name: &str,
    summary: &str,
    description: &str,
    threshold: f64,
) -> BTreeMap<String, String> {
    let t = show(threshold);
    let mut a = BTreeMap::new();
    a.insert("summary".to_string(), summary.replace("{threshold}", &t));
    a.insert("description".to_string(), description.replace("{threshold}", &t));
    if let Some(base) = &spec.rules.runbook_base_url {
        a.insert("runbook_url".to_string(), format!("{}/{name}", base.trim_end_matches('/')));
    }
    a
}

/// Always firing: proves that rules are evaluated and alerts reach Alertmanager.
fn watchdog(spec: &Spec) -> Alert {
    let mut labels = BTreeMap::new();
    labels.insert("severity".to_string(), "none".to_string());
    let mut alert = Alert {
        name: "Watchdog".into(),
        file: INFRASTRUCTURE_FILE.into(),
        group: "meta_alerts".into(),
        expr: "vector(1)".into(),
        for_: Duration::new("0s"),
        labels,
        annotations: annotations(
            spec,
            "Watchdog",
            "Alerting pipeline heartbeat",
            "Always firing. If it stops arriving, rule evaluation or the path to Alertmanager is broken.",
            0.0,
        ),
        scenarios: scenario::watchdog(),
        job: None,
        threshold: None,
        subject: None,
        owner: None,
    };
    apply_override(spec, &mut alert);
    alert
}

#[cfg(test)]
mod tests {
    /// The entries are struct literals over [`super::Def::EMPTY`]: an entry (or a module's
    /// defaults) that forgets one of these fields would render an alert without it.
    #[test]
    fn every_entry_sets_what_the_defaults_leave_empty() {
        for d in super::defs() {
            for (field, value) in [
                ("name", d.name),
                ("file", d.file),
                ("group", d.group),
                ("for_", d.for_),
                ("severity", d.severity),
                ("summary", d.summary),
                ("description", d.description),
            ] {
                assert!(!value.is_empty(), "{}: {field} is empty", d.name);
            }
        }
    }
}
