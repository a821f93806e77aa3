//! The `monstack` command line: render, check and describe environment bundles.
// Output goes through writes that ignore a closed pipe (`monstack diff … | head`): `print!`
// panics on one.
#![deny(clippy::print_stdout, clippy::print_stderr)]

/// `eprintln!` and `println!` that do not panic when the other end of the pipe is gone
/// (`monstack check … 2>&1 | head`): a closed stderr or stdout is not a reason to crash.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}
/// `print!` of a whole text, likewise.
fn emit(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(text.as_bytes());
}

use clap::{Parser, Subcommand};

/// mimalloc rather than the system allocator: rendering a fleet allocates and frees millions of
/// small strings and maps, and glibc's malloc spent a third of the time on them (issue 9).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use monstack::bundle::{Written, fresh};
use monstack::check::{self, External};
use monstack::diag::Diagnostic;
use std::path::PathBuf;
use std::process::ExitCode;

/// Generate validated, reproducible monitoring configuration (Prometheus, Alertmanager,
/// Grafana, Loki, Promtail) from one environment spec.
#[derive(Parser)]
// No `help` subcommand (`--help` on every command instead), so that every subcommand has its
// manual page.
#[command(name = "monstack", version, about, long_about = None, disable_help_subcommand = true, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The spec a command reads: a positional FILE, or `--spec FILE` as before.
#[derive(clap::Args)]
struct SpecArg {
    /// Spec file (JSON or YAML); `-` reads standard input.
    #[arg(value_name = "FILE", required_unless_present = "spec", conflicts_with = "spec")]
    file: Option<String>,
    /// The same, as an option.
    #[arg(long, value_name = "FILE")]
    spec: Option<String>,
}

impl SpecArg {
    fn path(&self) -> String {
        self.file.clone().or_else(|| self.spec.clone()).expect("clap requires one")
    }
}

/// How diagnostics are written.
#[derive(Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
enum Report {
    /// For people, on standard error.
    #[default]
    Text,
    /// One JSON document on standard output: `{"ok": …, "diagnostics": [{code, severity, env,
    /// path, message, hint, file, line, column}, …]}`.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`) on standard output, one per
    /// diagnostic, so a CI run annotates the lines of the spec; the text form on standard error.
    Github,
}

/// Exit codes, the same for every command.
const EXIT_CODES: &str = "Exit codes: 0 success (diff: no changes), also with warnings; 1 invalid input (an error), \
a failed check or (diff) changes; 2 a usage error, or (diff) an unreadable or invalid side. A crash would be 101: \
report it. Diagnostics are errors or warnings (`warning[code]`, JSON `severity`, GitHub `::warning`): warnings are \
reported but never change the exit code.";

