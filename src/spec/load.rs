//! Loading a spec document: bytes → JSON value → typed [`Spec`], collecting every problem.
//!
//! Before the typed pass the raw document is checked for size, nesting depth and literal
//! secrets, so a secret is reported as such (not as an unknown field) and never kept.

use super::Spec;
use super::path::OptionPath;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::secrets;
use serde_json::Value;

/// Largest spec accepted, in bytes. The CreativeFlow prod spec is about 20 KiB; a fleet of
/// 1,000 services stays well under 8 MiB.
pub const MAX_SPEC_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting accepted. Valid specs nest about 10 levels (route trees a few more).
pub const MAX_DEPTH: usize = 48;

/// The format of a spec document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    /// JSON for `.json`, YAML for `.yaml`/`.yml`; otherwise guessed from the first character.
    pub fn detect(name: &str, text: &str) -> Format {
        if name.ends_with(".json") {
            Format::Json
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            Format::Yaml
        } else if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// A loaded spec with the canonical JSON it was read from (hashed into the manifest).
#[derive(Debug)]
pub struct Loaded {
    pub spec: Spec,
    pub canonical: Value,
}

/// Why a spec could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The file or stream could not be read (missing, unreadable): not a problem of the spec.
    Io(String),
    /// The spec is larger than [`MAX_SPEC_BYTES`]: the spec's own problem, as its diagnostic.
    TooLarge(Vec<Diagnostic>),
}

/// Reads the spec at `path` (`-`: standard input) without ever holding more than
/// [`MAX_SPEC_BYTES`] + 1 bytes of it: a regular file larger than the limit is refused from its
/// size (its metadata), before a byte is read; a stream (standard input, a pipe) as soon as it
/// has given one byte more than the limit.
pub fn read(path: &str) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let limit = MAX_SPEC_BYTES as u64;
    let (reader, size): (Box<dyn Read>, Option<u64>) = if path == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let file = std::fs::File::open(path).map_err(|e| ReadError::Io(format!("cannot read spec {path}: {e}")))?;
        let meta = file.metadata().map_err(|e| ReadError::Io(format!("cannot read spec {path}: {e}")))?;
        let size = meta.is_file().then_some(meta.len());
        if let Some(size) = size.filter(|s| *s > limit) {
            return Err(ReadError::TooLarge(too_large(path, Some(size))));
        }
        (Box::new(file), size)
    };
    let what = if path == "-" { "standard input".to_string() } else { format!("spec {path}") };
    // Room for the limit and one byte at once: growing by doubling would copy the buffer and
    // leave the allocator 24 MiB for 8 MiB read. Pages are only touched as they are written.
    let mut bytes = Vec::with_capacity(size.map_or(MAX_SPEC_BYTES, |s| s as usize) + 1);
    reader.take(limit + 1).read_to_end(&mut bytes).map_err(|e| ReadError::Io(format!("cannot read {what}: {e}")))?;
    if bytes.len() > MAX_SPEC_BYTES {
        // A stream, or a file that grew while it was read: its size is unknown.
        return Err(ReadError::TooLarge(too_large(path, None)));
    }
    Ok(bytes)
}

/// The diagnostic of a spec larger than [`MAX_SPEC_BYTES`] (of `size` bytes, when known).
fn too_large(name: &str, size: Option<u64>) -> Vec<Diagnostic> {
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0));
    let limit = format!("{} ({MAX_SPEC_BYTES} bytes)", mib(MAX_SPEC_BYTES as u64));
    let message = match size {
        Some(size) => format!("the spec is {} ({size} bytes), more than the {limit} accepted", mib(size)),
        None => format!("the spec is more than the {limit} accepted (reading stopped there)"),
    };
    let mut diags = Diagnostics::new(fallback_env(name));
    diags.error(Code::SpecTooLarge, "", message).hint("split the environment or generate the spec from Nix modules");
    diags.into_sorted()
}

/// Loads a spec. `name` is the file name (for format detection and for diagnostics before the
/// environment name is known).
pub fn load(name: &str, bytes: &[u8]) -> Result<Loaded, Vec<Diagnostic>> {
    load_with(name, bytes, None)
}

