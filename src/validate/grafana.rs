//! Grafana datasources and dashboard folders.

use super::cx::Cx;
use crate::dashboards::{self, check::Metrics};
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::grafana::DatasourceType;

pub fn check(spec: &Spec, cx: &mut Cx) {
    let g = &spec.grafana;
    for (i, ds) in g.datasources.iter().enumerate() {
        let p = format!("grafana.datasources[{i}]");
        if ds.name.trim().is_empty() {
            cx.error(Code::NameInvalid, format!("{p}.name"), "empty datasource name").hint("e.g. Prometheus-Main");
        }
        cx.slug(&format!("{p}.uid"), "datasource uid", &ds.uid);
        if ds.uid.len() > 40 {
            cx.error(Code::NameInvalid, format!("{p}.uid"), "Grafana uids are at most 40 characters")
                .hint("shorten the uid");
        }
        cx.url(&format!("{p}.url"), &ds.url);
        cx.opt_duration(&format!("{p}.time_interval"), ds.time_interval.as_ref());
        if ds.time_interval.is_some() && ds.kind != DatasourceType::Prometheus {
            cx.error(Code::RuleShape, format!("{p}.time_interval"), "only Prometheus datasources take time_interval")
                .hint("remove it");
        }
        if ds.implementation.is_some() && ds.kind != DatasourceType::Prometheus {
            cx.error(Code::RuleShape, format!("{p}.implementation"), "only Prometheus datasources take implementation")
                .hint("remove it");
        }
        if ds.max_lines.is_some() && ds.kind != DatasourceType::Loki {
            cx.error(Code::RuleShape, format!("{p}.max_lines"), "only Loki datasources take max_lines")
                .hint("remove it");
        }
        if let Some(t) = &ds.tenant {
            use crate::spec::grafana::PrometheusImplementation as I;
            let multi_tenant = matches!(
                (ds.kind, ds.implementation),
                (crate::spec::grafana::DatasourceType::Loki, _) | (_, Some(I::Mimir | I::Cortex))
            );
            if !multi_tenant {
                cx.error(
                    Code::ValueOutOfRange,
                    format!("{p}.tenant"),
                    "a tenant header means something to Mimir, Cortex and Loki only",
                )
                .hint("set implementation = \"mimir\" (or cortex) for a multi-tenant store, or remove tenant");
            }
            if t.is_empty() || t.contains(['\n', '|']) {
                cx.error(Code::NameInvalid, format!("{p}.tenant"), format!("\"{t}\" is not a tenant id"))
                    .hint("use the store's tenant (organisation) id, without '|' or line breaks");
            }
        }
        if let Some(b) = &ds.basic_auth {
            cx.file_ref(&format!("{p}.basic_auth.password_file"), &b.password_file);
        }
    }
    cx.unique(
        "datasource",
        g.datasources.iter().enumerate().map(|(i, d)| (format!("grafana.datasources[{i}].name"), d.name.as_str())),
    );
    cx.unique(
        "datasource uid",
        g.datasources.iter().enumerate().map(|(i, d)| (format!("grafana.datasources[{i}].uid"), d.uid.as_str())),
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
        let needed = g.folders.iter().flat_map(|f| &f.dashboards).any(|d| dashboards::datasource_type(*d) == kind);
        if needed && !g.datasources.iter().any(|d| d.kind == kind) {
            cx.error(
                Code::RefUnknownDatasource,
                "grafana.folders",
                format!("a dashboard queries {} but no such datasource is declared", kind.as_str()),
            )
            .hint(format!("add a datasource of type {}", kind.as_str()));
        }
    }
    for (i, f) in g.folders.iter().enumerate() {
        let p = format!("grafana.folders[{i}]");
        cx.slug(&format!("{p}.dir"), "folder dir", &f.dir);
        if f.title.trim().is_empty() {
            cx.error(Code::NameInvalid, format!("{p}.title"), "empty folder title")
                .hint("e.g. CreativeFlow AI Dashboards");
        }
        cx.unique(
            "dashboard",
            f.dashboards.iter().enumerate().map(|(j, d)| (format!("{p}.dashboards[{j}]"), d.file_stem())),
        );
    }
    cx.unique(
        "folder dir",
        g.folders.iter().enumerate().map(|(i, f)| (format!("grafana.folders[{i}].dir"), f.dir.as_str())),
    );
    cx.unique(
        "folder title",
        g.folders.iter().enumerate().map(|(i, f)| (format!("grafana.folders[{i}].title"), f.title.as_str())),
    );
    // A dashboard's uid is global in Grafana: the same dashboard in two folders would collide.
    let mut first_folder: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (i, f) in g.folders.iter().enumerate() {
        for (j, d) in f.dashboards.iter().enumerate() {
            match first_folder.get(d.file_stem()) {
                Some(&fi) if fi != i => {
                    cx.error(
                        Code::NameDuplicate,
                        format!("grafana.folders[{i}].dashboards[{j}]"),
                        format!("dashboard {} is already in grafana.folders[{fi}]", d.file_stem()),
                    )
                    .hint("a dashboard's uid is unique per Grafana organisation; keep it in one folder");
                }
                Some(_) => {}
                None => {
                    first_folder.insert(d.file_stem(), i);
                }
            }
        }
    }
}

/// Builds every dashboard the folders list and checks it as Grafana would, plus the metric
/// cross-check. Runs only on an otherwise valid spec: dashboards are built from it.
pub fn check_dashboards(spec: &Spec, cx: &mut Cx) {
    let datasources = dashboards::check::datasources(spec);
    let metrics = Metrics::of(spec);
    for (i, f) in spec.grafana.folders.iter().enumerate() {
        for (j, kind) in f.dashboards.iter().enumerate() {
            let path = format!("grafana.folders[{i}].dashboards[{j}]");
            if let Some(what) = dashboards::missing(spec, *kind) {
                cx.error(
                    Code::RefUnknownJob,
                    path,
                    format!("dashboard {} has nothing to show without {what}", kind.file_stem()),
                )
                .hint("declare what it needs, or remove the dashboard from the folder");
                continue;
            }
            let json = dashboards::render(spec, *kind);
            for p in dashboards::check::check(&json, &datasources, Some(&metrics)) {
                let d = cx.error(
                    p.code,
                    path.clone(),
                    format!("dashboard {}: {}: {}", dashboards::uid(*kind), p.at, p.message),
                );
                d.hint = p.hint;
            }
        }
    }
}
