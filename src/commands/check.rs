//! `rcluster check`: redis-cli's cluster check, plus node-health warnings.

use std::time::{Duration, Instant};

use crate::cli::CheckArgs;
use crate::cluster::snapshot::Snapshot;
use crate::cluster::verdict::check::{CheckReport, check};
use crate::cluster::verdict::jobs::handing_over;
use crate::error::Outcome;
use crate::net::conn::ConnectOptions;
use crate::output::Output;
use crate::probe::scan::stray_keys;
use crate::report::{json::CheckJson, text};
use crate::settings;

/// How long nodes that disagree only while a slot migration hands its slots over are given
/// to agree (the new owner's announcement takes a gossip round to reach every node).
const HANDOVER_WAIT: Duration = Duration::from_secs(5);

/// Loads the cluster, checks it and reports; `Problems` when the check fails.
pub(crate) fn run(opts: &ConnectOptions, out: Output, args: &CheckArgs) -> anyhow::Result<Outcome> {
    let entry = settings::node_addr(&args.target.node)?;
    let started = Instant::now();
    let (snapshot, report) = loop {
        let snapshot = Snapshot::load(opts, &entry)?;
        let stray = if args.search_multiple_owners {
            Some(stray_keys(opts, &snapshot)?)
        } else {
            None
        };
        let report = check(&snapshot, stray.as_ref());
        if !only_handover_lag(&snapshot, &report) || started.elapsed() >= HANDOVER_WAIT {
            break (snapshot, report);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    out.doc(&text::info_summary(&snapshot));
    out.doc(&text::check_report(&snapshot, &report));
    out.json(&CheckJson::new(&snapshot, &report));
    Ok(if report.healthy() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

/// True when the one failing finding is nodes disagreeing about the slots while a slot
/// migration job hands its slots over or has just done so: the views converge by themselves.
fn only_handover_lag(snapshot: &Snapshot, report: &CheckReport) -> bool {
    !report.slots_agree && report.errors().len() == 1 && handing_over(snapshot)
}
