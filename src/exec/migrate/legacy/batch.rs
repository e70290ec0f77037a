//! Moving one batch of slots from one source to one target, in the cluster specification's
//! order: IMPORTING on the target, MIGRATING on the source (each one pipeline for the whole
//! batch), keys moved with pipelined GETKEYSINSLOT + MIGRATE ... KEYS until the source has
//! none left in those slots, then NODE on the target, the source and every other master.
//!
//! A slot is only announced as moved after COUNTKEYSINSLOT says the source holds no key of it
//! in any database (Valkey >= 9.0 `cluster-databases`: each database is drained in turn, its
//! keys landing in the same database on the target).
//! Anything that cannot be moved safely (a key that exists on both sides with different
//! values, a key that fails even alone) leaves its slot open — migrating on the source,
//! importing on the target — which is a state `fix` closes without losing a key.

use redis::Value;

use super::announce::Announcer;
use super::keys::KeyMover;
use super::setslot;
use crate::exec::migrate::conflicts::ConflictLog;
use crate::exec::migrate::{Endpoint, MigrateSettings, Tally};
use crate::net::conn::{ErrorKind, NodeError, server_error_text};
use crate::net::conncache::ConnCache;
use crate::probe::scan::count_keys;

/// Times a batch drains its slots and counts what is left, before a slot with keys still on
/// the source is given up (left open).
const DRAIN_PASSES: usize = 2;

/// One batch of slots with the same source and target.
#[derive(Debug, Clone)]
pub(crate) struct SlotBatch {
    /// Index of the source/target pair in the job.
    pub(crate) pair: usize,
    /// Source node index.
    pub(crate) from: usize,
    /// Target node index.
    pub(crate) to: usize,
    /// The slots, ascending.
    pub(crate) slots: Vec<u16>,
}

/// What happened to a batch.
#[derive(Debug, Default)]
pub(crate) struct BatchOutcome {
    /// Slots now owned by the target everywhere we could tell.
    pub(crate) moved: Vec<u16>,
    /// Slots that stayed with the source, untouched (their state change was refused).
    pub(crate) untouched: Vec<u16>,
    /// Slots left open (migrating/importing), with the reason.
    pub(crate) open: Vec<(u16, String)>,
    /// The first error, if the batch did not complete.
    pub(crate) error: Option<String>,
}

/// Everything a worker needs to move batches.
pub(crate) struct BatchContext<'a> {
    /// Every node of the job (indices of the plan).
    pub(crate) nodes: &'a [Endpoint],
    /// Shared connections.
    pub(crate) cache: &'a ConnCache,
    /// How to move keys.
    pub(crate) settings: &'a MigrateSettings,
    /// Keys per MIGRATE for each source node.
    pub(crate) batch_keys: &'a [usize],
    /// Counters shared with the progress display.
    pub(crate) tally: &'a Tally,
    /// Tells the other masters about new owners, in the background.
    pub(crate) announcer: &'a Announcer,
}

