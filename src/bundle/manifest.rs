//! `manifest.json`: generator version, input hash, each file's size and sha256, and a content
//! hash per component computed from that component's files only — so a change to Grafana leaves
//! the Prometheus hash (and anything keyed on it, such as a reload trigger) unchanged.

use super::Bundle;
use super::layout::COMPONENTS;
use crate::validate::Model;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    pub generator: Generator,
    pub environment: String,
    pub spec_sha256: String,
    pub install_prefix: String,
    /// The capacity estimate (`catalogue::capacity`): per-job series and samples/s, the shards
    /// and the remote write bandwidth they imply. ESTIMATES, with the numbers they come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<serde_json::Value>,
    pub components: BTreeMap<String, Component>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub sha256: String,
    pub files: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// JSON with object keys sorted at every level and no insignificant white space: the same
/// document read from JSON or YAML, in any key order, has the same bytes. serde_json's map is a
/// BTreeMap (its `preserve_order` feature is off; `canonical_json_sorts_keys` fails if anything
/// turns it on), so a value's keys are already sorted and it serialises as it is — without the
/// copy of the whole spec a re-sort would make.
pub fn canonical_json(v: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("a JSON value serialises")
}

impl Manifest {
    pub fn build(model: &Model, bundle: &Bundle) -> Manifest {
        let files: Vec<FileEntry> = bundle
            .files()
            .par_iter()
            .map(|(path, bytes)| FileEntry { path: path.clone(), size: bytes.len() as u64, sha256: sha256_hex(bytes) })
            .collect();
        Manifest {
            format: 1,
            generator: Generator { name: "monstack".into(), version: env!("CARGO_PKG_VERSION").into() },
            environment: model.env().to_string(),
            spec_sha256: model.spec_sha256.clone(),
            install_prefix: model.spec.install_prefix.clone(),
            capacity: Some(serde_json::to_value(&model.capacity).expect("the estimate serialises")),
            components: component_hashes(&files),
            files,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        crate::bundle::json(self)
    }
}

/// Each component's hash covers the path and hash of each of its files, in path order.
pub fn component_hashes(files: &[FileEntry]) -> BTreeMap<String, Component> {
    COMPONENTS
        .iter()
        .map(|c| {
            let prefix = format!("{c}/");
            let mut hasher = Sha256::new();
            let mut count = 0;
            for f in files.iter().filter(|f| f.path.starts_with(&prefix)) {
                hasher.update(f.path.as_bytes());
                hasher.update([0]);
                hasher.update(f.sha256.as_bytes());
                hasher.update(b"\n");
                count += 1;
            }
            let digest = hasher.finalize();
            (c.to_string(), Component { sha256: digest.iter().map(|b| format!("{b:02x}")).collect(), files: count })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn canonical_json_sorts_keys() {
        let mut inner = serde_json::Map::new();
        inner.insert("z".into(), 1.into());
        inner.insert("a".into(), 2.into());
        let mut outer = serde_json::Map::new();
        outer.insert("y".into(), serde_json::Value::Array(vec![serde_json::Value::Object(inner)]));
        outer.insert("b".into(), serde_json::Value::Null);
        let v = serde_json::Value::Object(outer);
        assert_eq!(super::canonical_json(&v), br#"{"b":null,"y":[{"a":2,"z":1}]}"#);
    }
}
