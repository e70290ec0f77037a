//! Telling the masters that take no part in a move about the slots' new owners.
//!
//! The target and the source are told by the batch itself (target first, as the cluster
//! specification asks). Everyone else would learn by gossip anyway, since the target bumped
//! its epoch; telling them directly only makes the cluster agree sooner. So their
//! `SETSLOT NODE` commands are queued here and sent by one background thread, many batches
//! coalesced into one pipeline per master, instead of costing every batch a round trip and a
//! config save on every master.

use std::sync::{Condvar, Mutex};

use crate::net::conncache::ConnCache;
use crate::net::fanout::fan_out;

use super::setslot;
use crate::exec::migrate::Endpoint;

/// Slots that now belong to `to`, moved away from `from` (node indices).
struct Moved {
    slots: Vec<u16>,
    from: usize,
    to: usize,
}

/// The queue of announcements and its sender.
pub(crate) struct Announcer {
    queue: Mutex<(Vec<Moved>, bool)>,
    wake: Condvar,
}

impl Default for Announcer {
    fn default() -> Self {
        Announcer {
            queue: Mutex::new((Vec::new(), false)),
            wake: Condvar::new(),
        }
    }
}

impl Announcer {
    /// Queues the news that `slots` moved from node `from` to node `to`.
    pub(crate) fn push(&self, slots: &[u16], from: usize, to: usize) {
        if slots.is_empty() {
            return;
        }
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.0.push(Moved {
            slots: slots.to_vec(),
            from,
            to,
        });
        self.wake.notify_one();
    }

    /// Tells the sender to finish what is queued and return.
    pub(crate) fn close(&self) {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.1 = true;
        self.wake.notify_one();
    }

    /// Sends queued announcements to the `masters` (node indices into `nodes`) until
    /// [`Announcer::close`] was called and the queue is empty. Failures are ignored: gossip
    /// carries the news too.
    pub(crate) fn run(&self, nodes: &[Endpoint], masters: &[usize], cache: &ConnCache) {
        loop {
            let (work, closed) = {
                let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
                while queue.0.is_empty() && !queue.1 {
                    queue = self.wake.wait(queue).unwrap_or_else(|e| e.into_inner());
                }
                (std::mem::take(&mut queue.0), queue.1)
            };
            if !work.is_empty() {
                send(nodes, masters, cache, &work);
            }
            if closed
                && self
                    .queue
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .0
                    .is_empty()
            {
                return;
            }
        }
    }
}

/// One pipeline per master with every news item that concerns it.
fn send(nodes: &[Endpoint], masters: &[usize], cache: &ConnCache, work: &[Moved]) {
    fan_out(masters, masters.len().max(1), |&m| {
        let groups: Vec<Vec<redis::Cmd>> = work
            .iter()
            .filter(|w| w.from != m && w.to != m)
            .flat_map(|moved| setslot::each(&moved.slots, "NODE", Some(&nodes[moved.to].id)))
            .collect();
        // Best effort: gossip carries the new owners too, and the engine waits for them.
        let _ = setslot::send(cache, &nodes[m], groups);
    });
}
