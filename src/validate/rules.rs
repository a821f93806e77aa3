//! Rule files, groups and rules; AI model thresholds.

use super::cx::Cx;
use super::prometheus::team_ref;
use crate::diag::Code;
use crate::lint::analysis::{JobsRead, NamesRead};
use crate::spec::Spec;
use crate::spec::path::OptionPath;
use crate::spec::rules::{Rule, RuleFile};
use crate::syntax::names;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// A rule file's problems, its group names (with their paths) and what its rules read.
type FileChecked<'a> = (Cx, Vec<(OptionPath, &'a str)>, NamesRead, JobsRead);

/// Returns what each rule expression reads by name (see [`crate::validate::Model::reads`]) and
/// the jobs the rules select ([`crate::validate::Model::jobs_read`]).
pub fn check(spec: &Spec, cx: &mut Cx) -> (NamesRead, JobsRead) {
    if let Some(u) = &spec.rules.runbook_base_url {
        cx.url(&OptionPath::root("rules.runbook_base_url"), u);
    }
    let min = spec.rules.ratio_min_rate;
    if !(min.is_finite() && min >= 0.0) {
        cx.error(Code::ValueOutOfRange, "rules.ratio_min_rate", format!("{min} is not a rate of events per second"))
            .hint("a number of events per second, e.g. 0.1 (30 in 5 minutes); 0 guards only against no traffic");
    }
    let (reads, jobs) = check_files(spec, cx);
    check_overrides(spec, cx);
    duplicates(spec, cx);
    check_ai_models(spec, cx);
    (reads, jobs)
}

/// The rule files, each on its own core, then the names that must be unique across them;
/// returns what the rules read, as [`check`] does.
fn check_files(spec: &Spec, cx: &mut Cx) -> (NamesRead, JobsRead) {
    let lint_cx = crate::lint::Context {
        scrape_interval_ms: spec.prometheus.scrape_interval.millis(),
        runbook_base_url: spec.rules.runbook_base_url.is_some(),
    };
    let retention = Some(&spec.prometheus.storage.retention_time);
    let files = OptionPath::root("rules.files");
    // Files are checked on every core (each parses and lints its rules' PromQL).
    let checked: Vec<FileChecked> = spec
        .rules
        .files
        .par_iter()
        .enumerate()
        .map(|(fi, file)| check_file(cx.fork(), &files.index(fi), file, &lint_cx, retention))
        .collect();
    let mut groups = Vec::new();
    let mut reads = NamesRead::new();
    let mut jobs = JobsRead::default();
    for (fcx, file_groups, file_reads, file_jobs) in checked {
        cx.join(fcx);
        groups.extend(file_groups);
        reads.extend(file_reads);
        jobs.extend(file_jobs);
    }
    cx.unique(
        "rule file",
        spec.rules.files.iter().enumerate().map(|(i, f)| (files.index(i).key("name"), f.name.as_str())),
    );
    cx.unique("rule group", groups);
    (reads, jobs)
}

/// One rule file at `fp`, its problems collected in `fcx`: its name, its groups and their rules.
fn check_file<'a>(
    mut fcx: Cx,
    fp: &OptionPath,
    file: &'a RuleFile,
    lint_cx: &crate::lint::Context,
    retention: Option<&crate::syntax::Duration>,
) -> FileChecked<'a> {
    let mut groups = Vec::new();
    let mut reads = NamesRead::new();
    let mut jobs = JobsRead::default();
    fcx.slug(&fp.key("name"), "rule file", &file.name);
    if crate::catalogue::reserved_file(&file.name) {
        fcx.error(
            Code::NameDuplicate,
            fp.key("name"),
            format!("\"{}\" is a rule file name the alert catalogue writes or reserves", file.name),
        )
        .hint("choose another file name (not ai_model_alerts_* or slo_rules_*); change generated alerts with rules.overrides");
    }
    let group_paths = fp.key("groups");
    for (gi, group) in file.groups.iter().enumerate() {
        let gp = group_paths.index(gi);
        let rule_paths = gp.key("rules");
        groups.push((gp.key("name"), group.name.as_str()));
        if group.name.trim().is_empty() {
            fcx.error(Code::NameInvalid, gp.key("name"), "empty group name").hint("name the group");
        }
        for (ri, rule) in group.rules.iter().enumerate() {
            // A file for the store's ruler reads the store, not the local TSDB.
            let keeps = if file.store_ruler { None } else { retention };
            if let Some(names) = check_rule(&mut fcx, lint_cx, keeps, &rule_paths.index(ri), rule, &mut jobs) {
                reads.insert(rule.expr.clone(), names);
            }
        }
    }
    (fcx, groups, reads, jobs)
}

