//! monstack turns one declaration of an environment's monitoring stack into complete, validated,
//! reproducible configuration for Prometheus, Alertmanager, Grafana, Loki and Promtail.
//!
//! [`scrape`] models what a scrape makes of an exporter's series (the alert tests' input).
//!
//! The pipeline is parse ([`spec`]) → validate ([`validate`]) → render ([`render`]) → seal
//! ([`bundle`]); [`check`] re-validates a rendered bundle and [`diff`] compares two.
//!
//! Layers, lowest first: [`syntax`] (the tools' small languages and literals) and [`features`]
//! (what each tool version supports); [`spec`]; [`validate`], [`catalogue`], [`routing`],
//! [`scrape`], [`dashboards`]; [`docs`] (the on-call catalogue); [`host`] (what runs on the
//! monitoring host from a bundle); [`render`] on top, entered only from here
//! (`tests/layers.rs` fails on an import of it from below).
// Output goes through writes that ignore a closed pipe (`monstack diff … | head`): `print!`
// panics on one.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod bundle;
pub mod catalogue;
pub mod check;
pub mod conf;
pub mod dashboards;
pub mod diag;
pub mod diff;
pub mod docs;
pub mod features;
pub mod host;
pub mod lint;
pub mod nix;
pub mod render;
pub mod routing;
pub mod scrape;
pub mod secrets;
pub mod spec;
pub mod syntax;
pub mod topology;
pub mod validate;

use bundle::Bundle;
use diag::Diagnostic;

/// The input document as written into every bundle (`spec.json`), so a bundle can be
/// re-validated and re-rendered from itself.
pub const SPEC_FILE: &str = "spec.json";

/// Settings given on the command line rather than in the spec.
#[derive(Debug, Default, Clone)]
pub struct BuildOptions {
    /// Overrides the spec's `install_prefix` (where the bundle is installed on the hosts). It
    /// becomes part of the spec, so `spec.json` and the spec hash record it.
    pub install_prefix: Option<String>,
}

/// Loads, validates and renders a spec document; the sealed bundle (with `spec.json` and
/// `manifest.json`) or every problem found, including a rendered file that would hold a secret.
pub fn build(name: &str, bytes: &[u8]) -> Result<Bundle, Vec<Diagnostic>> {
    build_with(name, bytes, &BuildOptions::default())
}

/// [`build`] with command-line settings.
pub fn build_with(name: &str, bytes: &[u8], options: &BuildOptions) -> Result<Bundle, Vec<Diagnostic>> {
    build_noted(name, bytes, options).map(|(bundle, _)| bundle)
}

/// What a successful build found besides its bundle: findings that are not errors
/// ([`diag::Severity::Warning`]), and what each scrape job switched on in the catalogue.
#[derive(Debug, Default)]
pub struct Notes {
    pub warnings: Vec<Diagnostic>,
    pub switched: catalogue::kinds::Switched,
}

/// [`build_with`], and its [`Notes`].
pub fn build_noted(name: &str, bytes: &[u8], options: &BuildOptions) -> Result<(Bundle, Notes), Vec<Diagnostic>> {
    pool().install(|| build_in_pool(name, bytes, options))
}

/// The threads validation and rendering share. Their stack size is set here, not taken from
/// `RUST_MIN_STACK` (a 64 KiB setting overflowed them in a debug build); the thread count is
/// rayon's (one per core, or `RAYON_NUM_THREADS`). The output never depends on either.
fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(16 << 20)
            .thread_name(|i| format!("monstack-{i}"))
            .build()
            .expect("the worker threads start")
    })
}

/// Frees a large value on a worker thread, off the path that waits for the bundle: a fleet's
/// model is hundreds of thousands of allocations, tens of milliseconds to free. Called from
/// inside the pool (a build); a process that exits first leaves it to the operating system.
fn drop_later<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}

