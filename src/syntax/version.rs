//! Tool versions: `MAJOR.MINOR[.PATCH]`, compared numerically.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version { major, minor, patch }
    }

    pub fn parse(s: &str) -> Result<Version, String> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let parts: Vec<&str> = s.split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err("expected MAJOR.MINOR or MAJOR.MINOR.PATCH".into());
        }
        let num = |p: &str| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                Err(format!("\"{p}\" is not a number"))
            } else {
                p.parse::<u32>().map_err(|e| e.to_string())
            }
        };
        Ok(Version {
            major: num(parts[0])?,
            minor: num(parts[1])?,
            patch: parts.get(2).map(|p| num(p)).transpose()?.unwrap_or(0),
        })
    }
}

/// A tool version as the spec declares it, parsed when the spec is read: the text (which the
/// canonical spec repeats as written, `v0.28` included) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    text: String,
    version: Version,
}

/// The words between the text and the reason of a version that does not parse, by which the
/// spec loader gives it the code `version/invalid`.
pub const INVALID: &str = "is not a version:";

impl Declared {
    pub fn parse(text: &str) -> Result<Declared, String> {
        Ok(Declared { version: Version::parse(text)?, text: text.to_string() })
    }

    /// A version written in monstack's own code (a default).
    pub fn new(text: &str) -> Declared {
        Declared::parse(text).unwrap_or_else(|why| panic!("monstack's version literal {text:?}: {why}"))
    }

    pub fn version(&self) -> Version {
        self.version
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl serde::Serialize for Declared {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Declared {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Declared::parse(&text).map_err(|why| serde::de::Error::custom(format!("\"{text}\" {INVALID} {why}")))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        assert_eq!(Version::parse("2.53.3"), Ok(Version::new(2, 53, 3)));
        assert_eq!(Version::parse("v0.28"), Ok(Version::new(0, 28, 0)));
        assert!(Version::parse("2").is_err());
        assert!(Version::parse("2.x").is_err());
        assert!(Version::parse("2.53.3-rc1").is_err());
        assert!(Version::new(2, 9, 6) < Version::new(3, 0, 0));
        assert!(Version::new(2, 51, 1) > Version::new(2, 9, 0));
    }

    /// A declared version is parsed as the spec is read and written back as it was given.
    #[test]
    fn a_declared_version_is_parsed_when_read_and_kept_as_written() {
        let d: Declared = serde_json::from_str("\"v0.28\"").unwrap();
        assert_eq!(d.version(), Version::new(0, 28, 0));
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"v0.28\"");
        let err = serde_json::from_str::<Declared>("\"latest\"").unwrap_err().to_string();
        assert!(err.starts_with("\"latest\" is not a version: expected MAJOR.MINOR or MAJOR.MINOR.PATCH"), "{err}");
    }
}