/// The AI models section: the job that scrapes the models, owners, and the default and
/// per-model thresholds.
fn check_ai_models(spec: &Spec, cx: &mut Cx) {
    let m = &spec.ai_models;
    let at = OptionPath::root("ai_models");
    cx.slug(&at.key("job"), "job", &m.job);
    if !m.models.is_empty() && !spec.scrape_jobs.iter().any(|j| j.name == m.job) {
        cx.error(Code::RefUnknownJob, "ai_models.job", format!("models are declared but no scrape job \"{}\" collects their metrics", m.job))
            .hint("add a scrape job of that name (e.g. Kubernetes pod discovery with annotations), or set ai_models.job to the job that scrapes the models");
    }
    team_ref(spec, cx, &at.key("owner"), m.owner.as_ref());
    thresholds(cx, &at.key("defaults"), Some(m.defaults.p99_latency_seconds), Some(m.defaults.error_ratio));
    for (i, model) in m.models.iter().enumerate() {
        let p = at.key("models").index(i);
        if model.name.is_empty() || model.name.contains(['"', '\\', '\n']) {
            cx.error(
                Code::NameInvalid,
                p.key("name"),
                format!("\"{}\" cannot be a model_name label value", model.name),
            )
            .hint("use the value of the pod's model-name label");
        }
        team_ref(spec, cx, &p.key("owner"), model.owner.as_ref());
        let t = &model.thresholds;
        thresholds(cx, &p.key("thresholds"), t.p99_latency_seconds, t.error_ratio);
    }
    cx.unique(
        "AI model",
        m.models.iter().enumerate().map(|(i, x)| (at.key("models").index(i).key("name"), x.name.as_str())),
    );
}

fn thresholds(cx: &mut Cx, path: &OptionPath, latency: Option<f64>, ratio: Option<f64>) {
    if let Some(l) = latency
        && !(l.is_finite() && l > 0.0)
    {
        cx.error(
            Code::ValueOutOfRange,
            path.key("p99_latency_seconds"),
            format!("{l} is not a positive number of seconds"),
        )
        .hint("e.g. 1.5");
    }
    if let Some(r) = ratio
        && !(r.is_finite() && r > 0.0 && r < 1.0)
    {
        cx.error(Code::ValueOutOfRange, path.key("error_ratio"), format!("{r} is not a ratio between 0 and 1"))
            .hint("write 5% as 0.05");
    }
}

/// Checks a rule; what its expression reads by name, when it parses (the jobs it selects are
/// added to `jobs`). `retention`: how long the local TSDB the rule reads keeps samples (none
/// for the store's ruler).
fn check_rule(
    cx: &mut Cx,
    lint_cx: &crate::lint::Context,
    retention: Option<&crate::syntax::Duration>,
    path: &OptionPath,
    rule: &Rule,
    jobs: &mut JobsRead,
) -> Option<Option<Vec<String>>> {
    match (&rule.alert, &rule.record) {
        (Some(_), Some(_)) | (None, None) => {
            cx.error(Code::RuleShape, path, "a rule has exactly one of `alert` and `record`")
                .hint("split it into an alerting and a recording rule");
        }
        (Some(name), None) => {
            if !names::is_label_name(name) {
                cx.error(Code::NameInvalid, path.key("alert"), format!("\"{name}\" is not a valid alert name"))
                    .hint("alert names match [a-zA-Z_][a-zA-Z0-9_]*, e.g. HighErrorRateAPIGateway");
            }
        }
        (None, Some(name)) => {
            if !names::is_metric_name(name) {
                cx.error(Code::NameInvalid, path.key("record"), format!("\"{name}\" is not a valid metric name"))
                    .hint("use level:metric:operations, e.g. job:http_requests:rate5m");
            }
            for field in [
                ("for", rule.for_.is_some()),
                ("keep_firing_for", rule.keep_firing_for.is_some()),
                ("annotations", !rule.annotations.is_empty()),
            ] {
                if field.1 {
                    cx.error(Code::RuleShape, path.key(field.0), format!("recording rules take no `{}`", field.0))
                        .hint("remove it, or make this an alerting rule");
                }
            }
        }
    }
    let reads = match promql_parser::parser::parse(&rule.expr) {
        Ok(parsed) => {
            lint(cx, lint_cx, path, rule, &parsed);
            jobs.add(&parsed);
            let back = crate::lint::analysis::lookback_ms(&parsed);
            if let Some(keeps) = retention
                && back > u128::from(keeps.millis())
            {
                let back = crate::syntax::Duration::from_millis(back as u64);
                cx.error(
                    Code::RuleBeyondRetention,
                    path.key("expr"),
                    format!("reads {back} back, but prometheus.storage.retention_time keeps {keeps} of local data"),
                )
                .hint(format!(
                    "keep at least {back} (prometheus.storage.retention_time = \"{back}\"), read a shorter window, or put the rule in a store_ruler file"
                ));
            }
            Some(crate::lint::analysis::names_read(&parsed))
        }
        Err(e) => {
            let first = e.lines().next().unwrap_or(&e).to_string();
            cx.error(Code::PromqlInvalid, path.key("expr"), first).hint(if rule.expr.contains("{{") {
                "Go templates are not expanded in `expr`; write one rule per value".to_string()
            } else {
                "fix the PromQL; `promtool check rules` shows the same error".to_string()
            });
            None
        }
    };
    cx.labels(&path.key("labels"), &rule.labels);
    for k in rule.annotations.keys() {
        cx.label_name(&path.key("annotations").key(k), k);
    }
    check_tests(cx, path, rule);
    reads
}

