//! End to end on loopback: a bundle rendered from the dev environment runs on real Prometheus,
//! Alertmanager and node_exporter, and the test checks through their HTTP APIs that targets are
//! up, every rendered rule is loaded, alerts fire and reach the receivers the route tree names
//! with the catalogue's text, inhibitions hold, and a changed bundle is applied by a reload
//! while a broken one is refused by `monstack check` before anything is reloaded.
//!
//! Every server binds 127.0.0.1 on a free port; every wait is bounded; the test stops only the
//! processes it started (by their `Child` handles, also on panic) and removes its temp folder.
//! Without the server binaries the test prints SKIP; in CI (`.ci/install`) they must be present.

mod common;
#[path = "e2e/http.rs"]
mod http;
#[path = "e2e/loopback.rs"]
mod loopback;
#[path = "e2e/procs.rs"]
mod procs;

use http::{Client, Exporter, Notification, Sink};
use loopback::{Binaries, Ports, e2e_spec, monstack, render};
use procs::{Proc, free_port, wait_until};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a condition that depends on scrapes, rule evaluation and notification may take. The
/// e2e spec makes each of them take a second or two; the margin is for loaded CI machines.
const SETTLE: Duration = Duration::from_secs(60);
/// `monstack check` runs promtool's rule tests, which take tens of seconds.
const CHECK: Duration = Duration::from_secs(300);

#[test]
fn a_dev_bundle_on_real_servers_fires_routes_inhibits_and_reloads() {
    let Some(bins) = Binaries::find() else { return };
    run(&bins);
}

/// The same on Prometheus 3 and a current Alertmanager (NixOS 26.05 runs Prometheus 3.x), the
/// bundle rendered for their versions and checked with their promtool and amtool.
#[test]
fn the_same_on_prometheus_3_and_a_current_alertmanager() {
    let Some(bins) = Binaries::prometheus3() else { return };
    run(&bins);
}

/// Renders dev for the versions of `bins` and runs it through every phase.
fn run(bins: &Binaries) {
    let started = Instant::now();
    // Progress on stderr (shown with --nocapture, and on failure), so a slow phase is visible.
    let mark = |what: &str| eprintln!("e2e: {what} at {:.1}s", started.elapsed().as_secs_f64());
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let sink = Sink::start();
    let exporter = Exporter::start();
    let ports = Ports { prometheus: free_port(), alertmanager: free_port(), node_exporter: free_port() };

    // Three revisions of the environment: the one started with, a changed one applied by reload,
    // and one whose bundle is edited by hand after rendering, which `monstack check` refuses.
    let mut v1 = e2e_spec(&ports, &sink, exporter.addr());
    v1["versions"]["prometheus"] = json!(Binaries::version(&bins.prometheus));
    v1["versions"]["alertmanager"] = json!(Binaries::version(&bins.alertmanager));
    let mut v2 = revision(&v1, "2", "HostHighMemoryUsage");
    v2["alertmanager"]["route"]["repeat_interval"] = json!("11h");
    let v3 = revision(&v2, "3", "HostDiskWillFillSoon");
    let bundles = tmp.path().join("bundles");
    let [b1, b2, b3] = [("v1", &v1), ("v2", &v2), ("v3", &v3)].map(|(name, spec)| render(spec, &bundles.join(name)));
    let infra = b3.join("prometheus/rules/infrastructure_alerts.yml");
    let original = std::fs::read_to_string(&infra).unwrap();
    let edited = original.replace("expr: vector(1)", "expr: vector(2)");
    assert_ne!(edited, original, "the hand edit must change the rule file");
    std::fs::write(&infra, edited).unwrap();
    mark("bundles rendered");

    let check = |bundle: &Path, name: &str| check(bundle, &logs, name, bins);
    let mut stack = Stack::start(bins, &ports, tmp.path(), &b1, check(&b1, "check-v1"));
    mark("servers ready");
    // Each revision's gate, `monstack check`, takes tens of seconds (promtool's rule tests): the
    // next revision's runs while the alerting checks below wait on the servers.
    let check_v2 = check(&b2, "check-v2");

    let scraped = targets_and_rules_are_live(&stack, &v1, &b1);
    mark("targets up, rules loaded");
    alerts_reach_their_receivers(&mut stack, &sink, &exporter, &b1);
    mark("Watchdog, threshold and TargetDown alerts delivered");
    inhibited_alerts_are_not_delivered(&stack, &sink);
    mark("inhibitions hold");
    a_changed_bundle_is_applied_by_reload(&mut stack, [&b1, &b2], check_v2, &scraped);
    mark("changed bundle applied by reload");
    an_edited_bundle_is_refused_before_reload(&stack, &b3, check(&b3, "check-v3"), &b2);
    mark("edited bundle refused");
}

