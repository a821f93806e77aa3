//! The scale-out topology as rendered: dev stays one Prometheus; prod's HA replicas differ only
//! in their replica label and drop it from alerts; remote write queues follow the capacity
//! estimate unless overridden; past `max_series_per_replica` the scrape jobs are split into
//! `hashmod` shards, each an HA pair with its own cluster label.

mod common;

use common::{example_json as spec, merge};
use monstack::catalogue::capacity;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn render(spec: &Value) -> BTreeMap<String, Vec<u8>> {
    let bytes = serde_json::to_vec(spec).unwrap();
    let bundle = monstack::build("spec.json", &bytes).unwrap_or_else(|d| panic!("{d:?}"));
    bundle.files().clone()
}

fn yaml(files: &BTreeMap<String, Vec<u8>>, path: &str) -> serde_yaml::Value {
    serde_yaml::from_slice(files.get(path).unwrap_or_else(|| panic!("no {path}"))).unwrap()
}

fn prometheus_configs(files: &BTreeMap<String, Vec<u8>>) -> Vec<&str> {
    files
        .keys()
        .filter_map(|p| p.strip_prefix("prometheus/"))
        .filter(|f| f.starts_with("prometheus") && !f.contains('/'))
        .collect()
}

fn manifest_capacity(files: &BTreeMap<String, Vec<u8>>) -> Value {
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    manifest["capacity"].clone()
}

#[test]
fn dev_declares_nothing_and_stays_one_prometheus() {
    let files = render(&spec("dev"));
    assert_eq!(prometheus_configs(&files), ["prometheus.yml"]);
    let config = yaml(&files, "prometheus/prometheus.yml");
    assert!(config.get("remote_write").is_none());
    assert!(config["alerting"].get("alert_relabel_configs").is_none());
    let capacity = manifest_capacity(&files);
    assert_eq!(capacity["shards"], 1);
    assert_eq!(capacity["replicas_per_shard"], 1);
    // dev's jobs are mostly discovered without expected_targets: counted as unknown, not zero.
    assert!(capacity["unknown_targets"].as_array().unwrap().iter().any(|j| j == "api-gateway"));
}

#[test]
fn prod_replicas_differ_only_in_the_replica_label_which_alerts_drop() {
    let files = render(&spec("prod"));
    assert_eq!(prometheus_configs(&files), ["prometheus.a.yml", "prometheus.b.yml"]);
    let [mut a, mut b] = ["a", "b"].map(|r| yaml(&files, &format!("prometheus/prometheus.{r}.yml")));
    assert_eq!(a["global"]["external_labels"]["__replica__"], "a");
    assert_eq!(b["global"]["external_labels"]["__replica__"], "b");
    assert_eq!(a["global"]["external_labels"]["cluster"], "prod");
    for config in [&mut a, &mut b] {
        config["global"]["external_labels"].as_mapping_mut().unwrap().remove("__replica__");
    }
    assert_eq!(a, b, "the replicas' configurations differ beyond the replica label");
    let drop = &a["alerting"]["alert_relabel_configs"][0];
    assert_eq!((drop["action"].as_str(), drop["regex"].as_str()), (Some("labeldrop"), Some("__replica__")));
    // Both send to every Alertmanager of the cluster.
    let targets = &a["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"];
    assert_eq!(targets.as_sequence().unwrap().len(), 2);

    // The queue is the one the estimate implies for one replica's samples/s.
    let rw = &a["remote_write"][0];
    assert_eq!(rw["headers"]["X-Scope-OrgID"], "creativeflow");
    assert!(rw["basic_auth"]["password_file"].as_str().unwrap().starts_with("/run/secrets/"));
    let per_replica = manifest_capacity(&files)["samples_per_second_per_replica"].as_f64().unwrap();
    let q = capacity::queue(per_replica, capacity::MAX_SAMPLES_PER_SEND);
    assert_eq!(rw["queue_config"]["min_shards"].as_u64(), Some(q.min_shards));
    assert_eq!(rw["queue_config"]["max_shards"].as_u64(), Some(q.max_shards));
    assert_eq!(rw["queue_config"]["capacity"].as_u64(), Some(q.capacity));
    assert!(q.min_shards > 1, "prod's ~12k samples/s need more than one shard of 4000/s");

    // Grafana queries the store, which holds both replicas' data, over TLS with the CA the
    // replicas write with.
    let ds = String::from_utf8(files["grafana/provisioning/datasources/prometheus_ds.yml"].clone()).unwrap();
    assert!(ds.contains("url: https://mimir-query-frontend:8080/prometheus"), "{ds}");
    assert!(ds.contains("tlsCACert: $__file{/run/secrets/monstack/ca.crt}"), "{ds}");
    assert_eq!(rw["tls_config"]["ca_file"], "/run/secrets/monstack/ca.crt");
}

