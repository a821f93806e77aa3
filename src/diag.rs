//! Diagnostics: every problem found in a spec, with a stable code, the environment, the option
//! path, a message and a hint. Validation collects all of them before failing.

use std::fmt;

/// Stable diagnostic codes. The string form (`area/what`) is part of the CLI's contract: fixtures
/// and users' scripts match on it, so a code is never renamed once published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    SpecEncoding,
    SpecSyntax,
    SpecTooLarge,
    SpecTooDeep,
    SpecType,
    SpecUnknownField,
    SpecMissingField,
    NameInvalid,
    NameDuplicate,
    DurationInvalid,
    DurationOrder,
    LabelInvalid,
    VersionInvalid,
    VersionUnsupported,
    SecretLiteral,
    SecretRendered,
    RefUnknownReceiver,
    RefUnknownTeam,
    RefUnknownDatasource,
    MatcherInvalid,
    RegexInvalid,
    PromqlInvalid,
    RuleShape,
    AddressInvalid,
    UrlInvalid,
    PathInvalid,
    EnvVarInvalid,
    ValueOutOfRange,
    ReceiverEmpty,
    DatasourceDefault,
    LogqlInvalid,
    RefUnknownJob,
    BundleManifest,
    BundleIntegrity,
    BundleParse,
    BundleStale,
    ExternalCheck,
    RuleUntested,
    RefUnknownAlert,
    LintComparison,
    LintFor,
    LintTemplate,
    LintVectorMatching,
    LintRegexp,
    LintName,
    LintLabel,
    LintCardinality,
    LintDuplicate,
    RouteExpectation,
    RouteUnrouted,
    RouteDuplicate,
    ReceiverUnused,
    InhibitNoSource,
    RefUnknownTimeInterval,
    DashboardInvalid,
    DashboardUnknownMetric,
    RefUnknownLogClass,
    AccessInsecure,
    AccessClient,
    CapacityUnknownTargets,
    RefUnlistedAlertmanager,
    ScrapeRenamedLabel,
    RuleBeyondRetention,
    InhibitNoTarget,
    CatalogueNoGroup,
}

