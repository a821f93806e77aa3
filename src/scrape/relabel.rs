//! Prometheus' relabeling, applied to a label set: what `relabel_configs` does to a target and
//! `metric_relabel_configs` to a scraped series. The semantics are those of
//! `model/relabel/relabel.go` (`relabel`, Prometheus 2.53): source label values joined by the
//! separator (default `;`); the regex (default `(.*)`) anchored as `^(?s:…)$`; `replace` writes
//! the expanded replacement (default `$1`) to the expanded target label only when the regex
//! matches, and deletes the target when the result is empty; `keep`/`drop` decide on a match;
//! `keepequal`/`dropequal` compare with the target label; `hashmod` is the MD5 of the value,
//! its last 8 bytes big-endian, modulo `modulus`; `labelmap`, `labeldrop` and `labelkeep` match
//! label names. A label set never holds an empty value: setting one deletes the label, as
//! Prometheus' `labels.Builder` does.

use crate::spec::scrape::{Relabel, RelabelAction};
use crate::syntax::names::is_label_name;
use md5::{Digest, Md5};
use regex::Regex;
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// Sets `name` to `value`, or deletes it when `value` is empty.
pub fn set(labels: &mut Labels, name: &str, value: &str) {
    if value.is_empty() {
        labels.remove(name);
    } else {
        labels.insert(name.to_string(), value.to_string());
    }
}

/// A step's regex, anchored as Prometheus anchors it; compiled once per thread and pattern: the
/// scrape model relabels every target and series of a fleet with the same few steps, and
/// compiling them again each time was a tenth of a fleet's validation.
fn anchored(regex: Option<&str>) -> Option<Regex> {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<Regex>>> =
            Default::default();
    }
    let source = regex.unwrap_or("(.*)");
    COMPILED.with(|compiled| {
        if let Some(re) = compiled.borrow().get(source) {
            return re.clone();
        }
        let re = Regex::new(&format!("^(?s:{source})$")).ok();
        compiled.borrow_mut().insert(source.to_string(), re.clone());
        re
    })
}

/// Applies the steps in order; `false` when one of them drops the label set. A regex that does
/// not compile (validation refuses those) leaves the labels alone.
pub fn apply(steps: &[Relabel], labels: &mut Labels) -> bool {
    steps.iter().all(|step| one(step, labels))
}

