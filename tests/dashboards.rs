//! The generated dashboards: all the seed names exist for prod, they pass Grafana's published
//! JSON Schemas (grafana-foundation-sdk, in ../shared/schemas/grafana), and the in-process
//! checker catches each kind of broken dashboard it claims to.

mod common;

use common::example_spec as spec;

use monstack::dashboards::{self, check::Metrics};
use monstack::diag::Code;
use monstack::spec::Spec;
use monstack::spec::grafana::DashboardKind;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use dashboards::check::datasources;

/// Every dashboard the env's folders list (built-in and golden-signals), rendered, by uid.
fn rendered(spec: &Spec) -> Vec<(String, Value)> {
    dashboards::provisioned(spec).map(|(_, _, d)| (d.uid(), dashboards::render(spec, d))).collect()
}

#[test]
fn prod_has_every_dashboard_the_seed_names_and_each_passes_the_checker() {
    let prod = spec("prod");
    let kinds: BTreeSet<DashboardKind> = prod.grafana.folders.iter().flat_map(|f| f.dashboards.clone()).collect();
    assert_eq!(kinds, DashboardKind::ALL.into_iter().collect(), "prod lists every built-in dashboard");
    for env in common::ENVS {
        let s = spec(env);
        let (ds, m) = (datasources(&s), Metrics::of(&s));
        let mut uids = BTreeSet::new();
        for (kind, d) in rendered(&s) {
            assert_eq!(d["uid"], kind.as_str());
            assert!(uids.insert(kind.clone()), "{env}: uid of {kind:?} is unique");
            let problems = dashboards::check::check(&d, &ds, Some(&m));
            assert!(problems.is_empty(), "{env} {kind:?}: {problems:#?}");
            assert!(d["panels"].as_array().unwrap().len() >= 4, "{env} {kind:?} shows something");
        }
    }
}

