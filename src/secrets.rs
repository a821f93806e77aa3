//! What a secret looks like. The Nix store is world-readable, so no secret value may reach a
//! spec that is rendered, nor a rendered file: secrets are references (`*_file`, `$__file{}`,
//! `${VAR}`) that the tools resolve at run time.

/// Keys that hold a secret value in the tools' own configuration, and the reference monstack
/// takes instead. A spec that uses one of these keys is rejected, wherever the key appears.
pub const LITERAL_SECRET_KEYS: &[(&str, &str)] = &[
    ("password", "password_file"),
    ("auth_password", "auth_password_file"),
    ("smtp_auth_password", "smtp.auth_password_file"),
    ("routing_key", "routing_key_file"),
    ("service_key", "routing_key_file (PagerDuty Events API v2)"),
    ("api_url", "api_url_file"),
    ("slack_api_url", "slack_api_url_file"),
    ("api_key", "a *_file reference"),
    ("bearer_token", "authorization.credentials_file"),
    ("credentials", "credentials_file"),
    ("token", "a *_file reference"),
    ("secret", "a *_file reference"),
    ("client_secret", "a *_file reference"),
    ("secret_key", "a *_file reference"),
    ("access_key_id", "access_key_id_env"),
    ("secret_access_key", "secret_access_key_env"),
    ("aws_secret_access_key", "secret_access_key_env"),
];

/// The reference to use instead of a literal secret key, if `key` is one.
pub fn literal_secret_key(key: &str) -> Option<&'static str> {
    LITERAL_SECRET_KEYS.iter().find(|(k, _)| *k == key).map(|(_, r)| *r)
}

/// Whether a string value looks like a secret itself, wherever it appears; the reason if so.
pub fn looks_like_secret(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.contains("hooks.slack.com/services/") {
        return Some("a Slack webhook URL (it authorises posting)");
    }
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if url_has_password(v) {
        return Some("a URL with a password in it");
    }
    if v.starts_with("xox") && v.len() > 20 && v[3..].starts_with(['b', 'p', 'a', 'r', 's']) {
        return Some("a Slack token");
    }
    if (v.starts_with("ghp_") || v.starts_with("github_pat_")) && v.len() > 20 {
        return Some("a GitHub token");
    }
    if v.starts_with("AKIA") && v.len() == 20 && v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return Some("an AWS access key id");
    }
    None
}

fn url_has_password(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once("://") else {
        return false;
    };
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+') {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    match authority.rsplit_once('@') {
        Some((userinfo, _)) => userinfo.split_once(':').is_some_and(|(_, pw)| !pw.is_empty()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_secret_values() {
        let secret = [
            "https://hooks.slack.com/services/T000/B000/XXXX",
            "http://minio:s3cr3t@minio:9000/loki",
            "-----BEGIN RSA PRIVATE KEY-----\nabc",
            "xoxb-123456789012-abcdefghijkl",
            "AKIAIOSFODNN7EXAMPLE",
        ];
        for s in secret {
            assert!(looks_like_secret(s).is_some(), "{s}");
        }
        let fine = [
            "http://loki:3100/loki/api/v1/push",
            "/run/secrets/slack-url",
            "user@example.com",
            "mailto:ops@example.com",
            "http://user@host:80/",
            "{{ .Annotations.summary }}",
        ];
        for s in fine {
            assert!(looks_like_secret(s).is_none(), "{s}");
        }
    }

    #[test]
    fn secret_keys_name_their_replacement() {
        assert_eq!(literal_secret_key("routing_key"), Some("routing_key_file"));
        assert_eq!(literal_secret_key("routing_key_file"), None);
    }
}
