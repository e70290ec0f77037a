//! A single server child process (the binary of [`server()`]) with its own temp dir; its log
//! is checked for a crash report when it is reaped.

use std::fs::{self, File};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use redis::{ConnectionAddr, IntoConnectionInfo, RedisConnectionInfo, RedisResult};
use tempfile::TempDir;

use super::nodes_conf::{self, NodeLine};
use super::ports;
use super::server::server;
use super::tls::{self, TlsFiles};

/// How many times a node is re-spawned on fresh ports when it dies at startup.
const START_ATTEMPTS: usize = 5;
/// How long a spawned node may take to answer PING.
const READY_TIMEOUT: Duration = Duration::from_secs(5);
/// Poll interval while waiting for PING.
const READY_POLL: Duration = Duration::from_millis(10);
/// Connect timeout of harness connections.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Read/write timeout of harness connections.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Lines of log included in panic messages.
const LOG_TAIL_LINES: usize = 40;
/// Log lines printed when a test fails: a master deleting the keys of a slot it lost, and
/// Valkey closing a slot's importing state by itself (it may then take the slot over).
const NOTABLE_LOG_LINES: [&str; 3] = [
    "Deleting keys",
    "Clear my importing source",
    "no longer being imported",
];
/// What a server's log says when it crashed: an assertion, a bug report with its stack trace,
/// a fatal signal (SIGSEGV...; a SIGKILL leaves no trace), a panic.
pub const CRASH_MARKERS: [&str; 5] = [
    "ASSERTION FAILED",
    "BUG REPORT",
    "------ STACK TRACE",
    "crashed by signal",
    "Guru Meditation",
];
/// At most this many lines of log are quoted from a crashed node's log.
const CRASH_QUOTE_LINES: usize = 24;
/// Lines quoted after `------ STACK TRACE ------` (the first frames).
const STACK_FRAMES: usize = 6;

/// True when `redis-cli` is on PATH (the independent oracle). `scripts/test` sets
/// `RCLUSTER_TEST_REQUIRE_REDIS_CLI=1`, and then a missing redis-cli fails the test instead
/// of skipping the comparison.
pub fn redis_cli_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    let found = *AVAILABLE.get_or_init(|| find_in_path("redis-cli").is_some());
    if !found && std::env::var_os("RCLUSTER_TEST_REQUIRE_REDIS_CLI").is_some() {
        panic!("redis-cli not found but required: apt-get install -y redis-tools");
    }
    found
}

/// Finds an executable file named `name` in `$PATH` (plus /usr/bin, /usr/local/bin).
pub(super) fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/local/bin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `--cluster-databases` of [`NodeOpts::numbered_dbs`] (Valkey >= 9.0).
pub const DATABASES: u32 = 16;

/// Value of `--tls-auth-clients`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsAuthClients {
    /// Client certificates are verified when presented.
    Optional,
    /// Client certificates are required.
    Yes,
}

impl TlsAuthClients {
    fn as_arg(self) -> &'static str {
        match self {
            TlsAuthClients::Optional => "optional",
            TlsAuthClients::Yes => "yes",
        }
    }
}

/// Options of a test redis-server (builder style).
#[derive(Clone, Debug)]
pub struct NodeOpts {
    /// Bind address (default `127.0.0.1`; `127.0.0.2`/`.3` work on Linux loopback).
    pub host: String,
    /// `--cluster-enabled` (default true).
    pub cluster: bool,
    /// `--cluster-node-timeout` in ms (default 2000).
    pub node_timeout_ms: u64,
    /// `requirepass` + `masterauth`.
    pub password: Option<String>,
    /// ACL user `(name, password)` with all permissions; also `masteruser` /
    /// `masterauth`. Unless `password` is set too, the default user is disabled.
    pub acl_user: Option<(String, String)>,
    /// TLS material; when set the node listens with TLS only (`--port 0`).
    pub tls: Option<Arc<TlsFiles>>,
    /// `--tls-auth-clients` (default `Yes`).
    pub tls_auth_clients: TlsAuthClients,
    /// Extra raw arguments appended to the command line.
    pub extra_args: Vec<String>,
    /// The server binary, when not [`server()`]'s (a cluster of mixed versions).
    pub binary: Option<PathBuf>,
}

