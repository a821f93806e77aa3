//! Generates `modules/spec-options.nix` — the spec as NixOS-style module options — from the JSON
//! Schema of the Rust spec types. One schema, two faces: names, types, defaults and descriptions
//! come from `src/spec/`, and a drift test fails when the committed file is stale.
//!
//! Mapping: objects become `types.submodule`, maps `types.attrsOf`, lists `types.listOf`,
//! `Option<T>` `types.nullOr`, unit enums `types.enum`, externally tagged enums `types.attrTag`
//! (one attribute names the variant), durations `types.strMatching` with the duration syntax.
//!
//! Except bulk data ([`BULK`]): lists that grow with the fleet, whose entries the generator checks
//! field by field anyway, get `bulkListOf`, which checks only that they are lists of attribute
//! sets and fills omitted fields with their defaults by plain functions (`fill.<Type>`), so the
//! evaluated spec is the same as the submodules gave, at a fraction of the cost (issue 19: the
//! bench's 1,000-service fleet took ~20 s and 2.5 GB through the submodules).

use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt::Write;

/// The command that regenerates the committed file.
pub const REGENERATE: &str = "cargo run -q -- nix-options > modules/spec-options.nix";

/// Bulk data, as (object type, list property): the module system checks its shape only, and the
/// generator every field (its diagnostics name env and path, e.g.
/// `rules.files[3].groups[0].rules[2].expr`). Chosen by measurement on the bench's fleet (1,000
/// services; `nix-instantiate --eval --strict` of prod through `evalEnv`): with submodules the
/// rule files (11,000 rules with their tests) took 15 s and 2.4 GB of the 20 s and 2.5 GB, the
/// scrape jobs 0.6 s and 400 MB, the golden-signals dashboards' entries 0.07 s and 20 MB (a
/// quarter of what was left). Teams, SLOs and AI models stay typed: together about 0.05 s.
pub const BULK: &[(&str, &str)] = &[("Spec", "scrape_jobs"), ("Rules", "files"), ("Folder", "services")];

/// The Nix functions bulk data is built from, written once into the generated file.
const BULK_PRELUDE: &str = r#"  # Bulk data: a list that grows with the fleet, whose entries monstack checks field by field
  # when it builds the bundle (its errors name the environment and the option path, e.g.
  # `rules.files[3].groups[0].rules[2].expr`). A submodule per entry cost tens of thousands of
  # module evaluations on a large fleet, so the module system checks only the shape: a list of
  # attribute sets. Definitions concatenate as `types.listOf`'s do, after mkForce, mkDefault,
  # mkBefore and mkAfter on the option; an entry wrapped in mkIf, mkMerge or mkOverride goes
  # through its submodule as before (properties deeper inside an entry are not resolved).
  # Omitted fields get their defaults from `fill`, so the evaluated spec is what the submodules
  # gave. The sub-options (documentation) are the submodule's.
  bulkListOf =
    {
      name,
      elemType,
      fill,
    }:
    let
      entry =
        loc: file: value:
        let
          definition = { inherit file value; };
          merged = lib.modules.mergeDefinitions loc elemType [ definition ];
          shown = lib.options.showDefs [ definition ];
        in
        if value ? _type then
          lib.optional (merged.optionalValue ? value) merged.optionalValue.value
        else if builtins.isAttrs value then
          [ (fill value) ]
        else
          throw "A definition for option `${lib.showOption loc}' is not of type `${name} (attribute set)'. Definition values:${shown}\nEach entry is an attribute set of ${name}'s fields: `monstack schema` (docs/spec.schema.json) lists them.";
    in
    types.mkOptionType {
      name = "bulkListOf";
      description = "list of ${name} (attribute sets whose fields monstack checks)";
      descriptionClass = "composite";
      check = builtins.isList;
      merge =
        loc: defs:
        let
          at = n: m: loc ++ [ "[definition ${toString n}-entry ${toString m}]" ];
          entries = n: def: lib.imap1 (m: entry (at n m) def.file) def.value;
        in
        lib.concatLists (lib.concatLists (lib.imap1 entries defs));
      emptyValue.value = [ ];
      getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "*" ]);
      nestedTypes.elemType = elemType;
    };

  # Default filling for bulk data, field by field as the submodules do it. A value of another
  # shape is passed on unchanged for monstack to report.
  fillObject =
    spec: value:
    if builtins.isAttrs value then
      let
        filled = spec.defaults // value;
      in
      filled // builtins.mapAttrs (k: f: f filled.${k}) (builtins.intersectAttrs filled spec.fills)
    else
      value;
  fillList = f: value: if builtins.isList value then map f value else value;
  fillAttrs = f: value: if builtins.isAttrs value then builtins.mapAttrs (_: f) value else value;
  fillTag =
    fills: value:
    if builtins.isAttrs value then
      builtins.mapAttrs (k: v: if fills ? ${k} then fills.${k} v else v) value
    else
      value;

