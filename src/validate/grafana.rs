//! Grafana datasources and dashboard folders.

use super::cx::Cx;
use crate::dashboards::{self, Built, Dashboard, check::Metrics};
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::grafana::{Datasource, DatasourceType, Grafana, ServiceDashboard};
use crate::spec::path::OptionPath;
use rayon::prelude::*;
use std::collections::BTreeMap;

pub fn check(spec: &Spec, cx: &mut Cx) {
    let g = &spec.grafana;
    for (i, ds) in g.datasources.iter().enumerate() {
        datasource(&OptionPath::root("grafana.datasources").index(i), ds, cx);
    }
    datasource_set(spec, cx);
    folders(g, cx);
    dashboard_collisions(spec, cx);
}

/// One datasource: its name, uid and URL, the options its type takes, and its credentials.
fn datasource(p: &OptionPath, ds: &Datasource, cx: &mut Cx) {
    if ds.name.trim().is_empty() {
        cx.error(Code::NameInvalid, p.key("name"), "empty datasource name").hint("e.g. Prometheus-Main");
    }
    cx.slug(&p.key("uid"), "datasource uid", &ds.uid);
    if ds.uid.len() > 40 {
        cx.error(Code::NameInvalid, p.key("uid"), "Grafana uids are at most 40 characters").hint("shorten the uid");
    }
    cx.url(&p.key("url"), &ds.url);
    if ds.time_interval.is_some() && ds.kind != DatasourceType::Prometheus {
        cx.error(Code::OptionCombination, p.key("time_interval"), "only Prometheus datasources take time_interval")
            .hint("remove it");
    }
    if ds.implementation.is_some() && ds.kind != DatasourceType::Prometheus {
        cx.error(Code::OptionCombination, p.key("implementation"), "only Prometheus datasources take implementation")
            .hint("remove it");
    }
    if ds.max_lines.is_some() && ds.kind != DatasourceType::Loki {
        cx.error(Code::OptionCombination, p.key("max_lines"), "only Loki datasources take max_lines").hint("remove it");
    }
    if let Some(t) = &ds.tenant {
        tenant(p, ds, t, cx);
    }
    if let Some(b) = &ds.basic_auth {
        cx.file_ref(&p.key("basic_auth.password_file"), &b.password_file);
    }
    if let Some(t) = &ds.tls {
        cx.client_tls(&p.key("tls"), t);
    }
}

/// A datasource's tenant header: only a multi-tenant store reads it, and it must be an id
/// Grafana can send.
fn tenant(p: &OptionPath, ds: &Datasource, t: &str, cx: &mut Cx) {
    use crate::spec::grafana::PrometheusImplementation as I;
    let multi_tenant = matches!(
        (ds.kind, ds.implementation),
        (crate::spec::grafana::DatasourceType::Loki, _) | (_, Some(I::Mimir | I::Cortex))
    );
    if !multi_tenant {
        cx.error(
            Code::ValueOutOfRange,
            p.key("tenant"),
            "a tenant header means something to Mimir, Cortex and Loki only",
        )
        .hint("set implementation = \"mimir\" (or cortex) for a multi-tenant store, or remove tenant");
    }
    if t.is_empty() || t.contains(['\n', '|']) {
        cx.error(Code::NameInvalid, p.key("tenant"), format!("\"{t}\" is not a tenant id"))
            .hint("use the store's tenant (organisation) id, without '|' or line breaks");
    }
}

/// The datasources together: distinct names and uids, exactly one default, and one of each
/// type a provisioned dashboard queries.
fn datasource_set(spec: &Spec, cx: &mut Cx) {
    let g = &spec.grafana;
    let at = OptionPath::root("grafana.datasources");
    cx.unique("datasource", g.datasources.iter().enumerate().map(|(i, d)| (at.index(i).key("name"), d.name.as_str())));
    cx.unique(
        "datasource uid",
        g.datasources.iter().enumerate().map(|(i, d)| (at.index(i).key("uid"), d.uid.as_str())),
    );
    let defaults = g.datasources.iter().filter(|d| d.is_default).count();
    if defaults != 1 {
        cx.error(
            Code::DatasourceDefault,
            "grafana.datasources",
            format!("{defaults} datasources are marked is_default"),
        )
        .hint("mark exactly one datasource `is_default: true` (usually Prometheus-Main)");
    }
    for kind in [DatasourceType::Prometheus, DatasourceType::Loki] {
        let needed = dashboards::provisioned(spec).any(|(_, _, d)| d.datasource_type() == kind);
        if needed && !g.datasources.iter().any(|d| d.kind == kind) {
            cx.error(
                Code::RefUnknownDatasource,
                "grafana.folders",
                format!("a dashboard queries {} but no such datasource is declared", kind.as_str()),
            )
            .hint(format!("add a datasource of type {}", kind.as_str()));
        }
    }
}

