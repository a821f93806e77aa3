//! The catalogue in every bundle (`docs/catalog.md`, `docs/index.html`): every alert with the
//! receivers the route tree gives its labels, computed here with the routing module itself.

mod common;

use monstack::render::docs;
use monstack::routing;

fn bundle(env: &str) -> monstack::bundle::Bundle {
    monstack::build("spec.json", &std::fs::read(common::example(env)).unwrap()).unwrap()
}

fn text(bundle: &monstack::bundle::Bundle, path: &str) -> String {
    String::from_utf8(bundle.get(path).unwrap_or_else(|| panic!("{path} missing")).to_vec()).unwrap()
}

/// The alert rows of catalog.md: (name, subject, receivers).
fn markdown_rows(md: &str) -> Vec<(String, Option<String>, Vec<String>)> {
    let alerts = md.split("\n## Alerts\n").nth(1).unwrap().split("\n## ").next().unwrap();
    alerts
        .lines()
        .filter(|l| l.starts_with("| **"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let first = cells[0].trim_start_matches("| **");
            let (name, rest) = first.split_once("**").unwrap();
            let subject = rest.trim().strip_prefix('(').map(|s| s.trim_end_matches(')').to_string());
            let receivers = cells[5].split(", ").map(str::to_string).collect();
            (name.to_string(), subject, receivers)
        })
        .collect()
}

#[test]
fn the_prod_catalogue_lists_every_alert_with_the_receivers_the_route_tree_gives_it() {
    let bytes = std::fs::read(common::example("prod")).unwrap();
    let model = monstack::model("prod.json", &bytes).unwrap();
    let effective = routing::effective(&model.spec);
    let tree = routing::Tree::new(&effective).unwrap();
    let entries = docs::entries(&model.spec);
    let rules = text(&bundle("prod"), "prometheus/rules/application_alerts.yml");
    assert!(entries.len() > 50, "prod has the whole catalogue: {}", entries.len());
    assert!(rules.contains("alert: HighErrorRateAPIGateway"));

    let md = text(&bundle("prod"), "docs/catalog.md");
    let rows = markdown_rows(&md);
    assert_eq!(rows.len(), entries.len(), "one row per alert");
    let html = text(&bundle("prod"), "docs/index.html");
    for e in &entries {
        let want = routing::receivers(&tree, &e.routing_labels());
        assert!(!want.is_empty());
        let row = rows
            .iter()
            .find(|(n, s, _)| *n == e.name && *s == e.subject)
            .unwrap_or_else(|| panic!("{} ({:?}) is not in catalog.md", e.name, e.subject));
        assert_eq!(row.2, want, "{} ({:?})", e.name, e.subject);
        let chips: String = want.iter().map(|r| format!("<span class=\"chip\">{r}</span> ")).collect();
        assert!(html.contains(&chips), "{}: receivers {want:?} not in index.html", e.name);
    }
    // Every rule file alert of the bundle is catalogued.
    let bundle = bundle("prod");
    for (path, bytes) in bundle.files().range("prometheus/rules/".to_string()..) {
        if !path.starts_with("prometheus/rules/") {
            break;
        }
        let doc: serde_yaml::Value = serde_yaml::from_slice(bytes).unwrap();
        for rule in doc["groups"].as_sequence().unwrap().iter().flat_map(|g| g["rules"].as_sequence().unwrap()) {
            if let Some(name) = rule["alert"].as_str() {
                assert!(rows.iter().any(|(n, _, _)| n == name), "{name} of {path} missing from catalog.md");
            }
        }
    }
}

#[test]
fn a_team_route_change_shows_in_the_catalogue() {
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(common::example("prod")).unwrap()).unwrap();
    let teams = spec["teams"].as_array_mut().unwrap();
    let db = teams.iter_mut().find(|t| t["name"] == "db").unwrap();
    db["receivers"]["critical"] = serde_json::Value::Null;
    db["services"] = serde_json::json!([]);
    // The db team's pager is then unused, which validation refuses: drop it, and the expectations
    // of PostgreSQL's alerts.
    let receivers = spec["alertmanager"]["receivers"].as_array_mut().unwrap();
    receivers.retain(|r| r["name"] != "db-team-pagerduty");
    spec["alertmanager"]["expectations"].as_array_mut().unwrap().retain(|e| e["labels"]["service"] != "postgresql");
    let b = monstack::build("spec.json", &serde_json::to_vec(&spec).unwrap()).unwrap();
    let rows = markdown_rows(&text(&b, "docs/catalog.md"));
    let down = rows.iter().find(|(n, _, _)| n == "PostgresqlDown").unwrap();
    assert_eq!(down.2, vec!["critical-pagerduty".to_string()]);
    let before = markdown_rows(&text(&bundle("prod"), "docs/catalog.md"));
    let down = before.iter().find(|(n, _, _)| n == "PostgresqlDown").unwrap();
    assert_eq!(down.2, vec!["db-team-pagerduty".to_string(), "critical-pagerduty".to_string()]);
}

#[test]
fn the_html_page_is_one_offline_file_with_a_search_box_over_the_alerts() {
    let html = text(&bundle("prod"), "docs/index.html");
    assert!(html.contains("<input id=\"alert-search\""));
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), "route tree inlined");
    for external in ["<link ", "src=\"http", "@import", "<script src"] {
        assert!(!html.contains(external), "{external} would need the network");
    }
    // Label values and expressions are escaped: the page has no raw `<` from PromQL.
    assert!(html.contains("&quot;api-gateway&quot;"));
    assert!(!html.contains("job=\"api-gateway\""));
    for uid in ["monstack-postgresql", "monstack-slo", "monstack-ai-models"] {
        assert!(html.contains(&format!("/d/{uid}")), "{uid}");
    }
}

#[test]
fn the_catalogue_names_slo_budgets_retention_tiers_jobs_and_dashboards() {
    let md = text(&bundle("prod"), "docs/catalog.md");
    for needle in [
        "### api-gateway-availability",
        "Objective **99.9%** over 30d: an error budget of 0.1% of events, 43m12s of total failure",
        "| SLOErrorBudgetBurnFast | critical | 1h | 5m | 14.4× | 0.0144 |",
        "| `{log_class=\"security_audit\"}` | 365d | 10 |",
        "| every other stream | 90d | — |",
        "| `node_exporter` | sre | **file_sd**:",
        "`monstack-postgresql` (`/d/monstack-postgresql`)",
        "```mermaid\nflowchart LR",
    ] {
        assert!(md.contains(needle), "{needle} missing from catalog.md");
    }
    assert!(!md.contains("/run/secrets"), "no secret file paths in the docs");
}
