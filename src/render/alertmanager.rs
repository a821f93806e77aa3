//! Alertmanager: `alertmanager.yml` and the notification templates. Every secret is a `*_file`
//! field; matchers use the `matchers` syntax (not the deprecated `match`/`match_re`).
//! `templates` is relative: Alertmanager resolves it against the config file's folder.

use super::yaml;
use crate::bundle::Bundle;
use crate::bundle::layout::{ALERTMANAGER_CONFIG, ALERTMANAGER_TEMPLATES};
use crate::routing::Branch;
use crate::spec::alertmanager::Receiver;
use crate::syntax::matcher::canonical;
use crate::validate::Model;
use serde::Serialize;

/// The seed's notification templates (email subject and HTML body, Slack text), corrected for
/// Go's template syntax (`default` is not an Alertmanager template function; `or` is).
pub const TEMPLATES: &str = include_str!("templates/default_notification.tmpl");

#[derive(Serialize)]
struct Config {
    global: Global,
    templates: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    time_intervals: Vec<TimeIntervalOut>,
    route: RouteOut,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inhibit_rules: Vec<InhibitOut>,
    receivers: Vec<ReceiverOut>,
}

#[derive(Serialize)]
struct Global {
    resolve_timeout: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_smarthost: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_auth_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_auth_password_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_require_tls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slack_api_url_file: Option<String>,
}

#[derive(Serialize)]
struct TimeIntervalOut {
    name: String,
    time_intervals: Vec<crate::spec::alertmanager::TimeRange>,
}

#[derive(Serialize)]
struct RouteOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    receiver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_by: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_wait: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat_interval: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mute_time_intervals: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    active_time_intervals: Vec<String>,
    #[serde(rename = "continue", skip_serializing_if = "std::ops::Not::not")]
    continue_: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<RouteOut>,
}

#[derive(Serialize)]
struct InhibitOut {
    source_matchers: Vec<String>,
    target_matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    equal: Vec<String>,
}

#[derive(Serialize)]
struct ReceiverOut {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    email_configs: Vec<EmailOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    slack_configs: Vec<SlackOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pagerduty_configs: Vec<PagerDutyOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    webhook_configs: Vec<WebhookOut>,
}

#[derive(Serialize)]
struct EmailOut {
    to: String,
    send_resolved: bool,
    headers: std::collections::BTreeMap<&'static str, &'static str>,
    html: &'static str,
}

#[derive(Serialize)]
struct SlackOut {
    channel: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_url_file: Option<String>,
    send_resolved: bool,
    title: &'static str,
    text: &'static str,
}

#[derive(Serialize)]
struct PagerDutyOut {
    routing_key_file: String,
    send_resolved: bool,
    description: &'static str,
}

#[derive(Serialize)]
struct WebhookOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url_file: Option<String>,
    send_resolved: bool,
    #[serde(skip_serializing_if = "is_zero")]
    max_alerts: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

pub fn render(model: &Model, bundle: &mut Bundle) {
    let am = &model.spec.alertmanager;
    let smtp = am.smtp.as_ref();
    let config = Config {
        global: Global {
            resolve_timeout: am.resolve_timeout.to_string(),
            smtp_smarthost: smtp.map(|s| s.smarthost.clone()),
            smtp_from: smtp.map(|s| s.from.clone()),
            smtp_auth_username: smtp.and_then(|s| s.auth_username.clone()),
            smtp_auth_password_file: smtp.and_then(|s| s.auth_password_file.clone()),
            smtp_require_tls: smtp.map(|s| s.require_tls),
            slack_api_url_file: am.slack_api_url_file.clone(),
        },
        templates: vec![format!("{ALERTMANAGER_TEMPLATES}/*.tmpl")],
        time_intervals: am
            .time_intervals
            .iter()
            .map(|t| TimeIntervalOut { name: t.name.clone(), time_intervals: t.intervals.clone() })
            .collect(),
        route: route_out(model.route.root(), true),
        inhibit_rules: model
            .inhibitions
            .iter()
            .map(|r| InhibitOut {
                source_matchers: canonical(&r.source),
                target_matchers: canonical(&r.target),
                equal: r.equal.clone(),
            })
            .collect(),
        receivers: am.receivers.iter().map(receiver_out).collect(),
    };
    bundle.add(format!("alertmanager/{ALERTMANAGER_CONFIG}"), yaml(model, "Alertmanager configuration", &config));
    let template = format!("alertmanager/{ALERTMANAGER_TEMPLATES}/default_notification.tmpl");
    bundle.add(template, TEMPLATES.as_bytes().to_vec());
    crate::docs::route_tree::render(model, bundle);
}

