//! Repairing a cluster: gathering the diagnosis the fix planner needs (every node's view and
//! the key counts of suspicious slots), and applying a [`FixPlan`] slot by slot.
//!
//! The order of the steps of one slot is what keeps keys safe. A master that holds keys of a
//! slot and learns by gossip that another master owns it deletes those keys (Redis does so to
//! stay consistent), unless the slot is importing there. So other claimants give the slot up
//! and are set importing before the new owner claims it with a bumped epoch, keys move with
//! MIGRATE while every holder is importing (or migrating, for a move being finished), and
//! the slot is announced on every master only when no holder has keys left. Holders of slots
//! whose owner already serves them are pointed at it before any key moves (see
//! [`point_holders_first`]): a holder still importing them from a failed master is down and
//! refuses MIGRATE until then.
//!
//! Epochs are raised last ([`raise_epochs`]), and only on owners that no longer claim a slot
//! another master claims: a master's bumped epoch makes every slot it claims win, including a
//! slot it still believes it serves though the move that took it away finished (a killed
//! reshard announced the new owner to the target only). The new owner would then lose that
//! slot by gossip and delete the keys it received.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use redis::Value;
use serde::Serialize;

use super::migrate::{
    Announcer, BatchContext, ConflictLog, DroppedCopy, Endpoint, MigrateSettings, Tally,
    drain_slot, is_no_longer_master, setslot, wait_ready,
};
use crate::cluster::parse::nodes::parse_cluster_nodes;
use crate::cluster::plan::fix::{Diagnosis, FixNode, FixPlan, Problem, SlotFix};
use crate::cluster::slots::{SLOT_COUNT, SlotSet};
use crate::cluster::snapshot::Snapshot;
use crate::net::conn::{ConnectOptions, NodeError, server_error_text};
use crate::net::conncache::ConnCache;
use crate::net::fanout::{DEFAULT_PARALLELISM, fan_out};
use crate::probe::scan::count_keys;

/// How long holders pointed at their slots' owners may take to report `cluster_state:ok`.
const HOLDERS_UP_TIMEOUT: Duration = Duration::from_secs(5);

/// The masters of `snapshot` for the planner, and their endpoints (same order).
pub(crate) fn masters(snapshot: &Snapshot) -> (Vec<FixNode>, Vec<Endpoint>) {
    let all = Endpoint::from_snapshot(snapshot);
    let mut nodes = Vec::new();
    let mut endpoints = Vec::new();
    let index_of = |id: &str| snapshot.nodes.iter().position(|n| n.id() == id);
    let masters: Vec<usize> = (0..snapshot.nodes.len())
        .filter(|&i| snapshot.nodes[i].is_master())
        .collect();
    let position = |id: &str| index_of(id).and_then(|i| masters.iter().position(|&m| m == i));
    for &i in &masters {
        let state = &snapshot.nodes[i];
        let current = state.current();
        let open = |list: &[crate::cluster::parse::nodes::OpenSlot]| {
            list.iter()
                .map(|o| (o.slot, position(&o.peer)))
                .collect::<Vec<_>>()
        };
        let replica_open: SlotSet = snapshot
            .replicas_of(state.id())
            .filter(|r| r.reachable())
            .flat_map(|r| {
                let line = r.current();
                line.migrating.iter().chain(&line.importing).map(|o| o.slot)
            })
            .collect();
        nodes.push(FixNode {
            replica_open,
            id: state.id().to_string(),
            addr: state.addr_text(),
            // A node that answers counts even if others still flag it failing (it may be just
            // back): its keys are counted, and the executor touches exactly these nodes.
            usable: state.reachable() && state.addr().is_some(),
            failed: !state.reachable() && state.seen.flags.fail,
            slots: current.slots.clone(),
            migrating: open(&current.migrating),
            importing: open(&current.importing),
        });
        endpoints.push(all[i].clone());
    }
    (nodes, endpoints)
}

