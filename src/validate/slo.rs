//! SLOs: names, objectives, periods, and SLIs the generator can both record and test.

use super::cx::Cx;
use crate::diag::Code;
use crate::lint::analysis::JobsRead;
use crate::spec::Spec;
use crate::spec::path::OptionPath;
use crate::spec::slo::Sli;
use crate::syntax::names;

const THREE_DAYS_MS: u64 = 3 * 86_400_000;

/// Checks the SLOs; returns the jobs their selectors name ([`crate::validate::Model::slo_jobs_read`]).
pub fn check(spec: &Spec, cx: &mut Cx) -> JobsRead {
    let mut read = JobsRead::default();
    let slos = OptionPath::root("slos");
    for (i, slo) in spec.slos.iter().enumerate() {
        let p = slos.index(i);
        cx.slug(&p.key("name"), "SLO", &slo.name);
        if slo.service.trim().is_empty() {
            cx.error(Code::NameInvalid, p.key("service"), "empty service")
                .hint("the service label of its alerts, e.g. api-gateway");
        }
        if !(slo.objective.is_finite() && slo.objective > 0.0 && slo.objective < 1.0) {
            cx.error(
                Code::ValueOutOfRange,
                p.key("objective"),
                format!("{} is not a ratio between 0 and 1", slo.objective),
            )
            .hint("write 99.9% as 0.999");
        }
        if slo.period.millis() < THREE_DAYS_MS {
            cx.error(Code::ValueOutOfRange, p.key("period"), "shorter than the 3-day burn-rate window")
                .hint("use a period of at least 3d; 30d is the usual one");
        }
        let mut selector_ok = |text: &str| {
            let parsed = promql_parser::parser::parse(text);
            let ok = matches!(&parsed, Ok(promql_parser::parser::Expr::VectorSelector(v)) if v.name.is_some());
            if let (true, Ok(e)) = (ok, &parsed) {
                read.add(e);
            }
            ok
        };
        match &slo.sli {
            Sli::Availability(a) => {
                for (field, text) in [("errors", &a.errors), ("total", &a.total)] {
                    if !selector_ok(text) {
                        cx.error(
                            Code::PromqlInvalid,
                            p.key("sli.availability").key(field),
                            format!("\"{text}\" is not a counter selector"),
                        )
                        .hint("write a metric with matchers, e.g. http_requests_total{job=\"api\", code=~\"5..\"}");
                    }
                }
            }
            Sli::Latency(l) => {
                if !names::is_metric_name(&l.histogram) {
                    cx.error(
                        Code::NameInvalid,
                        p.key("sli.latency.histogram"),
                        format!("\"{}\" is not a metric name", l.histogram),
                    )
                    .hint("the histogram's name without _bucket, e.g. http_request_duration_seconds");
                }
                if !selector_ok(&format!("{}_count{{{}}}", l.histogram, l.matchers)) {
                    cx.error(
                        Code::PromqlInvalid,
                        p.key("sli.latency.matchers"),
                        format!("\"{}\" are not label matchers", l.matchers),
                    )
                    .hint("e.g. job=\"api-gateway\"");
                }
                if !(l.threshold_seconds.is_finite() && l.threshold_seconds > 0.0) {
                    cx.error(
                        Code::ValueOutOfRange,
                        p.key("sli.latency.threshold_seconds"),
                        "not a positive number of seconds",
                    )
                    .hint("a bucket boundary of the histogram, e.g. 0.5");
                }
            }
        }
        // Its rules run on Prometheus and derive the period's error ratio from the local 5-minute
        // rates recorded over the whole period (catalogue/slo.rs).
        let (period, keeps) = (slo.period.millis(), spec.prometheus.storage.retention_time.millis());
        if period > keeps {
            cx.error(
                Code::RuleBeyondRetention,
                p.key("period"),
                format!(
                    "the SLO's error ratio over its {} period is computed from that much of Prometheus' local data, but prometheus.storage.retention_time keeps {}",
                    slo.period, spec.prometheus.storage.retention_time
                ),
            )
            .hint(format!(
                "keep at least the period (prometheus.storage.retention_time = \"{}\"), or shorten the SLO's period",
                slo.period
            ));
        }
        let derivable = crate::catalogue::slo::scenario_series(slo, 0.1, 10).is_some();
        if !derivable && (0.0..1.0).contains(&slo.objective) {
            cx.error(Code::RuleUntested, p.key("sli"), "cannot build test series for these selectors")
                .hint("select with equality matchers or simple regexes (e.g. code=~\"5..\") so the burn-rate alerts can be tested");
        }
    }
    cx.unique("SLO", spec.slos.iter().enumerate().map(|(i, s)| (slos.index(i).key("name"), s.name.as_str())));
    read
}
