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

use super::web;
use super::{alertmanager, prometheus};
use crate::bundle::Bundle;
use crate::bundle::json;
use crate::bundle::layout::{ALERTMANAGER_CONFIG, LOKI_CONFIG};
use crate::spec::Spec;
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
    for (component, roles) in all(model) {
        bundle.add(format!("{component}/{FILE}"), json(&Flags { component, roles }));
    }
}

/// Every server's roles and their arguments, as the catalogue lists them.
pub fn all(model: &Model) -> [(&'static str, BTreeMap<String, Vec<String>>); 3] {
    let spec = &model.spec;
    [("prometheus", prometheus(model)), ("alertmanager", alertmanager(spec)), ("loki", loki(spec))]
}

fn web_config(spec: &Spec, component: Component) -> Option<String> {
    web::secured(&spec.access).then(|| web::runtime_path(component))
}

/// Prometheus' flags: role `server` for an environment's single Prometheus, else one role per
/// instance (`a`, `b`, `shard-0.a`, …), each with its own configuration file. Retention is a
/// flag only for the versions that do not read it from the configuration file.
pub fn prometheus(model: &Model) -> BTreeMap<String, Vec<String>> {
    let spec = &model.spec;
    let p = &spec.prometheus;
    let s = &p.storage;
    let mut common = vec![format!("--storage.tsdb.path={}", s.path)];
    if !crate::features::retention_in_config(&model.versions) {
        common.push(format!("--storage.tsdb.retention.time={}", s.retention_time));
        common.extend(s.retention_size.as_ref().map(|size| format!("--storage.tsdb.retention.size={size}")));
    }
    common.extend(p.external_url.as_ref().map(|u| format!("--web.external-url={u}")));
    common.extend(web_config(spec, Component::Prometheus).map(|f| format!("--web.config.file={f}")));
    // Reloads by SIGHUP, as nixpkgs' module does; `/-/reload` over HTTP would let anyone with
    // API access swap the configuration.
    prometheus::instances(spec, model.capacity.shards)
        .iter()
        .map(|instance| {
            let mut args = prometheus::replica_args(spec, instance);
            args.extend(common.iter().cloned());
            (instance.name().unwrap_or_else(|| "server".into()), args)
        })
        .collect()
}

/// Alertmanager's flags: role `server` for a single Alertmanager, which does not gossip (its
/// cluster listener, 0.0.0.0:9094 by default, is turned off), or `member-<i>` per cluster member
/// (`alertmanager.cluster.peers[i]`) with its gossip flags.
pub fn alertmanager(spec: &Spec) -> BTreeMap<String, Vec<String>> {
    let am = &spec.alertmanager;
    let mut common = vec![
        format!("--config.file={}/alertmanager/{ALERTMANAGER_CONFIG}", spec.install_prefix),
        format!("--storage.path={}", am.storage_path),
    ];
    common.extend(am.external_url.as_ref().map(|u| format!("--web.external-url={u}")));
    common.extend(web_config(spec, Component::Alertmanager).map(|f| format!("--web.config.file={f}")));
    match &am.cluster {
        None => {
            common.push("--cluster.listen-address=".into());
            BTreeMap::from([("server".to_string(), common)])
        }
        Some(cluster) => (0..cluster.peers.len())
            .map(|member| {
                let mut args = common.clone();
                args.extend(alertmanager::cluster_args(am, member));
                if spec.access.tls.is_some() {
                    args.push(format!(
                        "--cluster.tls-config={}",
                        web::runtime_file(Component::Alertmanager, web::CLUSTER_TLS)
                    ));
                }
                (format!("member-{member}"), args)
            })
            .collect(),
    }
}

/// Loki's flags: one role `all` for a single binary, or `read`, `write` and `backend` for the
/// simple scalable deployment. Object-store credentials are environment variables, expanded
/// by `-config.expand-env=true`.
pub fn loki(spec: &Spec) -> BTreeMap<String, Vec<String>> {
    let base =
        vec![format!("-config.file={}/loki/{LOKI_CONFIG}", spec.install_prefix), "-config.expand-env=true".to_string()];
    let targets: &[&str] = if spec.loki.simple_scalable.is_some() { &["read", "write", "backend"] } else { &["all"] };
    targets
        .iter()
        .map(|t| {
            let mut args = base.clone();
            args.push(format!("-target={t}"));
            (t.to_string(), args)
        })
        .collect()
}
