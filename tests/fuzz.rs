//! Property tests: no input makes the loader, the validator or the renderer panic. Every input
//! either yields diagnostics (each with an environment and a hint) or a sealed bundle.
//!
//! The case counts are sized for CI in a debug build (about 40 s for the file on two cores);
//! `PROPTEST_CASES=N` runs N cases of each property for a longer search. Failures are shrunk
//! and saved in `tests/fuzz.proptest-regressions`, replayed first on every run; commit it.

mod common;

use common::patched_dev;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::{Map, Value};

/// Cases per property: the default, or `PROPTEST_CASES`. Failures are saved beside this file
/// (proptest's default looks for a lib.rs, which integration tests do not have).
fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    let persistence = FileFailurePersistence::WithSource("proptest-regressions");
    Config { cases, failure_persistence: Some(Box::new(persistence)), ..Config::default() }
}

/// Builds a document and checks the one property every input must have.
fn build_never_panics(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    match monstack::build(name, bytes) {
        Ok(bundle) => {
            prop_assert!(bundle.get("manifest.json").is_some() && bundle.get("spec.json").is_some());
        }
        Err(diags) => {
            prop_assert!(!diags.is_empty(), "rejected without a diagnostic");
            for d in &diags {
                prop_assert!(d.hint.is_some() && !d.env.is_empty(), "incomplete diagnostic: {d}");
            }
        }
    }
    Ok(())
}

// Unstructured input: raw bytes and text made of the characters JSON and YAML give meaning to.
proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), yaml in any::<bool>()) {
        build_never_panics(if yaml { "spec.yaml" } else { "spec.json" }, &bytes)?;
    }

    #[test]
    fn arbitrary_text_never_panics(
        text in r#"[a-z0-9_:,\-\[\]{}"'#&*!|>%@`?. \t\n\\]{0,300}"#,
        any_text in ".{0,100}",
        yaml in any::<bool>(),
    ) {
        let name = if yaml { "spec.yaml" } else { "spec.json" };
        build_never_panics(name, text.as_bytes())?;
        build_never_panics(name, any_text.as_bytes())?;
    }
}

