//! SLOs: SLI recording rules over the burn-rate windows, the objective and the error budget
//! remaining, and multi-window multi-burn-rate alerts (Google SRE workbook, as Sloth renders
//! them): page when the 1h and 5m burn rates both exceed 14.4 or the 6h and 30m rates exceed 6;
//! ticket when 1d and 2h exceed 3 or 3d and 6h exceed 1 — for a 30-day period. For another
//! period each factor is scaled: budget share × period / long window.
//!
//! Only the 5-minute rates read the raw counters. Every longer window, the period included, is
//! derived from them, as Sloth derives its period window (`sum_over_time` of the 5-minute SLI
//! over the period): here the bad and all events' 5-minute rates are recorded apart and each
//! window's error ratio is `sum_over_time(bad[w]) / sum_over_time(all[w])`, weighted by
//! traffic, instead of `rate(…[30d])` over every raw series at every evaluation on every
//! replica. The short windows and the alerts are evaluated every minute, the day-long windows
//! and the period every 5 minutes. The period window reads that much local data: validation
//! requires `prometheus.storage.retention_time` to keep it (`rule/beyond-retention`).

use super::scenario::{Scenario, Scenarios, counter, eval_minutes, series_of};
use super::{Alert, Recording, SLO_FILE, annotations, show};
use crate::scrape::Scrape;
use crate::spec::Spec;
use crate::spec::slo::{Sli, Slo};
use crate::syntax::Duration;
use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{Expr, parse};
use std::collections::BTreeMap;

pub const NAMES: [&str; 2] = ["SLOErrorBudgetBurnFast", "SLOErrorBudgetBurnSlow"];

/// (long window, short window, share of the budget it may burn) for page and ticket alerts.
const PAGE: [(&str, &str, f64); 2] = [("1h", "5m", 0.02), ("6h", "30m", 0.05)];
const TICKET: [(&str, &str, f64); 2] = [("1d", "2h", 0.10), ("3d", "6h", 0.10)];
/// The windows derived from the 5-minute rates, evaluated every minute…
const SHORT: [&str; 4] = ["30m", "1h", "2h", "6h"];
/// … and every 5 minutes, with the period.
const LONG: [&str; 2] = ["1d", "3d"];
const SHORT_INTERVAL: &str = "1m";
const LONG_INTERVAL: &str = "5m";

fn ms(d: &str) -> f64 {
    Duration::new(d).millis() as f64
}

/// The SLO's own rule file, `slo_rules_<slo>`, so that its tests load only its rules.
pub fn file(slo: &Slo) -> String {
    format!("{SLO_FILE}_{}", slo.name)
}

fn group(slo: &Slo) -> String {
    format!("slo_{}", slo.name.replace('-', "_"))
}

fn long_group(slo: &Slo) -> String {
    format!("{}_long_windows", group(slo))
}

/// The evaluation interval of a group of an SLO's rule file.
pub fn interval(spec: &Spec, name: &str) -> Option<&'static str> {
    spec.slos.iter().find_map(|slo| {
        if name == group(slo) {
            Some(SHORT_INTERVAL)
        } else if name == long_group(slo) {
            Some(LONG_INTERVAL)
        } else {
            None
        }
    })
}

/// The SLI error-ratio series over a window.
pub fn record_name(window: &str) -> String {
    format!("slo:sli_error:ratio_rate{window}")
}

const BAD: &str = "slo:sli_bad_events:rate5m";
const ALL: &str = "slo:sli_events:rate5m";

/// The SLI's bad events and all events, per second over 5 minutes.
fn rates5m(slo: &Slo) -> (String, String) {
    match &slo.sli {
        // No error series at all (none has happened yet) is no error: 0, not an absent ratio.
        Sli::Availability(a) => {
            (format!("sum(rate({}[5m])) or vector(0)", a.errors), format!("sum(rate({}[5m]))", a.total))
        }
        Sli::Latency(l) => {
            let le = show(l.threshold_seconds);
            let all = format!("sum(rate({h}_count{{{m}}}[5m]))", h = l.histogram, m = l.matchers);
            let fast = format!("sum(rate({h}_bucket{{{m}, le=\"{le}\"}}[5m]))", h = l.histogram, m = l.matchers);
            (format!("{all} - {fast}"), all)
        }
    }
}

