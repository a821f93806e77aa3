//! Generates `modules/spec-options.nix` — the spec as NixOS-style module options — from the JSON
//! Schema of the Rust spec types. One schema, two faces: names, types, defaults and descriptions
//! come from `src/spec/`, and a drift test fails when the committed file is stale.
//!
//! Mapping: objects become `types.submodule`, maps `types.attrsOf`, lists `types.listOf`,
//! `Option<T>` `types.nullOr`, unit enums `types.enum`, externally tagged enums `types.attrTag`
//! (one attribute names the variant), durations `types.strMatching` with the duration syntax.

use serde_json::{Map, Value};
use std::fmt::Write;

/// The command that regenerates the committed file.
pub const REGENERATE: &str = "cargo run -q -- nix-options > modules/spec-options.nix";

pub fn generate() -> String {
    let schema = serde_json::to_value(schemars::schema_for!(crate::spec::Spec)).expect("schema serialises");
    let defs = schema["$defs"].as_object().cloned().unwrap_or_default();
    let mut out = String::new();
    out.push_str("# The environment spec as module options. Generated from the Rust spec types (src/spec/) by\n");
    let _ = writeln!(out, "# `monstack nix-options`; do not edit. Regenerate with `{REGENERATE}`.");
    out.push_str("{ lib, ... }:\nlet\n  inherit (lib) mkOption types;\n\n");
    for (name, def) in &defs {
        if let Some(d) = def.get("description").and_then(Value::as_str) {
            for line in d.lines() {
                let _ = writeln!(out, "  # {}", line.trim_end());
            }
        }
        let _ = writeln!(out, "  {name} = {};\n", type_expr(def, 1));
    }
    out.push_str("in\n{\n  options = ");
    out.push_str(&options_block(&schema, 1));
    out.push_str(";\n}\n");
    out
}

fn pad(level: usize) -> String {
    "  ".repeat(level)
}

/// A Nix string literal.
pub fn nix_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn attr_name(k: &str) -> String {
    let plain = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '\'');
    if plain { k.to_string() } else { nix_string(k) }
}

/// A JSON value as a Nix expression.
pub fn nix_value(v: &Value, level: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 => format!("{f:.1}"),
            _ => n.to_string(),
        },
        Value::String(s) => nix_string(s),
        Value::Array(items) if items.is_empty() => "[ ]".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(|i| nix_value(i, level + 1)).collect();
            format!(
                "[\n{}\n{}]",
                inner.iter().map(|i| format!("{}{i}", pad(level + 1))).collect::<Vec<_>>().join("\n"),
                pad(level)
            )
        }
        Value::Object(m) if m.is_empty() => "{ }".into(),
        Value::Object(m) => {
            let mut out = String::from("{\n");
            for (k, v) in m {
                let _ = writeln!(out, "{}{} = {};", pad(level + 1), attr_name(k), nix_value(v, level + 1));
            }
            out.push_str(&pad(level));
            out.push('}');
            out
        }
    }
}

