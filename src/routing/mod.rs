//! Alertmanager's routing semantics, in-process: which receivers an alert with a given label set
//! reaches through the route tree, and whether a firing alert inhibits it. Used to check the
//! spec's routing expectations and cross-checks before anything is rendered.
//!
//! Semantics (Alertmanager `dispatch/route.go`): the root matches every alert. At a matching
//! node the children are tried in order; every child that matches is descended into, and the
//! search stops after the first matching child unless that child has `continue: true`. A node
//! none of whose children match delivers to its own receiver, inherited from its parent when
//! unset.
//!
//! [`possible`] answers the same questions for alerts known only by their static labels (what
//! the catalogue knows before any series exists).

pub mod possible;

use crate::spec::Spec;
pub use possible::Inhibition;

use crate::spec::alertmanager::Route;
use crate::spec::path::OptionPath;
use crate::syntax::Matcher;
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// The spec option behind a route of the [`effective`] tree, given by its child indices from
/// the root ([`Match::at`]): a team-derived route's team and severity
/// (`teams[1].receivers.warning`), else the explicit route, its first index shifted back past
/// the derived ones (`alertmanager.route.routes[0].routes[2]`).
pub fn spec_path(spec: &Spec, at: &[usize]) -> OptionPath {
    let derived: Vec<OptionPath> = spec
        .teams
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.services.is_empty())
        .flat_map(|(i, t)| {
            let receivers = OptionPath::root("teams").index(i).key("receivers");
            t.receivers.each().into_iter().map(move |(severity, _)| receivers.key(severity))
        })
        .collect();
    let root = OptionPath::root("alertmanager.route");
    match at.split_first() {
        None => root,
        Some((&first, _)) if first < derived.len() => derived[first].clone(),
        Some((&first, below)) => {
            let top = root.key("routes").index(first - derived.len());
            below.iter().fold(top, |path, &i| path.key("routes").index(i))
        }
    }
}

/// The route tree as rendered: the spec's tree with the team routes derived from ownership
/// first. Every consumer (renderer, checks, picture) uses this one tree.
pub fn effective(spec: &Spec) -> Route {
    let am = &spec.alertmanager;
    let mut root = am.route.clone();
    let mut derived = Vec::new();
    // In the order spec_path counts them.
    for team in spec.teams.iter().filter(|t| !t.services.is_empty()) {
        let service = match team.services.as_slice() {
            [one] => format!("service={}", crate::syntax::quote(one)),
            many => {
                let alts: Vec<String> = many.iter().map(|s| crate::syntax::regex_literal(s)).collect();
                format!("service=~{}", crate::syntax::quote(&alts.join("|")))
            }
        };
        for (severity, receiver) in team.receivers.each() {
            let timing = am.severity_timing.get(severity).cloned().unwrap_or_default();
            derived.push(Route {
                receiver: Some(receiver.to_string()),
                matchers: vec![service.clone(), format!("severity=\"{severity}\"")],
                group_by: None,
                group_wait: timing.group_wait,
                group_interval: timing.group_interval,
                repeat_interval: timing.repeat_interval,
                mute_time_intervals: vec![],
                active_time_intervals: vec![],
                // The alert still reaches the routes after the team's (e.g. the severity's).
                continue_: true,
                routes: vec![],
            });
        }
    }
    derived.append(&mut root.routes);
    root.routes = derived;
    root
}

/// A route tree with every matcher parsed (and its regex compiled) once. The checks route every
/// alert of the environment through the tree: parsing the matchers per alert made a fleet's
/// validation quadratic (teams' service regexes recompiled for each of thousands of alerts).
/// It owns its route, so the validated model keeps it ([`crate::validate::Model::route`]).
#[derive(Debug)]
pub struct Tree {
    route: Route,
    parsed: Parsed,
}

/// The matchers of a route and of each of its children, parsed, beside the route itself.
#[derive(Debug)]
struct Parsed {
    matchers: Vec<Matcher>,
    routes: Vec<Parsed>,
}

impl Parsed {
    fn new(route: &Route) -> Result<Parsed, String> {
        Ok(Parsed {
            matchers: route.matchers.iter().map(|m| Matcher::parse(m)).collect::<Result<_, _>>()?,
            routes: route.routes.iter().map(Parsed::new).collect::<Result<_, _>>()?,
        })
    }

    fn matches(&self, labels: &Labels) -> bool {
        self.matchers.iter().all(|m| m.matches(labels.get(&m.name).map(String::as_str)))
    }
}

impl Tree {
    /// The tree, or the first matcher that does not parse.
    pub fn new(route: Route) -> Result<Tree, String> {
        Ok(Tree { parsed: Parsed::new(&route)?, route })
    }

