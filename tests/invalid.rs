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
//! Every message, hint and location is snapshotted in `tests/golden/invalid-messages.txt`
//! (rewritten by `MONSTACK_BLESS=1 cargo test --test invalid`; review the diff).
//!
//! Every case also goes through the binary (`monstack render`), which must exit 1 — the
//! diagnostic exit code, not a panic's 101 — print each diagnostic, and create no output, in
//! bounded memory and time: each run's peak resident memory and CPU time are measured
//! ([`common::run_measured`]) and held to [`MAX_RSS_MIB`] and [`MAX_CPU`]. Hostile inputs —
//! huge lists, deep nesting, alias bombs — are `.gen` cases; a spec over the size limit is
//! refused from its size, unread (`an_oversized_spec_is_refused_unread`).

mod common;

use common::{Measured, example, merge, root, run_measured};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Most memory one refusal may take. A refusal reads at most the 8 MiB size limit; before the
/// value budget a list of 4 million zeros inside it took 1.5 GB (in YAML 670 MB), and before the
/// bounded read a 50 MB spec was read whole (118 MB).
const MAX_RSS_MIB: u64 = 96;
/// Most CPU time one refusal may take (a debug build): the list of zeros took 28 s.
const MAX_CPU: std::time::Duration = std::time::Duration::from_secs(10);
/// When a run is given up on (and fails the test).
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

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
    messages_match_their_snapshot(&cases, &printed);

    // The binary, a few processes at a time: each must fail the way the library does.
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let chunk = cases.len().div_ceil(workers);
    let runs: Vec<(String, Option<String>, Measured)> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .zip(printed.chunks(chunk))
            .map(|(cases, printed)| {
                s.spawn(move || {
                    cases
                        .iter()
                        .zip(printed)
                        .map(|(c, p)| {
                            let (failure, cost) = run_binary(tmp, c, p);
                            (c.name.clone(), failure, cost)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut failures: Vec<String> = runs.iter().filter_map(|(_, f, _)| f.clone()).collect();
    for (name, _, cost) in &runs {
        if cost.max_rss_kib > MAX_RSS_MIB * 1024 || cost.cpu > MAX_CPU {
            failures.push(format!(
                "{name}: {} KiB peak, {:.2} s CPU: more than {MAX_RSS_MIB} MiB or {MAX_CPU:?}",
                cost.max_rss_kib,
                cost.cpu.as_secs_f64()
            ));
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) failed in the binary:\n{}", failures.len(), failures.join("\n"));
    // The generated (hostile) cases and the costliest others, for the record
    // (`cargo test --test invalid -- --nocapture`).
    let mut costly: Vec<&(String, Option<String>, Measured)> = runs.iter().collect();
    costly.sort_by_key(|(_, _, c)| std::cmp::Reverse(c.max_rss_kib));
    let shown = costly.iter().enumerate().filter(|(i, (name, _, _))| *i < 5 || name.ends_with(".gen"));
    for (_, (name, _, c)) in shown {
        eprintln!(
            "{name:<40} {:>7} KiB peak {:>6.2} s CPU {:>6.2} s wall",
            c.max_rss_kib,
            c.cpu.as_secs_f64(),
            c.wall.as_secs_f64()
        );
    }
    assert!(cases.len() >= 100, "only {} fixtures", cases.len());
    eprintln!("{} invalid-input fixtures checked, in process and through the binary", cases.len());
}

/// Renders one case with the binary: what went wrong, if anything, and what it cost.
fn run_binary(tmp: &Path, case: &Case, diagnostics: &[String]) -> (Option<String>, Measured) {
    let dir = tmp.join(&case.name);
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(&case.file_name), &case.input).unwrap();
    let out = dir.join("out");
    // Run where the spec is, by its bare name: the binary's `--> file:line:col` then names it
    // as the library was given it.
    let o = run_measured(
        env!("CARGO_BIN_EXE_monstack"),
        &["render", "--spec", &case.file_name, "--out", out.to_str().unwrap()],
        &dir,
        None,
        DEADLINE,
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    let name = &case.name;
    let failure = if o.code != Some(1) {
        Some(format!("{name}: exit {:?}, expected 1:\n{stderr}", o.code))
    } else if stderr.contains("panicked") {
        Some(format!("{name}: panicked:\n{stderr}"))
    } else if out.exists() {
        Some(format!("{name}: an output folder was created"))
    } else {
        let missing: Vec<&String> = diagnostics.iter().filter(|d| !stderr.contains(d.as_str())).collect();
        (!missing.is_empty()).then(|| format!("{name}: the binary did not print {missing:#?}\nstderr:\n{stderr}"))
    };
    (failure, o)
}

/// A spec over the 8 MiB limit is refused from its size before it is read, from a file (its
/// metadata) and from standard input (after the limit and one byte): the process never holds
/// it. Before, `monstack` read it whole first (a 50 MB spec: 118 MB resident).
#[test]
fn an_oversized_spec_is_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("big.json");
    // 50 MiB of a sparse file: costs no disk, and reading it would cost 50 MiB of memory.
    std::fs::File::create(&spec).unwrap().set_len(50 << 20).unwrap();
    let bin = env!("CARGO_BIN_EXE_monstack");
    // 50 MiB of spaces, streamed: the test itself never holds them.
    let spaces = || -> Option<common::Feed> {
        Some(Box::new(|pipe| {
            let chunk = vec![b' '; 1 << 20];
            // The child stops reading at the limit: the rest fails with EPIPE, as it should.
            for _ in 0..50 {
                if pipe.write_all(&chunk).is_err() {
                    return;
                }
            }
        }))
    };
    let from_file = run_measured(bin, &["validate", spec.to_str().unwrap()], tmp.path(), None, DEADLINE);
    let from_stdin = run_measured(bin, &["validate", "-"], tmp.path(), spaces(), DEADLINE);
    let stdin_json = run_measured(bin, &["validate", "--format", "json", "-"], tmp.path(), spaces(), DEADLINE);
    for (what, run, says) in [
        ("file", &from_file, "the spec is 50.0 MiB (52428800 bytes), more than the 8.0 MiB (8388608 bytes) accepted"),
        ("stdin", &from_stdin, "the spec is more than the 8.0 MiB (8388608 bytes) accepted"),
    ] {
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.code, Some(1), "{what}: {stderr}");
        assert!(stderr.contains("error[spec/too-large]") && stderr.contains(says), "{what}: {stderr}");
        eprintln!(
            "50 MiB spec from {what}: refused with {} KiB peak, {:.3} s CPU, {:.3} s wall",
            run.max_rss_kib,
            run.cpu.as_secs_f64(),
            run.wall.as_secs_f64()
        );
    }
    // Unread: the file's 50 MiB never in memory (the 8 MiB a stream may give before it stops is).
    assert!(from_file.max_rss_kib < 24 * 1024, "{} KiB", from_file.max_rss_kib);
    assert!(from_stdin.max_rss_kib < 40 * 1024, "{} KiB", from_stdin.max_rss_kib);
    let doc: Value = serde_json::from_slice(&stdin_json.stdout).unwrap();
    assert_eq!(doc["diagnostics"][0]["code"], "spec/too-large", "{doc}");
}

/// Every fixture's diagnostics as printed (message, location, hint) against the snapshot, so a
/// changed wording is a reviewed diff rather than unseen.
fn messages_match_their_snapshot(cases: &[Case], printed: &[Vec<String>]) {
    let mut text = String::new();
    for (case, lines) in cases.iter().zip(printed) {
        text.push_str(&format!("== {}\n", case.name));
        lines.iter().for_each(|l| text.push_str(&format!("{l}\n")));
    }
    let path = root().join("tests/golden/invalid-messages.txt");
    if common::blessing() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    let sections = |t: &str| -> std::collections::BTreeMap<String, String> {
        t.split("== ")
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (name, body) = s.split_once('\n').unwrap_or((s, ""));
                (name.to_string(), body.to_string())
            })
            .collect()
    };
    let (want, got) = (sections(&snapshot), sections(&text));
    let changed: Vec<String> = want
        .keys()
        .chain(got.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| want.get(*k) != got.get(*k))
        .map(|k| format!("{k}:\n  snapshot: {:?}\n  now:      {:?}", want.get(k), got.get(k)))
        .collect();
    assert!(
        changed.is_empty(),
        "{} fixture(s) print other messages than tests/golden/invalid-messages.txt (if intended, run `MONSTACK_BLESS=1 cargo test --test invalid` and review the diff):\n{}",
        changed.len(),
        changed.join("\n")
    );
}
