//! Prometheus globals, teams and scrape jobs.

use super::cx::Cx;
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::path::OptionPath;
use crate::spec::scrape::{Discovery, K8sPreset, K8sRole, KubernetesDiscovery, Relabel, RelabelAction, ScrapeJob};
use crate::syntax::names;

pub fn check(spec: &Spec, cx: &mut Cx) {
    let p = &spec.prometheus;
    let (interval, timeout) = (p.scrape_interval.millis(), p.scrape_timeout.millis());
    if timeout > interval {
        cx.error(
            Code::DurationOrder,
            "prometheus.scrape_timeout",
            format!("{} is longer than the scrape interval {}", p.scrape_timeout, p.scrape_interval),
        )
        .hint("Prometheus rejects a timeout longer than the interval; shorten it");
    }
    let prometheus = OptionPath::root("prometheus");
    cx.labels(&prometheus.key("external_labels"), &p.external_labels);
    if p.alertmanagers.is_empty() {
        cx.error(Code::ValueOutOfRange, "prometheus.alertmanagers", "no Alertmanager: every alert would be lost")
            .hint("list at least one host:port, e.g. alertmanager:9093");
    }
    for (i, a) in p.alertmanagers.iter().enumerate() {
        cx.host_port(&prometheus.key("alertmanagers").index(i), a);
    }

    let teams = OptionPath::root("teams");
    for (i, t) in spec.teams.iter().enumerate() {
        cx.slug(&teams.index(i).key("name"), "team", &t.name);
    }
    cx.unique("team", spec.teams.iter().enumerate().map(|(i, t)| (teams.index(i).key("name"), t.name.as_str())));

    let jobs = OptionPath::root("scrape_jobs");
    for (i, job) in spec.scrape_jobs.iter().enumerate() {
        check_job(spec, &jobs.index(i), job, interval, cx);
        renamed_labels(spec, &jobs.index(i), job, cx);
    }
    cx.unique(
        "scrape job",
        spec.scrape_jobs.iter().enumerate().map(|(i, j)| (jobs.index(i).key("name"), j.name.as_str())),
    );
}

/// A job whose target labels (its static labels, discovery and relabeling, as the scrape model
/// finds them) take the name of a label its exporter sets itself, without `honor_labels`:
/// Prometheus keeps the exporter's as `exported_<name>`, so what reads or joins on it finds
/// nothing (issue 20: kube-state-metrics' and DCGM's `namespace`/`pod`).
fn renamed_labels(spec: &Spec, path: &OptionPath, job: &ScrapeJob, cx: &mut Cx) {
    let Some(own) = crate::catalogue::kinds::role(job).map(crate::catalogue::metrics::own_labels) else { return };
    let Some(scrape) = crate::scrape::Scrape::of(spec, &job.name) else { return };
    let renamed = scrape.renames(own.iter().copied());
    if renamed.is_empty() {
        return;
    }
    let exported: Vec<String> = renamed.iter().map(|l| format!("{}{l}", crate::scrape::EXPORTED)).collect();
    cx.error(
        Code::ScrapeRenamedLabel,
        path.key("honor_labels"),
        format!(
            "the job's target labels {} displace the exporter's own, which Prometheus keeps as {}: the alerts and dashboards that read or join on them find nothing",
            renamed.join(", "),
            exported.join(", ")
        ),
    )
    .hint(format!(
        "set honor_labels = true and drop the discovery's own labels (relabel_configs: {{ action = \"labeldrop\"; regex = \"{}\"; }}), as kube-prometheus scrapes kube-state-metrics",
        renamed.join("|")
    ));
}

/// The team names declared in the spec, for reference checks.
pub fn team_ref(spec: &Spec, cx: &mut Cx, path: &OptionPath, team: Option<&String>) {
    let Some(team) = team else { return };
    if !spec.teams.iter().any(|t| &t.name == team) {
        let known: Vec<&str> = spec.teams.iter().map(|t| t.name.as_str()).collect();
        cx.error(Code::RefUnknownTeam, path, format!("no team \"{team}\"")).hint(if known.is_empty() {
            "declare it under `teams`".into()
        } else {
            crate::diag::unknown_name_hint(team, "teams", &known)
        });
    }
}

