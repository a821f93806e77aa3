//! What a Prometheus scrape makes of an exporter's series, for one scrape job as monstack renders
//! it: the one model of it, from the `scrape_configs` entry [`crate::render::prometheus`]
//! writes for the job (its static labels, relabeling, `honor_labels` and metric relabeling).
//!
//! A target of the job is discovered with the labels its discovery gives (a hypothetical
//! target: the first static target, or a Kubernetes object that satisfies the job's
//! selectors); `PopulateLabels` (Prometheus `scrape/target.go`, 2.53) adds `job`,
//! `__scheme__`, `__metrics_path__` and the scrape interval and timeout where unset, applies
//! `relabel_configs` (a dropped target has no series), deletes the `__meta_*` labels and
//! defaults `instance` to `__address__`; the target's public labels are those not starting
//! with `__`. `mutateSampleLabels` (`scrape/scrape.go`) then merges them into each scraped
//! series: with `honor_labels` the series' own label wins and a target label is added only
//! where the series lacks it; without, the target label wins and a non-empty exposed value is
//! kept as `exported_<name>` (`resolveConflictingExposedLabels`: shortest names first, the
//! prefix repeated until the name is free); `metric_relabel_configs` run last. An empty value
//! is no label. Sharding's `hashmod`/`keep` (`scrape::config::with_hashmod`) only chooses
//! which shard scrapes a target and is left out.
//!
//! The alert catalogue's test scenarios state what each exporter exposes (its own label names:
//! kube-state-metrics' `namespace` and `pod`, DCGM's `Hostname`) and feed promtool what this
//! model stores; the labels they expect an alert to carry are the exporter's own (what the
//! alert is about), so a scrape that renames one fails the alert's firing test. Validation's
//! `scrape/renamed-label` reports such a job before any test runs.

pub(crate) mod config;
pub mod relabel;
pub mod steps;

use crate::spec::Spec;
use crate::spec::scrape::{Discovery, K8sPreset, K8sRole, Relabel, ScrapeJob};
use config::scrape_config;
use relabel::{Labels, set};
use steps::k8s_label;

/// One target of a scrape job, as Prometheus scrapes it.
#[derive(Clone, Debug)]
pub struct Scrape {
    target: Labels,
    honor_labels: bool,
    metric_relabel_configs: Vec<Relabel>,
    /// The job's relabeling drops its targets (or the job is not declared): nothing is stored.
    dropped: bool,
}

/// The prefix Prometheus gives an exposed label that a target label displaces
/// (`model.ExportedLabelPrefix`).
pub const EXPORTED: &str = "exported_";

impl Scrape {
    /// A target of `job`; `None` when the spec has no such job or its relabeling drops every
    /// target discovery could find.
    pub fn of(spec: &Spec, job: &str) -> Option<Scrape> {
        Self::with_object(spec, job, &[])
    }

    /// [`Scrape::of`], or a scrape that stores nothing when the job has no target: an alert's
    /// scenarios built on it have no input, so its firing test fails.
    pub fn of_or_nothing(spec: &Spec, job: &str) -> Scrape {
        Self::of(spec, job).unwrap_or_else(|| Self::nothing(job))
    }

    fn nothing(job: &str) -> Scrape {
        let target = [("job".to_string(), job.to_string())].into();
        Scrape { target, honor_labels: false, metric_relabel_configs: Vec::new(), dropped: true }
    }