/// Every target of every job is on loopback and up; Prometheus has loaded every rule group and
/// rule of the bundle. Returns a sample scraped now, to look for after the reload.
fn targets_and_rules_are_live(stack: &Stack, spec: &Value, bundle: &Path) -> (Value, String) {
    let jobs: Vec<String> =
        spec["scrape_jobs"].as_array().unwrap().iter().map(|j| j["name"].as_str().unwrap().to_string()).collect();
    wait_until("every target up", SETTLE, || stack.targets_up(&jobs));
    let scraped = stack.query(NODE_UP, None).expect("node_exporter's up series");
    assert_eq!(scraped.1, "1");
    let rules = rule_counts(bundle);
    wait_until("the bundle's rules loaded", SETTLE, || stack.rules_match(&rules));
    scraped
}

const NODE_UP: &str = "up{job=\"node_exporter\"}";

/// Alerts fire and reach the receivers the route tree names, with the catalogue's text.
fn alerts_reach_their_receivers(stack: &mut Stack, sink: &Sink, exporter: &Exporter, bundle: &Path) {
    // The Watchdog proves the path Prometheus → Alertmanager → receiver.
    let (n, alert) = wait_until("Watchdog delivered", SETTLE, || sink.find_alert(&[("alertname", "Watchdog")]));
    assert_route(&n, &alert, "default-receiver", bundle);

    // A breached threshold: the declared model's P99 latency above 8s fires its alert, which the
    // ai-infra team's route (derived from `teams`) delivers to that team's receiver only.
    exporter.serve("/metrics/custom-ai-models", Box::new(slow_inference));
    let ai = [("alertname", "CustomAIModelHighInferenceLatency"), ("model_name", "image-gen-v2")];
    let (n, alert) = wait_until("the AI latency alert delivered", SETTLE, || sink.find_alert(&ai));
    assert_route(&n, &alert, "ai-infra-slack", bundle);
    assert!(alert["annotations"]["description"].as_str().unwrap().contains("image-gen-v2 has been above 8s"));

    // A failure: node_exporter stops, so its target is down and TargetDown fires.
    stack.node_exporter.stop();
    let node = stack.node.clone();
    let down = [("alertname", "TargetDown"), ("job", "node_exporter"), ("instance", node.as_str())];
    let (n, alert) = wait_until("TargetDown delivered", SETTLE, || sink.find_alert(&down));
    assert_route(&n, &alert, "default-receiver", bundle);
    assert_eq!(alert["annotations"]["summary"], format!("Target {node} of job node_exporter is down"));

    // The team route does not `continue` into the default receiver: by now, with the other
    // alerts delivered, a copy for it would have arrived.
    assert_eq!(sink.delivered_to(&ai), ["ai-infra-slack"]);
}

