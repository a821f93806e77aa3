//! The catalogue in every bundle (`docs/catalog.md`, `docs/index.html`): every alert with the
//! receivers the route tree gives its labels, computed here with the routing module itself, the
//! time intervals and inhibit rules that can silence it, links to the environment's UIs, filters
//! by severity and owner, readable annotations and human units.

mod common;

use common::{build, example_json as spec, text};

use monstack::docs;
use monstack::routing;
use regex::Regex;
use serde_json::json;

fn bundle(env: &str) -> monstack::bundle::Bundle {
    monstack::build("spec.json", &std::fs::read(common::example(env)).unwrap()).unwrap()
}

/// The Alerts section of catalog.md.
fn markdown_alerts(md: &str) -> &str {
    md.split("\n## Alerts\n").nth(1).unwrap().split("\n## ").next().unwrap()
}

/// The alert rows of catalog.md: (name, subject, receivers, the row's cells).
type MdRow = (String, Option<String>, Vec<String>, Vec<String>);

fn markdown_rows(md: &str) -> Vec<MdRow> {
    markdown_alerts(md)
        .lines()
        .filter(|l| l.starts_with("| **"))
        .map(|l| {
            let cells: Vec<String> = l.split(" | ").map(str::to_string).collect();
            let first = cells[0].trim_start_matches("| **");
            let (name, rest) = first.split_once("**").unwrap();
            let subject = rest.trim().strip_prefix('(').map(|s| s.trim_end_matches(')').to_string());
            // `critical-pagerduty (5)`: the receiver and its route's number.
            let receivers = cells[5].split(", ").map(|r| r.rsplit_once(" (").unwrap().0.to_string()).collect();
            (name.to_string(), subject, receivers, cells)
        })
        .collect()
}

/// An alert of index.html: its `<tbody>` attributes and inner HTML.
#[derive(Debug)]
struct HtmlRow {
    anchor: String,
    severity: String,
    owner: String,
    body: String,
}

fn html_rows(html: &str) -> Vec<HtmlRow> {
    let re = Regex::new(
        r#"(?s)<tbody class="alert" id="([^"]*)" data-severity="([^"]*)" data-owner="([^"]*)"[^>]*>(.*?)</tbody>"#,
    )
    .unwrap();
    re.captures_iter(html)
        .map(|c| HtmlRow { anchor: c[1].into(), severity: c[2].into(), owner: c[3].into(), body: c[4].into() })
        .collect()
}

fn row<'a>(rows: &'a [HtmlRow], anchor: &str) -> &'a HtmlRow {
    rows.iter().find(|r| r.anchor == anchor).unwrap_or_else(|| panic!("no row {anchor}"))
}

fn md_row<'a>(rows: &'a [MdRow], name: &str) -> &'a MdRow {
    rows.iter().find(|r| r.0 == name).unwrap_or_else(|| panic!("no row {name}"))
}

/// What a browser shows of some HTML: the text outside tags (attributes dropped).
fn visible(html: &str) -> String {
    Regex::new(r"<[^>]*>").unwrap().replace_all(html, "").into_owned()
}

