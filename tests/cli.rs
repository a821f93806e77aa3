//! The `monstack` binary as users run it: atomic and all-or-nothing output, `check` catching
//! tampering, the external validators, the schema. Determinism is in `determinism.rs`.

mod common;

use common::monstack_with as monstack;

use common::{ENVS, example, in_ci, on_path, read_tree, root};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn render(env: &str, out: &Path, vars: &[(&str, &str)]) -> Output {
    monstack(&["render", "--spec", example(env).to_str().unwrap(), "--out", out.to_str().unwrap()], vars)
}

/// `render` with `--force`.
fn render_forced(env: &str, out: &Path) -> Output {
    monstack(&["render", "--spec", example(env).to_str().unwrap(), "--out", out.to_str().unwrap(), "--force"], &[])
}

#[test]
fn an_invalid_spec_leaves_the_output_untouched_and_exits_non_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    assert!(render("dev", &out, &[]).status.success());
    let before = read_tree(&out);
    let bad = tmp.path().join("bad.yaml");
    std::fs::write(&bad, "environment: dev\nalertmanager: {}\n").unwrap();
    let o = monstack(&["render", "--spec", bad.to_str().unwrap(), "--out", out.to_str().unwrap()], &[]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("error[spec/missing-field]: env dev: grafana"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(read_tree(&out), before, "the previous bundle changed");
    let fresh = tmp.path().join("never");
    let o = monstack(&["render", "--spec", bad.to_str().unwrap(), "--out", fresh.to_str().unwrap()], &[]);
    assert!(!o.status.success());
    assert!(!fresh.exists(), "an output folder was created for an invalid spec");
}

#[test]
fn spec_from_stdin_in_yaml_renders_the_same_bundle_as_the_json_file() {
    let tmp = tempfile::tempdir().unwrap();
    let from_file = tmp.path().join("file");
    assert!(render("prod", &from_file, &[]).status.success());
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(example("prod")).unwrap()).unwrap();
    let yaml = serde_yaml::to_string(&json).unwrap();
    let from_stdin = tmp.path().join("stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_monstack"))
        .args(["render", "--spec", "-", "--out", from_stdin.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(yaml.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read_tree(&from_file), read_tree(&from_stdin));
}

#[test]
fn the_prod_bundle_has_every_file_the_layout_names() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("prod");
    assert!(render("prod", &out, &[]).status.success());
    let files = read_tree(&out);
    for needed in [
        "manifest.json",
        // prod runs an HA pair: one configuration per replica.
        "prometheus/prometheus.a.yml",
        "prometheus/prometheus.b.yml",
        "ruler/global_recording_rules.yml",
        "alertmanager/alertmanager.yml",
        "alertmanager/templates/default_notification.tmpl",
        "grafana/provisioning/datasources/prometheus_ds.yml",
        "grafana/provisioning/datasources/loki_ds.yml",
        "grafana/provisioning/dashboards/dashboard_provider.yml",
        "loki/loki-config.yaml",
        "promtail/promtail-config.yaml",
    ] {
        assert!(files.contains_key(needed), "missing {needed}");
    }
    for prefix in ["prometheus/rules/", "prometheus/scrape_configs/", "grafana/dashboards/creativeflow/"] {
        assert!(files.keys().any(|k| k.starts_with(prefix)), "nothing under {prefix}");
    }
}

#[test]
fn install_prefix_from_the_command_line_reaches_grafana_and_the_spec() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dev");
    let spec = example("dev");
    let with_prefix = |prefix: &str| {
        let args =
            ["render", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap(), "--install-prefix", prefix];
        monstack(&args, &[])
    };
    let o = with_prefix("/srv/mon");
    assert!(o.status.success(), "{}", stderr(&o));
    let provider = std::fs::read_to_string(out.join("grafana/provisioning/dashboards/dashboard_provider.yml")).unwrap();
    assert!(provider.contains("path: /srv/mon/grafana/dashboards/creativeflow"), "{provider}");
    let spec: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("spec.json")).unwrap()).unwrap();
    assert_eq!(spec["install_prefix"], "/srv/mon");
    let o = monstack(&["check", "--no-external", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "the bundle re-renders from its spec.json: {}", stderr(&o));
    let o = with_prefix("relative");
    assert!(!o.status.success());
    assert!(stderr(&o).contains("error[path/invalid]: env dev: install_prefix"), "{}", stderr(&o));
}

