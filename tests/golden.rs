//! Golden bundles: rendering each CreativeFlow example must give exactly the committed tree under
//! `tests/golden/<env>/`. After an intended change, rewrite them with
//! `MONSTACK_BLESS=1 cargo test --test golden` and review the diff.

mod common;

use common::{ENVS, blessing, example, read_tree, root};

#[test]
fn examples_render_to_their_goldens() {
    let mut stale = Vec::new();
    for env in ENVS {
        let bytes = std::fs::read(example(env)).unwrap();
        let bundle =
            monstack::build(&format!("{env}.json"), &bytes).unwrap_or_else(|d| panic!("{env} is invalid: {d:#?}"));
        let dir = root().join("tests/golden").join(env);
        if blessing() {
            // A golden folder is wholly rendered: files a merge left behind go.
            let replace = monstack::bundle::Replace { force: true, ..Default::default() };
            monstack::bundle::write_atomic(&dir, bundle.files(), replace).unwrap();
            continue;
        }
        let golden = read_tree(&dir);
        for path in bundle.files().keys().chain(golden.keys()) {
            if bundle.get(path) != golden.get(path).map(Vec::as_slice) {
                stale.push(format!("{env}/{path}"));
            }
        }
    }
    stale.sort();
    stale.dedup();
    assert!(
        stale.is_empty(),
        "rendered output differs from the goldens in: {stale:?}\nif the change is intended, run `MONSTACK_BLESS=1 cargo test --test golden` and review the diff"
    );
}

/// Loki 2.9 renders boltdb-shipper with schema v12 and the compactor's shared_store, and its
/// shippers keep request ids in the (whole JSON) line, as 2.9 has no structured metadata here;
/// its goldens are `tests/golden/loki-2.9/` (dev with `versions.loki = "2.9.8"`).
#[test]
fn loki_2_9_renders_to_its_golden() {
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    spec["versions"]["loki"] = "2.9.8".into();
    let bundle = monstack::build("dev.json", &serde_json::to_vec(&spec).unwrap()).unwrap();
    let files = ["loki/loki-config.yaml", "promtail/promtail-config.yaml", "alloy/config.alloy"];
    for file in files {
        let rendered = bundle.get(file).unwrap();
        let golden = root().join("tests/golden/loki-2.9").join(file.rsplit('/').next().unwrap());
        if blessing() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, rendered).unwrap();
            continue;
        }
        assert!(
            std::fs::read(&golden).unwrap() == rendered,
            "the Loki 2.9 rendering of {file} differs from {}; bless with MONSTACK_BLESS=1 cargo test --test golden",
            golden.display()
        );
    }
    let text = |f: &str| String::from_utf8(bundle.get(f).unwrap().to_vec()).unwrap();
    let loki = text(files[0]);
    for needle in ["store: boltdb-shipper", "schema: v12", "shared_store: filesystem"] {
        assert!(loki.contains(needle), "{needle} missing:\n{loki}");
    }
    for absent in ["delete_request_store", "tsdb_max_query_parallelism"] {
        assert!(!loki.contains(absent), "{absent} in:\n{loki}");
    }
    for (shipper, output) in [(text(files[1]), "- output:"), (text(files[2]), "stage.output")] {
        assert!(shipper.contains("json") && !shipper.contains("structured_metadata"), "{shipper}");
        assert!(!shipper.contains(output), "the whole line, ids included, is kept:\n{shipper}");
    }
}
