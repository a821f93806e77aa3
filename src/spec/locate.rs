//! Where an option is in the file it came from: the line and column of an option path
//! (`alertmanager.route.routes[0].receiver`) in a spec's text, so a diagnostic can point an
//! editor or a CI annotation at it. The text is read again only when there are diagnostics to
//! place, so a valid spec pays nothing, and only along the paths asked for: a JSON document
//! (a Nix-built spec, up to megabytes) by serde_json, each container on the way as raw values
//! that point into the text; YAML by saphyr's streaming parser, in one pass for all the paths,
//! skipping every subtree off them. Neither builds the document again.

use super::load::Format;
use crate::diag::Location;
use saphyr_parser::{Event, Marker, Parser};
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};

/// The positions of some option paths in a document.
pub struct Located {
    /// 1-based line and column of each prefix of a wanted path the document has; `None` for
    /// a document this parser cannot read (the diagnostics keep their option paths).
    found: Option<HashMap<Vec<Owned>, (usize, usize)>>,
}

impl Located {
    /// Reads `text` (a document of `format`) for `paths`.
    pub fn new<'p>(format: Format, text: &str, paths: impl IntoIterator<Item = &'p str>) -> Self {
        let mut wanted = HashSet::new();
        for path in paths {
            let steps: Vec<Owned> = steps(path).into_iter().map(Owned::from).collect();
            for n in 0..=steps.len() {
                wanted.insert(steps[..n].to_vec());
            }
        }
        let found = match format {
            Format::Json => json(text, &wanted),
            Format::Yaml => scan(text, &wanted),
        };
        Located { found }
    }

    /// The 1-based line and column of the option at `path`, or of the deepest part of it the
    /// document has (an unknown key's parent, a missing field's object). An option that is a
    /// mapping key is placed at its key. `path` must be one of those read for.
    pub fn find(&self, path: &str) -> Option<(usize, usize)> {
        let found = self.found.as_ref()?;
        let steps: Vec<Owned> = steps(path).into_iter().map(Owned::from).collect();
        (0..=steps.len()).rev().find_map(|n| found.get(&steps[..n]).copied())
    }

    /// [`Located::find`] as a diagnostic's location in `file`.
    pub fn location(&self, file: &str, path: &str) -> Option<Location> {
        self.find(path).map(|(line, column)| Location { file: file.to_string(), line, column })
    }
}

/// A step of a path being read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Owned {
    Key(String),
    Index(usize),
}

impl From<Step<'_>> for Owned {
    fn from(step: Step<'_>) -> Self {
        match step {
            Step::Key(k) => Owned::Key(k.to_string()),
            Step::Index(i) => Owned::Index(i),
        }
    }
}

/// An open list or mapping on the way to a wanted path.
enum Open {
    Seq {
        next: usize,
    },
    /// `key`: the key just read (and where), when the next node is its value.
    Map {
        key: Option<(String, Marker)>,
    },
}

/// Where each of `wanted` (every prefix of the paths) starts; a subtree off every wanted path
/// is skipped without looking at its keys. `None` when the document does not parse.
fn scan(text: &str, wanted: &HashSet<Vec<Owned>>) -> Option<HashMap<Vec<Owned>, (usize, usize)>> {
    let mut found = HashMap::new();
    let mut path: Vec<Owned> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    // Depth of the subtree being skipped (0: none), and whether it is a (complex) key, whose
    // value comes next.
    let (mut skip, mut skipping_key) = (0usize, false);
    let at = |m: Marker| (m.line(), m.col() + 1);
    for event in Parser::new_from_str(text) {
        let (event, span) = event.ok()?;
        let starts = matches!(event, Event::SequenceStart(..) | Event::MappingStart(..));
        let ends = matches!(event, Event::SequenceEnd | Event::MappingEnd);
        let node = starts || matches!(event, Event::Scalar(..) | Event::Alias(_));
        if skip > 0 {
            skip = skip + usize::from(starts) - usize::from(ends);
            if skip == 0 && !skipping_key {
                value_done(&mut open);
            }
            continue;
        }
        if ends {
            open.pop();
            path.truncate(open.len().saturating_sub(1));
            value_done(&mut open);
            continue;
        }
        if !node {
            if matches!(event, Event::StreamEnd) {
                break;
            }
            continue;
        }
        // A mapping's key: remembered (a scalar) or skipped (a complex key).
        if let Some(Open::Map { key: key @ None }) = open.last_mut() {
            let text = match event {
                Event::Scalar(k, ..) => k.into_owned(),
                _ => String::new(),
            };
            *key = Some((text, span.start));
            (skip, skipping_key) = (usize::from(starts), true);
            continue;
        }
        let (step, start) = match open.last_mut() {
            None => (None, span.start),
            Some(Open::Seq { next }) => {
                *next += 1;
                (Some(Owned::Index(*next - 1)), span.start)
            }
            Some(Open::Map { key }) => {
                let (k, start) = key.clone().unwrap_or_default();
                (Some(Owned::Key(k)), start)
            }
        };
        let depth = path.len();
        if let Some(step) = step {
            path.push(step);
        }
        if !wanted.contains(&path) {
            path.truncate(depth);
            if starts {
                (skip, skipping_key) = (1, false);
            } else {
                value_done(&mut open);
            }
            continue;
        }
        found.insert(path.clone(), at(start));
        if starts {
            open.push(if matches!(event, Event::SequenceStart(..)) {
                Open::Seq { next: 0 }
            } else {
                Open::Map { key: None }
            });
        } else {
            path.truncate(depth);
            value_done(&mut open);
        }
    }
    Some(found)
}

