//! The environment's Prometheus servers: one per replica (with `prometheus.ha`) of each shard
//! (when the capacity estimate shards the scrape jobs). The renderers write a configuration per
//! server; meta-monitoring scrapes each one and validation holds its addresses to this list.

use crate::spec::Spec;

/// One Prometheus server of the environment: a replica (with `prometheus.ha`) of a shard (when
/// the capacity estimate exceeds `prometheus.capacity.max_series_per_replica`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// The shard's index, when the scrape jobs are sharded.
    pub shard: Option<u64>,
    /// The replica's name, with `prometheus.ha`.
    pub replica: Option<String>,
}

impl Instance {
    /// `shard-0.a`, `a`, `shard-1`; `None` for the single Prometheus of an environment without
    /// HA or sharding.
    pub fn name(&self) -> Option<String> {
        match (self.shard, &self.replica) {
            (None, None) => None,
            (None, Some(r)) => Some(r.clone()),
            (Some(s), None) => Some(format!("shard-{s}")),
            (Some(s), Some(r)) => Some(format!("shard-{s}.{r}")),
        }
    }

    /// Its configuration file in the `prometheus` component: `prometheus.yml` for the single
    /// server, else `prometheus.<name>.yml` ([`crate::bundle::layout::prometheus_config`]).
    pub fn config_file(&self) -> String {
        crate::bundle::layout::prometheus_config(self.name().as_deref())
    }

    /// The value of the HA cluster label: each shard is its own HA cluster.
    pub fn cluster(&self, spec: &Spec) -> String {
        let base = spec.prometheus.ha.as_ref().and_then(|h| h.cluster.clone()).unwrap_or(spec.environment.clone());
        match self.shard {
            Some(s) => format!("{base}-shard-{s}"),
            None => base,
        }
    }
}

/// Every Prometheus server the environment runs, shard by shard, replica by replica, for its
/// number of shards ([`crate::catalogue::capacity::Estimate::shards`]).
pub fn instances(spec: &Spec, shards: u64) -> Vec<Instance> {
    let replicas: Vec<Option<String>> = match &spec.prometheus.ha {
        Some(ha) => ha.replicas.iter().cloned().map(Some).collect(),
        None => vec![None],
    };
    let shard_ids: Vec<Option<u64>> = if shards > 1 { (0..shards).map(Some).collect() } else { vec![None] };
    shard_ids
        .iter()
        .flat_map(|&shard| replicas.iter().map(move |replica| Instance { shard, replica: replica.clone() }))
        .collect()
}
