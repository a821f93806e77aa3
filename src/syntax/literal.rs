//! Literals of PromQL, LogQL and RE2 as the generated expressions write them: numbers, quoted
//! label values and regexes matching exactly one string.

/// A float as PromQL and YAML readers expect it: `2`, `0.05`, `1.5`.
pub fn number(x: f64) -> String {
    // Rounded to 12 significant digits, so arithmetic noise (1 - 0.999 = 0.0010000000000000009)
    // does not reach the output.
    let rounded: f64 = format!("{x:.11e}").parse().unwrap_or(x);
    format!("{rounded}")
}

/// A string as an RE2 regex matching exactly it; only metacharacters are escaped, so the usual
/// names (`api-gateway`, `image-gen-v2`) stay readable.
pub fn regex_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes a label value for a double-quoted PromQL or LogQL string.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_literal_matches_exactly_the_string() {
        for s in ["api-gateway", "image-gen.v2", "a+b", "x|y", "(paren)", "$^", "back\\slash"] {
            let re = regex::Regex::new(&format!("^(?:{})$", regex_literal(s))).unwrap();
            assert!(re.is_match(s), "{s}");
            assert!(!re.is_match(&format!("{s}x")), "{s}");
        }
        assert_eq!(regex_literal("api-gateway"), "api-gateway");
    }

    #[test]
    fn numbers_print_as_promql_expects() {
        assert_eq!(number(2.0), "2");
        assert_eq!(number(0.05), "0.05");
        assert_eq!(number(1.5), "1.5");
        assert_eq!(number(1.0 - 0.999), "0.001");
        assert_eq!(number(14.4 * (1.0 - 0.999)), "0.0144");
    }
}
