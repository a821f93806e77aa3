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

/// Stages a LogQL pipeline may name after `|` (besides label filters such as `| level="error"`).
const STAGES: &[&str] = &[
    "json",
    "logfmt",
    "regexp",
    "pattern",
    "unpack",
    "line_format",
    "label_format",
    "unwrap",
    "decolorize",
    "drop",
    "keep",
];

/// Range functions LogQL has and PromQL lacks, and the PromQL function of the same shape they
/// are checked as.
const LOG_RANGE_FUNCTIONS: &[(&str, &str)] =
    &[("bytes_rate", "rate"), ("bytes_over_time", "count_over_time"), ("rate_counter", "rate")];

/// A structural check of a whole LogQL query (log or metric query): every stream selector parses
/// (see [`parse_selector`]), quotes and brackets balance, every pipeline stage is one LogQL
/// has, and a metric query — each `{selector} | pipeline [range]` replaced by a placeholder
/// series — parses as PromQL, which has LogQL's aggregation and range-function syntax. Returns
/// the matchers of each selector.
pub fn check_query(query: &str) -> Result<Vec<Vec<Matcher>>, String> {
    let chars: Vec<char> = query.chars().collect();
    let mut selectors = Vec::new();
    let mut skeleton = String::new();
    let mut i = 0;
    let mut log_query = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '`' {
            let end = string_end(&chars, i)?;
            skeleton.extend(&chars[i..=end]);
            i = end + 1;
        } else if c == '{' {
            let end = selector_end(&chars, i)?;
            let text: String = chars[i..=end].iter().collect();
            selectors.push(parse_selector(&text).map_err(|e| format!("{text}: {e}"))?);
            i = pipeline(&chars, end + 1)?;
            let rest: String = chars[i..].iter().collect();
            let rest = rest.trim_start();
            if let Some(range) = rest.strip_prefix('[') {
                let close = range.find(']').ok_or("unclosed range [")?;
                skeleton.push_str("log_stream[5m]");
                i = chars.len() - rest.chars().count() + 1 + range[..=close].chars().count();
            } else {
                skeleton.push_str("log_stream");
                log_query = true;
            }
        } else if c == '}' {
            return Err("unbalanced }".into());
        } else {
            skeleton.push(c);
            i += 1;
        }
    }
    if selectors.is_empty() {
        return Err("a LogQL query needs a stream selector such as {job=\"x\"}".into());
    }
    if log_query {
        // A log query is a selector and its pipeline, nothing around it.
        if skeleton.trim() != "log_stream" || selectors.len() != 1 {
            return Err("a log query (no [range]) must be a single selector with its pipeline".into());
        }
        return Ok(selectors);
    }
    let mut promql = skeleton;
    for (log, prom) in LOG_RANGE_FUNCTIONS {
        promql = promql.replace(&format!("{log}("), &format!("{prom}("));
    }
    promql_parser::parser::parse(&promql).map_err(|e| format!("not a LogQL metric query: {e}"))?;
    Ok(selectors)
}

/// The index of the quote closing the string that opens at `start`.
fn string_end(chars: &[char], start: usize) -> Result<usize, String> {
    let quote = chars[start];
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate().skip(start + 1) {
        if quote == '"' && c == '\\' && !escaped {
            escaped = true;
            continue;
        }
        if c == quote && !escaped {
            return Ok(i);
        }
        escaped = false;
    }
    Err("unterminated string".into())
}

/// The index of the `}` closing the selector that opens at `start`.
fn selector_end(chars: &[char], start: usize) -> Result<usize, String> {
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '"' | '`' => i = string_end(chars, i)? + 1,
            '}' => return Ok(i),
            '{' => return Err("nested { in a stream selector".into()),
            _ => i += 1,
        }
    }
    Err("unclosed stream selector {".into())
}

/// Skips the pipeline after a selector; returns where it ends (at `[`, `)` or the end).
fn pipeline(chars: &[char], start: usize) -> Result<usize, String> {
    let mut i = start;
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if ["|=", "!=", "|~", "!~"].contains(&rest.as_str()) {
            i += 2;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i >= chars.len() || !(chars[i] == '"' || chars[i] == '`') {
                return Err(format!("line filter {rest} needs a quoted string"));
            }
            i = string_end(chars, i)? + 1;
        } else if rest.starts_with('|') {
            i += 1;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let word: String = chars[i..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '_').collect();
            if word.is_empty() {
                return Err("a pipeline stage after |".into());
            }
            i += word.chars().count();
            let label_filter = {
                let after: String = chars[i..].iter().collect();
                let after = after.trim_start();
                ["=", "!=", "=~", "!~", ">", "<"].iter().any(|op| after.starts_with(op))
            };
            if !STAGES.contains(&word.as_str()) && !label_filter {
                return Err(format!("\"{word}\" is not a LogQL pipeline stage or label filter"));
            }
            // The stage's arguments run to the next stage, the range, or the closing bracket.
            while i < chars.len() && !matches!(chars[i], '|' | '[' | ')') {
                if (chars[i] == '!') && chars.get(i + 1).is_some_and(|c| *c == '=' || *c == '~') && !label_filter {
                    break;
                }
                if chars[i] == '"' || chars[i] == '`' {
                    i = string_end(chars, i)?;
                }
                i += 1;
            }
        } else {
            return Ok(i);
        }
    }
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

    #[test]
    fn checks_whole_queries() {
        for q in [
            "{job=\"x\"}",
            "{job=\"x\", level=~\"warn|error\"} |= \"timeout\" | json | line_format \"{{.message}}\"",
            "sum by (level) (count_over_time({job=\"x\"}[5m]))",
            "topk(10, sum by (message) (count_over_time({job=\"x\", level=\"error\"} | label_format message=\"{{ __line__ }}\" [1h])))",
            "sum(bytes_rate({job=\"x\"} |~ `err.*` [5m])) / sum(bytes_rate({job=\"x\"}[5m]))",
            "sum(rate({job=\"x\"} | logfmt | duration > 10s [5m]))",
        ] {
            assert!(check_query(q).is_ok(), "{q}: {:?}", check_query(q));
        }
    }

    #[test]
    fn rejects_broken_queries() {
        for q in [
            "count_over_time(job=\"x\"[5m])",
            "{job=\"x\"",
            "{job=~\".*\"}",
            "{job=\"x\"} | jsn",
            "{job=\"x\"} |= timeout",
            "sum by (level) (count_over_time({job=\"x\"}[5m])",
            "sum(count_over_time({job=\"x\"}[5m])) +",
            "{job=\"x\"} + {job=\"y\"}",
            "{job=\"x\"} |= \"unterminated",
        ] {
            assert!(check_query(q).is_err(), "{q} should be rejected");
        }
    }
}
