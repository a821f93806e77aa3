//! The bundle: every rendered file by path, sealed with a manifest of sizes and hashes, and
//! written atomically.

pub mod fresh;
pub mod layout;
pub mod manifest;
mod write;

pub use layout::{COMPONENTS, MANIFEST};
pub use manifest::{Manifest, canonical_json, sha256_hex};
pub use write::{INPUT_RECORD, Replace, Written, replace_file, write_atomic};

use std::collections::BTreeMap;

/// JSON, pretty-printed with a final newline (keys of `serde_json::Value` maps are sorted).
pub fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).expect("output types always serialise");
    out.push(b'\n');
    out
}

/// Rendered files keyed by their path inside the bundle (`prometheus/prometheus.yml`, …).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Bundle {
    files: BTreeMap<String, Vec<u8>>,
}

impl Bundle {
    /// Adds a file. Two renderers writing the same path is a bug in monstack, not in the spec.
    pub fn add(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        let path = path.into();
        let previous = self.files.insert(path.clone(), bytes);
        assert!(previous.is_none(), "two renderers wrote {path}");
    }

    /// Adds every file of a bundle rendered alongside.
    pub fn merge(&mut self, other: Bundle) {
        for (path, bytes) in other.files {
            self.add(path, bytes);
        }
    }

    pub fn files(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.files
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }
}
