//! `rcluster reshard`: move a number of slots (or named slots) to one master. Asks for what
//! is missing as redis-cli does (a terminal, or one line of piped stdin per question), and
//! names the missing option when stdin has ended.

use anyhow::bail;
use serde::Serialize;

use super::migration::{self, FinalCheck, Prepared, names};
use crate::address::NodeAddr;
use crate::cli::ReshardArgs;
use crate::cluster::plan::engine::Engine;
use crate::cluster::plan::moves::{PlanNode, resolve_master};
use crate::cluster::plan::reshard::{
    Amount, ReshardPlan, ReshardRequest, Sources, parse_slot_ranges, plan_reshard,
};
use crate::cluster::slots::SlotSet;
use crate::cluster::snapshot::Snapshot;
use crate::error::{Outcome, UsageError};
use crate::exec::migrate::{MigrateSettings, MigrationReport};
use crate::net::conn::ConnectOptions;
use crate::output::{Doc, Output, Style};
use crate::prompt;
use crate::report::migration::{Named, PlanJson, plan_lines, throttle_lines};
use crate::report::text;
use crate::settings;

/// The JSON document of `reshard`.
#[derive(Serialize)]
struct ReshardJson {
    dry_run: bool,
    plan: PlanJson,
    already_on_target: String,
    warnings: Vec<String>,
    migration: Option<MigrationReport>,
    check: Option<FinalCheck>,
}

/// What `reshard` was asked to do, once the options are checked.
struct ReshardSettings {
    /// Any node of the cluster.
    entry: NodeAddr,
    /// How keys move.
    migrate: MigrateSettings,
    /// `--slot-range`.
    named: Option<SlotSet>,
    /// `--dry-run`.
    dry_run: bool,
    /// `--yes`.
    yes: bool,
}

impl ReshardSettings {
    /// Checks the options (usage errors, nothing contacted).
    fn from_args(opts: &ConnectOptions, args: &ReshardArgs) -> anyhow::Result<Self> {
        let entry = settings::node_addr(&args.target.node)?;
        let migrate = migration::settings(
            &args.migrate.keys,
            args.migrate.parallel,
            migration::engine_choice(&args.migrate.engine),
            opts,
        )?;
        let named = match &args.slot_range {
            Some(text) => Some(parse_slot_ranges(text).map_err(|e| {
                UsageError::new(format!("--slot-range {text:?}: {e} (example: 0-99,500)"))
            })?),
            None => None,
        };
        Ok(ReshardSettings {
            entry,
            migrate,
            named,
            dry_run: args.migrate.dry_run,
            yes: args.yes,
        })
    }
}

