//! `monstack check DIR`: re-validates a rendered bundle in-process — manifest integrity, every
//! file parses, every PromQL expression parses, no file holds something that looks like a
//! secret, the bundle is what its own `spec.json` renders to — and then runs the real
//! validators found on PATH.

use crate::bundle::layout::{ALERTMANAGER_CONFIG, ALLOY_CONFIG, LOKI_CONFIG, PROMTAIL_CONFIG};
use crate::bundle::{self, MANIFEST, Manifest};
use crate::diag::{Code, Diagnostic, Diagnostics};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What happened to one external validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum External {
    Passed { tool: String, command: String },
    Failed { tool: String, command: String, output: String },
    NotFound { tool: String },
}

#[derive(Debug, Default)]
pub struct Report {
    pub environment: String,
    pub files: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Findings of the bundle's spec that are not errors ([`crate::Notes`]): reported, never
    /// failing the check.
    pub warnings: Vec<Diagnostic>,
    pub external: Vec<External>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.diagnostics.is_empty() && !self.external.iter().any(|e| matches!(e, External::Failed { .. }))
    }
}

/// Which external validators `check` runs.
#[derive(Debug, Clone, Default)]
pub struct Externals {
    /// Run external validators at all.
    pub enabled: bool,
    /// Only these tools (`promtool`, `amtool`, `loki`, `promtail`, `alloy`); empty means all.
    pub only: Vec<String>,
    /// A selected tool missing from PATH is an error rather than a skip (for CI and Nix checks).
    pub require: bool,
}

impl Externals {
    pub fn all() -> Self {
        Externals { enabled: true, ..Default::default() }
    }

    pub fn none() -> Self {
        Externals::default()
    }
}

/// The external validators monstack knows.
pub const TOOLS: [&str; 5] = ["promtool", "amtool", "loki", "promtail", "alloy"];

/// Checks the bundle in `dir`, then runs the selected external validators found on PATH.
pub fn check(dir: &Path, externals: &Externals) -> Report {
    let mut report = Report::default();
    let mut diags = Diagnostics::new("?");
    let manifest = match fs::read(dir.join(MANIFEST))
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice::<Manifest>(&b).map_err(|e| e.to_string()))
    {
        Ok(m) => m,
        Err(e) => {
            diags.error(Code::BundleManifest, MANIFEST, e).hint("render the bundle again with `monstack render`");
            report.diagnostics = diags.into_sorted();
            return report;
        }
    };
    diags.set_env(&manifest.environment);
    report.environment = manifest.environment.clone();
    let files = match read_tree(dir) {
        // The render's input record is not part of the bundle (bundle::fresh).
        Ok(mut f) => {
            f.remove(bundle::INPUT_RECORD);
            f
        }
        Err(e) => {
            diags.error(Code::BundleIntegrity, "", format!("cannot read {}: {e}", dir.display()));
            report.diagnostics = diags.into_sorted();
            return report;
        }
    };
    report.files = files.len();
    integrity(&manifest, &files, &mut diags);
    for (path, bytes) in &files {
        parse_file(path, bytes, &mut diags);
    }
    dashboards(&files, &mut diags);
    crate::secrets::report_rendered(&files, &mut diags);
    if let Some(spec) = files.get(crate::SPEC_FILE) {
        log_tools(spec, &files, &mut diags);
        report.warnings = rerender(&manifest, spec, &files, &mut diags);
    }
    if externals.enabled && diags.is_empty() {
        report.external = run_external(&files, externals);
        for e in &report.external {
            match e {
                External::Failed { tool, command, output } => {
                    diags.error(
                        Code::ExternalCheck,
                        tool.clone(),
                        format!("`{command}` failed:\n{}", output.trim_end()),
                    );
                }
                External::NotFound { tool } if externals.require => {
                    diags
                        .error(Code::ExternalCheck, tool.clone(), format!("{tool} is required but not on PATH"))
                        .hint("install it, or drop --require");
                }
                _ => {}
            }
        }
    }
    report.diagnostics = diags.into_sorted();
    report
}

fn read_tree(dir: &Path) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let child = rel.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                stack.push(child);
            } else {
                out.insert(child.to_string_lossy().into_owned(), fs::read(entry.path())?);
            }
        }
    }
    Ok(out)
}

