//! The small languages of the target tools: durations, label and metric names, Alertmanager
//! matchers, versions, addresses and alert templates. Each parser is the single place that knows its syntax.

pub mod duration;
pub mod literal;
pub mod logql;
pub mod matcher;
pub mod names;
pub mod template;
pub mod version;

pub use duration::Duration;
pub use literal::{number, quote, regex_literal};
pub use matcher::Matcher;
pub use version::Version;