/// [`scan`] for a JSON document: each container on a wanted path is read as raw values (slices
/// of `text`, so their offsets are their positions); a mapping's value is placed at its key.
fn json(text: &str, wanted: &HashSet<Vec<Owned>>) -> Option<HashMap<Vec<Owned>, (usize, usize)>> {
    let root: &RawValue = serde_json::from_str(text).ok()?;
    let mut offsets = vec![(Vec::new(), offset(text, root))];
    let mut open = vec![(Vec::new(), root)];
    while let Some((path, raw)) = open.pop() {
        let children: Vec<(Owned, &RawValue, usize)> = match raw.get().as_bytes().first() {
            Some(b'{') => serde_json::from_str::<HashMap<String, &RawValue>>(raw.get())
                .ok()?
                .into_iter()
                .map(|(k, v)| (Owned::Key(k), v, key_offset(text, offset(text, v))))
                .collect(),
            Some(b'[') => serde_json::from_str::<Vec<&RawValue>>(raw.get())
                .ok()?
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Owned::Index(i), v, offset(text, v)))
                .collect(),
            _ => continue,
        };
        for (step, value, at) in children {
            let mut child = path.clone();
            child.push(step);
            if wanted.contains(&child) {
                offsets.push((child.clone(), at));
                open.push((child, value));
            }
        }
    }
    Some(positions(text, offsets))
}

/// Where a raw value starts in the text it was read from.
fn offset(text: &str, raw: &RawValue) -> usize {
    raw.get().as_ptr() as usize - text.as_ptr() as usize
}

/// The start of the key (its opening quote) of the value at `value`: back over `"key" :`.
fn key_offset(text: &str, value: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = value;
    let back_over_space = |mut i: usize| {
        while i > 0 && bytes[i - 1].is_ascii_whitespace() {
            i -= 1;
        }
        i
    };
    i = back_over_space(i);
    if i == 0 || bytes[i - 1] != b':' {
        return value;
    }
    i = back_over_space(i - 1);
    if i == 0 || bytes[i - 1] != b'"' {
        return value;
    }
    // The key's closing quote is at i - 1; its opening quote is the first one before it that
    // is not escaped (preceded by an even number of backslashes).
    let mut j = i - 1;
    while j > 0 {
        j -= 1;
        if bytes[j] == b'"' {
            let slashes = bytes[..j].iter().rev().take_while(|b| **b == b'\\').count();
            if slashes % 2 == 0 {
                return j;
            }
        }
    }
    value
}

/// 1-based lines and columns (in characters, as saphyr counts them) of byte offsets, in one
/// pass over the text.
fn positions(text: &str, mut offsets: Vec<(Vec<Owned>, usize)>) -> HashMap<Vec<Owned>, (usize, usize)> {
    offsets.sort_by_key(|(_, at)| *at);
    let (mut line, mut column, mut from) = (1, 1, 0);
    let mut out = HashMap::new();
    for (path, at) in offsets {
        for c in text[from..at].chars() {
            if c == '\n' {
                (line, column) = (line + 1, 1);
            } else {
                column += 1;
            }
        }
        from = at;
        out.insert(path, (line, column));
    }
    out
}

