//! AI model alerts, once per declared model with its own thresholds, and once more for every
//! model that is discovered but not declared, with the default thresholds. The seed's
//! `<MODEL_SPECIFIC_…>` placeholders are the per-model values of `ai_models`.

use super::scenario::{self, Scenario, Scenarios, counter, fraction, gauge, histogram, labels, level, pair, series};
use super::{AI_MODEL_FILE, Alert, Cmp, annotations, show};
use crate::render::{quote, regex_literal};
use crate::spec::Spec;
use crate::spec::models::Thresholds;
use crate::syntax::Duration;
use std::collections::BTreeMap;

pub const NAMES: [&str; 4] = [
    "CustomAIModelHighInferenceLatency",
    "CustomAIModelHighErrorRate",
    "CustomAIModelLowThroughput",
    "CustomAIModelDrift",
];

const GROUP: &str = "ai_model_alerts";

/// One model, or all undeclared ones: its selector and the `model_name` its test series carry.
struct Target {
    selector: String,
    model: String,
    who: String,
}

pub fn alerts(spec: &Spec) -> Vec<Alert> {
    let m = &spec.ai_models;
    if !spec.scrape_jobs.iter().any(|j| j.name == m.job) {
        return vec![];
    }
    let job = format!("job={}", quote(&m.job));
    let mut out = Vec::new();
    for declared in &m.models {
        let t = declared.thresholds.over(&m.defaults);
        let target = Target {
            selector: format!("{job}, model_name={}", quote(&declared.name)),
            model: declared.name.clone(),
            who: format!("model {}", declared.name),
        };
        out.extend(for_target(spec, &target, &t));
    }
    let undeclared = if m.models.is_empty() {
        job.clone()
    } else {
        match m.models.as_slice() {
            [only] => format!("{job}, model_name!={}", quote(&only.name)),
            many => {
                let names: Vec<String> = many.iter().map(|x| regex_literal(&x.name)).collect();
                format!("{job}, model_name!~{}", quote(&names.join("|")))
            }
        }
    };
    let target = Target {
        selector: undeclared,
        model: "undeclared-model".into(),
        who: "undeclared model {{ $labels.model_name }}".into(),
    };
    out.extend(for_target(spec, &target, &m.defaults));
    out
}

fn minutes(d: &Duration) -> u64 {
    d.millis().map(|ms| ms.div_ceil(60_000)).unwrap_or(0)
}

/// An alert's annotation text and the threshold it states.
struct Text<'a> {
    summary: &'a str,
    description: String,
    threshold: f64,
}

fn alert(
    spec: &Spec,
    name: &str,
    expr: String,
    for_: Duration,
    severity: &str,
    text: Text,
    scenarios: Scenarios,
) -> Alert {
    let mut l = BTreeMap::new();
    l.insert("severity".to_string(), severity.to_string());
    l.insert("service".to_string(), spec.ai_models.job.clone());
    Alert {
        name: name.into(),
        file: AI_MODEL_FILE,
        group: GROUP.into(),
        expr,
        for_,
        labels: l,
        annotations: annotations(spec, name, text.summary, &text.description, text.threshold),
        scenarios,
    }
}