impl Default for NodeOpts {
    fn default() -> Self {
        NodeOpts {
            host: "127.0.0.1".into(),
            cluster: true,
            node_timeout_ms: 2000,
            password: None,
            acl_user: None,
            tls: None,
            tls_auth_clients: TlsAuthClients::Yes,
            extra_args: Vec::new(),
            binary: None,
        }
    }
}

impl NodeOpts {
    /// Cluster-enabled node on 127.0.0.1, no auth, no TLS.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the bind address.
    pub fn host(mut self, host: &str) -> Self {
        self.host = host.into();
        self
    }

    /// Enables or disables cluster mode.
    pub fn cluster(mut self, enabled: bool) -> Self {
        self.cluster = enabled;
        self
    }

    /// Sets `cluster-node-timeout` (ms).
    pub fn node_timeout_ms(mut self, ms: u64) -> Self {
        self.node_timeout_ms = ms;
        self
    }

    /// Protects the default user with `password` (requirepass + masterauth).
    pub fn password(mut self, password: &str) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Adds an all-permissions ACL user (also used for replication).
    pub fn acl_user(mut self, user: &str, password: &str) -> Self {
        self.acl_user = Some((user.into(), password.into()));
        self
    }

    /// Enables TLS with freshly generated certificates.
    pub fn tls(self) -> Self {
        self.tls_files(Arc::new(TlsFiles::generate()))
    }

    /// Enables TLS with the given certificates.
    pub fn tls_files(mut self, files: Arc<TlsFiles>) -> Self {
        self.tls = Some(files);
        self
    }

    /// Sets `--tls-auth-clients`.
    pub fn tls_auth_clients(mut self, mode: TlsAuthClients) -> Self {
        self.tls_auth_clients = mode;
        self
    }

    /// `--cluster-databases` [`DATABASES`]: numbered databases in cluster mode (Valkey >= 9.0).
    pub fn numbered_dbs(self) -> Self {
        self.args(["--cluster-databases", &DATABASES.to_string()])
    }

    /// Runs `path` instead of [`redis_server_path`].
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// Appends raw arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.extra_args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Arguments to pass to redis-cli for auth and TLS (password goes through
    /// `REDISCLI_AUTH`, see [`NodeOpts::cli_password`]).
    pub fn redis_cli_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let (Some((user, _)), None) = (&self.acl_user, &self.password) {
            args.extend(["--user".to_string(), user.clone()]);
        }
        if let Some(tls) = &self.tls {
            args.extend(tls.cli_args());
        }
        args
    }

    /// Password a client must send (ACL user's when no default password).
    pub fn cli_password(&self) -> Option<&str> {
        self.password
            .as_deref()
            .or(self.acl_user.as_ref().map(|(_, p)| p.as_str()))
    }

    /// Full server argv (without the program) for `port` and `dir`.
    pub fn server_args(&self, port: u16, dir: &Path) -> Vec<String> {
        let dir_s = dir.to_str().expect("temp dir is UTF-8");
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let mut a: Vec<String> = Vec::new();
        let mut push = |items: &[&str]| a.extend(items.iter().map(|s| s.to_string()));
        match &self.tls {
            None => push(&["--port", &port.to_string()]),
            Some(_) => push(&["--port", "0", "--tls-port", &port.to_string()]),
        }
        push(&["--bind", &self.host]);
        if server().has_bind_source_addr() {
            push(&["--bind-source-addr", &self.host]);
        }
        push(&["--cluster-enabled", yes_no(self.cluster)]);
        push(&["--cluster-config-file", "nodes.conf"]);
        push(&["--cluster-node-timeout", &self.node_timeout_ms.to_string()]);
        push(&["--save", "", "--appendonly", "no", "--daemonize", "no"]);
        push(&["--dir", dir_s, "--logfile", &format!("{dir_s}/redis.log")]);
        push(&["--protected-mode", "no", "--repl-diskless-sync-delay", "0"]);
        if let Some(pass) = &self.password {
            push(&["--requirepass", pass, "--masterauth", pass]);
        }
        if let Some((user, pass)) = &self.acl_user {
            push(&[
                "--user",
                user,
                "on",
                &format!(">{pass}"),
                "~*",
                "&*",
                "+@all",
            ]);
            if self.password.is_none() {
                push(&["--user", "default", "off"]);
                push(&["--masteruser", user, "--masterauth", pass]);
            }
        }
        if let Some(tls) = &self.tls {
            push(&["--tls-cluster", "yes", "--tls-replication", "yes"]);
            push(&["--tls-cert-file", tls.server_cert.to_str().unwrap()]);
            push(&["--tls-key-file", tls.server_key.to_str().unwrap()]);
            push(&["--tls-ca-cert-file", tls.ca_cert.to_str().unwrap()]);
            push(&["--tls-auth-clients", self.tls_auth_clients.as_arg()]);
        }
        a.extend(self.extra_args.iter().cloned());
        a
    }
}

