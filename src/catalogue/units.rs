//! The unit of each catalogue threshold, and the range an override must stay in (issue 21, item
//! 3): `threshold: 90` on a ratio alert compares a ratio with 90 and never fires. Each entry of
//! the catalogue ([`super::Def`]) names its unit; validation refuses an override outside its
//! range, and the schema shows unit and range per alert.

use schemars::Schema;
use serde_json::{Value, json};

/// What a threshold measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    /// A share of events or of a capacity, 0 to 1 (0.9 is 90 %).
    Ratio,
    /// A percentage, 0 to 100.
    Percent,
    Seconds,
    Minutes,
    Hours,
    Days,
    /// A number of things (messages, jobs, drives, events).
    Count,
    /// How many times another value (e.g. the same hour yesterday), at least 1.
    Factor,
    /// The load average per CPU core (1 = every core busy or waiting).
    LoadPerCore,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Ratio => "ratio",
            Unit::Percent => "percent",
            Unit::Seconds => "seconds",
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
            Unit::Days => "days",
            Unit::Count => "count",
            Unit::Factor => "factor",
            Unit::LoadPerCore => "load per core",
        }
    }

    /// The inclusive range (minimum, maximum) of a threshold in this unit.
    pub fn range(self) -> (f64, Option<f64>) {
        match self {
            Unit::Ratio => (0.0, Some(1.0)),
            Unit::Percent => (0.0, Some(100.0)),
            Unit::Factor => (1.0, None),
            Unit::Seconds | Unit::Minutes | Unit::Hours | Unit::Days | Unit::Count | Unit::LoadPerCore => (0.0, None),
        }
    }

    /// "a ratio from 0 to 1 (0.9 is 90 %)", "seconds, at least 0".
    pub fn described(self) -> String {
        let (min, max) = self.range();
        let range = match max {
            Some(max) => format!("from {} to {}", super::show(min), super::show(max)),
            None => format!("at least {}", super::show(min)),
        };
        match self {
            Unit::Ratio => format!("a ratio {range} (0.9 is 90 %)"),
            Unit::Percent => format!("a percentage {range} (90 is 90 %)"),
            Unit::Factor => format!("a factor, {range} (3 is three times as much)"),
            Unit::Seconds => format!("seconds, {range}"),
            Unit::Minutes => format!("minutes, {range}"),
            Unit::Hours => format!("hours, {range}"),
            Unit::Days => format!("days, {range}"),
            Unit::Count => format!("a count, {range}"),
            Unit::LoadPerCore => format!("a load average per CPU core, {range} (1 is as many runnable tasks as cores)"),
        }
    }

    /// Why `t` is out of range, and the fix; `None` when it is in range.
    pub fn refuse(self, t: f64) -> Option<(String, String)> {
        let (min, max) = self.range();
        if t.is_finite() && t >= min && max.is_none_or(|max| t <= max) {
            return None;
        }
        let shown = super::show(t);
        let hint = match self {
            // A percentage given for a ratio: say what it is as a ratio.
            Unit::Ratio if t > 1.0 && t <= 100.0 => {
                let ratio = super::show(t / 100.0);
                format!("write {ratio}: {ratio} is {shown} % as a ratio")
            }
            Unit::Percent if t > 100.0 => "a percentage is at most 100".to_string(),
            Unit::Factor if t > 0.0 && t < 1.0 => {
                format!(
                    "a factor below 1 fires whenever the value is merely {shown} times the reference: use at least 1"
                )
            }
            _ => format!("give {}", self.described()),
        };
        Some((format!("{shown} is out of range: the threshold is {}", self.described()), hint))
    }

    /// The threshold property's schema: its unit in the description, its range as bounds.
    fn schema(self, alert: &str) -> Value {
        let (min, max) = self.range();
        let mut s = json!({
            "description": format!("{alert}'s threshold: {}. Default: the catalogue's.", self.described()),
            "type": ["number", "null"],
            "minimum": min,
        });
        if let Some(max) = max {
            s["maximum"] = json!(max);
        }
        s
    }
}

/// The schema of `rules.overrides`: a map of [`crate::spec::rules::AlertOverride`] by alert name,
/// and, per catalogue alert, its threshold's unit and range (`patternProperties`, which editors
/// use for an exact name; an alert without a threshold to change allows none).
pub fn overrides_schema(generator: &mut schemars::SchemaGenerator) -> Schema {
    let entry = generator.subschema_for::<crate::spec::rules::AlertOverride>();
    let mut by_name = serde_json::Map::new();
    for def in super::defs() {
        let threshold = match def.unit {
            Some(u) => u.schema(def.name),
            None => json!({"description": format!("{} has no threshold to change.", def.name), "type": "null"}),
        };
        by_name.insert(
            format!("^{}$", def.name),
            json!({"allOf": [entry.clone(), {"properties": {"threshold": threshold}}]}),
        );
    }
    json!({
        "type": "object",
        "default": {},
        "additionalProperties": entry,
        "patternProperties": by_name,
    })
    .try_into()
    .expect("an object is a schema")
}

/// Adds to `rules.overrides`' description (which the Nix options show too) the catalogue's
/// alerts by unit of their threshold.
pub fn describe_overrides(schema: &mut Schema) {
    let mut defs: Vec<(Option<Unit>, &str)> = super::defs().iter().map(|d| (d.unit, d.name)).collect();
    defs.sort();
    let by_unit: Vec<String> = defs
        .chunk_by(|a, b| a.0 == b.0)
        .map(|chunk| {
            let what = chunk[0].0.map_or("no threshold".to_string(), |u| u.described());
            format!("{what}: {}", chunk.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", "))
        })
        .collect();
    let text = schema.get("description").and_then(Value::as_str).unwrap_or_default().to_string();
    schema.insert("description".into(), format!("{text}\nThresholds by unit:\n- {}", by_unit.join("\n- ")).into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_threshold_is_in_its_units_range() {
        for def in super::super::defs() {
            if let Some(unit) = def.unit {
                assert_eq!(unit.refuse(def.threshold), None, "{}: {} as {}", def.name, def.threshold, unit.name());
            }
        }
    }

    #[test]
    fn a_percentage_given_for_a_ratio_is_named_as_the_ratio_meant() {
        let (message, hint) = Unit::Ratio.refuse(90.0).unwrap();
        assert_eq!(message, "90 is out of range: the threshold is a ratio from 0 to 1 (0.9 is 90 %)");
        assert_eq!(hint, "write 0.9: 0.9 is 90 % as a ratio");
        assert_eq!(Unit::Ratio.refuse(0.9), None);
        assert_eq!(Unit::Ratio.refuse(1.0), None);
        assert!(Unit::Ratio.refuse(-0.1).is_some());
        assert!(Unit::Seconds.refuse(f64::NAN).is_some());
        assert!(Unit::Percent.refuse(100.5).is_some());
        assert_eq!(Unit::Count.refuse(1e6), None);
    }
}
