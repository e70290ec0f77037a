//! The walks after the hill-climbing: redis-cli's walk with a fixed-seed generator, one with
//! three-way exchanges, one annealed.

use super::*;

/// Walk effort, as in redis-cli: iterations per node of the cluster...
pub(super) const WALK_ITERATIONS_PER_NODE: usize = 500;

/// ...up to this many (reached from 400 nodes; a step here moves counts, and with three-way
/// exchanges goes further than one of redis-cli's).
pub(super) const WALK_MAX_ITERATIONS: usize = 200_000;

/// Phases of the walk: worsening moves are accepted less and less, then not at all.
pub(super) const WALK_PHASES: usize = 5;

/// Seed of the replica-placement walk (fixed: plans are reproducible).
pub(super) const WALK_SEED: u64 = 0x5EED_C1A5_7E12_0001;

/// SplitMix64: a tiny deterministic generator for the walk.
pub(super) struct SplitMix64(pub(super) u64);

impl SplitMix64 {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One walk of the search: redis-cli's walk (pick an offending group, exchange the master of
/// one of its replicas with the master of a random replica, keep the exchange unless the score
/// rose) with a fixed seed, optionally with three-way exchanges and with annealing.
pub(super) struct Walk {
    /// Seed of the walk's SplitMix64.
    pub(super) seed: u64,
    /// Half the moves are three-way exchanges (`i` gives a replica's host to `j`, `j` to `k`,
    /// `k` to `i`).
    pub(super) cycles: bool,
    /// A rise of `delta` (below 10000: never one more replica on its master's host) is
    /// accepted with probability `2^-(delta * s)`, `s` going 1, 2, 3, 4 over the first four
    /// fifths of the walk; no rise in the last fifth (nor at all without annealing).
    pub(super) anneal: bool,
}

/// The walks run one after the other from the best assignment so far, each keeping the best it
/// sees: they find different improvements, and neither alone is as reliable.
pub(super) const WALKS: [Walk; 2] = [
    Walk {
        seed: WALK_SEED,
        cycles: true,
        anneal: false,
    },
    Walk {
        seed: WALK_SEED ^ 0xA11E_A1ED,
        cycles: false,
        anneal: true,
    },
];

impl Walk {
    /// Runs `iterations` steps (fewer when `bound` is reached) from `a`; returns the best
    /// assignment seen.
    pub(super) fn run(&self, p: &Problem, mut a: Assign, bound: u64, iterations: usize) -> Assign {
        let t = p.cand_host.len();
        let mut starts = Vec::with_capacity(p.masters() + 1);
        let mut sum = 0;
        for &d in &p.demand {
            starts.push(sum);
            sum += d;
        }
        // Masters with an offending group, and each master's position in that list.
        let mut offenders: Vec<usize> = Vec::new();
        let mut position = vec![usize::MAX; p.masters()];
        let refresh =
            |a: &Assign, i: usize, offenders: &mut Vec<usize>, position: &mut [usize]| match (
                a.is_offending(p, i),
                position[i] != usize::MAX,
            ) {
                (true, false) => {
                    position[i] = offenders.len();
                    offenders.push(i);
                }
                (false, true) => {
                    let at = position[i];
                    offenders.swap_remove(at);
                    if let Some(&moved) = offenders.get(at) {
                        position[moved] = at;
                    }
                    position[i] = usize::MAX;
                }
                _ => {}
            };
        for i in 0..p.masters() {
            refresh(&a, i, &mut offenders, &mut position);
        }
        let mut best = a.clone();
        let mut rng = SplitMix64(self.seed);
        // A random replica: uniform over all replica slots.
        let sample = |a: &Assign, rng: &mut SplitMix64| -> Option<(usize, usize)> {
            let slot = rng.below(t);
            let j = starts.partition_point(|&s| s <= slot) - 1;
            let mut offset = slot - starts[j];
            for &(host, k) in a.row(j) {
                if offset < k {
                    return Some((j, host));
                }
                offset -= k;
            }
            None
        };
        for step in 0..iterations {
            if best.score <= bound || offenders.is_empty() {
                break;
            }
            let strictness = if self.anneal {
                1 + step * WALK_PHASES / iterations
            } else {
                WALK_PHASES
            };
            let accept = |delta: i64, rng: &mut SplitMix64| {
                delta <= 0
                    || (strictness < WALK_PHASES
                        && delta < OWN_HOST_WEIGHT as i64
                        && rng.next() & ((1u64 << (delta as usize * strictness).min(63)) - 1) == 0)
            };
            let i = offenders[rng.below(offenders.len())];
            let offending = a.row(i).iter().filter(|&&(h, k)| p.offending(i, h, k));
            let pick = rng.below(offending.clone().count());
            let Some(&(h, _)) = offending.clone().nth(pick) else {
                continue;
            };
            let Some((j, b)) = sample(&a, &mut rng) else {
                continue;
            };
            if j == i || b == h {
                continue;
            }
            let first = a.swap_delta(p, i, h, j, b);
            let cycle = self.cycles && rng.below(2) == 0;
            if !cycle {
                if !accept(first, &mut rng) {
                    continue;
                }
                a.swap(i, h, j, b, first);
            } else {
                // Three-way: `i` gives `h` to `j` and takes `j`'s `b`, then gives `b` to `k` and
                // takes `k`'s `c`.
                let Some((k, c)) = sample(&a, &mut rng) else {
                    continue;
                };
                if k == i || k == j || c == b {
                    continue;
                }
                a.swap(i, h, j, b, first);
                let second = a.swap_delta(p, i, b, k, c);
                if !accept(first + second, &mut rng) {
                    a.swap(j, h, i, b, -first);
                    continue;
                }
                a.swap(i, b, k, c, second);
                refresh(&a, k, &mut offenders, &mut position);
            }
            refresh(&a, i, &mut offenders, &mut position);
            refresh(&a, j, &mut offenders, &mut position);
            if a.score < best.score {
                best = a.clone();
            }
        }
        best
    }
}
