//! Prometheus durations (`model.ParseDuration`): units y, w, d, h, m, s, ms, each at most once
//! and in that order, e.g. `1h30m`, `14d`, `500ms`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A Prometheus duration as written in the spec (e.g. `30s`, `5m`, `1h30m`, `14d`).
///
/// The spec keeps the text so that every malformed duration is reported together by the
/// validator; [`Duration::millis`] parses it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Duration(pub String);

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
    pub fn new(s: &str) -> Self {
        Duration(s.to_string())
    }

    /// A span in milliseconds as Prometheus writes one: `25h` → `1d1h`, `0` → `0s`.
    pub fn from_millis(mut ms: u64) -> Self {
        if ms == 0 {
            return Duration::new("0s");
        }
        let mut out = String::new();
        for (unit, size) in [("d", 86_400_000u64), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
            if ms >= size {
                out.push_str(&format!("{}{unit}", ms / size));
                ms %= size;
            }
        }
        Duration(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the text the way Prometheus does; `Err` carries a sentence for the user.
    pub fn millis(&self) -> Result<u64, String> {
        parse_millis(&self.0)
    }

    /// The same span in Go's `time.ParseDuration` syntax (no d/w/y), for the fields of Loki and
    /// Promtail that are `time.Duration` rather than `model.Duration`.
    pub fn to_go(&self) -> String {
        let mut ms = self.millis().expect("validated duration");
        if ms == 0 {
            return "0s".to_string();
        }
        let mut out = String::new();
        for (unit, size) in [("h", 3_600_000u64), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
            if ms >= size {
                out.push_str(&format!("{}{unit}", ms / size));
                ms %= size;
            }
        }
        out
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
            assert_eq!(Duration::new(text).millis(), want, "{text}");
        }
    }

    #[test]
    fn rejects_what_prometheus_rejects() {
        for text in ["", "5", "1.5h", "5 m", "30m1h", "1h1h", "-5m", "5min", "h"] {
            assert!(Duration::new(text).millis().is_err(), "{text} should be rejected");
        }
    }

    #[test]
    fn converts_to_go_durations() {
        assert_eq!(Duration::new("2h").to_go(), "2h");
        assert_eq!(Duration::new("1d").to_go(), "24h");
        assert_eq!(Duration::new("1m500ms").to_go(), "1m500ms");
        assert_eq!(Duration::new("0").to_go(), "0s");
    }
}
