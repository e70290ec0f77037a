//! Ctrl-C during a migration or an import: the first one asks the engine to stop taking new
//! slots (or batches) and to finish the ones in flight (so no slot is left half-moved); a
//! second one exits at once with code 130, leaving open slots that `rcluster fix` closes. An
//! engine may say what these two mean for its own work ([`set_notes`]).

use std::io::Write;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

use crate::error::exit_code;

static PRESSES: AtomicUsize = AtomicUsize::new(0);
/// A child process to stop if a second Ctrl-C exits at once (0: none).
static CHILD: AtomicU32 = AtomicU32::new(0);
static INSTALL: Once = Once::new();
/// What the first and the second Ctrl-C say, when an engine set them.
static NOTES: Mutex<Option<(String, String)>> = Mutex::new(None);

const FIRST_NOTE: &str = "Interrupted: finishing what is in flight (slots being moved, key \
     batches being imported), then stopping (press Ctrl-C again to exit now; `rcluster fix` \
     closes any slot left open)";
const FORCED_NOTE: &str = "Interrupted again: exiting now; run `rcluster fix` to close open slots";

/// Replaces what the first Ctrl-C (`first`) and the second one (`forced`, printed as it exits)
/// say; the engine updates `forced` as its work changes.
pub(crate) fn set_notes(first: &str, forced: String) {
    *NOTES.lock().unwrap_or_else(|e| e.into_inner()) = Some((first.to_string(), forced));
}

/// The two notes in force.
fn notes() -> (String, String) {
    NOTES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_else(|| (FIRST_NOTE.to_string(), FORCED_NOTE.to_string()))
}

/// Makes one idle thread the only one that receives SIGINT. A socket read with a timeout
/// (every node connection has one) fails with EINTR when a signal handler runs on its thread,
/// SA_RESTART or not: a Ctrl-C must never land on a thread that talks to a node. Call it
/// first thing in `main`, before any other thread exists (threads inherit the blocked mask;
/// child processes get a clean one).
#[cfg(unix)]
pub fn route_ctrl_c_to_one_thread() {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    if set.thread_block().is_err() {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("ctrl-c".into())
        .spawn(move || {
            if set.thread_unblock().is_ok() {
                loop {
                    std::thread::park();
                }
            }
        });
    if spawned.is_err() {
        let _ = set.thread_unblock();
    }
}

/// Runs `spawn` with SIGINT unblocked on this thread: a child process inherits the signal mask
/// of the thread that starts it, and a redis-server rcluster starts must take Ctrl-C (and
/// SIGINT from its operator) as usual.
pub(crate) fn with_ctrl_c_unblocked<R>(spawn: impl FnOnce() -> R) -> R {
    #[cfg(unix)]
    {
        use nix::sys::signal::{SigSet, SigmaskHow, Signal};
        let mut set = SigSet::empty();
        set.add(Signal::SIGINT);
        let previous = set.thread_swap_mask(SigmaskHow::SIG_UNBLOCK);
        let result = spawn();
        if let Ok(previous) = previous {
            let _ = previous.thread_set_mask();
        }
        result
    }
    #[cfg(not(unix))]
    spawn()
}

/// Installs the Ctrl-C handler (once per process). Before this, Ctrl-C ends the process
/// as usual, which is right while nothing has been changed yet.
pub(crate) fn install() {
    INSTALL.call_once(|| {
        let installed = ctrlc::set_handler(|| {
            // Never panic here (stderr may be closed): this thread must survive for the
            // second Ctrl-C.
            let mut stderr = std::io::stderr();
            let (first, forced) = notes();
            if PRESSES.fetch_add(1, Ordering::SeqCst) == 0 {
                let _ = writeln!(stderr, "\n{first}");
            } else {
                let _ = writeln!(stderr, "\n{forced}");
                let child = CHILD.load(Ordering::SeqCst);
                if child != 0 {
                    let _ = std::process::Command::new("kill")
                        .arg(child.to_string())
                        .status();
                }
                std::process::exit(exit_code::INTERRUPTED);
            }
        });
        if let Err(err) = installed {
            eprintln!("warning: cannot catch Ctrl-C ({err}); it will stop rcluster at once");
        }
    });
}

/// Names the child process (a scratch redis-server) that a second Ctrl-C must stop before it
/// exits at once; `None` when there is none any more.
pub(crate) fn stop_child_on_forced_exit(pid: Option<u32>) {
    CHILD.store(pid.unwrap_or(0), Ordering::SeqCst);
}

/// True once Ctrl-C was pressed.
pub(crate) fn requested() -> bool {
    PRESSES.load(Ordering::SeqCst) > 0
}
