//! What a secret looks like. The Nix store is world-readable, so no secret value may reach a
//! spec that is rendered, nor a rendered file: secrets are references (`*_file`, `$__file{}`,
//! `${VAR}`) that the tools resolve at run time.
//!
//! Two layers use the same rules. The loader rejects spec values that look like a secret
//! ([`looks_like_secret`]) and keys that hold one ([`literal_secret_key`]); after rendering,
//! [`scan`] reads every output line, so a secret that reaches a file some other way (a
//! multi-line annotation, a renderer bug, a hand-edited bundle) still fails the render or
//! `monstack check` instead of landing in the store.

use crate::diag::{Code, Diagnostics};
use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use regex::Regex;
use std::sync::LazyLock;

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

/// A kind of secret the scanner recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    PagerDutyKey,
    SlackWebhook,
    SlackToken,
    GithubToken,
    UrlPassword,
    PrivateKey,
    BearerToken,
    Jwt,
    AwsAccessKey,
    LiteralCredential,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::PagerDutyKey,
        Kind::SlackWebhook,
        Kind::SlackToken,
        Kind::GithubToken,
        Kind::UrlPassword,
        Kind::PrivateKey,
        Kind::BearerToken,
        Kind::Jwt,
        Kind::AwsAccessKey,
        Kind::LiteralCredential,
    ];

    /// What the value looks like, for a diagnostic ("the value looks like …").
    pub fn describe(self) -> &'static str {
        match self {
            Kind::PagerDutyKey => "a PagerDuty integration or routing key",
            Kind::SlackWebhook => "a Slack webhook URL (it authorises posting)",
            Kind::SlackToken => "a Slack token",
            Kind::GithubToken => "a GitHub token",
            Kind::UrlPassword => "a URL with a password in it",
            Kind::PrivateKey => "a private key",
            Kind::BearerToken => "a bearer token",
            Kind::Jwt => "a JSON Web Token",
            Kind::AwsAccessKey => "an AWS access key id",
            Kind::LiteralCredential => "a literal password or credential",
        }
    }
}

/// Secrets recognisable by their shape alone, wherever they appear, each with the literal
/// substrings one of which any match contains. The substring test runs first: a bundle has
/// thousands of lines and the regex engine, unoptimised in debug builds, would otherwise
/// dominate the render.
///
/// Each pattern is specific enough not to match the hashes, uids and label values a bundle is
/// full of: a bare 32-digit hex string is *not* one (dashboard uids and sha256s look the
/// same), so a PagerDuty key is only recognised by its context (an events URL here, or a key
/// name in [`scan`]).
static SHAPES: LazyLock<Vec<(Kind, &'static [&'static str], Regex)>> = LazyLock::new(|| {
    let rule = |kind, needles: &'static [&'static str], pattern: &str| {
        (kind, needles, Regex::new(pattern).expect("secret pattern compiles"))
    };
    vec![
        // https://api.slack.com/messaging/webhooks; workflow and trigger URLs authorise the same way.
        rule(Kind::SlackWebhook, &["hooks.slack.com/"], r"hooks\.slack\.com/(?:services|workflows|triggers)/"),
        // Events API v1 generic integration URLs carry the integration key in the path.
        rule(Kind::PagerDutyKey, &["pagerduty.com/"], r"events\.pagerduty\.com/integration/[0-9A-Za-z]{32}"),
        // PKCS#1, PKCS#8, SEC1, OpenSSH, encrypted PKCS#8 and PGP armour.
        rule(Kind::PrivateKey, &["PRIVATE KEY"], r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"),
        // https://api.slack.com/authentication/token-types: bot, user, app, refresh, legacy.
        rule(Kind::SlackToken, &["xox"], r"\bxox[abeoprs]-[0-9A-Za-z-]{10,}"),
        // https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
        rule(
            Kind::GithubToken,
            &["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"],
            r"\b(?:gh[opsur]_[0-9A-Za-z]{16,}|github_pat_[0-9A-Za-z_]{20,})",
        ),
        // Long-term (AKIA) and temporary (ASIA) access key ids: 20 upper-case characters.
        rule(Kind::AwsAccessKey, &["AKIA", "ASIA"], r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        // A JWT's header and payload are base64url JSON, so both start with `eyJ` (`{"`).
        rule(Kind::Jwt, &["eyJ"], r"\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]*"),
    ]
});

/// `Bearer <token>` (RFC 6750 §2.1). The token must hold a digit and be long: prose such as
/// "Bearer authentication" or the `type: Bearer` of a scrape config is not a token.
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bbearer\s+([0-9A-Za-z._~+/-]{20,}=*)").expect("bearer pattern compiles"));

/// `scheme://userinfo@`: the userinfo stops at the authority's end, and the greedy match finds
/// the last `@` in it, as URL parsers do.
static URL_USERINFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\b[A-Za-z][0-9A-Za-z+.-]*://([^\s/?#'"<>]+)@"#).expect("URL pattern compiles"));

/// Every substring [`shape`] looks for, searched for at once: most texts hold none of them,
/// and one pass rejects them (the loader asks of every string in the spec).
static SHAPE_NEEDLES: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let needles = SHAPES.iter().flat_map(|(_, needles, _)| needles.iter().copied());
    AhoCorasick::new(needles.chain(["://", "bearer", "Bearer", "BEARER"])).expect("needles build an automaton")
});