/// Inhibitions, as dev declares them: PostgreSQL being down mutes that server's warnings; a
/// service's error-rate page mutes the fast burn of its availability SLO (one incident, one
/// page); a node_exporter TargetDown mutes that host's `component=server` alerts. The first two
/// are posted to Alertmanager's API as Prometheus would post them; the TargetDown source is the
/// real one from node_exporter's stop. Each muted alert has an unmuted twin in the same
/// notification group (another instance; the latency SLO's fast burn): the twin's delivery shows
/// the group was flushed without it.
fn inhibited_alerts_are_not_delivered(stack: &Stack, sink: &Sink) {
    let pg = |alertname: &str, severity: &str, instance: &str| {
        json!({"alertname": alertname, "service": "postgresql", "severity": severity,
               "instance": instance, "environment": "dev"})
    };
    let burn = |slo: &str, sli: &str| {
        json!({"alertname": "SLOErrorBudgetBurnFast", "service": "api-gateway", "severity": "critical",
               "slo": slo, "sli": sli, "environment": "dev"})
    };
    let cpu = |instance: &str| {
        json!({"alertname": "HostHighCpuLoad", "component": "server", "severity": "warning",
               "instance": instance, "environment": "dev"})
    };
    let sources = [
        pg("PostgresqlDown", "critical", "pg-1:9187"),
        json!({"alertname": "HighErrorRateAPIGateway", "service": "api-gateway", "severity": "critical",
               "environment": "dev"}),
    ];
    stack.post_alerts(&sources);
    for source in &sources {
        wait_until("the source alert active", SETTLE, || stack.alert_state(source, "active"));
    }
    let muted = [
        pg("PostgresqlTooManyConnections", "warning", "pg-1:9187"),
        burn("api-gateway-availability", "availability"),
        cpu(&stack.node),
    ];
    let twins = [
        pg("PostgresqlTooManyConnections", "warning", "pg-2:9187"),
        burn("api-gateway-latency", "latency"),
        cpu("127.0.0.1:9"),
    ];
    stack.post_alerts(&[muted.as_slice(), twins.as_slice()].concat());
    for alert in &muted {
        wait_until(&format!("{alert} inhibited"), SETTLE, || stack.alert_state(alert, "suppressed"));
    }
    for alert in twins.iter().chain(&sources) {
        let want = pairs(alert);
        let (n, _) = wait_until(&format!("{alert} delivered"), SETTLE, || sink.find_alert(&want));
        assert_eq!(n.receiver(), "default-receiver");
    }
    for alert in &muted {
        let delivered = sink.delivered_to(&pairs(alert));
        assert!(delivered.is_empty(), "inhibited {alert} was delivered to {delivered:?}");
    }
}

/// The changed bundle is applied by reloading the running servers: the same processes go on,
/// Prometheus keeps the data it scraped, and the new configuration and rules are in effect.
fn a_changed_bundle_is_applied_by_reload(
    stack: &mut Stack,
    [old, new]: [&Path; 2],
    check: Proc,
    scraped: &(Value, String),
) {
    let pids = (stack.prometheus.pid(), stack.alertmanager.pid());
    let prometheus_started = stack.prometheus_runtime()["startTime"].clone();
    let alertmanager_started = stack.alertmanager_status()["uptime"].clone();
    let am_hash = stack.alertmanager_config_hash();
    stack.deploy(new, check).unwrap_or_else(|e| panic!("the changed bundle was refused:\n{e}"));

    assert!(stack.prometheus.is_running() && stack.alertmanager.is_running(), "a server exited on reload");
    assert_eq!((stack.prometheus.pid(), stack.alertmanager.pid()), pids);
    let runtime = stack.prometheus_runtime();
    assert_eq!(runtime["startTime"], prometheus_started, "Prometheus restarted");
    assert_eq!(runtime["reloadConfigSuccess"], true);
    assert_eq!(stack.external_label("e2e_revision").as_deref(), Some("2"));
    let rules = rule_counts(new);
    assert_ne!(rules, rule_counts(old), "the change disables an alert");
    wait_until("the changed rules loaded", SETTLE, || stack.rules_match(&rules));
    let kept = stack.query(NODE_UP, Some(&scraped.0));
    assert_eq!(kept.as_ref(), Some(scraped), "a series scraped before the reload is gone");

    let status = stack.alertmanager_status();
    assert_eq!(status["uptime"], alertmanager_started, "Alertmanager restarted");
    assert_ne!(stack.alertmanager_config_hash(), am_hash, "Alertmanager kept the old configuration");
    let config: serde_yaml::Value = serde_yaml::from_str(status["config"]["original"].as_str().unwrap()).unwrap();
    assert_eq!(config["route"]["repeat_interval"].as_str(), Some("11h"));
}

