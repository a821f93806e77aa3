//! The README's quick start, run as written: the shell block under "## Quick start", line by
//! line in bash, in a copy of the repository's files (so `--path .` builds this checkout and
//! `init` writes there). The installation goes to a folder of the test's (`CARGO_INSTALL_ROOT`)
//! and reuses the repository's target folder; nothing else differs from a user's run.

mod common;

use common::root;
use std::process::Command;

fn quick_start() -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme.split_once("## Quick start").expect("README has a Quick start section").1;
    let block = section.split_once("```sh\n").expect("a sh block").1;
    block.split_once("```").expect("the block ends").0.to_string()
}

#[test]
fn the_readme_quick_start_runs_as_written() {
    let script = quick_start();
    assert!(script.contains("monstack init") && script.contains("monstack check bundle"), "{script}");
    let tmp = tempfile::tempdir().unwrap();
    let checkout = tmp.path().join("monstack");
    // The files git tracks, as they are in the working tree.
    let listed = Command::new("git").args(["ls-files", "-z"]).current_dir(root()).output().unwrap();
    assert!(listed.status.success());
    for file in listed.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let rel = std::str::from_utf8(file).unwrap();
        let (from, to) = (root().join(rel), checkout.join(rel));
        if from.is_file() {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let install = tmp.path().join("install");
    let path = format!("{}:{}", install.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let run = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&checkout)
        .env("CARGO_INSTALL_ROOT", &install)
        .env("CARGO_TARGET_DIR", root().join("target/quick-start"))
        .env("PATH", path)
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "the quick start failed:\n{said}");
    assert!(checkout.join("bundle/manifest.json").is_file(), "{said}");
    assert!(said.contains("ok: bundle for env staging"), "{said}");
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(checkout.join("spec.schema.json")).unwrap()).unwrap();
    assert!(schema["properties"]["alertmanager"].is_object());
}

/// `init` writes the examples as they are in the repository, and they render and pass
/// `check`'s in-process checks (and promtool and amtool, in tests/cli.rs's external run).
#[test]
fn init_writes_the_starter_or_the_minimal_spec_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let monstack = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_monstack")).args(args).current_dir(tmp.path()).output().unwrap()
    };
    for (args, example) in [(vec!["init"], "starter.yaml"), (vec!["init", "small.yaml", "--minimal"], "minimal.yaml")] {
        let o = monstack(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let file = args.get(1).copied().unwrap_or("monitoring.yaml");
        let written = std::fs::read_to_string(tmp.path().join(file)).unwrap();
        assert_eq!(written, std::fs::read_to_string(root().join("examples").join(example)).unwrap());
        assert!(written.starts_with("# yaml-language-server: $schema=spec.schema.json\n"));
        let out = format!("bundle-{example}");
        let o = monstack(&["render", file, "--out", &out]);
        assert!(o.status.success(), "{example}: {}", String::from_utf8_lossy(&o.stderr));
        let o = monstack(&["check", "--no-external", &out]);
        assert!(o.status.success(), "{example}: {}", String::from_utf8_lossy(&o.stderr));
    }
    let o = monstack(&["init"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert!(monstack(&["init", "--force"]).status.success());
}