/// Alerting rules are proven by their tests: at least one in which they fire and one in which
/// they stay silent. Recording rules take none.
fn check_tests(cx: &mut Cx, path: &OptionPath, rule: &Rule) {
    if rule.alert.is_none() {
        if !rule.tests.is_empty() {
            cx.error(Code::RuleShape, path.key("tests"), "recording rules take no alert tests")
                .hint("remove them; test the alerts that use the recorded series");
        }
        return;
    }
    let (fires, silent) = rule.proven_ways();
    if !(fires && silent) {
        let missing = match (fires, silent) {
            (false, false) => "a test in which it fires and one in which it stays silent",
            (false, true) => "a test in which it fires",
            _ => "a test in which it stays silent",
        };
        cx.error(Code::RuleUntested, path.key("tests"), format!("the alert lacks {missing}"))
            .hint("add tests: input_series, eval_time, and `fires` (the expected alerts; empty for silence)");
    }
    let plain_templates = crate::syntax::template::labels_only(rule.annotations.values());
    // A rule's tests mostly feed the same series with other values: each is parsed once.
    let mut selectors: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for (ti, t) in rule.tests.iter().enumerate() {
        let tp = path.key("tests").index(ti);
        if t.input_series.is_empty() {
            cx.error(Code::ValueOutOfRange, tp.key("input_series"), "no input series")
                .hint("give the series the expression reads");
        }
        for (si, series) in t.input_series.iter().enumerate() {
            let sp = tp.key("input_series").index(si);
            let is_selector = *selectors.entry(&series.series).or_insert_with(|| {
                matches!(
                    promql_parser::parser::parse(&series.series),
                    Ok(promql_parser::parser::Expr::VectorSelector(_))
                )
            });
            if !is_selector {
                cx.error(Code::PromqlInvalid, sp.key("series"), format!("\"{}\" is not a series", series.series))
                    .hint("write a metric name with labels, e.g. up{job=\"api\", instance=\"a:80\"}");
            }
            if series.values.trim().is_empty() {
                cx.error(Code::ValueOutOfRange, sp.key("values"), "no values").hint("e.g. 0+10x30");
            }
        }
        for (later, _, fires) in t.checks() {
            let cp = later.map_or_else(|| tp.clone(), |i| tp.key("later").index(i));
            for (ei, e) in fires.iter().enumerate() {
                cx.labels(&cp.key("fires").index(ei).key("labels"), &e.labels);
                if e.annotations.is_none() && !plain_templates {
                    cx.error(
                        Code::RuleUntested,
                        cp.key("fires").index(ei).key("annotations"),
                        "the rule's annotations use templates other than {{ $labels.<name> }}",
                    )
                    .hint("state the expected annotations, as promtool compares them");
                }
            }
        }
    }
}

