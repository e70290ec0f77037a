//! `rcluster local up/status/down`: a throwaway cluster of local redis-server (or
//! valkey-server) processes, created through the same code path as `create`. With a password
//! (`-a`, `--askpass`, `REDISCLI_AUTH`), `up` protects the nodes with it and `status` needs it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::bail;
use serde::Serialize;

use super::create::{CreateRequest, Created, create, wait_timeout};
use crate::address::NodeAddr;
use crate::cli::{LocalCommand, LocalDirArgs, LocalUpArgs};
use crate::cluster::snapshot::Snapshot;
use crate::error::{Outcome, UsageError};
use crate::local::{self, HOST, LocalState};
use crate::net::conn::ConnectOptions;
use crate::output::{Output, Style};
use crate::report::json::NodesJson;
use crate::report::table;
use crate::server_binary::{self, ServerBinary};

/// Runs a `local` subcommand.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    cmd: &LocalCommand,
) -> anyhow::Result<Outcome> {
    match cmd {
        LocalCommand::Up(args) => up(opts, out, args),
        LocalCommand::Status(args) => status(opts, out, args),
        LocalCommand::Down(args) => down(opts, out, args),
    }
}

fn dir_of(args: &LocalDirArgs) -> PathBuf {
    args.dir
        .clone()
        .unwrap_or_else(|| local::default_dir(args.port))
}

/// What `local up` was asked to do, once the options are checked.
struct UpSettings<'a> {
    /// The cluster's directory.
    dir: PathBuf,
    /// The server binary to run.
    server: ServerBinary,
    /// The nodes' password (`-a`, `--askpass`, `REDISCLI_AUTH`).
    password: Option<&'a str>,
    /// How long create waits for the nodes to agree.
    wait: Duration,
}

impl<'a> UpSettings<'a> {
    /// Checks the options (usage errors, nothing started) and finds the server binary.
    fn from_args(opts: &'a ConnectOptions, args: &LocalUpArgs) -> anyhow::Result<Self> {
        if args.masters < 3 {
            return Err(UsageError::new(format!(
                "--masters {}: Redis Cluster needs at least 3 masters",
                args.masters
            ))
            .into());
        }
        let wait = wait_timeout(args.wait_timeout);
        if let Some(user) = opts.auth.user.as_deref().filter(|&u| u != "default") {
            return Err(UsageError::new(format!(
                "--user {user}: local nodes are protected with requirepass, which is the \
                 password of the default user; leave --user out (or use --user default)"
            ))
            .into());
        }
        let password = opts.auth.password.as_deref();
        let dir = dir_of(&args.place);
        let server = server_binary::for_local(args.server.as_deref())?;
        Ok(UpSettings {
            dir,
            server,
            password,
            wait,
        })
    }
}

fn up(opts: &ConnectOptions, out: Output, args: &LocalUpArgs) -> anyhow::Result<Outcome> {
    let settings = UpSettings::from_args(opts, args)?;
    let dir = &settings.dir;
    clear_dir(dir, &args.place)?;
    let count = args.masters * (args.replicas + 1);
    let ports = local::claim_ports(args.place.port, count)?;
    let state = LocalState {
        ports: ports.clone(),
        replicas: args.replicas,
        auth: settings.password.is_some(),
    };
    let server = &settings.server;
    out.line(
        Style::Info,
        format!(
            ">>> Starting {count} {} {} processes ({}) on {HOST}:{} in {}{}",
            server.program(),
            server.version,
            server.path.display(),
            port_span(&ports),
            dir.display(),
            if state.auth {
                ", password required"
            } else {
                ""
            }
        ),
    );
    local::start_nodes(server, dir, &state, settings.password)?;
    let created = create_cluster(opts, out, &settings, &state, args.replicas)?;
    if let Some(snapshot) = &created.snapshot {
        out.block(&table::nodes_table(snapshot));
    }
    // Never the password itself: --askpass asks for it.
    let ask = if state.auth { " --askpass" } else { "" };
    out.line(
        Style::Ok,
        format!(
            "Connect: {} -c -p {first}{ask}    Check: rcluster check {HOST}:{first}{ask}    Stop: rcluster local down{}",
            server.client(),
            place_flags(&args.place),
            first = ports[0]
        ),
    );
    Ok(created.outcome)
}

/// Makes way for a new cluster in `dir`: refuses while a cluster there still runs, removes
/// a stopped one, refuses a directory that holds anything else.
fn clear_dir(dir: &Path, place: &LocalDirArgs) -> anyhow::Result<()> {
    if let Some(state) = local::read_state(dir)? {
        let running = state
            .ports
            .iter()
            .any(|&p| local::pid_of(dir, p).is_some_and(local::pid_alive));
        if running {
            bail!(
                "a local cluster is already running in {} (ports {}): see it with \
                 `rcluster local status{}`, stop it with `rcluster local down{}`",
                dir.display(),
                port_span(&state.ports),
                place_flags(place),
                place_flags(place)
            );
        }
        local::remove_dir(dir)?;
    } else if dir.exists() && dir.read_dir().is_ok_and(|mut d| d.next().is_some()) {
        bail!(
            "{} exists and is not empty: pick another --dir or remove it",
            dir.display()
        );
    }
    Ok(())
}

