//! AI model alerts, once per declared model with its own thresholds, and once more for every
//! model that is discovered but not declared, with the default thresholds. The seed's
//! `<MODEL_SPECIFIC_…>` placeholders are the per-model values of `ai_models`.

use super::metrics::{DCGM_JOB, KSM_JOB};
use super::scenario::{self, Scenario, Scenarios, counter, fraction, gauge, histogram, labels, level, pair};
use super::{AI_MODEL_FILE, Alert, Cmp, annotations, show};
use crate::scrape::Scrape;
use crate::spec::Spec;
use crate::spec::models::Thresholds;
use crate::syntax::Duration;
use crate::syntax::{quote, regex_literal};
use std::collections::BTreeMap;

pub const NAMES: [&str; 6] = [
    "CustomAIModelHighInferenceLatency",
    "CustomAIModelHighErrorRate",
    "CustomAIModelLowThroughput",
    "CustomAIModelDrift",
    "CustomAIModelGpuSaturation",
    "CustomAIModelGpuMemorySaturation",
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
    let mut files = std::collections::BTreeSet::new();
    for declared in &m.models {
        let file = file_for(&declared.name, &mut files);
        let t = declared.thresholds.over(&m.defaults);
        let target = Target {
            selector: format!("{job}, model_name={}", quote(&declared.name)),
            model: declared.name.clone(),
            who: format!("model {}", declared.name),
        };
        let owner = declared.owner.clone().or_else(|| m.owner.clone());
        out.extend(for_target(spec, &target, &t).into_iter().map(|a| Alert {
            subject: Some(format!("model {}", declared.name)),
            owner: owner.clone(),
            file: file.clone(),
            ..a
        }));
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
    out.extend(for_target(spec, &target, &m.defaults).into_iter().map(|a| Alert {
        subject: Some("undeclared models".into()),
        owner: m.owner.clone(),
        ..a
    }));
    out
}

/// A declared model's rule file, `ai_model_alerts_<model>`: the name lowercased, characters a
/// file name cannot carry as `_`, and `_2`, `_3`… after a name an earlier model already took.
fn file_for(model: &str, taken: &mut std::collections::BTreeSet<String>) -> String {
    let slug: String = model
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' })
        .collect();
    let base = format!("{AI_MODEL_FILE}_{slug}");
    let mut name = base.clone();
    let mut n = 1;
    while !taken.insert(name.clone()) {
        n += 1;
        name = format!("{base}_{n}");
    }
    name
}

fn minutes(d: &Duration) -> u64 {
    d.millis().div_ceil(60_000)
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
        file: AI_MODEL_FILE.into(),
        group: GROUP.into(),
        expr,
        for_,
        labels: l,
        annotations: annotations(spec, name, text.summary, &text.description, text.threshold),
        scenarios,
        job: Some(spec.ai_models.job.clone()),
        threshold: Some(show(text.threshold)),
        subject: None,
        owner: None,
    }
}

/// A target's alerts: latency and errors always, the GPU alerts where DCGM and kube-state-metrics
/// are scraped, throughput and drift where its thresholds set them.
fn for_target(spec: &Spec, target: &Target, t: &Thresholds) -> Vec<Alert> {
    let keeps = labels(&[("model_name", &target.model)]);
    // A pod of the model's server, labelled with its model (`ai_models.pod_label`, which the
    // job's `target_labels` may copy to `model_name`); the server labels its series with its
    // model itself (the contract of catalogue/metrics.rs, as tests/e2e.rs's server does).
    let sc = Scrape::with_object(spec, &spec.ai_models.job, &[(spec.ai_models.pod_label.as_str(), &target.model)])
        .unwrap_or_else(|| Scrape::of_or_nothing(spec, &spec.ai_models.job));
    let mut out = vec![latency(spec, target, &sc, t, &keeps), errors(spec, target, &sc, t, &keeps)];
    let has = |role: &str| super::kinds::job(spec, role).is_some();
    if has(DCGM_JOB) && has(KSM_JOB) {
        out.extend(gpu_alerts(spec, target, t, &keeps));
    }
    if let Some(rps) = t.min_requests_per_second {
        out.push(low_throughput(spec, target, &sc, rps, &keeps));
    }
    if let Some(drift) = t.drift_threshold {
        out.push(drifting(spec, target, &sc, drift, &keeps));
    }
    out
}

