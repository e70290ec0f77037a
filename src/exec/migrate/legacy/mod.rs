//! The MIGRATE engine: rcluster moves the keys itself, for every server.
//!
//! The pairs' slots are cut into batches of one source/target pair (up to 256 slots and about
//! 20 000 keys each); `parallel` workers take batches round-robin over the pairs, so several
//! sources and targets work at once, and each batch changes slot states with one pipeline per
//! node and moves keys with pipelined MIGRATEs. Ctrl-C stops taking batches and finishes
//! those in flight.
//!
//! This file runs the workers; [`batch`] moves one batch (slot states, in the specification's
//! order), [`keys`] moves its keys, [`setslot`] sends SETSLOT the way each server needs it,
//! [`schedule`] hands out batches, [`announce`] tells the other masters in the background.

pub(crate) mod announce;
pub(crate) mod batch;
pub(crate) mod keys;
pub(crate) mod schedule;
pub(crate) mod setslot;

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::{EngineOutcome, Observer, OpenSlot, PairReport, Run, keys_in};
use crate::cluster::plan::engine::Engine;
use crate::cluster::plan::moves::PairMoves;
use crate::exec::interrupt;
use crate::exec::throttle::Throttle;
use announce::Announcer;
use batch::{BatchContext, BatchOutcome, SlotBatch, move_batch};
use schedule::BatchQueue;

/// Most slots in one batch.
const BATCH_SLOTS: usize = 256;
/// Keys in one batch, beyond which a new batch starts (a batch holds at least one slot).
const BATCH_KEYS: u64 = 20_000;
/// Most of a `--max-keys-per-sec` budget one batch of slots carries.
const THROTTLED_BATCH: Duration = Duration::from_millis(250);
/// How often progress is refreshed.
const TICK: Duration = Duration::from_millis(100);