/// The dashboard folders: valid, distinct dirs and titles, and their golden-signals dashboards.
fn folders(g: &Grafana, cx: &mut Cx) {
    let at = OptionPath::root("grafana.folders");
    for (i, f) in g.folders.iter().enumerate() {
        let p = at.index(i);
        cx.slug(&p.key("dir"), "folder dir", &f.dir);
        if f.title.trim().is_empty() {
            cx.error(Code::NameInvalid, p.key("title"), "empty folder title").hint("e.g. CreativeFlow AI Dashboards");
        }
        for (j, sd) in f.services.iter().enumerate() {
            service(&p.key("services").index(j), sd, cx);
        }
    }
    cx.unique("folder dir", g.folders.iter().enumerate().map(|(i, f)| (at.index(i).key("dir"), f.dir.as_str())));
    cx.unique("folder title", g.folders.iter().enumerate().map(|(i, f)| (at.index(i).key("title"), f.title.as_str())));
}

/// Provisioned dashboards that would overwrite one another.
fn dashboard_collisions(spec: &Spec, cx: &mut Cx) {
    // A folder writes each dashboard to `<file stem>.json`, and a dashboard's uid is global in
    // Grafana: two dashboards with one file or one uid collide.
    let mut files: BTreeMap<(&str, String), OptionPath> = BTreeMap::new();
    let mut uids: BTreeMap<String, OptionPath> = BTreeMap::new();
    for (f, path, d) in dashboards::provisioned(spec) {
        let (uid, stem) = (d.uid(), d.file_stem());
        if let Some(first) = files.get(&(f.dir.as_str(), stem.clone())) {
            let message = format!("dashboard \"{stem}\" is already declared at {first}");
            duplicate(cx, (&path, first), d, message, "list each dashboard once per folder", &uids);
        } else if let Some(first) = uids.get(&uid) {
            let message = format!("dashboard uid \"{uid}\" is already used by {first}");
            let hint = "a dashboard's uid is unique per Grafana organisation; keep it in one folder";
            duplicate(cx, (&path, first), d, message, hint, &uids);
        } else {
            files.insert((f.dir.as_str(), stem), path.clone());
            uids.insert(uid, path);
        }
    }
}

/// Reports a dashboard at `path` that collides with the one at `first`: a built-in one at its
/// entry, with `message` and `hint`; a golden-signals one (whose file is named by its uid) at its
/// `uid`, or the `job` it defaults from, with a free uid to use.
fn duplicate(
    cx: &mut Cx,
    (path, first): (&OptionPath, &OptionPath),
    d: Dashboard,
    message: String,
    hint: &str,
    uids: &BTreeMap<String, OptionPath>,
) {
    match d {
        Dashboard::Builtin(_) => {
            cx.error(Code::NameDuplicate, path, message).hint(hint);
        }
        Dashboard::Service(s) => {
            let (at, uid) = (path.key(if s.uid.is_some() { "uid" } else { "job" }), d.uid());
            cx.error(Code::NameDuplicate, at, format!("dashboard uid \"{uid}\" is already used by {first}"))
                .hint(format!("set a distinct `uid` on this dashboard, e.g. \"{}\"", distinct_uid(&uid, uids)));
        }
    }
}

/// A golden-signals dashboard's own fields: its uid a Grafana uid, its title and queue metric
/// well formed. (Its job is checked with the dashboards, as the built-in ones' jobs are.)
fn service(p: &OptionPath, s: &ServiceDashboard, cx: &mut Cx) {
    let uid = s.uid();
    if !crate::syntax::names::is_grafana_uid(&uid) {
        let (at, hint) = match s.uid {
            Some(_) => (p.key("uid"), "use 1–40 of a-z, A-Z, 0-9, '-' and '_'".to_string()),
            None => (p.key("job"), format!("set `uid` to at most 40 characters, e.g. \"{}\"", shorten(&uid))),
        };
        cx.error(
            Code::NameInvalid,
            at,
            format!("dashboard uid \"{uid}\" is not a Grafana uid (1–40 of a-z, A-Z, 0-9, - and _)"),
        )
        .hint(hint);
    }
    if s.title.as_ref().is_some_and(|t| t.trim().is_empty()) {
        cx.error(Code::NameInvalid, p.key("title"), "empty dashboard title")
            .hint("remove it for the default `<job> golden signals`, or name the dashboard");
    }
    if let Some(m) = &s.queue_metric
        && !crate::syntax::names::is_metric_name(m)
    {
        cx.error(Code::NameInvalid, p.key("queue_metric"), format!("\"{m}\" is not a metric name"))
            .hint("name the gauge the service exposes, e.g. queue_depth");
    }
}

