//! HTTP for the end-to-end test: a client for the servers' APIs (ureq), and a minimal loopback
//! server used as Alertmanager's webhook sink and as a fake exporter.
// Shared by several test crates, each using a part.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Client for the Prometheus and Alertmanager APIs. Every request is bounded by a timeout, and
/// no proxy from the environment is used: every server is on loopback. A client made `with_tls`
/// trusts only the given CA, may present a client certificate, and sends basic auth if given.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    basic_auth: Option<String>,
}

impl Client {
    pub fn new() -> Client {
        Client::with_config(ureq::Agent::config_builder())
    }

    fn with_config(builder: ureq::config::ConfigBuilder<ureq::typestate::AgentScope>) -> Client {
        let config =
            builder.timeout_global(Some(Duration::from_secs(10))).http_status_as_error(false).proxy(None).build();
        Client { agent: config.into(), basic_auth: None }
    }

    /// HTTPS trusting `ca_pem` only, presenting `client` (certificate and key PEM) if given.
    pub fn with_tls(ca_pem: &[u8], client: Option<(&[u8], &[u8])>) -> Client {
        use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};
        let ca = Certificate::from_pem(ca_pem).expect("CA certificate PEM");
        let client = client.map(|(cert, key)| {
            let cert = Certificate::from_pem(cert).expect("client certificate PEM");
            ClientCert::new_with_certs(&[cert], PrivateKey::from_pem(key).expect("client key PEM"))
        });
        let tls = TlsConfig::builder().root_certs(RootCerts::new_with_certs(&[ca])).client_cert(client).build();
        Client::with_config(ureq::Agent::config_builder().tls_config(tls))
    }

    /// The same client sending basic auth as `user`:`password`.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Client {
        use base64::Engine as _;
        // RFC 7617: base64 of `user:password`.
        let out = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.basic_auth = Some(format!("Basic {out}"));
        self
    }

    /// GET `url` with query parameters: status and body.
    pub fn get(&self, url: &str, query: &[(&str, &str)]) -> Result<(u16, String), String> {
        let mut request = self.agent.get(url).query_pairs(query.iter().copied());
        if let Some(auth) = &self.basic_auth {
            request = request.header("Authorization", auth);
        }
        read(url, request.call())
    }

    /// POST a JSON body (or nothing) to `url`: status and body.
    pub fn post(&self, url: &str, json: Option<&Value>) -> Result<(u16, String), String> {
        let mut request = self.agent.post(url);
        if let Some(auth) = &self.basic_auth {
            request = request.header("Authorization", auth);
        }
        let response = match json {
            Some(v) => request.header("Content-Type", "application/json").send(v.to_string()),
            None => request.send_empty(),
        };
        read(url, response)
    }

    /// PUT a JSON body to `url`: status and body.
    pub fn put(&self, url: &str, json: &Value) -> Result<(u16, String), String> {
        let mut request = self.agent.put(url);
        if let Some(auth) = &self.basic_auth {
            request = request.header("Authorization", auth);
        }
        read(url, request.header("Content-Type", "application/json").send(json.to_string()))
    }

    /// GET a JSON document that must come with status 200.
    pub fn get_json(&self, url: &str, query: &[(&str, &str)]) -> Result<Value, String> {
        match self.get(url, query)? {
            (200, body) => serde_json::from_str(&body).map_err(|e| format!("{url}: not JSON: {e}")),
            (status, body) => Err(format!("{url}: HTTP {status}: {body}")),
        }
    }
}

fn read(url: &str, response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<(u16, String), String> {
    let mut response = response.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().map_err(|e| format!("{url}: {e}"))?;
    Ok((status, body))
}

/// One request as the loopback server saw it.
pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

type Handler = Box<dyn Fn(&Request) -> Response + Send>;

/// A minimal HTTP/1.1 server on 127.0.0.1 (an OS-chosen port), answering one request per
/// connection on its own thread. Enough for Prometheus scrapes and Alertmanager webhooks, which
/// both send a Content-Length and accept `Connection: close`. Stopped and joined on drop.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback server");
        let addr = listener.local_addr().expect("local address");
        // Non-blocking accept lets the thread notice `stop` without a wake-up connection.
        listener.set_nonblocking(true).expect("non-blocking listener");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, &handler),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Server { addr, stop, thread: Some(thread) }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler) {
    // A client that stalls must not hold the server (and the test) up.
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let Some(request) = parse(&stream) else { return };
    let response = handler(&request);
    let reason = if response.status == 200 { "OK" } else { "Error" };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.status,
        response.content_type,
        response.body.len()
    );
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(response.body.as_bytes()));
    let _ = stream.flush();
}

