//! `monstack nix-builder`: the builder of a bundle derivation. It needs no stdenv: Nix runs it
//! with the spec passed as a file (`passAsFile = [ "spec" ]` sets `specPath`) and the output
//! paths in the environment. `out` gets the whole bundle; an output named after a component
//! (`prometheus`, `alertmanager`, `grafana`, `loki`, `promtail`, `alloy`, `docs`) gets that
//! component's files at its root, so a host depends only on what it runs, and with
//! content-addressed derivations a component's store path changes only when its files do.

use crate::bundle::{self, Bundle, COMPONENTS};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Runs the builder with the given environment lookup: the paths written and the spec's
/// warnings (for the build log); `Err` carries what to print.
pub fn run(var: impl Fn(&str) -> Option<String>) -> Result<(Vec<String>, Vec<String>), String> {
    let spec_path = var("specPath")
        .ok_or("specPath is not set: the derivation must pass the spec with passAsFile = [ \"spec\" ]")?;
    let problems = |diags: Vec<crate::diag::Diagnostic>| {
        let env = diags.first().map(|d| d.env.clone()).unwrap_or_default();
        let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
        format!("{}\n{} problem(s) in env {env}; the bundle was not built", lines.join("\n"), diags.len())
    };
    let bytes = crate::spec::load::read(&spec_path).map_err(|e| match e {
        crate::spec::load::ReadError::Io(message) => message,
        crate::spec::load::ReadError::TooLarge(diags) => problems(diags),
    })?;
    let (bundle, notes) = crate::build_noted("spec.json", &bytes, &Default::default()).map_err(problems)?;
    let mut written = Vec::new();
    let out = var("out").ok_or("out is not set")?;
    write(&out, bundle.files())?;
    written.push(out);
    for component in COMPONENTS {
        if let Some(path) = var(component) {
            write(&path, &component_files(&bundle, component))?;
            written.push(path);
        }
    }
    Ok((written, notes.warnings.iter().map(ToString::to_string).collect()))
}

fn component_files(bundle: &Bundle, component: &str) -> BTreeMap<String, Vec<u8>> {
    let prefix = format!("{component}/");
    bundle.files().iter().filter_map(|(p, b)| p.strip_prefix(&prefix).map(|rel| (rel.to_string(), b.clone()))).collect()
}

fn write(path: &str, files: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    bundle::write_atomic(&PathBuf::from(path), files, bundle::Replace::default())
        .map(|_| ())
        .map_err(|e| format!("cannot write {path}: {e}"))
}