/// [`load`], with `install_prefix` set from the command line when given.
pub fn load_with(name: &str, bytes: &[u8], install_prefix: Option<&str>) -> Result<Loaded, Vec<Diagnostic>> {
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(too_large(name, Some(bytes.len() as u64)));
    }
    let mut diags = Diagnostics::new(fallback_env(name));
    let text = match std::str::from_utf8(bytes) {
        // Editors on Windows write a byte-order mark; it carries no meaning in UTF-8.
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
            let what = if utf16 {
                "UTF-16 (it starts with a UTF-16 byte-order mark)".to_string()
            } else {
                format!("not UTF-8: invalid byte at offset {}", e.valid_up_to())
            };
            diags.error(Code::SpecEncoding, "", what).hint("save the file as UTF-8");
            return Err(diags.into_sorted());
        }
    };
    let mut value = match super::parse::parse(Format::detect(name, text), text) {
        Ok(v) => v,
        Err(p) => {
            diags.error(p.code, p.path, p.message).hint(p.hint);
            return Err(diags.into_sorted());
        }
    };
    if depth(&value) > MAX_DEPTH {
        diags
            .error(Code::SpecTooDeep, "", format!("nested deeper than {MAX_DEPTH} levels"))
            .hint("no valid spec nests this deep; check for runaway nesting");
        return Err(diags.into_sorted());
    }
    let Value::Object(_) = value else {
        diags.error(Code::SpecType, "", "the spec must be a mapping (object)").hint("start with `environment: <name>`");
        return Err(diags.into_sorted());
    };
    if let Some(env) = value.get("environment").and_then(Value::as_str) {
        diags.set_env(env);
    }
    if let (Some(prefix), Value::Object(map)) = (install_prefix, &mut value) {
        map.insert("install_prefix".into(), Value::String(prefix.into()));
    }
    strip_literal_secrets(&mut value, &mut String::new(), &mut diags);
    let spec = typed(&value, &mut diags);
    match spec {
        Some(spec) if diags.is_empty() => Ok(Loaded { spec: super::meta::with_jobs(spec), canonical: value }),
        _ => Err(diags.into_sorted()),
    }
}

