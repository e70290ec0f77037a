//! Progress on long work: an indicatif spinner or bar on stderr when stderr is a terminal,
//! nothing otherwise (logs and pipes get the report lines only, never a dot storm).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::output::Output;

/// A spinner with a changing message; hidden when it would not be seen.
pub(crate) struct Spinner {
    bar: ProgressBar,
}

impl Spinner {
    /// Starts a spinner with `message`, visible only on a terminal outside `--json`/`--quiet`.
    pub(crate) fn start(out: &Output, message: impl Into<String>) -> Self {
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
    pub(crate) fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    /// Runs `print` with the spinner hidden, so that report lines do not mix with it.
    pub(crate) fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.bar.suspend(print)
    }

    /// Removes the spinner from the terminal.
    pub(crate) fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// A progress bar for slot migrations: keys moved out of the total (slots when there are no
/// keys), keys/s and ETA. Hidden off a terminal, in `--json` and `--quiet`.
pub(crate) struct MigrationBar {
    bar: ProgressBar,
    by_keys: bool,
    total_slots: usize,
    /// `, throttled to ...` after the counts, under a throttle.
    limit: String,
}

impl MigrationBar {
    /// A bar that is not drawn until [`MigrationBar::start`].
    pub(crate) fn new(out: &Output) -> Self {
        let visible = !out.json && !out.quiet && std::io::stderr().is_terminal();
        let bar = if visible {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        MigrationBar {
            bar,
            by_keys: false,
            total_slots: 0,
            limit: String::new(),
        }
    }

    /// Shows the throttle's `limits` (e.g. `5000 keys/s`) next to the counts; the bar's
    /// keys/s is the current rate.
    pub(crate) fn throttled(&mut self, limits: String) {
        self.limit = format!(" (throttled to {limits})");
    }

    /// Sets the totals and starts drawing.
    pub(crate) fn start(&mut self, slots: usize, keys: u64) {
        self.by_keys = keys > 0;
        self.total_slots = slots;
        let template = if self.by_keys {
            "{bar:30} {msg}, {human_pos}/{human_len} keys, {per_sec}, ETA {eta}"
        } else {
            "{bar:30} {msg} ({elapsed})"
        };
        self.bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        self.bar
            .set_length(if self.by_keys { keys } else { slots as u64 });
        self.bar
            .set_message(format!("0/{slots} slots{}", self.limit));
        self.bar.enable_steady_tick(Duration::from_millis(200));
    }

    /// Updates the counts.
    pub(crate) fn update(&self, slots: usize, keys: u64) {
        self.bar
            .set_message(format!("{slots}/{} slots{}", self.total_slots, self.limit));
        self.bar
            .set_position(if self.by_keys { keys } else { slots as u64 });
    }

    /// Runs `print` with the bar hidden.
    pub(crate) fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        self.bar.suspend(print)
    }

    /// Shows `message` in place of the counts (e.g. while waiting for the nodes to agree).
    pub(crate) fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A bar counting keys towards a known total, with keys/s and ETA. Hidden off a terminal,
/// in `--json` and `--quiet`.
pub(crate) struct KeyBar {
    bar: ProgressBar,
}

impl KeyBar {
    /// Starts a bar for `total` keys, labelled `message`.
    pub(crate) fn start(out: &Output, total: u64, message: impl Into<String>) -> Self {
        let visible = !out.json && !out.quiet && std::io::stderr().is_terminal();
        let bar = if visible {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:30} {msg}: {human_pos}/{human_len} keys, {per_sec}, ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(message.into());
        bar.enable_steady_tick(Duration::from_millis(200));
        KeyBar { bar }
    }

    /// Sets the keys done (the total grows if it was an estimate).
    pub(crate) fn set(&self, done: u64) {
        if self.bar.length().is_some_and(|len| done > len) {
            self.bar.set_length(done);
        }
        self.bar.set_position(done);
    }

    /// Removes the bar from the terminal.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// One byte-count bar per transfer, stacked (e.g. one per master during a backup). Hidden
/// off a terminal, in `--json` and `--quiet`.
pub(crate) struct TransferBars {
    multi: indicatif::MultiProgress,
}

impl TransferBars {
    /// A stack of bars, visible only when it would be seen.
    pub(crate) fn new(out: &Output) -> Self {
        let visible = !out.json && !out.quiet && std::io::stderr().is_terminal();
        let multi = indicatif::MultiProgress::with_draw_target(if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        TransferBars { multi }
    }

    /// Adds a bar labelled `label`; its length is set once known.
    pub(crate) fn add(&self, label: impl Into<String>) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new(0));
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:<22} {bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(label.into());
        bar
    }

    /// Removes every bar from the terminal.
    pub(crate) fn clear(&self) {
        let _ = self.multi.clear();
    }
}