#[test]
fn check_rejects_a_hand_edited_or_extended_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dev");
    assert!(render("dev", &out, &[]).status.success());
    let o = monstack(&["check", "--no-external", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    let loki = out.join("loki/loki-config.yaml");
    let original = std::fs::read_to_string(&loki).unwrap();
    std::fs::write(&loki, original.replace("retention_period: 7d", "retention_period: 1d")).unwrap();
    let o = monstack(&["check", "--no-external", out.to_str().unwrap()], &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("error[bundle/integrity]: env dev: loki/loki-config.yaml"), "{}", stderr(&o));
    std::fs::write(&loki, original).unwrap();

    std::fs::write(out.join("prometheus/rules/extra.yml"), "groups: []\n").unwrap();
    let o = monstack(&["check", "--no-external", out.to_str().unwrap()], &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("prometheus/rules/extra.yml: not listed in the manifest"), "{}", stderr(&o));
}

#[test]
fn a_rebuild_of_the_same_input_only_hashes_and_a_tampered_folder_renders_again() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dev");
    let skipped = |o: &Output| {
        assert!(o.status.success(), "{}", stderr(o));
        stderr(o).contains("nothing rendered")
    };
    assert!(!skipped(&render("dev", &out, &[])), "a fresh folder is rendered");
    let first = read_tree(&out);
    assert!(skipped(&render("dev", &out, &[])), "the same input again is only hashed");

    // An edited file is detected by its hash: the folder is rendered again and repaired.
    let loki = out.join("loki/loki-config.yaml");
    let original = std::fs::read(&loki).unwrap();
    std::fs::write(&loki, b"tampered\n").unwrap();
    assert!(!skipped(&render("dev", &out, &[])), "a tampered folder is rendered again");
    assert_eq!(std::fs::read(&loki).unwrap(), original);
    assert_eq!(read_tree(&out), first);
    assert!(skipped(&render("dev", &out, &[])));

    // So is an extra file (which --force lets the render delete), and another input (here a
    // command-line option).
    std::fs::write(out.join("prometheus/rules/extra.yml"), "groups: []\n").unwrap();
    assert!(!skipped(&render_forced("dev", &out)), "an extended folder is rendered again");
    assert!(!out.join("prometheus/rules/extra.yml").exists());
    let spec = example("dev");
    let args = ["render", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap(), "--install-prefix", "/srv"];
    assert!(!skipped(&monstack(&args, &[])), "other options are another input");

    // The record names the folder's manifest: a folder another spec has rendered since is not
    // mistaken for this one even with this spec's record restored in it.
    assert!(!skipped(&render("dev", &out, &[])));
    let record = out.join(".monstack-input");
    let dev_record = std::fs::read(&record).unwrap();
    assert!(!skipped(&render_forced("staging", &out)));
    std::fs::write(&record, dev_record).unwrap();
    assert!(!skipped(&render_forced("dev", &out)), "the folder holds staging's bundle");
    assert_eq!(read_tree(&out), first);
    // All of it inside the bundle folder: nothing is left beside it.
    let beside: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("dev")]);
}