fn for_target(spec: &Spec, target: &Target, t: &Thresholds) -> Vec<Alert> {
    let job = spec.ai_models.job.clone();
    let sel = &target.selector;
    let keeps = labels(&[("model_name", &target.model)]);
    let model = target.model.clone();
    let model_labels =
        move |job: &str| vec![("job".to_string(), job.to_string()), ("model_name".to_string(), model.clone())];
    let as_pairs = |v: &Vec<(String, String)>| v.iter().map(|(a, b)| (a.clone(), b.clone())).collect::<Vec<_>>();
    let mut out = Vec::new();

    // Latency: the seed's alert, with `by (le, model_name)` so the model stays on the alert.
    let latency = t.p99_latency_seconds;
    let eval = scenario::eval_minutes(5, minutes(&t.latency_for));
    let n = scenario::length(eval);
    let ml = as_pairs(&model_labels(&job));
    let hist = |slow| {
        let l: Vec<(&str, &str)> = ml.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        histogram("custom_model_inference_latency_seconds", &l, latency, slow, n)
    };
    out.push(alert(
        spec,
        NAMES[0],
        format!(
            "histogram_quantile(0.99, sum by (le, model_name) (rate(custom_model_inference_latency_seconds_bucket{{{sel}}}[5m]))) > {}",
            show(latency)
        ),
        t.latency_for.clone(),
        "warning",
        Text { summary: "High P99 Inference Latency for AI Model {{ $labels.model_name }}", description: format!("P99 inference latency of {} has been above {}s.", target.who, show(latency)), threshold: latency },
        Scenarios {
            firing: Scenario { series: hist(true), eval_minutes: eval, expect: vec![keeps.clone()] },
            healthy: Some(Scenario { series: hist(false), eval_minutes: eval, expect: vec![] }),
        },
    ));

    // Errors: both sides summed by model, so the division matches model to model.
    let ratio = t.error_ratio;
    let ml2 = ml.clone();
    out.push(alert(
        spec,
        NAMES[1],
        format!(
            "sum by (model_name) (rate(custom_model_inference_errors_total{{{sel}}}[5m])) / sum by (model_name) (rate(custom_model_inference_requests_total{{{sel}}}[5m])) > {}",
            show(ratio)
        ),
        t.error_for.clone(),
        "critical",
        Text { summary: "High Error Rate for AI Model {{ $labels.model_name }}", description: format!("More than {} of the inferences of {} have failed.", show(ratio), target.who), threshold: ratio },
        pair(fraction(ratio, Cmp::Above), scenario::eval_minutes(5, minutes(&t.error_for)), keeps.clone(), move |v, n| {
            let l: Vec<(&str, &str)> = ml2.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            vec![
                (series("custom_model_inference_errors_total", &l), counter(600.0 * v, n)),
                (series("custom_model_inference_requests_total", &l), counter(600.0, n)),
            ]
        }),
    ));

    if let Some(rps) = t.min_requests_per_second {
        let ml3 = ml.clone();
        let for_ = Duration::new("15m");
        out.push(alert(
            spec,
            NAMES[2],
            format!("sum by (model_name) (rate(custom_model_inference_requests_total{{{sel}}}[10m])) < {}", show(rps)),
            for_.clone(),
            "warning",
            Text {
                summary: "Low throughput for AI Model {{ $labels.model_name }}",
                description: format!(
                    "{} has served fewer than {} requests per second for 15 minutes.",
                    target.who,
                    show(rps)
                ),
                threshold: rps,
            },
            pair(level(rps, Cmp::Below), scenario::eval_minutes(10, 15), keeps.clone(), move |v, n| {
                let l: Vec<(&str, &str)> = ml3.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                vec![(series("custom_model_inference_requests_total", &l), counter(v.max(0.0) * 60.0, n))]
            }),
        ));
    }

    if let Some(drift) = t.drift_threshold {
        let ml4 = ml.clone();
        let for_ = Duration::new("30m");
        out.push(alert(
            spec,
            NAMES[3],
            format!("max by (model_name) (custom_model_drift_score{{{sel}}}) > {}", show(drift)),
            for_.clone(),
            "warning",
            Text {
                summary: "AI Model {{ $labels.model_name }} is drifting",
                description: format!(
                    "The drift score of {} has been above {} for 30 minutes.",
                    target.who,
                    show(drift)
                ),
                threshold: drift,
            },
            pair(level(drift, Cmp::Above), scenario::eval_minutes(0, 30), keeps, move |v, n| {
                let l: Vec<(&str, &str)> = ml4.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                vec![(series("custom_model_drift_score", &l), gauge(v, n))]
            }),
        ));
    }
    out
}
