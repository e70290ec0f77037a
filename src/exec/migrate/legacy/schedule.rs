//! Which batch a worker takes next. A source serves MIGRATE one at a time (the command blocks
//! its event loop), so more than a couple of batches per source only hold slots open longer
//! without moving keys faster; the queue therefore hands out a batch only when its source has
//! fewer than [`PER_SOURCE`] in flight, and lets workers serve other pairs meanwhile.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

use super::batch::SlotBatch;
use super::interrupt;

/// Batches of one source in flight at once: one moving keys while the next opens its slots
/// or the previous one announces its new owners.
const PER_SOURCE: usize = 2;

/// The batches still to move, and how many of each source are in flight.
pub(crate) struct BatchQueue {
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    waiting: VecDeque<SlotBatch>,
    in_flight: Vec<usize>,
    stopped: bool,
}

impl BatchQueue {
    /// A queue of `batches` over `nodes` node indices.
    pub(crate) fn new(batches: Vec<SlotBatch>, nodes: usize) -> Self {
        BatchQueue {
            state: Mutex::new(State {
                waiting: batches.into(),
                in_flight: vec![0; nodes],
                stopped: false,
            }),
            freed: Condvar::new(),
        }
    }

    /// The next batch whose source has room, waiting while every waiting batch's source is
    /// busy; `None` when nothing is left or the queue was stopped.
    pub(crate) fn take(&self) -> Option<SlotBatch> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            // After Ctrl-C no new batch starts: the ones in flight finish.
            if state.stopped || state.waiting.is_empty() || interrupt::requested() {
                return None;
            }
            let ready = state
                .waiting
                .iter()
                .position(|b| state.in_flight[b.from] < PER_SOURCE);
            if let Some(i) = ready {
                let batch = state.waiting.remove(i)?;
                state.in_flight[batch.from] += 1;
                return Some(batch);
            }
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// A guard that marks the batch of source `from` done when dropped; if it is dropped by a
    /// panic, the queue stops handing out batches.
    pub(crate) fn in_flight(&self, from: usize) -> InFlight<'_> {
        InFlight { queue: self, from }
    }

    /// Marks a batch of source `from` as done.
    pub(crate) fn done(&self, from: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.in_flight[from] = state.in_flight[from].saturating_sub(1);
        self.freed.notify_all();
    }

    /// Hands out no more batches.
    pub(crate) fn stop(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.stopped = true;
        self.freed.notify_all();
    }
}

/// A batch being moved; see [`BatchQueue::in_flight`].
pub(crate) struct InFlight<'a> {
    queue: &'a BatchQueue,
    from: usize,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.queue.stop();
        }
        self.queue.done(self.from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(from: usize, slot: u16) -> SlotBatch {
        SlotBatch {
            pair: from,
            from,
            to: 9,
            slots: vec![slot],
        }
    }

    #[test]
    fn sources_get_at_most_their_share() {
        let queue = BatchQueue::new(vec![batch(0, 1), batch(0, 2), batch(0, 3), batch(1, 4)], 10);
        assert_eq!(queue.take().unwrap().slots, vec![1]);
        assert_eq!(queue.take().unwrap().slots, vec![2]);
        // Source 0 is full: source 1's batch comes first.
        assert_eq!(queue.take().unwrap().slots, vec![4]);
        queue.done(0);
        assert_eq!(queue.take().unwrap().slots, vec![3]);
        assert!(queue.take().is_none());
    }

    #[test]
    fn a_panicking_batch_frees_its_place_and_stops_the_queue() {
        let queue = BatchQueue::new(vec![batch(0, 1), batch(0, 2), batch(0, 3)], 1);
        let first = queue.take().unwrap();
        let second = queue.take().unwrap();
        std::thread::scope(|s| {
            let _ = s
                .spawn(|| {
                    let _guard = queue.in_flight(first.from);
                    panic!("a bug while moving");
                })
                .join();
        });
        drop(queue.in_flight(second.from));
        assert!(queue.take().is_none(), "stopped after the panic");
    }

    #[test]
    fn stop_ends_the_queue() {
        let queue = BatchQueue::new(vec![batch(0, 1)], 1);
        queue.stop();
        assert!(queue.take().is_none());
    }
}
