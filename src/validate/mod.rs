//! Stage 2: the raw [`Spec`] becomes a [`Model`] in one pass that collects every problem.
//! Renderers take only a `Model`, whose constructor is this module's [`validate`].

pub mod access;
mod alertmanager;
mod cx;
mod grafana;
mod logs;
mod meta;
mod prometheus;
mod routing;
mod rules;
mod scale;
mod slo;
pub mod transport;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::features::{MIN_ALERTMANAGER, MIN_ALLOY, MIN_GRAFANA, MIN_LOKI, MIN_PROMETHEUS, MIN_PROMTAIL};
use crate::spec::Spec;
use crate::spec::path::OptionPath;
use crate::syntax::version::Declared;
use crate::syntax::{Version, names};
use cx::Cx;

/// A spec that passed validation, with what validation resolved.
#[derive(Debug)]
pub struct Model {
    pub spec: Spec,
    pub versions: Versions,
    /// sha256 of the canonical JSON of the input document.
    pub spec_sha256: String,
    /// Every provisioned dashboard (its file and what the docs list of it), in
    /// [`crate::dashboards::provisioned`] order: built and checked once, during validation.
    pub dashboards: Vec<crate::dashboards::Built>,
    /// What each expression of the spec's rule files reads by name
    /// ([`crate::lint::analysis::names_read`]), found while validating them: the test files'
    /// rule closures are taken from it instead of parsing every expression again.
    pub reads: crate::lint::analysis::NamesRead,
    /// The jobs the spec's own rules select by name: a job they read is watched even when it
    /// switches on no catalogue group ([`crate::catalogue::kinds::switched`]).
    pub jobs_read: crate::lint::analysis::JobsRead,
    /// The jobs the SLOs' selectors name, found while validating them.
    pub slo_jobs_read: crate::lint::analysis::JobsRead,
    /// The catalogue's alerts (overrides applied), built once: routing's checks, the rule
    /// files, the docs and `diff` read them from here.
    pub alerts: Vec<crate::catalogue::Alert>,
    /// The effective route tree ([`routing::effective`]: the team routes, then the spec's), its
    /// matchers parsed: the Alertmanager configuration, its picture, the docs and `diff` read it.
    pub route: crate::routing::Tree,
    /// `alertmanager.inhibit_rules`, their matchers parsed, in the spec's order.
    pub inhibitions: Vec<crate::routing::Inhibition>,
    /// The series, sample and shard estimate ([`crate::catalogue::capacity::estimate`]).
    pub capacity: crate::catalogue::capacity::Estimate,
}

/// Parsed tool versions.
#[derive(Clone, Copy, Debug)]
pub struct Versions {
    pub prometheus: Version,
    pub alertmanager: Version,
    pub grafana: Version,
    pub loki: Version,
    pub promtail: Version,
    pub alloy: Version,
}

impl Model {
    pub fn env(&self) -> &str {
        &self.spec.environment
    }
}

/// Validates a loaded spec. `spec_sha256` is the hash of the document it came from.
pub fn validate(spec: Spec, spec_sha256: String) -> Result<Model, Vec<Diagnostic>> {
    let mut cx = Cx::new(Diagnostics::new(spec.environment.clone()));
    if !names::is_slug(&spec.environment) {
        cx.error(Code::NameInvalid, "environment", format!("\"{}\" is not a valid environment name", spec.environment))
            .hint("use lowercase letters, digits, '-', '_' or '.', e.g. prod");
    }
    if !spec.install_prefix.starts_with('/') || spec.install_prefix.contains("..") || spec.install_prefix.ends_with('/')
    {
        cx.error(Code::PathInvalid, "install_prefix", format!("\"{}\" is not an absolute path", spec.install_prefix))
            .hint("use an absolute path without a trailing slash, e.g. /etc/monstack");
    }
    let versions = check_versions(&spec, &mut cx);
    let capacity = crate::catalogue::capacity::estimate(&spec);
    // The rule checks (PromQL parsing and lints of every rule) are half the work: they run on
    // a second thread while the other sections are checked.
    let mut rules_cx = cx.fork();
    let ((reads, jobs_read), slo_jobs_read) =
        rayon::join(|| rules::check(&spec, &mut rules_cx), || sections(&spec, &capacity, &mut cx));
    cx.join(rules_cx);
    // Routing runs the alert catalogue over the spec, and the catalogue assumes a valid one (an
    // SLO period that does not parse panicked there, found by tests/fuzz.rs); routing through
    // an invalid spec would only add noise to the problems already reported.
    let (dashboards, (alerts, routed)) = if cx.is_clean() {
        let mut dashboards_cx = cx.fork();
        let (alerts, dashboards) = rayon::join(
            || {
                let alerts = crate::catalogue::alerts(&spec, &capacity);
                let routed = routing::check(&spec, &alerts, &mut cx);
                (alerts, routed)
            },
            || if versions.is_some() { grafana::check_dashboards(&spec, &mut dashboards_cx) } else { Vec::new() },
        );
        cx.join(dashboards_cx);
        (dashboards, alerts)
    } else {
        (Vec::new(), (Vec::new(), None))
    };
    let mut diags = cx.finish();
    match (versions, routed) {
        (Some(versions), Some((route, inhibitions))) if diags.is_empty() => Ok(Model {
            spec,
            versions,
            spec_sha256,
            dashboards,
            reads,
            jobs_read,
            slo_jobs_read,
            alerts,
            route,
            inhibitions,
            capacity,
        }),
        _ => {
            if diags.is_empty() {
                // Each check that leaves the versions or the route tree unusable reports why;
                // this is only reached through a bug, and must not pass as a valid spec.
                diags
                    .error(Code::SpecType, "alertmanager.route", "the route tree could not be built")
                    .hint("this is a monstack bug; please report it");
            }
            Err(diags.into_sorted())
        }
    }
}