/// `uid` cut to a valid uid, for a hint.
fn shorten(uid: &str) -> String {
    let kept: String = uid.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(40).collect();
    kept.trim_end_matches(['-', '_']).to_string()
}

/// A uid not yet taken, for a hint: `uid` with a numeric suffix, within 40 characters.
fn distinct_uid<V>(uid: &str, taken: &BTreeMap<String, V>) -> String {
    (2..)
        .map(|n| {
            let suffix = format!("-{n}");
            let base = shorten(uid);
            format!("{}{suffix}", base[..base.len().min(40 - suffix.len())].trim_end_matches(['-', '_']))
        })
        .find(|c| !taken.contains_key(c))
        .expect("some suffix is free")
}

/// Builds every dashboard the folders list and checks it as Grafana would, plus the metric
/// cross-check; returns them in [`dashboards::provisioned`] order (complete when nothing was
/// reported). Runs only on an otherwise valid spec: dashboards are built from it. They are
/// built and checked on every core, and reported in order.
pub fn check_dashboards(spec: &Spec, cx: &mut Cx) -> Vec<Built> {
    let datasources = dashboards::check::datasources(spec);
    let metrics = Metrics::of(spec);
    let provisioned: Vec<_> = dashboards::provisioned(spec).collect();
    // A dashboard is built unless what it shows is missing: then the problem (the option below
    // the dashboard's, if any; message, hint) is reported instead.
    type Checked = Result<(Built, Vec<dashboards::check::Problem>), (Option<&'static str>, String, &'static str)>;
    let checked: Vec<Checked> = provisioned
        .par_iter()
        .map(|&(_, _, d)| {
            match d {
                Dashboard::Builtin(kind) => {
                    if let Some(what) = dashboards::missing(spec, kind) {
                        let message = format!("dashboard {} has nothing to show without {what}", kind.file_stem());
                        return Err((None, message, "declare what it needs, or remove the dashboard from the folder"));
                    }
                }
                Dashboard::Service(s) => {
                    if !spec.scrape_jobs.iter().any(|j| j.name == s.job) {
                        let message = format!("no scrape job \"{}\" to show", s.job);
                        return Err((
                            Some("job"),
                            message,
                            "name a job declared under `scrape_jobs`, or declare the service's scrape job",
                        ));
                    }
                }
            }
            let json = dashboards::render(spec, d);
            let problems = dashboards::check::check(&json, &datasources, Some(&metrics));
            Ok((Built::new(&json), problems))
        })
        .collect();
    let mut built = Vec::new();
    // Grafana refuses a second dashboard of the same title in a folder.
    let mut titles: BTreeMap<(String, String), OptionPath> = BTreeMap::new();
    for ((f, path, d), checked) in provisioned.into_iter().zip(checked) {
        let (dashboard, problems) = match checked {
            Ok(built) => built,
            Err((below, message, hint)) => {
                let at = match below {
                    Some(k) => path.key(k),
                    None => path,
                };
                cx.error(Code::RefUnknownJob, at, message).hint(hint);
                continue;
            }
        };
        for p in problems {
            let e = cx.error(p.code, path.clone(), format!("dashboard {}: {}: {}", d.uid(), p.at, p.message));
            e.hint = p.hint;
        }
        let title = dashboard.title.clone();
        match titles.get(&(f.dir.clone(), title.clone())) {
            Some(other) => {
                let at = if matches!(d, Dashboard::Service(_)) { path.key("title") } else { path };
                cx.error(
                    Code::NameDuplicate,
                    at,
                    format!("dashboard title \"{title}\" is already used by {other} in this folder"),
                )
                .hint("Grafana keeps one dashboard per title in a folder; set a distinct `title`");
            }
            None => {
                titles.insert((f.dir.clone(), title), path);
            }
        }
        built.push(dashboard);
    }
    built
}
