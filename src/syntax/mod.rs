//! The small languages of the target tools: durations, label and metric names, Alertmanager
//! matchers, versions and addresses. Each parser is the single place that knows its syntax.

pub mod duration;
pub mod logql;
pub mod matcher;
pub mod names;
pub mod version;

pub use duration::Duration;
pub use matcher::Matcher;
pub use version::Version;
