//! `rcluster rebalance --by keys|memory|cpu|net`: reads the load of every slot (as `load`
//! does), plans moves that give every master its weighted share of that load
//! ([`plan_load_balance`]), prints each master's load before and predicted after, then moves
//! the slots like the slot-count rebalance (same engines, checks and safety rules).

use serde::Serialize;

use super::load;
use super::migration::{self, FinalCheck, Prepared, names};
use super::rebalance::RebalanceSettings;
use crate::cli::LoadReadingOpts;
use crate::cluster::load::{LoadReading, Metric, Source, hash_tag};
use crate::cluster::plan::engine::Engine;
use crate::cluster::plan::load_balance::{LoadBalancePlan, LoadBalanceRequest, plan_load_balance};
use crate::cluster::snapshot::Snapshot;
use crate::error::Outcome;
use crate::exec::migrate::MigrationReport;
use crate::net::conn::ConnectOptions;
use crate::output::{Doc, Output, Style};
use crate::report::migration::{Named, PlanJson, plan_lines};
use crate::report::quantity::metric_value;

/// Hot slots whose sample keys are read, to name the keys of a slot that cannot be split.
const SAMPLED_HOT_SLOTS: usize = 10;

/// One master in the JSON document: its load before and predicted after.
#[derive(Serialize)]
struct MasterJson {
    addr: String,
    id: String,
    weight: f64,
    target: f64,
    before: f64,
    after: f64,
    slots_before: usize,
    slots_after: usize,
}

/// A slot hotter than its master's share, kept where it is.
#[derive(Serialize)]
struct UnsplittableJson {
    slot: u16,
    owner: String,
    value: f64,
    fair_share: f64,
    keys: Vec<String>,
}

/// The load part of the JSON document.
#[derive(Serialize)]
struct LoadJson {
    metric: Metric,
    source: Source,
    window_secs: Option<f64>,
    imbalance_before: f64,
    imbalance_after: f64,
    moved_cost: f64,
    masters: Vec<MasterJson>,
    unsplittable: Vec<UnsplittableJson>,
    notes: Vec<String>,
}

/// The JSON document of `rebalance --by`.
#[derive(Serialize)]
struct RebalanceLoadJson {
    dry_run: bool,
    by: Metric,
    needed: bool,
    threshold: f64,
    load: LoadJson,
    plan: PlanJson,
    warnings: Vec<String>,
    migration: Option<MigrationReport>,
    check: Option<FinalCheck>,
}