    /// A target whose Kubernetes object also carries `object_labels` (e.g. the pod label the
    /// job's `target_labels` copy).
    pub fn with_object(spec: &Spec, job: &str, object_labels: &[(&str, &str)]) -> Option<Scrape> {
        let job = spec.scrape_jobs.iter().find(|j| j.name == job)?;
        let config = scrape_config(job);
        let mut l = discovered(job, object_labels);
        if let Some(group) = config.static_configs.first() {
            for (k, v) in &group.labels {
                l.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let p = &spec.prometheus;
        let interval = job.scrape_interval.as_ref().unwrap_or(&p.scrape_interval).to_string();
        let timeout = job.scrape_timeout.as_ref().unwrap_or(&p.scrape_timeout).to_string();
        let scheme = config.scheme.map_or("http", |s| match s {
            crate::spec::scrape::Scheme::Http => "http",
            crate::spec::scrape::Scheme::Https => "https",
        });
        for (name, value) in [
            ("job", config.job_name.as_str()),
            ("__scrape_interval__", interval.as_str()),
            ("__scrape_timeout__", timeout.as_str()),
            ("__metrics_path__", config.metrics_path.as_deref().unwrap_or("/metrics")),
            ("__scheme__", scheme),
        ] {
            if l.get(name).is_none_or(String::is_empty) {
                set(&mut l, name, value);
            }
        }
        if !relabel::apply(&config.relabel_configs, &mut l) {
            return None;
        }
        let address = l.get("__address__").cloned()?;
        l.retain(|k, _| !k.starts_with("__meta_"));
        l.entry("instance".into()).or_insert(address);
        l.retain(|k, _| !k.starts_with("__"));
        Some(Scrape {
            target: l,
            honor_labels: config.honor_labels,
            metric_relabel_configs: config.metric_relabel_configs,
            dropped: false,
        })
    }

    /// Another target of the same job, at `instance` (what a job of several targets, one per
    /// node, scrapes from each).
    pub fn at_instance(&self, instance: &str) -> Scrape {
        let mut other = self.clone();
        if !other.dropped {
            other.target.insert("instance".into(), instance.into());
        }
        other
    }

    /// The target's labels: what `up` and every series of the target carry.
    pub fn target(&self) -> &Labels {
        &self.target
    }

    /// The labels Prometheus stores for a series the exporter exposes as `metric{exposed}`;
    /// `None` when metric relabeling drops it.
    pub fn stored(&self, metric: &str, exposed: &[(&str, &str)]) -> Option<Labels> {
        self.merge(metric, exposed, !self.honor_labels)
    }

    /// The labels the series should have: the target's, with the exposed labels kept as the
    /// exporter gave them (and metric relabeling applied). [`Scrape::stored`] differs exactly
    /// when a target label displaces an exposed one.
    pub fn intended(&self, metric: &str, exposed: &[(&str, &str)]) -> Option<Labels> {
        self.merge(metric, exposed, false)
    }

    /// The exposed labels (of any series) a target label of this job displaces, renaming them
    /// `exported_<name>`: none with `honor_labels`.
    pub fn renames<'a>(&self, exposed: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        if self.honor_labels {
            return Vec::new();
        }
        exposed.into_iter().filter(|l| self.target.contains_key(*l)).collect()
    }

    /// Input series for promtool: `metric{exposed}` as stored, with these values; empty when
    /// metric relabeling drops it.
    pub fn input(&self, metric: &str, exposed: &[(&str, &str)], values: String) -> Vec<(String, String)> {
        match self.stored(metric, exposed).filter(|_| !self.dropped) {
            Some(mut l) => {
                let name = l.remove("__name__").unwrap_or_default();
                vec![(crate::catalogue::scenario::series_of(&name, &l), values)]
            }
            None => Vec::new(),
        }
    }

    /// Input series of a series Prometheus writes for the target itself (`up`): its labels are
    /// the target's, and metric relabeling does not apply (`mutateReportSampleLabels`).
    pub fn report(&self, metric: &str, values: String) -> Vec<(String, String)> {
        if self.dropped {
            return Vec::new();
        }
        vec![(crate::catalogue::scenario::series_of(metric, &self.target), values)]
    }

    /// [`Scrape::intended`] without the metric name: the labels an alert on the series keeps.
    pub fn expected(&self, metric: &str, exposed: &[(&str, &str)]) -> Labels {
        let mut l = self.intended(metric, exposed).unwrap_or_default();
        l.remove("__name__");
        l
    }