#[test]
fn the_seed_dashboards_have_the_seed_variables() {
    let prod = spec("prod");
    let vars = |kind| -> Vec<String> {
        dashboards::render(&prod, kind)["templating"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(vars(DashboardKind::SystemOverview).contains(&"environment".to_string()));
    let ai = vars(DashboardKind::CustomAiModelMonitoring);
    for v in ["model_name", "model_version", "environment"] {
        assert!(ai.contains(&v.to_string()), "AI model dashboard has ${v}");
    }
    let logs = vars(DashboardKind::LogsAiModel);
    for v in ["model_name", "model_version", "pod", "log_level", "environment"] {
        assert!(logs.contains(&v.to_string()), "AI model logs dashboard has ${v}");
    }
}

/// A mutation of a rendered dashboard and the problem the checker must report for it.
struct Case {
    what: &'static str,
    kind: DashboardKind,
    mutate: fn(&mut Value),
    code: Code,
    says: &'static str,
}

fn first_panel(d: &mut Value) -> &mut Value {
    d["panels"].as_array_mut().unwrap().iter_mut().find(|p| p["type"] != "row").unwrap()
}

#[test]
fn the_checker_reports_each_kind_of_broken_dashboard() {
    let cases = [
        Case {
            what: "duplicate panel id",
            kind: DashboardKind::Redis,
            mutate: |d| d["panels"][2]["id"] = d["panels"][1]["id"].clone(),
            code: Code::DashboardInvalid,
            says: "is used twice",
        },
        Case {
            what: "overlapping panels",
            kind: DashboardKind::Redis,
            mutate: |d| d["panels"][2]["gridPos"] = d["panels"][1]["gridPos"].clone(),
            code: Code::DashboardInvalid,
            says: "overlaps",
        },
        Case {
            what: "wider than the grid",
            kind: DashboardKind::Redis,
            mutate: |d| first_panel(d)["gridPos"]["x"] = json!(20),
            code: Code::DashboardInvalid,
            says: "does not fit",
        },
        Case {
            what: "unknown datasource uid",
            kind: DashboardKind::Postgresql,
            mutate: |d| first_panel(d)["datasource"]["uid"] = json!("prometheus-nowhere"),
            code: Code::RefUnknownDatasource,
            says: "no provisioned datasource",
        },
        Case {
            what: "datasource of the wrong type",
            kind: DashboardKind::Postgresql,
            mutate: |d| first_panel(d)["targets"][0]["datasource"]["uid"] = json!("loki-main"),
            code: Code::RefUnknownDatasource,
            says: "is of type loki",
        },
        Case {
            what: "undefined variable",
            kind: DashboardKind::Postgresql,
            mutate: |d| first_panel(d)["title"] = json!("Instances on $cluster"),
            code: Code::DashboardInvalid,
            says: "$cluster is used",
        },
        Case {
            what: "unused variable",
            kind: DashboardKind::Postgresql,
            mutate: |d| {
                d["templating"]["list"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"name": "spare", "type": "custom", "query": "a,b"}))
            },
            code: Code::DashboardInvalid,
            says: "$spare is defined but never used",
        },
        Case {
            what: "duplicate refId",
            kind: DashboardKind::Rabbitmq,
            mutate: |d| {
                let p = d["panels"].as_array_mut().unwrap().iter_mut().find(|p| p["targets"][1].is_object()).unwrap();
                p["targets"][1]["refId"] = json!("A");
            },
            code: Code::DashboardInvalid,
            says: "used twice in the panel",
        },
        Case {
            what: "PromQL that does not parse",
            kind: DashboardKind::Postgresql,
            mutate: |d| first_panel(d)["targets"][0]["expr"] = json!("sum(rate(pg_up[$__rate_interval])"),
            code: Code::PromqlInvalid,
            says: "sum(rate(pg_up",
        },
        Case {
            what: "LogQL that does not parse",
            kind: DashboardKind::LogsAiModel,
            mutate: |d| first_panel(d)["targets"][0]["expr"] = json!("sum(count_over_time({job=\"x\"} | jsonn [5m]))"),
            code: Code::LogqlInvalid,
            says: "jsonn",
        },
        Case {
            what: "unknown unit",
            kind: DashboardKind::Redis,
            mutate: |d| first_panel(d)["fieldConfig"]["defaults"]["unit"] = json!("requests"),
            code: Code::DashboardInvalid,
            says: "not a Grafana unit",
        },
        Case {
            what: "uid Grafana rejects",
            kind: DashboardKind::Redis,
            mutate: |d| d["uid"] = json!("monstack/redis"),
            code: Code::DashboardInvalid,
            says: "is not a Grafana uid",
        },
        Case {
            what: "metric no job exposes",
            kind: DashboardKind::Redis,
            mutate: |d| first_panel(d)["targets"][0]["expr"] = json!("sum(redis_up_typo{job=\"redis_exporter\"})"),
            code: Code::DashboardUnknownMetric,
            says: "redis_up_typo",
        },
        Case {
            what: "metric read from the wrong job",
            kind: DashboardKind::Redis,
            mutate: |d| first_panel(d)["targets"][0]["expr"] = json!("sum(redis_up{job=\"postgres_exporter\"})"),
            code: Code::DashboardUnknownMetric,
            says: "redis_up",
        },
        Case {
            what: "panel without a description",
            kind: DashboardKind::Redis,
            mutate: |d| first_panel(d)["description"] = json!(""),
            code: Code::DashboardInvalid,
            says: "description",
        },
    ];
    let prod = spec("prod");
    let (ds, m) = (datasources(&prod), Metrics::of(&prod));
    for case in cases {
        let mut d = dashboards::render(&prod, case.kind);
        (case.mutate)(&mut d);
        let problems = dashboards::check::check(&d, &ds, Some(&m));
        assert!(
            problems.iter().any(|p| p.code == case.code && format!("{} {}", p.at, p.message).contains(case.says)),
            "{}: expected {} containing {:?}, got {problems:#?}",
            case.what,
            case.code,
            case.says
        );
    }
}

