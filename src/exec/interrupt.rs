//! Ctrl-C during a migration or an import: the first one asks the engine to stop taking new
//! slots (or batches) and to finish the ones in flight (so no slot is left half-moved); a
//! second one exits at once with code 130, leaving open slots that `rcluster fix` closes.

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::exit_code;

static PRESSES: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();

/// Installs the Ctrl-C handler (once per process). Before this, Ctrl-C ends the process
/// as usual, which is right while nothing has been changed yet.
pub fn install() {
    INSTALL.call_once(|| {
        let installed = ctrlc::set_handler(|| {
            // Never panic here (stderr may be closed): this thread must survive for the
            // second Ctrl-C.
            let mut stderr = std::io::stderr();
            if PRESSES.fetch_add(1, Ordering::SeqCst) == 0 {
                let _ = writeln!(
                    stderr,
                    "\nInterrupted: finishing what is in flight (slots being moved, key batches \
                     being imported), then stopping (press Ctrl-C again to exit now; `rcluster \
                     fix` closes any slot left open)"
                );
            } else {
                let _ = writeln!(
                    stderr,
                    "\nInterrupted again: exiting now; run `rcluster fix` to close open slots"
                );
                std::process::exit(exit_code::INTERRUPTED);
            }
        });
        if let Err(err) = installed {
            eprintln!("warning: cannot catch Ctrl-C ({err}); it will stop rcluster at once");
        }
    });
}

/// True once Ctrl-C was pressed.
pub fn requested() -> bool {
    PRESSES.load(Ordering::SeqCst) > 0
}
