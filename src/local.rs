//! The processes behind `rcluster local`: start cluster-enabled redis-server (or valkey-server)
//! processes in a directory of their own, find them again by their pid files, and stop them.
//!
//! The directory holds one sub-directory per port and a state file naming the ports; nothing
//! outside a directory with that state file is ever removed. With a password, every node
//! gets `requirepass` and `masterauth` from a `password.conf` only its owner can read (never
//! on a command line, where `ps` would show it); the state file records only that there is one.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::exec::interrupt::with_ctrl_c_unblocked;
use crate::server_binary::ServerBinary;

/// Name of each node's password configuration file, inside its directory.
const PASSWORD_CONF: &str = "password.conf";
/// Name of the state file inside the cluster directory.
const STATE_FILE: &str = "rcluster-local.json";
/// Bind address of local nodes.
pub(crate) const HOST: &str = "127.0.0.1";
/// Distance between a client port and its cluster-bus port.
const BUS_OFFSET: u16 = 10_000;
/// How long a started node may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a node may take to exit after SHUTDOWN before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// What `local up` recorded about the cluster it started.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct LocalState {
    /// Client ports of the nodes, in creation order.
    pub(crate) ports: Vec<u16>,
    /// Replicas per master.
    pub(crate) replicas: usize,
    /// The nodes require a password (`requirepass`); the password itself is not stored.
    #[serde(default)]
    pub(crate) auth: bool,
}

/// The default directory for the cluster whose first port is `port`.
pub(crate) fn default_dir(port: u16) -> PathBuf {
    std::env::temp_dir().join(format!("rcluster-local-{port}"))
}

/// The ports of a cluster of `count` nodes starting at `first`; fails when a port or its bus
/// port is out of range or already taken.
pub(crate) fn claim_ports(first: u16, count: usize) -> anyhow::Result<Vec<u16>> {
    let last = u32::from(first) + count as u32 - 1;
    if first == 0 || last + u32::from(BUS_OFFSET) > 65_535 {
        bail!(
            "ports {first}-{last} do not fit: the bus ports (port+{BUS_OFFSET}) must stay below \
             65536; pick a --port between 1 and {}",
            65_535 - u32::from(BUS_OFFSET) - count as u32 + 1
        );
    }
    let ports: Vec<u16> = (0..count).map(|i| first + i as u16).collect();
    for &port in &ports {
        for p in [port, port + BUS_OFFSET] {
            if TcpListener::bind((HOST, p)).is_err() {
                bail!(
                    "port {p} on {HOST} is already in use (node port {port} needs it{}): \
                     pick another --port, or stop what uses it",
                    if p == port { "" } else { " as its bus port" }
                );
            }
        }
    }
    Ok(ports)
}

