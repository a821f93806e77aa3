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
            monstack::bundle::write_atomic(&dir, bundle.files()).unwrap();
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