"#;

/// The schema's definitions and which of them have fields to fill (an omitted field with a
/// default, here or in an object it holds).
struct Gen {
    defs: Map<String, Value>,
    to_fill: BTreeSet<String>,
}

pub fn generate() -> String {
    let schema = serde_json::to_value(schemars::schema_for!(crate::spec::Spec)).expect("schema serialises");
    let g = Gen::new(schema["$defs"].as_object().cloned().unwrap_or_default());
    let mut out = String::new();
    out.push_str("# The environment spec as module options. Generated from the Rust spec types (src/spec/) by\n");
    let _ = writeln!(out, "# `monstack nix-options`; do not edit. Regenerate with `{REGENERATE}`.");
    out.push_str("{ lib, ... }:\nlet\n  inherit (lib) mkOption types;\n\n");
    out.push_str(BULK_PRELUDE);
    let _ = writeln!(out, "  fill = {{");
    for name in g.bulk_fills(&schema) {
        let _ = writeln!(out, "    {name} = {};", g.fill_expr(&g.defs[&name], 2).expect("has fields to fill"));
    }
    out.push_str("  };\n\n");
    for (name, def) in &g.defs {
        if let Some(d) = def.get("description").and_then(Value::as_str) {
            for line in d.lines() {
                let _ = writeln!(out, "  # {}", line.trim_end());
            }
        }
        let _ = writeln!(out, "  {name} = {};\n", g.type_expr(name, def, 1));
    }
    out.push_str("in\n{\n  options = ");
    out.push_str(&g.options_block("Spec", &schema, 1));
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

/// The one schema of an `Option<T>`'s `T`, or the schema itself.
fn non_null(s: &Value) -> Option<Value> {
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        let inner: Vec<&Value> = any.iter().filter(|x| !is_null_schema(x)).collect();
        assert_eq!(inner.len(), 1, "anyOf other than Option<T>: {s}");
        return Some(inner[0].clone());
    }
    if let Some(Value::Array(ts)) = s.get("type") {
        let inner: Vec<&str> = ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect();
        assert_eq!(inner.len(), 1, "unsupported type list: {s}");
        let mut inner_schema = s.clone();
        inner_schema["type"] = Value::String(inner[0].to_string());
        return Some(inner_schema);
    }
    None
}