/// A render does not silently destroy what it did not write: a file added inside a bundle, or
/// the bundle of another environment, stays unless `--force` says otherwise (issue 21).
#[test]
fn a_render_refuses_to_delete_files_it_did_not_write_or_another_environments_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    assert!(render("dev", &out, &[]).status.success());
    let notes = out.join("grafana/NOTES.md");
    std::fs::write(&notes, "local notes\n").unwrap();
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    spec["prometheus"]["scrape_interval"] = "20s".into();
    let changed = tmp.path().join("changed.json");
    std::fs::write(&changed, serde_json::to_vec(&spec).unwrap()).unwrap();
    let render_changed = |extra: &[&str]| {
        let mut args = vec!["render", "--spec", changed.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend(extra);
        monstack(&args, &[])
    };
    let o = render_changed(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("grafana/NOTES.md") && stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(notes.exists(), "the file is kept");
    assert!(render_changed(&["--force"]).status.success());
    assert!(!notes.exists());

    let o = render("staging", &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("holds the bundle of env dev") && stderr(&o).contains("--force"), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["environment"], "dev", "dev's bundle is kept");
    assert!(render_forced("staging", &out).status.success());
    // The record inside is not a file the manifest must list: check accepts the bundle.
    assert!(out.join(".monstack-input").is_file());
    let o = monstack(&["check", "--no-external", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn check_validates_the_dashboards_of_a_bundle_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dev");
    assert!(render("dev", &out, &[]).status.success());
    let path = out.join("grafana/dashboards/infrastructure/redis.json");
    let mut d: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    d["panels"][1]["datasource"]["uid"] = "prometheus-elsewhere".into();
    std::fs::write(&path, serde_json::to_vec_pretty(&d).unwrap()).unwrap();
    let o = monstack(&["check", "--no-external", out.to_str().unwrap()], &[]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains(
            "error[ref/unknown-datasource]: env dev: grafana/dashboards/infrastructure/redis.json: panels[1]"
        ),
        "{}",
        stderr(&o)
    );
}

/// promtool 2.53 and amtool 0.28 must accept every environment's bundle. In CI they must be
/// installed (`.ci/install`); elsewhere the test says it skipped them.
#[test]
fn external_validators_accept_every_environment() {
    let tools = ["promtool", "amtool"];
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !on_path(t)).collect();
    if !missing.is_empty() {
        assert!(!in_ci(), "CI must provide {missing:?}; run .ci/install");
        eprintln!(
            "SKIP external_validators_accept_every_environment: {missing:?} not on PATH (install with .ci/install)"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for env in ENVS {
        let out = tmp.path().join(env);
        assert!(render(env, &out, &[]).status.success());
        let o = monstack(&["check", out.to_str().unwrap()], &[]);
        let err = stderr(&o);
        assert!(o.status.success(), "{env}: {err}");
        // prod runs an HA pair: both replicas' configurations are checked.
        let configs = if env == "prod" {
            "prometheus/prometheus.a.yml prometheus/prometheus.b.yml"
        } else {
            "prometheus/prometheus.yml"
        };
        assert!(err.contains(&format!("ran: promtool check config {configs}: ok")), "{env}: {err}");
        assert!(err.contains("ran: promtool check rules"), "{env}: {err}");
        assert!(err.contains("ran: amtool check-config alertmanager/alertmanager.yml: ok"), "{env}: {err}");
        assert!(err.contains("ran: promtool test rules"), "{env}: {err}");
        // Every routing expectation of the environment, resolved by amtool itself.
        assert!(err.contains("ran: amtool config routes test") && !err.contains("FAILED"), "{env}: {err}");
    }
}

#[test]
fn check_reports_what_an_external_validator_rejects() {
    if !on_path("promtool") {
        assert!(!in_ci(), "CI must provide promtool");
        eprintln!("SKIP check_reports_what_an_external_validator_rejects: promtool not on PATH");
        return;
    }
    // A scrape-config file with a key Prometheus does not know: the in-process checks pass once
    // the manifest is updated, so only promtool can catch it.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dev");
    assert!(render("dev", &out, &[]).status.success());
    let path = out.join("prometheus/scrape_configs/database_targets.yml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("job_name: redis_exporter", "job_name: redis_exporter\n  scrape_intervall: 5s");
    std::fs::write(&path, &text).unwrap();
    let mut files = read_tree(&out);
    files.remove("manifest.json");
    files.remove("spec.json");
    let mut manifest: monstack::bundle::Manifest =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    manifest.files.retain(|f| f.path != "spec.json");
    for f in &mut manifest.files {
        if f.path == "prometheus/scrape_configs/database_targets.yml" {
            f.size = text.len() as u64;
            f.sha256 = monstack::bundle::sha256_hex(text.as_bytes());
        }
    }
    manifest.components = monstack::bundle::manifest::component_hashes(&manifest.files);
    std::fs::remove_file(out.join("spec.json")).unwrap();
    std::fs::write(out.join("manifest.json"), manifest.to_bytes()).unwrap();
    let o = monstack(&["check", out.to_str().unwrap()], &[]);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("error[bundle/external-check]") && err.contains("scrape_intervall"), "{err}");
}

#[test]
fn check_can_require_a_validator_that_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dev");
    assert!(render("dev", &out, &[]).status.success());
    // An empty PATH: no validator can be found.
    let o = monstack(&["check", "--tool", "loki", "--require", out.to_str().unwrap()], &[("PATH", "")]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("error[bundle/external-check]: env dev: loki: loki is required but not on PATH"),
        "{}",
        stderr(&o)
    );
    let o = monstack(&["check", "--tool", "loki", out.to_str().unwrap()], &[("PATH", "")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped: loki not found on PATH"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("promtool"), "only the selected tool: {}", stderr(&o));
}

#[test]
fn committed_schema_matches_the_spec_types() {
    let o = monstack(&["schema"], &[]);
    assert!(o.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(schema["properties"]["environment"].is_object());
    let committed = std::fs::read(root().join("docs/spec.schema.json")).unwrap_or_default();
    assert!(
        committed == o.stdout,
        "docs/spec.schema.json is stale; regenerate it with `cargo run -q -- schema > docs/spec.schema.json`"
    );
}

/// The schema gives each catalogue threshold its unit and range (issue 21, item 3): an editor
/// validating against it refuses `threshold: 90` on a ratio alert, and takes 0.9.
#[test]
fn the_schema_states_each_thresholds_unit_and_range() {
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("docs/spec.schema.json")).unwrap()).unwrap();
    let overrides = &schema["$defs"]["Rules"]["properties"]["overrides"];
    let threshold = &overrides["patternProperties"]["^HostHighMemoryUsage$"]["allOf"][1]["properties"]["threshold"];
    assert_eq!((&threshold["minimum"], &threshold["maximum"]), (&0.0.into(), &1.0.into()), "{threshold}");
    assert!(threshold["description"].as_str().unwrap().contains("a ratio from 0 to 1 (0.9 is 90 %)"));
    assert!(
        overrides["description"]
            .as_str()
            .unwrap()
            .contains("a percentage from 0 to 100 (90 is 90 %): GpuHighUtilisation, HostLowDiskSpace")
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    assert!(validator.is_valid(&spec));
    spec["rules"]["overrides"] = serde_json::json!({"HostHighMemoryUsage": {"threshold": 90}});
    assert!(!validator.is_valid(&spec), "the schema took a ratio of 90");
    spec["rules"]["overrides"]["HostHighMemoryUsage"]["threshold"] = 0.9.into();
    assert!(validator.is_valid(&spec));
    // Other names are overrides all the same (validation names the unknown ones).
    spec["rules"]["overrides"]["SomeAlert"] = serde_json::json!({"threshold": 90});
    assert!(validator.is_valid(&spec));
}

/// The committed `path` is what `monstack <command>` prints now.
fn assert_generated(command: &str, path: &str, regenerate: &str) {
    let o = monstack(&[command], &[]);
    assert!(o.status.success());
    let committed = std::fs::read(root().join(path)).unwrap_or_default();
    assert!(committed == o.stdout, "{path} is stale; regenerate it with `{regenerate}`");
}

#[test]
fn committed_nix_options_match_the_spec_types() {
    assert_generated("nix-options", "modules/spec-options.nix", monstack::nix::options::REGENERATE);
}

/// The NixOS module reads the bundle's file names from modules/layout.nix (tests/nix.rs holds it
/// to that), which must be what the renderers write.
#[test]
fn committed_nix_layout_matches_the_bundle_layout() {
    assert_generated("nix-layout", "modules/layout.nix", monstack::nix::layout::REGENERATE);
}

#[test]
fn the_nix_builder_writes_the_bundle_and_one_output_per_component() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let prom = tmp.path().join("prometheus");
    let graf = tmp.path().join("grafana");
    let o = monstack(
        &["nix-builder"],
        &[
            ("specPath", example("dev").to_str().unwrap()),
            ("out", out.to_str().unwrap()),
            ("prometheus", prom.to_str().unwrap()),
            ("grafana", graf.to_str().unwrap()),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bundle = read_tree(&out);
    let prom_files = read_tree(&prom);
    assert!(prom_files.contains_key("prometheus.yml"));
    assert_eq!(prom_files.len(), bundle.keys().filter(|k| k.starts_with("prometheus/")).count());
    for (rel, bytes) in &prom_files {
        assert_eq!(Some(bytes), bundle.get(&format!("prometheus/{rel}")), "{rel}");
    }
    assert!(read_tree(&graf).keys().all(|k| !k.starts_with("prometheus")));

    let bad = tmp.path().join("bad.json");
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(example("prod")).unwrap()).unwrap();
    spec["versions"] = serde_json::json!({"loki": "2.8.0"});
    std::fs::write(&bad, spec.to_string()).unwrap();
    let out2 = tmp.path().join("out2");
    let o = monstack(&["nix-builder"], &[("specPath", bad.to_str().unwrap()), ("out", out2.to_str().unwrap())]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("env prod: versions.loki") && err.contains("the bundle was not built"), "{err}");
    assert!(!out2.exists());
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["render", "validate", "check", "schema", "codes", "nix-options", "nix-layout", "nix-builder"] {
        let o = monstack(&[sub, "--help"], &[]);
        assert!(o.status.success(), "{sub}");
        assert!(String::from_utf8_lossy(&o.stdout).contains("Usage: monstack"), "{sub}");
    }
    let o = monstack(&["render"], &[]);
    assert_eq!(o.status.code(), Some(2), "a usage error exits 2");
}

/// A closed pipe on the other end (`monstack … 2>&1 | head`) ends the run with its own exit
/// code, not a panic's 101: every command that writes, to either stream.
#[test]
fn a_closed_output_pipe_is_not_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, br#"{"environment": "Not A Slug"}"#).unwrap();
    let (prod, staging) = (example("prod"), example("staging"));
    let (prod, staging) = (prod.to_str().unwrap(), staging.to_str().unwrap());
    let cases: [(&[&str], i32); 7] = [
        (&["validate", "--spec", bad.to_str().unwrap()], 1),
        (&["diff", prod, staging], 1),
        (&["diff", "--format", "markdown", prod, staging], 1),
        (&["schema"], 0),
        (&["codes"], 0),
        (&["nix-options"], 0),
        (&["validate", "--spec", prod], 0),
    ];
    for (args, code) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_monstack"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close both read ends before the child writes.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "monstack {args:?}: {status:?}");
    }
}

/// A UTF-8 byte-order mark (as Windows editors write) is not a syntax error.
#[test]
fn a_byte_order_mark_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xef, 0xbb, 0xbf];
    bytes.extend(std::fs::read(example("dev")).unwrap());
    let spec = tmp.path().join("dev.json");
    std::fs::write(&spec, bytes).unwrap();
    let o = monstack(&["validate", "--spec", spec.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `monstack completions bash` completes subcommands and their options in a real bash.
#[test]
fn bash_completes_subcommands_and_options() {
    let o = monstack(&["completions", "bash"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("monstack.bash");
    std::fs::write(&script, &o.stdout).unwrap();
    let complete = |words: &str, cword: usize| {
        let probe = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \
             _monstack monstack \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let o = Command::new("bash").args(["-c", &probe]).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let subcommands = complete("monstack re", 1);
    assert!(subcommands.split_whitespace().any(|w| w == "render"), "{subcommands}");
    let options = complete("monstack render --", 2);
    for flag in ["--spec", "--out", "--install-prefix"] {
        assert!(options.split_whitespace().any(|w| w == flag), "{flag} in {options}");
    }
}

/// `monstack man --out DIR` writes a page per command, and every page the main one refers to
/// exists; `monstack man` prints the main page.
#[test]
fn the_man_pages_cover_every_subcommand() {
    let o = monstack(&["man"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let main = String::from_utf8(o.stdout).unwrap();
    assert!(main.contains(".TH monstack 1"), "{main}");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man1");
    let o = monstack(&["man", "--out", dir.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(dir.join("monstack.1")).unwrap(), main);
    let referred: Vec<String> = main
        .lines()
        .filter_map(|l| l.strip_suffix("(1)"))
        .map(|name| format!("{}.1", name.replace("\\-", "-")))
        .collect();
    assert!(referred.len() >= 10, "{referred:?}");
    for page in &referred {
        let text = std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie") && text.contains(".SH NAME"), "{page}");
    }
    assert!(referred.contains(&"monstack-render.1".to_string()), "{referred:?}");
}

/// Diagnostics for people and for tools (issue 21): each points at the line and column of its
/// option (a syntax error at the parser's position), suggests the likely name for a typo, and
/// comes as JSON or as GitHub annotations on request.
#[test]
fn diagnostics_point_at_their_line_and_suggest_the_likely_name() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("typo.yaml");
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    spec["alertmanager"]["route"]["receiver"] = "defualt-receiver".into();
    spec["prometheus"]["scrape_intervall"] = "15s".into();
    let text = serde_yaml::to_string(&spec).unwrap();
    std::fs::write(&yaml, &text).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;

    let o = monstack(&["validate", yaml.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let file = yaml.display();
    assert!(err.contains(&format!("--> {file}:{}:", line_of("scrape_intervall"))), "{err}");
    assert!(err.contains("did you mean `scrape_interval`?"), "{err}");

    // The loader stops at the unknown option; fixed, validation finds the receiver.
    spec["prometheus"].as_object_mut().unwrap().remove("scrape_intervall");
    let text = serde_yaml::to_string(&spec).unwrap();
    std::fs::write(&yaml, &text).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let o = monstack(&["validate", "--format", "json", yaml.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "ref/unknown-receiver");
    assert_eq!(d["path"], "alertmanager.route.receiver");
    assert_eq!(d["file"], yaml.to_str().unwrap());
    assert_eq!(d["line"], line_of("defualt-receiver"));
    assert!(d["hint"].as_str().unwrap().starts_with("did you mean `default-receiver`?"), "{d}");

    let o = monstack(&["validate", "--format", "github", yaml.to_str().unwrap()], &[]);
    let annotation = String::from_utf8(o.stdout).unwrap();
    let expected = format!(
        "::error title=monstack ref/unknown-receiver,file={},line={},col=",
        yaml.to_str().unwrap().replace(':', "%3A"),
        line_of("defualt-receiver")
    );
    assert!(annotation.starts_with(&expected), "{annotation}");
    assert!(annotation.contains("%0Ahint: did you mean"), "{annotation}");
    assert_eq!(annotation.lines().count(), 1);

    // A JSON syntax error at the parser's own position.
    let json = tmp.path().join("broken.json");
    std::fs::write(&json, "{\"environment\": \"dev\",\n  \"prometheus\": }\n").unwrap();
    let o = monstack(&["validate", json.to_str().unwrap()], &[]);
    assert!(stderr(&o).contains(&format!("--> {}:2:17", json.display())), "{}", stderr(&o));

    // A valid spec in JSON form: ok and no diagnostics.
    let o = monstack(&["validate", "--format", "json", example("dev").to_str().unwrap()], &[]);
    assert!(o.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((&doc["ok"], &doc["diagnostics"]), (&serde_json::json!(true), &serde_json::json!([])), "{doc}");
}

/// A warning is reported in every format but never fails a command (issue 21, item 5), and
/// `validate`, `render` and `check` say what each scrape job switched on in the catalogue
/// (item 2): a job that switched on nothing is a warning.
#[test]
fn warnings_and_what_each_job_switched_on_are_reported_without_failing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(example("dev")).unwrap()).unwrap();
    let jobs = spec["scrape_jobs"].as_array_mut().unwrap();
    let (plain, second) = (jobs.len(), jobs.len() + 1);
    // A node_exporter that does not say so, and a second node-exporter job.
    jobs.push(serde_json::json!({"name": "node", "discovery": {"static": {"targets": ["host-9:9100"]}}}));
    jobs.push(serde_json::json!({"name": "node-2", "exporter": "node-exporter", "discovery": {"static": {"targets": ["host-8:9100"]}}}));
    let yaml = tmp.path().join("warned.yaml");
    let text = serde_yaml::to_string(&spec).unwrap();
    std::fs::write(&yaml, &text).unwrap();
    let path = yaml.to_str().unwrap();

    let o = monstack(&["validate", path], &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let warned = format!(
        "warning[catalogue/no-group]: env dev: scrape_jobs[{plain}]: job \"node\" (app) switches on no catalogue group"
    );
    assert!(err.contains(&warned), "{err}");
    assert!(
        err.contains("hint: if it is an exporter the catalogue knows, declare it, e.g. `exporter: node-exporter`"),
        "{err}"
    );
    // A second job of a kind is read as well as the first.
    assert!(!err.contains(&format!("scrape_jobs[{second}]")), "{err}");
    assert!(err.contains("catalogue: job node-2 (node-exporter): hosts (4 alerts)"), "{err}");
    assert!(err.contains("1 warning(s) in env dev"), "{err}");
    assert!(!err.contains("nothing was written"), "{err}");
    assert!(err.contains("catalogue: job node_exporter (node-exporter): hosts (4 alerts)"), "{err}");
    assert!(err.contains("catalogue: job postgres_exporter (postgres-exporter): postgresql (6 alerts)"), "{err}");
    assert!(err.contains("catalogue: job node (app): nothing (only TargetDown)"), "{err}");

    let o = monstack(&["validate", "--format", "json", path], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["ok"], true, "{doc}");
    let d = &doc["diagnostics"][0];
    assert_eq!((&d["code"], &d["severity"]), (&"catalogue/no-group".into(), &"warning".into()), "{d}");
    assert_eq!(d["path"], format!("scrape_jobs[{plain}]"));
    // The job's entry: the list item holding `name: node`.
    let name_line = text.lines().position(|l| l.trim_end().ends_with("name: node")).unwrap();
    let entry_line =
        text.lines().take(name_line + 1).collect::<Vec<_>>().iter().rposition(|l| l.starts_with("- ")).unwrap() + 1;
    assert_eq!(d["line"], entry_line, "{d}");
    let catalogue = doc["catalogue"].as_array().unwrap();
    let of = |job: &str| catalogue.iter().find(|j| j["job"] == job).unwrap_or_else(|| panic!("{job}: {doc}"));
    assert_eq!(of("node_exporter")["groups"], serde_json::json!(["hosts"]));
    assert_eq!(of("node_exporter")["exporter"], "node-exporter");
    assert!(of("node_exporter")["alerts"].as_array().unwrap().contains(&"HostHighCpuLoad".into()));
    assert_eq!(of("node")["groups"], serde_json::json!([]));
    assert_eq!(of("auth-service")["groups"], serde_json::json!(["service auth-service", "service-dashboard"]));

    let o = monstack(&["validate", "--format", "github", path], &[]);
    assert_eq!(o.status.code(), Some(0));
    let annotations = String::from_utf8(o.stdout).unwrap();
    assert!(annotations.starts_with("::warning title=monstack catalogue/no-group,file="), "{annotations}");
    assert_eq!(annotations.lines().count(), 1, "{annotations}");

    // render writes the bundle; check re-validates it and reports the same warnings.
    let out = tmp.path().join("out");
    let o = monstack(&["render", path, "--out", out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains(&warned), "{}", stderr(&o));
    assert!(out.join("manifest.json").is_file());
    // Both node-exporter jobs are read by the host alerts, the recording rules and the dashboard.
    let both = r#"job=~"node_exporter|node-2""#;
    let read = |file: &str| std::fs::read_to_string(out.join(file)).unwrap();
    assert!(read("prometheus/rules/infrastructure_alerts.yml").contains(&format!("node_load15{{{both}}}")));
    assert!(read("prometheus/rules/recording_rules.yml").contains(both));
    let board = read("grafana/dashboards/infrastructure/node_exporter_server_health.json");
    assert!(board.contains(r#"job=~\"node_exporter|node-2\""#), "{board}");
    let o = monstack(&["check", "--no-external", "--format", "json", out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["ok"], true, "{doc}");
    let severities: Vec<_> =
        doc["diagnostics"].as_array().unwrap().iter().map(|d| (d["severity"].clone(), d["path"].clone())).collect();
    assert!(severities.contains(&("warning".into(), format!("spec.json: scrape_jobs[{plain}]").into())), "{doc}");

    // An error with warnings still fails, and says both.
    spec["alertmanager"]["route"]["receiver"] = "nobody".into();
    std::fs::write(&yaml, serde_yaml::to_string(&spec).unwrap()).unwrap();
    let o = monstack(&["validate", path], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error[ref/unknown-receiver]"), "{}", stderr(&o));
}

#[test]
fn the_spec_is_positional_or_an_option_but_not_both() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = example("dev");
    let dev = dev.to_str().unwrap();
    assert!(monstack(&["validate", dev], &[]).status.success());
    assert!(monstack(&["validate", "--spec", dev], &[]).status.success());
    let out = tmp.path().join("b");
    assert!(monstack(&["render", dev, "--out", out.to_str().unwrap()], &[]).status.success());
    let o = monstack(&["validate", dev, "--spec", dev], &[]);
    assert_eq!(o.status.code(), Some(2), "both: a usage error");
    assert_eq!(monstack(&["validate"], &[]).status.code(), Some(2), "neither: a usage error");
}

/// `monstack codes CODE` explains one code, with the lint's documentation for a lint; an
/// unknown code exits 2 naming the likely one.
#[test]
fn codes_explain_one_code_with_its_lints_documentation() {
    let o = monstack(&["codes", "promql/vector-matching"], &[]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("promql/vector-matching: A binary operation whose sides can never match."), "{text}");
    assert!(text.contains("Bad:") && text.contains("Good:"), "the lint's doc comment: {text}");
    let o = monstack(&["codes", "route/unroted"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `route/unrouted`?"), "{}", stderr(&o));
}

#[test]
fn check_quiet_prints_nothing_for_a_valid_bundle_and_json_lists_the_validators() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dev");
    assert!(render("dev", &out, &[]).status.success());
    let o = monstack(&["check", "--quiet", "--no-external", out.to_str().unwrap()], &[]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "{}", stderr(&o));
    let o = monstack(
        &["check", "--format", "json", "--tool", "amtool", out.to_str().unwrap()],
        &[("PATH", "/nonexistent")],
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["external"], serde_json::json!([{"tool": "amtool", "result": "not found"}]));
    std::fs::write(out.join("grafana/extra.json"), "{}").unwrap();
    let o = monstack(&["check", "--quiet", "--format", "github", "--no-external", out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    let annotation = String::from_utf8(o.stdout).unwrap();
    assert!(annotation.starts_with("::error title=monstack bundle/integrity,file="), "{annotation}");
    assert!(annotation.contains("grafana/extra.json"), "{annotation}");
}

#[test]
fn the_help_documents_the_exit_codes() {
    let o = monstack(&["--help"], &[]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("Exit codes: 0 success"), "{text}");
}
