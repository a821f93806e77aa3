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

/// What a finished child process cost.
pub struct Measured {
    /// Its exit code (None: killed by a signal, or at the deadline).
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Peak resident memory (`ru_maxrss`, KiB), of this process alone.
    pub max_rss_kib: u64,
    /// User plus system CPU time: unlike wall time, it does not grow with the machine's load.
    pub cpu: std::time::Duration,
    pub wall: std::time::Duration,
}

/// Starts the measured command from a small process and reports its `wait4` resource usage.
/// A direct child of the test would not do: exec records the high-water mark of the memory it
/// replaces in the process's `maxrss` (fs/exec.c, `exec_mmap`), and a spawned child runs on
/// the test process' memory until it execs (`CLONE_VM`), so every child of a test that once
/// held 250 MB reported 250 MB. Python's `os.fork` from a ~10 MB interpreter bounds that floor.
const MEASURE: &str = r#"
import os, sys, time
deadline = time.monotonic() + float(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
killed = False
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done == pid:
        break
    if not killed and time.monotonic() > deadline:
        os.kill(pid, 9)
        killed = True
    time.sleep(0.005)
code = -1 if killed or not os.WIFEXITED(status) else os.WEXITSTATUS(status)
with open(os.environ["MONSTACK_MEASURE_OUT"], "w") as f:
    f.write(f"{code} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
"#;

/// What writes a measured command's standard input.
pub type Feed = Box<dyn FnOnce(&mut dyn std::io::Write) + Send>;

/// Runs `program` with `args` in `dir`, fed `stdin` (a child that stops reading it is fine), and
/// measures it; one still running after `deadline` is killed and reported with no exit code.
pub fn run_measured(
    program: &str,
    args: &[&str],
    dir: &Path,
    stdin: Option<Feed>,
    deadline: std::time::Duration,
) -> Measured {
    use std::process::Stdio;
    let scratch = tempfile::tempdir().unwrap();
    let (out, err, report) =
        (scratch.path().join("stdout"), scratch.path().join("stderr"), scratch.path().join("usage"));
    let mut cmd = std::process::Command::new("python3");
    cmd.arg("-c").arg(MEASURE).arg(deadline.as_secs_f64().to_string()).arg(program).args(args).current_dir(dir);
    cmd.env("MONSTACK_MEASURE_OUT", &report);
    cmd.stdout(std::fs::File::create(&out).unwrap()).stderr(std::fs::File::create(&err).unwrap());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let started = std::time::Instant::now();
    let mut child = cmd.spawn().expect("python3 runs (the README's prerequisites)");
    let writer = stdin.map(|feed| {
        let mut pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || feed(&mut pipe))
    });
    let status = child.wait().unwrap();
    let wall = started.elapsed();
    if let Some(w) = writer {
        w.join().unwrap();
    }
    assert!(status.success(), "the measuring process failed: {}", std::fs::read_to_string(&err).unwrap_or_default());
    let usage = std::fs::read_to_string(&report).unwrap();
    let fields: Vec<&str> = usage.split(' ').collect();
    let code: i32 = fields[0].parse().unwrap();
    Measured {
        code: (code >= 0).then_some(code),
        stdout: std::fs::read(&out).unwrap(),
        stderr: std::fs::read(&err).unwrap(),
        max_rss_kib: fields[1].parse().unwrap(),
        cpu: std::time::Duration::from_secs_f64(fields[2].parse().unwrap()),
        wall,
    }
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
