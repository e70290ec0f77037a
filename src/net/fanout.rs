//! Running one piece of work against many nodes at once.
//!
//! Why threads and not async: every cluster-manager job is a handful of round trips per node
//! (a pipelined probe, a SETSLOT batch, a MIGRATE loop), so a node costs one OS thread for a
//! few milliseconds. Scoped threads over the sync `redis::Connection` give the same wall clock
//! as an async runtime (the slowest node, not the sum), keep the execution code plain
//! sequential Rust that reads like the protocol, and avoid a runtime plus ~20 extra crates.
//! The pool is bounded so that a 1000-node cluster does not open 1000 sockets at once.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Default bound on concurrent node connections.
pub(crate) const DEFAULT_PARALLELISM: usize = 256;

/// Runs `work` on every item with at most `limit` threads and returns the results in the
/// order of `items`, so that rendering stays deterministic.
pub(crate) fn fan_out<T, R, F>(items: &[T], limit: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    if items.len() <= 1 {
        return items.iter().map(&work).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let workers = limit.clamp(1, items.len());
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(item);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every item is processed exactly once")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn keeps_input_order() {
        let items: Vec<u64> = (0..50).collect();
        let out = fan_out(&items, 8, |&i| {
            thread::sleep(Duration::from_millis(50 - i));
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn runs_concurrently() {
        let items: Vec<u32> = (0..40).collect();
        let start = Instant::now();
        fan_out(&items, 64, |_| thread::sleep(Duration::from_millis(100)));
        assert!(
            start.elapsed() < Duration::from_millis(1000),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn empty_and_single() {
        let none: Vec<u8> = Vec::new();
        assert!(fan_out(&none, 4, |x| *x).is_empty());
        assert_eq!(fan_out(&[7u8], 4, |x| *x + 1), vec![8]);
    }
}
