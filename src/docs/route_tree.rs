//! The route tree as a picture: `alertmanager/route-tree.svg` (standalone, no scripts) and
//! `alertmanager/route-tree.mmd` (Mermaid, for docs). Each node shows its number in evaluation
//! order (`1`, `1.1`, …), its matchers, receiver, grouping, `continue`, the time intervals that
//! mute or activate it and the inhibit rules that can mute what it delivers; a legend says what
//! each mark means and spells out the inhibit rules and time intervals.
//!
//! The picture depends on the Alertmanager configuration only (route tree, inhibit rules, time
//! intervals), never on the alert catalogue, so it changes exactly when `alertmanager.yml` does.
//! Its inhibit marks are therefore static: a rule is marked on a route when some alert reaching
//! the route could satisfy the rule's target matchers ([`possible::overlap`]); the catalogue
//! (`docs/`) says which of its alerts they are.

use crate::bundle::Bundle;
use crate::routing::{self, Inhibition, Tree, possible};
use crate::spec::alertmanager::{Alertmanager, TimeInterval, TimeRange};
use crate::syntax::Matcher;
use crate::syntax::matcher::canonical;
use std::fmt::Write;

struct Node {
    depth: usize,
    parent: Option<usize>,
    continues: bool,
    lines: Vec<String>,
}

/// The inhibit rules (1-based, in declaration order) whose target matchers some alert reaching
/// a route with these (own and ancestors') matchers could satisfy.
pub fn inhibit_marks(inhibitions: &[Inhibition], matchers: &[&Matcher]) -> Vec<usize> {
    inhibitions
        .iter()
        .enumerate()
        .filter(|(_, r)| possible::overlap(matchers.iter().copied(), &r.target))
        .map(|(i, _)| i + 1)
        .collect()
}

fn nodes(tree: &Tree, inhibitions: &[Inhibition]) -> Vec<Node> {
    routing::nodes(tree)
        .iter()
        .map(|n| {
            let r = n.route;
            let head = if n.parent.is_none() {
                "root (every alert no route takes)".to_string()
            } else {
                format!("{}  {}", n.number, canonical(n.own).join(", "))
            };
            let mut lines = vec![head];
            let mut detail = format!("→ {}", n.receiver);
            if r.continue_ {
                detail.push_str("  continue");
            }
            lines.push(detail);
            if let Some(g) = &r.group_by {
                lines.push(format!("group by {}", g.join(", ")));
            }
            let timing: Vec<String> =
                [("wait", &r.group_wait), ("interval", &r.group_interval), ("repeat", &r.repeat_interval)]
                    .iter()
                    .filter_map(|(k, v)| v.as_ref().map(|d| format!("{k} {d}")))
                    .collect();
            if !timing.is_empty() {
                lines.push(timing.join(", "));
            }
            if !r.mute_time_intervals.is_empty() {
                lines.push(format!("muted in {}", r.mute_time_intervals.join(", ")));
            }
            if !r.active_time_intervals.is_empty() {
                lines.push(format!("active only in {}", r.active_time_intervals.join(", ")));
            }
            let marks = inhibit_marks(inhibitions, &n.matchers);
            if !marks.is_empty() {
                let marks: Vec<String> = marks.iter().map(usize::to_string).collect();
                lines.push(format!("inhibit rules {}", marks.join(", ")));
            }
            Node { depth: n.at.len(), parent: n.parent, continues: r.continue_, lines }
        })
        .collect()
}

/// An inhibit rule in words, for the legend and the catalogue.
pub fn inhibit_words(rule: &Inhibition) -> String {
    let mut s = format!(
        "while an alert with {} fires, alerts with {} are muted",
        canonical(&rule.source).join(", "),
        canonical(&rule.target).join(", ")
    );
    if !rule.equal.is_empty() {
        let _ = write!(s, " when they have the same {}", rule.equal.join(", "));
    }
    s
}

/// A time interval's ranges in words: `saturday, sunday (UTC) or monday:friday 00:00-08:00,
/// 18:00-24:00 (UTC)`. Alertmanager reads times in UTC unless a range names a location.
pub fn interval_words(t: &TimeInterval) -> String {
    fn range(r: &TimeRange) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !r.weekdays.is_empty() {
            parts.push(r.weekdays.join(", "));
        }
        if !r.days_of_month.is_empty() {
            parts.push(format!("days {}", r.days_of_month.join(", ")));
        }
        if !r.months.is_empty() {
            parts.push(format!("months {}", r.months.join(", ")));
        }
        if !r.times.is_empty() {
            let times: Vec<String> = r.times.iter().map(|t| format!("{}-{}", t.start_time, t.end_time)).collect();
            parts.push(times.join(", "));
        }
        if parts.is_empty() {
            parts.push("all the time".into());
        }
        format!("{} ({})", parts.join(" "), r.location.as_deref().unwrap_or("UTC"))
    }
    t.intervals.iter().map(range).collect::<Vec<_>>().join(" or ")
}