/// Reads the state file of `dir`; `None` when there is no local cluster there.
pub(crate) fn read_state(dir: &Path) -> anyhow::Result<Option<LocalState>> {
    let path = dir.join(STATE_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .with_context(|| format!("{}: not a state file written by rcluster", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Creates `dir` and its state file, then starts one daemonized node per port and waits until
/// each answers. With `password` (which `state.auth` must announce), the nodes require it from
/// clients and replicas use it with their masters. On failure, every node started so far is
/// stopped again.
pub(crate) fn start_nodes(
    server: &ServerBinary,
    dir: &Path,
    state: &LocalState,
    password: Option<&str>,
) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let text = serde_json::to_string_pretty(state)?;
    fs::write(dir.join(STATE_FILE), text)
        .with_context(|| format!("cannot write {}", dir.join(STATE_FILE).display()))?;
    let result = state
        .ports
        .iter()
        .try_for_each(|&port| spawn_node(server, dir, port, password))
        .and_then(|()| wait_all_up(dir, &state.ports, password));
    if result.is_err() {
        stop_nodes(dir, &state.ports, password);
    }
    result
}

fn node_dir(dir: &Path, port: u16) -> PathBuf {
    dir.join(port.to_string())
}

fn spawn_node(
    server: &ServerBinary,
    dir: &Path,
    port: u16,
    password: Option<&str>,
) -> anyhow::Result<()> {
    let home = node_dir(dir, port);
    fs::create_dir_all(&home).with_context(|| format!("cannot create {}", home.display()))?;
    let home_text = home.to_string_lossy().into_owned();
    let mut command = Command::new(&server.path);
    if let Some(password) = password {
        // The configuration file comes first, the options after it.
        command.arg(write_password_conf(&home, password)?);
    }
    command
        .args(["--port", &port.to_string(), "--bind", HOST])
        .args([
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
        ])
        .args(["--dir", &home_text, "--save", "", "--appendonly", "no"])
        .args([
            "--daemonize",
            "yes",
            "--pidfile",
            &format!("{home_text}/redis.pid"),
        ])
        .args(["--logfile", &format!("{home_text}/redis.log")])
        // A throwaway cluster: fail over in seconds, and let replicas sync at once.
        .args([
            "--cluster-node-timeout",
            "3000",
            "--repl-diskless-sync-delay",
            "0",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let status = with_ctrl_c_unblocked(|| command.output())
        .with_context(|| format!("cannot run {server}"))?;
    if !status.status.success() {
        bail!(
            "{} for port {port} did not start: {}",
            server.program(),
            String::from_utf8_lossy(&status.stderr).trim()
        );
    }
    Ok(())
}

/// Writes `requirepass` and `masterauth` into `home/password.conf`, readable by its owner
/// only, and returns its path.
fn write_password_conf(home: &Path, password: &str) -> anyhow::Result<PathBuf> {
    use std::io::Write;
    let path = home.join(PASSWORD_CONF);
    let quoted = conf_quote(password);
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&path)
        .and_then(|mut f| write!(f, "requirepass {quoted}\nmasterauth {quoted}\n"))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// `text` as a double-quoted value of a redis.conf line, every byte as a `\xHH` escape, so
/// that spaces, quotes and any other byte survive the server's parser.
fn conf_quote(text: &str) -> String {
    let hex: String = text.bytes().map(|b| format!("\\x{b:02x}")).collect();
    format!("\"{hex}\"")
}

fn wait_all_up(dir: &Path, ports: &[u16], password: Option<&str>) -> anyhow::Result<()> {
    let deadline = Instant::now() + START_TIMEOUT;
    for &port in ports {
        while !answers_ping(port, password) {
            if Instant::now() >= deadline {
                bail!(
                    "the node on port {port} did not start within {} s; its log:\n{}",
                    START_TIMEOUT.as_secs(),
                    log_tail(dir, port)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    Ok(())
}

fn answers_ping(port: u16, password: Option<&str>) -> bool {
    connect_local(port, Duration::from_millis(200))
        .is_some_and(|mut c| authenticate(&mut c, password) && ping(&mut c))
}

fn ping(conn: &mut redis::Connection) -> bool {
    redis::cmd("PING").query::<String>(conn).is_ok()
}

/// Sends AUTH when there is a password; false when the node refuses it.
fn authenticate(conn: &mut redis::Connection, password: Option<&str>) -> bool {
    password.is_none_or(|p| redis::cmd("AUTH").arg(p).query::<()>(conn).is_ok())
}

/// A plain connection to the local node on `port` (local nodes have no TLS; AUTH is sent
/// separately, so that a node that wants none can still be reached).
fn connect_local(port: u16, timeout: Duration) -> Option<redis::Connection> {
    redis::Client::open(format!("redis://{HOST}:{port}/"))
        .ok()?
        .get_connection_with_timeout(timeout)
        .ok()
}

fn log_tail(dir: &Path, port: u16) -> String {
    let text = fs::read_to_string(node_dir(dir, port).join("redis.log")).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
}

/// The pid recorded for the node on `port`, when its pid file exists.
pub(crate) fn pid_of(dir: &Path, port: u16) -> Option<u32> {
    fs::read_to_string(node_dir(dir, port).join("redis.pid"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// True when process `pid` exists (Linux: /proc; elsewhere: `kill -0`).
pub(crate) fn pid_alive(pid: u32) -> bool {
    if Path::new("/proc/self").exists() {
        return Path::new(&format!("/proc/{pid}")).exists();
    }
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Stops every node: SHUTDOWN NOSAVE (after AUTH with `password`, when given); a node that
/// refuses it (it wants a password that was not given, or another one) gets SIGTERM, which the
/// server takes as a shutdown; then SIGKILL for any node still alive after a few seconds
/// (signals through `kill(1)`, which spares us a libc binding). Returns the ports of nodes
/// that were running.
pub(crate) fn stop_nodes(dir: &Path, ports: &[u16], password: Option<&str>) -> Vec<u16> {
    let pids: Vec<(u16, Option<u32>)> = ports.iter().map(|&p| (p, pid_of(dir, p))).collect();
    let mut stopped = Vec::new();
    for &(port, pid) in &pids {
        let running = pid.is_some_and(pid_alive);
        if running || connect_local(port, Duration::from_millis(200)).is_some() {
            stopped.push(port);
            if !shutdown(port, password)
                && let Some(pid) = pid
            {
                signal(pid, "-TERM");
            }
        }
    }
    let deadline = Instant::now() + STOP_TIMEOUT;
    for &(_, pid) in &pids {
        let Some(pid) = pid else { continue };
        while pid_alive(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if pid_alive(pid) {
            signal(pid, "-9");
        }
    }
    stopped
}

fn signal(pid: u32, which: &str) {
    let _ = Command::new("kill")
        .args([which, &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Sends SHUTDOWN NOSAVE; false when the node refused it (a node that shuts down closes the
/// connection instead of answering).
fn shutdown(port: u16, password: Option<&str>) -> bool {
    let Some(mut conn) = connect_local(port, Duration::from_millis(500)) else {
        return false;
    };
    if !authenticate(&mut conn, password) {
        return false;
    }
    match redis::cmd("SHUTDOWN").arg("NOSAVE").query::<()>(&mut conn) {
        Ok(()) => true,
        // An error reply (NOAUTH, ...) is a refusal; a dropped connection is the shutdown.
        Err(e) => e.code().is_none(),
    }
}

/// Removes the cluster directory, only if it holds rcluster's state file.
pub(crate) fn remove_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.join(STATE_FILE).is_file() {
        bail!(
            "{} has no {STATE_FILE}: not removing a directory rcluster did not create",
            dir.display()
        );
    }
    fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_that_overflow_the_bus_range_are_refused() {
        let err = claim_ports(60_000, 6).unwrap_err().to_string();
        assert!(err.contains("bus ports"), "{err}");
    }

    #[test]
    fn a_taken_port_is_named() {
        let held = TcpListener::bind((HOST, 0)).unwrap();
        let port = held.local_addr().unwrap().port();
        if u32::from(port) + u32::from(BUS_OFFSET) > 65_535 {
            return; // the kernel gave a port whose bus port cannot exist; nothing to test
        }
        let err = claim_ports(port, 1).unwrap_err().to_string();
        assert!(err.contains(&port.to_string()), "{err}");
    }

    #[test]
    fn state_round_trips_and_foreign_dirs_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_state(dir.path()).unwrap(), None);
        assert!(remove_dir(dir.path()).is_err());
        let state = LocalState {
            ports: vec![7000, 7001],
            replicas: 1,
            auth: true,
        };
        fs::write(
            dir.path().join(STATE_FILE),
            serde_json::to_string(&state).unwrap(),
        )
        .unwrap();
        assert_eq!(read_state(dir.path()).unwrap(), Some(state));
        // A state file from before passwords: no auth.
        fs::write(
            dir.path().join(STATE_FILE),
            r#"{"ports":[7000],"replicas":0}"#,
        )
        .unwrap();
        assert!(!read_state(dir.path()).unwrap().unwrap().auth);
    }

    #[test]
    fn passwords_are_quoted_byte_by_byte() {
        assert_eq!(conf_quote("a \"b"), r#""\x61\x20\x22\x62""#);
        assert_eq!(conf_quote(""), r#""""#);
    }
}
