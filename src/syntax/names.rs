//! Names: Prometheus label and metric names, and the identifiers monstack uses for file names,
//! jobs and uids.

/// `[a-zA-Z_][a-zA-Z0-9_]*`, the label-name syntax every Prometheus version accepts.
pub fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`, the metric-name syntax (recording rule names).
pub fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A name that is safe as a file or folder name and as a job or uid: `[a-z0-9][a-z0-9_.-]*`,
/// at most 64 characters.
pub fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= 64
        && matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'))
}

/// A Grafana dashboard uid: 1–40 of `a-z`, `A-Z`, `0-9`, `-` and `_`.
pub fn is_grafana_uid(s: &str) -> bool {
    !s.is_empty() && s.len() <= 40 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `[A-Z_][A-Z0-9_]*`, an environment variable name Loki's `-config.expand-env` expands.
pub fn is_env_var(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `host:port` with a non-empty host and a port in 1..=65535.
pub fn is_host_port(s: &str) -> bool {
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    let host_ok =
        !host.is_empty() && !host.contains(['/', ' ', '@', '?', '#']) && (host.starts_with('[') == host.ends_with(']'));
    host_ok && matches!(port.parse::<u32>(), Ok(1..=65535))
}

/// An absolute `http://` or `https://` URL with a host and no credentials in it.
pub fn check_url(s: &str) -> Result<(), String> {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or("must start with http:// or https://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err("must not carry credentials (user:password@)".into());
    }
    if authority.is_empty() || authority.starts_with(':') {
        return Err("has no host".into());
    }
    if s.chars().any(char::is_whitespace) {
        return Err("contains white space".into());
    }
    Ok(())
}

/// The host of a `host:port` address or of an `http(s)://` URL (brackets of an IPv6 literal
/// removed), or None when there is none.
pub fn host_of(addr_or_url: &str) -> Option<&str> {
    let rest = addr_or_url.split_once("://").map_or(addr_or_url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    (!host.is_empty()).then_some(host)
}

/// Whether `host` names the local machine's loopback interface, so that traffic to it never
/// leaves the host: `localhost`, 127.0.0.0/8 (RFC 1122 3.2.1.3) or `::1` (RFC 4291 2.5.3).
/// Other names that may resolve to loopback (`*.localhost`, /etc/hosts entries) do not count:
/// what they resolve to is the host's business, not the spec's.
pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.eq_ignore_ascii_case("localhost.")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_loopback() {
        assert_eq!(host_of("http://127.0.0.1:9090/x"), Some("127.0.0.1"));
        assert_eq!(host_of("https://[::1]:443"), Some("::1"));
        assert_eq!(host_of("minio.internal:9000"), Some("minio.internal"));
        assert_eq!(host_of("http://mimir/api"), Some("mimir"));
        assert_eq!(host_of("http://:80"), None);
        for lo in ["localhost", "LocalHost", "127.0.0.1", "127.8.9.10", "::1"] {
            assert!(is_loopback_host(lo), "{lo}");
        }
        for not in ["128.0.0.1", "localhost.evil.com", "mimir", "::2", "10.0.0.1", "0.0.0.0", "[::1]"] {
            assert!(!is_loopback_host(not), "{not}");
        }
    }

    #[test]
    fn label_and_metric_names() {
        assert!(is_label_name("model_name"));
        assert!(is_label_name("_x1"));
        assert!(!is_label_name("1x"));
        assert!(!is_label_name("a-b"));
        assert!(!is_label_name(""));
        assert!(is_metric_name("job:http_requests:rate5m"));
        assert!(!is_metric_name("job-http"));
    }

    #[test]
    fn slugs_env_vars_addresses_urls() {
        assert!(is_slug("node_exporter"));
        assert!(is_slug("api-gateway"));
        assert!(!is_slug("Api"));
        assert!(!is_slug("../x"));
        assert!(!is_slug("a/b"));
        assert!(is_env_var("LOKI_S3_SECRET_ACCESS_KEY"));
        assert!(!is_env_var("loki"));
        assert!(is_host_port("alertmanager:9093"));
        assert!(is_host_port("[::1]:9093"));
        assert!(!is_host_port("alertmanager"));
        assert!(!is_host_port("http://a:9093"));
        assert!(!is_host_port("a:0"));
        assert!(check_url("http://prometheus:9090").is_ok());
        assert!(check_url("prometheus:9090").is_err());
        assert!(check_url("http://user:pw@minio:9000").is_err());
    }
}
