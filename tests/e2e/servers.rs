//! The real services and exporters of the exporter suite (`tests/exporters.rs`): PostgreSQL,
//! Redis and RabbitMQ (with its Prometheus plugin) from Debian 12, and postgres_exporter,
//! redis_exporter and blackbox_exporter. Each runs as a process the test started, in a temp
//! folder, on free ports of 127.0.0.1 only, and is killed when dropped (also on panic).
// Shared by several test crates, each using a part.
#![allow(dead_code)]

use super::common::in_ci;
use super::http::Client;
use super::procs::{Proc, free_port, wait_until, which};
use serde_json::json;
use std::net::TcpStream;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long a server may take to accept connections (RabbitMQ takes about 6 s on 2 cores).
pub const START: Duration = Duration::from_secs(90);

/// The programs, by their Debian names.
pub struct Programs {
    /// PostgreSQL's server programs are not on PATH on Debian: `/usr/lib/postgresql/<major>/bin`.
    pub postgres_bin: PathBuf,
    pub redis_server: PathBuf,
    pub rabbitmq_server: PathBuf,
    pub epmd: PathBuf,
    pub erl: PathBuf,
    pub postgres_exporter: PathBuf,
    pub redis_exporter: PathBuf,
    pub blackbox_exporter: PathBuf,
}

impl Programs {
    /// The programs `.ci/install` installs; `None` (SKIP) without them, a panic in CI.
    pub fn find() -> Option<Programs> {
        let postgres_bin = newest_postgres();
        // `rabbitmq-server` on PATH is Debian's wrapper, which switches to the `rabbitmq` user
        // and logs to /var/log; the server script itself runs as the caller.
        let rabbitmq_server = Some(PathBuf::from("/usr/lib/rabbitmq/bin/rabbitmq-server")).filter(|p| p.is_file());
        let found = [
            ("postgresql (/usr/lib/postgresql/*/bin)", postgres_bin.clone()),
            ("redis-server", which(&["redis-server"])),
            ("rabbitmq-server (/usr/lib/rabbitmq/bin)", rabbitmq_server.clone()),
            ("epmd", which(&["epmd"])),
            ("erl", which(&["erl"])),
            ("prometheus-postgres-exporter", which(&["prometheus-postgres-exporter", "postgres_exporter"])),
            ("prometheus-redis-exporter", which(&["prometheus-redis-exporter", "redis_exporter"])),
            ("prometheus-blackbox-exporter", which(&["prometheus-blackbox-exporter", "blackbox_exporter"])),
        ];
        let missing: Vec<&str> = found.iter().filter(|(_, p)| p.is_none()).map(|(n, _)| *n).collect();
        if !missing.is_empty() {
            assert!(!in_ci(), "CI must provide {missing:?}; run .ci/install");
            eprintln!("SKIP exporters: {} not installed (install with .ci/install)", missing.join(", "));
            return None;
        }
        let [pg, redis, rabbit, epmd, erl, pge, re, bb] = found.map(|(_, p)| p.unwrap());
        Some(Programs {
            postgres_bin: pg,
            redis_server: redis,
            rabbitmq_server: rabbit,
            epmd,
            erl,
            postgres_exporter: pge,
            redis_exporter: re,
            blackbox_exporter: bb,
        })
    }
}

/// `/usr/lib/postgresql/<major>/bin` of the newest major installed.
fn newest_postgres() -> Option<PathBuf> {
    let mut majors: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let major = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .collect();
    majors.sort();
    majors.pop().map(|(_, bin)| bin)
}

/// Waits until something accepts TCP connections on the loopback port.
pub fn wait_listening(what: &str, port: u16) {
    wait_until(&format!("{what} listening on 127.0.0.1:{port}"), START, || {
        TcpStream::connect(("127.0.0.1", port)).map(drop).map_err(|e| e.to_string())
    });
}

/// Waits until `url` answers 200.
pub fn wait_http(client: &Client, url: &str) {
    wait_until(&format!("{url} answering"), START, || match client.get(url, &[])? {
        (200, _) => Ok(()),
        (status, body) => Err(format!("HTTP {status}: {}", body.chars().take(200).collect::<String>())),
    });
}

/// The user and group ids of a system user, from /etc/passwd.
fn user_ids(user: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&user)).then(|| Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?)))?
    })
}

/// PostgreSQL in its own temp cluster. It refuses to run as root, so under root (CI) it runs
/// as Debian's `postgres` system user (`setpriv` changes the user and then executes the
/// program itself, so the process the test holds is the postmaster).
pub struct Postgres {
    pub port: u16,
    server: Option<Proc>,
    bin: PathBuf,
    data: PathBuf,
    user: Option<String>,
    // Last: removed after the server is gone.
    _dir: tempfile::TempDir,
}