fn integrity(manifest: &Manifest, files: &BTreeMap<String, Vec<u8>>, diags: &mut Diagnostics) {
    let listed: BTreeMap<&str, &bundle::manifest::FileEntry> =
        manifest.files.iter().map(|f| (f.path.as_str(), f)).collect();
    for (path, entry) in &listed {
        match files.get(*path) {
            None => {
                diags
                    .error(Code::BundleIntegrity, *path, "listed in the manifest but missing")
                    .hint("render the bundle again");
            }
            Some(bytes) if bytes.len() as u64 != entry.size || bundle::sha256_hex(bytes) != entry.sha256 => {
                diags
                    .error(Code::BundleIntegrity, *path, "content differs from the manifest (edited by hand?)")
                    .hint("change the spec and render again instead of editing rendered files");
            }
            Some(_) => {}
        }
    }
    for path in files.keys() {
        if path != MANIFEST && !listed.contains_key(path.as_str()) {
            diags
                .error(Code::BundleIntegrity, path.clone(), "not listed in the manifest")
                .hint("remove it; the bundle holds only rendered files");
        }
    }
    if bundle::manifest::component_hashes(&manifest.files) != manifest.components {
        diags
            .error(Code::BundleIntegrity, MANIFEST, "component hashes do not match the file list")
            .hint("render the bundle again");
    }
}

fn parse_file(path: &str, bytes: &[u8], diags: &mut Diagnostics) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        diags.error(Code::BundleParse, path, "not UTF-8");
        return;
    };
    if path.ends_with(".json") {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
            diags.error(Code::BundleParse, path, format!("invalid JSON: {e}"));
        }
    } else if path.ends_with(".yml") || path.ends_with(".yaml") {
        match serde_yaml::from_str::<serde_yaml::Value>(text) {
            Err(e) => {
                diags.error(Code::BundleParse, path, format!("invalid YAML: {e}"));
            }
            Ok(doc) if path.starts_with("prometheus/rules/") || path.starts_with("ruler/") => promql(path, &doc, diags),
            Ok(_) => {}
        }
    }
}

fn promql(path: &str, doc: &serde_yaml::Value, diags: &mut Diagnostics) {
    let groups = doc.get("groups").and_then(|g| g.as_sequence()).cloned().unwrap_or_default();
    for (gi, group) in groups.iter().enumerate() {
        let rules = group.get("rules").and_then(|r| r.as_sequence()).cloned().unwrap_or_default();
        for (ri, rule) in rules.iter().enumerate() {
            let expr = rule.get("expr").and_then(|e| e.as_str()).unwrap_or("");
            if let Err(e) = promql_parser::parser::parse(expr) {
                diags.error(
                    Code::BundleParse,
                    format!("{path}: groups[{gi}].rules[{ri}].expr"),
                    e.lines().next().unwrap_or("").to_string(),
                );
            }
        }
    }
}

/// Every dashboard checked as Grafana would load it, against the bundle's own provisioned
/// datasources (the metric cross-check needs the spec, which `rerender` covers).
fn dashboards(files: &BTreeMap<String, Vec<u8>>, diags: &mut Diagnostics) {
    let mut datasources = BTreeMap::new();
    for (path, bytes) in files.range("grafana/provisioning/datasources/".to_string()..) {
        if !path.starts_with("grafana/provisioning/datasources/") {
            break;
        }
        let doc: serde_yaml::Value = serde_yaml::from_slice(bytes).unwrap_or_default();
        for ds in doc.get("datasources").and_then(|d| d.as_sequence()).into_iter().flatten() {
            if let (Some(uid), Some(kind)) =
                (ds.get("uid").and_then(|u| u.as_str()), ds.get("type").and_then(|t| t.as_str()))
            {
                datasources.insert(uid.to_string(), kind.to_string());
            }
        }
    }
    for (path, bytes) in files.range("grafana/dashboards/".to_string()..) {
        if !path.starts_with("grafana/dashboards/") {
            break;
        }
        let Ok(dashboard) = serde_json::from_slice::<serde_json::Value>(bytes) else { continue };
        for p in crate::dashboards::check::check(&dashboard, &datasources, None) {
            diags.error(p.code, format!("{path}: {}", p.at), p.message);
        }
    }
}