#[test]
fn the_prod_catalogue_lists_every_alert_with_the_receivers_the_route_tree_gives_it() {
    let bytes = std::fs::read(common::example("prod")).unwrap();
    let model = monstack::model("prod.json", &bytes).unwrap();
    let tree = &model.route;
    let entries = docs::entries(&model);
    let rules = text(&bundle("prod"), "prometheus/rules/application_alerts.yml");
    assert!(entries.len() > 50, "prod has the whole catalogue: {}", entries.len());
    assert!(rules.contains("alert: HighErrorRateAPIGateway"));

    let md = text(&bundle("prod"), "docs/catalog.md");
    let rows = markdown_rows(&md);
    assert_eq!(rows.len(), entries.len(), "one row per alert");
    let html = text(&bundle("prod"), "docs/index.html");
    for e in &entries {
        let want = routing::receivers(tree, &e.routing_labels());
        assert!(!want.is_empty());
        let row = rows
            .iter()
            .find(|(n, s, _, _)| *n == e.name && *s == e.subject)
            .unwrap_or_else(|| panic!("{} ({:?}) is not in catalog.md", e.name, e.subject));
        assert_eq!(row.2, want, "{} ({:?})", e.name, e.subject);
        // Each route that delivers it, numbered, with its receiver, in route order.
        let hits: String = routing::route(tree, &e.routing_labels())
            .iter()
            .map(|m| {
                let n = routing::number(&m.at);
                format!("<div class=\"hit\"><span class=\"num\" title=\"route {n}\">{n}</span> <span class=\"chip\">{}</span></div>", m.receiver)
            })
            .collect();
        assert!(html.contains(&hits), "{}: routes {want:?} not in index.html", e.name);
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
                assert!(rows.iter().any(|(n, _, _, _)| n == name), "{name} of {path} missing from catalog.md");
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
    let down = md_row(&rows, "PostgresqlDown");
    assert_eq!(down.2, vec!["critical-pagerduty".to_string()]);
    let before = markdown_rows(&text(&bundle("prod"), "docs/catalog.md"));
    let down = md_row(&before, "PostgresqlDown");
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
        "### critical (",
        "### warning (",
        "```mermaid\nflowchart LR",
    ] {
        assert!(md.contains(needle), "{needle} missing from catalog.md");
    }
    assert!(!md.contains("/run/secrets"), "no secret file paths in the docs");
}

#[test]
fn staging_mutes_warnings_outside_business_hours_in_the_catalogue_and_the_picture() {
    let s = spec("staging");
    let b = build(&s);
    let model = monstack::model("staging.json", &serde_json::to_vec(&s).unwrap()).unwrap();
    let tree = &model.route;
    let entries = docs::entries(&model);
    let html = html_rows(&text(&b, "docs/index.html"));
    let md = markdown_rows(&text(&b, "docs/catalog.md"));
    let mut muted = 0;
    for e in entries.iter().filter(|e| e.subject.is_none()) {
        let matches = routing::route(tree, &e.routing_labels());
        let in_md = &md_row(&md, &e.name).3[6];
        let in_html =
            &html.iter().find(|r| r.body.contains(&format!("<div class=\"name\">{}</div>", e.name))).unwrap().body;
        for m in &matches {
            let said =
                format!("route {} ({}) sends nothing in outside-business-hours", routing::number(&m.at), m.receiver);
            assert_eq!(
                in_md.contains(&said),
                m.mute.contains(&"outside-business-hours".to_string()),
                "{}: {in_md}",
                e.name
            );
        }
        let is_muted = matches.iter().any(|m| !m.mute.is_empty());
        assert_eq!(in_html.contains(">muted in outside-business-hours</span>"), is_muted, "{}", e.name);
        muted += usize::from(is_muted);
        // Criticals are never muted by time in staging; warnings always are.
        match e.labels.get("severity").map(String::as_str) {
            Some("critical") => assert!(!is_muted, "{}", e.name),
            Some("warning") => assert!(is_muted, "{}", e.name),
            _ => {}
        }
    }
    assert!(muted > 10, "{muted}");
    // The interval in words, where the routes use it, in both pages and the picture.
    let md_text = text(&b, "docs/catalog.md");
    let words = "saturday, sunday (UTC) or monday:friday 00:00-08:00, 18:00-24:00 (UTC)";
    let warning_route = routing::nodes(tree)
        .into_iter()
        .find(|n| n.route.mute_time_intervals == ["outside-business-hours"])
        .unwrap()
        .number;
    assert!(md_text.contains(&format!("| `outside-business-hours` | {words} | {warning_route} | — |")), "{md_text}");
    let svg = text(&b, "alertmanager/route-tree.svg");
    assert!(svg.contains(&format!("time interval outside-business-hours: {words}")));
    assert!(svg.contains(&format!(">{warning_route}  severity=~&quot;warning|P2|P3&quot;</text>")), "{svg}");
    assert!(svg.contains(">muted in outside-business-hours</text>"));
    assert!(text(&b, "alertmanager/route-tree.mmd").contains("<br/>muted in outside-business-hours<br/>"));

    // Prod declares no interval: nothing is muted by time.
    let prod = text(&bundle("prod"), "docs/index.html");
    for r in html_rows(&prod) {
        assert!(!r.body.contains("class=\"mute\""), "prod mutes nothing by time: {}", r.anchor);
    }
    assert!(prod.contains("No time intervals are declared"));
}