/// Counts keys of the suspicious slots on every usable master, over every database it has:
/// open, unclaimed or multiply-claimed slots, or every slot with `search_every_slot`.
pub(crate) fn diagnose(
    opts: &ConnectOptions,
    snapshot: &Snapshot,
    search_every_slot: bool,
) -> Result<(Diagnosis, Vec<Endpoint>), NodeError> {
    let (nodes, endpoints) = masters(snapshot);
    let suspicious: Vec<u16> = if search_every_slot {
        (0..SLOT_COUNT).collect()
    } else {
        suspicious_slots(&nodes).iter().collect()
    };
    let usable: Vec<usize> = (0..nodes.len()).filter(|&i| nodes[i].usable).collect();
    let counts = fan_out(&usable, DEFAULT_PARALLELISM, |&i| {
        let node = &endpoints[i];
        let mut conn = opts.connect(&node.addr)?;
        let counts = count_keys(&mut conn, &suspicious, node.server.cluster_databases)?;
        Ok::<_, NodeError>(counts.with_keys())
    });
    let mut keys = BTreeMap::new();
    for (&i, result) in usable.iter().zip(counts) {
        for (slot, n) in result? {
            keys.insert((slot, i), n);
        }
    }
    Ok((Diagnosis { nodes, keys }, endpoints))
}

/// Slots open anywhere, served by no usable master, or claimed by several masters.
fn suspicious_slots(nodes: &[FixNode]) -> SlotSet {
    let mut claims = vec![0u8; usize::from(SLOT_COUNT)];
    let mut out = SlotSet::new();
    for node in nodes {
        for slot in node.slots.iter() {
            if node.usable {
                claims[usize::from(slot)] = claims[usize::from(slot)].saturating_add(1);
            }
        }
        if node.usable {
            for (slot, _) in node.migrating.iter().chain(&node.importing) {
                out.insert(*slot);
            }
        }
    }
    for slot in 0..SLOT_COUNT {
        if claims[usize::from(slot)] != 1 {
            out.insert(slot);
        }
    }
    out
}

/// What applying a plan did.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct FixReport {
    /// Slots fixed.
    pub(crate) fixed: usize,
    /// Keys moved.
    pub(crate) keys_moved: u64,
    /// Slots that could not be fixed, with the reason.
    pub(crate) failed: Vec<FailedSlot>,
    /// Keys that existed on a holder and on the slot's owner with different values: the
    /// holder's copy was saved to the conflicts file and dropped (in this application).
    pub(crate) dropped_copies: Vec<DroppedCopy>,
    /// What the operator should know that is not a failed slot (an epoch not raised).
    pub(crate) notes: Vec<String>,
}

/// A slot the fix could not repair.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FailedSlot {
    /// The slot.
    pub(crate) slot: u16,
    /// Why.
    pub(crate) reason: String,
}