/// Overrides name generated alerts and give sane values.
fn check_overrides(spec: &Spec, cx: &mut Cx) {
    let known = crate::catalogue::names();
    for (name, o) in &spec.rules.overrides {
        let p = OptionPath::root("rules.overrides").key(name);
        if !known.contains(&name.as_str()) {
            cx.error(Code::RefUnknownAlert, &p, format!("the catalogue generates no alert \"{name}\"")).hint(
                match crate::diag::did_you_mean(name, known.iter().copied()) {
                    Some(guess) => format!("{guess} generated alerts are {}", known.join(", ")),
                    None => format!("generated alerts are {}", known.join(", ")),
                },
            );
        }
        if let Some(t) = o.threshold {
            let def = crate::catalogue::defs().into_iter().find(|d| d.name == name);
            match def.map(|d| d.unit) {
                // A catalogue alert without a threshold: the value would be ignored.
                Some(None) => {
                    cx.error(
                        Code::RuleShape,
                        p.key("threshold"),
                        format!("{name} has no threshold to change: it fires on a condition, not a value"),
                    )
                    .hint("remove `threshold`; change `for`, `severity`, or disable the alert");
                }
                Some(Some(unit)) => {
                    if let Some((message, hint)) = unit.refuse(t) {
                        cx.error(Code::ValueOutOfRange, p.key("threshold"), format!("{name}: {message}")).hint(hint);
                    }
                }
                None if !t.is_finite() => {
                    cx.error(Code::ValueOutOfRange, p.key("threshold"), "not a finite number").hint("e.g. 0.1");
                }
                None => {}
            }
        }
        // Per-model and SLO alerts take their thresholds and windows from `ai_models` and `slos`;
        // an override here would be accepted and silently ignored.
        if let Some(source) = crate::catalogue::shaped_by(name) {
            for (field, set) in [("threshold", o.threshold.is_some()), ("for", o.for_.is_some())] {
                if set {
                    cx.error(Code::RuleShape, p.key(field), format!("{name} takes its {field} from {source}"))
                        .hint(format!("set it in {source}; overrides change only severity, labels and disabled here"));
                }
            }
        }
        if let Some(s) = &o.severity
            && !["critical", "warning", "info", "none"].contains(&s.as_str())
        {
            cx.error(Code::LabelInvalid, p.key("severity"), format!("severity \"{s}\" is not one the routes know"))
                .hint("use critical, warning, info or none");
        }
        cx.labels(&p.key("labels"), &o.labels);
    }
}

/// The offline lints (src/lint/) on one of the spec's rules.
fn lint(
    cx: &mut Cx,
    lint_cx: &crate::lint::Context,
    path: &OptionPath,
    rule: &Rule,
    parsed: &promql_parser::parser::Expr,
) {
    let for_ms = rule.for_.as_ref().map_or(0, |d| d.millis());
    let r = crate::lint::RuleRef {
        alert: rule.alert.as_deref(),
        record: rule.record.as_deref(),
        expr: parsed,
        for_ms,
        labels: &rule.labels,
        annotations: &rule.annotations,
    };
    for f in crate::lint::check(&r, lint_cx) {
        cx.error(f.code, path.key(&f.field), f.message).hint(f.hint);
    }
}

/// `rule/duplicate`: a rule of the spec's that repeats a generated alert or another rule.
fn duplicates(spec: &Spec, cx: &mut Cx) {
    let generated = crate::catalogue::names();
    // Keyed by name and labels: a fleet has thousands of recording rules, so no linear search.
    let mut records: BTreeMap<(&str, &BTreeMap<String, String>), OptionPath> = BTreeMap::new();
    let files = OptionPath::root("rules.files");
    for (fi, file) in spec.rules.files.iter().enumerate() {
        let groups = files.index(fi).key("groups");
        for (gi, group) in file.groups.iter().enumerate() {
            let rules = groups.index(gi).key("rules");
            for (ri, rule) in group.rules.iter().enumerate() {
                let path = rules.index(ri);
                if let Some(a) = &rule.alert
                    && generated.binary_search(&a.as_str()).is_ok()
                {
                    cx.error(
                        Code::LintDuplicate,
                        path.key("alert"),
                        format!("\"{a}\" is an alert the catalogue generates"),
                    )
                    .hint(format!("change it with rules.overrides.{a}, or give your rule another name"));
                }
                if let Some(r) = &rule.record {
                    if let Some(first) = records.get(&(r.as_str(), &rule.labels)) {
                        cx.error(
                            Code::LintDuplicate,
                            path.key("record"),
                            format!("\"{r}\" with these labels is already recorded at {first}"),
                        )
                        .hint("two rules writing one series overwrite each other; remove one or label them apart");
                    } else {
                        records.insert((r.as_str(), &rule.labels), path.clone());
                    }
                }
            }
        }
    }
}