/// A bundle edited after rendering is refused by `monstack check` before any reload: both
/// servers keep running the revision they have (`running`).
fn an_edited_bundle_is_refused_before_reload(stack: &Stack, edited: &Path, check: Proc, running: &Path) {
    let am_hash = stack.alertmanager_config_hash();
    let last_config = stack.prometheus_runtime()["lastConfigTime"].clone();
    let refused = stack.deploy(edited, check).expect_err("the edited bundle was deployed");
    assert!(refused.contains("error[bundle/integrity]") && refused.contains("infrastructure_alerts.yml"), "{refused}");
    assert_eq!(stack.prometheus_runtime()["lastConfigTime"], last_config, "Prometheus was reloaded");
    assert_eq!(stack.external_label("e2e_revision").as_deref(), Some("2"));
    assert!(stack.rules_match(&rule_counts(running)).is_ok(), "the rules changed");
    assert_eq!(stack.alertmanager_config_hash(), am_hash, "Alertmanager's configuration changed");
}

/// `spec` with the external label `e2e_revision` (visible in Prometheus' loaded configuration)
/// and one more catalogue alert disabled (visible in its rule count).
fn revision(spec: &Value, revision: &str, disable: &str) -> Value {
    let mut spec = spec.clone();
    spec["prometheus"]["external_labels"]["e2e_revision"] = json!(revision);
    spec["rules"]["overrides"][disable] = json!({"disabled": true});
    spec
}

/// `monstack check` of a bundle, started now and awaited by `Stack::deploy`. Its scratch copies
/// go to the test's temp folder, so they are removed even if the check is killed.
fn check(bundle: &Path, logs: &Path, name: &str, bins: &Binaries) -> Proc {
    let tmp = logs.parent().unwrap();
    Proc::spawn(name, monstack().arg("check").arg(bundle).env("TMPDIR", tmp).env("PATH", bins.path()), logs)
}

/// (group, number of rules) of every rule group in the bundle's rule files, sorted.
fn rule_counts(bundle: &Path) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = rule_files(bundle)
        .iter()
        .flat_map(|doc| doc["groups"].as_sequence().unwrap().iter())
        .map(|g| (g["name"].as_str().unwrap().to_string(), g["rules"].as_sequence().map_or(0, Vec::len)))
        .collect();
    counts.sort();
    counts
}

fn rule_files(bundle: &Path) -> Vec<serde_yaml::Value> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(bundle.join("prometheus/rules")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|p| serde_yaml::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
}

/// The annotations the bundle's rules give an alert with these labels: those of every rule of
/// that name whose labels it carries, with `{{ $labels.x }}` filled in as Prometheus does.
fn catalogue_annotations(bundle: &Path, labels: &Value) -> Vec<BTreeMap<String, String>> {
    let template = regex::Regex::new(r"\{\{ *\$labels\.([A-Za-z_][A-Za-z0-9_]*) *\}\}").unwrap();
    let label = |k: &str| labels[k].as_str().unwrap_or("").to_string();
    let mut out = Vec::new();
    for doc in rule_files(bundle) {
        for group in doc["groups"].as_sequence().unwrap() {
            for rule in group["rules"].as_sequence().unwrap() {
                let own = rule["labels"].as_mapping().cloned().unwrap_or_default();
                if rule["alert"].as_str() != Some(&label("alertname"))
                    || own.iter().any(|(k, v)| Some(label(k.as_str().unwrap()).as_str()) != v.as_str())
                {
                    continue;
                }
                let annotations = rule["annotations"].as_mapping().cloned().unwrap_or_default();
                out.push(
                    annotations
                        .iter()
                        .map(|(k, v)| {
                            let text = template.replace_all(v.as_str().unwrap(), |c: &regex::Captures| label(&c[1]));
                            (k.as_str().unwrap().to_string(), text.into_owned())
                        })
                        .collect(),
                );
            }
        }
    }
    out
}

/// The notification reached `receiver` at its own webhook URL, and the alert carries the text
/// the catalogue generated for it.
fn assert_route(n: &Notification, alert: &Value, receiver: &str, bundle: &Path) {
    assert_eq!(n.receiver(), receiver, "{alert}");
    assert_eq!(n.path, format!("/{receiver}"));
    let got: BTreeMap<String, String> = serde_json::from_value(alert["annotations"].clone()).unwrap();
    let expected = catalogue_annotations(bundle, &alert["labels"]);
    assert!(expected.contains(&got), "annotations {got:?}\nnot among the bundle's {expected:?}");
}

fn pairs(labels: &Value) -> Vec<(&str, &str)> {
    labels.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect()
}