fn parse(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request { method, path, body })
}

/// One webhook notification Alertmanager delivered: the URL path and the JSON payload.
#[derive(Clone, Debug)]
pub struct Notification {
    pub path: String,
    pub payload: Value,
}

impl Notification {
    pub fn receiver(&self) -> &str {
        self.payload["receiver"].as_str().unwrap_or("")
    }

    /// The alerts of the payload, each with its status, labels and annotations.
    pub fn alerts(&self) -> Vec<&Value> {
        self.payload["alerts"].as_array().map(|a| a.iter().collect()).unwrap_or_default()
    }
}

/// The receiver end of Alertmanager's webhook integration: records every notification.
pub struct Sink {
    server: Server,
    received: Arc<Mutex<Vec<Notification>>>,
}

impl Sink {
    pub fn start() -> Sink {
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        let server = Server::start(Box::new(move |req: &Request| match serde_json::from_slice(&req.body) {
            Ok(payload) if req.method == "POST" => {
                log.lock().unwrap().push(Notification { path: req.path.clone(), payload });
                Response { status: 200, content_type: "text/plain", body: String::new() }
            }
            _ => Response { status: 400, content_type: "text/plain", body: "expected a JSON POST\n".into() },
        }));
        Sink { server, received }
    }

    /// The webhook URL for a receiver (its name as the path, checked against the payload).
    pub fn url(&self, receiver: &str) -> String {
        format!("http://{}/{receiver}", self.server.addr())
    }

    pub fn notifications(&self) -> Vec<Notification> {
        self.received.lock().unwrap().clone()
    }

    /// The first firing alert with these labels the sink received, and its notification.
    pub fn find_alert(&self, want: &[(&str, &str)]) -> Result<(Notification, Value), String> {
        let all = self.notifications();
        for n in &all {
            if let Some(a) = n.alerts().into_iter().find(|a| a["status"] == "firing" && carries(a, want)) {
                return Ok((n.clone(), a.clone()));
            }
        }
        let seen: Vec<String> = all
            .iter()
            .flat_map(|n| n.alerts().into_iter().map(move |a| format!("{}:{}", n.receiver(), a["labels"]["alertname"])))
            .collect();
        Err(format!("received so far: {seen:?}"))
    }

    /// The receivers that got a notification with an alert carrying these labels, in order of
    /// arrival, each once.
    pub fn delivered_to(&self, want: &[(&str, &str)]) -> Vec<String> {
        let mut receivers: Vec<String> = Vec::new();
        for n in self.notifications().iter().filter(|n| n.alerts().iter().any(|a| carries(a, want))) {
            if !receivers.iter().any(|r| r == n.receiver()) {
                receivers.push(n.receiver().to_string());
            }
        }
        receivers
    }
}

fn carries(alert: &Value, want: &[(&str, &str)]) -> bool {
    want.iter().all(|(k, v)| alert["labels"][*k].as_str() == Some(*v))
}

/// What a fake exporter serves at one path, given how often that path was scraped before (so
/// counters can grow from scrape to scrape).
pub type Metrics = Box<dyn Fn(u64) -> String + Send>;

/// A stand-in for the application exporters: serves, per metrics path, what the test sets, and
/// an empty (but valid) exposition otherwise, so every target is up.
pub struct Exporter {
    server: Server,
    paths: Arc<Mutex<BTreeMap<String, (Metrics, u64)>>>,
}

impl Exporter {
    pub fn start() -> Exporter {
        let paths: Arc<Mutex<BTreeMap<String, (Metrics, u64)>>> = Arc::new(Mutex::new(BTreeMap::new()));
        let shared = Arc::clone(&paths);
        let server = Server::start(Box::new(move |req: &Request| {
            let mut paths = shared.lock().unwrap();
            let body = match paths.get_mut(&req.path) {
                Some((metrics, scrapes)) => {
                    *scrapes += 1;
                    metrics(*scrapes)
                }
                None => String::new(),
            };
            Response { status: 200, content_type: "text/plain; version=0.0.4; charset=utf-8", body }
        }));
        Exporter { server, paths }
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Serve `metrics` at `path` from now on.
    pub fn serve(&self, path: &str, metrics: Metrics) {
        self.paths.lock().unwrap().insert(path.into(), (metrics, 0));
    }
}
