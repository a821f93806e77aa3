//! The no-op rebuild. `monstack render` records inside the output folder what it rendered the
//! folder from — [`INPUT_RECORD`]: a hash of the spec's bytes, the command-line options and the
//! generator version, and the hash of the folder's `manifest.json`. When a render gets the same
//! input and the folder still holds exactly the files of that manifest (each one's size and
//! sha256; no other file), the spec is neither validated nor rendered again: the hashing is all
//! the work. Any other input, or a folder edited, extended or replaced since, renders as usual.
//! The record is not part of the bundle: the manifest does not list it, `check` ignores it.

use super::manifest::{Manifest, component_hashes, sha256_hex};
use super::{INPUT_RECORD, MANIFEST};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// What a render's output depends on: the spec's bytes, `--install-prefix`, and this monstack.
pub fn input_key(spec: &[u8], install_prefix: Option<&str>) -> String {
    let mut input = format!("monstack {}\0install_prefix={install_prefix:?}\0", env!("CARGO_PKG_VERSION")).into_bytes();
    input.extend_from_slice(spec);
    sha256_hex(&input)
}

/// Whether `out` was rendered from input `key` and is unchanged since.
pub fn is_fresh(out: &Path, key: &str) -> bool {
    let Ok(stamp) = fs::read_to_string(out.join(INPUT_RECORD)) else { return false };
    let Ok(manifest_bytes) = fs::read(out.join(MANIFEST)) else { return false };
    stamp == record(key, &manifest_bytes) && holds_exactly(out, &manifest_bytes)
}

/// The record of a render of input `key` to a bundle with this `manifest.json`.
pub fn record(key: &str, manifest: &[u8]) -> String {
    format!("input {key}\nmanifest {}\n", sha256_hex(manifest))
}

/// The folder's files are exactly those the manifest lists, with their sizes and hashes.
fn holds_exactly(out: &Path, manifest_bytes: &[u8]) -> bool {
    let Ok(manifest) = serde_json::from_slice::<Manifest>(manifest_bytes) else { return false };
    if component_hashes(&manifest.files) != manifest.components {
        return false;
    }
    let listed: BTreeMap<&str, (u64, &str)> =
        manifest.files.iter().map(|f| (f.path.as_str(), (f.size, f.sha256.as_str()))).collect();
    let mut seen = 0;
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { return false };
        for entry in entries {
            let Ok(entry) = entry else { return false };
            let Ok(kind) = entry.file_type() else { return false };
            if kind.is_dir() {
                stack.push(entry.path());
                continue;
            }
            let path = entry.path();
            let rel = path.strip_prefix(out).expect("below out").to_string_lossy().into_owned();
            if rel == MANIFEST || rel == INPUT_RECORD {
                continue;
            }
            let Some((size, sha)) = listed.get(rel.as_str()) else { return false };
            let Ok(bytes) = fs::read(&path) else { return false };
            if !kind.is_file() || bytes.len() as u64 != *size || sha256_hex(&bytes) != *sha {
                return false;
            }
            seen += 1;
        }
    }
    seen == listed.len()
}