/// Every section's own checks but the rules'; returns the jobs the SLOs' selectors name.
fn sections(
    spec: &Spec,
    capacity: &crate::catalogue::capacity::Estimate,
    cx: &mut Cx,
) -> crate::lint::analysis::JobsRead {
    prometheus::check(spec, cx);
    let slo_jobs_read = slo::check(spec, cx);
    alertmanager::check(spec, cx);
    grafana::check(spec, cx);
    logs::check(spec, cx);
    access::check(spec, cx);
    transport::check(spec, cx);
    scale::check(spec, capacity, cx);
    meta::check(spec, capacity, cx);
    slo_jobs_read
}

fn check_versions(spec: &Spec, cx: &mut Cx) -> Option<Versions> {
    let v = &spec.versions;
    let mut one = |tool: &str, declared: &Declared, min: Version| -> Option<Version> {
        let path = OptionPath::root("versions").key(tool);
        match declared.version() {
            ver if ver < min => {
                cx.error(
                    Code::VersionUnsupported,
                    path,
                    format!("{tool} {ver} is older than {min}, the oldest monstack renders for"),
                )
                .hint(format!("upgrade {tool} to {min} or later"));
                None
            }
            ver => Some(ver),
        }
    };
    let prometheus = one("prometheus", &v.prometheus, MIN_PROMETHEUS);
    let alertmanager = one("alertmanager", &v.alertmanager, MIN_ALERTMANAGER);
    let grafana = one("grafana", &v.grafana, MIN_GRAFANA);
    let loki = one("loki", &v.loki, MIN_LOKI);
    let promtail = one("promtail", &v.promtail, MIN_PROMTAIL);
    let alloy = one("alloy", &v.alloy, MIN_ALLOY);
    if let Some(l) = loki {
        if l.major > 3 {
            cx.error(
                Code::VersionUnsupported,
                "versions.loki",
                format!("Loki {l} is newer than the 3.x series monstack knows"),
            )
            .hint("target a 3.x release, or update monstack");
        }
        if l.major == 2 && l.minor != 9 {
            cx.error(
                Code::VersionUnsupported,
                "versions.loki",
                format!("Loki {l}: of the 2.x series only 2.9 is supported"),
            )
            .hint("target 2.9 or 3.x");
        }
    }
    let ships_promtail = spec.promtail.shippers.contains(&crate::spec::promtail::Shipper::Promtail);
    if let Some(p) = promtail
        && ships_promtail
        && (p.major > 3 || (p.major == 3 && p.minor >= 7))
    {
        cx.error(
            Code::VersionUnsupported,
            "versions.promtail",
            format!("Promtail {p} does not exist: Promtail was removed in Loki 3.7"),
        )
        .hint("target Promtail 3.6 or older, or ship logs with Grafana Alloy only: promtail.shippers = [\"alloy\"]");
    }
    Some(Versions {
        prometheus: prometheus?,
        alertmanager: alertmanager?,
        grafana: grafana?,
        loki: loki?,
        promtail: promtail?,
        alloy: alloy?,
    })
}