fn build_in_pool(name: &str, bytes: &[u8], options: &BuildOptions) -> Result<(Bundle, Notes), Vec<Diagnostic>> {
    let (model, spec_file) = validated(name, bytes, options)?;
    let mut rendered = render::render(&model);
    rendered.add(SPEC_FILE, spec_file);
    // The loader rejects secrets in the spec; this catches one that reaches a file another way
    // (a multi-line annotation, a renderer bug) before anything is written. The manifest's
    // hashes are taken alongside and kept only if nothing is found.
    let ((diags, manifest), notes) = rayon::join(
        || {
            rayon::join(
                || {
                    let mut diags = diag::Diagnostics::new(model.env());
                    secrets::report_rendered(rendered.files(), &mut diags);
                    // The log tools' files against their models (a renderer bug, never the user's input).
                    let v = model.versions;
                    let versions = conf::Versions { loki: v.loki, promtail: v.promtail, alloy: v.alloy };
                    for (path, problem) in conf::check(rendered.files(), versions) {
                        diags
                            .error(diag::Code::BundleParse, path, problem)
                            .hint("this is a monstack bug; please report it");
                    }
                    diags
                },
                || bundle::manifest::Manifest::build(&model, &rendered),
            )
        },
        || {
            let switched = catalogue::kinds::switched(&model);
            Notes { warnings: switched.warnings(&model.spec), switched }
        },
    );
    if !diags.is_empty() {
        return Err(diags.into_sorted());
    }
    rendered.add(bundle::MANIFEST, manifest.to_bytes());
    drop_later(model);
    let notes = Notes { warnings: place(name, bytes, notes.warnings), ..notes };
    Ok((rendered, notes))
}

/// Loads and validates a spec document without rendering it: the model the renderers (and
/// `monstack diff`) work from.
pub fn model(name: &str, bytes: &[u8]) -> Result<validate::Model, Vec<Diagnostic>> {
    pool().install(|| validated(name, bytes, &BuildOptions::default()).map(|(model, _)| model))
}

/// The validated model and the bytes of `spec.json`: the canonical document, pretty-printed
/// (serde_json's maps are sorted). The document itself is dropped before validation, which
/// keeps a large spec's peak memory down.
fn validated(name: &str, bytes: &[u8], options: &BuildOptions) -> Result<(validate::Model, Vec<u8>), Vec<Diagnostic>> {
    validated_unplaced(name, bytes, options).map_err(|diags| place(name, bytes, diags))
}

/// Gives each diagnostic the line and column of its option in the input, where it has one: a
/// parser's own position for a syntax error, else its option path looked up in the document
/// ([`spec::locate`]).
fn place(name: &str, bytes: &[u8], mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let Ok(text) = std::str::from_utf8(bytes) else { return diags };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // One pass over the text for every option path to place.
    let mut unplaced = diags.iter().filter(|d| !d.path.is_empty() && parser_position(&d.message).is_none()).peekable();
    let located = unplaced.peek().is_some().then(|| {
        spec::locate::Located::new(spec::load::Format::detect(name, text), text, unplaced.map(|d| d.path.as_str()))
    });
    for d in &mut diags {
        d.location = match parser_position(&d.message) {
            Some((line, column)) => Some(diag::Location { file: name.to_string(), line, column }),
            None if d.path.is_empty() => None,
            None => located.as_ref().and_then(|l| l.location(name, &d.path)),
        };
    }
    diags
}

/// serde_json's and serde_yaml's `… at line L column C`.
fn parser_position(message: &str) -> Option<(usize, usize)> {
    let (_, rest) = message.split_once(" at line ")?;
    let (line, rest) = rest.split_once(" column ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.parse().ok()?, column.parse().ok()?))
}

fn validated_unplaced(
    name: &str,
    bytes: &[u8],
    options: &BuildOptions,
) -> Result<(validate::Model, Vec<u8>), Vec<Diagnostic>> {
    let loaded = spec::load_with(name, bytes, options.install_prefix.as_deref())?;
    let (spec_sha256, spec_file) = rayon::join(
        || bundle::sha256_hex(&bundle::canonical_json(&loaded.canonical)),
        || bundle::json(&loaded.canonical),
    );
    drop(loaded.canonical);
    let model = validate::validate(loaded.spec, spec_sha256)?;
    Ok((model, spec_file))
}
