//! `rule/name`: recording rules are named `level:metric:operations`, alerts in UpperCamelCase.
//!
//! Why: the convention says what a recorded series is aggregated by and computed from, and
//! keeps it apart from raw metrics; alert names are identifiers people route and search by.
//!
//! Bad: `record: api_error_rate`, `alert: api-down` · Good: `record: job:http_requests:rate5m`,
//! `alert: ApiGatewayDown`.

use super::{Context, Finding, RuleRef, finding};
use crate::diag::Code;

fn level_metric_operations(name: &str) -> bool {
    let parts: Vec<&str> = name.split(':').collect();
    parts.len() >= 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

fn upper_camel(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

pub fn check(rule: &RuleRef, _: &Context) -> Vec<Finding> {
    match (rule.alert, rule.record) {
        (Some(a), _) if !upper_camel(a) => {
            vec![finding(
                Code::LintName,
                "alert",
                format!("alert name \"{a}\" is not UpperCamelCase"),
                "e.g. ApiGatewayHighErrorRate",
            )]
        }
        (_, Some(r)) if !level_metric_operations(r) => vec![finding(
            Code::LintName,
            "record",
            format!("recording rule \"{r}\" is not named level:metric:operations"),
            "e.g. job:http_requests:rate5m",
        )],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testing::{Want, expected, named};

    #[test]
    fn table() {
        assert!(level_metric_operations("job:http_requests:rate5m"));
        assert!(level_metric_operations("cluster:node_cpu_utilisation:ratio_rate5m"));
        assert!(!level_metric_operations("api_error_rate"));
        assert!(!level_metric_operations("job::rate5m"));
        assert!(upper_camel("HostHighCpuLoad"));
        assert!(!upper_camel("host_high_cpu"));
        assert!(!upper_camel("Api-Down"));
    }

    #[test]
    fn findings() {
        let cases: &[(Option<&str>, Option<&str>, Want)] = &[
            // (alert, record, findings as (field, message, hint))
            (Some("HostHighCpuLoad"), None, &[]),
            (
                Some("api-down"),
                None,
                &[("alert", "alert name \"api-down\" is not UpperCamelCase", "e.g. ApiGatewayHighErrorRate")],
            ),
            (None, Some("job:http_requests:rate5m"), &[]),
            (
                None,
                Some("api_error_rate"),
                &[(
                    "record",
                    "recording rule \"api_error_rate\" is not named level:metric:operations",
                    "e.g. job:http_requests:rate5m",
                )],
            ),
        ];
        for (alert, record, want) in cases {
            assert_eq!(named(check, *alert, *record), expected(Code::LintName, want), "{alert:?} {record:?}");
        }
    }
}
