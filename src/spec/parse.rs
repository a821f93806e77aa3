//! Text → JSON value, stricter than the parsers alone: a key given twice in one mapping is an
//! error (both parsers would silently keep the last one), a YAML document's flow nesting is
//! bounded before libyaml reads it, and so is the number of values in any document
//! ([`MAX_VALUES`]).

use crate::diag::Code;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

use super::load::Format;

/// Deepest flow nesting (`[`, `{`) a YAML document may reach before it is parsed: the bound
/// serde_json puts on JSON. libyaml's scanner does work proportional to the flow depth for
/// every token, so 16,000 nested brackets (32 KB) took 15 s and an 8 MiB document would take
/// hours; valid specs nest about 10 levels and [`super::load::MAX_DEPTH`] still applies after
/// parsing. Generous on purpose: stray brackets in plain scalars count too.
pub const MAX_YAML_FLOW_DEPTH: usize = 128;

/// Most values (scalars, lists and mappings, an alias's expansion counted in full) a document
/// may hold. The 1,000-service bench fleet (bench/fleet.py, 4.6 MiB) holds 181,000; a list of
/// 4 million zeros fits in the 8 MiB size limit and took 1.5 GB and 28 s to be refused, because
/// the typed pass and the diagnostics' locations each build the whole document again.
pub const MAX_VALUES: usize = 500_000;

/// Why a document could not be read, as the diagnostic to report.
#[derive(Debug)]
pub struct Problem {
    pub code: Code,
    /// Option path of the problem (a duplicated key), or empty for the whole document.
    pub path: String,
    pub message: String,
    pub hint: &'static str,
}

/// Parses a document into a JSON value.
pub fn parse(format: Format, text: &str) -> Result<Value, Problem> {
    let values = std::cell::Cell::new(0);
    let root = Strict { at: None, values: &values };
    let result = match format {
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            root.deserialize(&mut de).and_then(|v| de.end().map(|()| v)).map_err(|e| e.to_string())
        }
        Format::Yaml => {
            if flow_depth(text) > MAX_YAML_FLOW_DEPTH {
                return Err(Problem {
                    code: Code::SpecTooDeep,
                    path: String::new(),
                    message: format!("flow collections ([ ], {{ }}) nested deeper than {MAX_YAML_FLOW_DEPTH} levels"),
                    hint: "no valid spec nests this deep; check for runaway nesting",
                });
            }
            // serde_yaml (unsafe-libyaml) holds every event of the document before a value is
            // built: 670 MB for a list of 4 million zeros, 100 MB for 100,000 block lists nested
            // on one line (`- - - …`, no bracket for the flow bound to see). saphyr's parser
            // streams them, so they are counted and their nesting bounded first.
            if let Some(problem) = yaml_bounds(text) {
                return Err(problem);
            }
            root.deserialize(serde_yaml::Deserializer::from_str(text)).map_err(|e| e.to_string())
        }
    };
    result.map_err(classify)
}

fn too_many_values() -> Problem {
    Problem {
        code: Code::SpecTooLarge,
        path: String::new(),
        message: format!("more than {MAX_VALUES} values (scalars, lists and mappings)"),
        hint: "no valid spec holds this many; check for a runaway list, or split the environment",
    }
}

/// A YAML document's values as saphyr's streaming parser reads them (scalars, aliases, lists
/// and mappings): more than [`MAX_VALUES`], or lists and mappings nested deeper than
/// [`MAX_YAML_FLOW_DEPTH`], is a problem. A syntax error ends the scan: serde_yaml then reports
/// it in its own words.
fn yaml_bounds(text: &str) -> Option<Problem> {
    use saphyr_parser::{Event, Parser};
    let (mut values, mut depth) = (0usize, 0usize);
    for event in Parser::new_from_str(text) {
        let Ok((event, _)) = event else { return None };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                values += 1;
                depth += 1;
                if depth > MAX_YAML_FLOW_DEPTH {
                    return Some(Problem {
                        code: Code::SpecTooDeep,
                        path: String::new(),
                        message: format!("lists and mappings nested deeper than {MAX_YAML_FLOW_DEPTH} levels"),
                        hint: "no valid spec nests this deep; check for runaway nesting",
                    });
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            Event::Scalar(..) | Event::Alias(_) => values += 1,
            Event::StreamEnd => return None,
            _ => {}
        }
        if values > MAX_VALUES {
            return Some(too_many_values());
        }
    }
    None
}

fn classify(message: String) -> Problem {
    // The parsers decorate a visitor's error (a path prefix, a position suffix); the duplicate's
    // own path is between the backticks.
    if let Some((_, rest)) = message.split_once(DUPLICATE_KEY) {
        let path = rest.split('`').next().unwrap_or_default().to_string();
        let key = path.rsplit('.').next().unwrap_or_default();
        return Problem {
            code: Code::SpecSyntax,
            message: format!("`{key}` is given twice in the same mapping"),
            path,
            hint: "keep one; readers disagree on which of two equal keys wins",
        };
    }
    if message.contains(TOO_MANY_VALUES) {
        return too_many_values();
    }
    let (code, hint) = if message.contains("recursion limit") {
        (Code::SpecTooDeep, "no valid spec nests this deep; check for runaway nesting")
    } else if message.contains("repetition limit") {
        // serde_yaml's bound on alias expansion ("billion laughs"): a small file that expands
        // into a huge document.
        (Code::SpecTooLarge, "the document's aliases (*name) expand to too much; write the values out")
    } else {
        (Code::SpecSyntax, "check the document's syntax (quotes, brackets, indentation)")
    };
    Problem { code, path: String::new(), message, hint }
}