fn check_job(spec: &Spec, path: &OptionPath, job: &ScrapeJob, global_interval: u64, cx: &mut Cx) {
    cx.slug(&path.key("name"), "job", &job.name);
    if let Some(f) = &job.file {
        cx.slug(&path.key("file"), "file", f);
    }
    team_ref(spec, cx, &path.key("owner"), job.owner.as_ref());
    job_intervals(spec, path, job, global_interval, cx);
    request(path, job, cx);
    job_labels(path, job, cx);
    discovery(path, &job.discovery, cx);
    credentials(path, job, cx);
    relabels(cx, &path.key("relabel_configs"), &job.relabel_configs);
    relabels(cx, &path.key("metric_relabel_configs"), &job.metric_relabel_configs);
}

/// The job's interval and timeout, its own or inherited from the globals: a scrape must end
/// before the next one starts.
fn job_intervals(spec: &Spec, path: &OptionPath, job: &ScrapeJob, global_interval: u64, cx: &mut Cx) {
    let interval = job.scrape_interval.as_ref().map_or(global_interval, |d| d.millis());
    if let Some(timeout) = &job.scrape_timeout
        && timeout.millis() > interval
    {
        cx.error(
            Code::DurationOrder,
            path.key("scrape_timeout"),
            "the timeout is longer than the job's scrape interval",
        )
        .hint("shorten scrape_timeout or lengthen scrape_interval");
    }
    if job.scrape_timeout.is_none()
        && job.scrape_interval.is_some()
        && spec.prometheus.scrape_timeout.millis() > interval
    {
        cx.error(
            Code::DurationOrder,
            path.key("scrape_interval"),
            "the interval is shorter than the global scrape timeout it inherits",
        )
        .hint("set scrape_timeout on this job too");
    }
}

/// What each scrape requests: an absolute metrics path and well-formed URL parameters.
fn request(path: &OptionPath, job: &ScrapeJob, cx: &mut Cx) {
    if let Some(mp) = &job.metrics_path
        && !mp.starts_with('/')
    {
        cx.error(Code::PathInvalid, path.key("metrics_path"), format!("\"{mp}\" must start with /"))
            .hint("e.g. /metrics");
    }
    for (name, values) in &job.params {
        if name.is_empty() || values.is_empty() || values.iter().any(String::is_empty) {
            cx.error(
                Code::ValueOutOfRange,
                path.key("params").key(name),
                "a scrape parameter needs a name and at least one non-empty value",
            )
            .hint("e.g. params.family = [ \"queue_coarse_metrics\" ]");
        }
    }
}

/// The job's static target labels: valid, and neither of the two Prometheus sets itself.
fn job_labels(path: &OptionPath, job: &ScrapeJob, cx: &mut Cx) {
    cx.labels(&path.key("labels"), &job.labels);
    for reserved in ["job", "instance"] {
        if job.labels.contains_key(reserved) {
            cx.error(
                Code::LabelInvalid,
                path.key("labels").key(reserved),
                format!("`{reserved}` is set by Prometheus for each target"),
            )
            .hint("remove it; the job label is the job's name");
        }
    }
}

/// How the job finds its targets: a non-empty static list, target files Prometheus reads, or
/// Kubernetes.
fn discovery(path: &OptionPath, discovery: &Discovery, cx: &mut Cx) {
    match discovery {
        Discovery::Static(s) => {
            if s.targets.is_empty() {
                cx.error(Code::ValueOutOfRange, path.key("discovery.static.targets"), "no targets")
                    .hint("list host:port targets, or use file_sd for a changing set");
            }
            for (i, t) in s.targets.iter().enumerate() {
                cx.host_port(&path.key("discovery.static.targets").index(i), t);
            }
        }
        Discovery::FileSd(f) => {
            if f.files.is_empty() {
                cx.error(Code::ValueOutOfRange, path.key("discovery.file_sd.files"), "no files")
                    .hint("list the target files");
            }
            for (i, file) in f.files.iter().enumerate() {
                let ok = [".json", ".yml", ".yaml"].iter().any(|e| file.ends_with(e));
                if !ok {
                    cx.error(
                        Code::PathInvalid,
                        path.key("discovery.file_sd.files").index(i),
                        format!("\"{file}\" must end in .json, .yml or .yaml"),
                    )
                    .hint("Prometheus only reads file_sd files with those extensions");
                }
            }
        }
        Discovery::Kubernetes(k) => kubernetes(&path.key("discovery.kubernetes"), k, cx),
    }
}