/// One change to the document, applied at the node (in pre-order) the selector picks.
#[derive(Clone, Debug)]
enum Mutation {
    /// Removes the node from its parent object or array.
    Delete,
    /// Replaces the node by a value, usually of another type.
    Replace(Value),
    /// Appends a copy of one of the array's elements (duplicate names, jobs, receivers).
    DuplicateElement(usize),
    /// Adds a key to an object (unknown keys, or known ones the object did not have).
    Insert(String, Value),
    /// Replaces a string by one that is meaningful somewhere: a name, duration or PromQL.
    Text(String),
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        interesting_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Strings of the kinds the spec's fields hold, valid and not: names, durations, versions,
/// label matchers and PromQL, URLs and paths, and a few hostile ones.
fn interesting_text() -> impl Strategy<Value = String> {
    prop_oneof![
        // Names (of jobs, receivers, teams, groups, labels).
        "[a-z][a-z0-9_-]{0,12}",
        prop::sample::select(vec!["", " ", "UPPER", "with space", "ünïcödé", "a/b", "../etc", ".", "-x", "a.b"])
            .prop_map(String::from),
        // Durations.
        "[0-9]{1,4}(ms|s|m|h|d|w|y)",
        prop::sample::select(vec!["0s", "-5m", "1.5m", "5m5m", "1h30m", "30", "99999999999999999999d", "m", "5M"])
            .prop_map(String::from),
        // Versions.
        "v?[0-9]{1,3}\\.[0-9]{1,3}(\\.[0-9]{1,3})?",
        // PromQL and matchers, whole and broken.
        prop::sample::select(vec![
            "up == 0",
            "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) > 1",
            "rate(x[5m]",
            "x{job=\"a\"}[5m:1m]",
            "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
            "{__name__=~\".*\"}",
            "absent(up{job=\"a\"})",
            "a / on(instance) group_left b",
            "{{ $labels.instance }}",
            "severity=\"critical\"",
            "job=~\"(\"",
            "http://loki:3100/loki/api/v1/push",
            "/run/secrets/x",
            "relative/path",
        ])
        .prop_map(String::from),
        // Anything, including control characters and astral planes.
        ".{0,40}",
    ]
}

fn mutation() -> impl Strategy<Value = (usize, Mutation)> {
    let m = prop_oneof![
        2 => Just(Mutation::Delete),
        3 => json_value().prop_map(Mutation::Replace),
        2 => any::<usize>().prop_map(Mutation::DuplicateElement),
        2 => ("[a-z_]{1,12}", json_value()).prop_map(|(k, v)| Mutation::Insert(k, v)),
        4 => interesting_text().prop_map(Mutation::Text),
    ];
    (any::<usize>(), m)
}

/// JSON pointers of every node, in pre-order (the root is "").
fn pointers(v: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_string());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                pointers(child, &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                pointers(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Applies a mutation at the `selector`-th node that it applies to; a mutation that applies
/// nowhere (no array to duplicate in) leaves the document as it is.
fn apply(doc: &mut Value, selector: usize, m: &Mutation) {
    let mut all = Vec::new();
    pointers(doc, "", &mut all);
    let fits = |p: &String| {
        let node = doc.pointer(p).expect("pointer from the document");
        match m {
            Mutation::Delete => !p.is_empty(),
            Mutation::Replace(_) => true,
            Mutation::DuplicateElement(_) => node.as_array().is_some_and(|a| !a.is_empty()),
            Mutation::Insert(..) => node.is_object(),
            Mutation::Text(_) => node.is_string(),
        }
    };
    let candidates: Vec<String> = all.into_iter().filter(fits).collect();
    if candidates.is_empty() {
        return;
    }
    let at = &candidates[selector % candidates.len()];
    match m {
        Mutation::Delete => {
            let (parent, last) = at.rsplit_once('/').expect("not the root");
            let key = last.replace("~1", "/").replace("~0", "~");
            match doc.pointer_mut(parent).expect("parent exists") {
                Value::Object(map) => {
                    map.remove(&key);
                }
                Value::Array(items) => {
                    items.remove(key.parse::<usize>().expect("array index"));
                }
                _ => unreachable!("a child's parent is a container"),
            }
        }
        Mutation::Replace(v) => *doc.pointer_mut(at).expect("node exists") = v.clone(),
        Mutation::DuplicateElement(i) => {
            let items = doc.pointer_mut(at).and_then(Value::as_array_mut).expect("array");
            let copy = items[i % items.len()].clone();
            items.push(copy);
        }
        Mutation::Insert(k, v) => {
            doc.pointer_mut(at).and_then(Value::as_object_mut).expect("object").insert(k.clone(), v.clone());
        }
        Mutation::Text(s) => *doc.pointer_mut(at).expect("node exists") = Value::String(s.clone()),
    }
}

// Structured input: the dev example (with a rule file of its own) after a few random changes,
// written as JSON or YAML. Most mutants are rejected; some render, which exercises the
// renderers on inputs no fixture has.
proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn mutated_specs_give_diagnostics_or_a_bundle(
        mutations in prop::collection::vec(mutation(), 1..5),
        yaml in any::<bool>(),
    ) {
        let mut doc = base();
        for (selector, m) in &mutations {
            apply(&mut doc, *selector, m);
        }
        if yaml {
            build_never_panics("spec.yaml", serde_yaml::to_string(&doc).unwrap().as_bytes())?;
        } else {
            build_never_panics("spec.json", &serde_json::to_vec(&doc).unwrap())?;
        }
    }
}

fn base() -> Value {
    static BASE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    BASE.get_or_init(|| patched_dev("fuzz/user_rules.yaml")).clone()
}

/// The property is only as good as its base: unmutated, it must render, or every mutant would
/// be rejected at the same first check and the renderers never reached.
#[test]
fn the_unmutated_base_renders() {
    let bytes = serde_json::to_vec(&base()).unwrap();
    let bundle = monstack::build("spec.json", &bytes).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(bundle.get("prometheus/rules/custom_alerts.yml").is_some());
}