/// Opens a harness connection to `host:port`, honouring auth and TLS options.
pub fn connect(host: &str, port: u16, opts: &NodeOpts) -> RedisResult<redis::Connection> {
    let conn = client(host, port, opts, true)?.get_connection_with_timeout(CONNECT_TIMEOUT)?;
    conn.set_read_timeout(Some(IO_TIMEOUT))?;
    conn.set_write_timeout(Some(IO_TIMEOUT))?;
    Ok(conn)
}

/// Builds a `redis::Client` for `host:port`; with TLS, `with_client_cert`
/// chooses whether the client certificate is presented.
pub fn client(
    host: &str,
    port: u16,
    opts: &NodeOpts,
    with_client_cert: bool,
) -> RedisResult<redis::Client> {
    let mut settings = RedisConnectionInfo::default().set_skip_set_lib_name();
    if let (Some((user, _)), None) = (&opts.acl_user, &opts.password) {
        settings = settings.set_username(user);
    }
    if let Some(pass) = opts.cli_password() {
        settings = settings.set_password(pass);
    }
    let addr = match &opts.tls {
        None => ConnectionAddr::Tcp(host.into(), port),
        Some(_) => ConnectionAddr::TcpTls {
            host: host.into(),
            port,
            insecure: false,
            tls_params: None,
        },
    };
    let info = addr.into_connection_info()?.set_redis_settings(settings);
    match &opts.tls {
        None => redis::Client::open(info),
        Some(tls) => {
            tls::install_crypto_provider();
            redis::Client::build_with_tls(info, tls.redis_certificates(with_client_cert))
        }
    }
}

/// Why a start attempt failed.
enum StartError {
    /// The port was probably taken by someone else; try again on new ports.
    Retry(String),
    /// Something else is wrong; give up.
    Fatal(String),
}

/// A running redis-server child; SIGKILLed and reaped on drop.
#[derive(Debug)]
pub struct Node {
    host: String,
    port: u16,
    id: Option<String>,
    opts: NodeOpts,
    child: Option<Child>,
    dir: TempDir,
}