fn fallback_env(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    let stem = base.split('.').next().unwrap_or(base);
    if stem.is_empty() || stem == "-" { "<stdin>".into() } else { format!("<{stem}>") }
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Reports and removes literal secrets: keys that hold a secret in the tools' config, and
/// string values that look like a secret wherever they are.
fn strip_literal_secrets(v: &mut Value, path: &mut String, diags: &mut Diagnostics) {
    use std::fmt::Write;
    let step = |path: &mut String, key: &str| {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    };
    match v {
        Value::Object(map) => {
            let secret_keys: Vec<String> =
                map.keys().filter(|k| secrets::literal_secret_key(k).is_some()).cloned().collect();
            for key in secret_keys {
                let instead = secrets::literal_secret_key(&key).expect("filtered on it");
                let len = path.len();
                step(path, &key);
                diags
                    .error(
                        Code::SecretLiteral,
                        path.clone(),
                        "a secret value in the spec would be written to the world-readable store",
                    )
                    .hint(format!(
                        "use `{instead}` pointing at a file provisioned on the host (e.g. /run/secrets/...)"
                    ));
                path.truncate(len);
                map.remove(&key);
            }
            for (key, child) in map.iter_mut() {
                let len = path.len();
                step(path, key);
                strip_literal_secrets(child, path, diags);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                write!(path, "[{i}]").expect("writing to a String");
                strip_literal_secrets(item, path, diags);
                path.truncate(len);
            }
        }
        Value::String(s) => {
            if let Some(what) = secrets::looks_like_secret(s) {
                diags
                    .error(Code::SecretLiteral, path.clone(), format!("the value looks like {what}"))
                    .hint("put the secret in a file on the host and reference it with the matching *_file option");
                *s = String::new();
            }
        }
        _ => {}
    }
}

/// The typed pass. serde stops at the first error, so the document is read again after each:
/// a duration or tool version that does not parse is taken out (as if unset; `0s` where the
/// option is required), so that every malformed one is reported; any other error drops its
/// top-level section, so that every section's first such error is reported. A malformed
/// duration is a type error, as in Prometheus: the spec's other checks wait until it parses
/// (they compare durations: run on a stand-in value they would report problems the user does
/// not have).
fn typed(value: &Value, diags: &mut Diagnostics) -> Option<Spec> {
    use serde::Deserialize;
    // A valid spec is read once, by reference; only a failing one is re-read with paths.
    if let Ok(spec) = Spec::deserialize(value) {
        return Some(spec);
    }
    let mut failed = false;
    let mut value = value.clone();
    let mut failed_sections: Vec<String> = Vec::new();
    // Every absent required section is reported, not only the first serde notices.
    for key in required_sections() {
        if value.get(&key).is_none() {
            report(".", &format!("missing field `{key}`"), diags);
            failed_sections.push(key);
        }
    }
    // The last value taken out: put back as `0s` if its option turns out to be a required
    // duration (tool versions all have defaults).
    let mut taken_out: Option<(Vec<Step>, String)> = None;
    loop {
        let result: Result<Spec, serde_path_to_error::Error<serde_json::Error>> =
            serde_path_to_error::deserialize(value.clone());
        let err = match result {
            Ok(spec) => return (!failed && failed_sections.is_empty()).then_some(spec),
            Err(e) => e,
        };
        let (path, message) = (err.path().to_string(), err.inner().to_string());
        let message = strip_position(&message);
        // The steps serde_path_to_error could name (all of them unless one is unknown).
        let known: Vec<Step> = err.path().iter().map_while(Step::of).collect();
        let whole = known.len() == err.path().iter().count();
        if let Some((parent, key)) = taken_out.take()
            && whole
            && known == parent
            && message == format!("missing field `{key}`")
            && let Some(Value::Object(map)) = at(&mut value, &parent)
        {
            map.insert(key, Value::String("0s".into()));
            continue;
        }
        if unparsed_value(&message).is_some()
            && whole
            && let Some((Step::Key(key), parent)) = known.split_last()
            && let Some(Value::Object(map)) = at(&mut value, parent)
        {
            report(&path, &message, diags);
            failed = true;
            map.remove(key);
            taken_out = Some((parent.to_vec(), key.clone()));
            continue;
        }
        let section = top_level(&path, &message);
        // A section removed after its own error then shows as missing: not a new problem.
        let is_echo =
            message.starts_with("missing field") && failed_sections.iter().any(|s| message.contains(&format!("`{s}`")));
        if !is_echo {
            let d = report(&path, &message, diags);
            if let Some(at) = nix_property_on(&value, &known) {
                d.hint(format!(
                    "`{at}` is a Nix module property (lib.mkIf, lib.mkMerge, lib.mkDefault, lib.mkForce, lib.mkOrder): \
                     inside rule files, scrape jobs and dashboard entries only the whole option or a whole entry \
                     may carry one; write the plain value here"
                ));
            }
        }
        match section {
            Some(s) if value.get(&s).is_some() && !failed_sections.contains(&s) => {
                value.as_object_mut().expect("object").remove(&s);
                failed_sections.push(s);
            }
            _ => return None,
        }
    }
}

/// A step of an option path, as serde_path_to_error gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Index(usize),
    Key(String),
}

impl Step {
    fn of(segment: &serde_path_to_error::Segment) -> Option<Step> {
        use serde_path_to_error::Segment;
        match segment {
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Enum { variant } => Some(Step::Key(variant.clone())),
            Segment::Unknown => None,
        }
    }
}

/// The value at `steps`.
fn at<'a>(value: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    steps.iter().try_fold(value, |node, step| match step {
        Step::Index(i) => node.get_mut(*i),
        Step::Key(k) => node.get_mut(k.as_str()),
    })
}

/// The spec's required top-level keys, read from its JSON Schema so the list has one source.
fn required_sections() -> Vec<String> {
    let schema = schemars::schema_for!(Spec);
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|keys| keys.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default()
}

fn strip_position(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    }
}

/// The top-level key an error belongs to.
fn top_level(path: &str, message: &str) -> Option<String> {
    if path != "." && !path.is_empty() {
        let first = path.split(['.', '[']).next().unwrap_or("");
        return Some(first.to_string());
    }
    quoted_field(message)
}