impl Postgres {
    pub fn start(p: &Programs, logs: &Path) -> Postgres {
        let root = std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false);
        let user = root.then(|| "postgres".to_string());
        // A folder of its own under /tmp (not below the test's 0700 temp folder, which the
        // postgres user could not enter).
        let dir = tempfile::Builder::new().prefix("monstack-pg-").tempdir().unwrap();
        if let Some(u) = &user {
            let (uid, gid) = user_ids(u).unwrap_or_else(|| panic!("no {u} user: install postgresql (.ci/install)"));
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let data = dir.path().join("data");
        let mut pg = Postgres { port: free_port(), server: None, bin: p.postgres_bin.clone(), data, user, _dir: dir };
        let mut initdb = pg.command("initdb");
        initdb.arg("-D").arg(&pg.data).args(["-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
        let (status, out) = Proc::spawn("initdb", &mut initdb, logs).finish(START);
        assert!(status.success(), "initdb failed:\n{out}");
        let mut postgres = pg.command("postgres");
        postgres
            .arg("-D")
            .arg(&pg.data)
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-p", &pg.port.to_string()])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", pg._dir.path().display()));
        pg.server = Some(Proc::spawn("postgres", &mut postgres, logs));
        wait_listening("PostgreSQL", pg.port);
        pg
    }

    /// A PostgreSQL program, run as the server's user.
    fn command(&self, program: &str) -> Command {
        let bin = self.bin.join(program);
        match &self.user {
            Some(u) => {
                let mut c = Command::new("setpriv");
                c.args(["--reuid", u, "--regid", u, "--init-groups", "--"]).arg(bin);
                c
            }
            None => Command::new(bin),
        }
    }

    /// The data source name postgres_exporter connects with.
    pub fn dsn(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres?sslmode=disable", self.port)
    }

    /// Stops the server as an operator would (`pg_ctl stop -m fast`) and waits for it to exit.
    pub fn stop(&mut self, logs: &Path) {
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl.arg("stop").arg("-D").arg(&self.data).args(["-m", "fast", "-w", "-t", "60"]);
        let (status, out) = Proc::spawn("pg_ctl-stop", &mut pg_ctl, logs).finish(START);
        assert!(status.success(), "pg_ctl stop failed:\n{out}");
        if let Some(server) = self.server.take() {
            server.finish(START);
        }
    }
}

/// Redis with nothing persisted and a memory limit (so `redis_memory_max_bytes` is not 0).
pub struct Redis {
    pub port: u16,
    pub server: Proc,
}

impl Redis {
    pub fn start(p: &Programs, dir: &Path, logs: &Path) -> Redis {
        let port = free_port();
        std::fs::create_dir_all(dir).unwrap();
        let mut c = Command::new(&p.redis_server);
        c.args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--maxmemory", "64mb"])
            .arg("--dir")
            .arg(dir);
        let server = Proc::spawn("redis", &mut c, logs);
        wait_listening("Redis", port);
        Redis { port, server }
    }
}

/// RabbitMQ with its Prometheus and management plugins, its own Erlang port mapper (epmd, in
/// the foreground, so it is the test's process too) and every listener on 127.0.0.1: AMQP,
/// the Erlang distribution, Prometheus (`prometheus.tcp.*`) and the management API, which
/// declares the queue and publishes messages.
pub struct RabbitMq {
    pub prometheus_port: u16,
    pub management_port: u16,
    /// A second Erlang node connected to RabbitMQ, as a cluster peer would be: the plugin
    /// reports `erlang_vm_dist_node_state` only for connected peers.
    peer: Option<Proc>,
    pub server: Proc,
    epmd: Proc,
    env: Vec<(String, String)>,
    erl: PathBuf,
}

