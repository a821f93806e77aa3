//! Routing checks, with Alertmanager's semantics in-process (src/routing): the spec's
//! expectations hold; every alert the rules can produce (by its static labels) matches a child
//! route unless declared `unrouted`; every inhibition has a possible source; every receiver is
//! used. They run only when the rest of the spec, and the route tree itself, are valid.

use super::cx::Cx;
use crate::diag::Code;
use crate::routing::{self, Inhibition, Labels};
use crate::spec::Spec;
use crate::spec::alertmanager::Route;
use crate::spec::path::OptionPath;
use crate::syntax::Matcher;
use rayon::prelude::*;

fn receivers_in(route: &Route, out: &mut Vec<String>) {
    if let Some(r) = &route.receiver {
        out.push(r.clone());
    }
    route.routes.iter().for_each(|c| receivers_in(c, out));
}

/// Every alert the environment produces, the catalogue's (`catalogue`) and the spec's own: its
/// name and static labels (alertname included).
fn alerts(spec: &Spec, catalogue: &[crate::catalogue::Alert]) -> Vec<(String, Labels)> {
    let mut out: Vec<(String, Labels)> = catalogue
        .iter()
        .map(|a| {
            let mut l = a.labels.clone();
            l.insert("alertname".into(), a.name.clone());
            (a.name.clone(), l)
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

/// Routes every alert, the catalogue's (`catalogue`) and the spec's own, through the effective
/// route tree: unrouted alerts, double deliveries, inhibitions, unused receivers. Returns the
/// parsed tree and inhibit rules when alerts can be routed through them (see [`routable`]).
pub fn check(
    spec: &Spec,
    catalogue: &[crate::catalogue::Alert],
    cx: &mut Cx,
) -> Option<(routing::Tree, Vec<Inhibition>)> {
    // A broken tree is reported where it is broken; routing through it would only add noise.
    let (root, inhibitions) = routable(spec)?;
    expectations(spec, &root, &inhibitions, cx);
    let alerts = alerts(spec, catalogue);
    alert_routes(spec, &root, &alerts, cx);
    for (i, r) in inhibitions.iter().enumerate() {
        inhibition(&OptionPath::root("alertmanager.inhibit_rules").index(i), r, &alerts, cx);
    }
    unused_receivers(spec, root.route(), cx);
    Some((root, inhibitions))
}

/// The effective route tree and the inhibit rules, parsed, when alerts can be routed through
/// them: every matcher parses, the root has a receiver and every receiver named is declared
/// (each of those problems is reported by the Alertmanager section's checks).
fn routable(spec: &Spec) -> Option<(routing::Tree, Vec<Inhibition>)> {
    let am = &spec.alertmanager;
    let tree = routing::Tree::new(routing::effective(spec)).ok()?;
    let inhibitions: Vec<Inhibition> = am.inhibit_rules.iter().map(Inhibition::new).collect::<Result<_, _>>().ok()?;
    let mut referenced = Vec::new();
    receivers_in(tree.route(), &mut referenced);
    let receivers_known = referenced.iter().all(|r| am.receivers.iter().any(|x| &x.name == r));
    (tree.route().receiver.is_some() && receivers_known).then_some((tree, inhibitions))
}

/// The spec's routing expectations: the receivers a label set reaches, and the alert that
/// mutes it.
fn expectations(spec: &Spec, root: &routing::Tree, inhibitions: &[Inhibition], cx: &mut Cx) {
    let am = &spec.alertmanager;
    for (i, e) in am.expectations.iter().enumerate() {
        let p = OptionPath::root("alertmanager.expectations").index(i);
        let got = routing::receivers(root, &e.labels);
        if got != e.receivers {
            cx.error(
                Code::RouteExpectation,
                p.key("receivers"),
                format!("expected [{}], the route tree gives [{}]", e.receivers.join(", "), got.join(", ")),
            )
            .hint("fix the route tree (order and `continue` decide), or the expectation if the routing is right");
        }
        if let Some(source) = &e.inhibited_by
            && !routing::inhibits(inhibitions, source, &e.labels)
        {
            cx.error(
                Code::RouteExpectation,
                p.key("inhibited_by"),
                "no inhibition rule mutes these labels while that alert fires",
            )
            .hint("check the inhibit rules' matchers and `equal` labels");
        }
    }
}

/// Every alert reaches a child route, unless declared `unrouted`, and no receiver twice; each
/// problem is reported once per alert name.
fn alert_routes(spec: &Spec, root: &routing::Tree, alerts: &[(String, Labels)], cx: &mut Cx) {
    let am = &spec.alertmanager;
    let allowed = |name: &str| am.unrouted.iter().any(|u| u == "*" || u == name);
    let mut reported = std::collections::BTreeSet::new();
    // Every alert is routed, on every core; the problems are reported in the alerts' order.
    let matched: Vec<Vec<routing::Match>> = alerts.par_iter().map(|(_, labels)| routing::route(root, labels)).collect();
    let mut doubled = std::collections::BTreeSet::new();
    for ((name, labels), matched) in alerts.iter().zip(matched) {
        let only_root = matched.iter().all(|m| m.at.is_empty());
        if only_root && !allowed(name) && reported.insert(name.clone()) {
            unrouted(name, labels, cx);
        }
        if let Some((first, second)) = repeated_receiver(&matched)
            && doubled.insert(name.clone())
        {
            delivered_twice(spec, name, labels, first, second, cx);
        }
    }
}

/// An alert that only the root route matches.
fn unrouted(name: &str, labels: &Labels, cx: &mut Cx) {
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
        format!("alert {name} ({}) matches no child route and would only reach the root receiver", describe(labels)),
    )
    .hint(hint);
}

/// The first route an alert matches whose receiver an earlier matching route has already
/// notified, with that earlier route.
fn repeated_receiver(matched: &[routing::Match]) -> Option<(&routing::Match, &routing::Match)> {
    matched.iter().enumerate().find_map(|(i, m)| {
        matched[..i].iter().find(|earlier| earlier.receiver == m.receiver).map(|earlier| (earlier, m))
    })
}

/// An alert that reaches one receiver through two routes, `first` and then `second`.
fn delivered_twice(
    spec: &Spec,
    name: &str,
    labels: &Labels,
    first: &routing::Match,
    second: &routing::Match,
    cx: &mut Cx,
) {
    cx.error(
        Code::RouteDuplicate,
        routing::spec_path(spec, &second.at),
        format!(
            "alert {name} ({}) reaches receiver \"{}\" through {} and again here: every notification arrives twice",
            describe(labels),
            second.receiver,
            routing::spec_path(spec, &first.at)
        ),
    )
    .hint(
        "each matching route sends its own notification: let one of them send to another receiver, or stop the first with `continue: false` (a team's routes always continue, to the routes below them)",
    );
}

/// An inhibit rule that can mute something: some alert can be its source, some its target,
/// and a pair of them can agree on the `equal` labels.
fn inhibition(p: &OptionPath, r: &Inhibition, alerts: &[(String, Labels)], cx: &mut Cx) {
    // The alerts that could be the source, then the target: none is reported where it is.
    let mut sides = Vec::new();
    for (code, field, key, matchers) in [
        (Code::InhibitNoSource, "source", "source_matchers", &r.source),
        (Code::InhibitNoTarget, "target", "target_matchers", &r.target),
    ] {
        let found: Vec<&Labels> = alerts.iter().map(|(_, l)| l).filter(|l| could_match(matchers, l)).collect();
        if found.is_empty() {
            cx.error(code, p.key(key), format!("no alert of this environment can be the {field}"))
                .hint("match labels the alert rules set (severity, service, alertname), or remove the rule");
            break;
        }
        sides.push(found);
    }
    let [sources, targets] = sides.as_slice() else { return };
    if !could_pair(sources, targets, &r.equal) {
        cx.error(
            Code::InhibitNoTarget,
            p.key("equal"),
            format!(
                "no alert that can be the source shares the labels {} with one that can be the target: the rule never mutes anything",
                r.equal.join(", ")
            ),
        )
        .hint("an alert exists at one severity only: inhibit another alert that fires with it (e.g. a service's down alert over its warnings, equal on service and instance)");
    }
}

/// Whether a source and a target alert could fire together with equal `equal` labels.
/// Alertmanager compares the `equal` labels of the two firing alerts: where both rules set one
/// statically, the values must agree (a label set by neither may come from the series).
fn could_pair(sources: &[&Labels], targets: &[&Labels], equal: &[String]) -> bool {
    sources.iter().any(|s| {
        targets.iter().any(|t| {
            equal.iter().all(|l| {
                matches!((s.get(l), t.get(l)), (Some(a), Some(b)) if a == b) || s.get(l).is_none() || t.get(l).is_none()
            })
        })
    })
}

/// Receivers that neither a route nor a team sends to.
fn unused_receivers(spec: &Spec, effective: &Route, cx: &mut Cx) {
    let mut used = Vec::new();
    receivers_in(effective, &mut used);
    used.extend(spec.teams.iter().filter_map(|t| t.receiver.clone()));
    for (i, r) in spec.alertmanager.receivers.iter().enumerate() {
        if !used.contains(&r.name) {
            cx.error(
                Code::ReceiverUnused,
                OptionPath::root("alertmanager.receivers").index(i),
                format!("receiver \"{}\" is reached by no route", r.name),
            )
            .hint("route to it, or remove it");
        }
    }
}

/// Whether an alert with these static labels could match the matchers: a label its rule does not
/// set may come from the series, so it could.
fn could_match(matchers: &[Matcher], labels: &Labels) -> bool {
    matchers.iter().all(|m| match labels.get(&m.name) {
        Some(v) => m.matches(Some(v)),
        None => true,
    })
}

fn describe(labels: &Labels) -> String {
    labels.iter().filter(|(k, _)| *k != "alertname").map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}
