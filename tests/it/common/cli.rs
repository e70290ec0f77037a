//! Running the rcluster binary and redis-cli with a timeout guard, reading what they print,
//! and signalling processes.

use std::ffi::OsStr;
use std::fmt;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

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
    for name in [
        "REDISCLI_AUTH",
        "VALKEYCLI_AUTH",
        "REDISCLI_CLUSTER_YES",
        "VALKEYCLI_CLUSTER_YES",
    ] {
        cmd.env_remove(name);
    }
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

/// stdout and stderr together, for message checks that do not care about the stream.
pub fn all_text(out: &RunOutput) -> String {
    format!("{}\n{}", out.stdout, out.stderr)
}

/// Parses the single JSON document a `--json` run printed on stdout.
pub fn json(out: &RunOutput) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{out}"))
}

/// rcluster's auth options (`--user`, `-a`) for a cluster started with `opts`.
pub fn auth_args(opts: &NodeOpts) -> Vec<String> {
    let mut args = Vec::new();
    if let (Some((user, _)), None) = (&opts.acl_user, &opts.password) {
        args.extend(["--user".to_string(), user.clone()]);
    }
    if let Some(pass) = opts.cli_password() {
        args.extend(["-a".to_string(), pass.to_string()]);
    }
    args
}

/// `rcluster fix <entry> --yes`, run a second time when the first exits 1 (a repair may need
/// a second pass after a crash); the last run must exit 0. Returns every run.
pub fn fix_until_ok(entry: &str) -> Vec<RunOutput> {
    let first = run(["fix", entry, "--yes"]);
    // Shown with a failing test's output (the harness captures it otherwise).
    println!("=== fix --yes ===\n{first}");
    if first.success() {
        return vec![first];
    }
    assert_eq!(first.code, 1, "fix --yes: unexpected exit code:\n{first}");
    let second = run(["fix", entry, "--yes"]);
    println!("=== fix --yes, second run ===\n{second}");
    assert!(
        second.success(),
        "fix --yes exited 1, and a second fix --yes did not exit 0 either.\n\
         === first run ===\n{first}\n=== second run ===\n{second}"
    );
    vec![first, second]
}

/// Sends `signal` (e.g. "9", "STOP", "CONT") to `pid` with kill(1), ignoring failure: the
/// process may be gone.
pub fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
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

/// Exit code of a finished process; `128 + signal` when a signal killed it, -1 when neither
/// is known.
pub fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

/// An rcluster process running in the background, its stdout and stderr collected;
/// SIGKILLed and reaped on drop if still running (a failing test leaves no rcluster behind).
pub struct Spawned {
    child: std::process::Child,
    stdout: Option<thread::JoinHandle<String>>,
    stderr: Option<thread::JoinHandle<String>>,
}

impl Spawned {
    /// Starts rcluster with `argv`, collecting its output.
    pub fn start(argv: &[String]) -> Spawned {
        let mut cmd = rcluster();
        cmd.args(argv).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn rcluster");
        let pipe = |p: Option<Box<dyn Read + Send>>| {
            thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut p) = p {
                    let _ = p.read_to_end(&mut buf);
                }
                String::from_utf8_lossy(&buf).into_owned()
            })
        };
        let stdout = pipe(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = pipe(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        Spawned {
            child,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the process has not exited.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits up to `timeout`; kills the child and panics if it is still running then.
    pub fn wait(mut self, timeout: Duration) -> RunOutput {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break Some(status);
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            thread::sleep(Duration::from_millis(10));
        };
        let collect = |h: Option<thread::JoinHandle<String>>| {
            h.map(|h| h.join().unwrap_or_default()).unwrap_or_default()
        };
        let out = RunOutput {
            code: status.map_or(-1, exit_code),
            stdout: collect(self.stdout.take()),
            stderr: collect(self.stderr.take()),
        };
        assert!(
            status.is_some(),
            "rcluster did not exit within {timeout:?}:\n{out}"
        );
        out
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