    /// The route as written.
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// The root route with its parsed matchers, from which every route can be reached.
    pub fn root(&self) -> Branch<'_> {
        Branch { route: &self.route, parsed: &self.parsed }
    }
}

/// A route of a [`Tree`] with its matchers parsed.
#[derive(Clone, Copy, Debug)]
pub struct Branch<'a> {
    pub route: &'a Route,
    parsed: &'a Parsed,
}

impl<'a> Branch<'a> {
    pub fn matchers(&self) -> &'a [Matcher] {
        &self.parsed.matchers
    }

    /// Its child routes, in order.
    pub fn children(&self) -> impl Iterator<Item = Branch<'a>> + 'a {
        self.route.routes.iter().zip(&self.parsed.routes).map(|(route, parsed)| Branch { route, parsed })
    }
}

/// A matched leaf: its receiver and where it sits in the tree ([`spec_path`] names its option).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    pub receiver: String,
    /// The child indices from the root (`[2]` for `route.routes[2]`); see [`number`].
    pub at: Vec<usize>,
    /// The matched route's `mute_time_intervals` and `active_time_intervals`: Alertmanager
    /// applies the delivering route's own, never a parent's (`dispatch/route.go` sets them
    /// without inheritance; prometheus/alertmanager#3211).
    pub mute: Vec<String>,
    pub active: Vec<String>,
}

fn walk(node: (&Route, &Parsed), inherited: &str, at: &mut Vec<usize>, labels: &Labels, out: &mut Vec<Match>) {
    let (route, parsed) = node;
    let receiver = route.receiver.as_deref().unwrap_or(inherited);
    let mut any = false;
    for (i, child) in route.routes.iter().zip(&parsed.routes).enumerate() {
        if child.1.matches(labels) {
            any = true;
            at.push(i);
            walk(child, receiver, at, labels, out);
            at.pop();
            if !child.0.continue_ {
                break;
            }
        }
    }
    if !any {
        out.push(Match {
            receiver: receiver.to_string(),
            at: at.clone(),
            mute: route.mute_time_intervals.clone(),
            active: route.active_time_intervals.clone(),
        });
    }
}

/// Where an alert with these labels is delivered, in route order.
pub fn route(root: &Tree, labels: &Labels) -> Vec<Match> {
    let mut out = Vec::new();
    walk((&root.route, &root.parsed), root.route.receiver.as_deref().unwrap_or(""), &mut Vec::new(), labels, &mut out);
    out
}

/// A route's number in evaluation order, for people: `3` is the root's third child, `3.1` that
/// child's first; the root, which takes what no child does, is `root`.
pub fn number(at: &[usize]) -> String {
    if at.is_empty() {
        return "root".into();
    }
    at.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(".")
}

/// A node of the route tree, numbered.
#[derive(Debug)]
pub struct Node<'a> {
    pub route: &'a Route,
    /// Its own matchers, parsed.
    pub own: &'a [Matcher],
    pub at: Vec<usize>,
    /// [`number`] of `at`.
    pub number: String,
    /// Index of the parent in the list [`nodes`] returns.
    pub parent: Option<usize>,
    /// Its receiver, inherited when unset.
    pub receiver: String,
    /// Its own matchers and its ancestors': an alert reaching it satisfies all of them.
    pub matchers: Vec<&'a Matcher>,
}

/// Every node of the tree in evaluation order (depth first, children in order).
pub fn nodes(tree: &Tree) -> Vec<Node<'_>> {
    fn go<'a>(
        branch: Branch<'a>,
        at: Vec<usize>,
        parent: Option<usize>,
        inherited: &str,
        above: &[&'a Matcher],
        out: &mut Vec<Node<'a>>,
    ) {
        let route = branch.route;
        let receiver = route.receiver.as_deref().unwrap_or(inherited).to_string();
        let mut matchers = above.to_vec();
        matchers.extend(branch.matchers());
        out.push(Node {
            route,
            own: branch.matchers(),
            number: number(&at),
            at: at.clone(),
            parent,
            receiver: receiver.clone(),
            matchers: matchers.clone(),
        });
        let me = out.len() - 1;
        for (i, child) in branch.children().enumerate() {
            let mut next = at.clone();
            next.push(i);
            go(child, next, Some(me), &receiver, &matchers, out);
        }
    }
    let mut out = Vec::new();
    let root = tree.root();
    go(root, Vec::new(), None, root.route.receiver.as_deref().unwrap_or(""), &[], &mut out);
    out
}