/// The deepest `[`/`{` nesting in a YAML text, by a linear scan that skips comments and quoted
/// scalars on their line. It over-counts brackets in plain scalars (`rate(x[5m])` nests one)
/// rather than under-count: a quote or comment ends at the line's end here, so a stray
/// apostrophe cannot hide the brackets that follow from the bound.
fn flow_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for line in text.lines() {
        let mut quote: Option<u8> = None;
        let mut previous = b' ';
        for &b in line.as_bytes() {
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None => match b {
                    b'#' if previous.is_ascii_whitespace() => break,
                    // A quote opens a scalar only where a node starts: not the `'` of "it's".
                    b'\'' | b'"' if matches!(previous, b' ' | b'\t' | b'[' | b'{' | b',' | b':' | b'-') => {
                        quote = Some(b)
                    }
                    b'[' | b'{' => {
                        depth += 1;
                        deepest = deepest.max(depth);
                    }
                    b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            previous = b;
        }
    }
    deepest
}

/// Marks a duplicate key's path in a visitor error, recognised by [`classify`].
const DUPLICATE_KEY: &str = "duplicate key at `";
/// Marks the visitor's error past [`MAX_VALUES`], recognised by [`classify`].
const TOO_MANY_VALUES: &str = "too many values in the document";

/// Reads a JSON value with duplicate keys rejected; `at` is where in the document it is, for
/// the error. The path is a chain of borrowed steps, spelled out only when a duplicate is
/// found: formatting it for every node took most of the parse of a large spec.
struct Strict<'p> {
    at: Option<(&'p Strict<'p>, Step<'p>)>,
    /// Values read so far in the whole document, bounded by [`MAX_VALUES`].
    values: &'p std::cell::Cell<usize>,
}

#[derive(Clone, Copy)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

impl<'p> Strict<'p> {
    fn child(&'p self, step: Step<'p>) -> Strict<'p> {
        Strict { at: Some((self, step)), values: self.values }
    }

    /// The option path, e.g. `teams[0].name`.
    fn path(&self) -> String {
        let Some((parent, step)) = self.at else { return String::new() };
        let mut path = parent.path();
        match step {
            Step::Key(key) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Step::Index(i) => path.push_str(&format!("[{i}]")),
        }
        path
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.values.set(self.values.get() + 1);
        if self.values.get() > MAX_VALUES {
            return Err(de::Error::custom(TOO_MANY_VALUES));
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // YAML has .nan and .inf; JSON (and so the canonical spec) cannot hold them.
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom(format!("{v} is not a finite number")))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.child(Step::Index(items.len())))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!("{DUPLICATE_KEY}{}`", self.child(Step::Key(&key)).path())));
            }
            let value = map.next_value_seed(self.child(Step::Key(&key)))?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(format: Format, text: &str) -> (Code, String) {
        let p = parse(format, text).unwrap_err();
        (p.code, p.path)
    }

    #[test]
    fn a_key_given_twice_is_reported_at_its_path() {
        let json = r#"{"environment": "dev", "prometheus": {"scrape_interval": "15s", "scrape_interval": "1m"}}"#;
        assert_eq!(problem(Format::Json, json), (Code::SpecSyntax, "prometheus.scrape_interval".into()));
        let yaml = "environment: dev\nteams:\n  - name: a\n    name: b\n";
        assert_eq!(problem(Format::Yaml, yaml), (Code::SpecSyntax, "teams[0].name".into()));
        assert_eq!(problem(Format::Yaml, "a: 1\na: 2\n"), (Code::SpecSyntax, "a".into()));
    }

    #[test]
    fn reads_what_the_plain_parsers_read() {
        let text = "a: [1, -2, 2.5, true, null, 'x']\nb: {c: ~}\n";
        let strict = parse(Format::Yaml, text).unwrap();
        let plain: Value = serde_yaml::from_str(text).unwrap();
        assert_eq!(strict, plain);
        let json = r#"{"a": [1, -2, 2.5, true, null, "x", 18446744073709551615], "b": {"c": {}}}"#;
        assert_eq!(parse(Format::Json, json).unwrap(), serde_json::from_str::<Value>(json).unwrap());
    }

    #[test]
    fn yaml_flow_nesting_is_bounded_before_parsing() {
        let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let started = std::time::Instant::now();
        assert_eq!(problem(Format::Yaml, &deep).0, Code::SpecTooDeep);
        assert!(started.elapsed().as_secs() < 5, "the bound must come before libyaml's quadratic scan");
        // Brackets in comments and quoted scalars do not count; in plain scalars they do, and
        // neither an apostrophe in a word nor an unterminated quote hides later lines' brackets.
        assert_eq!(flow_depth("a: '[[[['\n# [[[[\nb: \"{{{{\"\n"), 0);
        assert_eq!(flow_depth("b: it's [[x]]\n"), 2);
        assert_eq!(flow_depth("a: 'unterminated [[\nb: [[[\n"), 3);
        assert_eq!(flow_depth("expr: sum(rate(x{job=\"a\"}[5m]))\n"), 1);
        let deep_but_valid = format!("a: {}{}\n", "[".repeat(40), "]".repeat(40));
        assert!(parse(Format::Yaml, &deep_but_valid).is_ok());
        let over = format!("a: {}{}\n", "[".repeat(MAX_YAML_FLOW_DEPTH + 1), "]".repeat(MAX_YAML_FLOW_DEPTH + 1));
        assert!(parse(Format::Yaml, &over).unwrap_err().message.contains("flow collections"));
    }

    #[test]
    fn alias_expansion_counts_as_size() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            bomb.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", ")));
        }
        assert_eq!(problem(Format::Yaml, &bomb).0, Code::SpecTooLarge);
    }

    #[test]
    fn yaml_infinities_are_not_json_numbers() {
        assert_eq!(problem(Format::Yaml, "a: .inf\n").0, Code::SpecSyntax);
    }
}
