//! The crate's layering: the renderers are the top layer. Only `src/lib.rs` (the pipeline) calls
//! into `render`; everything below it (spec, syntax, validate, catalogue, routing, dashboards,
//! docs, diff, check, host, bundle) must not import it, or the modules form a cycle again.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `render::` paths in code (comments left out) of a file outside `src/render`.
fn imports_of_render(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let code = line.split("//").next().unwrap_or("");
            let found = ["crate::render", "monstack::render", "super::render"].iter().any(|p| code.contains(p))
                || (code.contains("use crate::{") && code.contains("render"));
            found.then(|| (n + 1, line.trim().to_string()))
        })
        .collect()
}

#[test]
fn nothing_outside_render_imports_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    files.sort();
    assert!(files.len() > 50, "expected the crate's sources under src/, found {}", files.len());
    let mut offenders = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(root).expect("under the root");
        if relative.starts_with("src/render") || relative == Path::new("src/lib.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("source is UTF-8");
        for (line, code) in imports_of_render(&text) {
            offenders.push(format!("{}:{line}: {code}", relative.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "these import the renderers from below them; move what they need into the lower layer \
         (syntax, bundle, features, host, docs):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_check_sees_an_import() {
    assert_eq!(imports_of_render("use crate::render::web;\n// crate::render in a comment").len(), 1);
    assert_eq!(imports_of_render("let x = monstack::render::flags::all(&m);").len(), 1);
    assert!(imports_of_render("/// see [`crate::render`]").is_empty());
}