/// The receivers of every matched route, in route order (a receiver twice when two routes
/// reach it).
pub fn receivers(root: &Tree, labels: &Labels) -> Vec<String> {
    // Not deduplicated: each matched route is its own aggregation group and notifies on its
    // own, so a receiver reached by two routes gets every notification twice — and amtool's
    // `config routes test` lists it twice too.
    route(root, labels).into_iter().map(|m| m.receiver).collect()
}

/// Whether `source` (a firing alert) inhibits `target` under one of the rules. As in
/// Alertmanager, an alert never inhibits itself and `equal` labels must be equal (a label
/// missing on both sides counts as equal).
pub fn inhibits(rules: &[Inhibition], source: &Labels, target: &Labels) -> bool {
    if source == target {
        return false;
    }
    let all = |ms: &[Matcher], labels: &Labels| ms.iter().all(|m| m.matches(labels.get(&m.name).map(String::as_str)));
    rules.iter().any(|r| {
        all(&r.source, source) && all(&r.target, target) && r.equal.iter().all(|l| source.get(l) == target.get(l))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route_of(yaml: &str) -> Route {
        serde_yaml::from_str(yaml).unwrap()
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    const TREE: &str = r#"
receiver: default
routes:
  - receiver: db-pager
    matchers: ['service="postgresql"', 'severity="critical"']
    continue: true
  - receiver: pager
    matchers: ['severity=~"critical|P1"']
    continue: true
  - receiver: chat
    matchers: ['severity="warning"']
  - receiver: never
    matchers: ['severity="warning"']
  - matchers: ['team="db"']
    routes:
      - receiver: db-mail
        matchers: ['severity="info"']
"#;

    /// A route of the effective tree is named by the option it comes from: a team's receiver
    /// for a derived route, the spec's own route (its index less the derived ones) otherwise.
    #[test]
    fn a_routes_option_is_its_teams_receiver_or_the_specs_route() {
        let doc = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/creativeflow/prod.json")).unwrap();
        let spec = crate::spec::load::load("prod.json", &doc).unwrap().spec;
        let derived = effective(&spec).routes.len() - spec.alertmanager.route.routes.len();
        assert!(derived > 0, "prod's teams derive routes");
        assert_eq!(spec_path(&spec, &[]).as_str(), "alertmanager.route");
        let team = spec.teams.iter().position(|t| !t.services.is_empty()).unwrap();
        let severity = spec.teams[team].receivers.each()[0].0;
        assert_eq!(spec_path(&spec, &[0]).to_string(), format!("teams[{team}].receivers.{severity}"));
        assert_eq!(spec_path(&spec, &[derived]).as_str(), "alertmanager.route.routes[0]");
        assert_eq!(spec_path(&spec, &[derived + 1, 0]).as_str(), "alertmanager.route.routes[1].routes[0]");
    }

    #[test]
    fn routes_like_alertmanager() {
        let t = Tree::new(route_of(TREE)).unwrap();
        type Case = (&'static [(&'static str, &'static str)], &'static [&'static str]);
        let cases: &[Case] = &[
            // continue: reaches both the DB pager and the general pager.
            (&[("service", "postgresql"), ("severity", "critical")], &["db-pager", "pager"]),
            (&[("severity", "critical")], &["pager"]),
            // First match without continue stops the search: "never" is unreachable for warnings.
            (&[("severity", "warning")], &["chat"]),
            // No child matches: the node's own receiver.
            (&[("severity", "none")], &["default"]),
            // A child without receiver inherits its parent's; its child matches here.
            (&[("team", "db"), ("severity", "info")], &["db-mail"]),
            (&[("team", "db"), ("severity", "none")], &["default"]),
        ];
        for (l, want) in cases {
            assert_eq!(receivers(&t, &labels(l)), want.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{l:?}");
        }
    }

    #[test]
    fn inhibition_needs_equal_labels_and_never_self() {
        let rules: Vec<crate::spec::alertmanager::InhibitRule> = serde_yaml::from_str(
            "- {source_matchers: ['severity=\"critical\"'], target_matchers: ['severity=\"warning\"'], equal: [alertname, instance]}",
        )
        .unwrap();
        let rules: Vec<Inhibition> = rules.iter().map(|r| Inhibition::new(r).unwrap()).collect();
        let crit = labels(&[("alertname", "A"), ("severity", "critical"), ("instance", "x")]);
        let warn = labels(&[("alertname", "A"), ("severity", "warning"), ("instance", "x")]);
        let other = labels(&[("alertname", "A"), ("severity", "warning"), ("instance", "y")]);
        assert!(inhibits(&rules, &crit, &warn));
        assert!(!inhibits(&rules, &crit, &other));
        assert!(!inhibits(&rules, &warn, &crit));
        assert!(!inhibits(&rules, &crit, &crit));
    }
}
