//! What each tool version can do: the oldest versions monstack renders for, and the versions
//! from which it renders something differently. One place, so a gate is never written twice.

use crate::syntax::Version;
use crate::validate::Versions;

/// Oldest versions monstack renders for (the seed's floor; matchers need Alertmanager 0.27,
/// per-stream retention and the compactor's delete store need Loki 2.9).
pub const MIN_PROMETHEUS: Version = Version::new(2, 51, 0);
pub const MIN_ALERTMANAGER: Version = Version::new(0, 27, 0);
pub const MIN_GRAFANA: Version = Version::new(10, 4, 0);
pub const MIN_LOKI: Version = Version::new(2, 9, 0);
pub const MIN_PROMTAIL: Version = Version::new(2, 9, 0);
/// `sys.env` (used to select this node's pods) exists since Alloy 1.5.
pub const MIN_ALLOY: Version = Version::new(1, 5, 0);

/// Since 3.8 Prometheus reads its retention from the configuration file
/// (`storage.tsdb.retention.{time,size}`, applied on reload) and the
/// `--storage.tsdb.retention.*` flags are deprecated (prometheus/prometheus#17026; nixpkgs'
/// RFC 42 module, NixOS/nixpkgs#471743, drops its flag option for it). Older versions reject the
/// field, so they get the flags (render::flags).
pub const RETENTION_IN_CONFIG_SINCE: Version = Version::new(3, 8, 0);

/// Whether the environment's Prometheus takes its retention from the configuration file.
pub fn retention_in_config(versions: &Versions) -> bool {
    versions.prometheus >= RETENTION_IN_CONFIG_SINCE
}

/// `prune` (delete datasources removed from the file) exists since Grafana 11.1.
pub const PRUNE_SINCE: Version = Version::new(11, 1, 0);

/// Whether monstack renders Loki's TSDB index (schema v13, which structured metadata needs) for
/// this version: Loki 3.x; 2.9 gets boltdb-shipper with v12.
pub fn tsdb(loki: Version) -> bool {
    loki.major >= 3
}

/// `legacy_positions_file` keeps Promtail's read offsets for labelled targets since Alloy 1.11
/// (grafana/alloy#4275).
pub const LEGACY_POSITIONS_SINCE: Version = Version::new(1, 11, 0);