/// Runs `rcluster reshard`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &ReshardArgs,
) -> anyhow::Result<Outcome> {
    let settings = ReshardSettings::from_args(opts, args)?;
    let named = settings.named.clone();
    let request = if missing_options(args, named.is_some()).is_empty() {
        request_from_args(args, named)
    } else {
        ask_request(opts, &out, &settings.entry, args, named)?
    };
    let prepared = migration::load_and_plan(
        opts,
        &out,
        &settings.entry,
        |nodes| Ok(plan_reshard(nodes, &request)?),
        |planned: &ReshardPlan| (&planned.plan, Vec::new()),
    )?;
    let (snapshot, planned) = (&prepared.snapshot, &prepared.planned);
    migration::enforce(&out, &prepared.preflight, "resharding")?;
    let migration::Engines { engines, notes } =
        migration::engines(opts, &out, snapshot, &planned.plan, &settings.migrate)?;
    let mut doc = show_plan(&out, &settings, &prepared, &engines, notes);
    if planned.plan.is_empty() {
        out.line(Style::Ok, "[OK] Nothing to move.");
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    if settings.dry_run {
        out.line(Style::Info, ">>> Dry run: nothing was moved.");
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    if !prompt::confirm(
        "Do you want to proceed with the proposed reshard plan?",
        settings.yes,
    )? {
        bail!("reshard cancelled: nothing was moved");
    }
    let (report, final_check, outcome) = migration::execute(
        opts,
        &out,
        snapshot,
        &planned.plan,
        &engines,
        &settings.migrate,
    )?;
    doc.migration = Some(report);
    doc.check = Some(final_check);
    out.json(&doc);
    Ok(outcome)
}

/// Prints the plan (slots already on the target, redis-cli's block, the throttle) and
/// returns the JSON document before anything moves; `notes` say why pairs do not move
/// atomically.
fn show_plan(
    out: &Output,
    settings: &ReshardSettings,
    prepared: &Prepared<ReshardPlan>,
    engines: &[Engine],
    notes: Vec<String>,
) -> ReshardJson {
    let (snapshot, planned) = (&prepared.snapshot, &prepared.planned);
    let node_names = names(snapshot);
    if !planned.already_there.is_empty() {
        out.line(
            Style::Warn,
            format!(
                "[WARNING] Slot(s) {} are already served by the target; not moved.",
                planned.already_there
            ),
        );
    }
    let throttle = migration::throttle_limits(&settings.migrate);
    out.doc(&plan_text(snapshot, planned, &node_names, engines));
    out.doc(&throttle_lines(throttle, "  "));
    ReshardJson {
        dry_run: settings.dry_run,
        plan: PlanJson::new(&planned.plan, &node_names, engines).throttled(throttle),
        already_on_target: planned.already_there.to_string(),
        warnings: prepared
            .preflight
            .warnings
            .iter()
            .cloned()
            .chain(notes)
            .collect(),
        migration: None,
        check: None,
    }
}

/// The options a reshard needs that were not given.
fn missing_options(args: &ReshardArgs, named: bool) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if args.slots.is_none() && !named {
        missing.push("--slots (how many slots to move) or --slot-range");
    }
    if args.to.is_none() {
        missing.push("--to (the receiving node id)");
    }
    if args.from.is_none() && !named {
        missing.push("--from (source node ids, or all)");
    }
    missing
}

fn request_from_args(args: &ReshardArgs, named: Option<SlotSet>) -> ReshardRequest {
    ReshardRequest {
        to: args.to.clone().unwrap_or_default(),
        from: sources(args.from.as_deref()),
        amount: match named {
            Some(set) => Amount::Slots(set),
            None => Amount::Count(args.slots.unwrap_or(0)),
        },
    }
}

/// `all` or a comma-separated id list (absent means all, used with `--slot-range`).
fn sources(text: Option<&str>) -> Sources {
    match text.map(str::trim) {
        None => Sources::All,
        Some(t) if t.eq_ignore_ascii_case("all") => Sources::All,
        Some(t) => Sources::Ids(
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
    }
}

/// Asks for the missing options on the terminal, redis-cli's questions in its order, after
/// showing the masters so their ids can be copied.
fn ask_request(
    opts: &ConnectOptions,
    out: &Output,
    entry: &NodeAddr,
    args: &ReshardArgs,
    named: Option<SlotSet>,
) -> anyhow::Result<ReshardRequest> {
    let snapshot = Snapshot::load(opts, entry)?;
    let mut doc = Doc::new();
    doc.push(
        Style::Info,
        format!(">>> Performing Cluster Check (using node {entry})"),
    );
    for node in snapshot.masters() {
        doc.extend(text::node_block(&snapshot, node));
    }
    out.doc(&doc);
    let nodes = PlanNode::from_snapshot(&snapshot);
    let amount = match (named, args.slots) {
        (Some(set), _) => Amount::Slots(set),
        (None, Some(n)) => Amount::Count(n),
        (None, None) => ask_amount(out)?,
    };
    let to = match &args.to {
        Some(to) => to.clone(),
        None => ask_target(out, &nodes)?,
    };
    let from = match (&args.from, &amount) {
        (Some(text), _) => sources(Some(text)),
        (None, Amount::Slots(_)) => Sources::All,
        (None, Amount::Count(_)) => ask_sources(out, &nodes, &to)?,
    };
    Ok(ReshardRequest { to, from, amount })
}

/// How many slots to move, asked until the answer is a number from 1 to 16384.
fn ask_amount(out: &Output) -> anyhow::Result<Amount> {
    loop {
        let answer = prompt::ask(
            "How many slots do you want to move (from 1 to 16384)?",
            "Give --slots N (or --cluster-slots N), or --slot-range.",
        )?;
        match answer.parse::<usize>() {
            Ok(n) if (1..=16384).contains(&n) => return Ok(Amount::Count(n)),
            _ => out.line(Style::Err, "*** Please give a number from 1 to 16384."),
        }
    }
}

/// The receiving node, asked until the answer names a master.
fn ask_target(out: &Output, nodes: &[PlanNode]) -> anyhow::Result<String> {
    loop {
        let answer = prompt::ask(
            "What is the receiving node ID?",
            "Give --to ID (or --cluster-to ID).",
        )?;
        match resolve_master(nodes, &answer) {
            Ok(_) => return Ok(answer),
            Err(err) => out.line(Style::Err, format!("*** {err}")),
        }
    }
}

/// The source nodes, one per question until `all` or `done`; the target is refused.
fn ask_sources(out: &Output, nodes: &[PlanNode], to: &str) -> anyhow::Result<Sources> {
    out.line(Style::Plain, "Please enter all the source node IDs.");
    out.line(
        Style::Plain,
        "  Type 'all' to use all the nodes as source nodes for the hash slots.",
    );
    out.line(
        Style::Plain,
        "  Type 'done' once you entered all the source nodes IDs.",
    );
    let mut ids = Vec::new();
    loop {
        let answer = prompt::ask(
            &format!("Source node #{}", ids.len() + 1),
            "Give --from IDS|all (or --cluster-from IDS|all).",
        )?;
        if answer.eq_ignore_ascii_case("all") {
            return Ok(Sources::All);
        }
        if answer.eq_ignore_ascii_case("done") {
            if ids.is_empty() {
                out.line(Style::Err, "*** No source nodes given yet.");
                continue;
            }
            return Ok(Sources::Ids(ids));
        }
        let target = resolve_master(nodes, to).ok();
        match resolve_master(nodes, &answer) {
            Ok(i) if Some(i) == target => out.line(
                Style::Err,
                "*** It is not possible to use the target node as source node.",
            ),
            Ok(_) => ids.push(answer),
            Err(err) => out.line(Style::Err, format!("*** {err}")),
        }
    }
}

/// redis-cli's "Ready to move" block, with ranges instead of one line per slot.
fn plan_text(
    snapshot: &Snapshot,
    planned: &ReshardPlan,
    nodes: &[Named],
    engines: &[Engine],
) -> Doc {
    let mut doc = Doc::new();
    doc.plain("");
    doc.plain(format!("Ready to move {} slots.", planned.plan.len()));
    doc.plain("  Source nodes:");
    for &i in &planned.sources {
        for (style, line) in text::node_block(snapshot, &snapshot.nodes[i]).lines {
            doc.push(style, format!("    {line}"));
        }
    }
    doc.plain("  Destination node:");
    for (style, line) in text::node_block(snapshot, &snapshot.nodes[planned.target]).lines {
        doc.push(style, format!("    {line}"));
    }
    doc.plain("  Resharding plan:");
    doc.extend(plan_lines(&planned.plan.pairs(), nodes, engines, "    "));
    doc
}
