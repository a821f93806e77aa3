//! A render killed at any moment leaves the output folder holding a complete bundle: the one
//! it held before, or the new one, never a mixture or a partial tree. (`bundle::write_atomic`
//! fills a temporary sibling and swaps it in with one `renameat2(RENAME_EXCHANGE)`.)
//!
//! The kills land at delays spread over a whole render, measured first, so some hit the
//! parsing, some the writing of the temporary folder and some the swap or after it.

mod common;

use common::{example, read_tree};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: u32 = 12;
/// Longest a killed child may take to be reaped, or a render to finish.
const WAIT_LIMIT: Duration = Duration::from_secs(60);

fn spawn_render(env: &str, out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_monstack"))
        .args(["render", "--spec", example(env).to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stderr(Stdio::null())
        .spawn()
        .expect("monstack starts")
}

/// Waits for the child, failing the test rather than hanging when it does not end.
fn wait_bounded(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + WAIT_LIMIT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "monstack (pid {}) did not end within {WAIT_LIMIT:?}", child.id());
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn render(env: &str, out: &Path) {
    let mut child = spawn_render(env, out);
    assert!(wait_bounded(&mut child).success(), "{env} renders");
}

/// Temporary folders of killed renders (`.<name>.monstack-<pid>`): SIGKILL leaves no chance
/// to remove them, and the next render uses its own.
fn leftovers(parent: &Path, name: &str) -> Vec<String> {
    let prefix = format!(".{name}.monstack-");
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect()
}

#[test]
fn a_killed_render_leaves_the_previous_bundle_or_the_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let mut full = Duration::ZERO;
    let complete: BTreeMap<&str, BTreeMap<String, Vec<u8>>> = ["dev", "prod"]
        .into_iter()
        .map(|env| {
            let dir = tmp.path().join(format!("reference-{env}"));
            let started = Instant::now();
            render(env, &dir);
            full = full.max(started.elapsed());
            (env, read_tree(&dir))
        })
        .collect();
    assert_ne!(complete["dev"], complete["prod"]);

    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let out = work.join("bundle");
    let mut current = "dev";
    render(current, &out);

    let (mut kept_old, mut got_new) = (0, 0);
    for i in 0..KILLS {
        let next = if current == "dev" { "prod" } else { "dev" };
        // Spread over 0..1.2 of a render, so the last kills may find it finished.
        let delay = full.mul_f64(1.2 * f64::from(i) / f64::from(KILLS - 1));
        let mut child = spawn_render(next, &out);
        std::thread::sleep(delay);
        // SIGKILL, to the pid of this child only.
        let _ = child.kill();
        wait_bounded(&mut child);

        let now = read_tree(&out);
        if now == complete[current] {
            kept_old += 1;
        } else if now == complete[next] {
            got_new += 1;
            current = next;
        } else {
            let missing = complete[next].keys().filter(|k| !now.contains_key(*k)).count();
            panic!(
                "kill {i} after {delay:?}: {} holds neither bundle ({} files, {missing} missing)",
                out.display(),
                now.len()
            );
        }
    }
    // Equal to a reference bundle is the strong check; `check` agrees that it is complete.
    let o = Command::new(env!("CARGO_BIN_EXE_monstack"))
        .args(["check", "--no-external", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stray = leftovers(&work, "bundle");
    eprintln!(
        "{KILLS} kills over 0..{:?}: {kept_old} left the previous bundle, {got_new} the new one; {} temporary folder(s) left",
        full.mul_f64(1.2),
        stray.len()
    );
    // The next render replaces whatever the kills left with a complete bundle.
    render("dev", &out);
    assert_eq!(read_tree(&out), complete["dev"]);
}