#[test]
fn a_dashboard_for_an_undeclared_service_is_refused_with_its_path() {
    let mut doc: Value = serde_json::from_slice(&std::fs::read(common::example("dev")).unwrap()).unwrap();
    doc["scrape_jobs"].as_array_mut().unwrap().retain(|j| j["name"] != "redis_exporter");
    let err = monstack::build("dev", &serde_json::to_vec(&doc).unwrap()).unwrap_err();
    let redis = doc["grafana"]["folders"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find_map(|(i, f)| f["dashboards"].as_array().unwrap().iter().position(|d| d == "redis").map(|j| (i, j)))
        .expect("dev lists the redis dashboard");
    let path = format!("grafana.folders[{}].dashboards[{}]", redis.0, redis.1);
    assert!(
        err.iter().any(|d| d.code == Code::RefUnknownJob
            && d.path == path
            && d.message.ends_with("without a scrape job with exporter: redis-exporter")),
        "{err:#?}"
    );
}

/// The golden-signals dashboards of the examples: RED and saturation of their job only, every
/// query parsing and reading a metric the job exposes or a rule records.
#[test]
fn golden_signals_dashboards_show_their_service_from_declared_metrics() {
    let prod = spec("prod");
    let (ds, m) = (datasources(&prod), Metrics::of(&prod));
    let services: Vec<_> = prod.grafana.folders.iter().flat_map(|f| &f.services).collect();
    assert!(services.len() >= 2, "prod declares golden-signals dashboards");
    for s in services {
        let d = dashboards::render(&prod, dashboards::Dashboard::Service(s));
        assert_eq!(d["uid"], s.uid().as_str());
        let problems = dashboards::check::check(&d, &ds, Some(&m));
        assert!(problems.is_empty(), "{}: {problems:#?}", s.job);
        let panels: Vec<&Value> = d["panels"].as_array().unwrap().iter().filter(|p| p["type"] != "row").collect();
        let titles: Vec<&str> = panels.iter().map(|p| p["title"].as_str().unwrap()).collect();
        for t in ["Request rate", "Error ratio", "Latency", "CPU", "Memory", "Pod CPU", "Pod memory"] {
            assert!(titles.contains(&t), "{}: no {t} panel in {titles:?}", s.job);
        }
        assert_eq!(titles.contains(&"Queue depth"), s.queue_metric.is_some(), "{}", s.job);
        let job = format!("job=\"{}\"", s.job);
        for p in panels {
            for t in p["targets"].as_array().unwrap() {
                assert!(t["expr"].as_str().unwrap().contains(&job), "{}: {} reads another job", s.job, p["title"]);
            }
        }
    }
}

/// The pod panels join cAdvisor with `up{job}` on `namespace` and `pod`: a job whose own
/// relabeling or target labels may change or drop either gets no pod panels (they would stay
/// empty); one whose relabeling leaves them alone keeps them.
#[test]
fn pod_panels_need_the_jobs_namespace_and_pod_labels() {
    let prod = spec("prod");
    let service = prod.grafana.folders.iter().flat_map(|f| &f.services).next().unwrap().clone();
    let has_pod_panels = |spec: &Spec| {
        let d = dashboards::render(spec, dashboards::Dashboard::Service(&service));
        d["panels"].as_array().unwrap().iter().any(|p| p["title"] == "Pod CPU")
    };
    assert!(has_pod_panels(&prod));
    let with = |relabel: Value, label: Option<(&str, &str)>| {
        let mut s = prod.clone();
        let job = s.scrape_jobs.iter_mut().find(|j| j.name == service.job).unwrap();
        if !relabel.is_null() {
            job.relabel_configs.push(serde_json::from_value(relabel).unwrap());
        }
        if let Some((k, v)) = label {
            job.labels.insert(k.into(), v.into());
        }
        has_pod_panels(&s)
    };
    let changed = [
        json!({"action": "labeldrop", "regex": "pod"}),
        json!({"action": "labeldrop", "regex": "name.*"}),
        json!({"action": "labelkeep", "regex": "job|instance|pod"}),
        json!({"target_label": "namespace", "replacement": "fixed"}),
        json!({"source_labels": ["__meta_x"], "target_label": "${1}"}),
        json!({"action": "labelmap", "regex": "__meta_kubernetes_pod_label_(.+)"}),
    ];
    for r in changed {
        assert!(!with(r.clone(), None), "pod panels kept despite {r}");
    }
    assert!(!with(Value::Null, Some(("pod", "static"))));
    let harmless = [
        json!({"action": "labeldrop", "regex": "tmp_.*"}),
        json!({"action": "labelkeep", "regex": "job|instance|namespace|pod|__.*"}),
        json!({"action": "keep", "source_labels": ["__meta_kubernetes_pod_phase"], "regex": "Running"}),
        json!({"target_label": "team", "replacement": "core"}),
    ];
    for r in harmless {
        assert!(with(r.clone(), None), "pod panels dropped for {r}");
    }
}

/// A service the metrics table does not know (a fleet's): its golden-signals dashboard declares
/// it an instrumented HTTP service, and its queue metric, and nothing else; the cross-check still
/// reports a metric the declaration does not cover.
#[test]
fn a_golden_signals_dashboard_for_an_unknown_service_declares_what_it_reads() {
    let mut doc: Value = serde_json::from_slice(&std::fs::read(common::example("dev")).unwrap()).unwrap();
    doc["scrape_jobs"].as_array_mut().unwrap().push(json!({
        "name": "svc-0001",
        "discovery": { "static": { "targets": ["svc-0001:8080"] } },
    }));
    doc["grafana"]["folders"].as_array_mut().unwrap().push(json!({
        "title": "Fleet",
        "dir": "fleet",
        "services": [{ "job": "svc-0001", "queue_metric": "queue_depth" }],
    }));
    let bundle = monstack::build("dev", &serde_json::to_vec(&doc).unwrap()).unwrap_or_else(|e| panic!("{e:#?}"));
    let file = bundle.get("grafana/dashboards/fleet/svc-svc-0001.json").expect("the dashboard is rendered");
    let d: Value = serde_json::from_slice(file).unwrap();
    assert_eq!((d["uid"].as_str(), d["title"].as_str()), (Some("svc-svc-0001"), Some("svc-0001 golden signals")));
    let titles: Vec<&str> = d["panels"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    // A static job's targets are not pods: no cAdvisor panels.
    assert!(titles.contains(&"Queue depth") && !titles.contains(&"Pod CPU"), "{titles:?}");

    // The same dashboard checked against an environment that does not declare the queue metric.
    let mut s = monstack::spec::load::load("dev", &serde_json::to_vec(&doc).unwrap()).unwrap().spec;
    let declared = s.grafana.folders.last().unwrap().services[0].clone();
    s.grafana.folders.last_mut().unwrap().services[0].queue_metric = None;
    let problems = dashboards::check::check(&d, &datasources(&s), Some(&Metrics::of(&s)));
    assert!(
        problems.len() == 1
            && problems[0].code == Code::DashboardUnknownMetric
            && problems[0].message.contains("queue_depth"),
        "{problems:#?}"
    );
    // Without any golden-signals dashboard, the job's client-library metrics are unknown too.
    s.grafana.folders.pop();
    let problems = dashboards::check::check(&d, &datasources(&s), Some(&Metrics::of(&s)));
    assert!(problems.iter().any(|p| p.message.contains("http_requests_total")), "{problems:#?}");
    assert_eq!(declared.uid(), "svc-svc-0001");
}

/// Every series the alert catalogue's scenarios feed comes from a job that, per the metrics
/// table, exposes it: the table and the alerts agree on who produces what.
#[test]
fn the_metrics_table_agrees_with_the_alert_catalogue() {
    let prod = spec("prod");
    let selector = regex::Regex::new(r#"^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}$"#).unwrap();
    let job_label = regex::Regex::new(r#"job="([^"]+)""#).unwrap();
    let mut checked = 0;
    for alert in monstack::catalogue::alerts(&prod, &monstack::catalogue::capacity::estimate(&prod)) {
        for scenario in std::iter::once(&alert.scenarios.firing).chain(alert.scenarios.healthy.as_ref()) {
            for (series, _) in &scenario.series {
                let c = selector.captures(series).unwrap_or_else(|| panic!("{series}"));
                let (metric, labels) = (&c[1], &c[2]);
                let Some(job) = job_label.captures(labels) else { continue };
                let synthetic = monstack::catalogue::metrics::SYNTHETIC.contains(&metric);
                assert!(
                    synthetic || monstack::catalogue::metrics::exposes(&job[1], &prod.ai_models.job, metric),
                    "{}: {metric} from job {} is missing from catalogue/metrics.rs",
                    alert.name,
                    &job[1]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "checked {checked} series");
}

fn schemas() -> Option<PathBuf> {
    let dir = common::root().join("../shared/schemas/grafana");
    if dir.join("dashboard.jsonschema.json").is_file() {
        Some(dir)
    } else {
        // The brief: a check that needs ../shared fails in CI rather than skip unseen.
        assert!(!common::in_ci(), "CI needs the Grafana JSON Schemas in {}", dir.display());
        println!("SKIP Grafana JSON Schema validation: {} is absent", dir.display());
        None
    }
}

/// A validator for one definition of a schema file.
fn validator(dir: &std::path::Path, file: &str, definition: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
    let root = json!({ "$ref": format!("#/definitions/{definition}"), "definitions": schema["definitions"] });
    jsonschema::draft7::new(&root).unwrap_or_else(|e| panic!("{file}#{definition}: {e}"))
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn every_dashboard_passes_grafanas_json_schemas() {
    let Some(dir) = schemas() else { return };
    let dashboard = validator(&dir, "dashboard.jsonschema.json", "Dashboard");
    let mut checked = BTreeMap::<String, usize>::new();
    for env in common::ENVS {
        for (kind, d) in rendered(&spec(env)) {
            let e = errors(&dashboard, &d);
            assert!(e.is_empty(), "{env} {kind:?}: {e:#?}");
            for p in d["panels"].as_array().unwrap() {
                let t = p["type"].as_str().unwrap();
                if t == "row" {
                    continue;
                }
                let file = format!("{t}.jsonschema.json");
                let e = errors(&validator(&dir, &file, "Options"), &p["options"]);
                assert!(e.is_empty(), "{env} {kind:?} panel {} options: {e:#?}", p["title"]);
                let custom = &p["fieldConfig"]["defaults"]["custom"];
                if !custom.is_null() {
                    let e = errors(&validator(&dir, &file, "FieldConfig"), custom);
                    assert!(e.is_empty(), "{env} {kind:?} panel {} fieldConfig.custom: {e:#?}", p["title"]);
                }
                let ds = p["datasource"]["type"].as_str().unwrap();
                let (file, def) = match ds {
                    "prometheus" => ("prometheus.jsonschema.json", "Dataquery"),
                    _ => ("loki.jsonschema.json", "dataquery"),
                };
                let query = validator(&dir, file, def);
                for target in p["targets"].as_array().unwrap() {
                    let e = errors(&query, target);
                    assert!(e.is_empty(), "{env} {kind:?} panel {} target: {e:#?}", p["title"]);
                }
                *checked.entry(t.to_string()).or_default() += 1;
            }
        }
    }
    println!("panels validated per type: {checked:?}");
    assert!(checked.len() >= 5, "several panel types were validated: {checked:?}");
}

#[test]
fn the_schema_check_itself_rejects_a_wrong_dashboard() {
    let Some(dir) = schemas() else { return };
    let mut d = dashboards::render(&spec("prod"), DashboardKind::Redis);
    d["graphTooltip"] = json!(7);
    first_panel(&mut d)["options"]["colorMode"] = json!("rainbow");
    assert!(!errors(&validator(&dir, "dashboard.jsonschema.json", "Dashboard"), &d).is_empty());
    assert!(!errors(&validator(&dir, "stat.jsonschema.json", "Options"), &first_panel(&mut d)["options"]).is_empty());
}

#[test]
fn the_unit_list_matches_grafanas_units_schema() {
    let Some(dir) = schemas() else { return };
    let schema: Value = serde_json::from_slice(&std::fs::read(dir.join("units.jsonschema.json")).unwrap()).unwrap();
    let mut want: Vec<&str> =
        schema["definitions"].as_object().unwrap().values().filter_map(|d| d["const"].as_str()).collect();
    want.sort_unstable();
    want.dedup();
    assert_eq!(
        dashboards::units::UNITS,
        want.as_slice(),
        "regenerate src/dashboards/units.rs from units.jsonschema.json"
    );
}

/// The TypeScript module of each panel type's options in `@grafana/schema`.
const PANEL_MODULES: &[(&str, &str)] = &[
    ("timeseries", "TimeSeriesPanelCfg"),
    ("stat", "StatPanelCfg"),
    ("gauge", "GaugePanelCfg"),
    ("bargauge", "BarGaugePanelCfg"),
    ("table", "TablePanelCfg"),
    ("logs", "LogsPanelCfg"),
];

/// TypeScript declaring each dashboard, each panel's options and custom field config, and each
/// Loki query as a const of Grafana's own type. `Json<T>` is the JSON form of a type: Grafana's
/// string enums become the union of their values, as a JSON file can only hold the value.
fn typescript(dashboards: &[(String, Value)]) -> String {
    let mut ts = String::from("import type { Dashboard } from '@grafana/schema';\n");
    for (t, m) in PANEL_MODULES {
        ts += &format!(
            "import type * as {t} from '@grafana/schema/dist/esm/raw/composable/{t}/panelcfg/x/{m}_types.gen.js';\n"
        );
    }
    ts += "import type * as loki from '@grafana/schema/dist/esm/raw/composable/loki/dataquery/x/LokiDataQuery_types.gen.js';\n";
    ts += "type Json<T> = T extends string ? (string extends T ? T : `${T}`) : T extends number | boolean | null | undefined ? T : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;\n";
    for (i, (name, d)) in dashboards.iter().enumerate() {
        ts += &format!("// {name}\nexport const dashboard_{i}: Json<Dashboard> = {d};\n");
        for (j, p) in d["panels"].as_array().unwrap().iter().enumerate() {
            let t = p["type"].as_str().unwrap();
            if t == "row" {
                continue;
            }
            ts += &format!("export const d{i}_p{j}_options: Json<{t}.Options> = {};\n", p["options"]);
            let custom = &p["fieldConfig"]["defaults"]["custom"];
            if !custom.is_null() {
                ts += &format!("export const d{i}_p{j}_custom: Json<{t}.FieldConfig> = {custom};\n");
            }
            if p["datasource"]["type"] == "loki" {
                for (k, target) in p["targets"].as_array().unwrap().iter().enumerate() {
                    ts += &format!("export const d{i}_p{j}_t{k}: Json<loki.LokiDataQuery> = {target};\n");
                }
            }
        }
    }
    ts
}

/// `tsc --strict --noEmit` over every dashboard of every env, against `@grafana/schema` (npm,
/// pinned in checks/grafana-types; `.ci/install` runs `npm ci` there). A deliberately broken copy
/// is compiled alongside and must fail with exactly its two errors, so the check can fail.
#[test]
fn every_dashboard_type_checks_against_grafanas_typescript_types() {
    let types = common::root().join("checks/grafana-types");
    let tsc = types.join("node_modules/.bin/tsc");
    if !tsc.is_file() {
        assert!(!common::in_ci(), "CI must install checks/grafana-types (npm ci)");
        println!("SKIP @grafana/schema type check: run `npm ci --prefix checks/grafana-types` first");
        return;
    }
    let mut all = Vec::new();
    for env in common::ENVS {
        all.extend(rendered(&spec(env)).into_iter().map(|(k, d)| (format!("{env} {k:?}"), d)));
    }
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(types.join("node_modules"), dir.path().join("node_modules")).unwrap();
    std::fs::write(dir.path().join("good.ts"), typescript(&all)).unwrap();
    let mut broken = dashboards::render(&spec("prod"), DashboardKind::Redis);
    broken["refresh_rate"] = json!("1m");
    first_panel(&mut broken)["options"]["colorMode"] = json!("rainbow");
    std::fs::write(dir.path().join("bad.ts"), typescript(&[("broken".into(), broken)])).unwrap();
    let config = json!({
        "compilerOptions": {
            "strict": true,
            "noEmit": true,
            "module": "nodenext",
            "moduleResolution": "nodenext",
            "target": "es2022",
            "skipLibCheck": true,
        },
        "files": ["good.ts", "bad.ts"],
    });
    std::fs::write(dir.path().join("tsconfig.json"), config.to_string()).unwrap();
    let out = std::process::Command::new(&tsc).args(["-p", "tsconfig.json"]).current_dir(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let errors: Vec<&str> = stdout.lines().filter(|l| l.contains("error TS")).collect();
    let good: Vec<&&str> = errors.iter().filter(|l| l.starts_with("good.ts")).collect();
    assert!(good.is_empty(), "{} type errors in the generated dashboards:\n{}", good.len(), stdout);
    let bad: Vec<&&str> = errors.iter().filter(|l| l.starts_with("bad.ts")).collect();
    assert_eq!(bad.len(), 2, "the broken dashboard fails with its two errors:\n{stdout}");
    assert!(bad.iter().any(|l| l.contains("refresh_rate")) && bad.iter().any(|l| l.contains("rainbow")), "{stdout}");
    println!("tsc --strict: {} dashboards type-check against @grafana/schema", all.len());
}

/// A Prometheus datasource that is a scalable store's query endpoint tells Grafana which one.
#[test]
fn a_mimir_query_endpoint_is_provisioned_as_mimir() {
    let mut doc: Value = serde_json::from_slice(&std::fs::read(common::example("prod")).unwrap()).unwrap();
    doc["grafana"]["datasources"][0]["url"] = json!("https://mimir-query-frontend:8080/prometheus");
    doc["grafana"]["datasources"][0]["implementation"] = json!("mimir");
    let bundle = monstack::build("prod", &serde_json::to_vec(&doc).unwrap()).unwrap();
    let file: serde_yaml::Value =
        serde_yaml::from_slice(bundle.get("grafana/provisioning/datasources/prometheus_ds.yml").unwrap()).unwrap();
    let ds = &file["datasources"][0];
    assert_eq!(ds["jsonData"]["prometheusType"], "Mimir");
    assert_eq!(ds["url"], "https://mimir-query-frontend:8080/prometheus");
    assert_eq!(ds["editable"], false);
}

/// The meta-monitoring dashboard shows what every meta alert fires on: each metric a meta
/// alert's expression reads is queried by a panel, in every environment, and an environment
/// without `meta` has nothing for it to show.
#[test]
fn the_meta_dashboard_reads_every_metric_a_meta_alert_fires_on() {
    let metric = regex::Regex::new(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{").unwrap();
    for env in common::ENVS {
        let s = spec(env);
        let board = dashboards::render(&s, DashboardKind::MetaMonitoring);
        let exprs = dashboards::Built::new(&board).exprs.join("\n");
        let alerts: Vec<_> = monstack::catalogue::alerts(&s, &monstack::catalogue::capacity::estimate(&s))
            .into_iter()
            .filter(|a| a.file == "meta_monitoring_alerts")
            .collect();
        assert!(alerts.len() >= 12, "{env}: {} meta alerts", alerts.len());
        for a in &alerts {
            for m in metric.captures_iter(&a.expr).map(|c| c[1].to_string()) {
                assert!(exprs.contains(&format!("{m}{{")), "{env}: {} reads {m}, which no panel shows", a.name);
            }
        }
    }
    let mut bare = common::example_json("dev");
    common::without_meta(&mut bare);
    let bare: Spec = monstack::spec::load("dev.json", &serde_json::to_vec(&bare).unwrap()).unwrap().spec;
    let missing = dashboards::missing(&bare, DashboardKind::MetaMonitoring);
    assert!(missing.is_some_and(|m| m.contains("meta.prometheus")));
}
