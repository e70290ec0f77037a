#!/usr/bin/env bash
# Benchmark: the load-aware rebalance planner (`rebalance --by`, src/cluster/plan/load_balance.rs)
# on synthetic clusters of 3, 100 and 1000 masters x 16384 slots with skewed CPU loads (a tenth
# of the masters three times as loaded, one slot in 500 twenty times as hot), memory as the
# cost and key counts. Pure computation, no server: runs the ignored unit test
# `bench_load_balance_planner` in a release build, which plans each size 5 times and prints
# the best time, the slots moved, the imbalance before and after and the worst master's
# distance from its target (threshold 2%). No assertion on time.
#
#   scripts/bench-planner.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --lib bench_load_balance_planner -- --ignored --nocapture
