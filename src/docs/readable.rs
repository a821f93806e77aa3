//! Alert annotations for people. Summaries and descriptions are Go templates that Prometheus
//! fills in when the alert fires (`{{ $labels.instance }}`, `{{ $value | humanize }}`); the
//! catalogue shows them with a placeholder per value instead: `<instance>`, `<value>`,
//! `<value as %>` (for `humanizePercentage`), `<value as duration>`, and keeps the exact
//! template beside them (a tooltip in the HTML). Control actions (`if`, `range`, `end`…) and
//! comments are left out; an action the catalogue cannot name is `<…>`.
//!
//! Template language: <https://prometheus.io/docs/prometheus/latest/configuration/template_reference/>.

use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// An annotation, readable.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Readable {
    /// Plain text with `<name>` placeholders.
    pub text: String,
    /// The same as runs of text and placeholders, so the HTML can set placeholders apart.
    pub parts: Vec<Part>,
    /// The exact template, when it has template syntax.
    pub template: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Part {
    pub text: String,
    /// A placeholder's name (`instance`, `value as %`), shown as `<name>` in plain text.
    pub placeholder: Option<String>,
}

const CONTROL: &[&str] = &["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"];

/// The value a pipeline prints, by the first label or value it reads.
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\$labels\.([A-Za-z_][A-Za-z0-9_]*)|\.Labels\.([A-Za-z_][A-Za-z0-9_]*)|index\s+(?:\$labels|\.Labels)\s+"([^"]*)"|\$externalLabels\.([A-Za-z_][A-Za-z0-9_]*)|\.ExternalLabels\.([A-Za-z_][A-Za-z0-9_]*)|(\$value\b|\.Value\b)"#,
    )
    .expect("the reference pattern compiles")
});

/// How `$value` reads after the pipeline's formatting function.
fn value_hint(action: &str) -> &'static str {
    let has = |f: &str| action.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == f);
    if has("humanizePercentage") {
        "value as %"
    } else if has("humanizeDuration") {
        "value as duration"
    } else if has("humanizeTimestamp") {
        "value as time"
    } else if has("humanize1024") {
        "value in 1024s"
    } else {
        "value"
    }
}

/// What one action (the text between `{{` and `}}`, trim markers removed) shows.
fn action(inner: &str) -> Option<Part> {
    let inner = inner.trim();
    let first = inner.split_whitespace().next().unwrap_or("");
    if inner.is_empty() || inner.starts_with("/*") || CONTROL.contains(&first) {
        return None;
    }
    // `{{ $x := … }}` declares; it prints nothing.
    if first.starts_with('$') && inner[first.len()..].trim_start().starts_with([':', '=']) {
        return None;
    }
    if let Some(lit) = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return Some(Part { text: lit.replace("\\\"", "\"").replace("\\\\", "\\"), placeholder: None });
    }
    let name = match REFERENCE.captures(inner) {
        Some(c) if c.get(6).is_some() => value_hint(inner).to_string(),
        Some(c) => (1..=5).find_map(|i| c.get(i)).map(|m| m.as_str().to_string()).unwrap_or_default(),
        None => "…".into(),
    };
    Some(Part { text: format!("<{name}>"), placeholder: Some(name) })
}

/// The end of the action starting at `s` (just after `{{`): the first `}}` outside a string.
fn action_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (Some(b'"'), b'\\') => i += 1,
            (Some(q), c) if c == q => quote = None,
            (None, b'"' | b'`') => quote = Some(bytes[i]),
            (None, b'}') if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn push_text(parts: &mut Vec<Part>, text: &str) {
    if text.is_empty() {
        return;
    }
    match parts.last_mut() {
        Some(p) if p.placeholder.is_none() => p.text.push_str(text),
        _ => parts.push(Part { text: text.to_string(), placeholder: None }),
    }
}

/// An annotation template, readable.
pub fn readable(template: &str) -> Readable {
    let mut parts: Vec<Part> = Vec::new();
    let mut rest = template;
    let mut trim_next = false;
    let mut templated = false;
    while let Some(open) = rest.find("{{") {
        let mut before = &rest[..open];
        if trim_next {
            before = before.trim_start();
        }
        let body = &rest[open + 2..];
        let Some(end) = action_end(body) else { break };
        templated = true;
        let mut inner = &body[..end];
        // `{{- ` and ` -}}` trim the white space beside the action (text/template).
        if let Some(i) = inner.strip_prefix('-').filter(|i| i.starts_with(char::is_whitespace)) {
            before = before.trim_end();
            inner = i;
        }
        trim_next = false;
        if let Some(i) = inner.strip_suffix('-').filter(|i| i.ends_with(char::is_whitespace)) {
            trim_next = true;
            inner = i;
        }
        push_text(&mut parts, before);
        match action(inner) {
            Some(p) if p.placeholder.is_none() => push_text(&mut parts, &p.text),
            Some(p) => parts.push(p),
            None => {}
        }
        rest = &body[end + 2..];
    }
    push_text(&mut parts, if trim_next { rest.trim_start() } else { rest });
    Readable {
        text: parts.iter().map(|p| p.text.as_str()).collect(),
        parts,
        template: templated.then(|| template.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_actions_become_placeholders() {
        let cases: &[(&str, &str)] = &[
            ("High CPU Load on {{ $labels.instance }}", "High CPU Load on <instance>"),
            ("{{$labels.mountpoint}} on {{ .Labels.instance }}", "<mountpoint> on <instance>"),
            ("Error rate {{ $value | humanizePercentage }} for {{ $labels.job }}", "Error rate <value as %> for <job>"),
            ("{{ $value | humanize }} req/s", "<value> req/s"),
            ("{{ printf \"%.2f\" $value }}", "<value>"),
            ("up for {{ $value | humanizeDuration }}", "up for <value as duration>"),
            ("{{ index $labels \"model-name\" }}", "<model-name>"),
            ("{{ $labels.instance | reReplaceAll \":.*\" \"\" }}", "<instance>"),
            ("in {{ $externalLabels.env }}", "in <env>"),
            ("{{ if gt $value 1.0 }}high{{ else }}low{{ end }}", "highlow"),
            ("a {{- \" b \" -}} c", "a b c"),
            ("x {{/* note */}}y", "x y"),
            ("{{ $x := 1 }}n", "n"),
            ("{{ query \"up\" | first | value }}", "<…>"),
            ("literal {{ \"}}\" }} end", "literal }} end"),
            ("no template", "no template"),
        ];
        for (template, want) in cases {
            assert_eq!(readable(template).text, *want, "{template}");
        }
    }

    #[test]
    fn the_exact_template_is_kept_only_when_there_is_one() {
        let r = readable("Disk on {{ $labels.instance }} full");
        assert_eq!(r.template.as_deref(), Some("Disk on {{ $labels.instance }} full"));
        assert_eq!(
            r.parts,
            vec![
                Part { text: "Disk on ".into(), placeholder: None },
                Part { text: "<instance>".into(), placeholder: Some("instance".into()) },
                Part { text: " full".into(), placeholder: None },
            ]
        );
        assert_eq!(readable("plain").template, None);
        // An action left open is text, as Prometheus would refuse it anyway.
        assert_eq!(readable("open {{ $labels.x").text, "open {{ $labels.x");
    }
}
