//! Grafana Alloy's configuration, as far as monstack renders it: every component and nested
//! block is one Alloy has, in a place it may appear, with arguments it takes, and blocks and
//! brackets balance. A structural check of monstack's own layout (one statement per line, tabs),
//! not a full Alloy parser; `alloy fmt` runs where Alloy is installed. Names from the Alloy
//! component reference (grafana.com/docs/alloy/latest/reference/components/).

use crate::features::LEGACY_POSITIONS_SINCE;
use crate::syntax::Version;

/// A component label: Alloy identifiers take letters, digits and underscores.
pub fn ident(name: &str) -> String {
    let mut id: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert(0, '_');
    }
    id
}

/// (block, its arguments, the blocks it may contain). Top-level entries are components.
const BLOCKS: &[(&str, &[&str], &[&str])] = &[
    ("discovery.kubernetes", &["role", "api_server", "kubeconfig_file"], &["selectors", "namespaces"]),
    ("selectors", &["role", "label", "field"], &[]),
    ("namespaces", &["names", "own_namespace"], &[]),
    ("discovery.relabel", &["targets"], &["rule"]),
    ("rule", &["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"], &[]),
    ("local.file_match", &["path_targets", "sync_period"], &[]),
    ("loki.source.file", &["targets", "forward_to", "encoding", "tail_from_end", "legacy_positions_file"], &[]),
    (
        "loki.process",
        &["forward_to"],
        &[
            "stage.cri",
            "stage.json",
            "stage.labels",
            "stage.structured_metadata",
            "stage.timestamp",
            "stage.output",
            "stage.static_labels",
        ],
    ),
    ("stage.cri", &["max_partial_lines", "max_partial_line_size"], &[]),
    ("stage.json", &["expressions", "source", "drop_malformed"], &[]),
    ("stage.labels", &["values"], &[]),
    ("stage.structured_metadata", &["values"], &[]),
    ("stage.timestamp", &["source", "format", "fallback_formats", "location", "action_on_failure"], &[]),
    ("stage.output", &["source"], &[]),
    ("stage.static_labels", &["values"], &[]),
    ("loki.write", &["external_labels", "max_streams"], &["endpoint"]),
    (
        "endpoint",
        &["url", "tenant_id", "batch_wait", "batch_size", "headers", "bearer_token_file"],
        &["basic_auth", "tls_config"],
    ),
    ("tls_config", &["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify", "min_version"], &[]),
    ("basic_auth", &["username", "password_file"], &[]),
];

/// Components that may stand at the top level.
const COMPONENTS: &[&str] = &[
    "discovery.kubernetes",
    "discovery.relabel",
    "local.file_match",
    "loki.source.file",
    "loki.process",
    "loki.write",
];

/// Problems Alloy `version` would have with this configuration.
pub fn check(text: &str, version: Version) -> Vec<String> {
    let mut problems = Vec::new();
    let mut stack: Vec<&str> = Vec::new();
    // Depth of brackets opened by a multi-line argument value.
    let mut value_depth = 0i32;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let at = n + 1;
        if value_depth > 0 {
            value_depth += depth(line);
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        if line == "}" {
            if stack.pop().is_none() {
                problems.push(format!("line {at}: a `}}` closes no block"));
            }
            continue;
        }
        if let Some(head) = line.strip_suffix('{').map(str::trim)
            && !head.contains('=')
        {
            let name = head.split_whitespace().next().unwrap_or_default();
            let allowed = match stack.last() {
                None => COMPONENTS.contains(&name),
                Some(parent) => children(parent).contains(&name),
            };
            if !allowed {
                let place = stack.last().map_or("the top level".to_string(), |p| format!("a {p} block"));
                problems.push(format!("line {at}: {name} is not a block Alloy takes in {place}"));
            }
            let labelled = head.len() > name.len();
            if stack.is_empty() != labelled {
                problems.push(format!("line {at}: {name} {} a label", if labelled { "takes no" } else { "needs" }));
            }
            stack.push(BLOCKS.iter().find(|(b, _, _)| *b == name).map_or("?", |(b, _, _)| b));
            continue;
        }
        let Some((key, value)) = line.split_once(" = ") else {
            problems.push(format!("line {at}: neither a block nor an argument: {line}"));
            continue;
        };
        match stack.last() {
            None => problems.push(format!("line {at}: argument {key} outside any component")),
            Some(block) if !arguments(block).contains(&key) => {
                problems.push(format!("line {at}: {block} has no argument {key}"));
            }
            Some(_) if key == "legacy_positions_file" && version < LEGACY_POSITIONS_SINCE => {
                problems.push(format!("line {at}: legacy_positions_file needs Alloy {LEGACY_POSITIONS_SINCE}"));
            }
            Some(_) => {}
        }
        value_depth = depth(value);
    }
    if !stack.is_empty() || value_depth != 0 {
        problems.push("unbalanced blocks or brackets at the end of the file".into());
    }
    problems
}

fn arguments(block: &str) -> &'static [&'static str] {
    BLOCKS.iter().find(|(b, _, _)| *b == block).map_or(&[], |(_, a, _)| a)
}

fn children(block: &str) -> &'static [&'static str] {
    BLOCKS.iter().find(|(b, _, _)| *b == block).map_or(&[], |(_, _, c)| c)
}

/// Brackets a line opens minus those it closes, outside strings.
fn depth(line: &str) -> i32 {
    let (mut d, mut in_string, mut escaped) = (0, false, false);
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' | '[' | '(' if !in_string => d += 1,
            '}' | ']' | ')' if !in_string => d -= 1,
            _ => {}
        }
    }
    d
}