#[derive(Subcommand)]
enum Command {
    /// Render a spec into a bundle folder.
    ///
    /// The spec is validated first; on any problem every diagnostic is printed, the exit code is
    /// 1 and the output folder is not touched. The bundle is written atomically: an existing
    /// bundle at OUT is replaced in one step or left as it was.
    Render {
        #[command(flatten)]
        spec: SpecArg,
        /// Output folder (created or replaced; a non-empty folder without manifest.json is
        /// refused).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Where the bundle will be installed on the hosts (absolute); overrides the spec's
        /// `install_prefix`. Used for the paths a tool does not resolve against its own config
        /// file, such as Grafana's dashboard folders.
        #[arg(long, value_name = "PATH")]
        install_prefix: Option<String>,
        /// Replace a bundle of another environment at OUT, and delete files in it that its
        /// manifest does not list (both are refused otherwise).
        #[arg(long)]
        force: bool,
        /// How to write diagnostics.
        #[arg(long, value_enum, default_value_t)]
        format: Report,
    },
    /// Validate a spec without writing anything.
    Validate {
        #[command(flatten)]
        spec: SpecArg,
        /// How to write diagnostics.
        #[arg(long, value_enum, default_value_t)]
        format: Report,
    },
    /// Re-validate a rendered bundle and run the external validators found on PATH.
    ///
    /// In-process: the manifest's sizes and hashes, every file parses, every rule's PromQL
    /// parses, and the bundle equals what its spec.json renders to. Then, where found on PATH:
    /// `promtool check config`, `promtool check rules`, `promtool test rules`, `amtool check-config`,
    /// `loki -verify-config`, `promtail -check-syntax`, `alloy fmt`. The report says which ran.
    Check {
        /// The bundle folder.
        dir: PathBuf,
        /// Only the in-process checks.
        #[arg(long, conflicts_with_all = ["tool", "require"])]
        no_external: bool,
        /// Run only this external validator (promtool, amtool, loki, promtail, alloy); repeatable.
        #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(monstack::check::TOOLS))]
        tool: Vec<String>,
        /// Fail when a selected validator is not on PATH instead of skipping it.
        #[arg(long)]
        require: bool,
        /// Print only problems (and nothing when the bundle is valid).
        #[arg(long, short)]
        quiet: bool,
        /// How to write diagnostics.
        #[arg(long, value_enum, default_value_t)]
        format: Report,
    },
    /// Compare two environments semantically: alerts, routing, scrape jobs, dashboards, Loki.
    ///
    /// Each side is a bundle folder (read through its spec.json) or a spec file (JSON or YAML).
    /// Alerts are compared by name (expression, `for`, threshold, labels); routing by the
    /// receivers each label set reaches (every routing expectation and every alert's labels of
    /// either side, through both route trees); scrape jobs by name; dashboards by uid and their
    /// panels by section and title; Loki retention tiers and limits.
    ///
    /// Exit code: 0 when nothing changed, 1 when something did, 2 on an error (unreadable or
    /// invalid input).
    Diff {
        /// The old side: a bundle folder or a spec file.
        old: PathBuf,
        /// The new side: a bundle folder or a spec file.
        new: PathBuf,
        /// `terminal` (coloured when standard output is a terminal and NO_COLOR is unset) or
        /// `markdown` (for a pull-request comment).
        #[arg(long, value_enum, default_value_t = Format::Terminal)]
        format: Format,
    },
    /// Assemble a component's web configuration on its host, at service start.
    ///
    /// Reads `web-config.yml` and `web-secrets.json` from the bundle's component folder (e.g.
    /// `/etc/monstack/prometheus`), adds every user's bcrypt hash from its file and writes the
    /// file Prometheus or Alertmanager reads with `--web.config.file` (mode 0600). With
    /// `--credentials` (systemd's `$CREDENTIALS_DIRECTORY`), hashes and TLS files come from the
    /// credentials named in `web-secrets.json`. Exit 1, writing nothing, when a secret is
    /// missing or not a bcrypt hash.
    WebConfig {
        /// The component folder of an installed bundle.
        dir: PathBuf,
        /// Where to write the assembled file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Folder of systemd credentials holding the secrets.
        #[arg(long, value_name = "DIR")]
        credentials: Option<PathBuf>,
        /// Also write Alertmanager's gossip TLS configuration (`--cluster.tls-config`) here.
        #[arg(long, value_name = "FILE")]
        cluster_tls_out: Option<PathBuf>,
    },
    /// Write a commented starter spec that renders: teams, routes by severity and ownership, a
    /// dead man's switch for the Watchdog, a rule with its tests, an SLO, dashboards, logs.
    Init {
        /// Where to write it; `-` writes to standard output.
        #[arg(default_value = "monitoring.yaml")]
        file: String,
        /// The smallest spec that renders instead: one host, one webhook, logs.
        #[arg(long)]
        minimal: bool,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print the shell completion script for SHELL (bash, zsh, fish, elvish, powershell).
    ///
    /// For example `monstack completions bash > /etc/bash_completion.d/monstack`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or with `--out DIR` write one per command (monstack.1,
    /// monstack-render.1, …): `monstack man --out /usr/local/share/man/man1`.
    Man {
        /// Folder to write every page to.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print the JSON Schema of the spec.
    Schema,
    /// List every diagnostic code with its meaning, or explain one (`monstack codes alerts/for`).
    Codes {
        /// A code, e.g. `ref/unknown-receiver`.
        code: Option<String>,
    },
    /// Print the spec as Nix module options (committed as modules/spec-options.nix).
    NixOptions,
    /// Print the bundle's layout, its components and file names, as a Nix attribute set
    /// (committed as modules/layout.nix).
    NixLayout,
    /// Build a bundle as a Nix derivation builder.
    ///
    /// Reads the spec from `$specPath` (`passAsFile = [ "spec" ]`), writes the bundle to `$out`
    /// and each component present as an output (`$prometheus`, `$alertmanager`, `$grafana`,
    /// `$loki`, `$promtail`, `$alloy`, `$docs`) to that output. Used by the flake's `lib.bundle`.
    NixBuilder,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Terminal,
    Markdown,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Render { spec, out, install_prefix, force, format } => {
            render(&spec.path(), &out, install_prefix, force, format)
        }
        Command::Validate { spec, format } => validate(&spec.path(), format),
        Command::Check { dir, no_external, tool, require, quiet, format } => {
            check_bundle(&dir, check::Externals { enabled: !no_external, only: tool, require }, quiet, format)
        }
        Command::Diff { old, new, format } => diff(&old, &new, format),
        Command::WebConfig { dir, out, credentials, cluster_tls_out } => {
            web_config(&dir, &out, credentials.as_deref(), cluster_tls_out)
        }
        Command::Init { file, minimal, force } => init(&file, minimal, force),
        Command::Completions { shell } => completions(shell),
        Command::Man { out } => man(out),
        Command::Schema => schema(),
        Command::NixOptions => {
            emit(&monstack::nix::options::generate());
            ExitCode::SUCCESS
        }
        Command::NixLayout => {
            emit(&monstack::nix::layout::generate());
            ExitCode::SUCCESS
        }
        Command::NixBuilder => nix_builder(),
        Command::Codes { code: None } => list_codes(),
        Command::Codes { code: Some(name) } => explain_code(&name),
    }
}

/// `monstack render`: the bundle of the spec at `spec`, written to `out` unless it already
/// holds what this input renders to.
fn render(spec: &str, out: &std::path::Path, install_prefix: Option<String>, force: bool, format: Report) -> ExitCode {
    let bytes = match read_spec(spec, format) {
        Ok(b) => b,
        Err(code) => return code,
    };
    // A no-op rebuild: same input, folder unchanged since — hashing only.
    let input = fresh::input_key(&bytes, install_prefix.as_deref());
    if fresh::is_fresh(out, &input) {
        say!(
            "unchanged: {} was rendered from this input and its files match their hashes; nothing rendered",
            out.display()
        );
        return report(format, &[], None);
    }
    let (bundle, notes) = match build(spec, &bytes, &monstack::BuildOptions { install_prefix }, format) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let record = bundle.get(monstack::bundle::MANIFEST).map(|manifest| fresh::record(&input, manifest));
    let how = monstack::bundle::Replace { force, record: record.as_deref().map(str::as_bytes) };
    let written = monstack::bundle::write_atomic(out, bundle.files(), how);
    match written {
        Ok(Written::Replaced) => say!("rendered {} files to {}", bundle.files().len(), out.display()),
        Ok(Written::Unchanged) => {
            say!("unchanged: {} already holds these {} files", out.display(), bundle.files().len())
        }
        Err(e) => return failure(format, format!("cannot write {}: {e}", out.display())),
    }
    exiting(bundle);
    noted(format, notes)
}

/// `monstack validate`: the spec's diagnostics, and how many files it would render to.
fn validate(spec: &str, format: Report) -> ExitCode {
    match read_spec(spec, format).and_then(|b| build(spec, &b, &Default::default(), format)) {
        Ok((b, notes)) => {
            say!("ok: {spec} is valid ({} files would be rendered)", b.files().len());
            exiting(b);
            noted(format, notes)
        }
        Err(code) => code,
    }
}

/// `monstack check`: the bundle at `dir` checked in process and by the `externals`, its
/// problems placed in its files.
fn check_bundle(dir: &std::path::Path, externals: check::Externals, quiet: bool, format: Report) -> ExitCode {
    let no_external = !externals.enabled;
    let outcome = check::check(dir, &externals);
    let ran = externals_json(&outcome.external);
    if !quiet {
        for e in &outcome.external {
            match e {
                External::Passed { command, .. } => say!("ran: {command}: ok"),
                External::Failed { command, .. } => say!("ran: {command}: FAILED"),
                External::NotFound { tool } => say!("skipped: {tool} not found on PATH"),
            }
        }
        if no_external {
            say!("skipped: external validators (--no-external)");
        }
        if outcome.ok() {
            say!("ok: bundle for env {} ({} files) is valid", outcome.environment, outcome.files);
        }
    }
    let mut diags = outcome.diagnostics.clone();
    diags.extend(outcome.warnings.iter().cloned());
    located_in_bundle(dir, &mut diags);
    report(format, &diags, Some(serde_json::json!({ "external": ran })))
}

/// The external validators' results, as the JSON report's `external` lists them.
fn externals_json(external: &[External]) -> Vec<serde_json::Value> {
    external
        .iter()
        .map(|e| match e {
            External::Passed { tool, command } => {
                serde_json::json!({"tool": tool, "command": command, "result": "passed"})
            }
            External::Failed { tool, command, .. } => {
                serde_json::json!({"tool": tool, "command": command, "result": "failed"})
            }
            External::NotFound { tool } => serde_json::json!({"tool": tool, "result": "not found"}),
        })
        .collect()
}

/// A bundle's problems are in its files: those are what an annotation points at. Each
/// diagnostic without a location whose path starts with a file of the bundle at `dir` is placed
/// at that file's start.
fn located_in_bundle(dir: &std::path::Path, diags: &mut [Diagnostic]) {
    for d in diags {
        let file = d.path.split(": ").next().unwrap_or_default();
        if d.location.is_none() && !file.is_empty() && dir.join(file).is_file() {
            d.location =
                Some(monstack::diag::Location { file: dir.join(file).display().to_string(), line: 1, column: 1 });
        }
    }
}

/// `monstack web-config`: the component's web configuration at `dir`, with its secrets, written
/// to `out` (and its gossip TLS to `cluster_tls_out`), or nothing when a secret is missing.
fn web_config(
    dir: &std::path::Path,
    out: &std::path::Path,
    credentials: Option<&std::path::Path>,
    cluster_tls_out: Option<PathBuf>,
) -> ExitCode {
    use monstack::host;
    let write = |path: &std::path::Path, text: String| {
        monstack::bundle::replace_file(path, text.as_bytes(), 0o600).map_err(|e| format!("{}: {e}", path.display()))
    };
    // Both files are assembled before either is written.
    let cluster = cluster_tls_out.map(|path| (host::assemble_cluster_tls(dir, credentials), path));
    let assembled = host::assemble(dir, credentials).and_then(|text| {
        let cluster = match cluster {
            Some((text, path)) => Some((text?, path)),
            None => None,
        };
        write(out, text)?;
        cluster.map_or(Ok(()), |(text, path)| write(&path, text))
    });
    match assembled {
        Ok(()) => {
            say!("assembled {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            say!("error: web-config: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `monstack init`: the starter (or `minimal`) spec written to `file`, or to standard output.
fn init(file: &str, minimal: bool, force: bool) -> ExitCode {
    // The examples the tests render and check, as they are in the repository.
    let text =
        if minimal { include_str!("../examples/minimal.yaml") } else { include_str!("../examples/starter.yaml") };
    if file == "-" {
        emit(text);
        return ExitCode::SUCCESS;
    }
    let path = std::path::Path::new(file);
    if path.exists() && !force {
        say!("error: {file} exists; choose another file, or pass --force to replace it");
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::write(path, text) {
        say!("error: cannot write {file}: {e}");
        return ExitCode::FAILURE;
    }
    say!(
        "wrote {file}; next:\n  monstack schema > spec.schema.json   # editors complete and check {file} with it (its first line)\n  monstack render {file} --out bundle\n  monstack check bundle"
    );
    ExitCode::SUCCESS
}

/// `monstack completions`: the completion script for `shell`.
fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "monstack", &mut script);
    emit(&String::from_utf8_lossy(&script));
    ExitCode::SUCCESS
}

/// `monstack man`: the main manual page on standard output, or with `out` every page in it.
fn man(out: Option<PathBuf>) -> ExitCode {
    let command = <Cli as clap::CommandFactory>::command();
    let page = |command: clap::Command| {
        let mut page = Vec::new();
        clap_mangen::Man::new(command).render(&mut page).map(|()| page)
    };
    // The main page and, with --out, one per subcommand it lists (`monstack-render(1)`).
    let written = match &out {
        Some(dir) => std::fs::create_dir_all(dir).and_then(|()| {
            let pages = std::iter::once(("monstack".to_string(), command.clone())).chain(
                command.get_subcommands().map(|sub| {
                    let name = format!("monstack-{}", sub.get_name());
                    (name.clone(), sub.clone().name(name))
                }),
            );
            pages
                .into_iter()
                .try_for_each(|(name, command)| std::fs::write(dir.join(format!("{name}.1")), page(command)?))
        }),
        None => page(command).map(|page| emit(&String::from_utf8_lossy(&page))),
    };
    match (written, out) {
        (Ok(()), Some(dir)) => {
            say!("wrote the manual pages to {}", dir.display());
            ExitCode::SUCCESS
        }
        (Ok(()), None) => ExitCode::SUCCESS,
        (Err(e), _) => {
            say!("error: man: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `monstack schema`: the spec's JSON Schema.
fn schema() -> ExitCode {
    let schema = schemars::schema_for!(monstack::spec::Spec);
    out!("{}", serde_json::to_string_pretty(&schema).expect("schema serialises"));
    ExitCode::SUCCESS
}

/// `monstack nix-builder`: the bundle and its component outputs, built from the derivation's
/// environment.
fn nix_builder() -> ExitCode {
    match monstack::nix::builder::run(|k| std::env::var(k).ok()) {
        Ok((paths, warnings)) => {
            for w in warnings {
                say!("{w}");
            }
            for p in paths {
                say!("monstack: wrote {p}");
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            say!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// `monstack codes`: every diagnostic code with its meaning.
fn list_codes() -> ExitCode {
    for c in monstack::diag::Code::ALL {
        out!("{:<28} {}", c.as_str(), c.description());
    }
    ExitCode::SUCCESS
}

/// `monstack codes NAME`: the code's meaning and documentation, or a guess at the code meant.
fn explain_code(name: &str) -> ExitCode {
    match monstack::diag::Code::ALL.iter().find(|c| c.as_str() == name) {
        Some(c) => {
            out!("{}: {}", c.as_str(), c.description());
            if let Some(doc) = monstack::lint::documentation(*c) {
                out!("\n{doc}");
            }
            ExitCode::SUCCESS
        }
        None => {
            let names = monstack::diag::Code::ALL.iter().map(|c| c.as_str());
            let guess = monstack::diag::did_you_mean(name, names).map(|g| format!(" {g}")).unwrap_or_default();
            say!("error: no diagnostic code `{name}`;{guess} `monstack codes` lists them all");
            ExitCode::from(2)
        }
    }
}

/// The spec's bytes; one over the size limit is reported as its diagnostic, unread.
fn read_spec(spec: &str, format: Report) -> Result<Vec<u8>, ExitCode> {
    monstack::spec::load::read(spec).map_err(|e| match e {
        monstack::spec::load::ReadError::Io(message) => failure(format, message),
        monstack::spec::load::ReadError::TooLarge(diags) => report(format, &diags, None),
    })
}

/// A failure that is not a diagnostic of the input (a file that cannot be read or written).
fn failure(format: Report, message: String) -> ExitCode {
    say!("error: {message}");
    if format == Report::Json {
        out!("{}", serde_json::json!({ "ok": false, "error": message, "diagnostics": [] }));
    }
    ExitCode::FAILURE
}

/// A successful build's warnings and catalogue summary, reported in `format`: the summary on
/// standard error (a line per job), or in the JSON document as `catalogue`. Exit 0: warnings
/// never fail a command.
fn noted(format: Report, notes: monstack::Notes) -> ExitCode {
    if format != Report::Json {
        use std::io::Write as _;
        let _ = std::io::stderr().write_all(notes.switched.text().as_bytes());
    }
    report(format, &notes.warnings, Some(serde_json::json!({ "catalogue": notes.switched.to_json() })))
}

/// Writes `diags` in `format` and returns the exit code: 1 with any error, else 0 (warnings do
/// not count). `extra` fields join the JSON document.
fn report(format: Report, diags: &[Diagnostic], extra: Option<serde_json::Value>) -> ExitCode {
    print_diagnostics(diags);
    let failed = diags.iter().any(Diagnostic::is_error);
    match format {
        Report::Text => {}
        Report::Json => {
            let mut doc = serde_json::json!({
                "ok": !failed,
                "diagnostics": diags.iter().map(monstack::diag::Diagnostic::to_json).collect::<Vec<_>>(),
            });
            if let (Some(serde_json::Value::Object(extra)), Some(map)) = (extra, doc.as_object_mut()) {
                map.extend(extra);
            }
            out!("{doc}");
        }
        Report::Github => {
            for d in diags {
                out!("{}", d.github_annotation());
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Leaves a bundle to the operating system: the process exits next, and freeing a fleet's ten
/// thousand files one by one would only cost time.
fn exiting(bundle: monstack::bundle::Bundle) {
    std::mem::forget(bundle);
}

fn build(
    spec: &str,
    bytes: &[u8],
    options: &monstack::BuildOptions,
    format: Report,
) -> Result<(monstack::bundle::Bundle, monstack::Notes), ExitCode> {
    monstack::build_noted(spec, bytes, options).map_err(|diags| report(format, &diags, None))
}

fn diff(old: &std::path::Path, new: &std::path::Path, format: Format) -> ExitCode {
    use monstack::diff::{self, LoadError};
    use std::io::IsTerminal;
    let load = |path: &std::path::Path| {
        diff::load(path).map_err(|e| {
            match e {
                LoadError::Read(message) => say!("error: {message}"),
                LoadError::Invalid(diags) => {
                    for d in &diags {
                        say!("{d}");
                    }
                    say!("{} problem(s) in {}; nothing was compared", diags.len(), path.display());
                }
            }
            ExitCode::from(2)
        })
    };
    let (old, new) = match (load(old), load(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let report = diff::compare(&old, &new);
    match format {
        Format::Markdown => emit(&report.markdown()),
        Format::Terminal => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            emit(&report.terminal(colour));
        }
    }
    if report.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        say!("{d}");
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if let Some(first) = diags.first() {
        let env = &first.env;
        match (errors, warnings) {
            (0, w) => say!("{w} warning(s) in env {env}"),
            (e, 0) => say!("{e} problem(s) in env {env}; nothing was written"),
            (e, w) => say!("{e} problem(s) and {w} warning(s) in env {env}; nothing was written"),
        }
    }
}
