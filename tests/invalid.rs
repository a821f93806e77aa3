//! One fixture per invalid-input case, each with the diagnostics it must produce.
//!
//! Three kinds of fixture in `tests/fixtures/invalid/`, each listing its diagnostics as
//! `# expect: <code> <path>` lines; the test requires exactly that set of (code, path), and the
//! text of each `# says: <text>` line in one of them (message or hint, as printed):
//!
//! - `<case>.yaml`: a JSON merge patch (RFC 7386) over the dev example, or a whole document
//!   when its first line is `# whole`.
//! - `<case>.<ext>` with a sibling `<case>.expect`: raw bytes (bad encodings, duplicate JSON
//!   keys), given to the loader as `case.<ext>` — `.bin` as `case.json`.
//! - `<case>.gen`: a document too large or too deep to commit, built from `# part: <count>
//!   <JSON string>` lines (each string repeated `count` times, in order) and given to the
//!   loader under the name of its `# file:` line.
//!
//! Every case also goes through the binary (`monstack render`), which must exit 1 — the
//! diagnostic exit code, not a panic's 101 — print each diagnostic, and create no output.

mod common;

use common::{example, merge, root};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

struct Case {
    name: String,
    /// The file name the loader sees (its extension selects JSON or YAML).
    file_name: String,
    input: Vec<u8>,
    expected: BTreeSet<(String, String)>,
    /// Texts the printed diagnostics must contain (`# says:` lines).
    says: Vec<String>,
}

fn says(text: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.trim().strip_prefix("# says:")).map(|e| e.trim().to_string()).collect()
}

fn expectations(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("# expect:"))
        .map(|e| {
            let mut parts = e.trim().splitn(2, ' ');
            (parts.next().unwrap().to_string(), parts.next().unwrap_or("").trim().to_string())
        })
        .collect()
}

fn generated(name: &str, text: &str) -> (Vec<u8>, String) {
    let mut input = Vec::new();
    let mut file_name = None;
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("# file:") {
            file_name = Some(f.trim().to_string());
        } else if let Some(part) = line.strip_prefix("# part:") {
            let (count, string) = part.trim().split_once(' ').unwrap_or_else(|| panic!("{name}: bad part {line:?}"));
            let count: usize = count.parse().unwrap_or_else(|e| panic!("{name}: bad count in {line:?}: {e}"));
            let string: String = serde_json::from_str(string).unwrap_or_else(|e| panic!("{name}: bad string: {e}"));
            input.extend(string.repeat(count).into_bytes());
        }
    }
    (input, file_name.unwrap_or_else(|| panic!("{name}: no `# file:` line")))
}

fn cases() -> Vec<Case> {
    let dir = root().join("tests/fixtures/invalid");
    let base: Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    let mut cases = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_string();
        let expect_file = path.with_extension("expect");
        let mut said = Vec::new();
        let (input, file_name, expected) = if ext == "expect" {
            continue;
        } else if expect_file.is_file() {
            let file_name = if ext == "bin" { "case.json".to_string() } else { format!("case.{ext}") };
            let expected = expectations(&std::fs::read_to_string(&expect_file).unwrap());
            (std::fs::read(&path).unwrap(), file_name, expected)
        } else if ext == "gen" {
            let text = std::fs::read_to_string(&path).unwrap();
            let (input, file_name) = generated(&name, &text);
            (input, file_name, expectations(&text))
        } else if ext == "yaml" {
            let text = std::fs::read_to_string(&path).unwrap();
            let expected = expectations(&text);
            said = says(&text);
            if text.starts_with("# whole") {
                (text.into_bytes(), "case.yaml".to_string(), expected)
            } else {
                let patch: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name}: bad patch: {e}"));
                let mut doc = base.clone();
                merge(&mut doc, &patch);
                (serde_json::to_vec(&doc).unwrap(), "case.json".to_string(), expected)
            }
        } else {
            panic!("{name}: not a fixture kind this harness knows (see the module comment)");
        };
        assert!(!expected.is_empty(), "{name} lists no `# expect:` lines");
        cases.push(Case { name, file_name, input, expected, says: said });
    }
    cases
}

#[test]
fn every_fixture_gives_its_diagnostics_in_process_and_from_the_binary() {
    let cases = cases();
    let mut failures = Vec::new();
    let mut printed = Vec::new();
    for case in &cases {
        let name = &case.name;
        match monstack::build(&case.file_name, &case.input) {
            Ok(_) => failures.push(format!("{name}: accepted, expected {:?}", case.expected)),
            Err(diags) => {
                let got: BTreeSet<(String, String)> =
                    diags.iter().map(|d| (d.code.to_string(), d.path.clone())).collect();
                if got != case.expected {
                    failures.push(format!(
                        "{name}:\n  expected {:?}\n  got      {got:?}\n  messages: {:#?}",
                        case.expected,
                        diags.iter().map(ToString::to_string).collect::<Vec<_>>()
                    ));
                }
                let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
                for want in &case.says {
                    if !text.iter().any(|t| t.contains(want.as_str())) {
                        failures.push(format!("{name}: no diagnostic says {want:?}: {text:#?}"));
                    }
                }
                for d in &diags {
                    assert!(d.hint.is_some(), "{name}: diagnostic without a hint: {d}");
                    assert!(!d.env.is_empty(), "{name}: diagnostic without an environment");
                }
                printed.push(diags.iter().map(ToString::to_string).collect::<Vec<_>>());
            }
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) failed:\n{}", failures.len(), failures.join("\n"));

    // The binary, a few processes at a time: each must fail the way the library does.
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let chunk = cases.len().div_ceil(workers);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .zip(printed.chunks(chunk))
            .map(|(cases, printed)| {
                s.spawn(move || {
                    cases.iter().zip(printed).filter_map(|(c, p)| run_binary(tmp, c, p)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "{} fixture(s) failed in the binary:\n{}", failures.len(), failures.join("\n"));
    assert!(cases.len() >= 100, "only {} fixtures", cases.len());
    eprintln!("{} invalid-input fixtures checked, in process and through the binary", cases.len());
}

/// Renders one case with the binary; what went wrong, if anything.
fn run_binary(tmp: &Path, case: &Case, diagnostics: &[String]) -> Option<String> {
    let dir = tmp.join(&case.name);
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(&case.file_name), &case.input).unwrap();
    let out = dir.join("out");
    // Run where the spec is, by its bare name: the binary's `--> file:line:col` then names it
    // as the library was given it.
    let o = Command::new(env!("CARGO_BIN_EXE_monstack"))
        .args(["render", "--spec", &case.file_name, "--out", out.to_str().unwrap()])
        .current_dir(&dir)
        .output()
        .expect("monstack runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    let name = &case.name;
    if o.status.code() != Some(1) {
        return Some(format!("{name}: exit {:?}, expected 1:\n{stderr}", o.status.code()));
    }
    if stderr.contains("panicked") {
        return Some(format!("{name}: panicked:\n{stderr}"));
    }
    if out.exists() {
        return Some(format!("{name}: an output folder was created"));
    }
    let missing: Vec<&String> = diagnostics.iter().filter(|d| !stderr.contains(d.as_str())).collect();
    if !missing.is_empty() {
        return Some(format!("{name}: the binary did not print {missing:#?}\nstderr:\n{stderr}"));
    }
    None
}
