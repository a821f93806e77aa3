//! Routing as data: expectations are checked with Alertmanager's semantics before rendering,
//! and the route tree is drawn into the bundle.

mod common;

use common::example_json as spec;

use serde_json::json;

#[test]
fn a_wrong_expectation_names_expected_and_actual_receivers() {
    let mut s = spec("prod");
    s["alertmanager"]["expectations"] = json!([
        {"labels": {"alertname": "PostgresqlDown", "service": "postgresql", "severity": "critical"}, "receivers": ["db-team-pagerduty"]}
    ]);
    let diags = monstack::build("prod.json", &serde_json::to_vec(&s).unwrap()).unwrap_err();
    let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(diags.len(), 1, "{text:#?}");
    assert!(
        text[0].contains("expected [db-team-pagerduty], the route tree gives [db-team-pagerduty, critical-pagerduty]"),
        "{text:#?}"
    );
}

#[test]
fn a_generated_alert_that_matches_no_route_fails_unless_declared_unrouted() {
    let mut s = spec("prod");
    // Without the dead man's switch route, the Watchdog falls through to the root receiver.
    s["alertmanager"]["route"]["routes"].as_array_mut().unwrap().remove(0);
    s["alertmanager"]["expectations"] = json!([]);
    let diags = monstack::build("prod.json", &serde_json::to_vec(&s).unwrap()).unwrap_err();
    assert!(diags.iter().any(|d| d.code.as_str() == "route/unrouted" && d.message.contains("Watchdog")), "{diags:#?}");
    assert!(
        diags.iter().any(|d| d.code.as_str() == "receiver/unused"),
        "the deadman receiver is now unused: {diags:#?}"
    );
    s["alertmanager"]["unrouted"] = json!(["Watchdog"]);
    s["alertmanager"]["receivers"].as_array_mut().unwrap().retain(|r| r["name"] != "deadmans-switch");
    monstack::build("prod.json", &serde_json::to_vec(&s).unwrap()).unwrap_or_else(|d| panic!("{d:#?}"));
}

#[test]
fn the_route_tree_is_drawn() {
    let bundle = monstack::build("prod.json", &serde_json::to_vec(&spec("prod")).unwrap()).unwrap();
    let svg = String::from_utf8(bundle.get("alertmanager/route-tree.svg").unwrap().to_vec()).unwrap();
    for receiver in [
        "default-receiver",
        "deadmans-switch",
        "db-team-pagerduty",
        "critical-pagerduty",
        "warning-slack",
        "info-email",
    ] {
        assert!(svg.contains(receiver), "{receiver} missing from the picture");
    }
    assert!(svg.contains("severity=~&quot;critical|P1&quot;"), "matchers are shown, escaped");
    let mmd = String::from_utf8(bundle.get("alertmanager/route-tree.mmd").unwrap().to_vec()).unwrap();
    assert!(mmd.starts_with("flowchart LR") && mmd.contains("n0 --> n1"));
}

#[test]
fn team_ownership_derives_routes_before_the_explicit_ones() {
    let mut s = spec("prod");
    // The platform team owns the API gateway: its criticals reach the team's receiver first,
    // then (continue) the general pager.
    s["teams"][1]["services"] = json!(["api-gateway"]);
    s["teams"][1]["receivers"] = json!({"critical": "warning-slack"});
    s["alertmanager"]["severity_timing"] = json!({"critical": {"repeat_interval": "30m"}});
    s["alertmanager"]["expectations"] = json!([
        {"labels": {"alertname": "HighErrorRateAPIGateway", "service": "api-gateway", "severity": "critical"},
         "receivers": ["warning-slack", "critical-pagerduty"]}
    ]);
    let bundle = monstack::build("prod.json", &serde_json::to_vec(&s).unwrap()).unwrap_or_else(|d| panic!("{d:#?}"));
    let am = String::from_utf8(bundle.get("alertmanager/alertmanager.yml").unwrap().to_vec()).unwrap();
    let first_child = am.split("  routes:\n").nth(1).unwrap();
    assert!(
        first_child.trim_start().starts_with(
            "- receiver: warning-slack\n    repeat_interval: 30m\n    matchers:\n    - service=\"api-gateway\""
        ),
        "{first_child}"
    );
}

