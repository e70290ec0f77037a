//! `rcluster slots`: slot ranges and who serves them.

use crate::cli::NodeArg;
use crate::cluster::snapshot::Snapshot;
use crate::error::Outcome;
use crate::net::conn::ConnectOptions;
use crate::output::Output;
use crate::report::{json::SlotsJson, table};
use crate::settings;

/// Loads the cluster and prints the slot map.
pub(crate) fn run(opts: &ConnectOptions, out: Output, args: &NodeArg) -> anyhow::Result<Outcome> {
    let entry = settings::node_addr(&args.node)?;
    let snapshot = Snapshot::load(opts, &entry)?;
    let rows = table::slot_rows(&snapshot);
    out.block(&table::slots_table(&rows));
    out.json(&SlotsJson {
        entry: snapshot.entry.to_string(),
        ranges: &rows,
    });
    Ok(Outcome::Success)
}
