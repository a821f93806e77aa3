//! Alertmanager: receivers, route tree, inhibitions, and the teams' receiver references.

use super::cx::Cx;
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::alertmanager::{Receiver, Route};
use crate::syntax::names;

pub fn check(spec: &Spec, cx: &mut Cx) {
    let am = &spec.alertmanager;
    cx.duration("alertmanager.resolve_timeout", &am.resolve_timeout);
    if let Some(smtp) = &am.smtp {
        cx.host_port("alertmanager.smtp.smarthost", &smtp.smarthost);
        if !smtp.from.contains('@') {
            cx.error(
                Code::AddressInvalid,
                "alertmanager.smtp.from",
                format!("\"{}\" is not an email address", smtp.from),
            )
            .hint("e.g. alertmanager@example.com");
        }
        if let Some(f) = &smtp.auth_password_file {
            cx.file_ref("alertmanager.smtp.auth_password_file", f);
        }
        if smtp.auth_password_file.is_some() && smtp.auth_username.is_none() {
            cx.error(Code::RuleShape, "alertmanager.smtp.auth_username", "a password file without a user name")
                .hint("set auth_username");
        }
    }
    if let Some(f) = &am.slack_api_url_file {
        cx.file_ref("alertmanager.slack_api_url_file", f);
    }
    for (i, r) in am.receivers.iter().enumerate() {
        check_receiver(spec, cx, &format!("alertmanager.receivers[{i}]"), r);
    }
    cx.unique(
        "receiver",
        am.receivers.iter().enumerate().map(|(i, r)| (format!("alertmanager.receivers[{i}].name"), r.name.as_str())),
    );

    let root = &am.route;
    if root.receiver.is_none() {
        cx.error(Code::SpecMissingField, "alertmanager.route.receiver", "the root route needs a receiver")
            .hint("name the receiver that gets alerts no child route catches, e.g. default-receiver");
    }
    if !root.matchers.is_empty() {
        cx.error(
            Code::RuleShape,
            "alertmanager.route.matchers",
            "the root route takes no matchers: it must catch every alert",
        )
        .hint("move the matchers to a child route");
    }
    if root.continue_ {
        cx.error(Code::RuleShape, "alertmanager.route.continue", "`continue` on the root route has no meaning")
            .hint("remove it");
    }
    check_route(spec, cx, "alertmanager.route", root);

    for (i, rule) in am.inhibit_rules.iter().enumerate() {
        let p = format!("alertmanager.inhibit_rules[{i}]");
        if rule.source_matchers.is_empty() || rule.target_matchers.is_empty() {
            cx.error(Code::ValueOutOfRange, p.clone(), "an inhibition needs source and target matchers")
                .hint("without them it would mute every alert while any alert fires");
        }
        cx.matchers(&format!("{p}.source_matchers"), &rule.source_matchers);
        cx.matchers(&format!("{p}.target_matchers"), &rule.target_matchers);
        for (j, l) in rule.equal.iter().enumerate() {
            cx.label_name(&format!("{p}.equal[{j}]"), l);
        }
    }

    for (i, t) in spec.teams.iter().enumerate() {
        if let Some(r) = &t.receiver {
            receiver_ref(spec, cx, &format!("teams[{i}].receiver"), r);
        }
    }
}

