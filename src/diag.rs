//! Diagnostics: every problem found in a spec, with a stable code, the environment, the option
//! path, a message and a hint. Validation collects all of them before failing.

use std::fmt;

/// Declares [`Code`] from one table: each code's variant, its stable string and its one-line
/// description, from which the enum, [`Code::ALL`], [`Code::as_str`], [`Code::description`]
/// and `monstack codes` all come.
macro_rules! codes {
    ($($variant:ident = $code:literal: $description:literal,)*) => {
        /// Stable diagnostic codes. The string form (`area/what`) is part of the CLI's contract:
        /// fixtures and users' scripts match on it, so a code is never renamed once published.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the table's order (used to document and to test uniqueness).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }
        }
    };
}

codes! {
    SpecEncoding = "spec/encoding":
        "The spec file is not UTF-8 text.",
    SpecSyntax = "spec/syntax":
        "The spec is not well-formed JSON or YAML.",
    SpecTooLarge = "spec/too-large":
        "The spec is larger than the loader accepts: over 8 MiB, over 500,000 values, or aliases that expand too far.",
    SpecTooDeep = "spec/too-deep":
        "The spec nests deeper than any valid spec can.",
    SpecType = "spec/type":
        "A value has the wrong type or is not one of the allowed values.",
    SpecUnknownField = "spec/unknown-field":
        "A key the spec does not define (often a typo).",
    SpecMissingField = "spec/missing-field":
        "A required key is absent.",
    NameInvalid = "name/invalid":
        "A name has characters the target tool or a file name cannot take.",
    NameDuplicate = "name/duplicate":
        "Two items that must have distinct names share one.",
    DurationInvalid = "duration/invalid":
        "Not a Prometheus duration such as 30s, 5m, 1h30m or 14d.",
    DurationOrder = "duration/order":
        "Durations that must be ordered (e.g. scrape timeout <= interval) are not.",
    LabelInvalid = "label/invalid":
        "A label name or value that Prometheus, Alertmanager or Loki rejects.",
    VersionInvalid = "version/invalid":
        "A tool version that is not MAJOR.MINOR[.PATCH].",
    VersionUnsupported = "version/unsupported":
        "A tool version below what monstack renders for, or a combination it rejects.",
    SecretLiteral = "secret/literal":
        "A secret value where a file or environment-variable reference belongs.",
    SecretRendered = "secret/rendered":
        "A rendered file holds what looks like a secret: the render writes nothing, `check` rejects the bundle.",
    RefUnknownReceiver = "ref/unknown-receiver":
        "A reference to an Alertmanager receiver that is not declared.",
    RefUnknownTeam = "ref/unknown-team":
        "A reference to a team that is not declared.",
    RefUnknownDatasource = "ref/unknown-datasource":
        "A reference to a Grafana datasource that is not declared.",
    MatcherInvalid = "matcher/invalid":
        "An Alertmanager matcher that does not parse.",
    RegexInvalid = "regex/invalid":
        "A regular expression that does not compile (RE2 syntax).",
    PromqlInvalid = "promql/syntax":
        "A PromQL expression that does not parse.",
    RuleShape = "rule/shape":
        "A rule that is neither one alert nor one recording rule, or has fields its kind does not take.",
    OptionCombination = "option/combination":
        "Options that go together are not all set, or options that exclude each other are both set.",
    AddressInvalid = "address/invalid":
        "Not a host:port address.",
    UrlInvalid = "url/invalid":
        "Not an absolute http(s) URL.",
    PathInvalid = "path/invalid":
        "A path that must be absolute, or a file name with unsafe characters.",
    EnvVarInvalid = "env-var/invalid":
        "Not an environment-variable name ([A-Z_][A-Z0-9_]*).",
    ValueOutOfRange = "value/out-of-range":
        "A number outside its allowed range, or an empty list that must have items.",
    ReceiverEmpty = "receiver/empty":
        "A receiver with no integration would silently drop every alert routed to it.",
    DatasourceDefault = "datasource/default":
        "Grafana needs exactly one default datasource per organisation.",
    LogqlInvalid = "logql/syntax":
        "A LogQL stream selector that does not parse.",
    RefUnknownJob = "ref/unknown-job":
        "A reference to a scrape job that is not declared.",
    BundleManifest = "bundle/manifest":
        "A bundle without a readable manifest.json.",
    BundleIntegrity = "bundle/integrity":
        "A bundle file that is missing, extra, or differs from its manifest entry.",
    BundleParse = "bundle/parse":
        "A bundle file that does not parse as its format (YAML, JSON, PromQL).",
    BundleStale = "bundle/stale":
        "A bundle that this monstack would render differently from its own spec.json.",
    ExternalCheck = "bundle/external-check":
        "An external validator (promtool, amtool, loki, promtail) rejected a bundle file.",
    RuleUntested = "rule/untested":
        "An alerting rule without a unit test in which it fires and one in which it stays silent.",
    RefUnknownAlert = "ref/unknown-alert":
        "An override names an alert the catalogue does not generate.",
    LintComparison = "alerts/comparison":
        "An alert expression without a comparison fires whenever its series exist.",
    LintFor = "alerts/for":
        "An absent() alert whose `for` is too short to ride out a missed scrape.",
    LintTemplate = "alerts/template":
        "A template that uses a label the expression drops (it renders empty).",
    LintVectorMatching = "promql/vector-matching":
        "A binary operation whose sides can never match.",
    LintRegexp = "promql/regexp":
        "A regex matcher that is anchored, matches everything, or needs no regex.",
    LintName = "rule/name":
        "A rule name against convention (level:metric:operations, UpperCamelCase).",
    LintLabel = "rule/label":
        "An alert without a valid severity or without summary, description or runbook_url.",
    LintCardinality = "labels/cardinality":
        "A label or grouping with unbounded values.",
    LintDuplicate = "rule/duplicate":
        "Two rules that produce the same alert or series.",
    RouteExpectation = "route/expectation":
        "A routing expectation the route tree does not meet.",
    RouteUnrouted = "route/unrouted":
        "An alert that matches no child route and is not declared unrouted.",
    RouteDuplicate = "route/duplicate":
        "An alert that reaches the same receiver through two routes, so every notification twice.",
    ReceiverUnused = "receiver/unused":
        "A receiver no route or team reaches.",
    InhibitNoSource = "inhibit/no-source":
        "An inhibition whose source no alert can satisfy.",
    RefUnknownTimeInterval = "ref/unknown-time-interval":
        "A route names a time interval that is not declared.",
    DashboardInvalid = "dashboard/invalid":
        "A dashboard Grafana would reject or show wrongly: ids, layout, variables, units, queries.",
    DashboardUnknownMetric = "dashboard/unknown-metric":
        "A dashboard queries a metric no declared scrape job exposes and no recording rule records.",
    RefUnknownLogClass = "ref/unknown-log-class":
        "A retention class that no log source ships, so it would keep nothing.",
    AccessInsecure = "access/insecure":
        "A production environment exposes a UI or API without TLS and authentication, and no authenticating proxy.",
    AccessClient = "access/client":
        "A component requires credentials (basic auth, client certificate) that the stack's clients are not given.",
    AccessPlaintextCredentials = "access/plaintext-credentials":
        "A credential (password, token, S3 key, tenant, client secret) would cross the network without verified TLS, and no `plaintext_credentials` reason accepts it.",
    CapacityUnknownTargets = "capacity/unknown-targets":
        "A discovery-based scrape job without `expected_targets` where `prometheus.capacity` needs its series.",
    RefUnlistedAlertmanager = "ref/unlisted-alertmanager":
        "An Alertmanager cluster member that Prometheus does not send alerts to.",
    ScrapeRenamedLabel = "scrape/renamed-label":
        "A scrape job whose target labels rename an exporter's own label (exported_<name>) that alerts and dashboards read or join on.",
    RuleBeyondRetention = "rule/beyond-retention":
        "A rule (or an SLO's window) that reads further back than Prometheus' local retention keeps.",
    InhibitNoTarget = "inhibit/no-target":
        "An inhibition no alert can be the target of while a possible source fires (given its `equal` labels).",
    MetaTopology = "meta/topology":
        "Meta-monitoring that misses part of the stack's topology (a Prometheus server, a Loki target, a log shipper, Grafana, the certificate prober) or names a part it does not run.",
    CatalogueNoGroup = "catalogue/no-group":
        "A warning: a scrape job that switches on no catalogue group (no generated alert, recording rule or dashboard, and none of the spec's own rules or SLOs, reads it beyond TargetDown), often because its `exporter` is not declared.",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a finding is. Errors fail `validate`, `render` and `check` (exit 1, nothing
/// written); warnings are reported the same ways but never change the exit code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem, located by environment and option path (and, when it is known, by line and
/// column of the file it came from).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub env: String,
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
    pub location: Option<Location>,
}

/// Where in a file a diagnostic's option is: 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "(document)" } else { &self.path };
        write!(f, "{}[{}]: env {}: {}: {}", self.severity, self.code, self.env, path, self.message)?;
        if let Some(at) = &self.location {
            write!(f, "\n  --> {at}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The hint for a reference to an undeclared name: the likely typo first, then what is declared
/// (`did you mean \`default-receiver\`? declared receivers are default-receiver, …`).
pub fn unknown_name_hint(given: &str, declared: &str, known: &[&str]) -> String {
    let list = format!("declared {declared} are {}", known.join(", "));
    match did_you_mean(given, known.iter().copied()) {
        Some(guess) => format!("{guess} {list}"),
        None => list,
    }
}

/// " — did you mean `x`?" for the candidate closest to `given`, when one is close enough to be
/// a likely typo (Jaro-Winkler similarity of at least 0.8), else nothing.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .filter(|c| *c != given)
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Collects diagnostics for one environment.
#[derive(Debug)]
pub struct Diagnostics {
    env: String,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new(env: impl Into<String>) -> Self {
        Diagnostics { env: env.into(), items: Vec::new() }
    }

    pub fn env(&self) -> &str {
        &self.env
    }

    pub fn set_env(&mut self, env: impl Into<String>) {
        self.env = env.into();
        for d in &mut self.items {
            d.env.clone_from(&self.env);
        }
    }

    pub fn error(&mut self, code: Code, path: impl Into<String>, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Error, code, path.into(), message.into())
    }

    /// A finding that is not an error: reported, but never fails a command.
    pub fn warning(&mut self, code: Code, path: impl Into<String>, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Warning, code, path.into(), message.into())
    }

    fn push(&mut self, severity: Severity, code: Code, path: String, message: String) -> &mut Diagnostic {
        self.items.push(Diagnostic {
            code,
            severity,
            env: self.env.clone(),
            path,
            message,
            hint: None,
            location: None,
        });
        self.items.last_mut().expect("just pushed")
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Takes in what a check running alongside found (see [`crate::validate::cx::Cx::fork`]).
    pub fn absorb(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The diagnostics in a stable order (by path, then code), so output does not depend on the
    /// order checks ran in.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| (&a.path, a.code, &a.message).cmp(&(&b.path, b.code, &b.message)));
        self.items.dedup();
        self.items
    }
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn hint(&mut self, hint: impl Into<String>) -> &mut Self {
        self.hint = Some(hint.into());
        self
    }

    /// The diagnostic for tools (`--format json`): every field, `file`/`line`/`column` null
    /// where unknown.
    pub fn to_json(&self) -> serde_json::Value {
        let at = self.location.as_ref();
        serde_json::json!({
            "code": self.code.as_str(),
            "severity": self.severity.as_str(),
            "env": self.env,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
            "file": at.map(|l| &l.file),
            "line": at.map(|l| l.line),
            "column": at.map(|l| l.column),
        })
    }

    /// A GitHub Actions workflow command that annotates the diagnostic's line: `::error` or
    /// `::warning` by severity
    /// (<https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message>,
    /// `#setting-a-warning-message` takes the same parameters).
    pub fn github_annotation(&self) -> String {
        // Workflow commands end at a newline; a property also at `:` and `,`.
        let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
        let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
        let mut properties = vec![format!("title={}", property(&format!("monstack {}", self.code)))];
        if let Some(at) = &self.location {
            properties.push(format!("file={}", property(&at.file)));
            properties.push(format!("line={}", at.line));
            properties.push(format!("col={}", at.column));
        }
        let path = if self.path.is_empty() { "(document)" } else { &self.path };
        let mut message = format!("env {}: {path}: {}", self.env, self.message);
        if let Some(hint) = &self.hint {
            message.push_str(&format!("\nhint: {hint}"));
        }
        format!("::{} {}::{}", self.severity, properties.join(","), data(&message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_and_documented() {
        let strs: BTreeSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(strs.len(), Code::ALL.len(), "duplicate code strings");
        for c in Code::ALL {
            assert!(c.as_str().contains('/'), "{c} is not area/what");
            assert!(c.description().ends_with('.'), "{c} lacks a description sentence");
        }
    }

    #[test]
    fn a_warning_says_so_in_every_format() {
        let mut d = Diagnostics::new("dev");
        d.warning(Code::CatalogueNoGroup, "scrape_jobs[0]", "job \"node\" switches on no catalogue group")
            .hint("declare its exporter");
        let w = &d.into_sorted()[0];
        assert!(!w.is_error());
        assert!(w.to_string().starts_with("warning[catalogue/no-group]: env dev: scrape_jobs[0]: "), "{w}");
        assert_eq!(w.to_json()["severity"], "warning");
        assert!(
            w.github_annotation().starts_with("::warning title=monstack catalogue/no-group::"),
            "{}",
            w.github_annotation()
        );
        let mut e = Diagnostics::new("dev");
        e.error(Code::ValueOutOfRange, "x", "y");
        let e = &e.into_sorted()[0];
        assert!(e.is_error());
        assert_eq!(e.to_json()["severity"], "error");
        assert!(e.github_annotation().starts_with("::error "));
    }

    #[test]
    fn display_names_env_path_and_hint() {
        let mut d = Diagnostics::new("prod");
        d.error(Code::RefUnknownReceiver, "alertmanager.route.receiver", "no receiver \"x\"").hint("declared: a, b");
        let text = d.into_sorted()[0].to_string();
        assert_eq!(
            text,
            "error[ref/unknown-receiver]: env prod: alertmanager.route.receiver: no receiver \"x\"\n  hint: declared: a, b"
        );
    }
}
