//! Prometheus durations (`model.ParseDuration`): units y, w, d, h, m, s, ms, each at most once
//! and in that order, e.g. `1h30m`, `14d`, `500ms`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A Prometheus duration as written in the spec (e.g. `30s`, `5m`, `1h30m`, `14d`), parsed when
/// the spec is read: one that does not parse never reaches the validated model. It keeps the
/// text, which the rendered files repeat as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration {
    text: String,
    millis: u64,
}

/// The message of a duration that does not parse, as the spec loader reports it
/// ([`crate::spec::load`] gives it the code `duration/invalid` by this wording).
pub fn invalid(text: &str, why: &str) -> String {
    format!("\"{text}\" {INVALID} {why}")
}

/// The words between the text and the reason in [`invalid`].
pub const INVALID: &str = "is not a duration:";

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Duration::parse(&text).map_err(|why| serde::de::Error::custom(invalid(&text, &why)))
    }
}

/// The duration syntax as a JSON Schema pattern (the validator gives the precise error).
pub const PATTERN: &str =
    r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$";

impl JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": PATTERN,
            "description": "A Prometheus duration such as 30s, 5m, 1h30m or 14d.",
        })
    }
}

const UNITS: [(&str, u64); 7] = [
    ("y", 365 * 24 * 3_600_000),
    ("w", 7 * 24 * 3_600_000),
    ("d", 24 * 3_600_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

impl Duration {
    /// The duration, or why Prometheus would refuse it (a sentence for the user).
    pub fn parse(text: &str) -> Result<Duration, String> {
        Ok(Duration { millis: parse_millis(text)?, text: text.to_string() })
    }

    /// A duration written in monstack's own code (a default, a catalogue `for`); unit tests
    /// build every one of them.
    pub fn new(text: &str) -> Self {
        Duration::parse(text).unwrap_or_else(|why| panic!("monstack's duration literal {text:?}: {why}"))
    }

    /// A span in milliseconds as Prometheus writes one: `25h` → `1d1h`, `0` → `0s`.
    pub fn from_millis(ms: u64) -> Self {
        Duration { text: spelled(ms, &UNITS[2..]), millis: ms }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Its length in milliseconds.
    pub fn millis(&self) -> u64 {
        self.millis
    }

    /// The same span in Go's `time.ParseDuration` syntax (no d/w/y), for the fields of Loki and
    /// Promtail that are `time.Duration` rather than `model.Duration`.
    pub fn to_go(&self) -> String {
        spelled(self.millis, &UNITS[3..])
    }
}

/// `ms` in the largest of `units` first, each at most once (`0s` for none).
fn spelled(mut ms: u64, units: &[(&str, u64)]) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for &(unit, size) in units {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_millis(s: &str) -> Result<u64, String> {
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if s == "0" {
        return Ok(0);
    }
    let mut rest = s;
    let mut next_unit = 0;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("expected a number at \"{rest}\""));
        }
        let n: u64 = rest[..digits].parse().map_err(|_| "number too large".to_string())?;
        rest = &rest[digits..];
        // "ms" must be tried before "m".
        let pos = UNITS[next_unit..]
            .iter()
            .enumerate()
            .filter(|(_, (u, _))| rest.starts_with(u))
            .max_by_key(|(_, (u, _))| u.len())
            .map(|(i, _)| i + next_unit);
        let Some(i) = pos else {
            return Err(format!(
                "unknown or out-of-order unit at \"{rest}\" (units y, w, d, h, m, s, ms, largest first)"
            ));
        };
        let (unit, size) = UNITS[i];
        total =
            n.checked_mul(size).and_then(|v| total.checked_add(v)).ok_or_else(|| "duration too large".to_string())?;
        rest = &rest[unit.len()..];
        next_unit = i + 1;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_prometheus() {
        let cases = [
            ("30s", Ok(30_000)),
            ("5m", Ok(300_000)),
            ("1h30m", Ok(5_400_000)),
            ("14d", Ok(14 * 86_400_000)),
            ("500ms", Ok(500)),
            ("1m500ms", Ok(60_500)),
            ("0", Ok(0)),
            ("0s", Ok(0)),
        ];
        for (text, want) in cases {
            assert_eq!(Duration::parse(text).map(|d| d.millis()), want, "{text}");
        }
    }

    #[test]
    fn rejects_what_prometheus_rejects() {
        for text in ["", "5", "1.5h", "5 m", "30m1h", "1h1h", "-5m", "5min", "h"] {
            assert!(Duration::parse(text).is_err(), "{text} should be rejected");
        }
    }

    /// A spec's duration is parsed as it is read: one Prometheus would refuse cannot be held
    /// (the spec once kept any text, and the renderers trusted validation to have refused it).
    #[test]
    fn a_duration_that_does_not_parse_is_refused_when_read() {
        let err = serde_json::from_str::<Duration>("\"1.5m\"").unwrap_err().to_string();
        assert!(err.starts_with("\"1.5m\" is not a duration: unknown or out-of-order unit at \".5m\""), "{err}");
        let d: Duration = serde_json::from_str("\"1h30m\"").unwrap();
        assert_eq!((d.as_str(), d.millis()), ("1h30m", 5_400_000));
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"1h30m\"");
    }

    #[test]
    fn converts_to_go_durations() {
        assert_eq!(Duration::new("2h").to_go(), "2h");
        assert_eq!(Duration::new("1d").to_go(), "24h");
        assert_eq!(Duration::new("1m500ms").to_go(), "1m500ms");
        assert_eq!(Duration::new("0").to_go(), "0s");
    }
}
