//! Asking the operator, as redis-cli asks: `--yes` (or `REDISCLI_CLUSTER_YES=1`) never asks;
//! a terminal gets a dialoguer prompt; any other stdin (a pipe, a here-document) is read one
//! line per question, so `echo yes | rcluster create ...` and answers piped all at once work.
//! A stdin that has ended (`</dev/null`, CI) is refused with a hint instead of being taken as
//! an answer.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};

/// The environment variables read as `--cluster-yes` (only the value `1` counts): redis-cli's,
/// and valkey-cli's own name.
const YES_ENVS: [&str; 2] = ["REDISCLI_CLUSTER_YES", "VALKEYCLI_CLUSTER_YES"];

/// Set with `--json`: questions asked on a pipe then go to stderr, keeping stdout one document.
static JSON_OUTPUT: AtomicBool = AtomicBool::new(false);

/// Says whether stdout carries a JSON document (questions then go to stderr).
pub(crate) fn set_json_output(json: bool) {
    JSON_OUTPUT.store(json, Ordering::Relaxed);
}

/// True when `--yes` was given or `REDISCLI_CLUSTER_YES=1` (or `VALKEYCLI_CLUSTER_YES=1`) is
/// set.
fn assume_yes(flag: bool) -> bool {
    flag || YES_ENVS
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| v == "1"))
}

/// Asks `question` (redis-cli's words: type 'yes' to accept) and returns whether the operator
/// accepted: an answer that begins with `yes`, as redis-cli takes it. With `yes`, accepts
/// without asking. When stdin has ended before an answer, fails with a hint.
pub(crate) fn confirm(question: &str, yes: bool) -> anyhow::Result<bool> {
    if assume_yes(yes) {
        return Ok(true);
    }
    let Some(answer) = answer(&format!("{question} (type 'yes' to accept)"))? else {
        bail!(
            "not changing anything without confirmation, and stdin ended before an answer: add \
             --yes (or --cluster-yes) to proceed, pipe the answer (`echo yes | rcluster ...`), \
             or use --dry-run to only see the plan"
        );
    };
    Ok(is_yes(&answer))
}

/// redis-cli's test of a confirmation: the answer begins with `yes`.
fn is_yes(answer: &str) -> bool {
    answer.trim_start().starts_with("yes")
}

/// Asks `question` and returns the trimmed answer. When stdin has ended before an answer,
/// fails with `missing`, which should name the option that answers it.
pub(crate) fn ask(question: &str, missing: &str) -> anyhow::Result<String> {
    match answer(question)? {
        Some(text) => Ok(text.trim().to_string()),
        None => bail!("{question} No answer: stdin ended. {missing}"),
    }
}

/// One answer: typed on a terminal, else one line of stdin (`None` once stdin has ended).
fn answer(question: &str) -> anyhow::Result<Option<String>> {
    if std::io::stdin().is_terminal() {
        let typed: String = dialoguer::Input::new()
            .with_prompt(question)
            .allow_empty(true)
            .interact_text()
            .context("cannot read the answer from the terminal")?;
        return Ok(Some(typed));
    }
    let mut line = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the answer from stdin")?;
    if read == 0 {
        return Ok(None);
    }
    let line = line.trim_end_matches(['\r', '\n']).to_string();
    // The question and the answer read, as a terminal would have shown them.
    let shown = format!("{question}: {line}");
    if JSON_OUTPUT.load(Ordering::Relaxed) {
        eprintln!("{shown}");
    } else {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{shown}");
        let _ = stdout.flush();
    }
    Ok(Some(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_beginning_with_yes_accept_as_in_redis_cli() {
        for yes in ["yes", "yes\r", "yesss", " yes"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["", "no", "y", "Yes", "YES", "ye"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }
}
