//! AI model logs (the seed's `logs_ai_model_dashboard.json`, Loki): the log stream, lines by
//! level, top error messages and the occurrence histogram of the selected models' pods.

use super::board::{Board, Panel, Section, Variable, Viz, ts};
use super::*;
use crate::spec::promtail::LogSourceKind;

pub fn board(spec: &Spec) -> Board {
    let job = spec
        .promtail
        .sources
        .iter()
        .find(|s| matches!(s.kind, LogSourceKind::AiModels(_)))
        .map(|s| quote(&s.name))
        .unwrap_or_default();
    let base = format!("job={job}, environment=\"$environment\"");
    let scope = format!("{base}, model_name=~\"$model_name\", model_version=~\"$model_version\", pod=~\"$pod\"");
    let selected = format!("{{{scope}, level=~\"$log_level\"}}");
    let errors = format!("{{{scope}, level=\"error\"}}");
    // On Loki 3 the shipped line is the message (the ids went to structured metadata); on 2.9
    // the whole JSON line is kept, so the message is read from it.
    let loki3 = crate::features::tsdb(spec.versions.loki.version());
    let message = if loki3 { "label_format message=\"{{ __line__ }}\"" } else { "json message=\"message\"" };
    let sections = vec![
        Section::new(
            env_title("Occurrences"),
            vec![
                Panel::new(Viz::Histogram, "Lines by level", "Log lines per level over time.", "short")
                    .query("{{level}}", format!("sum by (level) (count_over_time({selected}[$__auto]))")),
                ts("Errors by model", "Error lines per model over time.", "short")
                    .query("{{model_name}}", format!("sum by (model_name) (count_over_time({errors}[$__auto]))")),
                Panel::new(
                    Viz::Table,
                    "Top errors",
                    "The ten most frequent error messages in the time range.",
                    "short",
                )
                .query("", format!("topk(10, sum by (message) (count_over_time({errors} | {message} [$__range])))"))
                .width(24),
            ],
        ),
        Section::new(
            "Log stream",
            vec![
                Panel::new(Viz::Logs, "Log lines", "Recent log lines of the selected models and levels.", "")
                    .query("", selected.clone()),
            ],
        ),
    ];
    let values = |label: &str, scope: &str| format!("label_values({{{scope}}}, {label})");
    Board {
        uid: uid(DashboardKind::LogsAiModel).into(),
        title: "AI Model Logs".into(),
        description: "Logs of the custom AI model pods.".into(),
        tags: &["ai-models", "logs"],
        ds: DatasourceType::Loki,
        variables: vec![
            Variable::Query { name: "model_name", label: "Model", query: values("model_name", &base) },
            Variable::Query {
                name: "model_version",
                label: "Version",
                query: values("model_version", &format!("{base}, model_name=~\"$model_name\"")),
            },
            Variable::Query {
                name: "pod",
                label: "Pod",
                query: values(
                    "pod",
                    &format!("{base}, model_name=~\"$model_name\", model_version=~\"$model_version\""),
                ),
            },
            Variable::Custom {
                name: "log_level",
                label: "Level",
                values: ["debug", "info", "warn", "error"].map(String::from).to_vec(),
            },
        ],
        sections,
    }
}
