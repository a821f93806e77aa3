//! The validation context: the diagnostics sink plus checks shared by every section.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::spec::path::OptionPath;
use crate::syntax::{Matcher, names};
use std::collections::BTreeMap;

pub struct Cx {
    diags: Diagnostics,
}

impl Cx {
    pub fn new(diags: Diagnostics) -> Self {
        Cx { diags }
    }

    pub fn finish(self) -> Diagnostics {
        self.diags
    }

    /// An empty context for the same environment, for a check that runs on another thread;
    /// [`Cx::join`] takes its findings back. Diagnostics are sorted at the end, so the order
    /// checks finish in does not show.
    pub fn fork(&self) -> Cx {
        Cx::new(Diagnostics::new(self.diags.env()))
    }

    pub fn join(&mut self, other: Cx) {
        self.diags.absorb(other.diags);
    }

    /// Whether no problem was found so far.
    pub fn is_clean(&self) -> bool {
        self.diags.is_empty()
    }

    pub fn error(&mut self, code: Code, path: impl Into<String>, message: impl Into<String>) -> &mut Diagnostic {
        self.diags.error(code, path, message)
    }

    /// A name usable as a file name, job or uid.
    pub fn slug(&mut self, path: &OptionPath, what: &str, name: &str) {
        if !names::is_slug(name) {
            self.error(Code::NameInvalid, path, format!("{what} \"{name}\" is not a valid name"))
                .hint("use lowercase letters, digits, '-', '_' or '.', starting with a letter or digit, at most 64 characters");
        }
    }

    pub fn label_name(&mut self, path: &OptionPath, name: &str) {
        if !names::is_label_name(name) {
            self.error(Code::LabelInvalid, path, format!("\"{name}\" is not a valid label name"))
                .hint("label names match [a-zA-Z_][a-zA-Z0-9_]*");
        } else if name.starts_with("__") {
            self.error(
                Code::LabelInvalid,
                path,
                format!("\"{name}\" is reserved: names starting with __ are internal"),
            )
            .hint("drop the leading underscores");
        }
    }

    /// Label names and values of a label map; values must be non-empty (an empty value deletes
    /// the label in Prometheus, which is never what a spec means).
    pub fn labels(&mut self, path: &OptionPath, labels: &BTreeMap<String, String>) {
        for (k, v) in labels {
            let p = path.key(k);
            self.label_name(&p, k);
            if v.is_empty() {
                self.error(Code::LabelInvalid, p, "empty label value").hint("remove the label or give it a value");
            }
        }
    }

    /// An absolute path of a file the tool reads at run time (secrets, certificates).
    pub fn file_ref(&mut self, path: &OptionPath, file: &str) {
        if !file.starts_with('/') || file.contains(char::is_whitespace) {
            self.error(Code::PathInvalid, path, format!("\"{file}\" is not an absolute file path"))
                .hint("reference a file the host provides at run time, e.g. /run/secrets/<name>");
        }
    }

    /// A client's TLS files: absolute paths, and a certificate only with its key.
    pub fn client_tls(&mut self, path: &OptionPath, tls: &crate::spec::scrape::Tls) {
        for (field, v) in [("ca_file", &tls.ca_file), ("cert_file", &tls.cert_file), ("key_file", &tls.key_file)] {
            if let Some(f) = v {
                self.file_ref(&path.key(field), f);
            }
        }
        if tls.cert_file.is_some() != tls.key_file.is_some() {
            self.error(Code::OptionCombination, path, "cert_file and key_file go together")
                .hint("set both for mutual TLS, or neither");
        }
    }

    pub fn url(&mut self, path: &OptionPath, url: &str) {
        if let Err(e) = names::check_url(url) {
            self.error(Code::UrlInvalid, path, format!("\"{url}\" {e}"))
                .hint("write an absolute URL such as http://host:port/path");
        }
    }

    pub fn host_port(&mut self, path: &OptionPath, addr: &str) {
        if !names::is_host_port(addr) {
            self.error(Code::AddressInvalid, path, format!("\"{addr}\" is not host:port"))
                .hint("write the address as host:port, without a scheme, e.g. alertmanager:9093");
        }
    }

    /// RE2 regex as Prometheus uses it (anchored).
    pub fn regex(&mut self, path: &OptionPath, re: &str) {
        if let Err(e) = regex::Regex::new(&format!("^(?:{re})$")) {
            let msg = e.to_string();
            let last = msg.lines().last().unwrap_or(&msg).trim().to_string();
            self.error(Code::RegexInvalid, path, format!("\"{re}\" does not compile: {last}"))
                .hint("use RE2 syntax; escape literal metacharacters with a backslash");
        }
    }

    pub fn matchers(&mut self, path: &OptionPath, matchers: &[String]) {
        for (i, m) in matchers.iter().enumerate() {
            if let Err(e) = Matcher::parse(m) {
                self.error(Code::MatcherInvalid, path.index(i), format!("\"{m}\": {e}"))
                    .hint("write matchers as name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\"");
            }
        }
    }

    /// Reports names that occur more than once; `items` yields (path, name).
    pub fn unique<'a>(&mut self, what: &str, items: impl IntoIterator<Item = (OptionPath, &'a str)>) {
        let mut seen: BTreeMap<&str, OptionPath> = BTreeMap::new();
        for (path, name) in items {
            if let Some(first) = seen.get(name) {
                self.error(Code::NameDuplicate, path, format!("{what} \"{name}\" is already declared at {first}"))
                    .hint(format!("give each {what} a distinct name"));
            } else {
                seen.insert(name, path);
            }
        }
    }
}
