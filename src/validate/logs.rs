//! Loki and Promtail.

use super::cx::Cx;
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::loki::{Loki, LokiStorage, Retention};
use crate::spec::path::OptionPath;
use crate::spec::promtail::{LogSourceKind, Promtail};
use crate::syntax::{logql, names};

const DAY_MS: u64 = 86_400_000;

pub fn check(spec: &Spec, cx: &mut Cx) {
    let loki = &spec.loki;
    server(loki, cx);
    storage(&loki.storage, cx);
    if !is_date(&loki.schema_from) {
        cx.error(
            Code::ValueOutOfRange,
            "loki.schema_from",
            format!("\"{}\" is not a date YYYY-MM-DD", loki.schema_from),
        )
        .hint("use the day the schema takes effect, e.g. 2024-01-01");
    }
    retention(&loki.retention, cx);
    limits(spec, cx);
    log_classes(spec, cx);
    deployment(spec, cx);

    let pt = &spec.promtail;
    promtail_client(spec, cx);
    sources(pt, cx);
    shippers(pt, cx);
}

/// Loki's own server: two distinct, non-zero ports and an absolute data directory.
fn server(loki: &Loki, cx: &mut Cx) {
    for (field, port) in [("http_listen_port", loki.http_listen_port), ("grpc_listen_port", loki.grpc_listen_port)] {
        if port == 0 {
            cx.error(Code::ValueOutOfRange, OptionPath::root("loki").key(field), "port 0")
                .hint("choose a port, e.g. 3100 and 9096");
        }
    }
    if loki.http_listen_port == loki.grpc_listen_port {
        cx.error(Code::ValueOutOfRange, "loki.grpc_listen_port", "the HTTP and gRPC ports are the same")
            .hint("use distinct ports");
    }
    abs_dir(cx, &OptionPath::root("loki.data_dir"), &loki.data_dir);
}

/// The chunk and index store: an S3 bucket with its credentials' variables, or a local
/// directory.
fn storage(storage: &LokiStorage, cx: &mut Cx) {
    match storage {
        LokiStorage::S3(s3) => {
            let at = OptionPath::root("loki.storage.s3");
            cx.host_port(&at.key("endpoint"), &s3.endpoint);
            let b = &s3.bucket;
            let bucket_ok = (3..=63).contains(&b.len())
                && b.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                && !b.starts_with(['-', '.'])
                && !b.ends_with(['-', '.']);
            if !bucket_ok {
                cx.error(Code::NameInvalid, "loki.storage.s3.bucket", format!("\"{b}\" is not a valid S3 bucket name"))
                    .hint("3-63 lowercase letters, digits, '-' or '.', e.g. loki-chunks");
            }
            for (field, var) in
                [("access_key_id_env", &s3.access_key_id_env), ("secret_access_key_env", &s3.secret_access_key_env)]
            {
                if !names::is_env_var(var) {
                    cx.error(
                        Code::EnvVarInvalid,
                        at.key(field),
                        format!("\"{var}\" is not an environment variable name"),
                    )
                    .hint("use upper case, digits and underscores, e.g. LOKI_S3_SECRET_ACCESS_KEY");
                }
            }
            if s3.access_key_id_env == s3.secret_access_key_env {
                cx.error(
                    Code::EnvVarInvalid,
                    "loki.storage.s3.secret_access_key_env",
                    "the key id and the secret share one variable",
                )
                .hint("use two variables");
            }
            if let Some(ca) = &s3.ca_file {
                cx.file_ref(&at.key("ca_file"), ca);
            }
        }
        LokiStorage::Filesystem(fs) => {
            if let Some(d) = &fs.directory {
                abs_dir(cx, &OptionPath::root("loki.storage.filesystem.directory"), d);
            }
        }
    }
}

