//! `rcluster info`: keys, slots and replicas per master.

use crate::cli::NodeArg;
use crate::cluster::snapshot::Snapshot;
use crate::error::Outcome;
use crate::net::conn::ConnectOptions;
use crate::output::{Output, Style};
use crate::report::{json::InfoJson, text};
use crate::settings;

/// Loads the cluster and prints the per-master summary.
pub(crate) fn run(opts: &ConnectOptions, out: Output, args: &NodeArg) -> anyhow::Result<Outcome> {
    let entry = settings::node_addr(&args.node)?;
    let snapshot = Snapshot::load(opts, &entry)?;
    out.doc(&text::info_summary(&snapshot));
    for node in snapshot.nodes.iter() {
        if let Err(err) = &node.probe {
            let role = if node.is_master() {
                "master"
            } else {
                "replica"
            };
            out.line(
                Style::Warn,
                format!(
                    "[WARNING] Node {} ({role}) did not answer, so it is not counted: {}",
                    node.addr_text(),
                    err.message
                ),
            );
        }
    }
    out.json(&InfoJson::new(&snapshot));
    Ok(Outcome::Success)
}
