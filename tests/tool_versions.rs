//! What monstack renders follows the tool versions an environment declares (`versions.*`).
//! The end-to-end test runs whole bundles on Prometheus 2.53 and on Prometheus 3 (tests/e2e.rs);
//! these are the version gates themselves.

mod common;

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn prod_for(prometheus: &str) -> BTreeMap<String, Vec<u8>> {
    let mut spec: Value = serde_json::from_slice(&std::fs::read(common::example("prod")).unwrap()).unwrap();
    spec["versions"]["prometheus"] = json!(prometheus);
    let bundle = monstack::build("spec.json", &serde_json::to_vec(&spec).unwrap()).unwrap();
    bundle.files().clone()
}

fn yaml(files: &BTreeMap<String, Vec<u8>>, path: &str) -> serde_yaml::Value {
    serde_yaml::from_slice(&files[path]).unwrap()
}

fn server_flags(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let flags: Value = serde_json::from_slice(&files["prometheus/flags.json"]).unwrap();
    flags["roles"]["a"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect()
}

/// Prometheus 3.8 deprecated the `--storage.tsdb.retention.*` flags for the configuration
/// file's `storage.tsdb.retention`; older versions reject that field. So the retention is in
/// exactly one of the two places, chosen by `versions.prometheus`.
#[test]
fn retention_is_a_flag_before_prometheus_3_8_and_configuration_from_it() {
    let old = prod_for("3.7.2");
    let flags = server_flags(&old);
    assert!(flags.contains(&"--storage.tsdb.retention.time=30d".to_string()), "{flags:?}");
    assert!(flags.contains(&"--storage.tsdb.retention.size=200GB".to_string()), "{flags:?}");
    assert!(yaml(&old, "prometheus/prometheus.a.yml").get("storage").is_none());

    let new = prod_for("3.8.0");
    let flags = server_flags(&new);
    assert!(!flags.iter().any(|f| f.starts_with("--storage.tsdb.retention")), "{flags:?}");
    for replica in ["a", "b"] {
        let config = yaml(&new, &format!("prometheus/prometheus.{replica}.yml"));
        let retention = &config["storage"]["tsdb"]["retention"];
        assert_eq!(retention["time"], "30d", "replica {replica}");
        assert_eq!(retention["size"], "200GB", "replica {replica}");
    }
}

/// The gate is needed: a Prometheus before 3.8 (Debian's 3.5 here) refuses the configuration
/// rendered for 3.8 and accepts the one rendered for itself.
#[test]
fn prometheus_3_5_refuses_the_retention_field_and_accepts_its_own_rendering() {
    let promtool = Path::new("/opt/monstack/prometheus3/usr/bin/promtool");
    if !promtool.is_file() {
        assert!(!common::in_ci(), "CI must provide {}; run .ci/install", promtool.display());
        eprintln!("SKIP: {} missing (install with .ci/install)", promtool.display());
        return;
    }
    let check = |files: &BTreeMap<String, Vec<u8>>| {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("prometheus.yml");
        // Only the main file: its rule and scrape-config files are checked elsewhere.
        let mut config = yaml(files, "prometheus/prometheus.a.yml");
        let map = config.as_mapping_mut().unwrap();
        map.remove("rule_files");
        map.remove("scrape_config_files");
        map.remove("remote_write");
        map.remove("alerting");
        std::fs::write(&file, serde_yaml::to_string(&config).unwrap()).unwrap();
        Command::new(promtool).args(["check", "config", "--syntax-only"]).arg(&file).output().unwrap()
    };
    let own = check(&prod_for("3.5.3"));
    assert!(own.status.success(), "{}", String::from_utf8_lossy(&own.stderr));
    let newer = check(&prod_for("3.8.0"));
    assert!(!newer.status.success(), "promtool 3.5 accepted storage.tsdb.retention");
    let said = String::from_utf8_lossy(&newer.stderr);
    assert!(said.contains("retention"), "{said}");
}
