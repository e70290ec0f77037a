//! `rcluster load`: where the load is. Reads keys, memory, CPU and network per slot from every
//! master at once ([`crate::probe::load`]), then prints each master's total and share of each
//! metric, the imbalance, and the hottest slots with sample keys ([`crate::report::load`]).

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::address::NodeAddr;
use crate::cli::{LoadArgs, LoadMetric, LoadReadingOpts};
use crate::cluster::load::{LoadReading, Metric};
use crate::cluster::plan::moves::PlanNode;
use crate::cluster::snapshot::Snapshot;
use crate::error::Outcome;
use crate::exec::interrupt;
use crate::net::conn::ConnectOptions;
use crate::output::{Output, Style};
use crate::probe::load::{LoadFailure, LoadRequest, read_load};
use crate::report::heatmap::{HeatMapOptions, heat_map};
use crate::report::load::{LoadJson, LoadReport, hot_slots_table, masters_table, summary};
use crate::report::svg::heat_map_svg;
use crate::settings;

/// Reads the load and prints it.
pub(crate) fn run(opts: &ConnectOptions, out: Output, args: &LoadArgs) -> anyhow::Result<Outcome> {
    let (entry, request) = request(args)?;
    let snapshot = Snapshot::load(opts, &entry)?;
    let Some(reading) = read(opts, &snapshot, &request)? else {
        return Ok(Outcome::Interrupted);
    };
    render(&out, &entry, &snapshot, request.by, &reading);
    if let Some(path) = &args.svg {
        write_svg(path, &snapshot, request.by, &reading)?;
        out.line(
            Style::Ok,
            format!("[OK] Heat map written to {}", path.display()),
        );
    }
    Ok(Outcome::Success)
}

/// Writes the heat map of `by` as an SVG document to `path`.
fn write_svg(
    path: &Path,
    snapshot: &Snapshot,
    by: Metric,
    reading: &LoadReading,
) -> anyhow::Result<()> {
    let nodes = PlanNode::from_snapshot(snapshot);
    let Some(values) = reading.metrics.get(&by) else {
        return Ok(());
    };
    let title = format!("{by} per slot, {}", snapshot.entry);
    std::fs::write(path, heat_map_svg(&nodes, values, &title))
        .with_context(|| format!("--svg {}: cannot write the file", path.display()))
}

/// Width of the terminal heat map: `COLUMNS` when set, else 100.
fn heat_map_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(100)
}

/// The entry node and what to read: `--by` first, every other metric the cluster can give.
fn request(args: &LoadArgs) -> anyhow::Result<(NodeAddr, LoadRequest)> {
    let entry = settings::node_addr(&args.target.node)?;
    let mut request = reading_request(metric(args.by), &args.reading);
    request.also = Metric::ALL.to_vec();
    request.top = args.top;
    Ok((entry, request))
}

/// A request to read `by` with the window and the slot-stats switch of `opts`, stopped by
/// Ctrl-C (`load` and `rebalance --by`).
pub(super) fn reading_request(by: Metric, opts: &LoadReadingOpts) -> LoadRequest {
    let mut request = LoadRequest::new(by);
    request.window = Duration::from_secs_f64(opts.window);
    request.enable_slot_stats = opts.enable_slot_stats;
    request.stop = interrupt::requested;
    request
}

/// The model's metric for `--by`.
fn metric(by: LoadMetric) -> Metric {
    match by {
        LoadMetric::Keys => Metric::Keys,
        LoadMetric::Memory => Metric::Memory,
        LoadMetric::Cpu => Metric::Cpu,
        LoadMetric::NetIn => Metric::NetIn,
        LoadMetric::NetOut => Metric::NetOut,
        LoadMetric::Net => Metric::Net,
    }
}

/// Reads the load; None when Ctrl-C stopped it (after the reader put back what it changed).
/// With `--enable-slot-stats`, Ctrl-C is caught so that the settings are restored first.
pub(super) fn read(
    opts: &ConnectOptions,
    snapshot: &Snapshot,
    request: &LoadRequest,
) -> anyhow::Result<Option<LoadReading>> {
    if request.enable_slot_stats {
        interrupt::set_notes(
            "Interrupted: turning cluster-slot-stats-enabled back off where rcluster turned it \
             on, then stopping (press Ctrl-C again to exit now)",
            "Interrupted again: exiting now; cluster-slot-stats-enabled may stay on where \
             rcluster turned it on (CONFIG SET cluster-slot-stats-enabled no there)"
                .into(),
        );
        interrupt::install();
    }
    match read_load(opts, snapshot, request) {
        Ok(reading) => Ok(Some(reading)),
        Err(err) if err.kind == LoadFailure::Interrupted => Ok(None),
        Err(err) => Err(err.into_command_error()),
    }
}

/// Prints the summary, the masters table, the heat map and the hot slots (or the JSON
/// document).
fn render(out: &Output, entry: &NodeAddr, snapshot: &Snapshot, by: Metric, reading: &LoadReading) {
    let nodes = PlanNode::from_snapshot(snapshot);
    let report = LoadReport {
        entry: entry.to_string(),
        by,
        nodes: &nodes,
        reading,
    };
    out.doc(&summary(&report));
    out.block(&masters_table(&report));
    if let Some(values) = reading.metrics.get(&by) {
        let map = heat_map(
            &nodes,
            values,
            HeatMapOptions {
                width: heat_map_width(),
                colour: out.color,
            },
        );
        out.line(Style::Info, format!(">>> Heat map of {by} per slot"));
        out.block(map.trim_end());
    }
    if let Some(table) = hot_slots_table(&report) {
        out.line(Style::Info, format!(">>> Hottest slots by {by}"));
        out.block(&table);
    }
    out.json(&LoadJson::new(&report));
}