/// Moves `batch`; never panics on a server's answer, always says which slots stayed open.
pub(crate) fn move_batch(ctx: &BatchContext<'_>, batch: &SlotBatch) -> BatchOutcome {
    let mut outcome = BatchOutcome::default();
    let src = &ctx.nodes[batch.from];
    let dst = &ctx.nodes[batch.to];

    let opened = match open_slots(ctx, src, dst, &batch.slots) {
        Ok(opened) => opened,
        Err(err) => {
            outcome.untouched = batch.slots.clone();
            outcome.error = Some(err.to_string());
            return outcome;
        }
    };
    if let Some((slots, reason)) = opened.refused {
        outcome.error = Some(reason);
        outcome.untouched = slots;
    }
    if let Some((slots, reason)) = opened.unknown {
        for slot in slots {
            outcome
                .open
                .push((slot, format!("state unknown after: {reason}")));
        }
        outcome.error = Some(reason);
        return outcome;
    }

    let mut mover = KeyMover {
        ctx,
        src,
        dst,
        pair: batch.pair,
        batch_keys: ctx.batch_keys[batch.from],
        db: 0,
        key_bytes: None,
        conflicts: None,
    };
    let mut empty = Vec::new();
    let mut pending = opened.open;
    for pass in 1..=DRAIN_PASSES {
        let drained = mover.drain(&pending, &mut outcome);
        let confirmed = match confirm_empty(ctx, src, &drained) {
            Ok(confirmed) => confirmed,
            Err(err) => {
                for &slot in &drained {
                    outcome
                        .open
                        .push((slot, format!("cannot confirm it is empty: {err}")));
                }
                outcome.error.get_or_insert(err.to_string());
                return outcome;
            }
        };
        pending = Vec::new();
        for (&slot, &count) in drained.iter().zip(&confirmed) {
            if count == 0 {
                empty.push(slot);
            } else if pass < DRAIN_PASSES {
                pending.push(slot);
            } else {
                outcome.open.push((
                    slot,
                    format!("{count} key(s) still on the source after moving"),
                ));
            }
        }
        if pending.is_empty() {
            break;
        }
    }
    empty.sort_unstable();
    match assign_slots(ctx, batch, src, dst, &empty) {
        Ok(()) => outcome.moved = empty,
        Err(err) => {
            for &slot in &empty {
                outcome.open.push((slot, format!("not announced: {err}")));
            }
            outcome.error.get_or_insert(err.to_string());
        }
    }
    if outcome.error.is_none()
        && let Some((slot, reason)) = outcome.open.first()
    {
        outcome.error = Some(format!("slot {slot} left open: {reason}"));
    }
    outcome
}

/// Moves every key of `slot` from node `from` to node `to` (indices into `ctx.nodes`), with
/// the engine's collision and big-key rules, leaving slot states alone: the caller has put
/// both nodes in states where MIGRATE is accepted. With `conflicts`, the target's copy of a
/// key that exists on both sides with different values is the live one: the source's copy is
/// saved there and deleted. Ok when the source holds no key of the slot any more.
pub(crate) fn drain_slot(
    ctx: &BatchContext<'_>,
    from: usize,
    to: usize,
    slot: u16,
    conflicts: Option<&ConflictLog>,
) -> Result<(), String> {
    let src = &ctx.nodes[from];
    let dst = &ctx.nodes[to];
    let mut outcome = BatchOutcome::default();
    let mut mover = KeyMover {
        ctx,
        src,
        dst,
        pair: 0,
        batch_keys: ctx.batch_keys[from],
        db: 0,
        key_bytes: None,
        conflicts,
    };
    for _ in 0..DRAIN_PASSES {
        let drained = mover.drain(&[slot], &mut outcome);
        if let Some((_, reason)) = outcome.open.first() {
            return Err(reason.clone());
        }
        let left = confirm_empty(ctx, src, &drained).map_err(|e| e.to_string())?;
        if left.first() == Some(&0) {
            return Ok(());
        }
    }
    Err(format!(
        "keys of slot {slot} are still on {} after moving",
        src.addr
    ))
}

/// Slots whose IMPORTING and MIGRATING both succeeded, those refused (closed again), and
/// those whose state is unknown because the source stopped answering.
struct Opened {
    open: Vec<u16>,
    refused: Option<(Vec<u16>, String)>,
    unknown: Option<(Vec<u16>, String)>,
}

