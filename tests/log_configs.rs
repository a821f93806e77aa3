//! The in-process models of Loki's, Promtail's and Alloy's configuration accept every bundle
//! monstack renders (Loki 3.x and 2.9) and reject what the tools would: unknown and removed
//! keys, version-bound features, misplaced blocks.

mod common;

use common::text;

use monstack::conf::{self, Versions};
use monstack::syntax::Version;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn bundle(env: &str, loki: Option<&str>) -> monstack::bundle::Bundle {
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(common::example(env)).unwrap()).unwrap();
    if let Some(l) = loki {
        spec["versions"]["loki"] = l.into();
    }
    monstack::build("spec.json", &serde_json::to_vec(&spec).unwrap()).unwrap()
}

#[test]
fn every_rendered_log_config_fits_its_model() {
    for (env, loki) in [("dev", None), ("staging", None), ("prod", None), ("dev", Some("2.9.8"))] {
        let b = bundle(env, loki);
        let spec: serde_json::Value = serde_json::from_slice(b.get("spec.json").unwrap()).unwrap();
        let version = |t: &str| v(spec["versions"][t].as_str().unwrap());
        let versions = Versions { loki: version("loki"), promtail: version("promtail"), alloy: version("alloy") };
        assert_eq!(conf::check(b.files(), versions), vec![], "{env} {loki:?}");
    }
}

#[test]
fn the_models_reject_what_the_tools_would() {
    let prod = bundle("prod", None);
    let loki3 = text(&prod, "loki/loki-config.yaml");
    let loki29 = text(&bundle("dev", Some("2.9.8")), "loki/loki-config.yaml");
    let promtail = text(&prod, "promtail/promtail-config.yaml");
    let alloy = text(&prod, "alloy/config.alloy");
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        (
            "a key Loki 3 removed",
            conf::loki::check(
                &loki3.replace("  delete_request_store: s3", "  delete_request_store: s3\n  shared_store: s3"),
                v("3.6.0"),
            ),
            "compactor.shared_store was removed in Loki 3.0",
        ),
        (
            "a misspelt limit",
            conf::loki::check(&loki3.replace("max_query_parallelism: 64", "max_query_paralelism: 64"), v("3.6.0")),
            "unknown field `max_query_paralelism`",
        ),
        (
            "retention without a delete store on Loki 3",
            conf::loki::check(&loki3.replace("  delete_request_store: s3\n", ""), v("3.6.0")),
            "delete_request_store",
        ),
        (
            "the 2.9 layout run by Loki 3",
            conf::loki::check(
                &loki29
                    .replace("\n    shared_store: filesystem\n", "\n")
                    .replace("\n  shared_store: filesystem\n", "\n"),
                v("3.6.0"),
            ),
            "schema v13",
        ),
        (
            "a memberlist ring without peers",
            conf::loki::check(
                &loki3
                    .replace("  - loki-read:7946\n  - loki-write:7946\n  - loki-backend:7946\n", "  []\n")
                    .replace("join_members:\n  []", "join_members: []"),
                v("3.6.0"),
            ),
            "nobody to gossip with",
        ),
        (
            "the seed's Kubernetes role",
            conf::promtail::check(&promtail.replacen("- role: pod", "- role: LabeledPods", 1), v("3.5.0")),
            "unknown variant `LabeledPods`",
        ),
        (
            "an unknown pipeline stage",
            conf::promtail::check(&promtail.replacen("- cri: {}", "- crio: {}", 1), v("3.5.0")),
            "\"crio\" is not a Promtail pipeline stage",
        ),
        (
            "an unknown Promtail key",
            conf::promtail::check(&promtail.replacen("positions:", "position_file: x\npositions:", 1), v("3.5.0")),
            "unknown field `position_file`",
        ),
        (
            "an argument an Alloy block does not take",
            conf::alloy::check(
                &alloy.replacen("\trole = \"pod\"", "\trole = \"pod\"\n\tport_name = \"http\"", 1),
                v("1.11.0"),
            ),
            "discovery.kubernetes has no argument port_name",
        ),
        (
            "a block out of place",
            conf::alloy::check(&alloy.replacen("\tstage.cri {", "\trule {", 1), v("1.11.0")),
            "rule is not a block Alloy takes in a loki.process block",
        ),
        (
            "positions taken over by an Alloy too old for it",
            conf::alloy::check(&alloy, v("1.10.0")),
            "legacy_positions_file needs Alloy 1.11",
        ),
        ("an unbalanced file", conf::alloy::check(&format!("{alloy}}}\n"), v("1.11.0")), "closes no block"),
    ];
    for (what, problems, says) in cases {
        assert!(problems.iter().any(|p| p.contains(says)), "{what}: expected {says:?} in {problems:#?}");
    }
}