/// A receiver reached by two routes gets every notification twice: Alertmanager sends one per
/// matched route, and amtool lists the receiver twice. Validation says so, at the second route
/// (named as the spec names it: a team's route, or an explicit one).
#[test]
fn a_receiver_reached_by_two_routes_is_refused_and_amtool_agrees_it_is_reached_twice() {
    let mut s = spec("dev");
    // The ai-infra team's warning receiver is also the explicit route's for AI-model alerts.
    let routes = s["alertmanager"]["route"]["routes"].as_array_mut().unwrap();
    routes.push(json!({"matchers": ["service=\"custom-ai-models\""], "receiver": "ai-infra-slack"}));
    let diags = monstack::build("dev.json", &serde_json::to_vec(&s).unwrap()).unwrap_err();
    let doubled: Vec<&monstack::diag::Diagnostic> =
        diags.iter().filter(|d| d.code.as_str() == "route/duplicate").collect();
    assert!(!doubled.is_empty(), "{diags:#?}");
    let team = s["teams"].as_array().unwrap().iter().position(|t| t["name"] == "ai-infra").unwrap();
    let explicit = s["alertmanager"]["route"]["routes"].as_array().unwrap().len() - 1;
    for d in &doubled {
        assert_eq!(d.path, format!("alertmanager.route.routes[{explicit}]"), "{d}");
        assert!(d.message.contains(&format!("through teams[{team}].receivers.")), "{d}");
    }

    // What Alertmanager itself resolves for one of those label sets.
    if !common::on_path("amtool") {
        assert!(!common::in_ci(), "CI must provide amtool; run .ci/install");
        eprintln!("SKIP amtool part: amtool not on PATH");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut ok = spec("dev");
    ok["alertmanager"]["route"]["routes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"matchers": ["service=\"custom-ai-models\""], "receiver": "default-receiver"}));
    ok["alertmanager"]["expectations"] = json!([]);
    let bundle = monstack::build("dev.json", &serde_json::to_vec(&ok).unwrap()).unwrap();
    let config = tmp.path().join("alertmanager.yml");
    let yaml = String::from_utf8(bundle.get("alertmanager/alertmanager.yml").unwrap().to_vec()).unwrap();
    // The same tree with the doubled receiver: the rendered file, the last route's receiver changed.
    let doubled_yaml =
        yaml.rsplit_once("receiver: default-receiver").map(|(a, b)| format!("{a}receiver: ai-infra-slack{b}")).unwrap();
    std::fs::write(&config, doubled_yaml).unwrap();
    std::fs::create_dir_all(tmp.path().join("templates")).unwrap();
    for (path, bytes) in bundle.files().iter().filter(|(p, _)| p.starts_with("alertmanager/templates/")) {
        std::fs::write(tmp.path().join(path.trim_start_matches("alertmanager/")), bytes).unwrap();
    }
    let o = std::process::Command::new("amtool")
        .args(["config", "routes", "test", "--config.file"])
        .arg(&config)
        .args(["alertname=CustomAIModelHighInferenceLatency", "service=custom-ai-models", "severity=warning"])
        .output()
        .unwrap();
    let resolved = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert_eq!(resolved, "ai-infra-slack,ai-infra-slack", "{}", String::from_utf8_lossy(&o.stderr));
}

/// The Watchdog always fires: unrouted, the hint sends it to a dead man's switch, not to a chat
/// channel.
#[test]
fn an_unrouted_watchdog_is_pointed_at_a_dead_mans_switch() {
    let mut s = spec("prod");
    s["alertmanager"]["route"]["routes"].as_array_mut().unwrap().remove(0);
    s["alertmanager"]["expectations"] = json!([]);
    let diags = monstack::build("prod.json", &serde_json::to_vec(&s).unwrap()).unwrap_err();
    let watchdog =
        diags.iter().find(|d| d.code.as_str() == "route/unrouted" && d.message.contains("Watchdog")).unwrap();
    let hint = watchdog.hint.as_deref().unwrap();
    assert!(hint.contains("dead man's switch") && hint.contains("never to a chat channel"), "{hint}");
}