/// The legend's lines: what the marks mean, then each inhibit rule and time interval.
fn legend(inhibitions: &[Inhibition], am: &Alertmanager) -> Vec<String> {
    let mut lines = vec![
        "Legend".to_string(),
        "1, 1.1, …  evaluation order: a node's children are tried in number order, the first".into(),
        "           that matches takes the alert, unless it has continue".into(),
        "continue   (blue) the alert also goes on to the next matching sibling".into(),
        "muted in   no notifications from this route during these time intervals".into(),
        "active only in  no notifications from this route outside them (a route's own".into(),
        "           intervals only: Alertmanager does not pass them on to child routes)".into(),
        "inhibit rules  rules that can mute alerts this route delivers while their source fires".into(),
    ];
    for (i, r) in inhibitions.iter().enumerate() {
        lines.push(format!("inhibit rule {}: {}", i + 1, inhibit_words(r)));
    }
    for t in &am.time_intervals {
        lines.push(format!("time interval {}: {}", t.name, interval_words(t)));
    }
    lines
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn svg(nodes: &[Node], legend: &[String]) -> String {
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
    let widest = |lines: &[String]| lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) * CHAR + 2 * PAD;
    let widths: Vec<usize> = nodes.iter().map(|n| widest(&n.lines)).collect();
    let legend_top = y + 8;
    let legend_height = legend.len() * ROW + PAD;
    let legend_width = widest(legend);
    let width =
        nodes.iter().zip(&widths).map(|(n, w)| 10 + n.depth * INDENT + w).max().unwrap_or(100).max(10 + legend_width)
            + 10;
    let height = legend_top + legend_height + 10;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"12\">"
    );
    let _ = writeln!(out, "<title>Alertmanager route tree</title>");
    let text = |out: &mut String, x: usize, top: usize, j: usize, bold: bool, line: &str| {
        let weight = if bold { " font-weight=\"bold\"" } else { "" };
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\"{weight}>{}</text>",
            x + PAD,
            top + PAD / 2 + (j + 1) * ROW - 3,
            escape(line)
        );
    };
    for (i, n) in nodes.iter().enumerate() {
        let x = 10 + n.depth * INDENT;
        if let Some(p) = n.parent {
            let px = 10 + nodes[p].depth * INDENT + 12;
            let py = tops[p] + heights[p];
            let cy = tops[i] + heights[i] / 2;
            let _ = writeln!(out, "<path d=\"M{px} {py} V{cy} H{x}\" fill=\"none\" stroke=\"#888\"/>");
        }
        let fill = if n.continues { "#eef6ff" } else { "#f6f6f6" };
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{fill}\" stroke=\"#555\"/>",
            tops[i], widths[i], heights[i]
        );
        for (j, line) in n.lines.iter().enumerate() {
            text(&mut out, x, tops[i], j, j == 1, line);
        }
    }
    let _ = writeln!(
        out,
        "<rect x=\"10\" y=\"{legend_top}\" width=\"{legend_width}\" height=\"{legend_height}\" rx=\"4\" fill=\"#ffffff\" stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>"
    );
    for (j, line) in legend.iter().enumerate() {
        text(&mut out, 10, legend_top, j, j == 0, line);
    }
    out.push_str("</svg>\n");
    out
}

/// Text for a Mermaid label: its entity codes for the characters that would end the label or
/// be read as HTML (<https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters>).
fn mermaid_text(s: &str) -> String {
    s.replace('#', "#35;").replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;")
}

fn mermaid(nodes: &[Node], legend: &[String]) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, n) in nodes.iter().enumerate() {
        let text = n.lines.iter().map(|l| mermaid_text(l)).collect::<Vec<_>>().join("<br/>");
        let _ = writeln!(out, "  n{i}[\"{text}\"]");
        if let Some(p) = n.parent {
            let _ = writeln!(out, "  n{p} --> n{i}");
        }
    }
    let continuing: Vec<String> =
        nodes.iter().enumerate().filter(|(_, n)| n.continues).map(|(i, _)| format!("n{i}")).collect();
    out.push_str("  classDef continues fill:#eef6ff,stroke:#2f5fb3\n");
    if !continuing.is_empty() {
        let _ = writeln!(out, "  class {} continues", continuing.join(","));
    }
    let text = legend.iter().skip(1).map(|l| mermaid_text(l.trim_end())).collect::<Vec<_>>().join("<br/>");
    let _ = writeln!(out, "  subgraph legend [Legend]\n    key[\"{text}\"]\n  end");
    out
}