/// IMPORTING on the target for every slot, then MIGRATING on the source for those the target
/// accepted. A slot refused by the source is set STABLE again on the target: no client can
/// have been sent there, because only a migrating source redirects with ASK.
fn open_slots(
    ctx: &BatchContext<'_>,
    src: &Endpoint,
    dst: &Endpoint,
    slots: &[u16],
) -> Result<Opened, NodeError> {
    let replies = setslot_all(ctx, dst, slots, "IMPORTING", Some(&src.id))?;
    let (importing, mut refused) = split_ok(slots, &replies);
    let replies = match setslot_all(ctx, src, &importing, "MIGRATING", Some(&dst.id)) {
        Ok(replies) => replies,
        Err(err) => {
            // The source may have applied some of it: clients may already be sent to the
            // target, so these slots must be treated as open, never silently closed.
            return Ok(Opened {
                open: Vec::new(),
                refused: None,
                unknown: Some((importing, err.to_string())),
            });
        }
    };
    let (open, not_migrating) = split_ok(&importing, &replies);
    if !not_migrating.is_empty() {
        let failed: Vec<u16> = not_migrating.iter().map(|(s, _)| *s).collect();
        // Best effort: a target left importing without a migrating source is harmless and
        // `fix` closes it.
        let _ = setslot_all(ctx, dst, &failed, "STABLE", None);
        refused.extend(not_migrating);
    }
    let refused = (!refused.is_empty()).then(|| {
        let (slot, text) = &refused[0];
        let slots: Vec<u16> = refused.iter().map(|(s, _)| *s).collect();
        (
            slots,
            format!(
                "slot {slot}: CLUSTER SETSLOT refused ({text}); {} slot(s) not moved",
                refused.len()
            ),
        )
    });
    Ok(Opened {
        open,
        refused,
        unknown: None,
    })
}

/// `CLUSTER SETSLOT <slot> <state> [node]` for every slot on `node`; raw replies.
fn setslot_all(
    ctx: &BatchContext<'_>,
    node: &Endpoint,
    slots: &[u16],
    state: &str,
    peer: Option<&str>,
) -> Result<Vec<Value>, NodeError> {
    setslot::send(ctx.cache, node, setslot::each(slots, state, peer))
}

/// The error of a SETSLOT that `node` refused.
fn refused(node: &Endpoint, slot: u16, text: &str) -> NodeError {
    NodeError {
        addr: node.addr.clone(),
        kind: ErrorKind::Server,
        message: format!("CLUSTER SETSLOT {slot} NODE failed: {text}"),
    }
}

/// Splits `slots` by reply: those answered OK, and those answered with an error (and its text).
fn split_ok(slots: &[u16], replies: &[Value]) -> (Vec<u16>, Vec<(u16, String)>) {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for (slot, reply) in slots.iter().zip(replies) {
        match reply {
            Value::ServerError(err) => failed.push((*slot, server_error_text(err))),
            _ => ok.push(*slot),
        }
    }
    (ok, failed)
}

/// Keys of each slot left on the source, over every database it has (COUNTKEYSINSLOT,
/// pipelined per database): what decides whether a slot may be announced as moved.
fn confirm_empty(
    ctx: &BatchContext<'_>,
    src: &Endpoint,
    slots: &[u16],
) -> Result<Vec<u64>, NodeError> {
    if slots.is_empty() {
        return Ok(Vec::new());
    }
    let mut source = ctx.cache.lease(&src.addr)?;
    let counts = count_keys(&mut source, slots, src.server.cluster_databases)
        .inspect_err(|_| source.discard())?;
    Ok(counts.totals())
}

/// SETSLOT NODE on the target first (see [`claim_on_target`]), then on the source; the other
/// masters are told in the background by the [`Announcer`]. The source may have turned into
/// a replica of the target once its last slot left (cluster-allow-replica-migration): see
/// [`source_let_go`].
fn assign_slots(
    ctx: &BatchContext<'_>,
    batch: &SlotBatch,
    src: &Endpoint,
    dst: &Endpoint,
    slots: &[u16],
) -> Result<(), NodeError> {
    if slots.is_empty() {
        return Ok(());
    }
    let replies = claim_on_target(ctx, dst, slots)?;
    if let Some((slot, text)) = split_ok(slots, &replies).1.first() {
        return Err(refused(dst, *slot, text));
    }
    // The target owns the slots now. A source that lost its last slot may turn into a
    // replica meanwhile: Valkey then unblocks its pending SETSLOTs (UNBLOCKED), answers that
    // its replicas did not acknowledge (NOREPLICAS), or closes the connection; once it is a
    // replica it has no slot state left. Those replies count as done, as valkey-cli counts
    // them; a broken connection is retried once on a new one.
    let replies = match setslot_all(ctx, src, slots, "NODE", Some(&dst.id)) {
        Ok(replies) => replies,
        Err(err) if err.kind == ErrorKind::Io => {
            setslot_all(ctx, src, slots, "NODE", Some(&dst.id))?
        }
        Err(err) => return Err(err),
    };
    if let Some((slot, text)) = split_ok(slots, &replies)
        .1
        .iter()
        .find(|(_, text)| !source_let_go(text))
    {
        return Err(refused(src, *slot, text));
    }
    ctx.announcer.push(slots, batch.from, batch.to);
    Ok(())
}

