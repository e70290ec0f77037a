//! `rcluster nodes`: a table of every node, grouped by shard.

use crate::cli::NodeArg;
use crate::cluster::snapshot::Snapshot;
use crate::cluster::verdict::jobs::running_jobs;
use crate::error::Outcome;
use crate::net::conn::ConnectOptions;
use crate::output::Output;
use crate::report::{json::NodesJson, table, text};
use crate::settings;

/// Loads the cluster and prints the nodes table, then the slot migrations running.
pub(crate) fn run(opts: &ConnectOptions, out: Output, args: &NodeArg) -> anyhow::Result<Outcome> {
    let entry = settings::node_addr(&args.node)?;
    let snapshot = Snapshot::load(opts, &entry)?;
    out.block(&table::nodes_table(&snapshot));
    out.doc(&text::slot_migration_lines(&running_jobs(&snapshot)));
    out.json(&NodesJson::new(&snapshot));
    Ok(Outcome::Success)
}