#[test]
fn the_route_tree_is_numbered_in_evaluation_order_with_a_legend() {
    let b = bundle("prod");
    let model = monstack::model("prod.json", &std::fs::read(common::example("prod")).unwrap()).unwrap();
    let nodes = routing::nodes(&model.route);
    let numbers: Vec<&str> = nodes.iter().map(|n| n.number.as_str()).collect();
    assert_eq!(numbers, ["root", "1", "2", "3", "4", "5", "6", "7"], "team routes first, then the spec's");
    let svg = text(&b, "alertmanager/route-tree.svg");
    let mmd = text(&b, "alertmanager/route-tree.mmd");
    let html = text(&b, "docs/index.html");
    for n in nodes.iter().skip(1) {
        let head = format!("{}  {}", n.number, n.route.matchers.join(", "));
        let escaped = head.replace('"', "&quot;");
        assert!(svg.contains(&format!(">{escaped}</text>")), "{head} in the picture");
        assert!(mmd.contains(&format!("[\"{}", head.replace('"', "#quot;"))), "{head} in the Mermaid chart");
        assert!(
            html.contains(&format!("<tr><td><span class=\"num\">{}</span></td>", n.number)),
            "route {} in the table",
            n.number
        );
    }
    // Evaluation order is the order of the picture: each number appears after the one before.
    let at: Vec<usize> = nodes.iter().skip(1).map(|n| svg.find(&format!(">{}  ", n.number)).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    for legend in [
        ">Legend</text>",
        "evaluation order: a node&#39;s children",
        "continue   (blue) the alert also goes on to the next matching sibling",
        "muted in   no notifications from this route during these time intervals",
        "inhibit rules  rules that can mute alerts this route delivers",
        "inhibit rule 1: while an alert with alertname=~&quot;PostgresqlDown|RedisDown&quot; fires, alerts with severity=&quot;warning&quot; are muted when they have the same service, instance",
    ] {
        let legend = legend.replace("&#39;", "'");
        assert!(svg.contains(&legend), "{legend} missing from the legend");
    }
    assert!(mmd.contains("subgraph legend [Legend]"));
    // The continuing routes are blue in both pictures.
    let continuing: Vec<String> =
        nodes.iter().enumerate().filter(|(_, n)| n.route.continue_).map(|(i, _)| format!("n{i}")).collect();
    assert!(mmd.contains(&format!("  class {} continues\n", continuing.join(","))), "{mmd}");
    assert_eq!(svg.matches("fill=\"#eef6ff\"").count(), continuing.len());
    // Inhibit rule 1 mutes warnings: marked on the warning routes, not on the critical ones.
    let marks = |number: &str| {
        let line =
            svg.lines().skip_while(|l| !l.contains(&format!(">{number}  "))).take(8).collect::<Vec<_>>().join("\n");
        line.split("</text>").find(|t| t.contains(">inhibit rules ")).map(|t| t.rsplit('>').next().unwrap().to_string())
    };
    let warning = nodes.iter().find(|n| n.route.matchers == ["severity=~\"warning|P2|P3\""]).unwrap();
    let critical = nodes.iter().find(|n| n.route.matchers == ["severity=~\"critical|P1\""]).unwrap();
    // Rules 2 and 3 do not name a severity: both routes carry them.
    assert_eq!(marks(&warning.number).as_deref(), Some("inhibit rules 1, 2, 3"));
    assert_eq!(marks(&critical.number).as_deref(), Some("inhibit rules 2, 3"));
}

#[test]
fn inhibitions_name_the_rules_and_the_alerts_that_can_mute_an_alert() {
    // A rule only prod's PostgreSQL alerts can trigger: while PostgresqlDown fires, the other
    // alerts of the same PostgreSQL instance are muted.
    let mut s = spec("prod");
    s["alertmanager"]["inhibit_rules"].as_array_mut().unwrap().push(json!({
        "source_matchers": ["alertname=\"PostgresqlDown\""],
        "target_matchers": ["service=\"postgresql\""],
        "equal": ["instance"]
    }));
    let b = build(&s);
    let model = monstack::model("prod.json", &serde_json::to_vec(&s).unwrap()).unwrap();
    let catalog = docs::catalog(&model, monstack::render::flags::all(&model).into());
    let alert = |name: &str| catalog.alerts.iter().find(|a| a.name == name).unwrap();
    let sources = |name: &str, rule: usize| -> Vec<String> {
        alert(name)
            .inhibited_by
            .iter()
            .filter(|i| i.rule == rule)
            .flat_map(|i| i.sources.iter().map(|s| s.name.clone()))
            .collect()
    };
    assert_eq!(sources("PostgresqlTooManyConnections", 4), ["PostgresqlDown"]);
    assert_eq!(sources("PostgresqlReplicationLag", 4), ["PostgresqlDown"]);
    // An alert never mutes its own series (it matches both sides of the rule).
    assert!(sources("PostgresqlDown", 4).is_empty());
    assert!(sources("RedisDown", 4).is_empty(), "service redis is not a target");
    // Rule 3: TargetDown of node_exporter mutes the host alerts of its instance; the condition
    // on TargetDown's series (its job) is named.
    let host = alert("HostHighCpuLoad");
    let rule3 = host.inhibited_by.iter().find(|i| i.rule == 3).unwrap();
    assert_eq!(
        rule3.sources.iter().map(|s| (s.name.as_str(), s.condition.clone())).collect::<Vec<_>>(),
        [("TargetDown", vec!["job=\"node_exporter\"".to_string()])]
    );
    assert!(rule3.target_if.is_empty(), "HostHighCpuLoad sets component=\"server\" itself");
    // An alert whose expression sums every label away has no instance: never a target of rule 3.
    assert!(
        alert("HighErrorRateAPIGateway").inhibited_by.is_empty(),
        "{:?}",
        alert("HighErrorRateAPIGateway").inhibited_by
    );
    // Rule 1 (PostgreSQL or Redis down mutes that service's warnings): the PostgreSQL warnings
    // are its targets, muted by PostgresqlDown alone (RedisDown has another service).
    assert!(catalog.inhibit_rules[0].targets >= 2, "{}", catalog.inhibit_rules[0].targets);
    assert_eq!(sources("PostgresqlTooManyConnections", 1), ["PostgresqlDown"]);
    assert_eq!(
        catalog.inhibit_rules[3].sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["PostgresqlDown"]
    );

    // The pages say the same.
    let html = text(&b, "docs/index.html");
    let rows = html_rows(&html);
    let conns = row(&rows, &alert("PostgresqlTooManyConnections").anchor);
    let down = &alert("PostgresqlDown").anchor;
    assert!(
        conns.body.contains(&format!("Muted by <a href=\"#inhibit-4\">inhibit rule 4</a> while <a href=\"#{down}\">PostgresqlDown</a> fires with the same instance.")),
        "{}",
        conns.body
    );
    assert!(html.contains("<tr id=\"inhibit-4\"><td>4</td>"));
    let md = markdown_rows(&text(&b, "docs/catalog.md"));
    assert!(
        md_row(&md, "PostgresqlTooManyConnections").3[6]
            .contains("inhibit rule 4 while PostgresqlDown fires, with the same instance")
    );
    assert!(
        md_row(&md, "HostHighCpuLoad").3[6]
            .contains("inhibit rule 3 while TargetDown (job=\"node_exporter\") fires, with the same instance")
    );
    assert_eq!(md_row(&md, "HighErrorRateAPIGateway").3[6], "—");
    // Per route: the route delivering a PostgreSQL warning counts the warnings rule 4 can mute.
    let number = &alert("PostgresqlTooManyConnections").routes[0].number;
    let route = catalog.routes.iter().find(|r| &r.number == number).unwrap();
    let muted = catalog
        .alerts
        .iter()
        .filter(|a| a.routes.iter().any(|r| &r.number == number) && a.inhibited_by.iter().any(|i| i.rule == 4))
        .count();
    assert!(muted >= 2);
    assert!(route.inhibitable.iter().any(|c| c.rule == 4 && c.alerts == muted), "{:?}", route.inhibitable);
    assert!(html.contains(&format!("<a href=\"#inhibit-4\">rule 4</a>: {muted} alert(s)")));
}

#[test]
fn links_to_the_uis_appear_exactly_when_their_urls_are_declared() {
    // Prod declares all three URLs (with a trailing slash); dev none.
    let prod = text(&bundle("prod"), "docs/index.html");
    let am = "https://alertmanager.creativeflow.ai/#/alerts?silenced=true&amp;inhibited=true&amp;active=true&amp;filter=%7Balertname%3D%22PostgresqlDown%22%2C%20service%3D%22postgresql%22%2C%20severity%3D%22critical%22%7D";
    for link in [
        format!("<a href=\"{am}\">Alertmanager</a>"),
        "<a href=\"https://prometheus.creativeflow.ai/alerts?search=PostgresqlDown\">Prometheus</a>".into(),
        "<a href=\"https://prometheus.creativeflow.ai/graph?g0.expr=pg_up%7Bjob%3D%22postgres_exporter%22%7D+%3D%3D+0&amp;g0.tab=1\">query in Prometheus</a>".into(),
        "<a href=\"https://grafana.creativeflow.ai/d/monstack-postgresql\">PostgreSQL</a>".to_string(),
    ] {
        assert!(prod.contains(&link), "{link} missing from prod's index.html");
    }
    let md = text(&bundle("prod"), "docs/catalog.md");
    assert!(md.contains(&format!("[Alertmanager](<{}>)", am.replace("&amp;", "&"))));
    assert!(md.contains("[PostgreSQL](<https://grafana.creativeflow.ai/d/monstack-postgresql>)"));

    let dev = text(&bundle("dev"), "docs/index.html");
    for absent in ["#/alerts?", "alerts?search=", "graph?g0.expr=", "href=\"https://grafana", ">Alertmanager</a>"] {
        assert!(!dev.contains(absent), "dev declares no URL, yet {absent} is linked");
    }
    assert!(
        dev.contains("<div class=\"dash\" title=\"Grafana path /d/monstack-postgresql\">PostgreSQL<br>"),
        "the title as text"
    );
    let dev_md = text(&bundle("dev"), "docs/catalog.md");
    assert!(!dev_md.contains("](<"), "no links in dev's Markdown but runbooks");

    // Without the trailing slash, or under a sub-path, the links are the same shape.
    let mut s = spec("dev");
    s["grafana"]["server"]["root_url"] = json!("https://ops.example/grafana");
    s["alertmanager"]["external_url"] = json!("https://ops.example/am");
    let html = text(&build(&s), "docs/index.html");
    assert!(html.contains("<a href=\"https://ops.example/grafana/d/monstack-postgresql\">PostgreSQL</a>"));
    assert!(html.contains("href=\"https://ops.example/am/#/alerts?silenced=true&amp;inhibited=true&amp;active=true&amp;filter=%7Balertname%3D%22PostgresqlDown%22"));
    assert!(!html.contains("alerts?search="), "no Prometheus URL in dev");
}

#[test]
fn the_html_filters_alerts_by_severity_and_owner_offline() {
    let b = bundle("prod");
    let html = text(&b, "docs/index.html");
    let model = monstack::model("prod.json", &std::fs::read(common::example("prod")).unwrap()).unwrap();
    let entries = docs::entries(&model);
    let rows = html_rows(&html);
    assert_eq!(rows.len(), entries.len());
    for (e, r) in entries.iter().zip(&rows) {
        assert_eq!(r.severity, e.labels.get("severity").cloned().unwrap_or_else(|| docs::NONE.into()), "{}", e.name);
        assert_eq!(r.owner, e.owner.clone().unwrap_or_else(|| docs::NONE.into()), "{}", e.name);
    }
    // One option per severity and owner present, with its count.
    let option = Regex::new(r#"<option value="([^"]+)">"#).unwrap();
    for (select, values) in [
        ("filter-severity", rows.iter().map(|r| r.severity.clone()).collect::<std::collections::BTreeSet<_>>()),
        ("filter-owner", rows.iter().map(|r| r.owner.clone()).collect()),
    ] {
        let options =
            html.split(&format!("<select id=\"{select}\"")).nth(1).unwrap().split("</select>").next().unwrap();
        let got: std::collections::BTreeSet<String> = option.captures_iter(options).map(|c| c[1].to_string()).collect();
        assert_eq!(got, values, "{select}");
        for v in &values {
            let n = rows.iter().filter(|r| &r.severity == v || &r.owner == v).count();
            assert!(options.contains(&format!(" ({n})</option>")), "{select} {v}: {n}");
        }
    }
    // The script reads the two selects and the rows' attributes; nothing comes from the network.
    let script = html.split("<script>").nth(1).unwrap();
    for needle in [
        "getElementById(\"filter-severity\")",
        "getAttribute(\"data-severity\")",
        "getAttribute(\"data-owner\")",
        "addEventListener(\"change\", filter)",
    ] {
        assert!(script.contains(needle), "{needle}");
    }
    assert_eq!(html.matches("<script").count(), 1);
    // The Markdown groups the alerts by severity and names each one's owner.
    let md = text(&b, "docs/catalog.md");
    let alerts = markdown_alerts(&md);
    let mut at = 0;
    for severity in ["critical", "warning", "info"] {
        let n = entries.iter().filter(|e| e.labels.get("severity").map(String::as_str) == Some(severity)).count();
        let heading = format!("\n### {severity} ({n})\n");
        let found = alerts.find(&heading).unwrap_or_else(|| panic!("{heading}"));
        assert!(found > at, "critical, then warning, then info");
        at = found;
        let section = alerts[found..].split("\n### ").nth(1).unwrap();
        assert_eq!(section.lines().filter(|l| l.starts_with("| **")).count(), n, "{severity}");
    }
    for (name, subject, _, cells) in markdown_rows(&md) {
        let e = entries.iter().find(|e| e.name == name && e.subject == subject).unwrap();
        assert_eq!(cells[1], e.owner.clone().unwrap_or_else(|| "—".into()), "{name}");
    }
}

#[test]
fn the_capacity_table_speaks_in_si_units() {
    let b = bundle("prod");
    let model = monstack::model("prod.json", &std::fs::read(common::example("prod")).unwrap()).unwrap();
    let estimate = monstack::catalogue::capacity::estimate(&model.spec);
    let md = text(&b, "docs/catalog.md");
    let html = text(&b, "docs/index.html");
    let series = docs::units::si(estimate.series as f64);
    let rate = docs::units::bytes_per_second(estimate.remote_write_bytes_per_second_total);
    assert!(series.ends_with('k') && rate.ends_with("B/s"), "{series} {rate}");
    assert!(md.contains(&format!("would hold **{series}** active series")), "{series}");
    assert!(md.contains(&format!("{rate} from all replicas")), "{rate}");
    assert!(!md.contains(&format!("**{}**", estimate.series)), "no raw series count");
    // The exact number stays at hand in the HTML, as a tooltip.
    assert!(html.contains(&format!("<b title=\"{}\">{series}</b> active series", estimate.series)));
    // Each job: series and samples/s with prefixes, the interval as a duration.
    let node = estimate.jobs.iter().find(|j| j.job == "node_exporter").unwrap();
    let section = md.split("\n## Capacity estimate\n").nth(1).unwrap();
    let row = section.lines().find(|l| l.starts_with("| `node_exporter` |")).unwrap();
    let cells: Vec<&str> = row.split(" | ").collect();
    assert_eq!(cells[4], docs::units::si(node.series.unwrap() as f64));
    assert_eq!(cells[5], docs::units::seconds(node.scrape_interval_seconds));
}

#[test]
fn annotations_read_without_template_syntax_and_keep_the_template_at_hand() {
    let b = bundle("prod");
    let html = text(&b, "docs/index.html");
    let md = text(&b, "docs/catalog.md");
    let rows = html_rows(&html);
    let model = monstack::model("prod.json", &std::fs::read(common::example("prod")).unwrap()).unwrap();
    let cpu = docs::entries(&model).into_iter().find(|e| e.name == "HostHighCpuLoad").unwrap();
    let summary = &cpu.annotations["summary"];
    assert!(summary.contains("{{ $labels.instance }}"), "the rule's template: {summary}");
    let r = rows.iter().find(|r| r.body.contains("<div class=\"name\">HostHighCpuLoad</div>")).unwrap();
    let shown = summary.replace("{{ $labels.instance }}", "<var>&lt;instance&gt;</var>");
    assert!(r.body.contains(&format!(" title=\"{}\">{shown}</div>", summary)), "{}", r.body);
    // No template syntax anywhere a reader sees it, in either page.
    assert!(!visible(&html).contains("{{"), "template syntax in the HTML text");
    assert!(!markdown_alerts(&md).contains("{{"), "template syntax in the Markdown");
    assert!(md.contains(&format!("| {} |", summary.replace("{{ $labels.instance }}", "&lt;instance&gt;"))));
}

#[test]
fn label_values_and_annotations_cannot_inject_markup() {
    let mut s = spec("dev");
    let evil = "<script>alert(1)</script>";
    s["rules"]["files"] = json!([{"name": "custom_alerts", "groups": [{"name": "custom", "rules": [{
        "alert": "QueueStalled",
        "expr": "sum by (job) (rate(jobs_done_total[10m])) == 0",
        "for": "10m",
        "labels": {"severity": "warning", "note": evil},
        "annotations": {
            "summary": "Queue <img src=x onerror=alert(2)> of {{ $labels.job }} stalled",
            "description": "\"><script>alert(3)</script> on {{ $labels.job }}"
        },
        "tests": [
            {"input_series": [{"series": "jobs_done_total{job=\"worker\"}", "values": "0+0x40"}],
             "eval_time": "30m", "fires": [{"labels": {"severity": "warning", "note": evil, "job": "worker"}}]},
            {"input_series": [{"series": "jobs_done_total{job=\"worker\"}", "values": "0+5x40"}], "eval_time": "30m"}
        ]
    }]}]}]);
    s["alertmanager"]["external_url"] = json!("https://am.example/");
    let b = build(&s);
    let html = text(&b, "docs/index.html");
    assert_eq!(html.matches("<script").count(), 1, "only the page's own script");
    assert!(!html.contains("<img"), "no element from an annotation");
    assert!(html.contains("<span class=\"label\">note=&lt;script&gt;alert(1)&lt;/script&gt;</span>"), "shown as text");
    assert!(html.contains("Queue &lt;img src=x onerror=alert(2)&gt; of <var>&lt;job&gt;</var> stalled"));
    assert!(html.contains("&quot;&gt;&lt;script&gt;alert(3)&lt;"));
    // The Alertmanager link carries the label percent-encoded.
    assert!(html.contains("note%3D%22%3Cscript%3Ealert(1)%3C%2Fscript%3E%22"));
    let md = text(&b, "docs/catalog.md");
    assert!(!md.contains("<script") && !md.contains("<img"), "the Markdown shows them as text");
    assert!(md.contains("Queue &lt;img src=x onerror=alert(2)&gt; of &lt;job&gt; stalled"));
}
