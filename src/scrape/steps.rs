//! Relabeling steps as Prometheus and Promtail both take them, and the names of Kubernetes meta
//! labels: the building blocks of every generated discovery.

use crate::spec::scrape::{Relabel, RelabelAction};

pub fn step(action: RelabelAction, source_labels: &[&str]) -> Relabel {
    Relabel {
        source_labels: source_labels.iter().map(|s| s.to_string()).collect(),
        separator: None,
        target_label: None,
        regex: None,
        modulus: None,
        replacement: None,
        action: Some(action),
    }
}

/// Keep targets whose joined source labels match `regex`.
pub fn keep(source_labels: &[&str], regex: &str) -> Relabel {
    Relabel { regex: Some(regex.into()), ..step(RelabelAction::Keep, source_labels) }
}

/// Drop targets whose joined source labels match `regex`.
pub fn drop(source_labels: &[&str], regex: &str) -> Relabel {
    Relabel { regex: Some(regex.into()), ..step(RelabelAction::Drop, source_labels) }
}

/// Copy the joined source labels into `target`.
pub fn copy(source_labels: &[&str], target: &str) -> Relabel {
    Relabel { target_label: Some(target.into()), ..step(RelabelAction::Replace, source_labels) }
}

/// Set `target` to a constant.
pub fn constant(target: &str, value: &str) -> Relabel {
    Relabel { replacement: Some(value.into()), ..copy(&[], target) }
}

/// The meta label carrying a Kubernetes object label: discovery sanitises the label name,
/// turning every character outside [a-zA-Z0-9_] into `_` (`app.kubernetes.io/name` →
/// `__meta_kubernetes_pod_label_app_kubernetes_io_name`).
pub fn k8s_label(object: &str, label: &str) -> String {
    let name: String = label.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    format!("__meta_kubernetes_{object}_label_{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_label_names_are_sanitised() {
        assert_eq!(
            k8s_label("pod", "app.kubernetes.io/component"),
            "__meta_kubernetes_pod_label_app_kubernetes_io_component"
        );
        assert_eq!(k8s_label("service", "ai_model_name"), "__meta_kubernetes_service_label_ai_model_name");
    }
}
