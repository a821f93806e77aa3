//! Prometheus alert templates (Go `text/template` over `$labels` and `$value`), as far as the
//! rule tests need them: annotations made only of `{{ $labels.<name> }}` can be expanded here,
//! exactly as Prometheus would, to give a test's expected annotations.

use std::collections::BTreeMap;

/// Whether every `{{ … }}` in the templates is `{{ $labels.<name> }}`, which the expected
/// annotations can be computed from.
pub fn labels_only<'a>(templates: impl IntoIterator<Item = &'a String>) -> bool {
    templates.into_iter().all(|t| {
        let mut rest = t.as_str();
        while let Some(start) = rest.find("{{") {
            let Some(end) = rest[start..].find("}}") else { return false };
            let inner = rest[start + 2..start + end].trim();
            let ok = inner.strip_prefix("$labels.").is_some_and(super::names::is_label_name);
            if !ok {
                return false;
            }
            rest = &rest[start + end + 2..];
        }
        true
    })
}

/// A template with `{{ $labels.x }}` filled in as Prometheus does (a missing label is "").
pub fn expand(template: &str, labels: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").map(|e| start + e).unwrap_or(rest.len() - 2);
        let name = rest[start + 2..end].trim().trim_start_matches("$labels.");
        out.push_str(labels.get(name).map(String::as_str).unwrap_or(""));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_filled_in_and_other_templates_are_recognised() {
        let l = BTreeMap::from([("instance".to_string(), "a:1".to_string())]);
        assert_eq!(expand("Load on {{ $labels.instance }} ({{$labels.missing}})", &l), "Load on a:1 ()");
        assert!(labels_only([&"x {{ $labels.instance }}".to_string()]));
        assert!(!labels_only([&"x {{ $value | humanize }}".to_string()]));
        assert!(!labels_only([&"x {{ $labels.instance".to_string()]));
    }
}