/// Moves the pairs whose engine is [`Engine::Legacy`], adding what happened to `outcome`.
pub(super) fn run(run: &Run<'_>, observer: &mut dyn Observer, outcome: &mut EngineOutcome) {
    let job = run.job;
    let pairs = run.pairs;
    let tally = run.tally;
    let batch_keys = batch_keys_limit(run.settings.throttle.as_deref());
    let batches = cut_batches(pairs, run.engines, &run.prep.keys_per_slot, batch_keys);
    let masters: Vec<usize> = (0..job.nodes.len())
        .filter(|&i| job.nodes[i].is_master && job.nodes[i].reachable)
        .collect();
    let announcer = Announcer::default();
    let ctx = BatchContext {
        nodes: job.nodes,
        cache: run.cache,
        settings: run.settings,
        batch_keys: &run.prep.batch_keys,
        tally,
        announcer: &announcer,
    };
    let remaining: Vec<AtomicUsize> = (0..pairs.len())
        .map(|p| AtomicUsize::new(batches.iter().filter(|b| b.pair == p).count()))
        .collect();
    let pair_started: Vec<Mutex<Option<Instant>>> =
        pairs.iter().map(|_| Mutex::new(None)).collect();
    let queue = BatchQueue::new(batches, job.nodes.len());
    let outcomes: Mutex<Vec<(SlotBatch, BatchOutcome)>> = Mutex::new(Vec::new());
    let finished_pairs: Mutex<Vec<(usize, Duration)>> = Mutex::new(Vec::new());
    let workers = run.settings.parallel.clamp(1, 256);
    let active = AtomicUsize::new(workers);
    // Each worker holds a sender; the progress loop wakes when the last one is dropped.
    let (all_done, finished) = std::sync::mpsc::channel::<()>();

    std::thread::scope(|scope| {
        scope.spawn(|| announcer.run(job.nodes, &masters, run.cache));
        for _ in 0..workers {
            let all_done = all_done.clone();
            scope.spawn(|| {
                let _all_done = all_done;
                while !interrupt::requested() {
                    let Some(batch) = queue.take() else {
                        break;
                    };
                    pair_started[batch.pair]
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_or_insert_with(Instant::now);
                    let outcome = {
                        // Frees the source's place even if moving panics, so that the other
                        // workers never wait for it forever.
                        let _in_flight = queue.in_flight(batch.from);
                        move_batch(&ctx, &batch)
                    };
                    tally
                        .slots
                        .fetch_add(outcome.moved.len(), Ordering::Relaxed);
                    if outcome.error.is_some() {
                        queue.stop();
                    }
                    let pair = batch.pair;
                    outcomes
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((batch, outcome));
                    if remaining[pair].fetch_sub(1, Ordering::SeqCst) == 1 {
                        let since = pair_started[pair]
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .map_or(Duration::ZERO, |t| t.elapsed());
                        finished_pairs
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((pair, since));
                    }
                }
                if active.fetch_sub(1, Ordering::SeqCst) == 1 {
                    // The last worker: no more news for the other masters.
                    announcer.close();
                }
            });
        }
        drop(all_done);
        // The calling thread shows progress until the workers are done.
        loop {
            let done = matches!(
                finished.recv_timeout(TICK),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected)
            );
            observer.progress(
                tally.slots.load(Ordering::Relaxed),
                tally.keys.load(Ordering::Relaxed),
            );
            let finished: Vec<(usize, Duration)> =
                std::mem::take(&mut *finished_pairs.lock().unwrap_or_else(|e| e.into_inner()));
            for (p, elapsed) in finished {
                let outcomes = outcomes.lock().unwrap_or_else(|e| e.into_inner());
                observer.pair_done(&pair_report(run, p, &outcomes, elapsed));
            }
            if done {
                break;
            }
        }
    });

    let outcomes = outcomes.into_inner().unwrap_or_else(|e| e.into_inner());
    for (p, _) in run
        .engines
        .iter()
        .enumerate()
        .filter(|(_, e)| **e == Engine::Legacy)
    {
        let elapsed = pair_started[p]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map_or(Duration::ZERO, |t| t.elapsed());
        outcome
            .pairs
            .push((p, pair_report(run, p, &outcomes, elapsed)));
    }
    for (batch, result) in &outcomes {
        for (slot, reason) in &result.open {
            outcome.open_slots.push(OpenSlot {
                slot: *slot,
                from: job.nodes[batch.from].addr.to_string(),
                to: job.nodes[batch.to].addr.to_string(),
                reason: reason.clone(),
            });
        }
        if outcome.error.is_none() {
            outcome.error.clone_from(&result.error);
        }
        outcome
            .moved
            .extend(result.moved.iter().map(|&s| (s, batch.to)));
    }
}

/// Keys in one batch: [`BATCH_KEYS`], or [`THROTTLED_BATCH`] of a `--max-keys-per-sec`
/// throttle when that is less, so that a batch's slots do not stay open (clients redirected
/// with ASK to the keys already moved) and Ctrl-C does not wait for long.
fn batch_keys_limit(throttle: Option<&Throttle>) -> u64 {
    throttle
        .and_then(|t| t.limits().keys_per_sec)
        .map_or(BATCH_KEYS, |rate| {
            let budget = rate as f64 * THROTTLED_BATCH.as_secs_f64();
            (budget as u64).clamp(1, BATCH_KEYS)
        })
}

/// Batches of up to [`BATCH_SLOTS`] slots and about `max_keys` keys for each pair whose
/// engine is [`Engine::Legacy`], queued round-robin over the pairs so that every pair makes
/// progress at once.
fn cut_batches(
    pairs: &[PairMoves],
    engines: &[Engine],
    keys_per_slot: &[(u16, u64)],
    max_keys: u64,
) -> Vec<SlotBatch> {
    let mut per_pair: Vec<VecDeque<SlotBatch>> = Vec::new();
    for (p, pair) in pairs.iter().enumerate() {
        if engines.get(p) != Some(&Engine::Legacy) {
            continue;
        }
        let mut batches = VecDeque::new();
        let mut current = SlotBatch {
            pair: p,
            from: pair.from,
            to: pair.to,
            slots: Vec::new(),
        };
        let mut keys = 0u64;
        for slot in pair.slots.iter() {
            let n = keys_in(keys_per_slot, slot);
            if !current.slots.is_empty()
                && (current.slots.len() >= BATCH_SLOTS || keys + n > max_keys)
            {
                let next = SlotBatch {
                    slots: Vec::new(),
                    ..current.clone()
                };
                batches.push_back(std::mem::replace(&mut current, next));
                keys = 0;
            }
            current.slots.push(slot);
            keys += n;
        }
        if !current.slots.is_empty() {
            batches.push_back(current);
        }
        per_pair.push(batches);
    }
    let mut out = Vec::new();
    while per_pair.iter().any(|b| !b.is_empty()) {
        for batches in &mut per_pair {
            if let Some(batch) = batches.pop_front() {
                out.push(batch);
            }
        }
    }
    out
}