/// The kind of secret in `text`, judged by shape only (no key context).
fn shape(text: &str) -> Option<Kind> {
    if !SHAPE_NEEDLES.is_match(text) {
        return None;
    }
    let matches = |needles: &[&str], re: &Regex| needles.iter().any(|n| text.contains(n)) && re.is_match(text);
    if let Some((kind, ..)) = SHAPES.iter().find(|(_, needles, re)| matches(needles, re)) {
        return Some(*kind);
    }
    let url_password = text.contains("://")
        && text.contains('@')
        && URL_USERINFO
            .captures_iter(text)
            .any(|c| c[1].split_once(':').is_some_and(|(_, password)| !password.is_empty() && !is_reference(password)));
    if url_password {
        return Some(Kind::UrlPassword);
    }
    let bearer = ["bearer", "Bearer", "BEARER"].iter().any(|n| text.contains(n))
        && BEARER.captures_iter(text).any(|c| c[1].bytes().any(|b| b.is_ascii_digit()));
    bearer.then_some(Kind::BearerToken)
}

/// Whether a string value looks like a secret itself, wherever it appears; the reason if so.
pub fn looks_like_secret(value: &str) -> Option<&'static str> {
    shape(value).map(Kind::describe)
}

/// Keys whose value, in a rendered file, is the credential itself (compared lower-case with
/// `_`, `-` and `.` removed, so `basicAuthPassword` and `basic_auth_password` are one key).
/// Narrower than [`LITERAL_SECRET_KEYS`]: `api_url` and `access_key_id` are rejected in a spec
/// (they are where secrets get pasted) but in a rendered file may hold a plain endpoint or a
/// `${VAR}`, and their secret shapes (Slack webhook, `AKIA…`) are caught by shape.
const CREDENTIAL_KEYS: &[(&str, Kind)] = &[
    ("routingkey", Kind::PagerDutyKey),
    ("servicekey", Kind::PagerDutyKey),
    ("integrationkey", Kind::PagerDutyKey),
    ("password", Kind::LiteralCredential),
    ("passwd", Kind::LiteralCredential),
    ("authpassword", Kind::LiteralCredential),
    ("smtpauthpassword", Kind::LiteralCredential),
    ("basicauthpassword", Kind::LiteralCredential),
    ("secret", Kind::LiteralCredential),
    ("clientsecret", Kind::LiteralCredential),
    ("secretkey", Kind::LiteralCredential),
    ("secretaccesskey", Kind::LiteralCredential),
    ("awssecretaccesskey", Kind::LiteralCredential),
    ("apikey", Kind::LiteralCredential),
    ("apitoken", Kind::LiteralCredential),
    ("authtoken", Kind::LiteralCredential),
    ("accesstoken", Kind::LiteralCredential),
    ("bearertoken", Kind::LiteralCredential),
    ("token", Kind::LiteralCredential),
    ("credentials", Kind::LiteralCredential),
];

