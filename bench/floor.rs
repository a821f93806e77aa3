//! The least work any render + validation of a bundle must do with the crates monstack is built
//! on: parse every rule expression and every test input series once (promql-parser) and write
//! the rule and test files once (serde_yaml), on one core. Nothing else (lints, routing,
//! dashboards, docs, hashing) is counted. `bench/bench.py` runs it on the fleet's bundle to
//! show how far the 0.1 × `promtool check rules` target is from what these steps alone cost.
//!
//! `cargo bench --bench floor -- <bundle folder>`; prints one JSON object.

use serde_yaml::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn files(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, suffix, out);
        } else if path.to_string_lossy().ends_with(suffix) {
            out.push(path);
        }
    }
}

fn load(paths: &[PathBuf]) -> Vec<Value> {
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

/// The fastest of three runs.
fn best(mut run: impl FnMut() -> usize) -> (Duration, usize) {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let n = run();
            (start.elapsed(), n)
        })
        .min()
        .expect("three runs")
}

fn strings<'a>(docs: &'a [Value], list: &str, item: &str, key: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for doc in docs {
        for entry in doc[list].as_sequence().into_iter().flatten() {
            for x in entry[item].as_sequence().into_iter().flatten() {
                out.extend(x[key].as_str());
            }
        }
    }
    out
}

fn main() {
    // `cargo bench` passes `--bench` to a harness-less target; the folder is the other argument.
    let Some(bundle) = std::env::args().skip(1).find(|a| !a.starts_with("--")) else {
        eprintln!("usage: cargo bench --bench floor -- <bundle folder>");
        std::process::exit(2);
    };
    let bundle = Path::new(&bundle);
    let (mut rule_paths, mut test_paths) = (Vec::new(), Vec::new());
    files(&bundle.join("prometheus/rules"), ".yml", &mut rule_paths);
    files(&bundle.join("ruler"), ".yml", &mut rule_paths);
    // The test files; not the rule copies beside some of them, which are pieces of the rule
    // files written again (render/prometheus.rs), not serialised anew.
    files(&bundle.join("prometheus/tests"), "_test.yml", &mut test_paths);
    let (rules, tests) = (load(&rule_paths), load(&test_paths));
    let exprs = strings(&rules, "groups", "rules", "expr");
    let series = strings(&tests, "tests", "input_series", "series");

    let parse = |texts: &[&str]| best(|| texts.iter().filter(|t| promql_parser::parser::parse(t).is_ok()).count());
    let (expr_time, parsed) = parse(&exprs);
    let (series_time, _) = parse(&series);
    assert_eq!(parsed, exprs.len(), "every rule expression of a rendered bundle parses");
    let emit = |docs: &[Value]| best(|| docs.iter().map(|d| serde_yaml::to_string(d).expect("YAML").len()).sum());
    let (rules_yaml, rule_bytes) = emit(&rules);
    let (tests_yaml, test_bytes) = emit(&tests);
    let ms = |d: Duration| (d.as_secs_f64() * 1e4).round() / 10.0;
    println!(
        "{}",
        serde_json::json!({
            "rule_expressions": exprs.len(),
            "parse_rule_expressions_ms": ms(expr_time),
            "test_input_series": series.len(),
            "parse_test_series_ms": ms(series_time),
            "rule_files_yaml_bytes": rule_bytes,
            "write_rule_files_yaml_ms": ms(rules_yaml),
            "test_files_yaml_bytes": test_bytes,
            "write_test_files_yaml_ms": ms(tests_yaml),
            "total_cpu_ms": ms(expr_time + series_time + rules_yaml + tests_yaml),
        })
    );
}
