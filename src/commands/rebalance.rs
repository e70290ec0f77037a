//! `rcluster rebalance`: give every master its share of the slots by weight, moving each
//! slot at most once (with `--by`, its share of a measured load: [`super::rebalance_load`]). Like redis-cli it does not ask; the plan is printed before anything
//! moves, and `--simulate`/`--dry-run` stop there.

use anyhow::bail;
use serde::Serialize;

use super::migration::{self, FinalCheck, Prepared, names};
use super::rebalance_load;
use crate::address::NodeAddr;
use crate::cli::{BalanceBy, RebalanceArgs};
use crate::cluster::load::Metric;
use crate::cluster::plan::engine::Engine;
use crate::cluster::plan::rebalance::{
    RebalancePlan, RebalanceRequest, parse_weight, plan_rebalance,
};
use crate::error::{Outcome, UsageError};
use crate::exec::migrate::{MigrateSettings, MigrationReport};
use crate::net::conn::ConnectOptions;
use crate::output::{Doc, Output, Style};
use crate::report::migration::{Named, PlanJson, plan_lines};
use crate::settings;

/// One master's share, for JSON.
#[derive(Serialize)]
struct ShareJson {
    addr: String,
    id: String,
    weight: f64,
    slots: usize,
    expected: usize,
}

/// The JSON document of `rebalance`.
#[derive(Serialize)]
struct RebalanceJson {
    dry_run: bool,
    needed: bool,
    threshold: f64,
    total_weight: f64,
    shares: Vec<ShareJson>,
    plan: PlanJson,
    warnings: Vec<String>,
    migration: Option<MigrationReport>,
    check: Option<FinalCheck>,
}

/// What `rebalance` was asked to do, once the options are checked.
pub(super) struct RebalanceSettings {
    /// Any node of the cluster.
    pub(super) entry: NodeAddr,
    /// How keys move.
    pub(super) migrate: MigrateSettings,
    /// The weights, `--use-empty-masters` and `--threshold`, for the planner.
    pub(super) request: RebalanceRequest,
    /// `--simulate` or `--dry-run`.
    pub(super) dry_run: bool,
    /// `--by`: the load to even out (None: slot counts).
    by: Option<Metric>,
}

