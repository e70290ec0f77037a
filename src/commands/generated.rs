//! `rcluster completions` and `rcluster man`: print what [`crate::generate`] makes.

use std::io::Write;

use anyhow::Context;

use crate::cli::{CompletionsArgs, ManArgs};
use crate::error::Outcome;
use crate::generate::{completion, man_pages};

/// Runs `rcluster completions`.
pub(crate) fn completions(args: &CompletionsArgs) -> anyhow::Result<Outcome> {
    print(&completion(args.shell))
}

/// Writes `bytes` to stdout; a reader that went away (`| head`) is not an error.
fn print(bytes: &[u8]) -> anyhow::Result<Outcome> {
    match std::io::stdout().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(Outcome::Success),
    }
}

/// Runs `rcluster man`.
pub(crate) fn man(args: &ManArgs) -> anyhow::Result<Outcome> {
    let pages = man_pages()?;
    let Some(dir) = &args.out_dir else {
        return print(&pages[0].1);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in &pages {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!("wrote {} man pages into {}", pages.len(), dir.display());
    Ok(Outcome::Success)
}
