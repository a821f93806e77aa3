//! Atomic output: the bundle is written to a temporary sibling folder, synced, and then
//! swapped with the target in one `renameat2(RENAME_EXCHANGE)` on Linux. A failed or killed
//! render leaves an existing output folder exactly as it was. A folder that already holds
//! exactly the bundle is left alone: a rebuild of an unchanged spec writes nothing.

use super::MANIFEST;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The render's input record inside a bundle folder ([`super::fresh`]); not part of the
/// bundle (the manifest does not list it), so replaced or ignored with it.
pub const INPUT_RECORD: &str = ".monstack-input";

/// How [`write_atomic`] may replace what is at the output folder.
#[derive(Clone, Copy, Debug, Default)]
pub struct Replace<'a> {
    /// Replace a bundle of another environment, and delete files its manifest does not list.
    pub force: bool,
    /// The render's input record, written into the folder with the bundle.
    pub record: Option<&'a [u8]>,
}

/// What [`write_atomic`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// The bundle replaced (or created) the folder.
    Replaced,
    /// The folder already held exactly these files; nothing was written.
    Unchanged,
}

/// Replaces one file in one rename: written to a temporary file beside it with `mode`, synced,
/// then renamed over `path`; on failure the temporary file is removed and `path` is as it was.
pub fn replace_file(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| io::Error::other("not a file path"))?;
    let tmp = path.with_file_name(format!(".{}.monstack-{}", name.to_string_lossy(), std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

pub fn write_atomic(out: &Path, files: &BTreeMap<String, Vec<u8>>, how: Replace) -> io::Result<Written> {
    let name = out
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{} has no folder name", out.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    if out.exists() {
        refuse_foreign(out)?;
        if !how.force {
            refuse_to_lose(out, files)?;
        }
        // Writing a fleet's bundle means thousands of fsyncs; comparing it costs reads only.
        if unchanged(out, files)? {
            if let Some(record) = how.record {
                replace_file(&out.join(INPUT_RECORD), record, 0o644)?;
            }
            return Ok(Written::Unchanged);
        }
    }
    remove_stale(&parent, &name);
    let tmp = parent.join(format!(".{name}.monstack-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    let mut with_record;
    let files = match how.record {
        Some(record) => {
            with_record = files.clone();
            with_record.insert(INPUT_RECORD.to_string(), record.to_vec());
            &with_record
        }
        None => files,
    };
    let result = fill(&tmp, files)
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot build the new bundle in {}: {e} (monstack replaces {} in one step by building the new bundle beside it, so {} must be writable too)",
                    tmp.display(),
                    out.display(),
                    parent.display()
                ),
            )
        })
        .and_then(|()| swap_into_place(&tmp, out));
    if result.is_err() && tmp.exists() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result?;
    File::open(&parent)?.sync_all()?;
    Ok(Written::Replaced)
}

/// Whether `out` holds exactly `files`: the same manifest (checked first, as it hashes every
/// other file), every file with the same bytes, and no other file.
fn unchanged(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> io::Result<bool> {
    let Some(manifest) = files.get(MANIFEST) else { return Ok(false) };
    if fs::read(out.join(MANIFEST)).ok().as_ref() != Some(manifest) {
        return Ok(false);
    }
    let mut on_disk = 0;
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
                continue;
            }
            let rel = entry.path().strip_prefix(out).expect("below out").to_string_lossy().into_owned();
            if rel == INPUT_RECORD {
                continue;
            }
            match files.get(&rel) {
                Some(bytes) if kind.is_file() && fs::read(entry.path())? == *bytes => on_disk += 1,
                _ => return Ok(false),
            }
        }
    }
    Ok(on_disk == files.len())
}

/// Removes the temporary folders of renders that were killed before they finished (their
/// process is gone), so an interrupted render leaves nothing behind for long. A folder whose
/// process still runs belongs to a render in progress and is left alone.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = format!(".{name}.monstack-");
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        if rest.parse::<u32>().is_ok_and(|pid| !running(pid)) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process runs (Linux: it has a /proc entry; elsewhere assume it does).
fn running(pid: u32) -> bool {
    !cfg!(target_os = "linux") || Path::new(&format!("/proc/{pid}")).exists()
}