fn sli_kind(slo: &Slo) -> &'static str {
    match slo.sli {
        Sli::Availability(_) => "availability",
        Sli::Latency(_) => "latency",
    }
}

fn slo_labels(slo: &Slo) -> BTreeMap<String, String> {
    [("slo".to_string(), slo.name.clone())].into()
}

pub fn recordings(spec: &Spec) -> Vec<Recording> {
    let mut out = Vec::new();
    for slo in &spec.slos {
        let sel = format!("{{slo=\"{}\"}}", slo.name);
        let record = |group: String, record: String, expr: String| Recording {
            file: file(slo),
            group,
            record,
            expr,
            labels: slo_labels(slo),
        };
        let (bad, all) = rates5m(slo);
        out.push(record(group(slo), BAD.into(), bad));
        out.push(record(group(slo), ALL.into(), all));
        out.push(record(group(slo), record_name("5m"), format!("{BAD}{sel} / {ALL}{sel}")));
        let derived = |w: &str| format!("sum_over_time({BAD}{sel}[{w}]) / sum_over_time({ALL}{sel}[{w}])");
        for w in SHORT {
            out.push(record(group(slo), record_name(w), derived(w)));
        }
        let mut long: Vec<&str> = LONG.to_vec();
        let period = slo.period.as_str();
        if !SHORT.contains(&period) && !long.contains(&period) && period != "5m" {
            long.push(period);
        }
        for w in long {
            out.push(record(long_group(slo), record_name(w), derived(w)));
        }
        out.push(record(long_group(slo), "slo:objective:ratio".into(), format!("vector({})", show(slo.objective))));
        out.push(record(
            long_group(slo),
            "slo:error_budget:remaining_ratio".into(),
            format!("1 - {}{sel} / {}", record_name(period), show(1.0 - slo.objective)),
        ));
    }
    out
}

/// One window pair of a burn-rate alert: it fires when the error ratio over both windows
/// exceeds `factor` × the error budget (`error_ratio`).
#[derive(Clone, Debug, PartialEq)]
pub struct BurnWindow {
    pub alert: &'static str,
    pub severity: &'static str,
    pub long: &'static str,
    pub short: &'static str,
    pub factor: f64,
    pub error_ratio: f64,
}

/// The burn-rate windows of an SLO's alerts, page first, scaled to its period.
pub fn windows(slo: &Slo) -> Vec<BurnWindow> {
    let budget = 1.0 - slo.objective;
    let period = slo.period.millis() as f64;
    let page = PAGE.iter().map(|p| (NAMES[0], "critical", p));
    let ticket = TICKET.iter().map(|p| (NAMES[1], "warning", p));
    page.chain(ticket)
        .map(|(alert, severity, (long, short, share))| {
            let factor = share * period / ms(long);
            BurnWindow { alert, severity, long, short, factor, error_ratio: factor * budget }
        })
        .collect()
}

/// `(long > t and short > t) or (…)` for each pair of windows.
fn burn_expr(slo: &Slo, pairs: &[(&str, &str, f64)]) -> (String, f64) {
    let budget = 1.0 - slo.objective;
    let period = slo.period.millis() as f64;
    let sel = format!("{{slo=\"{}\"}}", slo.name);
    let mut lowest = f64::MAX;
    let parts: Vec<String> = pairs
        .iter()
        .map(|(long, short, share)| {
            let t = share * period / ms(long) * budget;
            lowest = lowest.min(t);
            let t = show(t);
            format!("({}{sel} > {t} and {}{sel} > {t})", record_name(long), record_name(short))
        })
        .collect();
    (parts.join(" or "), lowest)
}