fn one(step: &Relabel, labels: &mut Labels) -> bool {
    let Some(re) = anchored(step.regex.as_deref()) else { return true };
    let separator = step.separator.as_deref().unwrap_or(";");
    let value: Vec<&str> = step.source_labels.iter().map(|l| labels.get(l).map(String::as_str).unwrap_or("")).collect();
    let value = value.join(separator);
    let target = step.target_label.as_deref().unwrap_or("");
    let replacement = step.replacement.as_deref().unwrap_or("$1");
    match step.action.unwrap_or(RelabelAction::Replace) {
        RelabelAction::Keep => return re.is_match(&value),
        RelabelAction::Drop => return !re.is_match(&value),
        RelabelAction::Keepequal => return labels.get(target).map(String::as_str).unwrap_or("") == value,
        RelabelAction::Dropequal => return labels.get(target).map(String::as_str).unwrap_or("") != value,
        RelabelAction::Replace => {
            if let Some(caps) = re.captures(&value) {
                let mut name = String::new();
                caps.expand(target, &mut name);
                if is_label_name(&name) {
                    let mut out = String::new();
                    caps.expand(replacement, &mut out);
                    set(labels, &name, &out);
                }
            }
        }
        RelabelAction::Lowercase => set(labels, target, &value.to_lowercase()),
        RelabelAction::Uppercase => set(labels, target, &value.to_uppercase()),
        RelabelAction::Hashmod => {
            let hash = Md5::digest(value.as_bytes());
            let tail: [u8; 8] = hash[8..].try_into().expect("an MD5 sum has 16 bytes");
            let m = step.modulus.unwrap_or(1).max(1);
            set(labels, target, &(u64::from_be_bytes(tail) % m).to_string());
        }
        RelabelAction::Labelmap => {
            let mapped: Vec<(String, String)> = labels
                .iter()
                .filter(|(name, _)| re.is_match(name))
                .map(|(name, v)| (re.replace_all(name, replacement).into_owned(), v.clone()))
                .collect();
            for (name, v) in mapped {
                set(labels, &name, &v);
            }
        }
        RelabelAction::Labeldrop => labels.retain(|name, _| !re.is_match(name)),
        RelabelAction::Labelkeep => labels.retain(|name, _| re.is_match(name)),
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::steps::{constant, copy, keep};
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn step(yaml: &str) -> Relabel {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn relabels_like_prometheus() {
        let mut l = labels(&[("__address__", "10.0.0.1:8080"), ("__meta_ns", "gpu"), ("__meta_pod", "dcgm-1")]);
        assert!(apply(
            &[
                copy(&["__meta_ns"], "namespace"),
                copy(&["__meta_pod", "__meta_ns"], "both"),
                constant("service", "x"),
                // No match: nothing is written.
                step("{source_labels: [__meta_ns], regex: 'kube-(.*)', target_label: short}"),
                // An empty result deletes the target.
                step("{source_labels: [__meta_missing], target_label: service}"),
                step(
                    r"{source_labels: [__address__], regex: '([^:]+)(?::\d+)?', replacement: '${1}:9400', target_label: __address__}"
                ),
                step("{action: labelmap, regex: '__meta_(p.*)', replacement: 'k8s_$1'}"),
            ],
            &mut l
        ));
        assert_eq!(
            l,
            labels(&[
                ("__address__", "10.0.0.1:9400"),
                ("__meta_ns", "gpu"),
                ("__meta_pod", "dcgm-1"),
                ("both", "dcgm-1;gpu"),
                ("k8s_pod", "dcgm-1"),
                ("namespace", "gpu"),
            ])
        );
        assert!(apply(&[step("{action: labeldrop, regex: 'namespace|both'}")], &mut l));
        assert!(!l.contains_key("namespace") && !l.contains_key("both") && l.contains_key("k8s_pod"));
        assert!(apply(&[step("{action: labelkeep, regex: '__.*'}")], &mut l));
        assert_eq!(l.keys().collect::<Vec<_>>(), ["__address__", "__meta_ns", "__meta_pod"]);
        assert!(!apply(&[keep(&["__meta_ns"], "kube-system")], &mut l.clone()));
        assert!(apply(&[keep(&["__meta_ns"], "gpu|kube-system")], &mut l.clone()));
        assert!(!apply(&[step("{source_labels: [__meta_ns], regex: g.*, action: drop}")], &mut l.clone()));
        assert!(apply(&[step("{source_labels: [__meta_ns], target_label: __meta_ns, action: keepequal}")], &mut l));
        assert!(!apply(&[step("{source_labels: [__meta_pod], target_label: __meta_ns, action: keepequal}")], &mut l));
        let mut h = labels(&[("__address__", "a:1")]);
        apply(&[step("{source_labels: [__address__], action: uppercase, target_label: up}")], &mut h);
        assert_eq!(h["up"], "A:1");
    }

    /// Prometheus' own expectations for hashmod (model/relabel/relabel_test.go, `TestRelabel`:
    /// "baz" modulo 1000 is 976, "foo\nbar" is 734).
    #[test]
    fn hashmod_is_prometheus_md5() {
        for (value, want) in [("baz", "976"), ("foo\nbar", "734")] {
            let mut l = labels(&[("c", value)]);
            apply(&[step("{source_labels: [c], modulus: 1000, target_label: d, action: hashmod}")], &mut l);
            assert_eq!(l["d"], want, "{value:?}");
        }
    }
}