impl RebalanceSettings {
    /// Checks the options (usage errors, nothing contacted).
    fn from_args(opts: &ConnectOptions, args: &RebalanceArgs) -> anyhow::Result<Self> {
        let entry = settings::node_addr(&args.target.node)?;
        let migrate = migration::settings(
            &args.migrate.keys,
            args.migrate.parallel,
            migration::engine_choice(&args.migrate.engine),
            opts,
        )?;
        let weights = args
            .weight
            .iter()
            .map(|w| {
                parse_weight(w).map_err(|e| {
                    UsageError::new(format!("--weight {w:?}: {e} (example: --weight 3f1a=2)"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !args.threshold.is_finite() || args.threshold < 0.0 {
            bail!(UsageError::new(format!(
                "--threshold {}: give a percentage of 0 or more (0 balances exactly)",
                args.threshold
            )));
        }
        Ok(RebalanceSettings {
            entry,
            migrate,
            request: RebalanceRequest {
                weights,
                use_empty_masters: args.use_empty_masters,
                threshold: args.threshold,
            },
            dry_run: args.simulate || args.migrate.dry_run,
            by: balanced_metric(args.by),
        })
    }
}

/// Runs `rcluster rebalance`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &RebalanceArgs,
) -> anyhow::Result<Outcome> {
    let settings = RebalanceSettings::from_args(opts, args)?;
    if let Some(metric) = settings.by {
        return rebalance_load::run(opts, &out, &settings, metric, &args.reading);
    }
    let prepared = load_and_plan(opts, &out, &settings)?;
    let planned = &prepared.planned;
    let node_names = names(&prepared.snapshot);
    let migration::Engines { engines, notes } = migration::engines(
        opts,
        &out,
        &prepared.snapshot,
        &planned.plan,
        &settings.migrate,
    )?;
    let mut doc = RebalanceJson::new(&settings, &prepared, &node_names, &engines, notes);
    migration::enforce(&out, &prepared.preflight, "rebalancing")?;
    if !planned.needed || planned.plan.is_empty() {
        out.line(
            Style::Ok,
            format!(
                "*** No rebalancing needed! All nodes are within the {:.2}% threshold.",
                settings.request.threshold
            ),
        );
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    out.doc(&plan_text(planned, &node_names, &engines));
    let Some((report, final_check, outcome)) = migration::carry_out(
        opts,
        &out,
        &prepared.snapshot,
        &planned.plan,
        &engines,
        &settings.migrate,
        settings.dry_run,
    )?
    else {
        out.json(&doc);
        return Ok(Outcome::Success);
    };
    doc.migration = Some(report);
    doc.check = Some(final_check);
    emptied_masters(&out, planned, &node_names);
    out.json(&doc);
    Ok(outcome)
}

/// The metric `--by` names; None for slot counts.
fn balanced_metric(by: BalanceBy) -> Option<Metric> {
    match by {
        BalanceBy::Slots => None,
        BalanceBy::Keys => Some(Metric::Keys),
        BalanceBy::Memory => Some(Metric::Memory),
        BalanceBy::Cpu => Some(Metric::Cpu),
        BalanceBy::Net => Some(Metric::Net),
        BalanceBy::NetIn => Some(Metric::NetIn),
        BalanceBy::NetOut => Some(Metric::NetOut),
    }
}

/// Loads the cluster and plans, every master taking part having to be healthy; prints the
/// planner's notes.
fn load_and_plan(
    opts: &ConnectOptions,
    out: &Output,
    settings: &RebalanceSettings,
) -> anyhow::Result<Prepared<RebalancePlan>> {
    let prepared = migration::load_and_plan(
        opts,
        out,
        &settings.entry,
        |nodes| Ok(plan_rebalance(nodes, &settings.request)?),
        // Every master taking part is weighed, so each must be healthy even if it keeps
        // its slots.
        |planned: &RebalancePlan| {
            (
                &planned.plan,
                planned.shares.iter().map(|s| s.node).collect(),
            )
        },
    )?;
    for note in &prepared.planned.notes {
        out.line(Style::Warn, format!("[WARNING] {note}"));
    }
    Ok(prepared)
}

impl RebalanceJson {
    /// The document before anything moves; `notes` say why pairs do not move atomically.
    fn new(
        settings: &RebalanceSettings,
        prepared: &Prepared<RebalancePlan>,
        node_names: &[Named],
        engines: &[Engine],
        notes: Vec<String>,
    ) -> Self {
        let planned = &prepared.planned;
        RebalanceJson {
            dry_run: settings.dry_run,
            needed: planned.needed,
            threshold: settings.request.threshold,
            total_weight: planned.total_weight,
            shares: planned
                .shares
                .iter()
                .map(|s| ShareJson {
                    addr: node_names[s.node].addr.clone(),
                    id: node_names[s.node].id.clone(),
                    weight: s.weight,
                    slots: s.slots,
                    expected: s.expected,
                })
                .collect(),
            plan: PlanJson::new(&planned.plan, node_names, engines)
                .throttled(migration::throttle_limits(&settings.migrate)),
            warnings: planned
                .notes
                .iter()
                .chain(&prepared.preflight.warnings)
                .cloned()
                .chain(notes)
                .collect(),
            migration: None,
            check: None,
        }
    }
}

/// Says what becomes of each master that gave away all its slots.
fn emptied_masters(out: &Output, planned: &RebalancePlan, node_names: &[Named]) {
    for share in planned.shares.iter().filter(|s| s.expected == 0) {
        out.line(
            Style::Info,
            format!(
                ">>> {} gave away all its slots. With cluster-allow-replica-migration yes (the \
                 default), Redis turns it into a replica of the master that took its last slot; \
                 remove it with del-node if it is no longer needed.",
                node_names[share.node].addr
            ),
        );
    }
}

/// redis-cli's heading, each master's share, and the moves.
fn plan_text(planned: &RebalancePlan, nodes: &[Named], engines: &[Engine]) -> Doc {
    let mut doc = Doc::new();
    doc.push(
        Style::Info,
        format!(
            ">>> Rebalancing across {} nodes. Total weight = {:.2}",
            planned.shares.len(),
            planned.total_weight
        ),
    );
    for share in &planned.shares {
        doc.plain(format!(
            "{} ({}...): {} slots -> {} (weight {})",
            nodes[share.node].addr,
            &nodes[share.node].id[..nodes[share.node].id.len().min(8)],
            share.slots,
            share.expected,
            share.weight
        ));
    }
    doc.extend(plan_lines(&planned.plan.pairs(), nodes, engines, ""));
    doc
}
