//! Numbers for people: SI prefixes (`181.4k` series, `1.2 MB/s`), one decimal, as the
//! capacity table shows them. Decimal prefixes (kB = 1000 B) throughout: the estimates are
//! rates and counts, not memory sizes.

const PREFIXES: [&str; 6] = ["", "k", "M", "G", "T", "P"];

/// `181400` → `181.4k`, `12093.36` → `12.1k`, `1000000` → `1M`, `66.67` → `66.7`, `0.5` → `0.5`.
pub fn si(x: f64) -> String {
    let (value, prefix) = scaled(x);
    format!("{value}{prefix}")
}

/// Bytes per second: `604668` → `604.7 kB/s`, `1209336` → `1.2 MB/s`.
pub fn bytes_per_second(x: f64) -> String {
    let (value, prefix) = scaled(x);
    format!("{value} {prefix}B/s")
}

/// Seconds as a duration: `15.0` → `15s`, `0.5` → `0.5s`, `120.0` → `2m`.
pub fn seconds(x: f64) -> String {
    if x >= 60.0 && x % 60.0 == 0.0 { format!("{}m", x / 60.0) } else { format!("{}s", one_decimal(x)) }
}

fn one_decimal(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    let s = format!("{rounded:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn scaled(x: f64) -> (String, &'static str) {
    if !x.is_finite() {
        return (x.to_string(), "");
    }
    let mut value = x;
    let mut i = 0;
    // Rounding decides the prefix: 999,960 is `1M`, not `1000k`.
    while i + 1 < PREFIXES.len() && (value * 10.0).round().abs() >= 10_000.0 {
        value /= 1000.0;
        i += 1;
    }
    (one_decimal(value), PREFIXES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rates_and_bytes_get_si_prefixes() {
        let cases: &[(f64, &str)] = &[
            (181_400.0, "181.4k"),
            (12_093.36, "12.1k"),
            (1_000_000.0, "1M"),
            (999_960.0, "1M"),
            (999.94, "999.9"),
            (999.96, "1k"),
            (66.666, "66.7"),
            (800.0, "800"),
            (0.5, "0.5"),
            (0.0, "0"),
            (2.5e9, "2.5G"),
        ];
        for (x, want) in cases {
            assert_eq!(si(*x), *want, "{x}");
        }
        assert_eq!(bytes_per_second(604_668.0), "604.7 kB/s");
        assert_eq!(bytes_per_second(1_209_336.0), "1.2 MB/s");
        assert_eq!(bytes_per_second(50.0), "50 B/s");
        assert_eq!(seconds(15.0), "15s");
        assert_eq!(seconds(120.0), "2m");
        assert_eq!(seconds(0.5), "0.5s");
    }
}