impl Node {
    /// Starts a node and waits until it answers PING; retries on fresh ports
    /// when the server dies at startup (port race). Panics with the log tail on
    /// failure.
    pub fn start(opts: &NodeOpts) -> Node {
        let mut errors = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match Self::try_start(opts) {
                Ok(node) => return node,
                Err(StartError::Fatal(msg)) => panic!("{} failed to start: {msg}", server()),
                Err(StartError::Retry(msg)) => errors.push(msg),
            }
        }
        panic!(
            "{} failed to start after {START_ATTEMPTS} attempts:\n{}",
            server(),
            errors.join("\n----\n")
        );
    }

    fn try_start(opts: &NodeOpts) -> Result<Node, StartError> {
        let port = ports::allocate(&opts.host);
        let dir = tempfile::Builder::new()
            .prefix("rcluster-node-")
            .tempdir()
            .map_err(|e| StartError::Fatal(format!("temp dir: {e}")))?;
        let child = spawn_server(opts, port, dir.path()).map_err(StartError::Fatal)?;
        let mut node = Node {
            host: opts.host.clone(),
            port,
            id: None,
            opts: opts.clone(),
            child: Some(child),
            dir,
        };
        node.wait_ready()?;
        if opts.cluster {
            node.id = Some(node.cmd_str(&["CLUSTER", "MYID"]));
        }
        Ok(node)
    }

    /// Polls until this very process answers PING (checks `process_id` so a
    /// foreign server that grabbed the port is not mistaken for ours).
    fn wait_ready(&mut self) -> Result<(), StartError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let pid = self.pid().expect("child just spawned");
        let mut last_err = String::new();
        while Instant::now() < deadline {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(StartError::Retry(format!(
                    "{} exited at startup ({status}); log tail:\n{}",
                    self.addr(),
                    self.log_tail(LOG_TAIL_LINES)
                )));
            }
            match self.ping_pid() {
                Ok(p) if p == pid => return Ok(()),
                Ok(p) => {
                    return Err(StartError::Retry(format!(
                        "{} is served by foreign pid {p}",
                        self.addr()
                    )));
                }
                Err(e) => last_err = e.to_string(),
            }
            thread::sleep(READY_POLL);
        }
        Err(StartError::Fatal(format!(
            "{} did not answer PING within {READY_TIMEOUT:?} (last error: {last_err}); log tail:\n{}",
            self.addr(),
            self.log_tail(LOG_TAIL_LINES)
        )))
    }

    /// PINGs the node and returns the `process_id` it reports.
    fn ping_pid(&self) -> RedisResult<u32> {
        let mut conn = self.try_conn()?;
        redis::cmd("PING").query::<String>(&mut conn)?;
        let info: String = redis::cmd("INFO").arg("server").query(&mut conn)?;
        Ok(info_value(&info, "process_id")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Bind address.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Client port (the TLS port when TLS is on).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Cluster bus port (`port + 10000`).
    pub fn bus_port(&self) -> u16 {
        self.port + ports::BUS_PORT_OFFSET
    }

    /// `"host:port"`.
    pub fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Node id (`CLUSTER MYID` at startup); panics for non-cluster nodes.
    pub fn id(&self) -> &str {
        self.id.as_deref().expect("node is not cluster-enabled")
    }

    /// Options the node was started with.
    pub fn opts(&self) -> &NodeOpts {
        &self.opts
    }

    /// Pid of the child, or None once killed.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// True until [`Node::kill`] (or the process died and was reaped here).
    pub fn is_running(&mut self) -> bool {
        match self.child.as_mut().map(|c| c.try_wait()) {
            Some(Ok(None)) => true,
            Some(_) => {
                self.child = None;
                false
            }
            None => false,
        }
    }

    /// True while the child has not been killed by the harness.
    pub fn is_alive(&self) -> bool {
        self.child.is_some()
    }

    /// Working directory (holds nodes.conf and redis.log).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// SIGKILLs and reaps the process (idempotent).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A `redis::Client` for this node (auth/TLS aware, client cert presented).
    pub fn client(&self) -> redis::Client {
        client(&self.host, self.port, &self.opts, true)
            .unwrap_or_else(|e| panic!("client for {}: {e}", self.addr()))
    }

    /// Opens a new connection (auth/TLS aware).
    pub fn try_conn(&self) -> RedisResult<redis::Connection> {
        connect(&self.host, self.port, &self.opts)
    }

    /// Opens a new connection; panics on failure.
    pub fn conn(&self) -> redis::Connection {
        self.try_conn()
            .unwrap_or_else(|e| panic!("connect to {}: {e}", self.addr()))
    }

    /// Runs one command on a fresh connection.
    pub fn try_cmd<S: AsRef<str>>(&self, args: &[S]) -> RedisResult<redis::Value> {
        build_cmd(args).query(&mut self.try_conn()?)
    }

    /// Runs one command; panics on error.
    pub fn cmd<S: AsRef<str>>(&self, args: &[S]) -> redis::Value {
        self.try_cmd(args)
            .unwrap_or_else(|e| panic!("{} on {}: {e}", show(args), self.addr()))
    }

    /// Runs one command and converts the reply to a String; panics on error.
    pub fn cmd_str<S: AsRef<str>>(&self, args: &[S]) -> String {
        self.try_conn()
            .and_then(|mut c| build_cmd(args).query::<String>(&mut c))
            .unwrap_or_else(|e| panic!("{} on {}: {e}", show(args), self.addr()))
    }

    /// `CLUSTER INFO` field (e.g. `cluster_state`).
    pub fn cluster_info_field(&self, field: &str) -> Option<String> {
        info_value(&self.cmd_str(&["CLUSTER", "INFO"]), field)
    }

    /// `INFO <section>` field (e.g. `("replication", "role")`).
    pub fn info_field(&self, section: &str, field: &str) -> Option<String> {
        info_value(&self.cmd_str(&["INFO", section]), field)
    }

    /// Assigns `ranges` to this node: `CLUSTER ADDSLOTSRANGE`, or `CLUSTER ADDSLOTS` of every
    /// slot on servers without it (Redis < 7.0).
    pub fn add_slots(&self, ranges: &[RangeInclusive<u16>]) {
        let mut args = vec!["CLUSTER".to_string()];
        if server().has_addslotsrange() {
            args.push("ADDSLOTSRANGE".to_string());
            for r in ranges {
                args.extend([r.start().to_string(), r.end().to_string()]);
            }
        } else {
            args.push("ADDSLOTS".to_string());
            args.extend(ranges.iter().cloned().flatten().map(|s| s.to_string()));
        }
        self.cmd(&args);
    }

    /// Parsed `CLUSTER NODES` as seen by this node.
    pub fn cluster_nodes(&self) -> Vec<NodeLine> {
        nodes_conf::parse(&self.cmd_str(&["CLUSTER", "NODES"]))
    }

    /// Last `n` lines of redis.log and of the captured stdout/stderr.
    pub fn log_tail(&self, n: usize) -> String {
        let tail = |name: &str| {
            let text = fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        };
        format!(
            "--- redis.log ---\n{}\n--- stdout/stderr ---\n{}",
            tail("redis.log"),
            tail("stdio.log")
        )
    }
}

impl Drop for Node {
    /// Kills and reaps the process, then fails the test when its log holds a crash report
    /// (when the test is already failing, the report is printed instead).
    fn drop(&mut self) {
        self.kill();
        if thread::panicking() || std::env::var_os("RCLUSTER_TEST_NOTABLE").is_some() {
            self.print_notable_log_lines();
        }
        if let Some(report) = self.crash_report() {
            if thread::panicking() {
                eprintln!("{report}");
            } else {
                panic!("{report}");
            }
        }
    }
}

impl Node {
    /// Prints the log lines of a failing test's node that explain lost keys (a master that
    /// deleted the keys of a slot another master claimed).
    fn print_notable_log_lines(&self) {
        let text = fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default();
        for line in text
            .lines()
            .filter(|l| NOTABLE_LOG_LINES.iter().any(|m| l.contains(m)))
        {
            eprintln!("{} log: {line}", self.addr());
        }
    }

    /// The crash report of this node's logs, if any: the server, the address, and the log
    /// lines that say what happened (crash markers, the failed assertion `==> file:line`, the
    /// first frames of the stack trace).
    fn crash_report(&self) -> Option<String> {
        ["redis.log", "stdio.log"].iter().find_map(|name| {
            let text = fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let is_marker = |l: &str| CRASH_MARKERS.iter().any(|m| l.contains(m));
            lines.iter().find(|l| is_marker(l))?;
            let quoted: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(i, l)| {
                    is_marker(l)
                        || l.contains("==> ")
                        || lines[i.saturating_sub(STACK_FRAMES)..*i]
                            .iter()
                            .any(|p| p.starts_with("------ STACK TRACE ------"))
                })
                .map(|(_, l)| *l)
                .take(CRASH_QUOTE_LINES)
                .collect();
            Some(format!(
                "{} on {} crashed ({name} says):\n{}",
                server(),
                self.addr(),
                quoted.join("\n")
            ))
        })
    }
}

/// Spawns the server with stdout/stderr captured in `<dir>/stdio.log`.
fn spawn_server(opts: &NodeOpts, port: u16, dir: &Path) -> Result<Child, String> {
    let stdio = File::create(dir.join("stdio.log")).map_err(|e| format!("stdio.log: {e}"))?;
    let stderr = stdio.try_clone().map_err(|e| format!("stdio.log: {e}"))?;
    let binary = opts
        .binary
        .clone()
        .unwrap_or_else(|| server().path().to_path_buf());
    Command::new(&binary)
        .args(opts.server_args(port, dir))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(stdio)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", binary.display()))
}

fn build_cmd<S: AsRef<str>>(args: &[S]) -> redis::Cmd {
    let (name, rest) = args.split_first().expect("empty command");
    let mut cmd = redis::cmd(name.as_ref());
    for a in rest {
        cmd.arg(a.as_ref());
    }
    cmd
}

fn show<S: AsRef<str>>(args: &[S]) -> String {
    args.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" ")
}

/// Value of `field:` in INFO-style `key:value` text.
pub fn info_value(text: &str, field: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        (k == field).then(|| v.trim().to_string())
    })
}