/// Applies `plan`; `nodes` are the diagnosis' masters, in the plan's index space. Copies of
/// keys dropped in favour of the owner's ([`SlotFix::owner_copy_wins`]) are saved to
/// `conflicts` first; without it such keys stop their slot.
pub(crate) fn apply(
    opts: &ConnectOptions,
    nodes: &[Endpoint],
    plan: &FixPlan,
    settings: &MigrateSettings,
    conflicts: Option<&ConflictLog>,
    mut progress: impl FnMut(&SlotFix, &Result<(), String>),
) -> FixReport {
    let cache = ConnCache::new(opts.clone());
    let tally = Tally::new(1);
    let announcer = Announcer::default();
    let batch_keys = vec![settings.batch_keys.unwrap_or(1000).max(1); nodes.len()];
    let ctx = BatchContext {
        nodes,
        cache: &cache,
        settings,
        batch_keys: &batch_keys,
        tally: &tally,
        announcer: &announcer,
    };
    let usable: Vec<usize> = (0..nodes.len()).filter(|&i| nodes[i].reachable).collect();
    let mut report = FixReport::default();
    let (simple, involved): (Vec<&SlotFix>, Vec<&SlotFix>) = plan
        .fixes
        .iter()
        .partition(|f| f.finish_from.is_none() && f.disown.is_empty() && f.holders.is_empty());

    // Slots that only need an owner: one pipeline per node for all of them.
    let mut by_owner: BTreeMap<usize, Vec<u16>> = BTreeMap::new();
    for fix in &simple {
        by_owner.entry(fix.owner).or_default().push(fix.slot);
    }
    for (owner, slots) in by_owner {
        let result = claim_many(&ctx, &usable, owner, &slots);
        for fix in simple.iter().filter(|f| f.owner == owner) {
            progress(fix, &result);
            match &result {
                Ok(()) => report.fixed += 1,
                Err(reason) => report.failed.push(FailedSlot {
                    slot: fix.slot,
                    reason: reason.clone(),
                }),
            }
        }
    }
    // Slots with keys to move: one at a time, in the safe order.
    let pointed = point_holders_first(&ctx, &involved);
    for fix in involved {
        let result = fix_one(&ctx, &usable, fix, pointed.contains(&fix.slot), conflicts);
        progress(fix, &result);
        match result {
            Ok(()) => report.fixed += 1,
            Err(reason) => report.failed.push(FailedSlot {
                slot: fix.slot,
                reason,
            }),
        }
    }
    // Replica-only slot states: STABLE on the master, which replicates it.
    for reset in &plan.replica_resets {
        let slots: Vec<u16> = reset.slots.iter().collect();
        let result = run_groups(
            &ctx,
            reset.master,
            setslot::each(&slots, "STABLE", None),
            "clearing its replicas' slot states",
        );
        match result {
            Ok(()) => report.fixed += slots.len(),
            Err(reason) => report.failed.extend(slots.iter().map(|&slot| FailedSlot {
                slot,
                reason: reason.clone(),
            })),
        }
    }
    let claimed: BTreeSet<usize> = plan
        .fixes
        .iter()
        .filter(|f| f.finish_from.is_none())
        .map(|f| f.owner)
        .collect();
    report.notes = raise_epochs(&ctx, &usable, &claimed);
    report.keys_moved = tally.keys();
    report.dropped_copies = conflicts.map(ConflictLog::take_dropped).unwrap_or_default();
    report
}

/// Gives each of `owners` a new epoch (`CLUSTER BUMPEPOCH`) so that its claims win over any
/// stale ones (a failed master's) by gossip, on replicas and nodes that did not answer too.
/// An owner that still claims a slot another usable master claims (in their own views: a
/// move finished but not yet announced to it, or a fix that failed) is left as it is, since
/// its new epoch would take that slot from the other master, which would delete its keys of
/// it; the notes say so.
fn raise_epochs(ctx: &BatchContext<'_>, usable: &[usize], owners: &BTreeSet<usize>) -> Vec<String> {
    if owners.is_empty() {
        return Vec::new();
    }
    let claims = fan_out(usable, usable.len().max(1), |&m| own_claims(ctx, m));
    let claims: Vec<(usize, SlotSet)> = usable
        .iter()
        .zip(claims)
        .filter_map(|(&m, c)| c.ok().map(|c| (m, c)))
        .collect();
    let mut notes = Vec::new();
    for &owner in owners {
        let Some((_, mine)) = claims.iter().find(|(m, _)| *m == owner) else {
            continue;
        };
        let shared: SlotSet = claims
            .iter()
            .filter(|(m, _)| *m != owner)
            .flat_map(|(_, theirs)| theirs.iter().filter(|&s| mine.contains(s)))
            .collect();
        if !shared.is_empty() {
            notes.push(format!(
                "{} still claims slots another master claims ({}); its epoch was not raised, \
                 which would take them from that master: run fix again",
                ctx.nodes[owner].addr,
                shared.abbreviated()
            ));
            continue;
        }
        let mut bump = redis::pipe();
        bump.cmd("CLUSTER").arg("BUMPEPOCH");
        if let Err(err) = run(ctx, owner, &bump, "raising its epoch") {
            notes.push(err);
        }
    }
    notes
}