#[test]
fn queue_overrides_win_over_the_derived_values() {
    let mut s = spec("prod");
    s["prometheus"]["remote_write"][0]["queue"] = json!({"max_shards": 3, "max_samples_per_send": 500});
    let files = render(&s);
    let q = &yaml(&files, "prometheus/prometheus.a.yml")["remote_write"][0]["queue_config"];
    assert_eq!(q["max_shards"].as_u64(), Some(3));
    assert_eq!(q["max_samples_per_send"].as_u64(), Some(500));
    assert_eq!(q["capacity"].as_u64(), Some(2500), "capacity follows max_samples_per_send (5x)");
}

#[test]
fn past_the_limit_the_jobs_are_sharded_by_hashmod_each_shard_an_ha_pair() {
    let mut s = spec("prod");
    // prod's estimate is 183600 series, 193020 with the eight servers meta watches below: a limit
    // of 50000 makes ceil(193020 / 50000) = 4 shards.
    merge(&mut s, &json!({"prometheus": {"capacity": {"max_series_per_replica": 50000}}}));
    // Meta-monitoring watches every server the sharded topology runs (meta/topology): eight
    // Prometheus targets instead of prod's two, each also a TLS probe target; still 4 shards.
    let servers: serde_json::Map<String, Value> = (0..4)
        .flat_map(|i| {
            ["a", "b"].map(|r| (format!("shard-{i}.{r}"), json!(format!("prometheus-{i}{r}.monitoring:9090"))))
        })
        .collect();
    s["meta"]["prometheus"] = Value::Object(servers);
    let files = render(&s);
    let capacity = manifest_capacity(&files);
    assert_eq!(capacity["series"], 193020);
    assert_eq!(capacity["shards"], 4);
    let configs = prometheus_configs(&files);
    let expected: Vec<String> =
        (0..4).flat_map(|i| ["a", "b"].map(|r| format!("prometheus.shard-{i}.{r}.yml"))).collect();
    assert_eq!(configs, expected);
    for i in 0..4 {
        let a = yaml(&files, &format!("prometheus/prometheus.shard-{i}.a.yml"));
        assert_eq!(a["global"]["external_labels"]["cluster"], format!("prod-shard-{i}").as_str());
        let scrape_files = a["scrape_config_files"].as_sequence().unwrap();
        assert!(!scrape_files.is_empty());
        for f in scrape_files {
            let f = f.as_str().unwrap();
            assert!(f.starts_with(&format!("scrape_configs/shard-{i}/")), "{f}");
            for job in yaml(&files, &format!("prometheus/{f}"))["scrape_configs"].as_sequence().unwrap() {
                let relabels = job["relabel_configs"].as_sequence().unwrap();
                let [.., hashmod, keep] = relabels.as_slice() else { panic!("no hashmod in {job:?}") };
                assert_eq!(hashmod["action"], "hashmod");
                assert_eq!(hashmod["modulus"].as_u64(), Some(4));
                assert_eq!(hashmod["source_labels"][0], "__address__");
                assert_eq!(keep["action"], "keep");
                assert_eq!(keep["regex"], i.to_string().as_str());
            }
        }
    }
    assert!(!files.keys().any(|p| p.starts_with("prometheus/scrape_configs/") && p.matches('/').count() == 2));
    // `absent()` sees one shard's share: every shard but one would find a critical job missing.
    let rules = |files: &BTreeMap<String, Vec<u8>>| {
        String::from_utf8(files["prometheus/rules/infrastructure_alerts.yml"].clone()).unwrap()
    };
    assert!(!rules(&files).contains("alert: CriticalTargetMissing"));
    assert!(rules(&files).contains("alert: CriticalTargetDown"));
    assert!(rules(&render(&spec("prod"))).contains("alert: CriticalTargetMissing"));
}
