//! Identical input gives byte-identical bundles, whatever the process environment: each
//! example is rendered 20 times as separate processes under different time zones, locales,
//! umasks, working directories and thread and stack settings, and every tree (file bytes and
//! modes) must equal the first.
//!
//! monstack starts no threads and reads no environment variable while rendering (only
//! `nix-builder` and `check` do), keeps every output map ordered and stamps no time, host or
//! path into a file; the thread and stack variables are varied anyway, so that a dependency
//! that starts honouring them (or a future parallel renderer) cannot change the output
//! unnoticed.

mod common;

use common::{ENVS, example};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const RENDERS_PER_ENV: usize = 20;

const TIME_ZONES: [&str; 5] = ["UTC", "Pacific/Chatham", "America/St_Johns", "Asia/Kathmandu", "Europe/Istanbul"];
/// Locales that change case mapping (Turkish dotless i), decimal separators and collation.
const LOCALES: [&str; 5] = ["C", "C.UTF-8", "tr_TR.UTF-8", "de_DE.UTF-8", "ja_JP.eucJP"];
const THREADS: [&str; 4] = ["1", "2", "7", "64"];
const STACKS: [&str; 3] = ["65536", "8388608", "268435456"];
const UMASKS: [&str; 3] = ["022", "077", "002"];

/// Every file and folder below `dir` by relative path: its permission bits, and its bytes for a
/// file.
fn tree(dir: &Path) -> BTreeMap<String, (u32, Option<Vec<u8>>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let child = rel.join(entry.file_name());
            let meta = entry.metadata().unwrap();
            let bytes = if meta.is_dir() {
                stack.push(child.clone());
                None
            } else {
                Some(std::fs::read(entry.path()).unwrap())
            };
            out.insert(child.to_string_lossy().into_owned(), (meta.permissions().mode() & 0o7777, bytes));
        }
    }
    out
}

/// Renders `env` for run `i`, each run with its own combination of settings; the output
/// folder is given relative to a working directory that also changes.
fn render(env: &str, i: usize, work: &Path) -> PathBuf {
    let cwd = work.join(format!("{env}-cwd-{}", i % 3));
    std::fs::create_dir_all(&cwd).unwrap();
    let out = format!("run-{i}");
    let locale = LOCALES[i % LOCALES.len()];
    // `sh` sets the umask: std has no safe way to set it for a child.
    let o = Command::new("sh")
        .args(["-c", "umask \"$0\" && exec \"$@\"", UMASKS[i % UMASKS.len()], env!("CARGO_BIN_EXE_monstack")])
        .args(["render", "--spec", example(env).to_str().unwrap(), "--out", &out])
        .current_dir(&cwd)
        .env("TZ", TIME_ZONES[i % TIME_ZONES.len()])
        .env("LANG", locale)
        .env("LC_ALL", locale)
        .env("LC_NUMERIC", locale)
        .env("LC_COLLATE", locale)
        .env("RAYON_NUM_THREADS", THREADS[i % THREADS.len()])
        .env("TOKIO_WORKER_THREADS", THREADS[(i + 1) % THREADS.len()])
        .env("RUST_MIN_STACK", STACKS[i % STACKS.len()])
        .env("RUST_BACKTRACE", ["0", "full"][i % 2])
        .env("SOURCE_DATE_EPOCH", format!("{}", 1_000_000_000 + i * 86_400))
        .output()
        .expect("monstack runs");
    assert!(o.status.success(), "{env} run {i}: {}", String::from_utf8_lossy(&o.stderr));
    cwd.join(out)
}

#[test]
fn twenty_renders_per_environment_are_byte_identical_under_any_process_environment() {
    let started = std::time::Instant::now();
    let work = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        for env in ENVS {
            let work = work.path();
            s.spawn(move || {
                let first = tree(&render(env, 0, work));
                assert!(first.contains_key("manifest.json"), "{env}: no manifest");
                for i in 1..RENDERS_PER_ENV {
                    let again = tree(&render(env, i, work));
                    assert_eq!(
                        again.get("manifest.json"),
                        first.get("manifest.json"),
                        "{env} run {i}: manifests differ"
                    );
                    if again != first {
                        let differ: Vec<&String> =
                            first.keys().chain(again.keys()).filter(|k| first.get(*k) != again.get(*k)).collect();
                        panic!("{env} run {i}: trees differ at {differ:?}");
                    }
                }
            });
        }
    });
    eprintln!("{} renders in {:.1?}", ENVS.len() * RENDERS_PER_ENV, started.elapsed());
}