/// The route tree as an SVG document (also inlined into `docs/index.html`); `am` gives the time
/// intervals the legend spells out.
pub fn to_svg(tree: &Tree, inhibitions: &[Inhibition], am: &Alertmanager) -> String {
    svg(&nodes(tree, inhibitions), &legend(inhibitions, am))
}

/// The route tree as a Mermaid flowchart (also in `docs/catalog.md`).
pub fn to_mermaid(tree: &Tree, inhibitions: &[Inhibition], am: &Alertmanager) -> String {
    mermaid(&nodes(tree, inhibitions), &legend(inhibitions, am))
}

pub fn render(model: &crate::validate::Model, bundle: &mut Bundle) {
    let (tree, inhibitions, am) = (&model.route, &model.inhibitions, &model.spec.alertmanager);
    bundle.add("alertmanager/route-tree.svg", to_svg(tree, inhibitions, am).into_bytes());
    bundle.add("alertmanager/route-tree.mmd", to_mermaid(tree, inhibitions, am).into_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(yaml: &str) -> (Alertmanager, Tree, Vec<Inhibition>) {
        let am: Alertmanager = serde_yaml::from_str(yaml).unwrap();
        let tree = Tree::new(am.route.clone()).unwrap();
        let inhibitions = am.inhibit_rules.iter().map(|r| Inhibition::new(r).unwrap()).collect();
        (am, tree, inhibitions)
    }

    const STAGING_LIKE: &str = r#"
receivers: [{name: default}, {name: pager}, {name: chat}]
route:
  receiver: default
  routes:
    - receiver: pager
      matchers: ['severity=~"critical|P1"']
      continue: true
    - receiver: chat
      matchers: ['severity="warning"']
      mute_time_intervals: [nights]
      routes:
        - matchers: ['team="db"']
          active_time_intervals: [nights]
inhibit_rules:
  - {source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [alertname]}
time_intervals:
  - name: nights
    intervals: [{times: [{start_time: "00:00", end_time: "08:00"}], weekdays: ["monday:friday"]}]
"#;

    #[test]
    fn nodes_are_numbered_in_evaluation_order_with_intervals_and_inhibit_marks() {
        let (_, tree, inhibitions) = parsed(STAGING_LIKE);
        let lines: Vec<Vec<String>> = nodes(&tree, &inhibitions).into_iter().map(|n| n.lines).collect();
        assert_eq!(lines[0][0], "root (every alert no route takes)");
        assert_eq!(lines[1][0], "1  severity=~\"critical|P1\"");
        assert_eq!(lines[1][1], "→ pager  continue");
        // Criticals cannot be a target of the critical-mutes-warning rule.
        assert!(!lines[1].iter().any(|l| l.starts_with("inhibit")), "{:?}", lines[1]);
        assert_eq!(lines[2], ["2  severity=\"warning\"", "→ chat", "muted in nights", "inhibit rules 1"]);
        // A child inherits its parent's matchers (so the mark) but not its intervals.
        assert_eq!(lines[3], ["2.1  team=\"db\"", "→ chat", "active only in nights", "inhibit rules 1"]);
    }

    #[test]
    fn the_legend_spells_out_marks_rules_and_intervals() {
        let (am, tree, inhibitions) = parsed(STAGING_LIKE);
        let svg = to_svg(&tree, &inhibitions, &am);
        assert!(svg.contains("inhibit rule 1: while an alert with severity=&quot;critical&quot; fires, alerts with severity=&quot;warning&quot; are muted when they have the same alertname"), "{svg}");
        assert!(svg.contains("time interval nights: monday:friday 00:00-08:00 (UTC)"));
        assert!(svg.contains("continue   (blue)"));
        let mmd = to_mermaid(&tree, &inhibitions, &am);
        assert!(mmd.contains("  class n1 continues\n"), "{mmd}");
        assert!(mmd.contains("subgraph legend [Legend]"));
        assert!(
            mmd.contains("n2[\"2  severity=#quot;warning#quot;<br/>→ chat<br/>muted in nights<br/>inhibit rules 1\"]"),
            "{mmd}"
        );
    }

    #[test]
    fn mermaid_labels_cannot_close_the_label_or_open_html() {
        assert_eq!(mermaid_text("a\"<script>#"), "a#quot;#lt;script#gt;#35;");
    }
}
