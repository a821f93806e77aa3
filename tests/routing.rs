//! Routing as data: expectations are checked with Alertmanager's semantics before rendering,
//! and the route tree is drawn into the bundle.

mod common;

use serde_json::{Value, json};

fn spec(env: &str) -> Value {
    serde_json::from_slice(&std::fs::read(common::example(env)).unwrap()).unwrap()
}

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
