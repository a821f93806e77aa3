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
