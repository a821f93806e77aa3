//! The Nix files parse. Evaluation and builds need nixpkgs' lib and run in checks/offline.sh
//! (see README); parsing needs only nix-instantiate, which CI installs.

mod common;

use common::{in_ci, on_path, root};
use std::path::{Path, PathBuf};
use std::process::Command;

fn nix_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() && !name.starts_with('.') && name != "target" && name != "tests" {
            nix_files(&path, out);
        } else if name.ends_with(".nix") {
            out.push(path);
        }
    }
}

#[test]
fn every_nix_file_parses() {
    if !on_path("nix-instantiate") {
        assert!(!in_ci(), "CI must provide nix-instantiate; run .ci/install");
        eprintln!("SKIP every_nix_file_parses: nix-instantiate not on PATH (apt-get install nix-bin)");
        return;
    }
    let mut files = Vec::new();
    nix_files(&root(), &mut files);
    files.sort();
    assert!(files.len() >= 10, "found only {files:?}");
    for f in &files {
        let o = Command::new("nix-instantiate").arg("--parse").arg(f).output().unwrap();
        assert!(o.status.success(), "{} does not parse:\n{}", f.display(), String::from_utf8_lossy(&o.stderr));
    }
    eprintln!("{} Nix files parse", files.len());
}

/// NixOS hosts get Grafana's settings from modules/grafana-settings.nix (no import from
/// derivation: the module cannot read the built bundle); other hosts from the bundle's
/// grafana.ini. Both must say the same: for every environment the Nix function of the spec
/// equals the bundle's grafana/settings.json, which the same renderer writes as grafana.ini.
#[test]
fn nixos_grafana_settings_equal_the_bundles() {
    if !on_path("nix-instantiate") {
        assert!(!in_ci(), "CI must provide nix-instantiate; run .ci/install");
        eprintln!(
            "SKIP nixos_grafana_settings_equal_the_bundles: nix-instantiate not on PATH (apt-get install nix-bin)"
        );
        return;
    }
    let mut oauth_seen = false;
    for env in common::ENVS {
        let golden = root().join("tests/golden").join(env);
        let expr = format!(
            "import {} (builtins.fromJSON (builtins.readFile {}))",
            root().join("modules/grafana-settings.nix").display(),
            golden.join("spec.json").display()
        );
        let o = Command::new("nix-instantiate").args(["--eval", "--strict", "--json", "-E", &expr]).output().unwrap();
        assert!(o.status.success(), "{env}: {}", String::from_utf8_lossy(&o.stderr));
        let from_nix: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let rendered: serde_json::Value =
            serde_json::from_slice(&std::fs::read(golden.join("grafana/settings.json")).unwrap()).unwrap();
        assert_eq!(from_nix, rendered, "{env}: modules/grafana-settings.nix differs from the bundle's settings");
        oauth_seen |= rendered.get("auth.generic_oauth").is_some();
    }
    assert!(oauth_seen, "no environment declares OAuth, so its mapping went untested");
}