/// Only an empty folder or an earlier bundle is replaced, never an unrelated folder.
fn refuse_foreign(out: &Path) -> io::Result<()> {
    if !out.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a folder", out.display()),
        ));
    }
    let empty = fs::read_dir(out)?.next().is_none();
    if !empty && !out.join(MANIFEST).is_file() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is not empty and holds no {MANIFEST}: refusing to replace a folder monstack did not write",
                out.display()
            ),
        ));
    }
    Ok(())
}

/// What replacing a bundle would lose without `--force`: the bundle of another environment,
/// or files its manifest does not list (added by hand beside the generated ones).
fn refuse_to_lose(out: &Path, files: &BTreeMap<String, Vec<u8>>) -> io::Result<()> {
    #[derive(serde::Deserialize)]
    struct Listed {
        environment: Option<String>,
        files: Option<Vec<Entry>>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        path: String,
    }
    let read = |bytes: &[u8]| serde_json::from_slice::<Listed>(bytes).ok();
    let (Some(old), Some(new)) =
        (fs::read(out.join(MANIFEST)).ok().as_deref().and_then(read), files.get(MANIFEST).and_then(|b| read(b)))
    else {
        return Ok(());
    };
    if let (Some(was), Some(will)) = (&old.environment, &new.environment)
        && was != will
    {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} holds the bundle of env {was}; rendering env {will} there would replace it: choose another --out, or pass --force to replace it",
                out.display()
            ),
        ));
    }
    let Some(listed) = old.files else { return Ok(()) };
    let listed: std::collections::BTreeSet<String> = listed.into_iter().map(|e| e.path).collect();
    let mut unknown = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                stack.push(entry.path());
                continue;
            }
            let rel = entry.path().strip_prefix(out).expect("below out").to_string_lossy().into_owned();
            if rel != MANIFEST && rel != INPUT_RECORD && !listed.contains(&rel) {
                unknown.push(rel);
            }
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    unknown.sort();
    let shown: Vec<&str> = unknown.iter().take(10).map(String::as_str).collect();
    let more =
        if unknown.len() > shown.len() { format!(" and {} more", unknown.len() - shown.len()) } else { String::new() };
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} holds files its manifest does not list, which replacing the bundle would delete: {}{more}; move them out of the bundle, or pass --force to delete them",
            out.display(),
            shown.join(", ")
        ),
    ))
}