    fn merge(&self, metric: &str, exposed: &[(&str, &str)], target_wins: bool) -> Option<Labels> {
        let mut l: Labels = exposed.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut displaced = Vec::new();
        for (name, value) in &self.target {
            match exposed.iter().find(|(k, _)| k == name) {
                Some(_) if !target_wins => continue,
                Some((_, own)) if !own.is_empty() => displaced.push((name.as_str(), *own)),
                Some(_) => {}
                None => {}
            }
            l.insert(name.clone(), value.clone());
        }
        // Shortest names first, each under the first free `exported_…` name.
        displaced.sort_by_key(|(name, _)| name.len());
        for (name, own) in displaced {
            let mut renamed = name.to_string();
            loop {
                renamed = format!("{EXPORTED}{renamed}");
                if l.get(&renamed).is_none_or(String::is_empty) {
                    l.insert(renamed, own.to_string());
                    break;
                }
            }
        }
        l.retain(|_, v| !v.is_empty());
        l.insert("__name__".into(), metric.into());
        if !relabel::apply(&self.metric_relabel_configs, &mut l) {
            return None;
        }
        Some(l)
    }
}

/// The labels discovery gives the job's hypothetical target, before relabeling: the address,
/// and for Kubernetes the meta labels of an object in the job's first namespace that has the
/// labels and port the job's selectors keep, and `object_labels`.
fn discovered(job: &ScrapeJob, object_labels: &[(&str, &str)]) -> Labels {
    let mut l = Labels::new();
    let mut put = |k: &str, v: &str| set(&mut l, k, v);
    match &job.discovery {
        Discovery::Static(s) => put("__address__", s.targets.first().map_or("", String::as_str)),
        Discovery::FileSd(f) => {
            put("__address__", "host-1:9100");
            put("__meta_filepath", f.files.first().map_or("", String::as_str));
        }
        Discovery::Kubernetes(k) => {
            let object = k.role.object();
            let apiserver = k.preset == Some(K8sPreset::Apiserver);
            let namespace = if apiserver { "default" } else { k.namespaces.first().map_or("default", String::as_str) };
            let name = if apiserver { "kubernetes".to_string() } else { format!("{}-0", job.name.replace('_', "-")) };
            let port_name = k.port_name.as_deref().unwrap_or(if apiserver { "https" } else { "metrics" });
            put("__meta_kubernetes_namespace", namespace);
            match k.role {
                K8sRole::Node => {
                    put("__address__", "10.0.0.1:10250");
                    put("__meta_kubernetes_node_name", "node-1");
                    put(&k8s_label("node", "kubernetes.io/hostname"), "node-1");
                }
                K8sRole::Pod => {
                    put("__address__", "10.0.0.1:8080");
                    put("__meta_kubernetes_pod_name", &name);
                    put("__meta_kubernetes_pod_node_name", "node-1");
                    put("__meta_kubernetes_pod_container_port_name", port_name);
                }
                K8sRole::Service | K8sRole::Endpoints | K8sRole::Endpointslice => {
                    put("__address__", "10.0.0.1:8080");
                    put("__meta_kubernetes_service_name", &name);
                    put("__meta_kubernetes_service_port_name", port_name);
                    put("__meta_kubernetes_endpoint_port_name", port_name);
                    put("__meta_kubernetes_endpointslice_port_name", port_name);
                    put("__meta_kubernetes_endpoint_node_name", "node-1");
                    put("__meta_kubernetes_endpointslice_endpoint_node_name", "node-1");
                    if k.role != K8sRole::Service {
                        put("__meta_kubernetes_pod_name", &format!("{name}-pod"));
                        put("__meta_kubernetes_pod_node_name", "node-1");
                    }
                }
                K8sRole::Ingress => put("__address__", "ingress-1"),
            }
            if k.annotations {
                put(&format!("__meta_kubernetes_{object}_annotation_prometheus_io_scrape"), "true");
            }
            for (label, re) in &k.match_labels {
                put(&k8s_label(object, label), &sample(re).unwrap_or_default());
            }
            for (label, value) in object_labels {
                put(&k8s_label(object, label), value);
            }
        }
    }
    l
}