/// Latency: the seed's alert, with `by (le, model_name)` so the model stays on the alert.
fn latency(spec: &Spec, target: &Target, sc: &Scrape, t: &Thresholds, keeps: &BTreeMap<String, String>) -> Alert {
    let sel = &target.selector;
    let latency = t.p99_latency_seconds;
    let eval = scenario::eval_minutes(5, minutes(&t.latency_for));
    let n = scenario::length(eval);
    let ml = [("model_name", target.model.as_str())];
    let hist = |slow| histogram(sc, "custom_model_inference_latency_seconds", &ml, latency, slow, n);
    alert(
        spec,
        NAMES[0],
        format!(
            "histogram_quantile(0.99, sum by (le, model_name) (rate(custom_model_inference_latency_seconds_bucket{{{sel}}}[5m]))) > {}",
            show(latency)
        ),
        t.latency_for.clone(),
        "warning",
        Text {
            summary: "High P99 Inference Latency for AI Model {{ $labels.model_name }}",
            description: format!("P99 inference latency of {} has been above {}s.", target.who, show(latency)),
            threshold: latency,
        },
        Scenarios {
            firing: Scenario { series: hist(true), eval_minutes: eval, expect: vec![keeps.clone()] },
            healthy: Some(Scenario { series: hist(false), eval_minutes: eval, expect: vec![] }),
        },
    )
}

/// Errors: both sides summed by model, so the division matches model to model.
fn errors(spec: &Spec, target: &Target, sc: &Scrape, t: &Thresholds, keeps: &BTreeMap<String, String>) -> Alert {
    let sel = &target.selector;
    let ratio = t.error_ratio;
    let ml = [("model_name", target.model.as_str())];
    let all = format!("sum by (model_name) (rate(custom_model_inference_requests_total{{{sel}}}[5m]))");
    alert(
        spec,
        NAMES[1],
        format!(
            "sum by (model_name) (rate(custom_model_inference_errors_total{{{sel}}}[5m])) / {all} > {}{}",
            show(ratio),
            super::traffic_guard(spec, &all)
        ),
        t.error_for.clone(),
        "critical",
        Text {
            summary: "High Error Rate for AI Model {{ $labels.model_name }}",
            description: format!("More than {} of the inferences of {} have failed.", show(ratio), target.who),
            threshold: ratio,
        },
        pair(fraction(ratio, Cmp::Above), scenario::eval_minutes(5, minutes(&t.error_for)), keeps.clone(), |v, n| {
            [
                sc.input("custom_model_inference_errors_total", &ml, counter(600.0 * v, n)),
                sc.input("custom_model_inference_requests_total", &ml, counter(600.0, n)),
            ]
            .concat()
        }),
    )
}

/// Throughput below the model's `min_requests_per_second`, where its thresholds set one.
fn low_throughput(spec: &Spec, target: &Target, sc: &Scrape, rps: f64, keeps: &BTreeMap<String, String>) -> Alert {
    let sel = &target.selector;
    let ml = [("model_name", target.model.as_str())];
    alert(
        spec,
        NAMES[2],
        format!("sum by (model_name) (rate(custom_model_inference_requests_total{{{sel}}}[10m])) < {}", show(rps)),
        Duration::new("15m"),
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
        pair(level(rps, Cmp::Below), scenario::eval_minutes(10, 15), keeps.clone(), |v, n| {
            sc.input("custom_model_inference_requests_total", &ml, counter(v.max(0.0) * 60.0, n))
        }),
    )
}

/// A drift score above the model's `drift_threshold`, where its thresholds set one.
fn drifting(spec: &Spec, target: &Target, sc: &Scrape, drift: f64, keeps: &BTreeMap<String, String>) -> Alert {
    let sel = &target.selector;
    let ml = [("model_name", target.model.as_str())];
    alert(
        spec,
        NAMES[3],
        format!("max by (model_name) (custom_model_drift_score{{{sel}}}) > {}", show(drift)),
        Duration::new("30m"),
        "warning",
        Text {
            summary: "AI Model {{ $labels.model_name }} is drifting",
            description: format!("The drift score of {} has been above {} for 30 minutes.", target.who, show(drift)),
            threshold: drift,
        },
        pair(level(drift, Cmp::Above), scenario::eval_minutes(0, 30), keeps.clone(), |v, n| {
            sc.input("custom_model_drift_score", &ml, gauge(v, n))
        }),
    )
}

/// The pod label as kube-state-metrics exports it.
/// The kube-state-metrics label (`label_<pod label>`) that carries a pod's model name.
pub fn ksm_label(spec: &Spec) -> String {
    let name: String =
        spec.ai_models.pod_label.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    format!("label_{name}")
}

/// GPU metrics of the model's pods: `metric * on (namespace, pod) group_left (model_name) <the
/// model's pods>`. DCGM series carry the pod (with the exporter's Kubernetes mapping);
/// kube-state-metrics' `kube_pod_labels` carries the model label when the pod label is
/// allow-listed (`--metric-labels-allowlist=pods=[ai_model_name]`).
fn per_model(spec: &Spec, metric: &str, target: &Target) -> String {
    let label = ksm_label(spec);
    let model_sel = target
        .selector
        .replace(&format!("job={}", quote(&spec.ai_models.job)), &super::kinds::matcher_or_role(spec, KSM_JOB))
        .replace("model_name", &label);
    format!(
        "{metric}{{{}}} * on (namespace, pod) group_left (model_name) label_replace(kube_pod_labels{{{model_sel}}}, \"model_name\", \"$1\", \"{label}\", \"(.*)\")",
        super::kinds::matcher_or_role(spec, DCGM_JOB)
    )
}

