//! `rcluster check`: redis-cli's cluster check, plus node-health warnings.

use crate::cli::CheckArgs;
use crate::cluster::check::check;
use crate::cluster::scan::stray_keys;
use crate::cluster::snapshot::Snapshot;
use crate::error::Outcome;
use crate::net::conn::ConnectOptions;
use crate::output::Output;
use crate::report::{json::CheckJson, text};
use crate::settings;

/// Loads the cluster, checks it and reports; `Problems` when the check fails.
pub fn run(opts: &ConnectOptions, out: Output, args: &CheckArgs) -> anyhow::Result<Outcome> {
    let entry = settings::node_addr(&args.target.node)?;
    let snapshot = Snapshot::load(opts, &entry)?;
    let stray = if args.search_multiple_owners {
        Some(stray_keys(opts, &snapshot)?)
    } else {
        None
    };
    let report = check(&snapshot, stray.as_ref());
    out.doc(&text::info_summary(&snapshot));
    out.doc(&text::check_report(&snapshot, &report));
    out.json(&CheckJson::new(&snapshot, &report));
    Ok(if report.healthy() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}