fn check_receiver(spec: &Spec, cx: &mut Cx, path: &str, r: &Receiver) {
    if r.name.trim().is_empty() || r.name.contains(['"', '\n']) {
        cx.error(Code::NameInvalid, format!("{path}.name"), format!("\"{}\" is not a usable receiver name", r.name))
            .hint("e.g. critical-pagerduty");
    }
    let integrations = r.email.len() + r.slack.len() + r.pagerduty.len() + r.webhook.len();
    if integrations == 0 && !r.blackhole {
        cx.error(
            Code::ReceiverEmpty,
            path,
            format!("receiver \"{}\" has no integration: alerts routed to it are dropped", r.name),
        )
        .hint(
            "add an email, slack, pagerduty or webhook integration, or set `blackhole: true` if dropping is intended",
        );
    }
    if integrations > 0 && r.blackhole {
        cx.error(Code::RuleShape, format!("{path}.blackhole"), "a black-hole receiver with integrations")
            .hint("remove `blackhole` or the integrations");
    }
    for (i, e) in r.email.iter().enumerate() {
        if !e.to.contains('@') {
            cx.error(
                Code::AddressInvalid,
                format!("{path}.email[{i}].to"),
                format!("\"{}\" is not an email address", e.to),
            )
            .hint("e.g. ops@example.com");
        }
        if spec.alertmanager.smtp.is_none() {
            cx.error(
                Code::SpecMissingField,
                "alertmanager.smtp",
                format!("receiver \"{}\" sends email but no SMTP server is set", r.name),
            )
            .hint("set alertmanager.smtp.smarthost and alertmanager.smtp.from");
        }
    }
    for (i, s) in r.slack.iter().enumerate() {
        let p = format!("{path}.slack[{i}]");
        if s.channel.is_empty() {
            cx.error(Code::ValueOutOfRange, format!("{p}.channel"), "empty channel").hint("e.g. #alerts-warning");
        }
        match &s.api_url_file {
            Some(f) => cx.file_ref(&format!("{p}.api_url_file"), f),
            None if spec.alertmanager.slack_api_url_file.is_none() => {
                cx.error(
                    Code::SpecMissingField,
                    format!("{p}.api_url_file"),
                    "no Slack webhook URL file here or in alertmanager.slack_api_url_file",
                )
                .hint("set api_url_file to a file holding the webhook URL");
            }
            None => {}
        }
    }
    for (i, pd) in r.pagerduty.iter().enumerate() {
        cx.file_ref(&format!("{path}.pagerduty[{i}].routing_key_file"), &pd.routing_key_file);
    }
    for (i, w) in r.webhook.iter().enumerate() {
        let p = format!("{path}.webhook[{i}]");
        match (&w.url, &w.url_file) {
            (Some(u), None) => cx.url(&format!("{p}.url"), u),
            (None, Some(f)) => cx.file_ref(&format!("{p}.url_file"), f),
            _ => {
                cx.error(Code::RuleShape, p, "a webhook needs exactly one of `url` and `url_file`")
                    .hint("use url_file when the URL carries a token");
            }
        }
    }
}

fn receiver_ref(spec: &Spec, cx: &mut Cx, path: &str, name: &str) {
    if !spec.alertmanager.receivers.iter().any(|r| r.name == name) {
        let known: Vec<&str> = spec.alertmanager.receivers.iter().map(|r| r.name.as_str()).collect();
        cx.error(Code::RefUnknownReceiver, path, format!("no receiver \"{name}\""))
            .hint(format!("declared receivers are {}", known.join(", ")));
    }
}

fn check_route(spec: &Spec, cx: &mut Cx, path: &str, route: &Route) {
    if let Some(r) = &route.receiver {
        receiver_ref(spec, cx, &format!("{path}.receiver"), r);
    }
    cx.matchers(&format!("{path}.matchers"), &route.matchers);
    if let Some(g) = &route.group_by {
        for (i, l) in g.iter().enumerate() {
            if l == "..." {
                if g.len() > 1 {
                    cx.error(
                        Code::RuleShape,
                        format!("{path}.group_by[{i}]"),
                        "`...` groups by all labels and stands alone",
                    )
                    .hint("remove the other labels");
                }
            } else if !names::is_label_name(l) {
                cx.error(Code::LabelInvalid, format!("{path}.group_by[{i}]"), format!("\"{l}\" is not a label name"))
                    .hint("label names match [a-zA-Z_][a-zA-Z0-9_]*");
            }
        }
    }
    cx.opt_duration(&format!("{path}.group_wait"), route.group_wait.as_ref());
    let gi = cx.opt_duration(&format!("{path}.group_interval"), route.group_interval.as_ref());
    let ri = cx.opt_duration(&format!("{path}.repeat_interval"), route.repeat_interval.as_ref());
    for (field, v) in [("group_interval", gi), ("repeat_interval", ri)] {
        if v == Some(0) {
            cx.error(
                Code::ValueOutOfRange,
                format!("{path}.{field}"),
                format!("{field} of 0 is rejected by Alertmanager"),
            )
            .hint("use a positive duration");
        }
    }
    if let (Some(g), Some(r)) = (gi, ri)
        && r < g
    {
        cx.error(
            Code::DurationOrder,
            format!("{path}.repeat_interval"),
            "repeat_interval is shorter than group_interval",
        )
        .hint("notifications cannot repeat faster than the group interval; lengthen repeat_interval");
    }
    for (i, child) in route.routes.iter().enumerate() {
        check_route(spec, cx, &format!("{path}.routes[{i}]"), child);
    }
}
