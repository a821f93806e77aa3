//! Component hashes: a change confined to one tool changes only that component's hash, so
//! reload triggers keyed on the hashes restart only what changed.

mod common;

use monstack::bundle::Manifest;

fn manifest(spec: &serde_json::Value) -> Manifest {
    let bundle = monstack::build("spec.json", &serde_json::to_vec(spec).unwrap()).unwrap();
    serde_json::from_slice(bundle.get("manifest.json").unwrap()).unwrap()
}

#[test]
fn a_grafana_only_change_keeps_the_other_component_hashes() {
    let base: serde_json::Value = serde_json::from_slice(&std::fs::read(common::example("prod")).unwrap()).unwrap();
    let mut changed = base.clone();
    changed["grafana"]["allow_ui_updates"] = true.into();
    let (a, b) = (manifest(&base), manifest(&changed));
    assert_ne!(a.spec_sha256, b.spec_sha256);
    for (name, component) in &a.components {
        if name == "grafana" {
            assert_ne!(component, &b.components[name], "grafana should change");
        } else {
            assert_eq!(component, &b.components[name], "{name} changed with a Grafana-only edit");
        }
    }
}

#[test]
fn a_loki_only_change_keeps_the_other_component_hashes() {
    let base: serde_json::Value = serde_json::from_slice(&std::fs::read(common::example("prod")).unwrap()).unwrap();
    let mut changed = base.clone();
    changed["loki"]["retention"]["period"] = "120d".into();
    let (a, b) = (manifest(&base), manifest(&changed));
    let differing: Vec<&String> = a.components.keys().filter(|k| a.components[*k] != b.components[*k]).collect();
    // The catalogue (`docs/`) lists the retention tiers, so it changes with them.
    assert_eq!(differing, vec!["docs", "loki"]);
}

#[test]
fn key_order_and_format_do_not_change_the_spec_hash() {
    let base: serde_json::Value = serde_json::from_slice(&std::fs::read(common::example("dev")).unwrap()).unwrap();
    let yaml = serde_yaml::to_string(&base).unwrap();
    let from_yaml = monstack::build("dev.yaml", yaml.as_bytes()).unwrap();
    let from_json = monstack::build("dev.json", &serde_json::to_vec_pretty(&base).unwrap()).unwrap();
    assert_eq!(from_yaml, from_json);
}

#[test]
fn shippers_select_which_log_configs_are_rendered() {
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(common::example("prod")).unwrap()).unwrap();
    spec["promtail"]["shippers"] = serde_json::json!(["alloy"]);
    // Meta-monitoring follows: no Promtail agent to scrape.
    spec["meta"]["promtail"] = serde_json::json!([]);
    // Promtail 3.7 does not exist, but it is not rendered either.
    spec["versions"]["promtail"] = "3.7.0".into();
    let bundle = monstack::build("spec.json", &serde_json::to_vec(&spec).unwrap()).unwrap();
    assert!(bundle.get("alloy/config.alloy").is_some());
    assert!(bundle.files().keys().all(|k| !k.starts_with("promtail/")));
    let alloy = String::from_utf8(bundle.get("alloy/config.alloy").unwrap().to_vec()).unwrap();
    for source in ["system", "security_audit", "kubernetes_pods", "ai_custom_models"] {
        assert!(alloy.contains(&format!("loki.source.file \"{source}\"")), "{source} missing:\n{alloy}");
    }
}

#[test]
fn promtail_positions_are_taken_over_only_where_alloy_can_read_them() {
    let alloy_for = |version: &str| {
        let mut spec: serde_json::Value =
            serde_json::from_slice(&std::fs::read(common::example("dev")).unwrap()).unwrap();
        spec["versions"]["alloy"] = version.into();
        let bundle = monstack::build("spec.json", &serde_json::to_vec(&spec).unwrap()).unwrap();
        String::from_utf8(bundle.get("alloy/config.alloy").unwrap().to_vec()).unwrap()
    };
    assert!(alloy_for("1.11.0").contains("legacy_positions_file = \"/var/lib/promtail/positions.yaml\""));
    assert!(!alloy_for("1.10.2").contains("legacy_positions_file"));
}

/// `loki.size` sets the limits' defaults; a value given in `loki.limits` wins over it.
#[test]
fn loki_limits_default_from_the_size_and_yield_to_given_values() {
    let loki = |spec: &serde_json::Value| -> serde_yaml::Value {
        let bundle = monstack::build("spec.json", &serde_json::to_vec(spec).unwrap()).unwrap();
        serde_yaml::from_slice(bundle.get("loki/loki-config.yaml").unwrap()).unwrap()
    };
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(common::example("dev")).unwrap()).unwrap();
    for (size, rate, parallelism, tsdb) in [("small", 4.0, 16, 64), ("medium", 8.0, 32, 128), ("large", 16.0, 64, 256)]
    {
        spec["loki"]["size"] = size.into();
        let l = &loki(&spec)["limits_config"];
        assert_eq!(l["ingestion_rate_mb"].as_f64(), Some(rate), "{size}");
        assert_eq!(l["max_query_parallelism"].as_u64(), Some(parallelism), "{size}");
        assert_eq!(l["tsdb_max_query_parallelism"].as_u64(), Some(tsdb), "{size}");
    }
    spec["loki"]["limits"] = serde_json::json!({ "max_query_parallelism": 48, "ingestion_burst_size_mb": 40 });
    let l = &loki(&spec)["limits_config"];
    assert_eq!(l["max_query_parallelism"].as_u64(), Some(48));
    assert_eq!(l["ingestion_burst_size_mb"].as_f64(), Some(40.0));
    assert_eq!(l["ingestion_rate_mb"].as_f64(), Some(16.0), "the rest still comes from the size");
}