/// The Loki, Promtail and Alloy files against their models, for the versions the bundle's
/// spec targets.
fn log_tools(spec: &[u8], files: &BTreeMap<String, Vec<u8>>, diags: &mut Diagnostics) {
    let Ok(spec) = serde_json::from_slice::<serde_json::Value>(spec) else { return };
    let version = |tool: &str| crate::syntax::Version::parse(spec["versions"][tool].as_str().unwrap_or_default()).ok();
    let (Some(loki), Some(promtail), Some(alloy)) = (version("loki"), version("promtail"), version("alloy")) else {
        return;
    };
    for (path, problem) in crate::conf::check(files, crate::conf::Versions { loki, promtail, alloy }) {
        diags.error(Code::BundleParse, path, problem);
    }
}

/// The bundle must be exactly what its own spec renders to with this monstack. Returns the
/// spec's warnings.
fn rerender(
    manifest: &Manifest,
    spec: &[u8],
    files: &BTreeMap<String, Vec<u8>>,
    diags: &mut Diagnostics,
) -> Vec<Diagnostic> {
    // The bundle's spec.json is the canonical spec indented, about twice the size of the compact
    // JSON a fleet's spec is written in: it is loaded compact, so that every spec that renders
    // passes the loader's size limit here too (the canonical spec renders the same either way).
    let compact = serde_json::from_slice::<serde_json::Value>(spec).map(|v| bundle::canonical_json(&v));
    match crate::build_noted(crate::SPEC_FILE, compact.as_deref().unwrap_or(spec), &Default::default()) {
        Err(problems) => {
            for d in problems {
                diags.error(d.code, format!("{}: {}", crate::SPEC_FILE, d.path), d.message);
            }
            Vec::new()
        }
        Ok((fresh, notes)) => {
            if manifest.generator.version != env!("CARGO_PKG_VERSION") {
                diags
                    .error(
                        Code::BundleStale,
                        MANIFEST,
                        format!(
                            "rendered by monstack {}, this is {}",
                            manifest.generator.version,
                            env!("CARGO_PKG_VERSION")
                        ),
                    )
                    .hint("render the bundle again with this monstack");
                return Vec::new();
            }
            let differs: Vec<&String> = fresh
                .files()
                .keys()
                .chain(files.keys())
                .filter(|p| fresh.get(p) != files.get(*p).map(Vec::as_slice))
                .collect();
            if let Some(first) = differs.first() {
                diags
                    .error(
                        Code::BundleStale,
                        (*first).clone(),
                        format!("{} file(s) differ from what spec.json renders to", differs.len()),
                    )
                    .hint("render the bundle again; do not edit rendered files");
            }
            // Named as the spec's own errors are: in the bundle's spec.json.
            notes
                .warnings
                .into_iter()
                .map(|mut w| {
                    w.path = format!("{}: {}", crate::SPEC_FILE, w.path);
                    w
                })
                .collect()
        }
    }
}

fn on_path(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(tool)).find(|p| p.is_file())
}

fn run(tool: &str, args: &[String], cwd: &Path) -> External {
    let Some(bin) = on_path(tool) else {
        return External::NotFound { tool: tool.into() };
    };
    let command = format!("{tool} {}", args.join(" "));
    match Command::new(bin).args(args).current_dir(cwd).output() {
        Ok(out) if out.status.success() => External::Passed { tool: tool.into(), command },
        Ok(out) => External::Failed {
            tool: tool.into(),
            command,
            output: format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        },
        Err(e) => External::Failed { tool: tool.into(), command, output: e.to_string() },
    }
}

