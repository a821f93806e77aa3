//! LogQL stream selectors (`{app="x", level=~"warn|error"}`), the part of LogQL that Loki's
//! retention rules and Promtail take.

use super::matcher::Matcher;
use super::names::is_label_name;

/// Parses a stream selector into its matchers. Loki also requires that at least one matcher
/// does not match the empty string (otherwise the selector would select every stream).
pub fn parse_selector(input: &str) -> Result<Vec<Matcher>, String> {
    let s = input.trim();
    let inner = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .ok_or("a stream selector is written in braces, e.g. {app=\"api\"}")?;
    let mut matchers = Vec::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let name = &rest[..name_len];
        if !is_label_name(name) {
            return Err(format!("\"{name}\" is not a label name"));
        }
        rest = rest[name_len..].trim_start();
        let op_len = ["=~", "!~", "!=", "="]
            .iter()
            .find(|op| rest.starts_with(**op))
            .map(|op| op.len())
            .ok_or("expected =, !=, =~ or !~")?;
        let op = &rest[..op_len];
        rest = rest[op_len..].trim_start();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '`').ok_or("values are quoted with \" or `")?;
        let mut end = None;
        let mut escaped = false;
        for (i, c) in rest.char_indices().skip(1) {
            if quote == '"' && c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            if c == quote && !escaped {
                end = Some(i);
                break;
            }
            escaped = false;
        }
        let end = end.ok_or("unterminated string")?;
        let value = &rest[..=end];
        let text = if quote == '`' {
            format!("{name}{op}\"{}\"", value[1..end].replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            format!("{name}{op}{value}")
        };
        matchers.push(Matcher::parse(&text)?);
        rest = rest[end + 1..].trim_start();
        if let Some(r) = rest.strip_prefix(',') {
            rest = r.trim_start();
            if rest.is_empty() {
                return Err("trailing comma".into());
            }
        } else if !rest.is_empty() {
            return Err(format!("expected , or }} before \"{rest}\""));
        }
    }
    if matchers.is_empty() {
        return Err("an empty selector {} selects nothing".into());
    }
    if matchers.iter().all(|m| m.matches(None)) {
        return Err(
            "every matcher also matches an absent label; Loki needs at least one that does not (e.g. an = matcher)"
                .into(),
        );
    }
    Ok(matchers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selectors() {
        assert_eq!(parse_selector("{log_class=\"security_audit\"}").unwrap().len(), 1);
        assert_eq!(parse_selector("{ app = \"a,b\" , level=~`warn|error` }").unwrap().len(), 2);
    }

    #[test]
    fn rejects_bad_selectors() {
        for s in [
            "log_class=\"x\"",
            "{}",
            "{a=\"x\",}",
            "{a=x}",
            "{a=~\".*\"}",
            "{a=\"x\" b=\"y\"}",
            "{1a=\"x\"}",
            "{a=~\"(\"}",
        ] {
            assert!(parse_selector(s).is_err(), "{s} should be rejected");
        }
    }
}
