//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub const ENVS: [&str; 3] = ["dev", "staging", "prod"];

pub fn example(env: &str) -> PathBuf {
    root().join("examples/creativeflow").join(format!("{env}.json"))
}

/// Whether goldens are being rewritten (`MONSTACK_BLESS=1 cargo test`).
pub fn blessing() -> bool {
    std::env::var_os("MONSTACK_BLESS").is_some_and(|v| v == "1")
}

/// Whether the run is CI's, where every external validator must be present.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| v == "true" || v == "1")
}

pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// Every file below `dir`, by relative path, but a render's input record (not part of the
/// bundle: it hashes the spec's bytes, which differ between equivalent inputs).
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&rel)) else { continue };
        for e in entries {
            let e = e.unwrap();
            let child = rel.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                stack.push(child);
            } else if child.as_os_str() != monstack::bundle::INPUT_RECORD {
                out.insert(child.to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// Applies a JSON merge patch (RFC 7386): `null` removes a key, objects merge, anything else
/// replaces.
pub fn merge(base: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else {
                    merge(b.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// The dev example with the merge patch `tests/fixtures/<patch>` applied.
pub fn patched_dev(patch: &str) -> serde_json::Value {
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    let path = root().join("tests/fixtures").join(patch);
    let patch: serde_json::Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    merge(&mut doc, &patch);
    doc
}

/// The CreativeFlow example of `env` as JSON, to patch before building.
pub fn example_json(env: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(example(env)).unwrap()).unwrap()
}

/// The CreativeFlow example of `env`, loaded and typed (not validated).
pub fn example_spec(env: &str) -> monstack::spec::Spec {
    monstack::spec::load::load(env, &std::fs::read(example(env)).unwrap()).unwrap().spec
}

/// The bundle of a spec that must be valid (the diagnostics in the panic otherwise).
pub fn build(spec: &serde_json::Value) -> monstack::bundle::Bundle {
    monstack::build("spec.json", &serde_json::to_vec(spec).unwrap()).unwrap_or_else(|d| panic!("{d:#?}"))
}

/// A bundle file as text.
pub fn text(bundle: &monstack::bundle::Bundle, path: &str) -> String {
    String::from_utf8(bundle.get(path).unwrap_or_else(|| panic!("no {path} in the bundle")).to_vec()).unwrap()
}

/// Runs the monstack binary with `args` and the extra environment variables `env`.
pub fn monstack_with(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_monstack"));
    cmd.args(args).envs(env.iter().copied());
    cmd.output().expect("monstack runs")
}

/// Leaves out meta-monitoring: `meta` (whose addresses are the real deployment's) and the
/// dashboard that shows it, which has nothing to show without it.
pub fn without_meta(spec: &mut serde_json::Value) {
    spec.as_object_mut().unwrap().remove("meta");
    for folder in spec["grafana"]["folders"].as_array_mut().into_iter().flatten() {
        if let Some(list) = folder["dashboards"].as_array_mut() {
            list.retain(|d| d != "meta_monitoring");
        }
    }
}
