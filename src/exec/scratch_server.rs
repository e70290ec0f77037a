//! A temporary standalone server (redis-server or valkey-server) that reads one RDB file, for
//! `restore`: a child process on a free loopback port, never saving anything, killed and reaped when dropped.
//! It runs in its own process group, so that a Ctrl-C on the terminal reaches rcluster only
//! (which finishes the batches in flight); a second Ctrl-C stops it before exiting.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::interrupt;
use crate::address::NodeAddr;
use crate::net::conn::ConnectOptions;
use crate::server_binary::ServerBinary;

/// How long loading an RDB may take.
const LOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// A running scratch server.
pub(crate) struct ScratchServer {
    child: Child,
    /// `valkey-server 9.1.2 (/path)`, for its error messages.
    label: String,
    /// Where it listens.
    pub(crate) addr: NodeAddr,
}

impl ScratchServer {
    /// Starts `binary` on a free port with `rdb` as its dataset and waits until it has loaded
    /// it (PING answers PONG instead of LOADING).
    pub(crate) fn start(binary: &ServerBinary, rdb: &Path) -> anyhow::Result<ScratchServer> {
        let dir = rdb.parent().context("the RDB file has no directory")?;
        let file = rdb.file_name().context("the RDB path has no file name")?;
        let port = free_port()?;
        let mut command = Command::new(&binary.path);
        command
            .arg("--port")
            .arg(port.to_string())
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--logfile", ""])
            .arg("--dir")
            .arg(dir)
            .arg("--dbfilename")
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        let child = interrupt::with_ctrl_c_unblocked(|| command.spawn())
            .with_context(|| format!("cannot run {binary}"))?;
        interrupt::stop_child_on_forced_exit(Some(child.id()));
        let mut server = ScratchServer {
            child,
            label: binary.to_string(),
            addr: NodeAddr::new("127.0.0.1", port),
        };
        server.wait_loaded()?;
        Ok(server)
    }

    fn wait_loaded(&mut self) -> anyhow::Result<()> {
        let opts = ConnectOptions {
            connect_timeout: Duration::from_millis(500),
            ..ConnectOptions::default()
        };
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the scratch {} exited ({status}) before loading the file: is it an RDB this \
                     server can read? Pass --server with the server (and at least the version) \
                     that wrote the backup",
                    self.label
                );
            }
            let pong = opts
                .connect(&self.addr)
                .and_then(|mut c| c.query::<String>(&redis::cmd("PING")));
            if pong.is_ok() {
                return Ok(());
            }
            if started.elapsed() >= LOAD_TIMEOUT {
                bail!(
                    "the scratch {} did not finish loading within 10 minutes",
                    self.label
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ScratchServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        interrupt::stop_child_on_forced_exit(None);
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("cannot find a free port")?;
    Ok(listener.local_addr()?.port())
}