/// A source's answer to `SETSLOT NODE` that is fine once the target owns the slot: it is a
/// replica now, or it became one while the command waited for its replicas.
fn source_let_go(text: &str) -> bool {
    is_no_longer_master(text) || text.starts_with("UNBLOCKED") || text.starts_with("NOREPLICAS")
}

/// The target takes `slots`. Redis 7.0 answers each `SETSLOT NODE` that closes an importing
/// slot by broadcasting a PONG to every node, and every node then walks all 16384 slots per
/// PONG: for a batch of 256 slots that costs each node tens of milliseconds. So, in one
/// MULTI/EXEC, every slot but the last is first set STABLE (the same end state, without the
/// broadcast), and the last one closes as usual: its epoch bump and single broadcast carry the
/// whole batch. The transaction is what makes this safe: a slot set STABLE has lost the
/// importing flag that protects it from gossip, and until the epoch bump a PONG of the source
/// (a higher epoch, still claiming the slot) would hand it back to the source and make the
/// target delete the keys it just received. A server that replicates SETSLOT (Valkey >= 8)
/// blocks each one until its replicas acknowledge, which it cannot do inside MULTI (it aborts on
/// an assertion), so there every slot gets its own `SETSLOT NODE`, which clears the importing
/// flag and bumps the epoch in one step. Returns one reply per slot (its NODE's, or its
/// STABLE's when that failed); a server that refuses the transaction gets plain `SETSLOT NODE`.
fn claim_on_target(
    ctx: &BatchContext<'_>,
    target: &Endpoint,
    slots: &[u16],
) -> Result<Vec<Value>, NodeError> {
    let Some((&last, quiet)) = slots.split_last() else {
        return Ok(Vec::new());
    };
    if target.server.replicated_setslot() {
        return setslot_all(ctx, target, slots, "NODE", Some(&target.id));
    }
    let node = |slot| setslot::setslot(slot, "NODE", Some(&target.id));
    let mut pipe = redis::pipe();
    pipe.cmd("MULTI");
    for &slot in quiet {
        pipe.add_command(setslot::setslot(slot, "STABLE", None))
            .add_command(node(slot));
    }
    pipe.add_command(node(last)).cmd("EXEC");
    let mut conn = ctx.cache.lease(&target.addr)?;
    let exec = conn.pipeline(&pipe).inspect_err(|_| conn.discard())?.pop();
    drop(conn);
    match exec {
        Some(Value::Array(replies)) if replies.len() == quiet.len() * 2 + 1 => {
            // Per slot: the STABLE reply if it failed, else the NODE reply; the last slot
            // has only its NODE reply.
            let mut replies = replies;
            let last_reply = replies.pop().unwrap_or(Value::Nil);
            let mut per_slot: Vec<Value> = replies
                .chunks_exact_mut(2)
                .map(|pair| match &pair[0] {
                    Value::ServerError(_) => std::mem::replace(&mut pair[0], Value::Nil),
                    _ => std::mem::replace(&mut pair[1], Value::Nil),
                })
                .collect();
            per_slot.push(last_reply);
            Ok(per_slot)
        }
        _ => setslot_all(ctx, target, slots, "NODE", Some(&target.id)),
    }
}

/// The refusal of SETSLOT by a node that is (now) a replica.
pub(crate) fn is_no_longer_master(text: &str) -> bool {
    text.contains("only with masters") || text.contains("only with primaries")
}
