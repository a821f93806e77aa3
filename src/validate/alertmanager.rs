//! Alertmanager: receivers, route tree, inhibitions, and the teams' receiver references.

use super::cx::Cx;
use crate::diag::Code;
use crate::spec::Spec;
use crate::spec::alertmanager::{InhibitRule, Receiver, Route, Smtp, Timing};
use crate::spec::path::OptionPath;
use crate::syntax::names;
use std::collections::BTreeMap;

pub fn check(spec: &Spec, cx: &mut Cx) {
    let am = &spec.alertmanager;
    let at = OptionPath::root("alertmanager");
    if let Some(smtp) = &am.smtp {
        check_smtp(cx, smtp);
    }
    if let Some(f) = &am.slack_api_url_file {
        cx.file_ref(&at.key("slack_api_url_file"), f);
    }
    let receivers = at.key("receivers");
    for (i, r) in am.receivers.iter().enumerate() {
        check_receiver(spec, cx, &receivers.index(i), r);
    }
    cx.unique(
        "receiver",
        am.receivers.iter().enumerate().map(|(i, r)| (receivers.index(i).key("name"), r.name.as_str())),
    );
    check_root_route(cx, &am.route);
    check_route(spec, cx, &at.key("route"), &am.route);
    check_time_intervals(spec, cx);

    for (i, rule) in am.inhibit_rules.iter().enumerate() {
        check_inhibit_rule(cx, &at.key("inhibit_rules").index(i), rule);
    }

    check_teams(spec, cx);
    check_severity_timing(cx, &am.severity_timing);
}

/// The SMTP client: a smarthost address, a sender address, and a password only with a user.
fn check_smtp(cx: &mut Cx, smtp: &Smtp) {
    let at = OptionPath::root("alertmanager.smtp");
    cx.host_port(&at.key("smarthost"), &smtp.smarthost);
    if !smtp.from.contains('@') {
        cx.error(Code::AddressInvalid, "alertmanager.smtp.from", format!("\"{}\" is not an email address", smtp.from))
            .hint("e.g. alertmanager@example.com");
    }
    if let Some(f) = &smtp.auth_password_file {
        cx.file_ref(&at.key("auth_password_file"), f);
    }
    if smtp.auth_password_file.is_some() && smtp.auth_username.is_none() {
        cx.error(Code::OptionCombination, "alertmanager.smtp.auth_username", "a password file without a user name")
            .hint("set auth_username");
    }
}

/// What the root route alone must be: it has a receiver, catches every alert, and takes no `continue`.
fn check_root_route(cx: &mut Cx, root: &Route) {
    if root.receiver.is_none() {
        cx.error(Code::SpecMissingField, "alertmanager.route.receiver", "the root route needs a receiver")
            .hint("name the receiver that gets alerts no child route catches, e.g. default-receiver");
    }
    if !root.matchers.is_empty() {
        cx.error(
            Code::OptionCombination,
            "alertmanager.route.matchers",
            "the root route takes no matchers: it must catch every alert",
        )
        .hint("move the matchers to a child route");
    }
    if root.continue_ {
        cx.error(Code::OptionCombination, "alertmanager.route.continue", "`continue` on the root route has no meaning")
            .hint("remove it");
    }
}

/// An inhibition's matchers (both sides present and well formed) and its `equal` label names.
fn check_inhibit_rule(cx: &mut Cx, p: &OptionPath, rule: &InhibitRule) {
    if rule.source_matchers.is_empty() || rule.target_matchers.is_empty() {
        cx.error(Code::ValueOutOfRange, p, "an inhibition needs source and target matchers")
            .hint("without them it would mute every alert while any alert fires");
    }
    cx.matchers(&p.key("source_matchers"), &rule.source_matchers);
    cx.matchers(&p.key("target_matchers"), &rule.target_matchers);
    for (j, l) in rule.equal.iter().enumerate() {
        cx.label_name(&p.key("equal").index(j), l);
    }
}

/// The teams' receivers are declared, and the services they own are label values owned by one
/// team each.
fn check_teams(spec: &Spec, cx: &mut Cx) {
    let teams = OptionPath::root("teams");
    for (i, t) in spec.teams.iter().enumerate() {
        if let Some(r) = &t.receiver {
            receiver_ref(spec, cx, &teams.index(i).key("receiver"), r);
        }
        for (severity, r) in t.receivers.each() {
            receiver_ref(spec, cx, &teams.index(i).key("receivers").key(severity), r);
        }
        for (j, s) in t.services.iter().enumerate() {
            if s.is_empty() || s.contains(['"', '\n']) {
                cx.error(
                    Code::LabelInvalid,
                    teams.index(i).key("services").index(j),
                    format!("\"{s}\" cannot be a service label value"),
                )
                .hint("use the service label the alerts carry, e.g. postgresql");
            }
        }
    }
    let owned: Vec<(OptionPath, &str)> = spec
        .teams
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            let services = teams.index(i).key("services");
            t.services.iter().enumerate().map(move |(j, s)| (services.index(j), s.as_str()))
        })
        .collect();
    cx.unique("owned service", owned);
}