/// A pod of the model on a GPU: kube-state-metrics' `kube_pod_labels` for it (its namespace,
/// name and allow-listed model label, as the exporter exposes them) and DCGM's GPU series,
/// which carry the pod using the GPU (the exporter's Kubernetes mapping), each through its own
/// job's scrape.
fn gpu_series(
    spec: &Spec,
    (ksm, dcgm): (&Scrape, &Scrape),
    target: &Target,
    util: Option<f64>,
    mem_used: Option<f64>,
    n: u64,
) -> Vec<(String, String)> {
    let label = ksm_label(spec);
    let pod = [("namespace", "ai-models"), ("pod", "model-0")];
    let gpu = [("gpu", "0"), ("Hostname", "gpu-node-1"), pod[0], pod[1]];
    let mut out =
        ksm.input("kube_pod_labels", &[pod[0], pod[1], (label.as_str(), target.model.as_str())], gauge(1.0, n));
    if let Some(u) = util {
        out.extend(dcgm.input("DCGM_FI_DEV_GPU_UTIL", &gpu, gauge(u, n)));
    }
    if let Some(m) = mem_used {
        out.extend(dcgm.input("DCGM_FI_DEV_FB_USED", &gpu, gauge(m * 80000.0, n)));
        out.extend(dcgm.input("DCGM_FI_DEV_FB_FREE", &gpu, gauge((1.0 - m) * 80000.0, n)));
    }
    out
}

fn gpu_alerts(spec: &Spec, target: &Target, t: &Thresholds, keeps: &BTreeMap<String, String>) -> Vec<Alert> {
    let job = |role| super::kinds::job(spec, role).unwrap_or(role);
    let (ksm, dcgm) = (Scrape::of_or_nothing(spec, job(KSM_JOB)), Scrape::of_or_nothing(spec, job(DCGM_JOB)));
    let jobs = (&ksm, &dcgm);
    let util = t.gpu_utilisation_percent;
    let util_for = Duration::new("30m");
    let eval = scenario::eval_minutes(0, 30);
    let n = scenario::length(eval);
    let (fire, calm) = (util + (100.0 - util) / 2.0, util / 2.0);
    let utilisation = alert(
        spec,
        NAMES[4],
        format!("avg by (model_name) ({}) > {}", per_model(spec, "DCGM_FI_DEV_GPU_UTIL", target), show(util)),
        util_for,
        "warning",
        Text {
            summary: "GPUs of AI Model {{ $labels.model_name }} are saturated",
            description: format!(
                "The GPUs serving {} have been more than {}% busy for 30 minutes.",
                target.who,
                show(util)
            ),
            threshold: util,
        },
        Scenarios {
            firing: Scenario {
                series: gpu_series(spec, jobs, target, Some(fire), None, n),
                eval_minutes: eval,
                expect: vec![keeps.clone()],
            },
            healthy: Some(Scenario {
                series: gpu_series(spec, jobs, target, Some(calm), None, n),
                eval_minutes: eval,
                expect: vec![],
            }),
        },
    );
    let ratio = t.gpu_memory_ratio;
    let eval = scenario::eval_minutes(0, 15);
    let n = scenario::length(eval);
    let (fire, calm) = fraction(ratio, Cmp::Above);
    let used = per_model(spec, "DCGM_FI_DEV_FB_USED", target);
    let free = per_model(spec, "DCGM_FI_DEV_FB_FREE", target);
    let memory = alert(
        spec,
        NAMES[5],
        format!(
            "sum by (model_name) ({used}) / (sum by (model_name) ({used}) + sum by (model_name) ({free})) > {}",
            show(ratio)
        ),
        Duration::new("15m"),
        "warning",
        Text {
            summary: "GPU memory of AI Model {{ $labels.model_name }} is nearly full",
            description: format!(
                "The GPUs serving {} have had more than {} of their memory in use for 15 minutes.",
                target.who,
                show(ratio)
            ),
            threshold: ratio,
        },
        Scenarios {
            firing: Scenario {
                series: gpu_series(spec, jobs, target, None, Some(fire), n),
                eval_minutes: eval,
                expect: vec![keeps.clone()],
            },
            healthy: Some(Scenario {
                series: gpu_series(spec, jobs, target, None, Some(calm), n),
                eval_minutes: eval,
                expect: vec![],
            }),
        },
    );
    vec![utilisation, memory]
}