impl RabbitMq {
    /// Starts the node; [`RabbitMq::wait_ready`] waits for it.
    pub fn start(p: &Programs, dir: &Path, logs: &Path) -> RabbitMq {
        std::fs::create_dir_all(dir).unwrap();
        let [amqp, dist, prometheus_port, management_port, epmd_port] = [(); 5].map(|()| free_port());
        let config = dir.join("rabbitmq.conf");
        std::fs::write(
            &config,
            format!(
                "listeners.tcp.1 = 127.0.0.1:{amqp}\n\
                 prometheus.tcp.ip = 127.0.0.1\nprometheus.tcp.port = {prometheus_port}\n\
                 management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {management_port}\n"
            ),
        )
        .unwrap();
        let plugins = dir.join("enabled_plugins");
        std::fs::write(&plugins, "[rabbitmq_prometheus,rabbitmq_management].\n").unwrap();
        let env_file = dir.join("rabbitmq-env.conf");
        std::fs::write(&env_file, "").unwrap();
        let path = |p: &Path| p.display().to_string();
        // rabbitmq-env and rabbit_env.erl read these; HOME holds the Erlang cookie the peer
        // shares.
        let env: Vec<(String, String)> = [
            ("HOME", path(dir)),
            ("ERL_EPMD_PORT", epmd_port.to_string()),
            ("ERL_EPMD_ADDRESS", "127.0.0.1".into()),
            ("RABBITMQ_NODENAME", "rabbit@localhost".into()),
            ("RABBITMQ_DIST_PORT", dist.to_string()),
            ("RABBITMQ_CONFIG_FILE", path(&config)),
            ("RABBITMQ_CONF_ENV_FILE", path(&env_file)),
            ("RABBITMQ_ENABLED_PLUGINS_FILE", path(&plugins)),
            ("RABBITMQ_MNESIA_BASE", path(&dir.join("mnesia"))),
            ("RABBITMQ_LOG_BASE", path(&dir.join("log"))),
            ("RABBITMQ_LOGS", "-".into()),
            // The script then `exec`s the VM instead of waiting on it in the background, so
            // the process the test holds (and kills) is RabbitMQ itself.
            ("RABBITMQ_ALLOW_INPUT", "1".into()),
            ("RABBITMQ_SERVER_START_ARGS", "-noinput".into()),
            ("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let epmd = Proc::spawn(
            "epmd",
            Command::new(&p.epmd).args(["-port", &epmd_port.to_string(), "-address", "127.0.0.1"]),
            logs,
        );
        wait_listening("epmd", epmd_port);
        let mut c = Command::new(&p.rabbitmq_server);
        c.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).envs(env.iter().cloned());
        let server = Proc::spawn("rabbitmq", &mut c, logs);
        RabbitMq { prometheus_port, management_port, peer: None, server, epmd, env, erl: p.erl.clone() }
    }

    pub fn wait_ready(&self, client: &Client) {
        wait_http(client, &format!("http://127.0.0.1:{}/metrics", self.prometheus_port));
        wait_http(&management(client), &format!("{}/overview", self.api()));
    }

    fn api(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.management_port)
    }

    /// Connects a second Erlang node over distribution, on loopback, and waits until the plugin
    /// reports the link up.
    pub fn connect_peer(&mut self, client: &Client, logs: &Path) {
        let mut c = Command::new(&self.erl);
        c.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).envs(self.env.iter().cloned());
        c.args(["-noinput", "-sname", "peer@localhost", "-kernel", "inet_dist_use_interface", "{127,0,0,1}"])
            .args(["-eval", "pong = net_adm:ping(rabbit@localhost), receive after infinity -> ok end"]);
        self.peer = Some(Proc::spawn("erlang-peer", &mut c, logs));
        let url = format!("http://127.0.0.1:{}/metrics", self.prometheus_port);
        wait_until("the peer's distribution link up", START, || {
            let (_, body) = client.get(&url, &[])?;
            let up = body.lines().any(|l| l.starts_with("erlang_vm_dist_node_state{peer=\"peer@localhost\"} 3"));
            if up { Ok(()) } else { Err("no erlang_vm_dist_node_state for peer@localhost".into()) }
        });
    }

    /// Declares a classic queue in vhost `/`.
    pub fn declare_queue(&self, client: &Client, queue: &str) {
        let url = format!("{}/queues/%2F/{queue}", self.api());
        match management(client).put(&url, &json!({"durable": false, "auto_delete": false})) {
            Ok((201 | 204, _)) => {}
            other => panic!("PUT {url}: {other:?}"),
        }
    }

    /// Publishes `n` messages to `queue` through the default exchange.
    pub fn publish(&self, client: &Client, queue: &str, n: usize) {
        let url = format!("{}/exchanges/%2F/amq.default/publish", self.api());
        let body = json!({"properties": {}, "routing_key": queue, "payload": "render", "payload_encoding": "string"});
        for _ in 0..n {
            match management(client).post(&url, Some(&body)) {
                Ok((200, b)) if b.contains("\"routed\":true") => {}
                other => panic!("POST {url}: {other:?}"),
            }
        }
    }
}

/// The management API's client: RabbitMQ's default user, which may log in from loopback only.
fn management(client: &Client) -> Client {
    client.clone().basic_auth("guest", "guest")
}

/// An exporter process.
pub fn exporter(name: &str, command: &mut Command, logs: &Path, port: u16) -> Proc {
    let p = Proc::spawn(name, command, logs);
    wait_listening(name, port);
    p
}