fn def_name(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

fn is_null_schema(s: &Value) -> bool {
    s.get("type").and_then(Value::as_str) == Some("null")
}

/// The Nix type expression for a schema.
fn type_expr(s: &Value, level: usize) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return def_name(r).to_string();
    }
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        let non_null: Vec<&Value> = any.iter().filter(|x| !is_null_schema(x)).collect();
        assert_eq!(non_null.len(), 1, "anyOf other than Option<T>: {s}");
        return format!("types.nullOr {}", paren(&type_expr(non_null[0], level)));
    }
    if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
        if one.iter().all(|v| v.get("const").is_some()) {
            let names: Vec<Value> = one.iter().map(|v| v["const"].clone()).collect();
            return format!("types.enum {}", nix_value(&Value::Array(names), level));
        }
        let mut out = String::from("types.attrTag {\n");
        for variant in one {
            let props = variant["properties"].as_object().expect("tagged variant is an object");
            let (tag, inner) = props.iter().next().expect("one property per variant");
            let desc = variant.get("description").and_then(Value::as_str).unwrap_or("");
            let _ = writeln!(out, "{}{} = mkOption {{", pad(level + 1), attr_name(tag));
            let _ = writeln!(out, "{}type = {};", pad(level + 2), type_expr(inner, level + 2));
            let _ = writeln!(out, "{}description = {};", pad(level + 2), nix_string(desc));
            let _ = writeln!(out, "{}}};", pad(level + 1));
        }
        out.push_str(&pad(level));
        out.push('}');
        return out;
    }
    if let Some(values) = s.get("enum") {
        return format!("types.enum {}", nix_value(values, level));
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => {
            let non_null: Vec<&str> = ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect();
            assert_eq!(non_null.len(), 1, "unsupported type list: {s}");
            let mut inner = s.clone();
            inner["type"] = Value::String(non_null[0].to_string());
            return format!("types.nullOr {}", paren(&type_expr(&inner, level)));
        }
        _ => panic!("schema without a type: {s}"),
    };
    match ty.as_str() {
        "string" => match s.get("pattern").and_then(Value::as_str) {
            Some(p) => format!("types.strMatching {}", nix_string(p.trim_start_matches('^').trim_end_matches('$'))),
            None => "types.str".into(),
        },
        "boolean" => "types.bool".into(),
        "number" => "types.number".into(),
        "integer" => match s.get("format").and_then(Value::as_str) {
            Some("uint16") => "types.ints.u16".into(),
            Some("uint32") => "types.ints.u32".into(),
            Some("uint64" | "uint") => "types.ints.unsigned".into(),
            _ => "types.int".into(),
        },
        "array" => format!("types.listOf {}", paren(&type_expr(&s["items"], level))),
        "object" => {
            if s.get("properties").is_some() {
                format!(
                    "types.submodule {{\n{}options = {};\n{}}}",
                    pad(level + 1),
                    options_block(s, level + 1),
                    pad(level)
                )
            } else {
                let value = s.get("additionalProperties").filter(|v| v.is_object()).expect("map schema");
                format!("types.attrsOf {}", paren(&type_expr(value, level)))
            }
        }
        other => panic!("unsupported schema type {other}"),
    }
}

fn paren(t: &str) -> String {
    if t.contains(' ') { format!("({t})") } else { t.to_string() }
}

/// The default a non-required property gets when the schema states none.
fn implied_default(s: &Value) -> Option<Value> {
    let nullable = s.get("anyOf").is_some()
        || s.get("type").and_then(Value::as_array).is_some_and(|ts| ts.iter().any(|t| t == "null"));
    if nullable {
        return Some(Value::Null);
    }
    match s.get("type").and_then(Value::as_str) {
        Some("array") => Some(Value::Array(vec![])),
        Some("object") if s.get("properties").is_none() => Some(Value::Object(Map::new())),
        Some("boolean") => Some(Value::Bool(false)),
        _ => None,
    }
}

fn options_block(s: &Value, level: usize) -> String {
    let props = s["properties"].as_object().expect("object with properties");
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = String::from("{\n");
    for (name, p) in props {
        let _ = writeln!(out, "{}{} = mkOption {{", pad(level + 1), attr_name(name));
        let _ = writeln!(out, "{}type = {};", pad(level + 2), type_expr(p, level + 2));
        let default = match p.get("default") {
            // A struct default: every field of the struct has its own default, so `{ }` is the
            // same value and keeps one source for each default.
            Some(Value::Object(m)) if p.get("$ref").is_some() && !m.is_empty() => Some(Value::Object(Map::new())),
            Some(d) => Some(d.clone()),
            None if required.contains(&name.as_str()) => None,
            None => Some(implied_default(p).unwrap_or_else(|| panic!("{name}: optional without a default"))),
        };
        if let Some(d) = default {
            let _ = writeln!(out, "{}default = {};", pad(level + 2), nix_value(&d, level + 2));
        }
        let desc = p.get("description").and_then(Value::as_str).unwrap_or("");
        let _ = writeln!(out, "{}description = {};", pad(level + 2), nix_string(desc));
        let _ = writeln!(out, "{}}};", pad(level + 1));
    }
    out.push_str(&pad(level));
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_for_nix() {
        assert_eq!(nix_string("a\"b\\c${x}\n"), "\"a\\\"b\\\\c\\${x}\\n\"");
    }

    #[test]
    fn values_render_as_nix() {
        let v: Value = serde_json::json!({"a": [1, "x"], "b-c": null, "1d": 0.05, "e": 2.0});
        let text = nix_value(&v, 0);
        assert!(text.contains("a = [\n    1\n    \"x\"\n  ];"), "{text}");
        assert!(text.contains("b-c = null;"), "{text}");
        assert!(text.contains("\"1d\" = 0.05;"), "{text}");
        assert!(text.contains("e = 2.0;"), "{text}");
    }
}
