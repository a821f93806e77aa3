//! The secret scanner over rendered files: the CreativeFlow bundles are clean, a render that
//! would write a secret writes nothing, and `check` finds a secret put into a bundle on disk.

mod common;

use common::{ENVS, example, patched_dev, read_tree};

fn monstack(args: &[&str]) -> Output {
    common::monstack_with(args, &[])
}
use std::path::Path;
use std::process::Output;

fn render(spec: &Path, out: &Path) -> Output {
    monstack(&["render", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap()])
}

#[test]
fn every_creativeflow_bundle_scans_clean() {
    for env in ENVS {
        let bundle = monstack::build(&format!("{env}.json"), &std::fs::read(example(env)).unwrap())
            .unwrap_or_else(|d| panic!("{env}: {d:?}"));
        // The manifest is added after the render-path scan; scan it here too.
        assert!(bundle.files().contains_key("manifest.json"));
        for (path, bytes) in bundle.files() {
            let found = monstack::secrets::scan(std::str::from_utf8(bytes).unwrap());
            assert!(found.is_empty(), "{env}: {path}: {found:?}");
        }
    }
}

/// The fixture's spec: a description whose second line, rendered as a YAML block, assigns a
/// password.
fn spec_rendering_a_password(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("leaky.json");
    std::fs::write(&path, patched_dev("invalid/secret_in_rendered_annotation.yaml").to_string()).unwrap();
    path
}

#[test]
fn a_render_that_would_write_a_secret_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    assert!(render(&example("dev"), &out).status.success());
    let before = read_tree(&out);
    let o = render(&spec_rendering_a_password(tmp.path()), &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("error[secret/rendered]: env dev: prometheus/rules/custom_alerts.yml:"), "{err}");
    assert!(!err.contains("hunter2"), "the diagnostic repeats the secret: {err}");
    assert_eq!(read_tree(&out), before, "the previous bundle changed");
}

#[test]
fn check_finds_a_secret_written_into_a_bundle_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    assert!(render(&example("dev"), &out).status.success());
    let loki = out.join("loki/loki-config.yaml");
    let mut text = std::fs::read_to_string(&loki).unwrap();
    text.push_str("# password: hunter2\n");
    let line = text.lines().count();
    std::fs::write(&loki, text).unwrap();
    let o = monstack(&["check", "--no-external", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("error[secret/rendered]: env dev: loki/loki-config.yaml:{line}:")), "{err}");
}