/// Retention: the default period and the per-stream ones, each at least a day, with stream
/// selectors that parse and are not given twice.
fn retention(r: &Retention, cx: &mut Cx) {
    retention_period(cx, &OptionPath::root("loki.retention.period"), &r.period);
    let streams = OptionPath::root("loki.retention.streams");
    for (i, s) in r.streams.iter().enumerate() {
        let p = streams.index(i);
        if s.selector.contains('$') {
            cx.error(Code::LogqlInvalid, p.key("selector"), "`$` would be expanded by Loki's -config.expand-env")
                .hint("match the character another way, e.g. with a character class or without the end anchor (Loki anchors regexes)");
        } else if let Err(e) = logql::parse_selector(&s.selector) {
            cx.error(Code::LogqlInvalid, p.key("selector"), format!("\"{}\": {e}", s.selector))
                .hint("write a stream selector such as {log_class=\"security_audit\"}");
        }
        retention_period(cx, &p.key("period"), &s.period);
    }
    cx.unique(
        "retention selector",
        r.streams.iter().enumerate().map(|(i, s)| (streams.index(i).key("selector"), s.selector.as_str())),
    );
}

/// Loki's query and ingestion limits, as they take effect.
fn limits(spec: &Spec, cx: &mut Cx) {
    let loki = &spec.loki;
    // The effective limits (given values over the size's defaults), reported at the given path.
    let l = loki.effective_limits();
    if !(l.ingestion_rate_mb.is_finite() && l.ingestion_rate_mb > 0.0) {
        cx.error(Code::ValueOutOfRange, "loki.limits.ingestion_rate_mb", "must be a positive number").hint("e.g. 4");
    }
    if !(l.ingestion_burst_size_mb.is_finite() && l.ingestion_burst_size_mb >= l.ingestion_rate_mb) {
        cx.error(
            Code::ValueOutOfRange,
            "loki.limits.ingestion_burst_size_mb",
            format!(
                "the burst ({} MB) must be at least the ingestion rate ({} MB/s)",
                l.ingestion_burst_size_mb, l.ingestion_rate_mb
            ),
        )
        .hint("set it to 1.5x the rate or more");
    }
    for (field, value) in [
        ("max_query_parallelism", l.max_query_parallelism),
        ("tsdb_max_query_parallelism", l.tsdb_max_query_parallelism),
    ] {
        if value == 0 {
            cx.error(Code::ValueOutOfRange, OptionPath::root("loki.limits").key(field), "0 would stop every query")
                .hint("leave it unset for the size's default");
        }
    }
    let v = spec.versions.loki.version();
    if !crate::features::tsdb(v) && loki.limits.tsdb_max_query_parallelism.is_some() {
        cx.error(
            Code::VersionUnsupported,
            "loki.limits.tsdb_max_query_parallelism",
            format!("Loki {v} is rendered with the boltdb-shipper index; this limit applies to Loki 3's TSDB index"),
        )
        .hint("remove it, or target Loki 3.x (versions.loki)");
    }
    if !(1..=100).contains(&l.max_label_names_per_series) {
        cx.error(Code::ValueOutOfRange, "loki.limits.max_label_names_per_series", "must be between 1 and 100")
            .hint("Loki's default is 15");
    }
}

/// Where and how Promtail pushes: its port, positions file, Loki's push URL and the tenant
/// Loki expects.
fn promtail_client(spec: &Spec, cx: &mut Cx) {
    let loki = &spec.loki;
    let pt = &spec.promtail;
    if pt.http_listen_port == 0 {
        cx.error(Code::ValueOutOfRange, "promtail.http_listen_port", "port 0").hint("e.g. 9080");
    }
    cx.file_ref(&OptionPath::root("promtail.positions_file"), &pt.positions_file);
    cx.url(&OptionPath::root("promtail.loki_url"), &pt.loki_url);
    if names::check_url(&pt.loki_url).is_ok() && !pt.loki_url.trim_end_matches('/').ends_with("/loki/api/v1/push") {
        cx.error(Code::UrlInvalid, "promtail.loki_url", format!("\"{}\" is not Loki's push endpoint", pt.loki_url))
            .hint("end the URL with /loki/api/v1/push");
    }
    if loki.auth_enabled && pt.tenant_id.is_none() {
        cx.error(
            Code::SpecMissingField,
            "promtail.tenant_id",
            "Loki requires a tenant (auth_enabled) but Promtail sends none",
        )
        .hint("set promtail.tenant_id, e.g. to the environment name");
    }
}