/// The slots node `i` serves in its own view (the `myself` line of its CLUSTER NODES).
fn own_claims(ctx: &BatchContext<'_>, i: usize) -> Result<SlotSet, String> {
    let mut conn = ctx
        .cache
        .lease(&ctx.nodes[i].addr)
        .map_err(|e| e.to_string())?;
    let text: String = conn
        .query(redis::cmd("CLUSTER").arg("NODES"))
        .inspect_err(|_| conn.discard())
        .map_err(|e| e.to_string())?;
    let lines = parse_cluster_nodes(&text).map_err(|e| e.to_string())?;
    Ok(lines
        .into_iter()
        .find(|l| l.flags.myself)
        .map(|l| l.slots)
        .unwrap_or_default())
}

/// The owner takes `slots` (STABLE, NODE itself; its epoch is raised at the end, see
/// [`raise_epochs`]), then every other usable master closes them and learns the owner.
fn claim_many(
    ctx: &BatchContext<'_>,
    usable: &[usize],
    owner: usize,
    slots: &[u16],
) -> Result<(), String> {
    let groups = take_on_owner(slots, &ctx.nodes[owner].id);
    run_groups(ctx, owner, groups, "claiming the slots")?;
    announce(ctx, usable, owner, slots)
}

/// Every usable master but the owner: NODE owner, then STABLE, for each slot (see
/// [`point_at_owner`]).
fn announce(
    ctx: &BatchContext<'_>,
    usable: &[usize],
    owner: usize,
    slots: &[u16],
) -> Result<(), String> {
    let others: Vec<usize> = usable.iter().copied().filter(|&m| m != owner).collect();
    let results = fan_out(&others, others.len().max(1), |&m| {
        run_groups(
            ctx,
            m,
            point_at_owner(slots, &ctx.nodes[owner].id),
            "announcing the owner",
        )
    });
    results.into_iter().collect()
}

/// On the owner: `SETSLOT STABLE` then `SETSLOT NODE owner`, one group per slot.
fn take_on_owner(slots: &[u16], owner_id: &str) -> Vec<Vec<redis::Cmd>> {
    slots
        .iter()
        .map(|&slot| {
            vec![
                setslot::setslot(slot, "STABLE", None),
                setslot::setslot(slot, "NODE", Some(owner_id)),
            ]
        })
        .collect()
}

/// On any other master: `SETSLOT NODE owner` then `SETSLOT STABLE`, one group per slot. NODE
/// comes first so that the old owner of a finished move never serves the slot as a plain
/// owner: STABLE first would, until its NODE, answer a read of a key that already moved with
/// nil and create a written one locally (where the next gossip deletes it as a key of a
/// slot it lost). A server that replicates SETSLOT blocks between the two commands, so that
/// window is real under live traffic. NODE refuses while the node still holds keys of the
/// slot, and clears a migrating state once it holds none.
fn point_at_owner(slots: &[u16], owner_id: &str) -> Vec<Vec<redis::Cmd>> {
    slots
        .iter()
        .map(|&slot| {
            vec![
                setslot::setslot(slot, "NODE", Some(owner_id)),
                setslot::setslot(slot, "STABLE", None),
            ]
        })
        .collect()
}

/// Sends many slots' SETSLOT groups to node `i` (see [`setslot::send`]); the first error
/// reply fails it, as in [`run`].
fn run_groups(
    ctx: &BatchContext<'_>,
    i: usize,
    groups: Vec<Vec<redis::Cmd>>,
    what: &str,
) -> Result<(), String> {
    let node = &ctx.nodes[i];
    let replies = setslot::send(ctx.cache, node, groups).map_err(|e| e.to_string())?;
    first_error(node, replies, what)
}

/// `commands` in one MULTI/EXEC, or as a plain pipeline (the same order) on a server that
/// replicates SETSLOT: it blocks each SETSLOT until its replicas acknowledge, which it cannot
/// do inside MULTI (it aborts on an assertion).
fn transaction(node: &Endpoint, commands: impl IntoIterator<Item = redis::Cmd>) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    let multi = !node.server.replicated_setslot();
    if multi {
        pipe.cmd("MULTI");
    }
    for cmd in commands {
        pipe.add_command(cmd);
    }
    if multi {
        pipe.cmd("EXEC");
    }
    pipe
}