/// A value the anchored regex matches, for a selector's regex: itself when it is a literal, else
/// its first alternative with escapes and repetition left out; `None` when neither matches.
fn sample(re: &str) -> Option<String> {
    let anchored = regex::Regex::new(&format!("^(?s:{re})$")).ok()?;
    let first = re.split('|').next().unwrap_or("");
    let plain: String =
        first.replace(".*", "").replace(".+", "x").chars().filter(|c| !"\\()^$?*+[]{}".contains(*c)).collect();
    [re.to_string(), re.replace('\\', ""), plain].into_iter().find(|c| anchored.is_match(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_with(jobs: serde_json::Value) -> Spec {
        let mut doc: serde_json::Value = serde_json::from_slice(
            &std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/creativeflow/dev.json")).unwrap(),
        )
        .unwrap();
        doc["scrape_jobs"] = jobs;
        serde_json::from_value(doc).unwrap()
    }

    fn l(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// A pod-discovered job without `honor_labels`: the target's `namespace` and `pod` displace
    /// the exporter's, which Prometheus keeps as `exported_namespace` and `exported_pod`.
    #[test]
    fn target_labels_displace_exposed_ones_without_honor_labels() {
        let spec = spec_with(serde_json::json!([
            {"name": "dcgm", "discovery": {"kubernetes": {"role": "pod", "namespaces": ["gpu-operator"], "match_labels": {"app": "nvidia-dcgm-exporter"}, "port": 9400, "instance_from_node": true}}}
        ]));
        let s = Scrape::of(&spec, "dcgm").unwrap();
        assert_eq!(
            s.target(),
            &l(&[("instance", "node-1"), ("job", "dcgm"), ("namespace", "gpu-operator"), ("pod", "dcgm-0")])
        );
        let exposed = [("gpu", "0"), ("namespace", "ai-models"), ("pod", "model-0"), ("container", "")];
        assert_eq!(
            s.stored("DCGM_FI_DEV_GPU_UTIL", &exposed).unwrap(),
            l(&[
                ("__name__", "DCGM_FI_DEV_GPU_UTIL"),
                ("exported_namespace", "ai-models"),
                ("exported_pod", "model-0"),
                ("gpu", "0"),
                ("instance", "node-1"),
                ("job", "dcgm"),
                ("namespace", "gpu-operator"),
                ("pod", "dcgm-0"),
            ])
        );
        assert_eq!(s.renames(exposed.iter().map(|(k, _)| *k)), ["namespace", "pod"]);
        let intended = s.intended("DCGM_FI_DEV_GPU_UTIL", &exposed).unwrap();
        assert_eq!((intended["namespace"].as_str(), intended["pod"].as_str()), ("ai-models", "model-0"));
        assert!(!intended.contains_key("container"), "an empty value is no label");
    }

    /// With `honor_labels` the exposed labels win, and a target label fills in only where the
    /// series lacks it; dropping the discovery's own labels leaves them out entirely.
    #[test]
    fn honor_labels_keep_the_exporters_labels() {
        let spec = spec_with(serde_json::json!([
            {"name": "ksm", "honor_labels": true,
             "relabel_configs": [{"action": "labeldrop", "regex": "namespace|pod"}],
             "discovery": {"kubernetes": {"role": "endpoints", "namespaces": ["kube-system"], "port_name": "http-metrics"}}},
            {"name": "ksm-honour-only", "honor_labels": true,
             "discovery": {"kubernetes": {"role": "endpoints", "namespaces": ["kube-system"]}}}
        ]));
        let s = Scrape::of(&spec, "ksm").unwrap();
        assert_eq!(s.target(), &l(&[("instance", "10.0.0.1:8080"), ("job", "ksm")]));
        let exposed = [("namespace", "creativeflow"), ("pod", "api-0")];
        assert_eq!(s.stored("kube_pod_labels", &exposed), s.intended("kube_pod_labels", &exposed));
        assert!(s.renames(["namespace", "pod"]).is_empty());
        // Honoured, the exporter's namespace wins; a series without one gets the target's.
        let h = Scrape::of(&spec, "ksm-honour-only").unwrap();
        assert_eq!(h.stored("kube_pod_labels", &exposed).unwrap()["namespace"], "creativeflow");
        assert_eq!(h.stored("kube_node_info", &[("node", "n")]).unwrap()["namespace"], "kube-system");
    }

    /// Prometheus' own cases (`scrape/scrape_test.go`,
    /// `TestScrapeLoopAppendForConflictingPrefixedLabels`): `exported_` is prefixed until the
    /// name is free, shortest names first.
    #[test]
    fn conflicting_exported_labels_resolve_like_prometheus() {
        type Case = (
            &'static [(&'static str, &'static str)],
            &'static [(&'static str, &'static str)],
            &'static [(&'static str, &'static str)],
        );
        let cases: &[Case] = &[
            (&[("foo", "2")], &[("foo", "1")], &[("exported_foo", "1"), ("foo", "2")]),
            (
                &[("foo", "2"), ("exported_foo", "3")],
                &[("foo", "1")],
                &[("exported_exported_foo", "1"), ("exported_foo", "3"), ("foo", "2")],
            ),
            (
                &[("foo", "3")],
                &[("foo", "1"), ("exported_foo", "2")],
                &[("exported_exported_foo", "1"), ("exported_foo", "2"), ("foo", "3")],
            ),
            (
                &[("exported_foo", "2")],
                &[("exported_foo", "1")],
                &[("exported_exported_foo", "1"), ("exported_foo", "2")],
            ),
            (
                &[("foo", "3"), ("exported_foo", "4")],
                &[("foo", "1"), ("exported_foo", "2")],
                &[
                    ("exported_exported_foo", "1"),
                    ("exported_exported_exported_foo", "2"),
                    ("exported_foo", "4"),
                    ("foo", "3"),
                ],
            ),
            (
                &[("foo", "0"), ("exported_exported_foo", "1"), ("exported_exported_exported_foo", "2")],
                &[("foo", "3"), ("exported_foo", "4"), ("exported_exported_exported_foo", "5")],
                &[
                    ("exported_exported_exported_exported_exported_foo", "5"),
                    ("exported_exported_exported_exported_foo", "3"),
                    ("exported_exported_exported_foo", "2"),
                    ("exported_exported_foo", "1"),
                    ("exported_foo", "4"),
                    ("foo", "0"),
                ],
            ),
        ];
        for (target, exposed, want) in cases {
            let s = Scrape { target: l(target), honor_labels: false, metric_relabel_configs: vec![], dropped: false };
            let mut want = l(want);
            want.insert("__name__".into(), "metric".into());
            assert_eq!(s.stored("metric", exposed).unwrap(), want, "{target:?} {exposed:?}");
        }
    }

    #[test]
    fn relabeling_drops_targets_and_metric_relabeling_drops_series() {
        let spec = spec_with(serde_json::json!([
            {"name": "dropped", "relabel_configs": [{"source_labels": ["__address__"], "regex": "b:.*", "action": "keep"}],
             "discovery": {"static": {"targets": ["a:1"]}}},
            {"name": "kept", "labels": {"service": "db"},
             "metric_relabel_configs": [{"source_labels": ["__name__"], "regex": "go_.*", "action": "drop"}],
             "discovery": {"file_sd": {"files": ["/x.json"]}}}
        ]));
        assert!(Scrape::of(&spec, "dropped").is_none());
        assert!(Scrape::of(&spec, "nope").is_none());
        let s = Scrape::of(&spec, "kept").unwrap();
        assert_eq!(s.target(), &l(&[("instance", "host-1:9100"), ("job", "kept"), ("service", "db")]));
        assert!(s.input("go_goroutines", &[], "1x5".into()).is_empty());
        assert_eq!(
            s.input("up_total", &[], "1x5".into()),
            [("up_total{instance=\"host-1:9100\", job=\"kept\", service=\"db\"}".to_string(), "1x5".to_string())]
        );
    }

    #[test]
    fn selector_regexes_get_a_value_they_match() {
        assert_eq!(sample("api-gateway-app").as_deref(), Some("api-gateway-app"));
        assert_eq!(sample("kube-state-metrics|ksm").as_deref(), Some("kube-state-metrics"));
        assert_eq!(sample(r"web\.frontend").as_deref(), Some("web.frontend"));
        assert_eq!(sample("model-.+").as_deref(), Some("model-.+"));
        assert_eq!(sample("[0-9]+"), None);
    }
}
