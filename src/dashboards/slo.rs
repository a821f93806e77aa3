//! SLOs: for each declared SLO its SLI against the objective, its error budget remaining over the
//! period, and its burn rates over the multi-window alerts' windows — all from the `slo:*`
//! recording rules.

use super::board::{Board, Panel, Section, Viz, stat, ts};
use super::*;
use crate::catalogue::slo::record_name;
use crate::syntax::number;

pub fn board(spec: &Spec) -> Board {
    let mut sections = Vec::new();
    for (i, slo) in spec.slos.iter().enumerate() {
        let s = format!("{{slo={}}}", quote(&slo.name));
        let budget = number(1.0 - slo.objective);
        let period = slo.period.as_str();
        let title = if i == 0 { env_title(&slo.name) } else { slo.name.clone() };
        let burn = |w: &str| format!("{}{s} / {budget}", record_name(w));
        sections.push(Section::new(
            title,
            vec![
                stat("Objective", format!("Target share of good events over {period}."), "percentunit")
                    .query("", format!("slo:objective:ratio{s}")),
                stat("SLI", format!("Share of good events over the last {period}."), "percentunit")
                    .query("", format!("1 - {}{s}", record_name(period)))
                    .low_is_bad(slo.objective, slo.objective + (1.0 - slo.objective) / 2.0),
                Panel::new(
                    Viz::Gauge,
                    "Error budget remaining",
                    format!("Share of the {period} error budget ({budget} of events) not yet spent."),
                    "percentunit",
                )
                .query("", format!("slo:error_budget:remaining_ratio{s}"))
                .range(0.0, 1.0)
                .low_is_bad(0.1, 0.5),
                stat("Burn rate (1h)", "How many times faster than sustainable the budget burns (1h).", "short")
                    .query("", burn("1h"))
                    .warn_crit(6.0, 14.4),
                ts("SLI over time", "Share of good events (5m and 1h windows) against the objective.", "percentunit")
                    .query("5m", format!("1 - {}{s}", record_name("5m")))
                    .query("1h", format!("1 - {}{s}", record_name("1h")))
                    .query("objective", format!("slo:objective:ratio{s}")),
                ts("Burn rates", "Error ratio over each alert window divided by the budget share.", "short")
                    .query("5m", burn("5m"))
                    .query("1h", burn("1h"))
                    .query("6h", burn("6h"))
                    .query("3d", burn("3d"))
                    .warn_crit(1.0, 14.4),
            ],
        ));
    }
    Board {
        uid: uid(DashboardKind::Slo).into(),
        title: "Service Level Objectives".into(),
        description: "SLIs, burn rates and error budgets of the declared SLOs.".into(),
        tags: &["slo"],
        ds: DatasourceType::Prometheus,
        variables: Vec::new(),
        sections,
    }
}
