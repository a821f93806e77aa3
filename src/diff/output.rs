//! The diff's two forms: plain text for a terminal (coloured on request) and Markdown for a
//! pull-request comment. Both list the same items in the same order.

use super::{Kind, Report};
use crate::docs::code_span as code;
use std::fmt::Write;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";

fn sign(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Added => ("+", "\x1b[32m"),
        Kind::Removed => ("-", "\x1b[31m"),
        Kind::Changed => ("~", "\x1b[33m"),
    }
}

fn word(kind: Kind) -> &'static str {
    match kind {
        Kind::Added => "added",
        Kind::Removed => "removed",
        Kind::Changed => "changed",
    }
}

pub fn terminal(report: &Report, colour: bool) -> String {
    let paint = |code: &str, text: &str| if colour { format!("{code}{text}{RESET}") } else { text.to_string() };
    let mut out = String::new();
    let _ = writeln!(out, "{}", paint(BOLD, &format!("monstack diff: {} → {}", report.old, report.new)));
    if report.is_empty() {
        let _ = writeln!(out, "no changes");
        return out;
    }
    for section in report.sections.iter().filter(|s| !s.items.is_empty()) {
        let _ = writeln!(out, "\n{}", paint(BOLD, &format!("{} ({})", section.title, section.items.len())));
        for item in &section.items {
            let (mark, code) = sign(item.kind);
            let _ = writeln!(out, "  {}", paint(code, &format!("{mark} {}", item.subject)));
            for d in &item.details {
                let _ = writeln!(out, "      {}", paint(DIM, d));
            }
        }
    }
    let _ = writeln!(out, "\n{} change(s)", report.count());
    out
}

/// A detail line: `what: old → new` with both sides as code, else the whole line as code.
fn detail(d: &str) -> String {
    match d.split_once(": ").and_then(|(what, rest)| rest.split_once(" → ").map(|(a, b)| (what, a, b))) {
        Some((what, a, b)) => format!("{what}: {} → {}", code(a), code(b)),
        None => match d.split_once(": ") {
            Some((what, rest)) => format!("{what}: {}", code(rest)),
            None => code(d),
        },
    }
}

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### monstack diff: {} → {}\n", code(&report.old), code(&report.new));
    if report.is_empty() {
        let _ = writeln!(out, "No changes.");
        return out;
    }
    let summary: Vec<String> = report
        .sections
        .iter()
        .filter(|s| !s.items.is_empty())
        .map(|s| format!("{} {}", s.items.len(), s.title.to_lowercase()))
        .collect();
    let _ = writeln!(out, "{} change(s): {}.", report.count(), summary.join(", "));
    for section in report.sections.iter().filter(|s| !s.items.is_empty()) {
        let _ = writeln!(out, "\n#### {}\n", section.title);
        for item in &section.items {
            let _ = writeln!(out, "- **{}** {}", word(item.kind), code(&item.subject));
            for d in &item.details {
                let _ = writeln!(out, "  - {}", detail(d));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_put_both_sides_in_code() {
        assert_eq!(detail("for: 5m → 10m"), "for: `5m` → `10m`");
        assert_eq!(detail("expr: a`b"), "expr: ``a`b``");
        assert_eq!(detail("plain"), "`plain`");
    }
}
