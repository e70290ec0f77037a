//! Running the rcluster binary and redis-cli with a timeout guard.

use std::ffi::OsStr;
use std::fmt;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::node::NodeOpts;

/// A command taking longer than this is killed and the test panics.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// Captured result of a finished command.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Exit code; `128 + signal` when killed by a signal.
    pub code: i32,
    /// Captured stdout (lossy UTF-8).
    pub stdout: String,
    /// Captured stderr (lossy UTF-8).
    pub stderr: String,
}

impl RunOutput {
    /// True when the exit code is 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }

    /// Panics (showing both streams) unless the exit code is 0.
    pub fn assert_success(&self) -> &Self {
        self.assert_code(0)
    }

    /// Panics (showing both streams) unless the exit code is `code`.
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code:\n{self}");
        self
    }
}

impl fmt::Display for RunOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit code {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// `Command` for the rcluster binary: REDISCLI_AUTH and RCLUSTER_* removed
/// from the environment, NO_COLOR=1, stdin null.
pub fn rcluster() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rcluster"));
    cmd.env_remove("REDISCLI_AUTH");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("RCLUSTER") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1").stdin(Stdio::null());
    cmd
}

/// Runs rcluster with `args` (60 s timeout).
pub fn run<I, S>(args: I) -> RunOutput
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = rcluster();
    cmd.args(args);
    run_command(cmd, None)
}

/// Runs rcluster with `args`, feeding `input` on stdin (60 s timeout).
pub fn run_with_stdin<I, S>(args: I, input: &str) -> RunOutput
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = rcluster();
    cmd.args(args);
    run_command(cmd, Some(input))
}

/// `Command` for redis-cli with auth (`--user`, `REDISCLI_AUTH`) and TLS
/// flags from `opts`.
pub fn redis_cli_command(opts: &NodeOpts) -> Command {
    let mut cmd = Command::new("redis-cli");
    cmd.env_remove("REDISCLI_AUTH").args(opts.redis_cli_args());
    if let Some(pass) = opts.cli_password() {
        cmd.env("REDISCLI_AUTH", pass);
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// Runs redis-cli with `opts`' auth/TLS flags followed by `args`.
pub fn redis_cli<I, S>(opts: &NodeOpts, args: I) -> RunOutput
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = redis_cli_command(opts);
    cmd.args(args);
    run_command(cmd, None)
}

/// Runs `cmd` capturing stdout/stderr; kills it and panics after
/// [`RUN_TIMEOUT`].
pub fn run_command(mut cmd: Command, input: Option<&str>) -> RunOutput {
    if input.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        let text = text.to_string();
        thread::spawn(move || {
            let _ = stdin.write_all(text.as_bytes());
        });
    }
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let status = wait_with_timeout(&mut child, RUN_TIMEOUT);
    let output = RunOutput {
        code: status.map_or(-1, exit_code),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    assert!(
        status.is_some(),
        "{cmd:?} timed out after {RUN_TIMEOUT:?}:\n{output}"
    );
    output
}

/// Reads a pipe to the end on a helper thread.
fn reader<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Waits for the child; on timeout kills and reaps it and returns None.
fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}
