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
}
