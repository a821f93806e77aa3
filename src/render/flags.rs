//! Settings that are command-line flags, not configuration files: one machine-readable
//! `<component>/flags.json` per server, for hosts that do not use the NixOS module (which
//! applies the same settings through nixpkgs' options). Each file maps a role — the process a
//! host runs — to its arguments, in order:
//!
//! ```json
//! { "component": "loki", "roles": { "read": ["-config.file=…", "-target=read"], … } }
//! ```
//!
//! Paths are absolute under the spec's `install_prefix`, where the bundle is installed.

use super::json;
use super::web;
use crate::bundle::Bundle;
use crate::spec::access::Component;
use crate::validate::Model;
use serde::Serialize;
use std::collections::BTreeMap;

pub const FILE: &str = "flags.json";

#[derive(Serialize)]
struct Flags {
    component: &'static str,
    roles: BTreeMap<String, Vec<String>>,
}

pub fn render(model: &Model, bundle: &mut Bundle) {
    for (component, roles) in
        [("prometheus", prometheus(model)), ("alertmanager", alertmanager(model)), ("loki", loki(model))]
    {
        bundle.add(format!("{component}/{FILE}"), json(&Flags { component, roles }));
    }
}

fn web_config(model: &Model, component: Component) -> Option<String> {
    let a = &model.spec.access;
    (a.tls.is_some() || !a.users.is_empty()).then(|| web::runtime_path(component))
}

/// Prometheus' flags (role `server`).
pub fn prometheus(model: &Model) -> BTreeMap<String, Vec<String>> {
    let p = &model.spec.prometheus;
    let s = &p.storage;
    let mut args = vec![
        format!("--config.file={}/prometheus/prometheus.yml", model.spec.install_prefix),
        format!("--storage.tsdb.path={}", s.path),
        format!("--storage.tsdb.retention.time={}", s.retention_time),
    ];
    args.extend(s.retention_size.as_ref().map(|size| format!("--storage.tsdb.retention.size={size}")));
    args.extend(p.external_url.as_ref().map(|u| format!("--web.external-url={u}")));
    args.extend(web_config(model, Component::Prometheus).map(|f| format!("--web.config.file={f}")));
    // Reloads by SIGHUP, as nixpkgs' module does; `/-/reload` over HTTP would let anyone with
    // API access swap the configuration.
    BTreeMap::from([("server".to_string(), args)])
}

/// Alertmanager's flags (role `server`). A single Alertmanager does not gossip: its cluster
/// listener (0.0.0.0:9094 by default) is turned off.
pub fn alertmanager(model: &Model) -> BTreeMap<String, Vec<String>> {
    let am = &model.spec.alertmanager;
    let mut args = vec![
        format!("--config.file={}/alertmanager/alertmanager.yml", model.spec.install_prefix),
        format!("--storage.path={}", am.storage_path),
    ];
    args.extend(am.external_url.as_ref().map(|u| format!("--web.external-url={u}")));
    args.extend(web_config(model, Component::Alertmanager).map(|f| format!("--web.config.file={f}")));
    args.push("--cluster.listen-address=".into());
    BTreeMap::from([("server".to_string(), args)])
}

/// Loki's flags: one role `all` for a single binary, or `read`, `write` and `backend` for the
/// simple scalable deployment. Object-store credentials are environment variables, expanded
/// by `-config.expand-env=true`.
pub fn loki(model: &Model) -> BTreeMap<String, Vec<String>> {
    let base = vec![
        format!("-config.file={}/loki/loki-config.yaml", model.spec.install_prefix),
        "-config.expand-env=true".to_string(),
    ];
    let targets: &[&str] =
        if model.spec.loki.simple_scalable.is_some() { &["read", "write", "backend"] } else { &["all"] };
    targets
        .iter()
        .map(|t| {
            let mut args = base.clone();
            args.push(format!("-target={t}"));
            (t.to_string(), args)
        })
        .collect()
}