/// Timing per severity, for the severities team routes use.
fn check_severity_timing(cx: &mut Cx, severity_timing: &BTreeMap<String, Timing>) {
    for severity in severity_timing.keys() {
        if !["critical", "warning", "info"].contains(&severity.as_str()) {
            cx.error(
                Code::ValueOutOfRange,
                OptionPath::root("alertmanager.severity_timing").key(severity),
                "not a severity team routes use",
            )
            .hint("use critical, warning or info");
        }
    }
}

fn check_receiver(spec: &Spec, cx: &mut Cx, path: &OptionPath, r: &Receiver) {
    if r.name.trim().is_empty() || r.name.contains(['"', '\n']) {
        cx.error(Code::NameInvalid, path.key("name"), format!("\"{}\" is not a usable receiver name", r.name))
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
        cx.error(Code::OptionCombination, path.key("blackhole"), "a black-hole receiver with integrations")
            .hint("remove `blackhole` or the integrations");
    }
    for (i, e) in r.email.iter().enumerate() {
        if !e.to.contains('@') {
            cx.error(
                Code::AddressInvalid,
                path.key("email").index(i).key("to"),
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
        let p = path.key("slack").index(i);
        if s.channel.is_empty() {
            cx.error(Code::ValueOutOfRange, p.key("channel"), "empty channel").hint("e.g. #alerts-warning");
        }
        match &s.api_url_file {
            Some(f) => cx.file_ref(&p.key("api_url_file"), f),
            None if spec.alertmanager.slack_api_url_file.is_none() => {
                cx.error(
                    Code::SpecMissingField,
                    p.key("api_url_file"),
                    "no Slack webhook URL file here or in alertmanager.slack_api_url_file",
                )
                .hint("set api_url_file to a file holding the webhook URL");
            }
            None => {}
        }
    }
    for (i, pd) in r.pagerduty.iter().enumerate() {
        cx.file_ref(&path.key("pagerduty").index(i).key("routing_key_file"), &pd.routing_key_file);
    }
    for (i, w) in r.webhook.iter().enumerate() {
        let p = path.key("webhook").index(i);
        match (&w.url, &w.url_file) {
            (Some(u), None) => cx.url(&p.key("url"), u),
            (None, Some(f)) => cx.file_ref(&p.key("url_file"), f),
            _ => {
                cx.error(Code::OptionCombination, p, "a webhook needs exactly one of `url` and `url_file`")
                    .hint("use url_file when the URL carries a token");
            }
        }
    }
}

fn receiver_ref(spec: &Spec, cx: &mut Cx, path: &OptionPath, name: &str) {
    if !spec.alertmanager.receivers.iter().any(|r| r.name == name) {
        let known: Vec<&str> = spec.alertmanager.receivers.iter().map(|r| r.name.as_str()).collect();
        cx.error(Code::RefUnknownReceiver, path, format!("no receiver \"{name}\""))
            .hint(crate::diag::unknown_name_hint(name, "receivers", &known));
    }
}

fn check_route(spec: &Spec, cx: &mut Cx, path: &OptionPath, route: &Route) {
    if let Some(r) = &route.receiver {
        receiver_ref(spec, cx, &path.key("receiver"), r);
    }
    cx.matchers(&path.key("matchers"), &route.matchers);
    if let Some(g) = &route.group_by {
        for (i, l) in g.iter().enumerate() {
            if l == "..." {
                if g.len() > 1 {
                    cx.error(
                        Code::OptionCombination,
                        path.key("group_by").index(i),
                        "`...` groups by all labels and stands alone",
                    )
                    .hint("remove the other labels");
                }
            } else if !names::is_label_name(l) {
                cx.error(Code::LabelInvalid, path.key("group_by").index(i), format!("\"{l}\" is not a label name"))
                    .hint("label names match [a-zA-Z_][a-zA-Z0-9_]*");
            }
        }
    }
    let gi = route.group_interval.as_ref().map(|d| d.millis());
    let ri = route.repeat_interval.as_ref().map(|d| d.millis());
    for (field, v) in [("group_interval", gi), ("repeat_interval", ri)] {
        if v == Some(0) {
            cx.error(Code::ValueOutOfRange, path.key(field), format!("{field} of 0 is rejected by Alertmanager"))
                .hint("use a positive duration");
        }
    }
    if let (Some(g), Some(r)) = (gi, ri)
        && r < g
    {
        cx.error(Code::DurationOrder, path.key("repeat_interval"), "repeat_interval is shorter than group_interval")
            .hint("notifications cannot repeat faster than the group interval; lengthen repeat_interval");
    }
    for (field, names) in
        [("mute_time_intervals", &route.mute_time_intervals), ("active_time_intervals", &route.active_time_intervals)]
    {
        for (i, n) in names.iter().enumerate() {
            if !spec.alertmanager.time_intervals.iter().any(|t| &t.name == n) {
                let known: Vec<&str> = spec.alertmanager.time_intervals.iter().map(|t| t.name.as_str()).collect();
                cx.error(Code::RefUnknownTimeInterval, path.key(field).index(i), format!("no time interval \"{n}\""))
                    .hint(if known.is_empty() {
                        "declare it under alertmanager.time_intervals".to_string()
                    } else {
                        crate::diag::unknown_name_hint(n, "time intervals", &known)
                    });
            }
        }
    }
    for (i, child) in route.routes.iter().enumerate() {
        check_route(spec, cx, &path.key("routes").index(i), child);
    }
}

const WEEKDAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Minutes since midnight of `HH:MM` (24:00 allowed as an end).
fn minutes(t: &str) -> Option<u32> {
    let (h, m) = t.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// `a` or `a:b` where each side is in `names` (or a non-zero number in `range`), and a range
/// does not run backwards (Alertmanager: "start day cannot be before end day"; Sunday is first).
fn range_ok(v: &str, names: &[&str], range: std::ops::RangeInclusive<i32>) -> bool {
    let pos = |x: &str| -> Option<i32> {
        let lower = x.to_lowercase();
        match names.iter().position(|n| *n == lower) {
            Some(i) => Some(i as i32 + 1),
            None => x.parse::<i32>().ok().filter(|n| range.contains(n) && *n != 0),
        }
    };
    match v.split_once(':') {
        Some((a, b)) => match (pos(a), pos(b)) {
            (Some(a), Some(b)) => a <= b || (a > 0 && b < 0),
            _ => false,
        },
        None => pos(v).is_some(),
    }
}

fn check_time_intervals(spec: &Spec, cx: &mut Cx) {
    let ti = &spec.alertmanager.time_intervals;
    let at = OptionPath::root("alertmanager.time_intervals");
    cx.unique("time interval", ti.iter().enumerate().map(|(i, t)| (at.index(i).key("name"), t.name.as_str())));
    for (i, t) in ti.iter().enumerate() {
        let p = at.index(i);
        if t.intervals.is_empty() {
            cx.error(Code::ValueOutOfRange, p.key("intervals"), "no ranges")
                .hint("give at least one range, e.g. weekdays: [saturday, sunday]");
        }
        for (j, r) in t.intervals.iter().enumerate() {
            let rp = p.key("intervals").index(j);
            for (k, tod) in r.times.iter().enumerate() {
                match (minutes(&tod.start_time), minutes(&tod.end_time)) {
                    (Some(a), Some(b)) if a < b && a < 24 * 60 => {}
                    _ => {
                        cx.error(Code::DurationInvalid, rp.key("times").index(k), format!("{}-{} is not a range of the day", tod.start_time, tod.end_time))
                            .hint("write HH:MM with the start before the end, e.g. 18:00 to 24:00; split ranges that cross midnight");
                    }
                }
            }
            for (k, d) in r.weekdays.iter().enumerate() {
                if !range_ok(d, &WEEKDAYS, 0..=0) {
                    cx.error(
                        Code::ValueOutOfRange,
                        rp.key("weekdays").index(k),
                        format!("\"{d}\" is not a weekday or range"),
                    )
                    .hint("e.g. monday:friday");
                }
            }
            for (k, d) in r.days_of_month.iter().enumerate() {
                if !range_ok(d, &[], -31..=31) {
                    cx.error(
                        Code::ValueOutOfRange,
                        rp.key("days_of_month").index(k),
                        format!("\"{d}\" is not a day of the month or range"),
                    )
                    .hint("e.g. 1:7 or -1");
                }
            }
            for (k, m) in r.months.iter().enumerate() {
                if !range_ok(m, &MONTHS, 1..=12) {
                    cx.error(
                        Code::ValueOutOfRange,
                        rp.key("months").index(k),
                        format!("\"{m}\" is not a month or range"),
                    )
                    .hint("e.g. december or 1:3");
                }
            }
            if let Some(loc) = &r.location
                && (loc.is_empty() || loc.contains(' '))
            {
                cx.error(Code::ValueOutOfRange, rp.key("location"), format!("\"{loc}\" is not a time zone name"))
                    .hint("e.g. Europe/Berlin");
            }
        }
    }
}