/// Histogram of the declared model image-gen-v2 with every inference between 8s and 16s: its P99
/// (≈ 15.9s) is above the model's 8s threshold. The counts grow with every scrape so that
/// `rate()` sees traffic.
fn slow_inference(scrape: u64) -> String {
    let n = scrape * 10;
    let m = "custom_model_inference_latency_seconds";
    format!(
        "# TYPE {m} histogram\n\
         {m}_bucket{{model_name=\"image-gen-v2\",le=\"4\"}} 0\n\
         {m}_bucket{{model_name=\"image-gen-v2\",le=\"16\"}} {n}\n\
         {m}_bucket{{model_name=\"image-gen-v2\",le=\"+Inf\"}} {n}\n\
         {m}_sum{{model_name=\"image-gen-v2\"}} {}\n\
         {m}_count{{model_name=\"image-gen-v2\"}} {n}\n",
        n * 12
    )
}

/// The running servers and the bundle they run. Fields drop in order: the servers stop before
/// the caller's temp folder goes.
struct Stack {
    prometheus: Proc,
    alertmanager: Proc,
    node_exporter: Proc,
    client: Client,
    prometheus_url: String,
    alertmanager_url: String,
    /// The symlink the servers' config paths go through; deploying switches it atomically.
    live: PathBuf,
    /// node_exporter's address, the `instance` label of its series and alerts.
    node: String,
}

impl Stack {
    /// Deploys `bundle` (the gate is its `check`) and starts the servers on it.
    fn start(bins: &Binaries, ports: &Ports, dir: &Path, bundle: &Path, check: Proc) -> Stack {
        let (status, output) = check.finish(CHECK);
        assert!(status.success(), "monstack check refused the first bundle:\n{output}");
        let live = dir.join("live");
        std::os::unix::fs::symlink(bundle, &live).unwrap();
        let logs = dir.join("logs");
        let prometheus_url = format!("http://127.0.0.1:{}", ports.prometheus);
        let alertmanager_url = format!("http://127.0.0.1:{}", ports.alertmanager);
        let node_exporter = Proc::spawn(
            "node_exporter",
            Command::new(&bins.node_exporter).arg(format!("--web.listen-address=127.0.0.1:{}", ports.node_exporter)),
            &logs,
        );
        // Both read their configuration through the live link, so that a reload picks up
        // whichever bundle it points at.
        let alertmanager = loopback::alertmanager(bins, &live, dir, ports.alertmanager);
        let prometheus = loopback::prometheus(bins, &live, dir, ports.prometheus);
        let stack = Stack {
            prometheus,
            alertmanager,
            node_exporter,
            client: Client::new(),
            prometheus_url,
            alertmanager_url,
            live,
            node: format!("127.0.0.1:{}", ports.node_exporter),
        };
        let node = format!("http://{}/metrics", stack.node);
        for url in [format!("{}/-/ready", stack.prometheus_url), format!("{}/-/ready", stack.alertmanager_url), node] {
            wait_until(&format!("{url} ready"), SETTLE, || match stack.client.get(&url, &[])? {
                (200, _) => Ok(()),
                (status, body) => Err(format!("HTTP {status}: {body}")),
            });
        }
        stack
    }

    /// How a bundle reaches the running servers: `monstack check` must pass; then the live link
    /// is switched to the bundle in one rename and both servers reload. On refusal nothing
    /// changes and the check's output is returned.
    fn deploy(&self, bundle: &Path, check: Proc) -> Result<(), String> {
        let (status, output) = check.finish(CHECK);
        if !status.success() {
            return Err(output);
        }
        let next = self.live.with_extension("next");
        std::os::unix::fs::symlink(bundle, &next).unwrap();
        std::fs::rename(&next, &self.live).unwrap();
        for url in [&self.prometheus_url, &self.alertmanager_url] {
            let reload = format!("{url}/-/reload");
            match self.client.post(&reload, None) {
                Ok((200, _)) => {}
                other => panic!("{reload}: {other:?}"),
            }
        }
        Ok(())
    }