/// Runs the validators on a scratch copy of the bundle in which every absolute `*_file`
/// reference (secrets, certificates, service-account tokens: files that exist only on the
/// monitoring hosts at run time) points at a placeholder file. That lets `promtool check config`
/// run in full — unlike `--syntax-only`, which skips `scrape_config_files` — while checking the
/// same configuration apart from those paths.
fn run_external(files: &BTreeMap<String, Vec<u8>>, externals: &Externals) -> Vec<External> {
    let mut commands: Vec<(&str, Vec<String>)> = Vec::new();
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // `prometheus.yml`, or one `prometheus.<instance>.yml` per HA replica or shard.
    let configs: Vec<String> = files
        .keys()
        .filter(|p| p.strip_prefix("prometheus/").is_some_and(|f| f.starts_with("prometheus") && !f.contains('/')))
        .cloned()
        .collect();
    if !configs.is_empty() {
        commands.push(("promtool", args(&["check", "config"]).into_iter().chain(configs).collect()));
        let rules: Vec<String> =
            files.keys().filter(|p| p.starts_with("prometheus/rules/") || p.starts_with("ruler/")).cloned().collect();
        if !rules.is_empty() {
            commands.push(("promtool", args(&["check", "rules"]).into_iter().chain(rules).collect()));
        }
        // Not the rule copies beside some tests (`prometheus/tests/by_alert/`): their rules are
        // those of the rule files checked above, and `promtool test rules` loads them.
        let tests: Vec<(&String, usize)> = files
            .iter()
            .filter(|(p, _)| p.starts_with("prometheus/tests/") && p.ends_with("_test.yml"))
            .map(|(p, b)| (p, b.len()))
            .collect();
        for share in shares(tests, WORKERS) {
            commands.push(("promtool", args(&["test", "rules"]).into_iter().chain(share).collect()));
        }
    }
    let alertmanager = format!("alertmanager/{ALERTMANAGER_CONFIG}");
    if files.contains_key(&alertmanager) {
        commands.push(("amtool", args(&["check-config", &alertmanager])));
        // The spec's routing expectations, resolved by Alertmanager's own code.
        for (labels, receivers) in route_expectations(files) {
            let mut a = args(&["config", "routes", "test", &format!("--config.file={alertmanager}")]);
            a.push(format!("--verify.receivers={}", receivers.join(",")));
            a.extend(labels.iter().map(|(k, v)| format!("{k}={v}")));
            commands.push(("amtool", a));
        }
    }
    let loki = format!("loki/{LOKI_CONFIG}");
    if files.contains_key(&loki) {
        let file = format!("-config.file={loki}");
        commands.push(("loki", args(&["-verify-config", "-config.expand-env=true", &file])));
    }
    let promtail = format!("promtail/{PROMTAIL_CONFIG}");
    if files.contains_key(&promtail) {
        commands.push(("promtail", args(&["-check-syntax", &format!("-config.file={promtail}")])));
    }
    let alloy = format!("alloy/{ALLOY_CONFIG}");
    if files.contains_key(&alloy) {
        // `alloy fmt` parses the file and fails on syntax errors.
        commands.push(("alloy", args(&["fmt", &alloy])));
    }
    commands.retain(|(tool, _)| externals.only.is_empty() || externals.only.iter().any(|t| t == tool));
    // A missing tool is reported once, not once per command it would have run.
    let mut missing = std::collections::BTreeSet::new();
    commands.retain(|(tool, _)| {
        let found = on_path(tool).is_some();
        if !found {
            missing.insert(*tool);
        }
        found
    });
    let not_found = missing.into_iter().map(|tool| External::NotFound { tool: tool.into() });
    if commands.is_empty() {
        return not_found.collect();
    }
    let scratch = match Scratch::new(files) {
        Ok(s) => s,
        Err(e) => {
            return vec![External::Failed {
                tool: "monstack".into(),
                command: "prepare scratch copy".into(),
                output: e.to_string(),
            }];
        }
    };
    let mut results = run_parallel(&commands, &scratch.root);
    results.extend(not_found);
    results
}

/// The validators run on this many processes at once: promtool tests its files one after
/// another, and a fleet's take minutes (monstack's build machines have 2 cores).
const WORKERS: usize = 2;

/// The test files split into at most `n` shares of about equal size (promtool's time grows
/// with a test file's size), each in path order.
fn shares(mut tests: Vec<(&String, usize)>, n: usize) -> Vec<Vec<String>> {
    tests.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out: Vec<(usize, Vec<String>)> = vec![(0, Vec::new()); n.min(tests.len())];
    for (path, size) in tests {
        let lightest = out.iter_mut().min_by_key(|(total, _)| *total).expect("at least one share");
        lightest.0 += size;
        lightest.1.push(path.clone());
    }
    out.into_iter()
        .map(|(_, mut paths)| {
            paths.sort();
            paths
        })
        .collect()
}