fn quoted_field(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

/// Where a Nix module property (`lib.mkIf`, `lib.mkDefault`, …) lies on the way along `steps`. The
/// module system resolves them in options, but inside bulk data (`bulkListOf` in
/// modules/spec-options.nix: rule files, scrape jobs, dashboard entries) one reaches the spec as
/// it is: `{"_type": "override", "content": …, "priority": …}`.
fn nix_property_on(value: &Value, steps: &[Step]) -> Option<OptionPath> {
    const KINDS: [&str; 5] = ["if", "merge", "override", "order", "definition"];
    let is_property = |v: &Value| v.get("_type").and_then(Value::as_str).is_some_and(|t| KINDS.contains(&t));
    let mut node = value;
    let mut at: Option<OptionPath> = None;
    for step in steps {
        let (next, path) = match step {
            Step::Index(i) => (node.get(*i), at.as_ref().map(|p| p.index(*i))),
            Step::Key(k) => (node.get(k.as_str()), Some(at.as_ref().map_or_else(|| OptionPath::root(k), |p| p.key(k)))),
        };
        let Some(next) = next else { break };
        at = path;
        if is_property(next) {
            return at;
        }
        node = next;
    }
    None
}

/// The code and hint of a value serde could read but monstack could not parse (a duration, a
/// tool version), by the wording their parsers give ([`crate::syntax::duration::INVALID`]).
fn unparsed_value(message: &str) -> Option<(Code, &'static str)> {
    if message.contains(crate::syntax::duration::INVALID) {
        Some((Code::DurationInvalid, "write durations like 30s, 5m, 1h30m or 14d"))
    } else if message.contains(crate::syntax::version::INVALID) {
        Some((Code::VersionInvalid, "write it like 2.53.3"))
    } else {
        None
    }
}

fn report<'a>(path: &str, message: &str, diags: &'a mut Diagnostics) -> &'a mut Diagnostic {
    let base = if path == "." { String::new() } else { path.to_string() };
    let join = |field: &str| if base.is_empty() { field.to_string() } else { format!("{base}.{field}") };
    if message.starts_with("unknown field") {
        let field = quoted_field(message).unwrap_or_default();
        let expected = message.split_once(", expected ").map(|(_, e)| e.to_string());
        // serde_path_to_error's path already ends with the unknown key.
        let path = if base.is_empty() || base.ends_with(&field) { base.clone() } else { join(&field) };
        let path = if path.is_empty() { field.clone() } else { path };
        let d = diags.error(Code::SpecUnknownField, path, format!("unknown option `{field}`"));
        // serde lists the expected fields as "one of `a`, `b`, …" (or "`a`").
        let names =
            expected.as_deref().map(|e| e.split('`').skip(1).step_by(2).collect::<Vec<_>>()).unwrap_or_default();
        let guess = crate::diag::did_you_mean(&field, names).map(|g| format!("{g} ")).unwrap_or_default();
        d.hint(match expected {
            Some(e) => format!("{guess}expected {e}; `monstack schema` lists every option"),
            None => "this option takes no fields here; `monstack schema` lists every option".into(),
        })
    } else if message.starts_with("missing field") {
        let field = quoted_field(message).unwrap_or_default();
        diags
            .error(Code::SpecMissingField, join(&field), format!("required option `{field}` is missing"))
            .hint("add it; `monstack schema` shows its type")
    } else if let Some((code, hint)) = unparsed_value(message) {
        diags.error(code, base, message.to_string()).hint(hint)
    } else if let Some((given, expected)) = unknown_variant(message) {
        // serde: "unknown variant `node_exporter`, expected one of `node-exporter`, …": the
        // likely spelling first (each value has one spelling; an old or near one is refused).
        let guess =
            crate::diag::did_you_mean(given, expected.iter().copied()).map(|g| format!("{g} ")).unwrap_or_default();
        diags
            .error(Code::SpecType, base, message.to_string())
            .hint(format!("{guess}`monstack schema` lists the allowed values"))
    } else {
        diags.error(Code::SpecType, base, message.to_string()).hint("`monstack schema` shows the expected type")
    }
}

