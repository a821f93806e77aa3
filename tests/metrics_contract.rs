//! The metric contract in process: every metric and label the generated alerts, recording rules
//! and dashboards of every example environment read from a scrape job is in that job's table in
//! `src/catalogue/metrics/` — the documented metrics of its exporter version, or the contract of
//! a CreativeFlow service. The exporters that can run here are held to their real scrape by
//! `tests/exporters.rs`.

mod common;

use common::{ENVS, example_spec as spec};
use monstack::catalogue::metrics::{self, Verified, contract};

#[test]
fn every_metric_and_label_read_is_in_its_jobs_table() {
    let mut missing = Vec::new();
    for env in ENVS {
        let spec = spec(env);
        let readers = contract::readers(&spec);
        assert!(readers.len() > 100, "{env}: {} readers", readers.len());
        let gaps = contract::check(&spec, &readers, &|job| contract::documented(&spec, job));
        missing.extend(gaps.iter().map(|g| format!("{env}: {g}")));
    }
    assert!(missing.is_empty(), "read but not in the catalogue:\n{}", missing.join("\n"));
}

#[test]
fn every_job_of_the_examples_has_a_table() {
    for env in ENVS {
        let spec = spec(env);
        for job in &spec.scrape_jobs {
            let t = metrics::table(&job.name, &spec.ai_models.job);
            assert!(t.is_some(), "{env}: job {} has no table in src/catalogue/metrics/", job.name);
        }
    }
}

/// README's exporter table says what the catalogue says: each exporter's row names its job, the
/// version targeted and, for a scraped one, the Debian package's version.
#[test]
fn the_readme_table_follows_the_catalogue() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    for t in metrics::tables().filter(|t| t.verified != Verified::Contract) {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| {} ", t.exporter)) || l.starts_with(&format!("| {} (", t.exporter)))
            .unwrap_or_else(|| panic!("README's exporter table has no row for {}", t.exporter));
        let version = t.version.split(' ').next().unwrap();
        assert!(row.contains(&format!("`{}`", t.job)) && row.contains(version), "{}: {row}", t.job);
        if let Verified::Scraped { version, .. } = t.verified {
            assert!(row.contains("scraped here") && row.contains(version), "{}: {row}", t.job);
        } else {
            assert!(row.contains("documented"), "{}: {row}", t.job);
        }
    }
}