/// Runs the commands on up to [`WORKERS`] threads; the results in the commands' order.
fn run_parallel(commands: &[(&str, Vec<String>)], cwd: &Path) -> Vec<External> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<External>>> = commands.iter().map(|_| Default::default()).collect();
    std::thread::scope(|s| {
        for _ in 0..WORKERS.min(commands.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((tool, args)) = commands.get(i) else { break };
                    let result = run(tool, args, cwd);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    results.into_iter().map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()).expect("every command ran")).collect()
}

/// (labels, receivers) of every routing expectation in the bundle's spec.json.
fn route_expectations(files: &BTreeMap<String, Vec<u8>>) -> Vec<(BTreeMap<String, String>, Vec<String>)> {
    let Some(spec) = files.get(crate::SPEC_FILE).and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
    else {
        return vec![];
    };
    let list = spec["alertmanager"]["expectations"].as_array().cloned().unwrap_or_default();
    list.iter()
        .filter_map(|e| {
            let labels = serde_json::from_value(e["labels"].clone()).ok()?;
            let receivers = serde_json::from_value(e["receivers"].clone()).ok()?;
            Some((labels, receivers))
        })
        .collect()
}

/// A temporary copy of a bundle with run-time file references redirected; removed on drop.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(files: &BTreeMap<String, Vec<u8>>) -> std::io::Result<Scratch> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("monstack-check-{}-{n}", std::process::id()));
        if root.exists() {
            fs::remove_dir_all(&root)?;
        }
        fs::create_dir_all(root.join("runtime-files"))?;
        let scratch = Scratch { root };
        let mut placeholders = BTreeMap::new();
        for (rel, bytes) in files {
            let path = scratch.root.join(rel);
            fs::create_dir_all(path.parent().expect("file in a folder"))?;
            let is_config =
                (rel.starts_with("prometheus/") || rel.starts_with("alertmanager/")) && rel.ends_with(".yml");
            let content = match serde_yaml::from_slice::<serde_yaml::Value>(bytes) {
                Ok(mut doc) if is_config => {
                    redirect(&mut doc, &scratch.root, &mut placeholders);
                    serde_yaml::to_string(&doc).map_err(std::io::Error::other)?.into_bytes()
                }
                _ => bytes.clone(),
            };
            fs::write(path, content)?;
        }
        for path in placeholders.values() {
            fs::write(path, "placeholder\n")?;
        }
        Ok(scratch)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn redirect(v: &mut serde_yaml::Value, root: &Path, placeholders: &mut BTreeMap<String, PathBuf>) {
    match v {
        serde_yaml::Value::Mapping(m) => {
            for (k, child) in m.iter_mut() {
                let is_file_key = k.as_str().is_some_and(|k| k.ends_with("_file"));
                match child {
                    serde_yaml::Value::String(s) if is_file_key && s.starts_with('/') => {
                        let n = placeholders.len();
                        let target = placeholders
                            .entry(s.clone())
                            .or_insert_with(|| root.join("runtime-files").join(format!("f{n}")));
                        *s = target.to_string_lossy().into_owned();
                    }
                    other => redirect(other, root, placeholders),
                }
            }
        }
        serde_yaml::Value::Sequence(items) => {
            for item in items {
                redirect(item, root, placeholders);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files_are_shared_out_evenly_and_all_of_them_once() {
        let names: Vec<String> = (0..7).map(|i| format!("t{i}.yml")).collect();
        let sizes = [90, 10, 40, 50, 30, 60, 20];
        let tests: Vec<(&String, usize)> = names.iter().zip(sizes).collect();
        let s = shares(tests, 2);
        assert_eq!(s.len(), 2);
        let size = |share: &Vec<String>| -> usize {
            share.iter().map(|n| sizes[names.iter().position(|m| m == n).unwrap()]).sum()
        };
        assert_eq!((size(&s[0]), size(&s[1])), (150, 150), "{s:?}");
        let mut all: Vec<String> = s.concat();
        all.sort();
        assert_eq!(all, names);
        assert!(s.iter().all(|share| share.is_sorted()));
        assert_eq!(shares(vec![(&names[0], 1)], 2), vec![vec!["t0.yml".to_string()]]);
        assert!(shares(vec![], 2).is_empty());
    }
}
