//! Option paths: where in the spec a value sits, as diagnostics print it
//! (`alertmanager.receivers[2].email[0].to`).

use std::fmt;

/// The path of an option in the spec, built key by key and index by index. The default is the
/// spec itself (the empty path), below which the first key has no dot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OptionPath(String);

impl OptionPath {
    /// A top-level option, or a dotted run of keys from the top (`prometheus.storage`).
    pub fn root(key: &str) -> OptionPath {
        OptionPath(key.to_string())
    }

    /// The option `k` below this one (`a.k`); `k` may be a dotted run of keys or a map key.
    pub fn key(&self, k: &str) -> OptionPath {
        let mut p = String::with_capacity(self.0.len() + 1 + k.len());
        p.push_str(&self.0);
        if !self.0.is_empty() {
            p.push('.');
        }
        p.push_str(k);
        OptionPath(p)
    }

    /// The item `i` of this list (`a[i]`).
    pub fn index(&self, i: usize) -> OptionPath {
        OptionPath(format!("{}[{i}]", self.0))
    }

    /// The item of this list whose identifying field (`name`, `uid`, …) is `id` (`a[id]`), as
    /// `diff` names the items of lists it matches by name.
    pub fn named(&self, id: &str) -> OptionPath {
        OptionPath(format!("{}[{id}]", self.0))
    }

    /// Whether this is the spec itself.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OptionPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for OptionPath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<OptionPath> for String {
    fn from(p: OptionPath) -> String {
        p.0
    }
}

impl From<&OptionPath> for String {
    fn from(p: &OptionPath) -> String {
        p.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::OptionPath;

    #[test]
    fn keys_and_indexes_print_as_diagnostics_name_options() {
        let receivers = OptionPath::root("alertmanager").key("receivers");
        assert_eq!(receivers.as_str(), "alertmanager.receivers");
        let to = receivers.index(2).key("email").index(0).key("to");
        assert_eq!(to.to_string(), "alertmanager.receivers[2].email[0].to");
        assert_eq!(OptionPath::root("prometheus.storage").key("path").as_str(), "prometheus.storage.path");
        assert_eq!(
            OptionPath::root("rules.overrides").key("HostHighCpuLoad").key("for").as_str(),
            "rules.overrides.HostHighCpuLoad.for"
        );
        assert_eq!(String::from(&to), "alertmanager.receivers[2].email[0].to");
        assert_eq!(String::from(OptionPath::root("slos").index(0)), "slos[0]");
    }

    #[test]
    fn below_the_spec_itself_the_first_key_has_no_dot() {
        let top = OptionPath::default();
        assert!(top.is_empty());
        assert_eq!(top.key("scrape_jobs").as_str(), "scrape_jobs");
        assert_eq!(
            top.key("scrape_jobs").named("node").key("scrape_interval").as_str(),
            "scrape_jobs[node].scrape_interval"
        );
    }
}