fn pair_report(
    run: &Run<'_>,
    p: usize,
    outcomes: &[(SlotBatch, BatchOutcome)],
    elapsed: Duration,
) -> PairReport {
    let moved = outcomes
        .iter()
        .filter(|(b, _)| b.pair == p)
        .map(|(_, o)| o.moved.len())
        .sum();
    let error = outcomes
        .iter()
        .filter(|(b, _)| b.pair == p)
        .find_map(|(_, o)| o.error.clone());
    run.pair_report(p, Engine::Legacy, moved, elapsed, error)
}

#[cfg(test)]
mod tests {
    use super::super::tests::pair;
    use super::*;
    use crate::exec::throttle::Limits;

    #[test]
    fn batches_are_bounded_and_round_robin() {
        let pairs = vec![pair(0, 2, 0..=299), pair(1, 2, 1000..=1029)];
        let keys: Vec<(u16, u64)> = (0..=299u16)
            .map(|s| (s, 10))
            .chain((1000..=1029).map(|s| (s, 15_000)))
            .collect();
        let batches = cut_batches(&pairs, &[Engine::Legacy; 2], &keys, BATCH_KEYS);
        // Pair 0: 256 + 44 slots; pair 1: one slot per batch (15 000 keys each).
        assert_eq!(batches.len(), 2 + 30);
        assert_eq!(batches[0].pair, 0);
        assert_eq!(batches[1].pair, 1);
        assert_eq!(batches[2].pair, 0);
        assert_eq!(batches[0].slots.len(), BATCH_SLOTS);
        assert_eq!(batches[2].slots.len(), 300 - BATCH_SLOTS);
        assert!(
            batches[3..]
                .iter()
                .all(|b| b.pair == 1 && b.slots.len() == 1)
        );
        let total: usize = batches.iter().map(|b| b.slots.len()).sum();
        assert_eq!(total, 330);
    }

    #[test]
    fn pairs_of_the_other_engine_get_no_batch() {
        let pairs = vec![pair(0, 2, 0..=9), pair(1, 2, 100..=109)];
        let batches = cut_batches(&pairs, &[Engine::Atomic, Engine::Legacy], &[], BATCH_KEYS);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].pair, 1);
    }

    #[test]
    fn a_key_throttle_caps_a_batch_at_a_quarter_second_of_budget() {
        let limits = |keys| Throttle::new(Limits::new(Some(keys), None));
        assert_eq!(batch_keys_limit(None), BATCH_KEYS);
        assert_eq!(batch_keys_limit(limits(20_000).as_ref()), 5000);
        assert_eq!(batch_keys_limit(limits(2).as_ref()), 1);
        assert_eq!(batch_keys_limit(limits(1_000_000).as_ref()), BATCH_KEYS);
        let bytes_only = Throttle::new(Limits::new(None, Some(1000)));
        assert_eq!(batch_keys_limit(bytes_only.as_ref()), BATCH_KEYS);
        // 61 keys per slot, 5000 keys per batch: 81 slots per batch.
        let keys: Vec<(u16, u64)> = (0..=999u16).map(|s| (s, 61)).collect();
        let batches = cut_batches(&[pair(0, 1, 0..=999)], &[Engine::Legacy], &keys, 5000);
        assert_eq!(batches[0].slots.len(), 81);
        assert!(batches.iter().all(|b| b.slots.len() as u64 * 61 <= 5000));
    }
}