/// `"key": "value"` pairs anywhere on a line (JSON, YAML flow style).
static JSON_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""([A-Za-z_][0-9A-Za-z_.-]*)"\s*:\s*"((?:[^"\\]|\\.)*)""#).expect("pair pattern compiles")
});

/// A line that assigns one key: YAML `key: value` (also as a list item), INI and Alloy
/// `key = value`, also commented out (a secret in a comment is as readable). The YAML colon
/// must be followed by a space or the line's end, so URLs (`http://…`) are not keys.
static LINE_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*(?:(?:#|//|;)\s*)?(?:-\s+)?["']?([A-Za-z_][0-9A-Za-z_.-]*)["']?\s*(?::(?:\s+|$)|=\s*)(.*)$"#)
        .expect("line pattern compiles")
});

/// Whether a value is resolved at run time rather than being the secret: an environment
/// variable (`${VAR}`, `$VAR`, Loki's `-config.expand-env`), Grafana's `$__file{}` and
/// `$__env{}`, or a Go template (Alertmanager) that produces it.
fn is_reference(value: &str) -> bool {
    value.starts_with('$') || value.contains("{{")
}

/// The literal a key is assigned, or `None` when the value is empty, null, a reference, the
/// start of a nested block, or an Alloy expression (`sys.env("X")`, `local.file.k.content`).
fn literal_value(raw: &str, separator_is_equals: bool) -> Option<&str> {
    let raw = raw.trim().trim_end_matches(',').trim_end();
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"')) || (raw.starts_with('\'') && raw.ends_with('\'')));
    let value = if quoted {
        &raw[1..raw.len() - 1]
    } else {
        // An unquoted YAML or INI value ends at a comment.
        raw.split(" #").next().unwrap_or(raw).trim()
    };
    let structural = ["", "~", "null", "{", "[", "{}", "[]", "|", "|-", "|+", ">", ">-", ">+"];
    if (!quoted && structural.contains(&value)) || value.is_empty() || is_reference(value) {
        return None;
    }
    let alloy_expression = separator_is_equals
        && !quoted
        && (value.contains('(') || value.split('.').count() >= 3 && !value.contains(char::is_whitespace));
    (!alloy_expression).then_some(value)
}

fn credential_key(key: &str) -> Option<Kind> {
    let normal: String =
        key.chars().filter(|c| !matches!(c, '_' | '-' | '.')).map(|c| c.to_ascii_lowercase()).collect();
    CREDENTIAL_KEYS.iter().find(|(k, _)| *k == normal).map(|(_, kind)| *kind)
}

/// A secret found by [`scan`]: where, and what it looks like. The value itself is deliberately
/// not kept, so no report can print it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    /// 1-based line number.
    pub line: usize,
    pub kind: Kind,
}

/// The substrings without which no line can hold a secret: every shape's needles, `://` for
/// URL passwords, and `bearer` and a fragment of every credential key, all matched ignoring
/// ASCII case (more candidates, never fewer). [`scan`] searches the whole text for them once
/// and examines only the lines they are on — a bundle has thousands of lines and a handful of
/// candidates.
static CANDIDATE: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let shapes = SHAPES.iter().flat_map(|(_, needles, _)| needles.iter().copied());
    let patterns = [URL_SCHEME, "bearer", "pass", "secret", "key", "token", "credential"].into_iter().chain(shapes);
    // A full DFA: the case-insensitive patterns leave no literal prefilter, so the search is
    // one table lookup per byte.
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(patterns)
        .expect("candidates build an automaton")
});

/// The first of [`CANDIDATE`]'s patterns. Every alert's runbook link has one; only a line that
/// also has an `@` can hold a URL's password.
const URL_SCHEME: &str = "://";

/// Every line of `text` that holds something that looks like a secret: a value of a known
/// shape anywhere, or a literal assigned to a credential key (`password: hunter2`,
/// `"routing_key": "…"`, `secret = …`). At most one finding per line.
pub fn scan(text: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    // Line numbers are counted incrementally from the previous candidate line.
    let (mut counted_to, mut line_no) = (0, 1);
    let mut from = 0;
    while let Some(m) = CANDIDATE.find(aho_corasick::Input::new(text).span(from..text.len())) {
        let start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = text[m.start()..].find('\n').map_or(text.len(), |i| m.start() + i);
        if m.pattern().as_usize() == 0 && !text[start..end].contains('@') {
            // A plain link; another candidate may follow on the same line.
            from = m.end();
            continue;
        }
        line_no += text.as_bytes()[counted_to..start].iter().filter(|&&b| b == b'\n').count();
        counted_to = start;
        if let Some(kind) = examine_line(&text[start..end]) {
            found.push(Finding { line: line_no, kind });
        }
        from = end;
    }
    found
}