/// Runs `rebalance --by metric`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: &Output,
    settings: &RebalanceSettings,
    metric: Metric,
    reading_opts: &LoadReadingOpts,
) -> anyhow::Result<Outcome> {
    let Some(reading) = read(opts, settings, metric, reading_opts)? else {
        return Ok(Outcome::Interrupted);
    };
    for note in &reading.notes {
        out.line(Style::Warn, format!("[WARNING] {note}"));
    }
    let prepared = plan(opts, out, settings, metric, &reading)?;
    let planned = &prepared.planned;
    let node_names = names(&prepared.snapshot);
    let migration::Engines { engines, notes } = migration::engines(
        opts,
        out,
        &prepared.snapshot,
        &planned.plan,
        &settings.migrate,
    )?;
    let mut doc = document(settings, &prepared, &reading, &node_names, &engines, notes);
    migration::enforce(out, &prepared.preflight, "rebalancing")?;
    out.doc(&unsplittable_text(&doc.load));
    if !planned.needed || planned.plan.is_empty() {
        out.line(
            Style::Ok,
            format!(
                "*** No rebalancing needed! All nodes are within the {:.2}% threshold of their \
                 share of {metric}.",
                settings.request.threshold
            ),
        );
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    out.doc(&plan_text(planned, &node_names, &engines));
    let Some((report, final_check, outcome)) = migration::carry_out(
        opts,
        out,
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
    out.json(&doc);
    Ok(outcome)
}

/// Reads the metric, the keys and the memory of every slot (memory is what a move costs);
/// None when Ctrl-C stopped the reading.
fn read(
    opts: &ConnectOptions,
    settings: &RebalanceSettings,
    metric: Metric,
    reading_opts: &LoadReadingOpts,
) -> anyhow::Result<Option<LoadReading>> {
    let snapshot = Snapshot::load(opts, &settings.entry)?;
    let mut request = load::reading_request(metric, reading_opts);
    request.also = vec![Metric::Keys, Metric::Memory];
    request.top = SAMPLED_HOT_SLOTS;
    load::read(opts, &snapshot, &request)
}

/// Loads the cluster again and plans from the reading; every master taking part must be
/// healthy. Prints the planner's notes.
fn plan(
    opts: &ConnectOptions,
    out: &Output,
    settings: &RebalanceSettings,
    metric: Metric,
    reading: &LoadReading,
) -> anyhow::Result<Prepared<LoadBalancePlan>> {
    let load = reading
        .metrics
        .get(&metric)
        .ok_or_else(|| anyhow::anyhow!("the reading has no {metric} values"))?;
    let request = LoadBalanceRequest {
        base: &settings.request,
        load,
        cost: reading.metrics.get(&Metric::Memory),
        keys: reading.metrics.get(&Metric::Keys),
    };
    let prepared = migration::load_and_plan(
        opts,
        out,
        &settings.entry,
        |nodes| Ok(plan_load_balance(nodes, &request)?),
        |planned: &LoadBalancePlan| {
            (
                &planned.plan,
                planned.masters.iter().map(|m| m.node).collect(),
            )
        },
    )?;
    for note in &prepared.planned.notes {
        out.line(Style::Warn, format!("[WARNING] {note}"));
    }
    Ok(prepared)
}

/// The document before anything moves.
fn document(
    settings: &RebalanceSettings,
    prepared: &Prepared<LoadBalancePlan>,
    reading: &LoadReading,
    node_names: &[Named],
    engines: &[Engine],
    notes: Vec<String>,
) -> RebalanceLoadJson {
    let planned = &prepared.planned;
    let name = |i: usize| &node_names[i];
    let keys_of = |slot: u16| -> Vec<String> {
        reading
            .sample_keys
            .get(&slot)
            .map(|keys| {
                keys.iter()
                    .map(|k| String::from_utf8_lossy(k).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let load = LoadJson {
        metric: planned.metric,
        source: reading.metrics[&planned.metric].source,
        window_secs: reading.window_secs,
        imbalance_before: planned.imbalance_before,
        imbalance_after: planned.imbalance_after,
        moved_cost: planned.moved_cost,
        masters: planned
            .masters
            .iter()
            .map(|m| MasterJson {
                addr: name(m.node).addr.clone(),
                id: name(m.node).id.clone(),
                weight: m.weight,
                target: m.target,
                before: m.before,
                after: m.after,
                slots_before: m.slots_before,
                slots_after: m.slots_after,
            })
            .collect(),
        unsplittable: planned
            .unsplittable
            .iter()
            .map(|u| UnsplittableJson {
                slot: u.slot,
                owner: name(u.owner).addr.clone(),
                value: u.value,
                fair_share: u.fair_share,
                keys: keys_of(u.slot),
            })
            .collect(),
        notes: planned.notes.clone(),
    };
    RebalanceLoadJson {
        dry_run: settings.dry_run,
        by: planned.metric,
        needed: planned.needed,
        threshold: settings.request.threshold,
        load,
        plan: PlanJson::new(&planned.plan, node_names, engines)
            .throttled(migration::throttle_limits(&settings.migrate)),
        warnings: reading
            .notes
            .iter()
            .chain(&planned.notes)
            .chain(&prepared.preflight.warnings)
            .cloned()
            .chain(notes)
            .collect(),
        migration: None,
        check: None,
    }
}

/// The slots that stay because each alone is hotter than its master's share, with sample
/// keys and their hash tags: the fix is in the keys' design, not in moving slots.
fn unsplittable_text(load: &LoadJson) -> Doc {
    let mut doc = Doc::new();
    for u in &load.unsplittable {
        let tags: Vec<String> = u
            .keys
            .iter()
            .filter_map(|k| hash_tag(k.as_bytes()))
            .map(|t| format!("{{{}}}", String::from_utf8_lossy(t)))
            .collect();
        let tags = if tags.is_empty() {
            String::new()
        } else {
            format!(", hash tag {}", tags[0])
        };
        doc.push(
            Style::Warn,
            format!(
                "[WARNING] Slot {} of {} alone has {} of {}, more than the master's whole share \
                 ({}): it stays, and no move can even it out. Its keys ({}{tags}) put that load \
                 in one slot: spreading them over more hash tags is the fix.",
                u.slot,
                u.owner,
                metric_value(load.metric, u.value),
                load.metric,
                metric_value(load.metric, u.fair_share),
                if u.keys.is_empty() {
                    "none sampled".to_string()
                } else {
                    u.keys.join(", ")
                },
            ),
        );
    }
    doc
}

/// The heading, each master's load now and after, and the moves.
fn plan_text(planned: &LoadBalancePlan, nodes: &[Named], engines: &[Engine]) -> Doc {
    let metric = planned.metric;
    let mut doc = Doc::new();
    doc.push(
        Style::Info,
        format!(
            ">>> Rebalancing {metric} across {} nodes (max/mean {:.2} -> {:.2})",
            planned.masters.len(),
            planned.imbalance_before,
            planned.imbalance_after
        ),
    );
    for m in &planned.masters {
        let node = &nodes[m.node];
        doc.plain(format!(
            "{} ({}...): {} -> {} (share {}, weight {}), {} -> {} slots",
            node.addr,
            &node.id[..node.id.len().min(8)],
            metric_value(metric, m.before),
            metric_value(metric, m.after),
            metric_value(metric, m.target),
            m.weight,
            m.slots_before,
            m.slots_after
        ));
    }
    doc.extend(plan_lines(&planned.plan.pairs(), nodes, engines, ""));
    doc
}