/// The root gets Alertmanager's defaults written out, so the file says what will happen.
fn route_out(branch: Branch, root: bool) -> RouteOut {
    let r = branch.route;
    let or_default = |v: &Option<crate::syntax::Duration>, d: &str| {
        v.as_ref().map(|x| x.to_string()).or_else(|| root.then(|| d.to_string()))
    };
    RouteOut {
        receiver: r.receiver.clone(),
        group_by: r.group_by.clone(),
        group_wait: or_default(&r.group_wait, "30s"),
        group_interval: or_default(&r.group_interval, "5m"),
        repeat_interval: or_default(&r.repeat_interval, "4h"),
        matchers: canonical(branch.matchers()),
        mute_time_intervals: r.mute_time_intervals.clone(),
        active_time_intervals: r.active_time_intervals.clone(),
        continue_: r.continue_,
        routes: branch.children().map(|c| route_out(c, false)).collect(),
    }
}

fn receiver_out(r: &Receiver) -> ReceiverOut {
    ReceiverOut {
        name: r.name.clone(),
        email_configs: r
            .email
            .iter()
            .map(|e| EmailOut {
                to: e.to.clone(),
                send_resolved: e.send_resolved,
                headers: [("Subject", r#"{{ template "email.default.subject" . }}"#)].into_iter().collect(),
                html: r#"{{ template "email.default.html" . }}"#,
            })
            .collect(),
        slack_configs: r
            .slack
            .iter()
            .map(|s| SlackOut {
                channel: s.channel.clone(),
                api_url_file: s.api_url_file.clone(),
                send_resolved: s.send_resolved,
                title: r#"{{ template "monstack.title" . }}"#,
                text: if s.mention_channel {
                    r#"{{ template "slack.channel.text" . }}"#
                } else {
                    r#"{{ template "slack.default.text" . }}"#
                },
            })
            .collect(),
        pagerduty_configs: r
            .pagerduty
            .iter()
            .map(|p| PagerDutyOut {
                routing_key_file: p.routing_key_file.clone(),
                send_resolved: p.send_resolved,
                description: r#"{{ template "pagerduty.default.description" . }}"#,
            })
            .collect(),
        webhook_configs: r
            .webhook
            .iter()
            .map(|w| WebhookOut {
                url: w.url.clone(),
                url_file: w.url_file.clone(),
                send_resolved: w.send_resolved,
                max_alerts: w.max_alerts,
            })
            .collect(),
    }
}

/// The command-line flags of Alertmanager cluster member `member` (an index into
/// `alertmanager.cluster.peers`): where it listens for gossip (`listen_host` and its own port),
/// every other member as `--cluster.peer`, its own address as `--cluster.advertise-address`
/// when that is an IP address (Alertmanager cannot advertise a host name; without it, it picks
/// a private address of the host), and the gossip timings the spec sets. Empty without a
/// cluster: the caller then turns gossip off (`--cluster.listen-address=`).
pub fn cluster_args(am: &crate::spec::alertmanager::Alertmanager, member: usize) -> Vec<String> {
    let Some(cluster) = &am.cluster else { return Vec::new() };
    let Some(own) = cluster.peers.get(member) else { return Vec::new() };
    let (host, port) = own.rsplit_once(':').unwrap_or((own.as_str(), "9094"));
    let mut args = vec![format!("--cluster.listen-address={}:{port}", cluster.listen_host)];
    if host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok() {
        args.push(format!("--cluster.advertise-address={own}"));
    }
    for (i, peer) in cluster.peers.iter().enumerate() {
        if i != member {
            args.push(format!("--cluster.peer={peer}"));
        }
    }
    let timings = [
        ("gossip-interval", &cluster.gossip_interval),
        ("pushpull-interval", &cluster.pushpull_interval),
        ("peer-timeout", &cluster.peer_timeout),
    ];
    for (flag, value) in timings {
        if let Some(d) = value {
            args.push(format!("--cluster.{flag}={d}"));
        }
    }
    args
}