fn examine_line(line: &str) -> Option<Kind> {
    let keyed = || {
        let pairs = JSON_PAIR.captures_iter(line).map(|c| (c.get(1), c.get(2), false));
        let assignment = LINE_PAIR.captures(line).map(|c| {
            let equals = c.get(0).is_some_and(|m| {
                let key_end = c.get(1).map_or(0, |k| k.end());
                m.as_str()[key_end..].trim_start_matches(['"', '\'']).trim_start().starts_with('=')
            });
            (c.get(1), c.get(2), equals)
        });
        pairs.chain(assignment).find_map(|(key, value, equals)| {
            let kind = credential_key(key?.as_str())?;
            literal_value(value?.as_str(), equals).map(|_| kind)
        })
    };
    shape(line).or_else(keyed)
}

/// A file's text: the bytes as they are when they are UTF-8 (checked faster than the lossy
/// conversion does it), else as far as they are text.
fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Scans every file of a bundle and reports each finding as `secret/rendered` at
/// `<file>:<line>`. Files that are not UTF-8 are scanned as far as they are text.
pub fn report_rendered<'a>(files: impl IntoIterator<Item = (&'a String, &'a Vec<u8>)>, diags: &mut Diagnostics) {
    // Files are scanned on every core; findings are reported in the files' order.
    let files: Vec<(&String, &Vec<u8>)> = files.into_iter().collect();
    let scanned: Vec<(&String, Vec<Finding>)> =
        files.par_iter().map(|(path, bytes)| (*path, scan(&text(bytes)))).collect();
    for (path, findings) in scanned {
        for finding in findings {
            diags
                .error(
                    Code::SecretRendered,
                    format!("{path}:{}", finding.line),
                    format!("this line looks like {}", finding.kind.describe()),
                )
                .hint(
                    "rendered files hold only references (`*_file`, `$__file{}`, `${VAR}`); find the spec value \
                     that produced this line and move the secret to a file on the host",
                );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

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

    /// One line per case: what the scanner must find (or `None` for a true negative).
    const SCAN_CASES: &[(&str, Option<Kind>)] = &[
        // PagerDuty: a key next to its name, in YAML, JSON, INI; an Events v1 URL.
        ("  - routing_key: 0123456789abcdef0123456789abcdef", Some(Kind::PagerDutyKey)),
        ("    service_key: 'R0123456789ABCDEF0123456789ABCDE'", Some(Kind::PagerDutyKey)),
        (r#"{"integration_key": "0123456789abcdef0123456789abcdef"}"#, Some(Kind::PagerDutyKey)),
        (
            "url: https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue",
            Some(Kind::PagerDutyKey),
        ),
        ("  - routing_key_file: /run/secrets/pagerduty", None),
        ("    routing_key: '{{ .CommonLabels.pd_key }}'", None),
        // Slack.
        ("  api_url: https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX", Some(Kind::SlackWebhook)),
        ("url: https://hooks.slack.com/workflows/T0000/A0000/1234/abcd", Some(Kind::SlackWebhook)),
        ("token = \"xoxb-123456789012-abcdefghijkl\"", Some(Kind::SlackToken)),
        ("  slack_api_url_file: /run/secrets/slack-webhook-url", None),
        ("channel: '#alerts'", None),
        // GitHub.
        ("  - url: https://x:ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r", Some(Kind::GithubToken)),
        ("token: github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", Some(Kind::GithubToken)),
        ("    description: ghp_ prefixes mark personal tokens", None),
        // Passwords in URLs.
        ("loki_url: http://promtail:hunter2@loki:3100/loki/api/v1/push", Some(Kind::UrlPassword)),
        ("endpoint: s3://AKID:abc%2Fdef@minio.internal:9000/loki", Some(Kind::UrlPassword)),
        ("url: http://user:${LOKI_PASSWORD}@loki:3100/", None),
        ("url: http://user@loki:3100/", None),
        // A plain link does not hide a secret later on its line.
        ("note: see https://example.com/x for xoxb-123456789012-abcdefghijkl", Some(Kind::SlackToken)),
        ("see https://example.com/a:b@c for details", None),
        // PEM private keys; a certificate is public.
        ("-----BEGIN PRIVATE KEY-----", Some(Kind::PrivateKey)),
        ("  key: \"-----BEGIN EC PRIVATE KEY-----\\nMHc...\"", Some(Kind::PrivateKey)),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", Some(Kind::PrivateKey)),
        ("-----BEGIN CERTIFICATE-----", None),
        // Bearer tokens and JWTs.
        ("Authorization: Bearer 8f14e45fceea167a5a36dedd4bea2543abc", Some(Kind::BearerToken)),
        (
            "x: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            Some(Kind::Jwt),
        ),
        ("    type: Bearer", None),
        ("description: Bearer authentication against the Kubernetes API", None),
        ("    credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token", None),
        // AWS access keys; a lookalike inside a longer word is not one.
        ("access_key_id: AKIAIOSFODNN7EXAMPLE", Some(Kind::AwsAccessKey)),
        ("aws_access_key_id = ASIAY34FZKBOKMUTVV7A", Some(Kind::AwsAccessKey)),
        ("name: XAKIAIOSFODNN7EXAMPLEX", None),
        // Generic credential keys with a literal value, and their references.
        ("    password: hunter2", Some(Kind::LiteralCredential)),
        ("password = hunter2", Some(Kind::LiteralCredential)),
        ("# password: hunter2", Some(Kind::LiteralCredential)),
        ("\t// password = \"hunter2\"", Some(Kind::LiteralCredential)),
        (r#"  "basicAuthPassword": "hunter2","#, Some(Kind::LiteralCredential)),
        ("  secret_access_key: minio123 # dev only", Some(Kind::LiteralCredential)),
        ("client_secret: \"s3cr3t\"", Some(Kind::LiteralCredential)),
        ("  password_file: /run/secrets/x", None),
        ("  password: $__file{/run/secrets/x}", None),
        (r#"  "basicAuthPassword": "$__file{/run/secrets/grafana}""#, None),
        ("    secret_access_key: ${MINIO_SECRET_KEY}", None),
        ("password = $__env{GF_PASSWORD}", None),
        ("\tpassword = sys.env(\"LOKI_PASSWORD\")", None),
        ("\tpassword = local.file.loki_password.content", None),
        ("  password: ''", None),
        ("  password: null", None),
        ("  password: |", None),
        ("  token:", None),
        ("description: Login failures (credential stuffing or a broken client).", None),
        ("  passwords_rotated: 3", None),
    ];

    #[test]
    fn scan_finds_each_kind_of_secret_and_no_reference() {
        let mut failures = Vec::new();
        for (line, expected) in SCAN_CASES {
            let got = scan(line).first().map(|f| f.kind);
            if got != *expected {
                failures.push(format!("{line:?}: expected {expected:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        let kinds: BTreeSet<Kind> = SCAN_CASES.iter().filter_map(|(_, k)| *k).collect();
        assert_eq!(kinds, BTreeSet::from(Kind::ALL), "every kind has a positive case");
    }

    #[test]
    fn scan_reports_the_line_of_each_secret() {
        // Plain links (skipped without examining their line) still count as lines.
        let text = "a: https://example.com/a\npassword: hunter2\nb: https://example.com/b\n\
                    url: https://hooks.slack.com/services/T/B/X\n";
        let got: Vec<(usize, Kind)> = scan(text).iter().map(|f| (f.line, f.kind)).collect();
        assert_eq!(got, vec![(2, Kind::LiteralCredential), (4, Kind::SlackWebhook)]);
    }

    #[test]
    fn a_rendered_secret_is_reported_without_its_value() {
        let mut files = BTreeMap::new();
        files.insert("loki/loki-config.yaml".to_string(), b"s3:\n  secret_access_key: minio123\n".to_vec());
        files.insert("prometheus/prometheus.yml".to_string(), b"global: {}\n".to_vec());
        let mut diags = Diagnostics::new("dev");
        report_rendered(&files, &mut diags);
        let got = diags.into_sorted();
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].code, got[0].path.as_str()), (Code::SecretRendered, "loki/loki-config.yaml:2"));
        assert!(!got[0].to_string().contains("minio123"), "the diagnostic repeats the secret: {}", got[0]);
    }
}
