//! Links from the catalogue to the environment's own UIs, when the spec says where people reach
//! them (`grafana.server.root_url`, `alertmanager.external_url`, `prometheus.external_url`).
//! Without a URL there is no link: the catalogue names the dashboard or alert as text.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::collections::BTreeMap;

/// What JavaScript's `encodeURIComponent` leaves alone (Elm's `Url.percentEncode`, which
/// Alertmanager's UI uses for its query parameters).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// What Go's `url.QueryEscape` leaves alone; it writes spaces as `+`.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b' ');

fn component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

fn query_escape(s: &str) -> String {
    utf8_percent_encode(s, QUERY).to_string().replace(' ', "+")
}

/// `base` and a path below it, with exactly one `/` between them whether or not `base` ends
/// with one (`https://g.example/` and `https://g.example/grafana` alike).
fn join(base: &str, rest: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), rest.trim_start_matches('/'))
}

/// A dashboard in Grafana: `<root_url>/d/<uid>`. None when `root_url` still holds Grafana's
/// `%(domain)s`-style placeholders, which only Grafana can fill in.
pub fn grafana_dashboard(root_url: &str, uid: &str) -> Option<String> {
    (!root_url.contains("%(")).then(|| join(root_url, &format!("d/{}", component(uid))))
}

/// Alertmanager's alert list filtered to one alert (its name and static labels), silenced and
/// inhibited alerts included, so a muted alert is found too. The UI's own format: `#/alerts`
/// with `filter={alertname="X", …}` (`ui/app/src/Utils/Filter.elm`, `toUrl` and
/// `stringifyFilter`: values JSON-quoted, the whole parameter percent-encoded); without
/// `silenced=true` and `inhibited=true` it hides muted alerts (prometheus/alertmanager#3193).
pub fn alertmanager_alerts(external_url: &str, labels: &BTreeMap<String, String>) -> String {
    let matchers: Vec<String> =
        labels.iter().map(|(k, v)| format!("{k}={}", serde_json::to_string(v).expect("a string serialises"))).collect();
    let filter = format!("{{{}}}", matchers.join(", "));
    join(external_url, &format!("#/alerts?silenced=true&inhibited=true&active=true&filter={}", component(&filter)))
}

/// Prometheus' alerts page searched for the rule's name: Prometheus 3's page reads `search`
/// into its search box (`web/ui/mantine-ui/src/pages/AlertsPage.tsx`, `useQueryParam("search")`);
/// an older UI that ignores it shows every rule, the expression link below still works.
pub fn prometheus_rule(external_url: &str, name: &str) -> String {
    join(external_url, &format!("alerts?search={}", component(name)))
}

/// The expression in Prometheus' table view: the link Prometheus itself sends as an alert's
/// `generatorURL` (`util/strutil` `TableLinkForExpression`: `/graph?g0.expr=<QueryEscape>&g0.tab=1`).
pub fn prometheus_query(external_url: &str, expr: &str) -> String {
    join(external_url, &format!("graph?g0.expr={}&g0.tab=1", query_escape(expr)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_with_one_slash_and_encode_their_parameters() {
        for root in ["https://grafana.example/", "https://grafana.example"] {
            assert_eq!(grafana_dashboard(root, "monstack-slo").unwrap(), "https://grafana.example/d/monstack-slo");
        }
        assert_eq!(
            grafana_dashboard("https://x.example/grafana/", "a b").unwrap(),
            "https://x.example/grafana/d/a%20b"
        );
        assert_eq!(grafana_dashboard("https://%(domain)s/", "u"), None);

        let labels: BTreeMap<String, String> =
            [("alertname", "X")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(
            alertmanager_alerts("https://am.example/", &labels),
            "https://am.example/#/alerts?silenced=true&inhibited=true&active=true&filter=%7Balertname%3D%22X%22%7D"
        );
        let mut two = labels.clone();
        two.insert("model".into(), "a\"b".into());
        assert!(
            alertmanager_alerts("https://am.example", &two)
                .ends_with("filter=%7Balertname%3D%22X%22%2C%20model%3D%22a%5C%22b%22%7D")
        );

        assert_eq!(prometheus_rule("https://p.example", "HighLatency"), "https://p.example/alerts?search=HighLatency");
        assert_eq!(
            prometheus_query("https://p.example/", "rate(x{job=\"a b\"}[5m]) > 0.5"),
            "https://p.example/graph?g0.expr=rate%28x%7Bjob%3D%22a+b%22%7D%5B5m%5D%29+%3E+0.5&g0.tab=1"
        );
    }
}