fn fill(root: &Path, files: &BTreeMap<String, Vec<u8>>) -> io::Result<()> {
    make_dir(root)?;
    let mut dirs = vec![root.to_path_buf()];
    for (rel, bytes) in files {
        let path = root.join(rel);
        if let Some(dir) = path.parent()
            && !dir.exists()
        {
            let mut missing = Vec::new();
            let mut d = dir.to_path_buf();
            while !d.exists() {
                missing.push(d.clone());
                d = d.parent().expect("below root").to_path_buf();
            }
            for m in missing.into_iter().rev() {
                make_dir(&m)?;
                dirs.push(m);
            }
        }
        let mut f = OpenOptions::new().write(true).create_new(true).mode(0o644).open(&path)?;
        f.write_all(bytes)?;
        f.set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    sync_tree(root, files.keys(), &dirs)
}

/// Makes every written file and folder durable before the folder is swapped into place. On
/// Linux one `syncfs` of the filesystem does it: a fleet's bundle has ten thousand files, and
/// syncing each in turn took most of a fresh render (8 s of 10).
// Like `exchange`, an unsafe call because std has no wrapper for it.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn sync_tree<'a>(root: &Path, _files: impl Iterator<Item = &'a String>, _dirs: &[PathBuf]) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let folder = File::open(root)?;
    // SAFETY: the descriptor is open for the duration of the call.
    if unsafe { libc::syncfs(folder.as_raw_fd()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn sync_tree<'a>(root: &Path, files: impl Iterator<Item = &'a String>, dirs: &[PathBuf]) -> io::Result<()> {
    for rel in files {
        File::open(root.join(rel))?.sync_all()?;
    }
    for d in dirs.iter().rev() {
        File::open(d)?.sync_all()?;
    }
    Ok(())
}

fn make_dir(path: &Path) -> io::Result<()> {
    fs::create_dir(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

fn swap_into_place(tmp: &Path, out: &Path) -> io::Result<()> {
    if !out.exists() {
        return fs::rename(tmp, out);
    }
    if exchange(tmp, out)? {
        // `tmp` now holds the previous bundle.
        return fs::remove_dir_all(tmp);
    }
    // No atomic exchange on this file system: the old folder is moved aside first, so the only
    // window without `out` is between two renames, and the old bundle survives it.
    let old = tmp.with_extension("old");
    fs::rename(out, &old)?;
    if let Err(e) = fs::rename(tmp, out) {
        let _ = fs::rename(&old, out);
        return Err(e);
    }
    fs::remove_dir_all(old)
}

/// Atomically exchanges two paths; `Ok(false)` when the kernel or file system cannot.
// One of the two unsafe calls in monstack (with `syncfs` above): std has no safe wrapper for
// renameat2.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(err),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(content: &str) -> BTreeMap<String, Vec<u8>> {
        let mut m = BTreeMap::new();
        m.insert(MANIFEST.to_string(), b"{}".to_vec());
        m.insert("a/b/c.yml".to_string(), content.as_bytes().to_vec());
        m
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn removes_the_leftovers_of_killed_renders_but_not_of_running_ones() {
        let dir = tempfile::tempdir().unwrap();
        // pid_max is at most 2^22, so this process cannot exist; pid 1 always does.
        let dead = dir.path().join(".bundle.monstack-4294967290");
        let alive = dir.path().join(".bundle.monstack-1");
        for d in [&dead, &alive] {
            fs::create_dir_all(d.join("prometheus")).unwrap();
        }
        write_atomic(&dir.path().join("bundle"), &files("a"), Replace::default()).unwrap();
        assert!(!dead.exists(), "the leftover of a dead render is removed");
        assert!(alive.exists(), "a running render's folder is kept");
    }

    #[test]
    fn replaces_a_previous_bundle_and_leaves_no_temporary_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        write_atomic(&out, &files("one"), Replace::default()).unwrap();
        write_atomic(&out, &files("two"), Replace::default()).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/b/c.yml")).unwrap(), "two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("bundle")]);
    }

    #[test]
    fn an_identical_bundle_is_left_alone_and_any_difference_rewrites() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        assert_eq!(write_atomic(&out, &files("one"), Replace::default()).unwrap(), Written::Replaced);
        assert_eq!(write_atomic(&out, &files("one"), Replace::default()).unwrap(), Written::Unchanged);
        // A file edited by hand, a file added, a file removed: each is repaired by a rewrite.
        fs::write(out.join("a/b/c.yml"), "edited").unwrap();
        assert_eq!(write_atomic(&out, &files("one"), Replace::default()).unwrap(), Written::Replaced);
        assert_eq!(fs::read_to_string(out.join("a/b/c.yml")).unwrap(), "one");
        fs::write(out.join("a/extra.yml"), "x").unwrap();
        assert_eq!(write_atomic(&out, &files("one"), Replace::default()).unwrap(), Written::Replaced);
        assert!(!out.join("a/extra.yml").exists());
        fs::remove_file(out.join("a/b/c.yml")).unwrap();
        assert_eq!(write_atomic(&out, &files("one"), Replace::default()).unwrap(), Written::Replaced);
        assert_eq!(write_atomic(&out, &files("one"), Replace::default()).unwrap(), Written::Unchanged);
    }

    #[test]
    fn refuses_to_replace_a_foreign_folder() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("precious.txt"), "keep").unwrap();
        let err = write_atomic(dir.path(), &files("x"), Replace::default()).unwrap_err();
        assert!(err.to_string().contains("refusing"), "{err}");
        assert_eq!(fs::read_to_string(dir.path().join("precious.txt")).unwrap(), "keep");
    }

    #[test]
    fn a_failed_write_keeps_the_previous_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("bundle");
        write_atomic(&out, &files("one"), Replace::default()).unwrap();
        // A path that cannot be created (a file where a folder must go) fails the fill stage.
        let mut bad = files("two");
        bad.insert("a/b/c.yml/inside".to_string(), b"x".to_vec());
        assert!(write_atomic(&out, &bad, Replace::default()).is_err());
        assert_eq!(fs::read_to_string(out.join("a/b/c.yml")).unwrap(), "one");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "temporary folder removed");
    }
}