/// Creates the cluster of the started nodes through `create`; when that fails, stops them
/// and removes their directory.
fn create_cluster(
    opts: &ConnectOptions,
    out: Output,
    settings: &UpSettings,
    state: &LocalState,
    replicas: usize,
) -> anyhow::Result<Created> {
    let request = CreateRequest {
        addrs: state
            .ports
            .iter()
            .map(|&p| NodeAddr::new(HOST, p))
            .collect(),
        replicas,
        yes: true,
        dry_run: false,
        wait_timeout: settings.wait,
    };
    create(&local_opts(opts, state.auth), out, &request).map_err(|err| {
        local::stop_nodes(&settings.dir, &state.ports, settings.password);
        let _ = local::remove_dir(&settings.dir);
        err.context("the local cluster could not be created; its nodes were stopped")
    })
}

/// Local nodes run without TLS, and without auth unless `auth` (they were started with a
/// password), whatever the global options say.
fn local_opts(opts: &ConnectOptions, auth: bool) -> ConnectOptions {
    ConnectOptions {
        auth: if auth {
            opts.auth.clone()
        } else {
            Default::default()
        },
        tls: None,
        ..opts.clone()
    }
}

fn status(opts: &ConnectOptions, out: Output, args: &LocalDirArgs) -> anyhow::Result<Outcome> {
    let dir = dir_of(args);
    let Some(state) = local::read_state(&dir)? else {
        bail!(
            "no local cluster in {}: start one with `rcluster local up{}`",
            dir.display(),
            place_flags(args)
        );
    };
    if state.auth && opts.auth.password.is_none() {
        return Err(UsageError::new(format!(
            "the local cluster in {} was started with a password: give it with -a PASSWORD, \
             --askpass or REDISCLI_AUTH",
            dir.display()
        ))
        .into());
    }
    let nodes: Vec<NodeStatus> = state
        .ports
        .iter()
        .map(|&port| {
            let pid = local::pid_of(&dir, port);
            NodeStatus {
                addr: format!("{HOST}:{port}"),
                pid,
                running: pid.is_some_and(local::pid_alive),
            }
        })
        .collect();
    let up: Vec<&NodeStatus> = nodes.iter().filter(|n| n.running).collect();
    out.line(
        Style::Info,
        format!(
            ">>> Local cluster in {}: {} of {} node(s) running",
            dir.display(),
            up.len(),
            nodes.len()
        ),
    );
    for n in nodes.iter().filter(|n| !n.running) {
        out.line(Style::Warn, format!("[WARNING] {} is not running", n.addr));
    }
    let snapshot = match up.first() {
        Some(n) => Some(Snapshot::load(
            &local_opts(opts, state.auth),
            &NodeAddr::parse(&n.addr)?,
        )?),
        None => None,
    };
    if let Some(snapshot) = &snapshot {
        out.block(&table::nodes_table(snapshot));
    }
    out.json(&StatusJson {
        dir: dir.display().to_string(),
        nodes: &nodes,
        cluster: snapshot.as_ref().map(NodesJson::new),
    });
    Ok(if up.len() == nodes.len() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

/// Stops the nodes: SHUTDOWN with the password when the cluster has one and it is given, else
/// (or when the node refuses it) SIGTERM to the pid `up` recorded, so no password is needed.
fn down(opts: &ConnectOptions, out: Output, args: &LocalDirArgs) -> anyhow::Result<Outcome> {
    let dir = dir_of(args);
    let Some(state) = local::read_state(&dir)? else {
        out.line(
            Style::Ok,
            format!("No local cluster in {}: nothing to stop.", dir.display()),
        );
        out.json(&DownJson {
            dir: dir.display().to_string(),
            stopped: Vec::new(),
        });
        return Ok(Outcome::Success);
    };
    let password = opts.auth.password.as_deref().filter(|_| state.auth);
    let stopped = local::stop_nodes(&dir, &state.ports, password);
    local::remove_dir(&dir)?;
    out.line(
        Style::Ok,
        format!(
            "[OK] Stopped {} node(s) and removed {}",
            stopped.len(),
            dir.display()
        ),
    );
    out.json(&DownJson {
        dir: dir.display().to_string(),
        stopped,
    });
    Ok(Outcome::Success)
}

fn port_span(ports: &[u16]) -> String {
    match (ports.first(), ports.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    }
}

/// The `--port`/`--dir` flags to repeat in a hint, when they are not the defaults.
fn place_flags(args: &LocalDirArgs) -> String {
    let mut flags = String::new();
    if args.port != 7000 {
        flags.push_str(&format!(" --port {}", args.port));
    }
    if let Some(dir) = &args.dir {
        flags.push_str(&format!(" --dir {}", dir.display()));
    }
    flags
}

#[derive(Serialize)]
struct NodeStatus {
    addr: String,
    pid: Option<u32>,
    running: bool,
}

#[derive(Serialize)]
struct StatusJson<'a> {
    dir: String,
    nodes: &'a [NodeStatus],
    cluster: Option<NodesJson>,
}

#[derive(Serialize)]
struct DownJson {
    dir: String,
    stopped: Vec<u16>,
}