/// The log sources: named once each, and what each kind reads.
fn sources(pt: &Promtail, cx: &mut Cx) {
    if pt.sources.is_empty() {
        cx.error(Code::ValueOutOfRange, "promtail.sources", "no log sources").hint("add at least the system logs");
    }
    let sources = OptionPath::root("promtail.sources");
    for (i, src) in pt.sources.iter().enumerate() {
        let p = sources.index(i);
        cx.slug(&p.key("name"), "log source", &src.name);
        match &src.kind {
            LogSourceKind::Files(f) => {
                let files = p.key("kind.files");
                cx.file_ref(&files.key("path"), &f.path);
                cx.labels(&files.key("labels"), &f.labels);
                for name in f.labels.keys().filter(|k| crate::lint::labels::UNBOUNDED.contains(&k.as_str())) {
                    cx.error(
                        Code::LintCardinality,
                        files.key("labels").key(name),
                        format!("{name} names a value with no bound; as a stream label it would split the stream per value"),
                    )
                    .hint("keep it in the line (on Loki 3, Kubernetes sources send trace, span and inference ids as structured metadata)");
                }
            }
            LogSourceKind::KubernetesPods(_) => {}
            LogSourceKind::AiModels(a) => {
                if let Err(e) = label_selector(&a.pod_selector) {
                    cx.error(
                        Code::LabelInvalid,
                        p.key("kind.ai_models.pod_selector"),
                        format!("\"{}\": {e}", a.pod_selector),
                    )
                    .hint("write a Kubernetes label selector such as app.kubernetes.io/component=ai-model");
                }
                for (field, v) in
                    [("model_name_label", &a.model_name_label), ("model_version_label", &a.model_version_label)]
                {
                    if !is_k8s_label(v) {
                        cx.error(
                            Code::LabelInvalid,
                            p.key("kind.ai_models").key(field),
                            format!("\"{v}\" is not a Kubernetes label name"),
                        )
                        .hint("e.g. ai_model_name");
                    }
                }
            }
        }
    }
    cx.unique(
        "log source",
        pt.sources.iter().enumerate().map(|(i, s)| (sources.index(i).key("name"), s.name.as_str())),
    );
}

/// The shippers: at least one, each listed once, and the Alloy component labels made of the
/// source names.
fn shippers(pt: &Promtail, cx: &mut Cx) {
    if pt.shippers.is_empty() {
        cx.error(Code::ValueOutOfRange, "promtail.shippers", "no shipper: the log sources would go nowhere")
            .hint("list promtail, alloy or both");
    }
    let shippers = OptionPath::root("promtail.shippers");
    cx.unique("shipper", pt.shippers.iter().enumerate().map(|(i, s)| (shippers.index(i), s.as_str())));
    // Alloy component labels are identifiers: two sources must not map to the same one.
    let idents: Vec<String> = pt.sources.iter().map(|s| crate::conf::alloy::ident(&s.name)).collect();
    let sources = OptionPath::root("promtail.sources");
    cx.unique(
        "Alloy component label",
        idents.iter().enumerate().map(|(i, id)| (sources.index(i).key("name"), id.as_str())),
    );
}

fn abs_dir(cx: &mut Cx, path: &OptionPath, dir: &str) {
    if !dir.starts_with('/') {
        cx.error(Code::PathInvalid, path, format!("\"{dir}\" is not an absolute path")).hint("e.g. /var/lib/loki");
    }
}

