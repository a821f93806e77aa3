//! monstack turns one declaration of an environment's monitoring stack into complete, validated,
//! reproducible configuration for Prometheus, Alertmanager, Grafana, Loki and Promtail.
//!
//! The pipeline is parse ([`spec`]) → validate ([`validate`]) → render ([`render`]) → seal
//! ([`bundle`]); [`check`] re-validates a rendered bundle.

pub mod bundle;
pub mod check;
pub mod diag;
pub mod render;
pub mod secrets;
pub mod spec;
pub mod syntax;
pub mod validate;

use bundle::Bundle;
use diag::Diagnostic;

/// The input document as written into every bundle (`spec.json`), so a bundle can be
/// re-validated and re-rendered from itself.
pub const SPEC_FILE: &str = "spec.json";

/// Loads, validates and renders a spec document; the sealed bundle (with `spec.json` and
/// `manifest.json`) or every problem found.
pub fn build(name: &str, bytes: &[u8]) -> Result<Bundle, Vec<Diagnostic>> {
    let loaded = spec::load(name, bytes)?;
    let canonical = bundle::canonical_json(&loaded.canonical);
    let model = validate::validate(loaded.spec, bundle::sha256_hex(&canonical))?;
    let mut rendered = render::render(&model);
    let sorted: serde_json::Value = serde_json::from_slice(&canonical).expect("canonical JSON parses");
    rendered.add(SPEC_FILE, render::json(&sorted));
    Ok(bundle::manifest::seal(&model, rendered))
}
