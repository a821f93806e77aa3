//! Processes the end-to-end test starts, free loopback ports, and bounded waiting.
// Shared by several test crates, each using a part.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The first of `names` found on PATH (Debian renames some upstream binaries, e.g.
/// `alertmanager` is `prometheus-alertmanager`).
pub fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file()))
}

/// A loopback port nothing listens on right now. The OS picks it (bind to port 0); the listener
/// is closed again so that the server under test can bind it. Another process could take it in
/// between, but then that server fails to start and its readiness wait says so.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    listener.local_addr().expect("local address").port()
}

/// Polls `probe` every 200 ms until it returns `Ok`, for at most `timeout`. Panics naming `what`
/// and the last reason the probe gave, so that a failure says what was still missing.
pub fn wait_until<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match probe() {
            Ok(v) => return v,
            Err(why) if Instant::now() >= deadline => panic!("timed out after {timeout:?} waiting for {what}: {why}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// A process this test started. It is killed and reaped when dropped (also when the test
/// panics), so no server outlives the test; nothing else is ever signalled. Its output goes to a
/// log file, whose end is printed when the test fails.
pub struct Proc {
    name: String,
    child: Option<Child>,
    log: PathBuf,
}

impl Proc {
    pub fn spawn(name: &str, command: &mut Command, log_dir: &Path) -> Proc {
        let log = log_dir.join(format!("{name}.log"));
        let out = File::create(&log).expect("create log file");
        let err = out.try_clone().expect("clone log file handle");
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc { name: name.into(), child: Some(child), log }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Still the running process we started (not exited, so its PID was not reused).
    pub fn is_running(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Waits for the process to exit by itself, at most `timeout`, and returns its status and
    /// output.
    pub fn finish(mut self, timeout: Duration) -> (ExitStatus, String) {
        let child = self.child.as_mut().expect("process not stopped yet");
        let status = wait_until(&format!("{} to exit", self.name), timeout, || match child.try_wait() {
            Ok(Some(status)) => Ok(status),
            Ok(None) => Err("still running".into()),
            Err(e) => Err(e.to_string()),
        });
        self.child = None;
        (status, self.log_text(usize::MAX))
    }

    /// Kills (SIGKILL) and reaps the process; a second call does nothing.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The last `max` bytes of the process's output.
    pub fn log_text(&self, max: usize) -> String {
        let mut text = String::new();
        if let Ok(mut f) = File::open(&self.log) {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            let _ = f.seek(SeekFrom::Start(len.saturating_sub(max as u64)));
            let mut bytes = Vec::new();
            let _ = f.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let was_running = self.is_running();
        self.stop();
        if std::thread::panicking() && was_running {
            eprintln!("--- end of {} output ({}) ---\n{}", self.name, self.log.display(), self.log_text(4000));
        }
    }
}