pub fn alerts(spec: &Spec) -> Vec<Alert> {
    let mut out = Vec::new();
    for slo in &spec.slos {
        let budget = 1.0 - slo.objective;
        let Some(parsed) = Parsed::of(slo) else { continue };
        for (name, pairs, severity, for_, speed) in
            [(NAMES[0], &PAGE, "critical", "2m", "fast"), (NAMES[1], &TICKET, "warning", "15m", "slowly")]
        {
            let (expr, lowest) = burn_expr(slo, pairs);
            let factors: Vec<String> = windows(slo)
                .iter()
                .filter(|w| w.alert == name)
                .map(|w| format!("{}× over {} and {}", show(w.factor), w.long, w.short))
                .collect();
            let mut labels = slo_labels(slo);
            labels.insert("severity".into(), severity.into());
            labels.insert("service".into(), slo.service.clone());
            // What the budget counts, so an inhibition can tell an availability burn (the errors
            // a service's error-rate alert pages for) from a latency one.
            labels.insert("sli".into(), sli_kind(slo).into());
            // Fires: errors at twice the lowest burn threshold of this alert, and below the
            // page thresholds for the ticket. Silent: half the budget's sustainable rate.
            let fire = if speed == "fast" { (2.0 * lowest).min(1.0) } else { 2.0 * budget };
            let eval = if speed == "fast" { eval_minutes(60, 2) } else { eval_minutes(360, 15) };
            let scraped = |bad: f64| parsed.series(bad, eval + 5).map(|s| scraped(spec, s));
            let scenarios = match scraped(fire).zip(scraped(budget / 2.0)) {
                Some((f, h)) => Scenarios {
                    firing: Scenario { series: f, eval_minutes: eval, expect: vec![slo_labels(slo)] },
                    healthy: Some(Scenario { series: h, eval_minutes: eval, expect: vec![] }),
                },
                None => continue,
            };
            out.push(Alert {
                name: name.into(),
                file: file(slo),
                // The slow burn reads the 1d and 3d windows: evaluated in their group, right
                // after they are recorded. From a 1m group it would read samples up to 5m old,
                // which Prometheus 3's left-open 5m lookback drops at the boundary: the alert
                // flapped and its `for` never completed (promtool 3.5's test failed).
                group: if speed == "fast" { group(slo) } else { long_group(slo) },
                expr,
                for_: Duration::new(for_),
                labels,
                annotations: annotations(
                    spec,
                    name,
                    &format!("SLO {{{{ $labels.slo }}}} is burning its error budget {speed}"),
                    &format!(
                        "{} is spending the {} error budget of SLO {{{{ $labels.slo }}}} ({} of events) {speed} enough to exhaust it early.",
                        slo.service,
                        slo.period,
                        show(budget)
                    ),
                    slo.objective,
                ),
                scenarios,
                job: None,
                threshold: Some(format!("burn rate {}", factors.join(", "))),
                subject: Some(format!("SLO {}", slo.name)),
                owner: None,
            });
        }
    }
    out
}

/// Label values that satisfy a matcher, tried in order.
fn satisfy(m: &Matcher) -> Option<Option<String>> {
    match &m.op {
        MatchOp::Equal => Some(Some(m.value.clone())),
        MatchOp::NotEqual | MatchOp::NotRe(_) => {
            if m.is_match("") {
                Some(None)
            } else {
                ["other", "ok", "0"].iter().find(|c| m.is_match(c)).map(|c| Some(c.to_string()))
            }
        }
        MatchOp::Re(_) => {
            let first = m.value.split('|').next().unwrap_or("").replace('.', "0").replace(['^', '$', '(', ')'], "");
            [first.as_str(), "500", "error", "x"].iter().find(|c| m.is_match(c)).map(|c| Some(c.to_string()))
        }
    }
}

fn selector(text: &str) -> Option<(String, Vec<Matcher>)> {
    match parse(text).ok()? {
        Expr::VectorSelector(v) => {
            let matchers: Vec<Matcher> = v.matchers.matchers.into_iter().filter(|m| m.name != "__name__").collect();
            Some((v.name?, matchers))
        }
        _ => None,
    }
}

/// Labels that satisfy every matcher.
fn labels_for(matchers: &[Matcher]) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for m in matchers {
        if let Some(v) = satisfy(m)? {
            out.insert(m.name.clone(), v);
        }
    }
    Some(out)
}

fn matches_all(labels: &BTreeMap<String, String>, matchers: &[Matcher]) -> bool {
    matchers.iter().all(|m| m.is_match(labels.get(&m.name).map(String::as_str).unwrap_or("")))
}

