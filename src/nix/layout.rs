//! Generates `modules/layout.nix` — the bundle's layout ([`crate::bundle::layout`]) as a Nix
//! attribute set — so that the NixOS module links and runs the bundle's files by the names the
//! renderers write them under. A drift test fails when the committed file is stale, and another
//! when a Nix module spells one of these names itself.

use super::options::nix_string;
use crate::bundle::layout::{COMPONENTS, NIX_NAMES, prometheus_config};
use std::fmt::Write;

/// The command that regenerates the committed file.
pub const REGENERATE: &str = "cargo run -q -- nix-layout > modules/layout.nix";

pub fn generate() -> String {
    let mut out = String::new();
    out.push_str("# The bundle's layout: its components and the fixed names of the files and folders in them that\n");
    out.push_str("# hosts read. Generated from src/bundle/layout.rs, which says what each name is, by\n");
    out.push_str("# `monstack nix-layout`; do not edit. Regenerate with\n");
    let _ = writeln!(out, "# `{REGENERATE}`.");
    out.push_str("{\n");
    out.push_str("  # The components of a bundle: its top-level folders, each also an output of its derivation.\n");
    out.push_str("  components = [\n");
    for c in COMPONENTS {
        let _ = writeln!(out, "    {}", nix_string(c));
    }
    out.push_str("  ];\n");
    for (path, name) in NIX_NAMES {
        let _ = writeln!(out, "  {path} = {};", nix_string(name));
    }
    out.push_str("  # A Prometheus server's configuration file, by its instance name: \"\" for an environment's\n");
    out.push_str("  # single server, `[shard-<n>.]<replica>` for a replica or a shard.\n");
    out.push_str("  prometheus.instanceConfig =\n");
    let _ = writeln!(out, "    instance: if instance == \"\" then {} else {};", single(), per_instance("instance"));
    out.push_str("}\n");
    out
}

/// The single server's configuration file, as a Nix string.
fn single() -> String {
    nix_string(&prometheus_config(None))
}

/// An instance's configuration file, as a Nix string interpolating the variable `var`.
fn per_instance(var: &str) -> String {
    const MARK: &str = "\u{0}";
    nix_string(&prometheus_config(Some(MARK))).replace(MARK, &format!("${{{var}}}"))
}
