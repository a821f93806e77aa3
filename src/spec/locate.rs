//! Where an option is in the file it came from: the line and column of an option path
//! (`alertmanager.route.routes[0].receiver`) in a spec's text, so a diagnostic can point an
//! editor or a CI annotation at it. The text is parsed again with a parser that keeps positions
//! (saphyr; JSON is YAML to it) — only when there are diagnostics to place, so a valid spec pays
//! nothing.

use crate::diag::Location;
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// A parsed document to look option paths up in.
pub struct Locator<'a> {
    root: Option<MarkedYaml<'a>>,
}

impl<'a> Locator<'a> {
    /// `None` positions for a document this parser cannot read (the diagnostics keep their
    /// option paths).
    pub fn new(text: &'a str) -> Self {
        let root = MarkedYaml::load_from_str(text).ok().and_then(|docs| docs.into_iter().next());
        Locator { root }
    }

    /// The 1-based line and column of the option at `path`, or of the deepest part of it the
    /// document has (an unknown key's parent, a missing field's object). An option that is a
    /// mapping key is placed at its key.
    pub fn find(&self, path: &str) -> Option<(usize, usize)> {
        let mut node = self.root.as_ref()?;
        let mut at = node.span.start;
        for step in steps(path) {
            let next = match (&node.data, step) {
                (YamlData::Mapping(map), Step::Key(key)) => {
                    map.iter().find(|(k, _)| scalar(k) == Some(key)).map(|(k, v)| (k.span.start, v))
                }
                (YamlData::Sequence(items), Step::Index(i)) => items.get(i).map(|v| (v.span.start, v)),
                _ => None,
            };
            let Some((start, child)) = next else { break };
            at = start;
            node = child;
        }
        Some((at.line(), at.col() + 1))
    }

    /// [`Locator::find`] as a diagnostic's location in `file`.
    pub fn location(&self, file: &str, path: &str) -> Option<Location> {
        self.find(path).map(|(line, column)| Location { file: file.to_string(), line, column })
    }
}

fn scalar<'n>(node: &'n MarkedYaml) -> Option<&'n str> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(s),
        YamlData::Representation(s, ..) => Some(s),
        _ => None,
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
        let l = Locator::new(yaml);
        assert_eq!(l.find("environment"), Some((1, 1)));
        assert_eq!(l.find("alertmanager.route.routes[1].receiver"), Some((6, 9)));
        // An unknown key's deepest known ancestor.
        assert_eq!(l.find("alertmanager.route.nope"), Some((3, 3)));
        let json = "{\n  \"prometheus\": {\n    \"scrape_interval\": \"15x\"\n  }\n}\n";
        assert_eq!(Locator::new(json).find("prometheus.scrape_interval"), Some((3, 5)));
    }

    #[test]
    fn an_unreadable_document_has_no_positions() {
        assert_eq!(Locator::new("a: [").find("a"), None);
    }
}