/// An externally tagged enum's variants: (tag, schema of its value, description).
fn tagged_variants(s: &Value) -> Option<Vec<(&String, &Value, &str)>> {
    let one = s.get("oneOf").and_then(Value::as_array)?;
    if one.iter().all(|v| v.get("const").is_some()) {
        return None;
    }
    Some(
        one.iter()
            .map(|variant| {
                let props = variant["properties"].as_object().expect("tagged variant is an object");
                let (tag, inner) = props.iter().next().expect("one property per variant");
                (tag, inner, variant.get("description").and_then(Value::as_str).unwrap_or(""))
            })
            .collect(),
    )
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

/// An object's properties and the names of the required ones.
fn properties(s: &Value) -> (&Map<String, Value>, Vec<&str>) {
    let props = s["properties"].as_object().expect("object with properties");
    let required = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    (props, required)
}

/// The default of a property (None: required).
fn default_of(name: &str, p: &Value, required: &[&str]) -> Option<Value> {
    match p.get("default") {
        // A struct default: every field of the struct has its own default, so `{ }` is the
        // same value and keeps one source for each default.
        Some(Value::Object(m)) if p.get("$ref").is_some() && !m.is_empty() => Some(Value::Object(Map::new())),
        Some(d) => Some(d.clone()),
        None if required.contains(&name) => None,
        None => Some(implied_default(p).unwrap_or_else(|| panic!("{name}: optional without a default"))),
    }
}

/// The types a schema refers to (not through them).
fn refs(s: &Value) -> Vec<&str> {
    match s {
        Value::Object(m) => match m.get("$ref").and_then(Value::as_str) {
            Some(r) => vec![def_name(r)],
            None => m.values().flat_map(refs).collect(),
        },
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => vec![],
    }
}

fn is_bulk(owner: &str, property: &str) -> bool {
    BULK.contains(&(owner, property))
}

impl Gen {
    fn new(defs: Map<String, Value>) -> Gen {
        let mut g = Gen { defs, to_fill: BTreeSet::new() };
        // The least fixed point: a recursive type fills only what some level of it declares.
        loop {
            let more: Vec<String> = g
                .defs
                .iter()
                .filter(|(name, def)| !g.to_fill.contains(*name) && g.fill_expr(def, 0).is_some())
                .map(|(name, _)| name.clone())
                .collect();
            if more.is_empty() {
                return g;
            }
            g.to_fill.extend(more);
        }
    }

    /// The Nix type expression for a schema.
    /// `owner` names the object type `s` is (for [`BULK`]); empty for one inside another.
    fn type_expr(&self, owner: &str, s: &Value, level: usize) -> String {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            return def_name(r).to_string();
        }
        if let Some(inner) = non_null(s) {
            return format!("types.nullOr {}", paren(&self.type_expr("", &inner, level)));
        }
        if let Some(variants) = tagged_variants(s) {
            let mut out = String::from("types.attrTag {\n");
            for (tag, inner, desc) in variants {
                let _ = writeln!(out, "{}{} = mkOption {{", pad(level + 1), attr_name(tag));
                let _ = writeln!(out, "{}type = {};", pad(level + 2), self.type_expr("", inner, level + 2));
                let _ = writeln!(out, "{}description = {};", pad(level + 2), nix_string(desc));
                let _ = writeln!(out, "{}}};", pad(level + 1));
            }
            out.push_str(&pad(level));
            out.push('}');
            return out;
        }
        if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
            let names: Vec<Value> = one.iter().map(|v| v["const"].clone()).collect();
            return format!("types.enum {}", nix_value(&Value::Array(names), level));
        }
        if let Some(values) = s.get("enum") {
            return format!("types.enum {}", nix_value(values, level));
        }
        let Some(ty) = s.get("type").and_then(Value::as_str) else { panic!("schema without a type: {s}") };
        match ty {
            "string" => match s.get("pattern").and_then(Value::as_str) {
                Some(p) => {
                    format!("types.strMatching {}", nix_string(p.trim_start_matches('^').trim_end_matches('$')))
                }
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
            "array" => format!("types.listOf {}", paren(&self.type_expr("", &s["items"], level))),
            "object" => {
                if s.get("properties").is_some() {
                    format!(
                        "types.submodule {{\n{}options = {};\n{}}}",
                        pad(level + 1),
                        self.options_block(owner, s, level + 1),
                        pad(level)
                    )
                } else {
                    let value = s.get("additionalProperties").filter(|v| v.is_object()).expect("map schema");
                    format!("types.attrsOf {}", paren(&self.type_expr("", value, level)))
                }
            }
            other => panic!("unsupported schema type {other}"),
        }
    }

    /// The `bulkListOf` type of a bulk list property.
    fn bulk_type(&self, owner: &str, property: &str, p: &Value) -> String {
        let item = p
            .get("items")
            .and_then(|i| i.get("$ref"))
            .and_then(Value::as_str)
            .map(def_name)
            .unwrap_or_else(|| panic!("bulk data {owner}.{property} is not a list of a named object type"));
        let fill = if self.to_fill.contains(item) { format!("fill.{item}") } else { "lib.id".into() };
        format!("bulkListOf {{\n    name = {};\n    elemType = {item};\n    fill = {fill};\n  }}", nix_string(item))
    }

    /// The Nix function that fills a value's omitted fields with their defaults, as the
    /// submodules of [`Gen::type_expr`] do; None when there is nothing to fill.
    fn fill_expr(&self, s: &Value, level: usize) -> Option<String> {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = def_name(r);
            return self.to_fill.contains(name).then(|| format!("fill.{name}"));
        }
        if let Some(inner) = non_null(s) {
            // fillObject, fillList, fillAttrs and fillTag pass `null` on.
            return self.fill_expr(&inner, level);
        }
        if let Some(variants) = tagged_variants(s) {
            let fills: Vec<String> = variants
                .iter()
                .filter_map(|(tag, inner, _)| {
                    self.fill_expr(inner, level + 1).map(|f| format!("{}{} = {f};", pad(level + 1), attr_name(tag)))
                })
                .collect();
            return (!fills.is_empty()).then(|| format!("fillTag {{\n{}\n{}}}", fills.join("\n"), pad(level)));
        }
        match s.get("type").and_then(Value::as_str) {
            Some("array") => self.fill_expr(&s["items"], level).map(|f| format!("fillList {}", paren(&f))),
            Some("object") if s.get("properties").is_some() => self.fill_object(s, level),
            Some("object") => {
                let value = s.get("additionalProperties").filter(|v| v.is_object()).expect("map schema");
                self.fill_expr(value, level).map(|f| format!("fillAttrs {}", paren(&f)))
            }
            _ => None,
        }
    }

    /// `fillObject { <defaults> } { <fills of the fields> }` for an object with properties.
    fn fill_object(&self, s: &Value, level: usize) -> Option<String> {
        let (props, required) = properties(s);
        let mut defaults = Map::new();
        let mut fills = String::new();
        for (name, p) in props {
            if let Some(d) = default_of(name, p, &required) {
                defaults.insert(name.clone(), d);
            }
            if let Some(f) = self.fill_expr(p, level + 2) {
                let _ = writeln!(fills, "{}{} = {f};", pad(level + 2), attr_name(name));
            }
        }
        if defaults.is_empty() && fills.is_empty() {
            return None;
        }
        let fills = if fills.is_empty() { "{ }".into() } else { format!("{{\n{fills}{}}}", pad(level + 1)) };
        Some(format!(
            "fillObject {{\n{}defaults = {};\n{}fills = {fills};\n{}}}",
            pad(level + 1),
            nix_value(&Value::Object(defaults), level + 1),
            pad(level + 1),
            pad(level)
        ))
    }

    /// The types whose `fill` functions bulk data needs: those its lists hold, and the types
    /// their fields hold, transitively.
    fn bulk_fills(&self, root: &Value) -> BTreeSet<String> {
        let mut pending: Vec<&Value> = Vec::new();
        let mut found = Vec::new();
        let mut owners = vec![("Spec", root)];
        owners.extend(self.defs.iter().map(|(n, d)| (n.as_str(), d)));
        for (owner, s) in owners {
            for (property, p) in s.get("properties").and_then(Value::as_object).into_iter().flatten() {
                if is_bulk(owner, property) {
                    found.push((owner, property.as_str()));
                    pending.push(p);
                }
            }
        }
        let missing: Vec<_> = BULK.iter().filter(|b| !found.contains(b)).collect();
        assert!(missing.is_empty(), "BULK names no list property of the spec: {missing:?}");
        // A type's fill refers to the fills of exactly the types it holds that have one.
        let mut seen = BTreeSet::new();
        while let Some(s) = pending.pop() {
            for name in refs(s) {
                if self.to_fill.contains(name) && seen.insert(name.to_string()) {
                    pending.push(&self.defs[name]);
                }
            }
        }
        seen
    }

    fn options_block(&self, owner: &str, s: &Value, level: usize) -> String {
        let (props, required) = properties(s);
        let mut out = String::from("{\n");
        for (name, p) in props {
            let _ = writeln!(out, "{}{} = mkOption {{", pad(level + 1), attr_name(name));
            let ty = if is_bulk(owner, name) {
                self.bulk_type(owner, name, p).replace('\n', &format!("\n{}", pad(level + 1)))
            } else {
                self.type_expr("", p, level + 2)
            };
            let _ = writeln!(out, "{}type = {ty};", pad(level + 2));
            if let Some(d) = default_of(name, p, &required) {
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

    #[test]
    fn bulk_lists_get_the_bulk_type_and_other_lists_stay_typed() {
        let text = generate();
        for item in ["ScrapeJob", "RuleFile", "ServiceDashboard"] {
            // At the top level or inside a type: the lines after `bulkListOf {`, at any indent.
            let found = (3..=5).any(|level| {
                let at = pad(level);
                text.contains(&format!(
                    "bulkListOf {{\n{at}name = \"{item}\";\n{at}elemType = {item};\n{at}fill = fill.{item};"
                ))
            });
            assert!(found, "{item} is not bulk:\n{text}");
            assert!(!text.contains(&format!("types.listOf {item}")), "{item} is still a listOf submodule");
        }
        // What users write by hand and what envs/ read back keeps its submodules.
        for typed in ["types.listOf Team", "types.listOf Slo", "types.listOf AiModel", "types.listOf RemoteWrite"] {
            assert!(text.contains(typed), "{typed} missing");
        }
    }

    /// Table-driven: for a type, what its `fill` function must say (the defaults the
    /// submodule gives, and the fields holding types with defaults of their own).
    #[test]
    fn fills_give_the_submodules_defaults() {
        let text = generate();
        let cases = [
            ("RuleFile", "store_ruler = false;", "groups = fillList fill.RuleGroup;"),
            ("Rule", "tests = [ ];", "tests = fillList fill.RuleTest;"),
            ("RuleTest", "later = [ ];", "later = fillList fill.Check;"),
            ("ScrapeJob", "honor_labels = false;", "discovery = fill.Discovery;"),
            ("KubernetesDiscovery", "namespaces = [ ];", "fills = { };"),
            ("FileSdDiscovery", "refresh_interval = \"5m\";", "fills = { };"),
        ];
        for (name, default, field) in cases {
            let start = text.find(&format!("    {name} = fillObject {{")).unwrap_or_else(|| panic!("no fill.{name}"));
            let body = &text[start..start + text[start..].find("\n    };").unwrap()];
            assert!(body.contains(default) && body.contains(field), "fill.{name}:\n{body}");
        }
        assert!(text.contains("    Discovery = fillTag {\n      file_sd = fill.FileSdDiscovery;"), "{text}");
    }

    fn defs(v: Value) -> Gen {
        Gen::new(v.as_object().unwrap().clone())
    }

    #[test]
    fn a_recursive_type_is_filled_only_when_some_level_has_defaults() {
        let children = serde_json::json!({"type": "array", "items": {"$ref": "#/$defs/Tree"}});
        let without = defs(serde_json::json!({"Tree": {
            "type": "object", "properties": {"children": children}, "required": ["children"]}}));
        assert!(without.to_fill.is_empty());
        let with = defs(serde_json::json!({"Tree": {
            "type": "object", "properties": {"children": children, "label": {"type": ["string", "null"]}},
            "required": ["children"]}}));
        let fill = with.fill_expr(&with.defs["Tree"], 0).unwrap();
        assert!(fill.contains("label = null;") && fill.contains("children = fillList fill.Tree;"), "{fill}");
    }
}