impl Code {
    /// Every code, in declaration order (used to document and to test uniqueness).
    pub const ALL: &'static [Code] = &[
        Code::SpecEncoding,
        Code::SpecSyntax,
        Code::SpecTooLarge,
        Code::SpecTooDeep,
        Code::SpecType,
        Code::SpecUnknownField,
        Code::SpecMissingField,
        Code::NameInvalid,
        Code::NameDuplicate,
        Code::DurationInvalid,
        Code::DurationOrder,
        Code::LabelInvalid,
        Code::VersionInvalid,
        Code::VersionUnsupported,
        Code::SecretLiteral,
        Code::SecretRendered,
        Code::RefUnknownReceiver,
        Code::RefUnknownTeam,
        Code::RefUnknownDatasource,
        Code::MatcherInvalid,
        Code::RegexInvalid,
        Code::PromqlInvalid,
        Code::RuleShape,
        Code::AddressInvalid,
        Code::UrlInvalid,
        Code::PathInvalid,
        Code::EnvVarInvalid,
        Code::ValueOutOfRange,
        Code::ReceiverEmpty,
        Code::DatasourceDefault,
        Code::LogqlInvalid,
        Code::RefUnknownJob,
        Code::BundleManifest,
        Code::BundleIntegrity,
        Code::BundleParse,
        Code::BundleStale,
        Code::ExternalCheck,
        Code::RuleUntested,
        Code::RefUnknownAlert,
        Code::LintComparison,
        Code::LintFor,
        Code::LintTemplate,
        Code::LintVectorMatching,
        Code::LintRegexp,
        Code::LintName,
        Code::LintLabel,
        Code::LintCardinality,
        Code::LintDuplicate,
        Code::RouteExpectation,
        Code::RouteUnrouted,
        Code::RouteDuplicate,
        Code::ReceiverUnused,
        Code::InhibitNoSource,
        Code::RefUnknownTimeInterval,
        Code::DashboardInvalid,
        Code::DashboardUnknownMetric,
        Code::RefUnknownLogClass,
        Code::AccessInsecure,
        Code::AccessClient,
        Code::CapacityUnknownTargets,
        Code::RefUnlistedAlertmanager,
        Code::ScrapeRenamedLabel,
        Code::RuleBeyondRetention,
        Code::InhibitNoTarget,
        Code::CatalogueNoGroup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::SpecEncoding => "spec/encoding",
            Code::SpecSyntax => "spec/syntax",
            Code::SpecTooLarge => "spec/too-large",
            Code::SpecTooDeep => "spec/too-deep",
            Code::SpecType => "spec/type",
            Code::SpecUnknownField => "spec/unknown-field",
            Code::SpecMissingField => "spec/missing-field",
            Code::NameInvalid => "name/invalid",
            Code::NameDuplicate => "name/duplicate",
            Code::DurationInvalid => "duration/invalid",
            Code::DurationOrder => "duration/order",
            Code::LabelInvalid => "label/invalid",
            Code::VersionInvalid => "version/invalid",
            Code::VersionUnsupported => "version/unsupported",
            Code::SecretLiteral => "secret/literal",
            Code::SecretRendered => "secret/rendered",
            Code::RefUnknownReceiver => "ref/unknown-receiver",
            Code::RefUnknownTeam => "ref/unknown-team",
            Code::RefUnknownDatasource => "ref/unknown-datasource",
            Code::MatcherInvalid => "matcher/invalid",
            Code::RegexInvalid => "regex/invalid",
            Code::PromqlInvalid => "promql/syntax",
            Code::RuleShape => "rule/shape",
            Code::AddressInvalid => "address/invalid",
            Code::UrlInvalid => "url/invalid",
            Code::PathInvalid => "path/invalid",
            Code::EnvVarInvalid => "env-var/invalid",
            Code::ValueOutOfRange => "value/out-of-range",
            Code::ReceiverEmpty => "receiver/empty",
            Code::DatasourceDefault => "datasource/default",
            Code::LogqlInvalid => "logql/syntax",
            Code::RefUnknownJob => "ref/unknown-job",
            Code::BundleManifest => "bundle/manifest",
            Code::BundleIntegrity => "bundle/integrity",
            Code::BundleParse => "bundle/parse",
            Code::BundleStale => "bundle/stale",
            Code::ExternalCheck => "bundle/external-check",
            Code::RuleUntested => "rule/untested",
            Code::RefUnknownAlert => "ref/unknown-alert",
            Code::LintComparison => "alerts/comparison",
            Code::LintFor => "alerts/for",
            Code::LintTemplate => "alerts/template",
            Code::LintVectorMatching => "promql/vector-matching",
            Code::LintRegexp => "promql/regexp",
            Code::LintName => "rule/name",
            Code::LintLabel => "rule/label",
            Code::LintCardinality => "labels/cardinality",
            Code::LintDuplicate => "rule/duplicate",
            Code::RouteExpectation => "route/expectation",
            Code::RouteUnrouted => "route/unrouted",
            Code::RouteDuplicate => "route/duplicate",
            Code::ReceiverUnused => "receiver/unused",
            Code::InhibitNoSource => "inhibit/no-source",
            Code::RefUnknownTimeInterval => "ref/unknown-time-interval",
            Code::DashboardInvalid => "dashboard/invalid",
            Code::DashboardUnknownMetric => "dashboard/unknown-metric",
            Code::RefUnknownLogClass => "ref/unknown-log-class",
            Code::AccessInsecure => "access/insecure",
            Code::AccessClient => "access/client",
            Code::CapacityUnknownTargets => "capacity/unknown-targets",
            Code::RefUnlistedAlertmanager => "ref/unlisted-alertmanager",
            Code::ScrapeRenamedLabel => "scrape/renamed-label",
            Code::RuleBeyondRetention => "rule/beyond-retention",
            Code::InhibitNoTarget => "inhibit/no-target",
            Code::CatalogueNoGroup => "catalogue/no-group",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Code::SpecEncoding => "The spec file is not UTF-8 text.",
            Code::SpecSyntax => "The spec is not well-formed JSON or YAML.",
            Code::SpecTooLarge => "The spec file is larger than the loader accepts.",
            Code::SpecTooDeep => "The spec nests deeper than any valid spec can.",
            Code::SpecType => "A value has the wrong type or is not one of the allowed values.",
            Code::SpecUnknownField => "A key the spec does not define (often a typo).",
            Code::SpecMissingField => "A required key is absent.",
            Code::NameInvalid => "A name has characters the target tool or a file name cannot take.",
            Code::NameDuplicate => "Two items that must have distinct names share one.",
            Code::DurationInvalid => "Not a Prometheus duration such as 30s, 5m, 1h30m or 14d.",
            Code::DurationOrder => "Durations that must be ordered (e.g. scrape timeout <= interval) are not.",
            Code::LabelInvalid => "A label name or value that Prometheus, Alertmanager or Loki rejects.",
            Code::VersionInvalid => "A tool version that is not MAJOR.MINOR[.PATCH].",
            Code::VersionUnsupported => "A tool version below what monstack renders for, or a combination it rejects.",
            Code::SecretLiteral => "A secret value where a file or environment-variable reference belongs.",
            Code::SecretRendered => {
                "A rendered file holds what looks like a secret: the render writes nothing, `check` rejects the bundle."
            }
            Code::RefUnknownReceiver => "A reference to an Alertmanager receiver that is not declared.",
            Code::RefUnknownTeam => "A reference to a team that is not declared.",
            Code::RefUnknownDatasource => "A reference to a Grafana datasource that is not declared.",
            Code::MatcherInvalid => "An Alertmanager matcher that does not parse.",
            Code::RegexInvalid => "A regular expression that does not compile (RE2 syntax).",
            Code::PromqlInvalid => "A PromQL expression that does not parse.",
            Code::RuleShape => {
                "A rule that is neither one alert nor one recording rule, or has fields its kind does not take."
            }
            Code::AddressInvalid => "Not a host:port address.",
            Code::UrlInvalid => "Not an absolute http(s) URL.",
            Code::PathInvalid => "A path that must be absolute, or a file name with unsafe characters.",
            Code::EnvVarInvalid => "Not an environment-variable name ([A-Z_][A-Z0-9_]*).",
            Code::ValueOutOfRange => "A number outside its allowed range, or an empty list that must have items.",
            Code::ReceiverEmpty => "A receiver with no integration would silently drop every alert routed to it.",
            Code::DatasourceDefault => "Grafana needs exactly one default datasource per organisation.",
            Code::LogqlInvalid => "A LogQL stream selector that does not parse.",
            Code::RefUnknownJob => "A reference to a scrape job that is not declared.",
            Code::BundleManifest => "A bundle without a readable manifest.json.",
            Code::BundleIntegrity => "A bundle file that is missing, extra, or differs from its manifest entry.",
            Code::BundleParse => "A bundle file that does not parse as its format (YAML, JSON, PromQL).",
            Code::BundleStale => "A bundle that this monstack would render differently from its own spec.json.",
            Code::ExternalCheck => "An external validator (promtool, amtool, loki, promtail) rejected a bundle file.",
            Code::RuleUntested => {
                "An alerting rule without a unit test in which it fires and one in which it stays silent."
            }
            Code::RefUnknownAlert => "An override names an alert the catalogue does not generate.",
            Code::LintComparison => "An alert expression without a comparison fires whenever its series exist.",
            Code::LintFor => "An absent() alert whose `for` is too short to ride out a missed scrape.",
            Code::LintTemplate => "A template that uses a label the expression drops (it renders empty).",
            Code::LintVectorMatching => "A binary operation whose sides can never match.",
            Code::LintRegexp => "A regex matcher that is anchored, matches everything, or needs no regex.",
            Code::LintName => "A rule name against convention (level:metric:operations, UpperCamelCase).",
            Code::LintLabel => "An alert without a valid severity or without summary, description or runbook_url.",
            Code::LintCardinality => "A label or grouping with unbounded values.",
            Code::LintDuplicate => "Two rules that produce the same alert or series.",
            Code::RouteExpectation => "A routing expectation the route tree does not meet.",
            Code::RouteUnrouted => "An alert that matches no child route and is not declared unrouted.",
            Code::RouteDuplicate => {
                "An alert that reaches the same receiver through two routes, so every notification twice."
            }
            Code::ReceiverUnused => "A receiver no route or team reaches.",
            Code::InhibitNoSource => "An inhibition whose source no alert can satisfy.",
            Code::RefUnknownTimeInterval => "A route names a time interval that is not declared.",
            Code::DashboardInvalid => {
                "A dashboard Grafana would reject or show wrongly: ids, layout, variables, units, queries."
            }
            Code::DashboardUnknownMetric => {
                "A dashboard queries a metric no declared scrape job exposes and no recording rule records."
            }
            Code::RefUnknownLogClass => "A retention class that no log source ships, so it would keep nothing.",
            Code::AccessInsecure => {
                "A production environment exposes a UI or API without TLS and authentication, and no authenticating proxy."
            }
            Code::AccessClient => {
                "A component requires credentials (basic auth, client certificate) that the stack's clients are not given."
            }
            Code::CapacityUnknownTargets => {
                "A discovery-based scrape job without `expected_targets` where `prometheus.capacity` needs its series."
            }
            Code::RefUnlistedAlertmanager => "An Alertmanager cluster member that Prometheus does not send alerts to.",
            Code::InhibitNoTarget => {
                "An inhibition no alert can be the target of while a possible source fires (given its `equal` labels)."
            }
            Code::RuleBeyondRetention => {
                "A rule (or an SLO's window) that reads further back than Prometheus' local retention keeps."
            }
            Code::ScrapeRenamedLabel => {
                "A scrape job whose target labels rename an exporter's own label (exported_<name>) that alerts and dashboards read or join on."
            }
            Code::CatalogueNoGroup => {
                "A warning: a scrape job that switches on no catalogue group (no generated alert, recording rule or dashboard reads it beyond TargetDown), often because its `exporter` is not declared."
            }
        }
    }
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
