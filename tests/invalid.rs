//! One fixture per invalid-input case, each with the diagnostics it must produce.
//!
//! `tests/fixtures/invalid/<case>.yaml` is a JSON merge patch (RFC 7386) over the dev example,
//! or a whole document when its first line is `# whole`. Lines `# expect: <code> <path>` list
//! the diagnostics; the test requires exactly that set of (code, path). `<case>.bin` holds raw
//! bytes with the expectations in `<case>.expect`.

mod common;

use common::{example, merge, root};
use serde_json::Value;
use std::collections::BTreeSet;

fn expectations(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("# expect:"))
        .map(|e| {
            let mut parts = e.trim().splitn(2, ' ');
            (parts.next().unwrap().to_string(), parts.next().unwrap_or("").trim().to_string())
        })
        .collect()
}

#[test]
fn every_fixture_gives_its_diagnostics() {
    let dir = root().join("tests/fixtures/invalid");
    let base: Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    let mut cases: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in cases {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (input, name_for_loader, expected) = match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") => {
                let text = std::fs::read_to_string(&path).unwrap();
                let expected = expectations(&text);
                if text.starts_with("# whole") {
                    (text.into_bytes(), "case.yaml".to_string(), expected)
                } else {
                    let patch: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{name}: bad patch: {e}"));
                    let mut doc = base.clone();
                    merge(&mut doc, &patch);
                    (serde_json::to_vec(&doc).unwrap(), "case.json".to_string(), expected)
                }
            }
            Some("bin") => {
                let expect = std::fs::read_to_string(path.with_extension("expect")).unwrap();
                (std::fs::read(&path).unwrap(), "case.json".to_string(), expectations(&expect))
            }
            _ => continue,
        };
        count += 1;
        assert!(!expected.is_empty(), "{name} lists no `# expect:` lines");
        match monstack::build(&name_for_loader, &input) {
            Ok(_) => failures.push(format!("{name}: accepted, expected {expected:?}")),
            Err(diags) => {
                let got: BTreeSet<(String, String)> =
                    diags.iter().map(|d| (d.code.to_string(), d.path.clone())).collect();
                if got != expected {
                    failures.push(format!(
                        "{name}:\n  expected {expected:?}\n  got      {got:?}\n  messages: {:#?}",
                        diags.iter().map(ToString::to_string).collect::<Vec<_>>()
                    ));
                }
                for d in &diags {
                    assert!(d.hint.is_some(), "{name}: diagnostic without a hint: {d}");
                    assert!(!d.env.is_empty(), "{name}: diagnostic without an environment");
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) failed:\n{}", failures.len(), failures.join("\n"));
    assert!(count >= 25, "only {count} fixtures");
    eprintln!("{count} invalid-input fixtures checked");
}