/// Sends `pipe` to node `i`; the first error reply fails it (a node that turned replica is
/// fine: it follows its master).
fn run(ctx: &BatchContext<'_>, i: usize, pipe: &redis::Pipeline, what: &str) -> Result<(), String> {
    let node = &ctx.nodes[i];
    let mut conn = ctx.cache.lease(&node.addr).map_err(|e| e.to_string())?;
    let replies = conn.pipeline(pipe).map_err(|e| {
        conn.discard();
        e.to_string()
    })?;
    first_error(node, replies, what)
}

/// The first error among `replies` (inside a transaction's reply too), but a node that turned
/// replica: it follows its master.
fn first_error(node: &Endpoint, replies: Vec<Value>, what: &str) -> Result<(), String> {
    for reply in replies {
        let errors = match &reply {
            Value::ServerError(err) => vec![server_error_text(err)],
            Value::Array(items) => items
                .iter()
                .filter_map(|v| match v {
                    Value::ServerError(err) => Some(server_error_text(err)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        if let Some(text) = errors.into_iter().find(|t| !is_no_longer_master(t)) {
            return Err(format!("{} ({what}): {text}", node.addr));
        }
    }
    Ok(())
}

/// Holders of `fix`'s slot that are not claimants nor the old owner of a move being finished
/// are pointed at the slot's current owner and set importing from it, so that their MIGRATE
/// is accepted and gossip cannot make them drop the keys. While a move is being finished the
/// current owner is the old one: a Valkey primary importing a slot from a node whose gossip
/// does not claim it takes the slot over by itself (with a new epoch, making the real owner
/// delete its keys of it).
fn point_holders(ctx: &BatchContext<'_>, fix: &SlotFix) -> Result<(), String> {
    let current = fix.finish_from.unwrap_or(fix.owner);
    let current_id = &ctx.nodes[current].id;
    for &(h, _) in &fix.holders {
        if Some(h) == fix.finish_from || fix.disown.contains(&h) {
            continue;
        }
        let pipe = transaction(
            &ctx.nodes[h],
            [
                setslot::setslot(fix.slot, "NODE", Some(current_id)),
                setslot::setslot(fix.slot, "IMPORTING", Some(current_id)),
            ],
        );
        run(ctx, h, &pipe, "preparing to hand over its keys")?;
    }
    Ok(())
}

/// Before any key moves: the holders of every slot that its owner already serves (as it does
/// where the owner's copy wins) are pointed at that owner, then given a few seconds to report
/// `cluster_state:ok`. A holder that imported those slots from a master that failed is down
/// until then (it ignores the promoted replica's claim while it imports), and a node that is
/// down refuses MIGRATE: pointing every slot first lets the keys move in the same round.
/// Returns the slots whose holders were pointed; a slot whose pointing failed is left to its
/// own steps, which try again.
fn point_holders_first(ctx: &BatchContext<'_>, fixes: &[&SlotFix]) -> BTreeSet<u16> {
    let mut pointed = BTreeSet::new();
    let mut holders: BTreeSet<usize> = BTreeSet::new();
    for fix in fixes
        .iter()
        .filter(|f| f.owner_copy_wins && f.disown.is_empty())
    {
        if point_holders(ctx, fix).is_ok() {
            pointed.insert(fix.slot);
            holders.extend(fix.holders.iter().map(|(h, _)| *h));
        }
    }
    // Bounded as a whole; a holder still down after it fails its MIGRATE, which says why.
    let deadline = Instant::now() + HOLDERS_UP_TIMEOUT;
    for h in holders {
        if let Ok(mut conn) = ctx.cache.lease(&ctx.nodes[h].addr) {
            let _ = wait_ready(
                &mut conn,
                deadline.saturating_duration_since(Instant::now()),
            );
        }
    }
    pointed
}

/// One slot with keys to move, claimants to strip or a move to finish; `pointed` when
/// [`point_holders_first`] already did step 3.
fn fix_one(
    ctx: &BatchContext<'_>,
    usable: &[usize],
    fix: &SlotFix,
    pointed: bool,
    conflicts: Option<&ConflictLog>,
) -> Result<(), String> {
    let slot = fix.slot;
    let owner = fix.owner;
    let owner_id = ctx.nodes[owner].id.clone();
    let setslot = |state: &str, node: Option<&str>| setslot::setslot(slot, state, node);
    // 1. Other claimants give the slot up first, into importing (their keys stay safe).
    for &d in &fix.disown {
        let mut delslots = redis::cmd("CLUSTER");
        delslots.arg("DELSLOTS").arg(slot);
        let pipe = transaction(
            &ctx.nodes[d],
            [
                delslots,
                setslot("NODE", Some(&owner_id)),
                setslot("IMPORTING", Some(&owner_id)),
            ],
        );
        run(ctx, d, &pipe, "giving the slot up")?;
    }
    // 2. The owner: re-arm a move being finished, or take the slot.
    if let Some(old) = fix.finish_from {
        let old_id = ctx.nodes[old].id.clone();
        let mut pipe = redis::pipe();
        pipe.add_command(setslot("IMPORTING", Some(&old_id)));
        run(ctx, owner, &pipe, "importing the slot")?;
        let mut pipe = redis::pipe();
        pipe.add_command(setslot("MIGRATING", Some(&owner_id)));
        run(ctx, old, &pipe, "migrating the slot")?;
    } else if fix.problem == Problem::Uncovered {
        // Nobody serves it: the owner takes it now, so that MIGRATE has somewhere to go.
        let mut pipe = redis::pipe();
        pipe.add_command(setslot("STABLE", None))
            .add_command(setslot("NODE", Some(&owner_id)));
        run(ctx, owner, &pipe, "taking the slot")?;
    } else {
        // The owner keeps the slot: it must stop migrating it first, or it would answer the
        // keys coming home with ASK redirections.
        let mut pipe = redis::pipe();
        pipe.add_command(setslot("STABLE", None));
        run(ctx, owner, &pipe, "closing the slot on its owner")?;
    }
    // 3. Holders (not claimants) are pointed at the slot's current owner.
    if !pointed {
        point_holders(ctx, fix)?;
    }
    // 4. Keys move.
    for &(h, _) in &fix.holders {
        let conflicts = conflicts.filter(|_| fix.owner_copy_wins);
        drain_slot(ctx, h, owner, slot, conflicts)?;
    }
    // 5. Close: the owner first (closing a finished move bumps its epoch by itself; other
    //    owners get a new epoch at the end, see `raise_epochs`), then everyone else.
    let mut pipe = redis::pipe();
    if fix.finish_from.is_none() {
        pipe.add_command(setslot("STABLE", None));
    }
    pipe.add_command(setslot("NODE", Some(&owner_id)));
    run(ctx, owner, &pipe, "closing the slot")?;
    announce(ctx, usable, owner, &[slot])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(slots: &[u16], usable: bool) -> FixNode {
        FixNode {
            id: "x".into(),
            addr: "a:1".into(),
            usable,
            failed: false,
            slots: slots.iter().copied().collect(),
            migrating: Vec::new(),
            importing: Vec::new(),
            replica_open: SlotSet::new(),
        }
    }

    #[test]
    fn suspicious_slots_are_the_open_unclaimed_and_shared_ones() {
        let mut a = node(&[], true);
        a.slots = (0..SLOT_COUNT).collect();
        a.importing.push((5, None));
        let mut b = node(&[7], true);
        b.migrating.push((9, None));
        let dead = node(&[8], false);
        let found = suspicious_slots(&[a.clone(), b, dead]);
        // 5 importing, 7 claimed twice, 9 migrating; 8 is claimed by a usable master too.
        assert_eq!(found.iter().collect::<Vec<_>>(), vec![5, 7, 9]);
        a.slots.remove(100);
        assert!(suspicious_slots(&[a]).contains(100));
    }
}