/// Input series in which a share `bad` of the events are bad; `None` when the selectors are too
/// intricate to derive series from (validation reports that).
pub fn scenario_series(slo: &Slo, bad: f64, n: u64) -> Option<Vec<(String, String)>> {
    let series = Parsed::of(slo)?.series(bad, n)?;
    Some(series.into_iter().map(|(metric, labels, values)| (series_of(&metric, &labels), values)).collect())
}

/// Series an SLI's selectors read, as stored: those of a declared job (`job="…"` in the
/// selector) through that job's scrape, with the other labels as the service exposes them.
fn scraped(spec: &Spec, series: Vec<Sample>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut scrapes: BTreeMap<String, Scrape> = BTreeMap::new();
    for (metric, labels, values) in series {
        let declared = labels.get("job").filter(|j| spec.scrape_jobs.iter().any(|s| &s.name == *j));
        match declared {
            Some(job) => {
                let exposed: Vec<(&str, &str)> =
                    labels.iter().filter(|(k, _)| *k != "job").map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let scrape = scrapes.entry(job.clone()).or_insert_with(|| Scrape::of_or_nothing(spec, job));
                out.extend(scrape.input(&metric, &exposed, values));
            }
            None => out.push((series_of(&metric, &labels), values)),
        }
    }
    out
}

/// A series an SLI reads: metric, labels and values.
type Sample = (String, BTreeMap<String, String>, String);

/// An SLI's selectors, parsed once for all its scenarios.
enum Parsed {
    Availability { err_metric: String, err_m: Vec<Matcher>, tot_metric: String, tot_m: Vec<Matcher> },
    Latency { base: BTreeMap<String, String>, histogram: String, threshold: f64 },
}

impl Parsed {
    fn of(slo: &Slo) -> Option<Parsed> {
        Some(match &slo.sli {
            Sli::Availability(a) => {
                let (err_metric, err_m) = selector(&a.errors)?;
                let (tot_metric, tot_m) = selector(&a.total)?;
                Parsed::Availability { err_metric, err_m, tot_metric, tot_m }
            }
            Sli::Latency(l) => {
                let (_, m) = selector(&format!("{}_count{{{}}}", l.histogram, l.matchers))?;
                Parsed::Latency {
                    base: labels_for(&m)?,
                    histogram: l.histogram.clone(),
                    threshold: l.threshold_seconds,
                }
            }
        })
    }

    fn series(&self, bad: f64, n: u64) -> Option<Vec<Sample>> {
        let per_min = 600.0;
        match self {
            Parsed::Availability { err_metric, err_m, tot_metric, tot_m } => {
                let err_labels = labels_for(err_m)?;
                if err_metric == tot_metric && matches_all(&err_labels, tot_m) {
                    // Errors are part of the total: the good events are another series of it.
                    let mut good = labels_for(tot_m)?;
                    for m in err_m {
                        if !tot_m.iter().any(|t| t.name == m.name) {
                            let v = ["200", "ok", "success", "0"].iter().find(|c| !m.is_match(c))?;
                            good.insert(m.name.clone(), v.to_string());
                        }
                    }
                    if matches_all(&good, err_m) {
                        return None;
                    }
                    Some(vec![
                        (err_metric.clone(), err_labels, counter(per_min * bad, n)),
                        (tot_metric.clone(), good, counter(per_min * (1.0 - bad), n)),
                    ])
                } else {
                    Some(vec![
                        (err_metric.clone(), err_labels, counter(per_min * bad, n)),
                        (tot_metric.clone(), labels_for(tot_m)?, counter(per_min, n)),
                    ])
                }
            }
            Parsed::Latency { base, histogram, threshold } => {
                let with_le = |le: &str| {
                    let mut x = base.clone();
                    x.insert("le".into(), le.into());
                    x
                };
                let bucket = format!("{histogram}_bucket");
                Some(vec![
                    (bucket.clone(), with_le(&show(*threshold)), counter(per_min * (1.0 - bad), n)),
                    (bucket, with_le("+Inf"), counter(per_min, n)),
                    (format!("{histogram}_count"), base.clone(), counter(per_min, n)),
                ])
            }
        }
    }
}
