//! Test scenarios: input series under which an alert fires with known labels, and under which
//! it stays silent, built from the alert's threshold so they stay right when it is overridden.

use super::Cmp;
use crate::scrape::Scrape;
use std::collections::BTreeMap;

/// One `promtool test rules` case for one alert.
#[derive(Clone, Debug, Default)]
pub struct Scenario {
    /// (series, values in promtool's expanding notation), one sample a minute.
    pub series: Vec<(String, String)>,
    /// When to evaluate, in minutes from the start.
    pub eval_minutes: u64,
    /// The labels of each alert expected to fire (without the rule's own labels).
    pub expect: Vec<BTreeMap<String, String>>,
}

#[derive(Clone, Debug)]
pub struct Scenarios {
    pub firing: Scenario,
    /// `None` only for an alert that always fires (the Watchdog).
    pub healthy: Option<Scenario>,
}

/// `metric{k="v",...}` in promtool's series notation.
pub fn series(metric: &str, labels: &[(&str, &str)]) -> String {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={}", crate::syntax::quote(v))).collect();
    format!("{metric}{{{}}}", inner.join(", "))
}

fn num(x: f64) -> String {
    crate::syntax::number(x)
}

/// A series whose labels are a map.
pub fn series_of(metric: &str, labels: &BTreeMap<String, String>) -> String {
    let pairs: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    series(metric, &pairs)
}

/// A counter growing by `per_min` each minute for `n` minutes.
pub fn counter(per_min: f64, n: u64) -> String {
    format!("0+{}x{n}", num(per_min))
}

/// A gauge holding `v` for `n` minutes.
pub fn gauge(v: f64, n: u64) -> String {
    format!("{}+0x{n}", num(v))
}

/// Values of a ratio in [0, 1] on the firing and on the healthy side of `t`.
pub fn fraction(t: f64, cmp: Cmp) -> (f64, f64) {
    match cmp {
        Cmp::Above => (t + (1.0 - t) / 2.0, t / 2.0),
        Cmp::Below => (t / 2.0, t + (1.0 - t) / 2.0),
    }
}

/// Values of an unbounded quantity on the firing and on the healthy side of `t`.
pub fn level(t: f64, cmp: Cmp) -> (f64, f64) {
    let below = if t >= 0.0 { t / 2.0 } else { t - 1.0 };
    let above = t * 2.0 + 1.0;
    match cmp {
        Cmp::Above => (above, below),
        Cmp::Below => (below, above),
    }
}

/// A container in a steady crash loop, sampled each minute for `n` minutes: kubelet restarts it
/// every 5 minutes (its back-off doubles from 10 s and caps at 300 s), it runs a few seconds and
/// waits the rest. Its restart counter (`0x4 1x4 …`) and its waiting state (1 for four samples,
/// none while it runs: `1x3 _ …`).
pub fn kubelet_backoff(n: u64) -> (String, String) {
    let cycles = (n + 1).div_ceil(5);
    let restarts: Vec<String> = (0..cycles).map(|i| format!("{i}x4")).collect();
    let waits: Vec<&str> = (0..cycles).map(|_| "1x3 _").collect();
    (restarts.join(" "), waits.join(" "))
}

/// Minutes of data an alert needs: the rate window, its `for`, and a margin of at least 5,
/// rounded up to a multiple of 5 so that the tests can evaluate the rules every 5 minutes
/// (`render/rule_tests.rs`).
pub fn eval_minutes(window_min: u64, for_min: u64) -> u64 {
    (window_min + for_min + 5).div_ceil(5) * 5
}

/// Samples to generate for an evaluation at `eval` minutes.
pub fn length(eval: u64) -> u64 {
    eval + 5
}

/// Builds both scenarios from one function of the measured value: `make(value)` returns the
/// input series, and `keeps` the labels the expression keeps when it fires.
pub fn pair(
    (fire, calm): (f64, f64),
    eval: u64,
    keeps: BTreeMap<String, String>,
    make: impl Fn(f64, u64) -> Vec<(String, String)>,
) -> Scenarios {
    let n = length(eval);
    Scenarios {
        firing: Scenario { series: make(fire, n), eval_minutes: eval, expect: vec![keeps] },
        healthy: Some(Scenario { series: make(calm, n), eval_minutes: eval, expect: vec![] }),
    }
}

/// Label map from pairs.
pub fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// HTTP requests of a scraped service where `ratio` of them answer 5xx, as the services export
/// them (`http_requests_total{code}`), at `per_min` requests a minute.
pub fn http_errors(scrape: &Scrape, ratio: f64, per_min: f64, n: u64) -> Vec<(String, String)> {
    [
        scrape.input("http_requests_total", &[("code", "500")], counter(per_min * ratio, n)),
        scrape.input("http_requests_total", &[("code", "200")], counter(per_min * (1.0 - ratio), n)),
    ]
    .concat()
}

/// A histogram the exporter exposes with `labels`, whose observations all land above `2t`
/// (`slow`) or at most `t/2`, so any high quantile is above or below `t`.
pub fn histogram(
    scrape: &Scrape,
    metric: &str,
    labels: &[(&str, &str)],
    t: f64,
    slow: bool,
    n: u64,
) -> Vec<(String, String)> {
    let bounds = [t / 2.0, t * 2.0, t * 4.0];
    let mut out = Vec::new();
    for (i, le) in bounds.iter().map(|b| num(*b)).chain(["+Inf".to_string()]).enumerate() {
        let filled = if slow { i >= 2 } else { true };
        let mut l: Vec<(&str, &str)> = labels.to_vec();
        l.push(("le", &le));
        out.extend(scrape.input(&format!("{metric}_bucket"), &l, counter(if filled { 60.0 } else { 0.0 }, n)));
    }
    out
}

/// The Watchdog fires from the first evaluation on (checked at the first 5-minute step).
pub fn watchdog() -> Scenarios {
    Scenarios { firing: Scenario { series: vec![], eval_minutes: 5, expect: vec![BTreeMap::new()] }, healthy: None }
}
