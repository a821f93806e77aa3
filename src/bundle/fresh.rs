//! The no-op rebuild. `monstack render` records beside the output folder what it rendered the
//! folder from — `.<folder>.monstack-input`: a hash of the spec's bytes, the command-line
//! options and the generator version, and the hash of the folder's `manifest.json`. When a
//! render gets the same input and the folder still holds exactly the files of that manifest
//! (each one's size and sha256; no other file), the spec is neither validated nor rendered
//! again: the hashing is all the work. Any other input, or a folder edited, extended or
//! replaced since, renders as usual.

use super::MANIFEST;
use super::manifest::{Manifest, component_hashes, sha256_hex};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// What a render's output depends on: the spec's bytes, `--install-prefix`, and this monstack.
pub fn input_key(spec: &[u8], install_prefix: Option<&str>) -> String {
    let mut input = format!("monstack {}\0install_prefix={install_prefix:?}\0", env!("CARGO_PKG_VERSION")).into_bytes();
    input.extend_from_slice(spec);
    sha256_hex(&input)
}

fn stamp_path(out: &Path) -> Option<PathBuf> {
    let name = out.file_name()?.to_string_lossy();
    Some(out.with_file_name(format!(".{name}.monstack-input")))
}

/// Whether `out` was rendered from input `key` and is unchanged since.
pub fn is_fresh(out: &Path, key: &str) -> bool {
    let Some(stamp) = stamp_path(out).and_then(|p| fs::read_to_string(p).ok()) else { return false };
    let Ok(manifest_bytes) = fs::read(out.join(MANIFEST)) else { return false };
    stamp == stamp_text(key, &manifest_bytes) && holds_exactly(out, &manifest_bytes)
}

/// Records that `out` now holds the bundle rendered from input `key`.
pub fn record(out: &Path, key: &str) -> io::Result<()> {
    let Some(path) = stamp_path(out) else { return Ok(()) };
    let text = stamp_text(key, &fs::read(out.join(MANIFEST))?);
    super::replace_file(&path, text.as_bytes(), 0o644)
}

fn stamp_text(key: &str, manifest: &[u8]) -> String {
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
            if rel == MANIFEST {
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
