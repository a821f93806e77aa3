//! Routing checks, with Alertmanager's semantics in-process (src/routing): the spec's
//! expectations hold; every alert the rules can produce (by its static labels) matches a child
//! route unless declared `unrouted`; every inhibition has a possible source; every receiver is
//! used. They run only when the rest of the spec, and the route tree itself, are valid.

use super::cx::Cx;
use crate::diag::Code;
use crate::routing::{self, Labels};
use crate::spec::Spec;
use crate::spec::alertmanager::Route;
use crate::syntax::Matcher;
use rayon::prelude::*;

fn receivers_in(route: &Route, out: &mut Vec<String>) {
    if let Some(r) = &route.receiver {
        out.push(r.clone());
    }
    route.routes.iter().for_each(|c| receivers_in(c, out));
}

/// Every alert the environment produces: its name and static labels (alertname included).
fn alerts(spec: &Spec) -> Vec<(String, Labels)> {
    let mut out: Vec<(String, Labels)> = crate::catalogue::alerts(spec)
        .into_iter()
        .map(|a| {
            let mut l = a.labels.clone();
            l.insert("alertname".into(), a.name.clone());
            (a.name, l)
        })
        .collect();
    for rule in spec.rules.files.iter().flat_map(|f| &f.groups).flat_map(|g| &g.rules) {
        if let Some(name) = &rule.alert {
            let mut l = rule.labels.clone();
            l.insert("alertname".into(), name.clone());
            out.push((name.clone(), l));
        }
    }
    out
}

pub fn check(spec: &Spec, cx: &mut Cx) {
    let am = &spec.alertmanager;
    let effective = routing::effective(spec);
    let tree = routing::Tree::new(&effective);
    let inhibit_valid = am
        .inhibit_rules
        .iter()
        .all(|r| r.source_matchers.iter().chain(&r.target_matchers).all(|m| Matcher::parse(m).is_ok()));
    let mut referenced = Vec::new();
    receivers_in(&effective, &mut referenced);
    let receivers_known = referenced.iter().all(|r| am.receivers.iter().any(|x| &x.name == r));
    // A broken tree is reported where it is broken; routing through it would only add noise.
    let root = match tree {
        Ok(root) if effective.receiver.is_some() && inhibit_valid && receivers_known => root,
        _ => return,
    };
    let root = &root;

    for (i, e) in am.expectations.iter().enumerate() {
        let p = format!("alertmanager.expectations[{i}]");
        let got = routing::receivers(root, &e.labels);
        if got != e.receivers {
            cx.error(
                Code::RouteExpectation,
                format!("{p}.receivers"),
                format!("expected [{}], the route tree gives [{}]", e.receivers.join(", "), got.join(", ")),
            )
            .hint("fix the route tree (order and `continue` decide), or the expectation if the routing is right");
        }
        if let Some(source) = &e.inhibited_by
            && !routing::inhibits(&am.inhibit_rules, source, &e.labels)
        {
            cx.error(
                Code::RouteExpectation,
                format!("{p}.inhibited_by"),
                "no inhibition rule mutes these labels while that alert fires",
            )
            .hint("check the inhibit rules' matchers and `equal` labels");
        }
    }

    let alerts = alerts(spec);
    let allowed = |name: &str| am.unrouted.iter().any(|u| u == "*" || u == name);
    let mut reported = std::collections::BTreeSet::new();
    // Every alert is routed, on every core; the problems are reported in the alerts' order.
    let matched: Vec<Vec<routing::Match>> = alerts.par_iter().map(|(_, labels)| routing::route(root, labels)).collect();
    let mut doubled = std::collections::BTreeSet::new();
    for ((name, labels), matched) in alerts.iter().zip(matched) {
        let only_root = matched.iter().all(|m| m.path == "alertmanager.route");
        if only_root && !allowed(name) && reported.insert(name.clone()) {
            let hint = if name == "Watchdog" {
                "route it to a dead man's switch (a webhook receiver to healthchecks.io or to PagerDuty's or Opsgenie's heartbeat, repeat_interval 1m) that pages when the Watchdog stops arriving; never to a chat channel or a pager: it always fires".to_string()
            } else {
                format!(
                    "add a route that matches it, or list it in alertmanager.unrouted if the default receiver is intended (e.g. \"{name}\")"
                )
            };
            cx.error(
                Code::RouteUnrouted,
                "alertmanager.route",
                format!(
                    "alert {name} ({}) matches no child route and would only reach the root receiver",
                    describe(labels)
                ),
            )
            .hint(hint);
        }
        if let Some(twice) = matched.iter().enumerate().find_map(|(i, m)| {
            matched[..i].iter().find(|earlier| earlier.receiver == m.receiver).map(|earlier| (earlier, m))
        }) && doubled.insert(name.clone())
        {
            let (first, second) = twice;
            cx.error(
                Code::RouteDuplicate,
                routing::spec_path(spec, &second.path),
                format!(
                    "alert {name} ({}) reaches receiver \"{}\" through {} and again here: every notification arrives twice",
                    describe(labels),
                    second.receiver,
                    routing::spec_path(spec, &first.path)
                ),
            )
            .hint(
                "each matching route sends its own notification: let one of them send to another receiver, or stop the first with `continue: false` (a team's routes always continue, to the routes below them)",
            );
        }
    }

    for (i, r) in am.inhibit_rules.iter().enumerate() {
        let source: Vec<Matcher> = r.source_matchers.iter().filter_map(|m| Matcher::parse(m).ok()).collect();
        let possible = alerts.iter().any(|(_, l)| {
            source.iter().all(|m| match l.get(&m.name) {
                Some(v) => m.matches(Some(v)),
                // A label the rule does not set may come from the series: it could match.
                None => true,
            })
        });
        if !possible {
            cx.error(
                Code::InhibitNoSource,
                format!("alertmanager.inhibit_rules[{i}].source_matchers"),
                "no alert of this environment can be the source",
            )
            .hint("match labels the alert rules set (severity, service, alertname), or remove the rule");
        }
    }

    let mut used = Vec::new();
    receivers_in(&effective, &mut used);
    used.extend(spec.teams.iter().filter_map(|t| t.receiver.clone()));
    for (i, r) in am.receivers.iter().enumerate() {
        if !used.contains(&r.name) {
            cx.error(
                Code::ReceiverUnused,
                format!("alertmanager.receivers[{i}]"),
                format!("receiver \"{}\" is reached by no route", r.name),
            )
            .hint("route to it, or remove it");
        }
    }
}

fn describe(labels: &Labels) -> String {
    labels.iter().filter(|(k, _)| *k != "alertname").map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}
