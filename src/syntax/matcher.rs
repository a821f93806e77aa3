//! Alertmanager matchers (`matchers`, `source_matchers`, `target_matchers`).
//!
//! Accepts `name op value` with op one of `=`, `!=`, `=~`, `!~` and the value bare or double
//! quoted. Matchers are rendered back in one canonical, always-quoted form, which both the classic
//! parser and the UTF-8 parser of Alertmanager 0.27+ accept the same way.

use super::names::is_label_name;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    /// Compiled, fully anchored, for regex operators.
    regex: Option<regex::Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Matcher {
    pub fn parse(input: &str) -> Result<Matcher, String> {
        let s = input.trim();
        let name_len = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
        let name = &s[..name_len];
        if !is_label_name(name) {
            return Err(format!("\"{name}\" is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"));
        }
        let rest = s[name_len..].trim_start();
        let (op, rest) = if let Some(r) = rest.strip_prefix("=~") {
            (MatchOp::Regex, r)
        } else if let Some(r) = rest.strip_prefix("!~") {
            (MatchOp::NotRegex, r)
        } else if let Some(r) = rest.strip_prefix("!=") {
            (MatchOp::NotEqual, r)
        } else if let Some(r) = rest.strip_prefix('=') {
            (MatchOp::Equal, r)
        } else {
            return Err("expected an operator =, !=, =~ or !~ after the label name".into());
        };
        let raw = rest.trim();
        let value = if let Some(inner) = raw.strip_prefix('"') {
            let Some(inner) = inner.strip_suffix('"') else {
                return Err("unterminated quoted value".into());
            };
            unescape(inner)?
        } else {
            if raw.contains(['"', '{', '}', ',', ' ']) || raw.starts_with(['=', '~']) {
                return Err("a bare value cannot contain quotes, braces, commas or spaces; quote it".into());
            }
            raw.to_string()
        };
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => {
                Some(anchored(&value).map_err(|e| format!("regex does not compile: {}", first_line(&e.to_string())))?)
            }
            _ => None,
        };
        Ok(Matcher { name: name.to_string(), op, value, regex })
    }

    /// Whether a label set matches, with Alertmanager's rule that a missing label is "".
    pub fn matches(&self, value: Option<&str>) -> bool {
        let v = value.unwrap_or("");
        match self.op {
            MatchOp::Equal => v == self.value,
            MatchOp::NotEqual => v != self.value,
            MatchOp::Regex => self.regex.as_ref().is_some_and(|r| r.is_match(v)),
            MatchOp::NotRegex => !self.regex.as_ref().is_some_and(|r| r.is_match(v)),
        }
    }
}

/// `^(?:value)$`, compiled once per process: the same matchers (a team's service regex) are
/// parsed by validation, routing and two renderers, and compiling is what costs.
fn anchored(value: &str) -> Result<regex::Regex, regex::Error> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static COMPILED: LazyLock<Mutex<HashMap<String, regex::Regex>>> = LazyLock::new(Default::default);
    if let Some(re) = COMPILED.lock().unwrap_or_else(|e| e.into_inner()).get(value) {
        return Ok(re.clone());
    }
    let re = regex::Regex::new(&format!("^(?:{value})$"))?;
    COMPILED.lock().unwrap_or_else(|e| e.into_inner()).insert(value.to_string(), re.clone());
    Ok(re)
}

fn first_line(s: &str) -> &str {
    s.lines().last().unwrap_or(s).trim()
}

fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('n') => out.push('\n'),
                other => return Err(format!("unknown escape \\{}", other.map(String::from).unwrap_or_default())),
            },
            '"' => return Err("unescaped quote inside a quoted value".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escaped = self.value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
        write!(f, "{}{}\"{}\"", self.name, self.op.as_str(), escaped)
    }
}

/// Matchers as Alertmanager prints them (`severity="critical"`).
pub fn canonical(matchers: &[Matcher]) -> Vec<String> {
    matchers.iter().map(Matcher::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders_canonically() {
        let cases = [
            ("severity=critical", "severity=\"critical\""),
            ("severity =~ \"critical|P1\"", "severity=~\"critical|P1\""),
            ("service!=\"postgresql\"", "service!=\"postgresql\""),
            ("alertname!~Watchdog|InfoInhibitor", "alertname!~\"Watchdog|InfoInhibitor\""),
            ("x=\"a\\\"b\"", "x=\"a\\\"b\""),
            ("x=\"\"", "x=\"\""),
        ];
        for (input, want) in cases {
            assert_eq!(Matcher::parse(input).unwrap().to_string(), want, "{input}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for input in ["severity", "1x=a", "a==b c", "a=~\"(\"", "a=\"open", "a=b c", "a=\"x\"y\"", "a==b", "a=~~b"] {
            assert!(Matcher::parse(input).is_err(), "{input} should be rejected");
        }
    }

    #[test]
    fn matches_like_alertmanager() {
        let m = Matcher::parse("severity=~\"warning|P2\"").unwrap();
        assert!(m.matches(Some("warning")));
        assert!(!m.matches(Some("warning2")), "regexes are anchored");
        assert!(!m.matches(None));
        let m = Matcher::parse("team!=db").unwrap();
        assert!(m.matches(None), "a missing label is the empty string");
    }
}
