//! The Nix files parse. Evaluation and builds need nixpkgs' lib and run in checks/offline.sh
//! (see README); parsing needs only nix-instantiate, which CI installs.

mod common;

use common::{in_ci, on_path, root};
use monstack::bundle::COMPONENTS;
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

/// The Nix files name the bundle's files through modules/layout.nix (generated from
/// `monstack::bundle::layout`; tests/cli.rs holds it to the binary's), never by a literal of their
/// own: no string in flake.nix or modules/*.nix (but the generated files) has one of its file or
/// folder names as a path segment, nor does one have all the components' names as strings (a
/// list of them again; one name may appear: it is also a service's, a unit's, an option's).
#[test]
fn nix_files_take_the_bundles_file_names_from_the_layout() {
    const GENERATED: [&str; 2] = ["layout.nix", "spec-options.nix"];
    let names: Vec<&str> = monstack::bundle::layout::NIX_NAMES.iter().map(|(_, name)| *name).collect();
    let mut files = vec![root().join("flake.nix")];
    for entry in std::fs::read_dir(root().join("modules")).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if file.ends_with(".nix") && !GENERATED.contains(&file.as_str()) {
            files.push(path);
        }
    }
    let mut found = Vec::new();
    for path in files.iter().filter(|p| p.is_file()) {
        let file = path.strip_prefix(root()).unwrap().display();
        let pieces = string_pieces(&std::fs::read_to_string(path).unwrap());
        for piece in &pieces {
            let spelt = names.iter().filter(|name| is_segment(piece, name));
            found.extend(spelt.map(|name| format!("{file}: {name} in {piece:?}")));
        }
        if COMPONENTS.iter().all(|c| pieces.iter().any(|p| p == c)) {
            found.push(format!("{file}: every component's name (a list of the components?)"));
        }
    }
    assert!(found.is_empty(), "use modules/layout.nix's names instead:\n{}", found.join("\n"));
}

/// Whether `text` holds `name` as a segment of a path: between `/`, white space or its ends.
fn is_segment(text: &str, name: &str) -> bool {
    let bound = |c: Option<char>| c.is_none_or(|c| c == '/' || c.is_whitespace());
    text.match_indices(name)
        .any(|(at, _)| bound(text[..at].chars().next_back()) && bound(text[at + name.len()..].chars().next()))
}

/// The text of Nix source's string literals (`"…"` and `''…''`), piece by piece between their
/// interpolations; comments and code (inside `${…}` too) are left out.
fn string_pieces(src: &str) -> Vec<String> {
    /// What the lexer is in: code (the file, a `{…}` or an interpolation's `${…}`), or a string.
    #[derive(Clone, Copy)]
    enum Mode {
        Code,
        Quoted,
        Indented,
    }
    let mut stack = vec![Mode::Code];
    let (mut pieces, mut piece) = (Vec::new(), Vec::new());
    let mut rest = src.as_bytes();
    while !rest.is_empty() {
        let mode = *stack.last().expect("a `}` closes nothing");
        let step = match (mode, rest) {
            (Mode::Code, [b'#', ..]) => rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len()),
            (Mode::Code, [b'/', b'*', ..]) => rest.windows(2).position(|w| w == b"*/").expect("a comment ends") + 2,
            (Mode::Code, [b'"', ..]) => {
                stack.push(Mode::Quoted);
                1
            }
            (Mode::Code, [b'\'', b'\'', ..]) => {
                stack.push(Mode::Indented);
                2
            }
            (Mode::Code, [b'{', ..]) => {
                stack.push(Mode::Code);
                1
            }
            (Mode::Code, [b'}', ..]) => {
                stack.pop();
                1
            }
            (Mode::Code, _) => 1,
            (_, [b'$', b'{', ..]) => {
                pieces.push(std::mem::take(&mut piece));
                stack.push(Mode::Code);
                2
            }
            (Mode::Quoted, [b'\\', c, ..]) => {
                piece.push(*c);
                2
            }
            (Mode::Indented, [b'\'', b'\'', b'\'', ..]) => {
                piece.extend(b"''");
                3
            }
            (Mode::Indented, [b'\'', b'\'', b'$', ..]) => {
                piece.push(b'$');
                3
            }
            (Mode::Indented, [b'\'', b'\'', b'\\', c, ..]) => {
                piece.push(*c);
                4
            }
            (Mode::Quoted, [b'"', ..]) | (Mode::Indented, [b'\'', b'\'', ..]) => {
                pieces.push(std::mem::take(&mut piece));
                stack.pop();
                if matches!(mode, Mode::Quoted) { 1 } else { 2 }
            }
            (_, [c, ..]) => {
                piece.push(*c);
                1
            }
            (_, []) => unreachable!("the loop stops at the end"),
        };
        rest = &rest[step..];
    }
    pieces.into_iter().map(|p| String::from_utf8_lossy(&p).into_owned()).collect()
}
