//! A temporary standalone redis-server that reads one RDB file, for `restore`: a child
//! process on a free loopback port, never saving anything, killed and reaped when dropped.
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

/// How long loading an RDB may take.
const LOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// A running scratch server.
pub struct ScratchServer {
    child: Child,
    /// Where it listens.
    pub addr: NodeAddr,
}

impl ScratchServer {
    /// Starts `redis_server` on a free port with `rdb` as its dataset and waits until it has
    /// loaded it (PING answers PONG instead of LOADING).
    pub fn start(redis_server: &Path, rdb: &Path) -> anyhow::Result<ScratchServer> {
        let dir = rdb.parent().context("the RDB file has no directory")?;
        let file = rdb.file_name().context("the RDB path has no file name")?;
        let port = free_port()?;
        let mut command = Command::new(redis_server);
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
            .with_context(|| format!("cannot run {}", redis_server.display()))?;
        interrupt::stop_child_on_forced_exit(Some(child.id()));
        let mut server = ScratchServer {
            child,
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
                    "the scratch redis-server exited ({status}) before loading the file: is it an \
                     RDB this redis-server version can read?"
                );
            }
            let pong = opts
                .connect(&self.addr)
                .and_then(|mut c| c.query::<String>(&redis::cmd("PING")));
            if pong.is_ok() {
                return Ok(());
            }
            if started.elapsed() >= LOAD_TIMEOUT {
                bail!("the scratch redis-server did not finish loading within 10 minutes");
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
