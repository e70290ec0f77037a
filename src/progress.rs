//! Progress on long work: an indicatif spinner or bar on stderr when stderr is a terminal,
//! nothing otherwise (logs and pipes get the report lines only, never a dot storm).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::output::Output;

/// A spinner with a changing message; hidden when it would not be seen.
pub struct Spinner {
    bar: ProgressBar,
}

impl Spinner {
    /// Starts a spinner with `message`, visible only on a terminal outside `--json`/`--quiet`.
    pub fn start(out: &Output, message: impl Into<String>) -> Self {
        let visible = !out.json && !out.quiet && std::io::stderr().is_terminal();
        let bar = if visible {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(80));
        Spinner { bar }
    }

    /// Replaces the message.
    pub fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    /// Runs `print` with the spinner hidden, so that report lines do not mix with it.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.bar.suspend(print)
    }

    /// Removes the spinner from the terminal.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