/// The value and the allowed ones of serde's "unknown variant `x`, expected one of `a`, `b`"
/// (or "expected `a` or `b`").
fn unknown_variant(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown variant `")?;
    let (given, rest) = rest.split_once('`')?;
    let (_, expected) = rest.split_once("expected ")?;
    let expected = expected.split(" at line ").next().unwrap_or(expected);
    Some((given, expected.split('`').skip(1).step_by(2).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(String, String)> {
        match load("t.yaml", text.as_bytes()) {
            Ok(_) => vec![],
            Err(ds) => ds.into_iter().map(|d| (d.code.to_string(), d.path)).collect(),
        }
    }

    #[test]
    fn reports_one_error_per_failing_section() {
        let got = codes("environment: dev\nprometheus: {scrape_intervl: 5s}\nloki: 3\n");
        assert!(got.contains(&("spec/unknown-field".into(), "prometheus.scrape_intervl".into())), "{got:?}");
        assert!(got.contains(&("spec/type".into(), "loki".into())), "{got:?}");
        assert!(got.contains(&("spec/missing-field".into(), "alertmanager".into())), "{got:?}");
    }

    #[test]
    fn a_nix_property_inside_bulk_data_gets_a_hint_naming_it() {
        let text = "environment: dev
rules: {files: [{name: x, groups: [], store_ruler: {_type: override, content: true, priority: 1000}}]}
scrape_jobs: [{name: a, labels: {_type: if, condition: true, content: {a: b}}, discovery: {static: {targets: [h:1]}}}]
";
        let diags = load("t.yaml", text.as_bytes()).unwrap_err();
        for (path, at) in [
            ("rules.files[0].store_ruler", "rules.files[0].store_ruler"),
            ("scrape_jobs[0].labels.condition", "scrape_jobs[0].labels"),
        ] {
            let d = diags.iter().find(|d| d.path == path).unwrap_or_else(|| panic!("{path}: {diags:#?}"));
            let hint = d.hint.as_deref().unwrap_or_default();
            assert!(hint.starts_with(&format!("`{at}` is a Nix module property")), "{d}");
        }
        let plain =
            load("t.yaml", b"environment: dev\nrules: {files: [{name: x, groups: [], store_ruler: 1}]}\n").unwrap_err();
        let d = plain.iter().find(|d| d.path == "rules.files[0].store_ruler").unwrap();
        assert_eq!(d.hint.as_deref(), Some("`monstack schema` shows the expected type"));
    }

    #[test]
    fn literal_secrets_are_reported_not_kept() {
        let got = codes("environment: dev\nalertmanager: {receivers: [{name: a, pagerduty: [{routing_key: abc}]}]}\n");
        assert!(
            got.contains(&("secret/literal".into(), "alertmanager.receivers[0].pagerduty[0].routing_key".into())),
            "{got:?}"
        );
        assert!(!got.iter().any(|(c, p)| c == "spec/unknown-field" && p.ends_with("routing_key")), "{got:?}");
    }

    #[test]
    fn rejects_oversized_documents_before_parsing() {
        let big = vec![b' '; MAX_SPEC_BYTES + 1];
        assert_eq!(load("x.json", &big).unwrap_err()[0].code, Code::SpecTooLarge);
    }

    #[test]
    fn reports_every_missing_section() {
        let got = codes("environment: dev\n");
        for s in ["alertmanager", "grafana", "loki", "promtail"] {
            assert!(got.contains(&("spec/missing-field".into(), s.into())), "{s}: {got:?}");
        }
    }

    #[test]
    fn rejects_non_utf8_and_garbage() {
        assert_eq!(load("x.json", b"{\"a\": \"\xff\"}").unwrap_err()[0].code, Code::SpecEncoding);
        let utf16 = load("x.json", b"\xff\xfe{\x00}\x00").unwrap_err();
        assert!(utf16[0].message.contains("UTF-16"), "{utf16:?}");
        assert_eq!(load("x.json", b"{").unwrap_err()[0].code, Code::SpecSyntax);
        assert_eq!(load("x.yaml", b"- 1\n- 2\n").unwrap_err()[0].code, Code::SpecType);
    }
}