    fn prometheus_api(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, String> {
        let v = self.client.get_json(&format!("{}/api/v1/{path}", self.prometheus_url), query)?;
        if v["status"] != "success" {
            return Err(format!("{path}: {v}"));
        }
        Ok(v["data"].clone())
    }

    /// Every job has a target and every target is up.
    fn targets_up(&self, jobs: &[String]) -> Result<(), String> {
        let data = self.prometheus_api("targets", &[("state", "active")])?;
        let targets = data["activeTargets"].as_array().cloned().unwrap_or_default();
        let pools: Vec<&str> = targets.iter().filter_map(|t| t["scrapePool"].as_str()).collect();
        let missing: Vec<&String> = jobs.iter().filter(|j| !pools.contains(&j.as_str())).collect();
        let down: Vec<String> = targets
            .iter()
            .filter(|t| t["health"] != "up")
            .map(|t| format!("{} {} {}: {}", t["scrapePool"], t["scrapeUrl"], t["health"], t["lastError"]))
            .collect();
        if missing.is_empty() && down.is_empty() {
            Ok(())
        } else {
            Err(format!("no targets for {missing:?}; {down:?}"))
        }
    }

    /// Prometheus has loaded exactly these groups with these numbers of rules.
    fn rules_match(&self, expected: &[(String, usize)]) -> Result<(), String> {
        let data = self.prometheus_api("rules", &[])?;
        let mut loaded: Vec<(String, usize)> = data["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g["name"].as_str().unwrap().to_string(), g["rules"].as_array().map_or(0, Vec::len)))
            .collect();
        loaded.sort();
        if loaded == expected { Ok(()) } else { Err(format!("loaded {loaded:?}, expected {expected:?}")) }
    }

    /// The first sample of an instant query, at `time` (default: now): (timestamp, value).
    fn query(&self, promql: &str, time: Option<&Value>) -> Option<(Value, String)> {
        let time = time.map(Value::to_string);
        let mut query = vec![("query", promql)];
        query.extend(time.as_deref().map(|t| ("time", t)));
        let data = self.prometheus_api("query", &query).unwrap();
        let sample = data["result"].as_array()?.first()?["value"].clone();
        Some((sample[0].clone(), sample[1].as_str()?.to_string()))
    }

    fn prometheus_runtime(&self) -> Value {
        self.prometheus_api("status/runtimeinfo", &[]).unwrap()
    }

    /// An external label of the configuration Prometheus is running.
    fn external_label(&self, name: &str) -> Option<String> {
        let data = self.prometheus_api("status/config", &[]).unwrap();
        let config: serde_yaml::Value = serde_yaml::from_str(data["yaml"].as_str().unwrap()).unwrap();
        config["global"]["external_labels"][name].as_str().map(str::to_string)
    }

    fn alertmanager_status(&self) -> Value {
        self.client.get_json(&format!("{}/api/v2/status", self.alertmanager_url), &[]).unwrap()
    }

    /// `alertmanager_config_hash`: changes exactly when Alertmanager loads a different file.
    fn alertmanager_config_hash(&self) -> String {
        let (_, metrics) = self.client.get(&format!("{}/metrics", self.alertmanager_url), &[]).unwrap();
        let line = metrics.lines().find(|l| l.starts_with("alertmanager_config_hash ")).expect("config hash metric");
        line.rsplit(' ').next().unwrap().to_string()
    }

    fn post_alerts(&self, labels: &[Value]) {
        let alerts: Vec<Value> = labels.iter().map(|l| json!({"labels": l})).collect();
        let url = format!("{}/api/v2/alerts", self.alertmanager_url);
        match self.client.post(&url, Some(&json!(alerts))) {
            Ok((200, _)) => {}
            other => panic!("{url}: {other:?}"),
        }
    }

    /// Alertmanager holds the alert with exactly these labels in `state` (`active`,
    /// `suppressed`); a suppressed one must name the alert inhibiting it.
    fn alert_state(&self, labels: &Value, state: &str) -> Result<(), String> {
        let url = format!("{}/api/v2/alerts", self.alertmanager_url);
        let alerts = self.client.get_json(&url, &[])?;
        let alert = alerts.as_array().unwrap().iter().find(|a| &a["labels"] == labels).ok_or("not received")?;
        let status = &alert["status"];
        let inhibited = status["inhibitedBy"].as_array().is_some_and(|a| !a.is_empty());
        if status["state"] == state && (state != "suppressed" || inhibited) {
            Ok(())
        } else {
            Err(format!("status {status}"))
        }
    }
}