/// Kubernetes discovery: label selectors and mappings, a role that fits the preset, and one way
/// to choose the target port.
fn kubernetes(kp: &OptionPath, k: &KubernetesDiscovery, cx: &mut Cx) {
    for (name, re) in &k.match_labels {
        let at = kp.key("match_labels").key(name);
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) {
            cx.error(Code::LabelInvalid, &at, format!("\"{name}\" is not a Kubernetes label name"))
                .hint("e.g. app or app.kubernetes.io/name");
        }
        cx.regex(&at, re);
    }
    for (target, source) in &k.target_labels {
        let at = kp.key("target_labels").key(target);
        cx.label_name(&at, target);
        if source.is_empty() {
            cx.error(Code::LabelInvalid, at, "empty Kubernetes label name").hint("name the pod label");
        }
    }
    let preset_role = match k.preset {
        Some(K8sPreset::Cadvisor) => Some((K8sRole::Node, "node")),
        Some(K8sPreset::Apiserver) if !matches!(k.role, K8sRole::Endpoints | K8sRole::Endpointslice) => {
            Some((K8sRole::Endpoints, "endpoints"))
        }
        _ => None,
    };
    if let Some((role, name)) = preset_role
        && k.role != role
    {
        cx.error(
            Code::OptionCombination,
            kp.key("role"),
            format!("the {:?} preset discovers role {name}, not {}", k.preset.expect("set"), k.role.as_str())
                .to_lowercase(),
        )
        .hint(format!("set role: {name}"));
    }
    if k.port == Some(0) {
        cx.error(Code::ValueOutOfRange, kp.key("port"), "port 0").hint("use the exporter's port, e.g. 9400");
    }
    if k.annotations && k.port.is_some() {
        cx.error(Code::OptionCombination, kp.key("port"), "`port` and `annotations` both set the target port")
            .hint("drop `port` to use the prometheus.io/port annotation, or drop `annotations`");
    }
    if k.port_name.is_some() && !matches!(k.role.object(), "pod" | "service") {
        cx.error(Code::OptionCombination, kp.key("port_name"), format!("role {} has no named ports", k.role.as_str()))
            .hint("use port_name with the pod, service, endpoints or endpointslice role");
    }
}

/// The job's TLS and credentials: files the host provides, and at most one Authorization header.
fn credentials(path: &OptionPath, job: &ScrapeJob, cx: &mut Cx) {
    if let Some(tls) = &job.tls {
        cx.client_tls(&path.key("tls"), tls);
    }
    if let Some(b) = &job.basic_auth {
        cx.file_ref(&path.key("basic_auth.password_file"), &b.password_file);
    }
    if let Some(a) = &job.authorization {
        cx.file_ref(&path.key("authorization.credentials_file"), &a.credentials_file);
    }
    let service_account = matches!(&job.discovery, Discovery::Kubernetes(k) if k.service_account);
    if (job.basic_auth.is_some() as u8 + job.authorization.is_some() as u8 + service_account as u8) > 1 {
        cx.error(
            Code::OptionCombination,
            path.key("authorization"),
            "more than one of basic_auth, authorization and service_account",
        )
        .hint("Prometheus sends one Authorization header; keep one");
    }
}

fn relabels(cx: &mut Cx, path: &OptionPath, items: &[Relabel]) {
    for (i, r) in items.iter().enumerate() {
        let p = path.index(i);
        for (j, s) in r.source_labels.iter().enumerate() {
            if !names::is_label_name(s) {
                cx.error(Code::LabelInvalid, p.key("source_labels").index(j), format!("\"{s}\" is not a label name"))
                    .hint("label names match [a-zA-Z_][a-zA-Z0-9_]*");
            }
        }
        if let Some(re) = &r.regex {
            cx.regex(&p.key("regex"), re);
        }
        let action = r.action.unwrap_or(RelabelAction::Replace);
        let needs_target = matches!(
            action,
            RelabelAction::Replace
                | RelabelAction::Hashmod
                | RelabelAction::Lowercase
                | RelabelAction::Uppercase
                | RelabelAction::Keepequal
                | RelabelAction::Dropequal
        );
        if needs_target && r.target_label.is_none() {
            cx.error(
                Code::OptionCombination,
                p.key("target_label"),
                format!("action {action:?} needs target_label").to_lowercase(),
            )
            .hint("name the label to write");
        }
        if action == RelabelAction::Hashmod && r.modulus.unwrap_or(0) == 0 {
            cx.error(Code::OptionCombination, p.key("modulus"), "hashmod needs a modulus above 0")
                .hint("e.g. modulus: 2 for two shards");
        }
        if matches!(action, RelabelAction::Keep | RelabelAction::Drop | RelabelAction::Hashmod)
            && r.source_labels.is_empty()
        {
            cx.error(Code::OptionCombination, p.key("source_labels"), "this action needs source_labels")
                .hint("name the labels to match on");
        }
    }
}