fn retention_period(cx: &mut Cx, path: &OptionPath, period: &crate::syntax::Duration) {
    let ms = period.millis();
    if ms != 0 && ms < DAY_MS {
        cx.error(Code::ValueOutOfRange, path, format!("{period} is shorter than the 24h Loki accepts for retention"))
            .hint("use 24h or more (0 keeps logs forever)");
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!((num(0..4), num(5..7), num(8..10)), (Some(y), Some(m), Some(d)) if y >= 2000 && (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// A Kubernetes label key: optional DNS prefix and `/`, then a name of [A-Za-z0-9._-].
fn is_k8s_label(s: &str) -> bool {
    let name = s.rsplit('/').next().unwrap_or(s);
    !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.matches('/').count() <= 1
}

/// Kubernetes equality selectors `k=v[,k2=v2]`: the form whose pods the generic pod source can
/// leave out with a relabel rule, so no log file is read twice.
fn label_selector(s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err("empty selector".into());
    }
    for part in s.split(',') {
        let part = part.trim();
        let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) else {
            return Err(format!("\"{part}\" is not a key=value term (only equality selectors are supported)"));
        };
        if key.ends_with('!') || !is_k8s_label(key.trim()) {
            return Err(format!("\"{}\" is not a label key (only equality selectors are supported)", key.trim()));
        }
        let v = value.trim();
        if v.is_empty() || v.len() > 63 || !v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            return Err(format!("\"{v}\" is not a label value"));
        }
    }
    Ok(())
}

/// Log classes: each retention class is one a source gives its streams (a class nobody ships
/// would keep nothing), and a source's class is a bounded label value.
fn log_classes(spec: &Spec, cx: &mut Cx) {
    let mut shipped = Vec::new();
    for (i, s) in spec.promtail.sources.iter().enumerate() {
        let Some(class) = &s.log_class else { continue };
        let p = OptionPath::root("promtail.sources").index(i);
        cx.slug(&p.key("log_class"), "log class", class);
        if let LogSourceKind::Files(f) = &s.kind
            && f.labels.contains_key(crate::spec::promtail::LOG_CLASS_LABEL)
        {
            cx.error(Code::OptionCombination, p.key("kind.files.labels.log_class"), "the class is given twice")
                .hint("keep log_class on the source and remove the label");
        }
        shipped.push(class.as_str());
    }
    let r = &spec.loki.retention;
    let classes = OptionPath::root("loki.retention.classes");
    for (i, c) in r.classes.iter().enumerate() {
        let p = classes.index(i);
        if !shipped.contains(&c.class.as_str()) {
            let known = if shipped.is_empty() { "none".to_string() } else { shipped.join(", ") };
            cx.error(Code::RefUnknownLogClass, p.key("class"), format!("no log source ships class \"{}\"", c.class))
                .hint(format!("set promtail.sources[].log_class on the source, or use a shipped class ({known})"));
        }
        retention_period(cx, &p.key("period"), &c.period);
    }
    cx.unique(
        "retention class",
        r.classes.iter().enumerate().map(|(i, c)| (classes.index(i).key("class"), c.class.as_str())),
    );
}

/// The simple scalable deployment: its targets share chunks and index through the object
/// store, so a local filesystem cannot back it; its ring needs peers to join.
fn deployment(spec: &Spec, cx: &mut Cx) {
    let Some(s) = &spec.loki.simple_scalable else { return };
    let p = OptionPath::root("loki.simple_scalable");
    if matches!(spec.loki.storage, LokiStorage::Filesystem(_)) {
        cx.error(
            Code::VersionUnsupported,
            "loki.storage.filesystem",
            "the simple scalable deployment's targets share chunks through an object store; a local filesystem is one node's",
        )
        .hint("use loki.storage.s3 (MinIO), or leave loki.simple_scalable unset for a single binary");
    }
    if s.join_members.is_empty() {
        cx.error(Code::ValueOutOfRange, p.key("join_members"), "no memberlist peer to join")
            .hint("list the targets' memberlist addresses, e.g. loki-read:7946");
    }
    for (i, m) in s.join_members.iter().enumerate() {
        cx.host_port(&p.key("join_members").index(i), m);
    }
    cx.unique(
        "memberlist peer",
        s.join_members.iter().enumerate().map(|(i, m)| (p.key("join_members").index(i), m.as_str())),
    );
    cx.url(&p.key("compactor_address"), &s.compactor_address);
    if s.memberlist_port == 0 || [spec.loki.http_listen_port, spec.loki.grpc_listen_port].contains(&s.memberlist_port) {
        cx.error(Code::ValueOutOfRange, p.key("memberlist_port"), "0, or a port the HTTP or gRPC server uses")
            .hint("Loki's memberlist default is 7946");
    }
    if !(1..=5).contains(&s.replication_factor) {
        cx.error(Code::ValueOutOfRange, p.key("replication_factor"), "must be between 1 and 5")
            .hint("3 survives the loss of one write target");
    }
}