/// A value of the innermost open mapping is read: its next node is a key.
fn value_done(open: &mut [Open]) {
    if let Some(Open::Map { key }) = open.last_mut() {
        *key = None;
    }
}

#[derive(Debug, PartialEq)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// `a.b[2].c` → a, b, 2, c. A bracketed step that is not a number (`teams[db]`) is a key.
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            if i > 0 {
                out.push(Step::Key(&rest[..i]));
            }
            rest = &rest[i..];
            while let Some(inner) = rest.strip_prefix('[') {
                let Some(end) = inner.find(']') else { break };
                let index = &inner[..end];
                out.push(index.parse().map_or(Step::Key(index), Step::Index));
                rest = &inner[end + 1..];
            }
        } else {
            out.push(Step::Key(rest));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_keys_and_indices() {
        assert_eq!(
            steps("a.b[2].c[0][1]"),
            vec![Step::Key("a"), Step::Key("b"), Step::Index(2), Step::Key("c"), Step::Index(0), Step::Index(1)]
        );
        assert_eq!(steps("teams[db].services"), vec![Step::Key("teams"), Step::Key("db"), Step::Key("services")]);
    }

    #[test]
    fn yaml_and_json_options_are_found_at_their_keys() {
        let yaml = "environment: dev\nalertmanager:\n  route:\n    routes:\n      - receiver: x\n      - receiver: y\n";
        let paths = ["environment", "alertmanager.route.routes[1].receiver", "alertmanager.route.nope"];
        let l = Located::new(Format::Yaml, yaml, paths);
        assert_eq!(l.find("environment"), Some((1, 1)));
        assert_eq!(l.find("alertmanager.route.routes[1].receiver"), Some((6, 9)));
        // An unknown key's deepest known ancestor.
        assert_eq!(l.find("alertmanager.route.nope"), Some((3, 3)));
        let json = "{\n  \"prometheus\": {\n    \"scrape_interval\": \"15x\"\n  }\n}\n";
        let path = "prometheus.scrape_interval";
        assert_eq!(Located::new(Format::Json, json, [path]).find(path), Some((3, 5)));
        assert_eq!(Located::new(Format::Yaml, json, [path]).find(path), Some((3, 5)));
    }

    /// Every option path of a value: its keys and indices, in the locator's spelling.
    fn every_path(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    every_path(v, if at.is_empty() { k.clone() } else { format!("{at}.{k}") }, out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    every_path(v, format!("{at}[{i}]"), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }

    /// The JSON reader places every option where the YAML reader does (JSON is YAML to saphyr),
    /// on a pretty and a one-line document with escapes, non-ASCII text and nested lists; and
    /// paths the document lacks at their deepest ancestor.
    #[test]
    fn the_json_reader_agrees_with_the_yaml_reader_everywhere() {
        let value = serde_json::json!({
            "environment": "préprod",
            "teams": [{"name": "db \"core\"", "services": ["a", "b\\"]}, {"name": "ä", "services": []}],
            "nested": [[1, 2], [{"k\"ey": {"x": null}}]],
            "ünïcode": {"ключ": "значение", "after": true},
        });
        let mut paths = Vec::new();
        every_path(&value, String::new(), &mut paths);
        paths.retain(|p| !p.is_empty());
        paths.extend(["teams[5].name", "nested[1][0].missing", "nope"].map(str::to_string));
        for text in [serde_json::to_string(&value).unwrap(), serde_json::to_string_pretty(&value).unwrap()] {
            let json = Located::new(Format::Json, &text, paths.iter().map(String::as_str));
            let yaml = Located::new(Format::Yaml, &text, paths.iter().map(String::as_str));
            for p in &paths {
                assert!(json.find(p).is_some(), "{p} in {text}");
                assert_eq!(json.find(p), yaml.find(p), "{p} in {text}");
            }
        }
    }

    #[test]
    fn an_unreadable_document_has_no_positions() {
        assert_eq!(Located::new(Format::Yaml, "a: [", ["a"]).find("a"), None);
        assert_eq!(Located::new(Format::Json, "{\"a\": [", ["a"]).find("a"), None);
    }
}
