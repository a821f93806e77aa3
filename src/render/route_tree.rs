//! The route tree as a picture: `alertmanager/route-tree.svg` (standalone, no scripts) and
//! `alertmanager/route-tree.mmd` (Mermaid, for docs). Each node shows its matchers, receiver,
//! grouping and `continue`.

use crate::bundle::Bundle;
use crate::spec::alertmanager::Route;
use crate::syntax::Matcher;
use std::fmt::Write;

struct Node {
    depth: usize,
    parent: Option<usize>,
    lines: Vec<String>,
}

fn flatten(route: &Route, inherited: &str, depth: usize, parent: Option<usize>, out: &mut Vec<Node>) {
    let receiver = route.receiver.as_deref().unwrap_or(inherited).to_string();
    let matchers: Vec<String> =
        route.matchers.iter().map(|m| Matcher::parse(m).map(|m| m.to_string()).unwrap_or_else(|_| m.clone())).collect();
    let mut lines = vec![if parent.is_none() { "root (every alert)".to_string() } else { matchers.join(", ") }];
    let mut detail = format!("→ {receiver}");
    if route.continue_ {
        detail.push_str("  continue");
    }
    lines.push(detail);
    if let Some(g) = &route.group_by {
        lines.push(format!("group by {}", g.join(", ")));
    }
    let timing: Vec<String> =
        [("wait", &route.group_wait), ("interval", &route.group_interval), ("repeat", &route.repeat_interval)]
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|d| format!("{k} {d}")))
            .collect();
    if !timing.is_empty() {
        lines.push(timing.join(", "));
    }
    out.push(Node { depth, parent, lines });
    let me = out.len() - 1;
    for child in &route.routes {
        flatten(child, &receiver, depth + 1, Some(me), out);
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn svg(nodes: &[Node]) -> String {
    const ROW: usize = 16;
    const PAD: usize = 8;
    const INDENT: usize = 36;
    const CHAR: usize = 8;
    let heights: Vec<usize> = nodes.iter().map(|n| n.lines.len() * ROW + PAD).collect();
    let mut tops = Vec::with_capacity(nodes.len());
    let mut y = 10;
    for h in &heights {
        tops.push(y);
        y += h + 12;
    }
    let widths: Vec<usize> =
        nodes.iter().map(|n| n.lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) * CHAR + 2 * PAD).collect();
    let width = nodes.iter().zip(&widths).map(|(n, w)| 10 + n.depth * INDENT + w).max().unwrap_or(100) + 10;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{y}\" viewBox=\"0 0 {width} {y}\" font-family=\"monospace\" font-size=\"12\">"
    );
    let _ = writeln!(out, "<title>Alertmanager route tree</title>");
    for (i, n) in nodes.iter().enumerate() {
        let x = 10 + n.depth * INDENT;
        if let Some(p) = n.parent {
            let px = 10 + nodes[p].depth * INDENT + 12;
            let py = tops[p] + heights[p];
            let cy = tops[i] + heights[i] / 2;
            let _ = writeln!(out, "<path d=\"M{px} {py} V{cy} H{x}\" fill=\"none\" stroke=\"#888\"/>");
        }
        let fill = if n.lines.get(1).is_some_and(|l| l.contains("continue")) { "#eef6ff" } else { "#f6f6f6" };
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{fill}\" stroke=\"#555\"/>",
            tops[i], widths[i], heights[i]
        );
        for (j, line) in n.lines.iter().enumerate() {
            let weight = if j == 1 { " font-weight=\"bold\"" } else { "" };
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\"{weight}>{}</text>",
                x + PAD,
                tops[i] + PAD / 2 + (j + 1) * ROW - 3,
                escape(line)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

fn mermaid(nodes: &[Node]) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, n) in nodes.iter().enumerate() {
        let text = n.lines.iter().map(|l| l.replace('"', "#quot;")).collect::<Vec<_>>().join("<br/>");
        let _ = writeln!(out, "  n{i}[\"{text}\"]");
        if let Some(p) = n.parent {
            let _ = writeln!(out, "  n{p} --> n{i}");
        }
    }
    out
}

fn nodes(route: &Route) -> Vec<Node> {
    let mut nodes = Vec::new();
    flatten(route, route.receiver.as_deref().unwrap_or(""), 0, None, &mut nodes);
    nodes
}

/// The route tree as an SVG document (also inlined into `docs/index.html`).
pub fn to_svg(route: &Route) -> String {
    svg(&nodes(route))
}

/// The route tree as a Mermaid flowchart (also in `docs/catalog.md`).
pub fn to_mermaid(route: &Route) -> String {
    mermaid(&nodes(route))
}

pub fn render(route: &Route, bundle: &mut Bundle) {
    bundle.add("alertmanager/route-tree.svg", to_svg(route).into_bytes());
    bundle.add("alertmanager/route-tree.mmd", to_mermaid(route).into_bytes());
}
