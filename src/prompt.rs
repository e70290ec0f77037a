//! Asking the operator before a change: `--yes` never asks, a terminal gets a dialoguer
//! prompt, and anything else (a pipe, /dev/null, CI) is refused with a hint instead of being
//! read — redis-cli loops forever or takes EOF as an answer there.

use std::io::IsTerminal;

use anyhow::{Context, bail};

/// The environment variable redis-cli reads as `--cluster-yes` (only the value `1` counts).
pub const YES_ENV: &str = "REDISCLI_CLUSTER_YES";

/// True when `--yes` was given or `REDISCLI_CLUSTER_YES=1` is set.
pub fn assume_yes(flag: bool) -> bool {
    flag || std::env::var(YES_ENV).is_ok_and(|v| v == "1")
}

/// Asks `question` (redis-cli's words: type 'yes' to accept) and returns whether the operator
/// accepted. With `yes`, accepts without asking. Without a terminal on stdin, fails with a hint.
pub fn confirm(question: &str, yes: bool) -> anyhow::Result<bool> {
    if assume_yes(yes) {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "not changing anything without confirmation, and stdin is not a terminal to ask on: \
             add --yes (or --cluster-yes) to proceed, or --dry-run to only see the plan"
        );
    }
    let answer: String = dialoguer::Input::new()
        .with_prompt(format!("{question} (type 'yes' to accept)"))
        .allow_empty(true)
        .interact_text()
        .context("cannot read the answer from the terminal")?;
    Ok(answer.trim() == "yes")
}

/// True when questions can be asked (stdin is a terminal).
pub fn can_ask() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks `question` on the terminal and returns the trimmed answer.
pub fn ask(question: &str) -> anyhow::Result<String> {
    let answer: String = dialoguer::Input::new()
        .with_prompt(question)
        .allow_empty(true)
        .interact_text()
        .context("cannot read the answer from the terminal")?;
    Ok(answer.trim().to_string())
}
