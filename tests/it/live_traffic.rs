//! Live traffic (issue 21): a real cluster client (the redis crate's `ClusterClient`) writes and
//! reads through every mutating command, on 3 masters + 3 replicas with tens of thousands of
//! keys, on whichever server the harness runs (`scripts/test` runs this file on all six).
//!
//! The traffic: [`WRITERS`] threads, each with its own cluster connection, SET unique keys
//! (every acknowledged key and value is recorded), INCR shared counters (every acknowledged
//! increment is counted), GET earlier acknowledged keys (another value, or none, is a wrong
//! read), and every [`WAIT_EVERY`] operations `WAIT 1` on every master: when every master says
//! a replica has everything, what was acknowledged until then is "must survive" (a failover
//! may lose the rest). Errors the client surfaces after its own retries are counted per
//! command and kind, and printed after every step; they are not failures by themselves. The
//! writers stop by themselves after [`TRAFFIC_LIFETIME`] or [`MAX_OPS_PER_WRITER`]; they only
//! talk to loopback nodes. A writer whose SETs keep failing with I/O errors reconnects (the
//! client keeps a dead master's address: its WAIT to every master, and the SETs of the dead
//! master's slots, fail until then).
//!
//! After each command the traffic is paused and: no acknowledged write is lost (for a failover:
//! no must-survive write), every counter holds its acknowledged increments (at least its
//! must-survive ones for a failover), no wrong read happened, every node (replicas included)
//! agrees and shows no open slot, every replica caught up with its master, `rcluster check`
//! and `redis-cli --cluster check` pass, and no server log holds a crash report.
//!
//! 1. One cluster through reshard, add-node (master), rebalance onto the empty master, drain
//!    it by weight 0, del-node, add-node --replica, failover of a replica, a second reshard.
//! 2. rcluster SIGKILLed in the middle of a reshard (default engine, then `--engine legacy`),
//!    then `fix`, with the traffic on.
//! 3. The source master, and separately the target master, SIGKILLed in the middle of a
//!    reshard; the cluster promotes its replica; `fix`, then `del-node` of the dead master:
//!    every must-survive write kept (a counter's increments counted with the copy `fix` saved
//!    to its conflicts file when the key existed on two masters), the cluster clean. On a
//!    server that does not replicate slot states (Redis), the promoted replica answers for
//!    keys that had already moved until `fix` closes the slot: such reads of nothing are
//!    counted and allowed there, never another value.
//!
//! Sizes fit CI (about a minute per server on 2 cores); `scripts/traffic-test.sh` runs the same
//! tests bigger and repeatedly through the `LIVE_TRAFFIC_*` variables (see [`Sizes`]).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::common::{
    CRASH_MARKERS, Feature, Node, NodeOpts, RunOutput, Spawned, TestCluster, assert_healthy,
    has_feature, hex_bytes, key_slot, load_keys, open_slot_nodes, poll_until, require, run,
    served_slots, server_label, settled, signal,
};

// ---------------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------------

/// Writer threads of the traffic.
const WRITERS: usize = 4;
/// Counters (`lt-counter:N`) the writers INCR.
const COUNTERS: usize = 64;
/// A writer sends `WAIT 1 WAIT_MS` to every master after this many iterations.
const WAIT_EVERY: u64 = 16;
/// Milliseconds of that WAIT (a master without replica makes it wait that long: keep it short).
const WAIT_MS: u64 = 100;
/// A writer stops by itself after this long...
const TRAFFIC_LIFETIME: Duration = Duration::from_secs(600);
/// ...or after this many iterations.
const MAX_OPS_PER_WRITER: u64 = 2_000_000;
/// Attempts of the client per command (its default is 16, with backoff: over a minute).
const CLIENT_RETRIES: u32 = 4;
/// A writer whose connection gave this many I/O errors opens a new one.
const RECONNECT_AFTER: u32 = 50;
/// How long the traffic may take to pause (an operation in the client's retries).
const PAUSE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the nodes may take to agree, and replicas to catch up, after a command.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long after the move is seen under way rcluster is SIGKILLed, per round.
const KILL_DELAYS: [Duration; 6] = [
    Duration::from_millis(0),
    Duration::from_millis(200),
    Duration::from_millis(60),
    Duration::from_millis(400),
    Duration::from_millis(20),
    Duration::from_millis(300),
];

/// Sizes of a run: CI's by default, bigger through the environment (scripts/traffic-test.sh).
struct Sizes {
    /// Keys loaded before the traffic starts (`LIVE_TRAFFIC_KEYS`).
    keys: usize,
    /// Slots of the first reshard (`LIVE_TRAFFIC_SLOTS`); the second moves two thirds of it.
    slots: usize,
    /// Rounds of the SIGKILL test (`LIVE_TRAFFIC_KILL_ROUNDS`), alternating engines.
    kill_rounds: usize,
    /// `--engine` of the reshard whose source or target master is killed
    /// (`LIVE_TRAFFIC_ENGINE`: auto, atomic or legacy; default legacy: Valkey's atomic
    /// migration can lose the moved keys when a master of either shard fails over at the end
    /// of the move, valkey-io/valkey#2724, which the `..._atomic` tests reproduce).
    master_kill_engine: String,
}

impl Sizes {
    fn get() -> Sizes {
        let var = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .map(|v| {
                    v.parse()
                        .unwrap_or_else(|_| panic!("{name}: not a number: {v:?}"))
                })
                .unwrap_or(default)
        };
        Sizes {
            keys: var("LIVE_TRAFFIC_KEYS", 60_000),
            slots: var("LIVE_TRAFFIC_SLOTS", 4000),
            kill_rounds: var("LIVE_TRAFFIC_KILL_ROUNDS", 2),
            master_kill_engine: std::env::var("LIVE_TRAFFIC_ENGINE")
                .unwrap_or_else(|_| "legacy".to_string()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The traffic
// ---------------------------------------------------------------------------------------------

/// What one writer had acknowledged.
#[derive(Default)]
struct WriterLog {
    /// Every acknowledged SET, in order.
    acked: Vec<(String, String)>,
    /// How many of `acked` a replica of every master had, per the last WAIT that said so.
    durable_sets: usize,
    /// Acknowledged increments per counter.
    incr_acked: Vec<u64>,
    /// Increments per counter whose outcome is unknown (an I/O error or a timeout: the server
    /// may have applied it).
    incr_unknown: Vec<u64>,
    /// `incr_acked` at the last WAIT that said every master's replica had everything.
    incr_durable: Vec<u64>,
}

/// Counts shared by the writers; the per-step ones are taken (and reset) after each step.
#[derive(Default)]
struct Stats {
    /// Commands answered (replies and errors).
    ops: AtomicU64,
    /// The longest a command took, in microseconds (retries included).
    max_latency_us: AtomicU64,
    sets: AtomicU64,
    incrs: AtomicU64,
    gets: AtomicU64,
    waits: AtomicU64,
    /// WAITs answered with fewer than one replica somewhere (not an error: nothing is durable).
    waits_short: AtomicU64,
    /// GETs of an acknowledged key that returned another value (with the key).
    wrong_reads: Mutex<Vec<String>>,
    /// GETs that found no value for a key acknowledged but not yet must-survive (a failover
    /// may lose it; a wrong read anywhere else).
    missing_not_durable: Mutex<Vec<String>>,
    /// GETs that found no value for a must-survive key: a wrong read, but while a master that
    /// died mid-move is replaced on a server that does not replicate slot states (Redis), its
    /// promoted replica answers for keys that had already moved until fix closes the slot.
    missing_durable: Mutex<Vec<String>>,
    /// Errors surfaced by the client: `"COMMAND kind"` -> (count, first message).
    errors: Mutex<BTreeMap<String, (u64, String)>>,
}

impl Stats {
    /// One command answered after `since`.
    fn answered(&self, since: Instant) {
        self.ops.fetch_add(1, Ordering::Relaxed);
        let us = since.elapsed().as_micros() as u64;
        self.max_latency_us.fetch_max(us, Ordering::Relaxed);
    }

    /// Counts an event of the client that is not an error reply (a reconnection).
    fn note(&self, what: &str, detail: &str) {
        let mut errors = self.errors.lock().unwrap();
        let entry = errors
            .entry(what.to_string())
            .or_insert_with(|| (0, detail.to_string()));
        entry.0 += 1;
    }

    /// Counts an error the client surfaced; 1 when it is an I/O error, else 0.
    fn error(&self, command: &str, e: &redis::RedisError) -> u32 {
        let kind = e
            .code()
            .map(str::to_string)
            .unwrap_or_else(|| e.category().to_string());
        let mut errors = self.errors.lock().unwrap();
        let entry = errors
            .entry(format!("{command} {kind}"))
            .or_insert_with(|| (0, e.to_string()));
        entry.0 += 1;
        u32::from(e.is_io_error())
    }
}

/// An error after which the command may or may not have been applied.
fn outcome_unknown(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_timeout() || e.is_connection_dropped()
}

/// The writers and what they did.
struct Traffic {
    logs: Vec<Arc<Mutex<WriterLog>>>,
    stats: Arc<Stats>,
    paused: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    /// Writers parked while paused.
    parked: Arc<AtomicUsize>,
    /// Writers still running.
    running: Arc<AtomicUsize>,
    threads: Vec<JoinHandle<()>>,
}

/// What the traffic did during one step.
struct StepStats {
    ops: u64,
    max_latency: Duration,
    sets: u64,
    incrs: u64,
    gets: u64,
    waits: u64,
    waits_short: u64,
    errors: BTreeMap<String, (u64, String)>,
}

impl StepStats {
    fn errors_line(&self) -> String {
        if self.errors.is_empty() {
            return "no client error".to_string();
        }
        self.errors
            .iter()
            .map(|(kind, (n, first))| format!("{kind}: {n} (first: {first})"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Traffic {
    /// Starts the writers on `seeds` (paused: call [`Traffic::resume`]).
    fn start(seeds: &[String]) -> Traffic {
        let salt = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        let mut traffic = Traffic {
            logs: Vec::new(),
            stats: Arc::new(Stats::default()),
            paused: Arc::new(AtomicBool::new(true)),
            stop: Arc::new(AtomicBool::new(false)),
            parked: Arc::new(AtomicUsize::new(0)),
            running: Arc::new(AtomicUsize::new(WRITERS)),
            threads: Vec::new(),
        };
        for w in 0..WRITERS {
            let log = Arc::new(Mutex::new(WriterLog {
                incr_acked: vec![0; COUNTERS],
                incr_unknown: vec![0; COUNTERS],
                incr_durable: vec![0; COUNTERS],
                ..WriterLog::default()
            }));
            traffic.logs.push(Arc::clone(&log));
            let writer = Writer {
                index: w,
                seeds: seeds.to_vec(),
                log,
                stats: Arc::clone(&traffic.stats),
                paused: Arc::clone(&traffic.paused),
                stop: Arc::clone(&traffic.stop),
                parked: Arc::clone(&traffic.parked),
                rng: salt ^ (0x9e37_79b9_7f4a_7c15u64.wrapping_mul(w as u64 + 1)),
                salt,
            };
            let running = Arc::clone(&traffic.running);
            traffic.threads.push(thread::spawn(move || {
                writer.run();
                running.fetch_sub(1, Ordering::SeqCst);
            }));
        }
        traffic
    }

    /// Lets the writers go and waits until they are making progress.
    fn resume(&self) {
        let before = self.stats.ops.load(Ordering::Relaxed);
        self.paused.store(false, Ordering::SeqCst);
        poll_until("the traffic to run", Duration::from_secs(20), || {
            let done = self.stats.ops.load(Ordering::Relaxed) - before;
            match (done >= 200, self.running.load(Ordering::SeqCst)) {
                (true, _) => Ok(()),
                (false, 0) => Err("every writer has stopped".to_string()),
                (false, _) => Err(format!("{done} operations so far")),
            }
        });
    }

    /// Stops the writers between two operations and waits until all are parked.
    fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
        poll_until("the traffic to pause", PAUSE_TIMEOUT, || {
            let (parked, running) = (
                self.parked.load(Ordering::SeqCst),
                self.running.load(Ordering::SeqCst),
            );
            match parked >= running {
                true => Ok(()),
                false => Err(format!("{parked} of {running} writers parked")),
            }
        });
    }

    fn ops(&self) -> u64 {
        self.stats.ops.load(Ordering::Relaxed)
    }

    /// What the writers did since the last call (counts reset).
    fn take_step(&self) -> StepStats {
        let take = |a: &AtomicU64| a.swap(0, Ordering::Relaxed);
        StepStats {
            ops: take(&self.stats.ops),
            max_latency: Duration::from_micros(take(&self.stats.max_latency_us)),
            sets: take(&self.stats.sets),
            incrs: take(&self.stats.incrs),
            gets: take(&self.stats.gets),
            waits: take(&self.stats.waits),
            waits_short: take(&self.stats.waits_short),
            errors: std::mem::take(&mut *self.stats.errors.lock().unwrap()),
        }
    }
}

impl Drop for Traffic {
    /// Stops the writers; one stuck in the client for more than 10 s is left behind (the test
    /// is failing then: it must not hang on it).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && self.threads.iter().any(|t| !t.is_finished()) {
            thread::sleep(Duration::from_millis(10));
        }
        for t in self.threads.drain(..) {
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}

/// One writer thread.
struct Writer {
    index: usize,
    seeds: Vec<String>,
    log: Arc<Mutex<WriterLog>>,
    stats: Arc<Stats>,
    paused: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    parked: Arc<AtomicUsize>,
    rng: u64,
    salt: u64,
}

impl Writer {
    fn next_random(&mut self) -> u64 {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn connect(&self) -> redis::cluster::ClusterConnection {
        let client = redis::cluster::ClusterClient::builder(
            self.seeds.iter().map(|s| format!("redis://{s}")),
        )
        .connection_timeout(Duration::from_secs(2))
        .response_timeout(Duration::from_secs(5))
        .retries(CLIENT_RETRIES)
        .build()
        .expect("cluster client");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match client.get_connection() {
                Ok(conn) => return conn,
                Err(e) if Instant::now() < deadline => {
                    self.stats.error("CONNECT", &e);
                    thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("writer {}: no cluster connection: {e}", self.index),
            }
        }
    }

    fn run(mut self) {
        let started = Instant::now();
        let mut conn: Option<redis::cluster::ClusterConnection> = None;
        let mut n: u64 = 0;
        let (mut io_errors, mut connected) = (0, Instant::now());
        while !self.stop.load(Ordering::SeqCst)
            && started.elapsed() < TRAFFIC_LIFETIME
            && n < MAX_OPS_PER_WRITER
        {
            if self.paused.load(Ordering::SeqCst) {
                self.parked.fetch_add(1, Ordering::SeqCst);
                while self.paused.load(Ordering::SeqCst) && !self.stop.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(5));
                }
                self.parked.fetch_sub(1, Ordering::SeqCst);
                continue;
            }
            let c = conn.get_or_insert_with(|| {
                io_errors = 0;
                connected = Instant::now();
                self.connect()
            });
            io_errors += self.iteration(c, n);
            // The client keeps a dead master's address until something tells it otherwise:
            // an application would reconnect (counted as an error kind of its own).
            if io_errors >= RECONNECT_AFTER && connected.elapsed() >= Duration::from_secs(1) {
                self.stats.note(
                    "RECONNECT",
                    &format!("after {RECONNECT_AFTER} I/O errors on one connection"),
                );
                conn = None;
            }
            n += 1;
        }
    }

    /// SET, INCR every other time, GET, and WAIT every [`WAIT_EVERY`] times; returns how many
    /// failed with an I/O error.
    fn iteration(&mut self, conn: &mut redis::cluster::ClusterConnection, n: u64) -> u32 {
        let stats = Arc::clone(&self.stats);
        let key = format!("lt:{}:{n}", self.index);
        let value = format!("{}:{n}:{:x}", self.index, self.salt);
        stats.sets.fetch_add(1, Ordering::Relaxed);
        let t = Instant::now();
        let reply = redis::cmd("SET").arg(&key).arg(&value).query::<()>(conn);
        stats.answered(t);
        let mut io_errors = 0;
        match reply {
            Ok(()) => self.log.lock().unwrap().acked.push((key, value)),
            Err(e) => io_errors += stats.error("SET", &e),
        }

        if n.is_multiple_of(2) {
            let c = (self.next_random() % COUNTERS as u64) as usize;
            stats.incrs.fetch_add(1, Ordering::Relaxed);
            let t = Instant::now();
            let reply = redis::cmd("INCR").arg(counter_key(c)).query::<i64>(conn);
            stats.answered(t);
            match reply {
                Ok(_) => self.log.lock().unwrap().incr_acked[c] += 1,
                Err(e) => {
                    if outcome_unknown(&e) {
                        self.log.lock().unwrap().incr_unknown[c] += 1;
                    }
                    io_errors += stats.error("INCR", &e);
                }
            }
        }

        let pick = self.next_random() as usize;
        let earlier = {
            let log = self.log.lock().unwrap();
            (!log.acked.is_empty()).then(|| {
                let i = pick % log.acked.len();
                (log.acked[i].clone(), i < log.durable_sets)
            })
        };
        if let Some(((key, value), durable)) = earlier {
            stats.gets.fetch_add(1, Ordering::Relaxed);
            let t = Instant::now();
            let reply = redis::cmd("GET").arg(&key).query::<Option<String>>(conn);
            stats.answered(t);
            match reply {
                Ok(Some(got)) if got == value => {}
                Ok(None) if !durable => {
                    let mut missing = stats.missing_not_durable.lock().unwrap();
                    missing.push(key);
                }
                Ok(None) => {
                    let mut missing = stats.missing_durable.lock().unwrap();
                    missing.push(key);
                }
                Ok(got) => {
                    let mut wrong = stats.wrong_reads.lock().unwrap();
                    wrong.push(format!("GET {key}: {got:?}, acknowledged {value:?}"));
                }
                Err(e) => io_errors += stats.error("GET", &e),
            }
        }

        if n % WAIT_EVERY == WAIT_EVERY - 1 {
            // Everything acknowledged so far went out on this client's connections before the
            // WAIT, which the client sends to every master (the smallest answer wins).
            let (sets, incrs) = {
                let log = self.log.lock().unwrap();
                (log.acked.len(), log.incr_acked.clone())
            };
            stats.waits.fetch_add(1, Ordering::Relaxed);
            // Not timed: a WAIT may block for WAIT_MS by design.
            let reply = redis::cmd("WAIT").arg(1).arg(WAIT_MS).query::<i64>(conn);
            stats.ops.fetch_add(1, Ordering::Relaxed);
            match reply {
                Ok(replicas) if replicas >= 1 => {
                    let mut log = self.log.lock().unwrap();
                    log.durable_sets = sets;
                    log.incr_durable = incrs;
                }
                Ok(_) => {
                    stats.waits_short.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => io_errors += stats.error("WAIT", &e),
            }
        }
        io_errors
    }
}

fn counter_key(c: usize) -> String {
    format!("lt-counter:{c}")
}

// ---------------------------------------------------------------------------------------------
// Checks after each command
// ---------------------------------------------------------------------------------------------

/// What a command may lose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loss {
    /// Nothing acknowledged: every key and increment the client saw acknowledged.
    None,
    /// A master changed hands (failover, a kill): only what a replica had acknowledged
    /// (`WAIT`) must survive.
    NotReplicated,
}

/// The value `load_keys(cluster, n, "pre", 32)` gave key `pre:{i}`.
fn preloaded_value(i: usize) -> String {
    let mut value = format!("value-{i}-");
    while value.len() < 32 {
        value.push('x');
    }
    value
}

/// One cluster under traffic, and the checks run after each command.
struct Run<'a> {
    /// Every node the test started (crash logs are checked on all, members or not).
    all: Vec<&'a Node>,
    traffic: Traffic,
    preloaded: usize,
    /// Lines of the closing summary: one per step.
    summary: Vec<String>,
    /// Holds `fix --conflicts-file`: the copies fix dropped in favour of an owner's.
    conflicts: tempfile::TempDir,
}

impl<'a> Run<'a> {
    /// Loads `keys` keys, waits for the replicas, starts the traffic (paused).
    fn start(cluster: &'a TestCluster, extra: &[&'a Node], keys: usize) -> Run<'a> {
        assert_eq!(load_keys(cluster, keys, "pre", 32), keys);
        let members: Vec<&Node> = cluster.nodes().iter().collect();
        wait_replicas_caught_up(&members, "the preload");
        let traffic = Traffic::start(&cluster.addrs());
        Run {
            all: cluster
                .nodes()
                .iter()
                .chain(extra.iter().copied())
                .collect(),
            traffic,
            preloaded: keys,
            summary: Vec::new(),
            conflicts: tempfile::tempdir().expect("a temp dir"),
        }
    }

    /// `rcluster fix <entry> --yes --conflicts-file <this run's file>`.
    fn fix(&self, entry: &str) -> RunOutput {
        let file = self.conflicts_file();
        crate::common::run([
            "fix",
            entry,
            "--yes",
            "--conflicts-file",
            file.to_str().unwrap(),
        ])
    }

    /// The file `fix` saves dropped copies to.
    fn conflicts_file(&self) -> std::path::PathBuf {
        self.conflicts.path().join("conflicts.jsonl")
    }

    /// Per counter, the sum of the copies `fix` dropped in favour of the owner's (saved in
    /// the conflicts file): increments that went to a copy the cluster no longer serves
    /// (a key on two masters after a failover mid-move) are not lost, they are saved there.
    fn saved_counter_values(&self) -> Vec<u64> {
        let mut saved = vec![0u64; COUNTERS];
        let text = fs::read_to_string(self.conflicts_file()).unwrap_or_default();
        for line in text.lines() {
            let line: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let key = line["key"].as_str().unwrap_or_default();
            let Some(c) = (0..COUNTERS).find(|&c| counter_key(c) == key) else {
                continue;
            };
            let hex = line["dump_hex"].as_str().unwrap_or_default();
            let payload = hex_bytes(hex);
            let value = dumped_integer(&payload)
                .unwrap_or_else(|| panic!("{key}: saved copy is not an integer: {hex}"));
            eprintln!("[live traffic] {key}: a copy of {value} was saved by fix");
            saved[c] += value;
        }
        saved
    }

    /// Runs `argv` with the traffic on; the command must exit 0; then checks (see
    /// [`Run::verify`]) with `members` the nodes of the cluster afterwards.
    fn step(&mut self, name: &str, argv: &[String], members: &[&Node], loss: Loss) -> RunOutput {
        self.traffic.resume();
        let ops_before = self.traffic.ops();
        let started = Instant::now();
        let out = run(argv);
        let took = started.elapsed();
        let ops_during = self.traffic.ops() - ops_before;
        eprintln!("[live traffic] {name}: {ops_during} client commands answered while it ran");
        thread::sleep(Duration::from_millis(300));
        self.traffic.pause();
        let step = self.traffic.take_step();
        self.report(name, &format!("exit {} in {took:.1?}", out.code), &step);
        assert!(
            out.success(),
            "{name} ({}) on {} under traffic:\n{out}",
            argv.join(" "),
            server_label()
        );
        for line in all_lines(&out).filter(|l| l.contains("WARN") || l.contains("open slot")) {
            eprintln!("[live traffic] {name}: rcluster said: {line}");
        }
        // A command shorter than the client's slowest reply may see no answer at all.
        assert!(
            ops_during > 0 || took < Duration::from_secs(2),
            "{name}: no client command answered during the {took:.1?} it ran"
        );
        self.verify(name, members, loss);
        out
    }

    /// Prints (and keeps for the summary) what the traffic did during a step.
    fn report(&mut self, name: &str, outcome: &str, step: &StepStats) {
        let line = format!(
            "{} | {name} | {outcome} | {} commands ({} SET, {} INCR, {} GET, {} WAIT, {} short), \
             slowest {:.0?} | {}",
            server_label(),
            step.ops,
            step.sets,
            step.incrs,
            step.gets,
            step.waits,
            step.waits_short,
            step.max_latency,
            step.errors_line()
        );
        eprintln!("[live traffic] {line}");
        self.summary.push(line);
    }

    /// The checks after a command, traffic paused; `members` are the nodes of the cluster.
    fn verify(&self, step: &str, members: &[&Node], loss: Loss) {
        let context = format!("after {step} on {}", server_label());
        poll_until(
            &format!("the nodes to agree {context}"),
            SETTLE_TIMEOUT,
            || settled(members),
        );
        assert_no_open_slots(members, &context);
        wait_replicas_caught_up(members, &context);
        assert_healthy(members);
        self.assert_no_wrong_read(&context, loss);
        self.assert_writes_kept(members, &context, loss);
        self.assert_counters(members, &context, loss);
        assert_no_crash(&self.all, &context);
    }

    fn assert_no_wrong_read(&self, context: &str, loss: Loss) {
        let wrong = self.traffic.stats.wrong_reads.lock().unwrap();
        assert!(
            wrong.is_empty(),
            "{context}: {} wrong read(s), first ones: {:#?}",
            wrong.len(),
            &wrong[..wrong.len().min(10)]
        );
        let missing = self.traffic.stats.missing_not_durable.lock().unwrap();
        match loss {
            Loss::None => assert!(
                missing.is_empty(),
                "{context}: {} acknowledged key(s) read as missing, first ones: {:?}",
                missing.len(),
                &missing[..missing.len().min(10)]
            ),
            Loss::NotReplicated if !missing.is_empty() => eprintln!(
                "[live traffic] {context}: {} acknowledged, not yet replicated key(s) read as \
                 missing (allowed)",
                missing.len()
            ),
            Loss::NotReplicated => {}
        }
        let missing = self.traffic.stats.missing_durable.lock().unwrap();
        let allowed = loss == Loss::NotReplicated && !has_feature(Feature::ReplicatedSetslot);
        assert!(
            missing.is_empty() || allowed,
            "{context}: {} must-survive key(s) read as missing, first ones: {:?}",
            missing.len(),
            &missing[..missing.len().min(10)]
        );
        if !missing.is_empty() {
            eprintln!(
                "[live traffic] {context}: {} must-survive key(s) read as missing while a \
                 promoted replica served a slot its dead master was migrating (this server \
                 does not replicate slot states; allowed, every key is checked below)",
                missing.len()
            );
        }
    }

    /// Every preloaded key and every acknowledged SET (must-survive ones only for
    /// [`Loss::NotReplicated`]) reads back with its value from the master serving its slot.
    fn assert_writes_kept(&self, members: &[&Node], context: &str, loss: Loss) {
        let mut expected: Vec<(String, String, bool)> = (0..self.preloaded)
            .map(|i| (format!("pre:{i}"), preloaded_value(i), true))
            .collect();
        for log in &self.traffic.logs {
            let log = log.lock().unwrap();
            expected.extend(
                log.acked
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| (k.clone(), v.clone(), i < log.durable_sets)),
            );
        }
        let reads = read_from_owners(members, expected.iter().map(|(k, _, _)| k.as_str()));
        let (mut lost, mut wrong, mut lost_not_durable) = (Vec::new(), Vec::new(), 0usize);
        for ((key, value, durable), got) in expected.iter().zip(&reads) {
            match got {
                Some(v) if v == value => {}
                None if !durable && loss == Loss::NotReplicated => lost_not_durable += 1,
                None => lost.push(key.clone()),
                Some(v) => wrong.push(format!("{key}: {v:?}, acknowledged {value:?}")),
            }
        }
        let durable = expected.iter().filter(|e| e.2).count();
        eprintln!(
            "[live traffic] {context}: {} acknowledged keys ({durable} must survive) checked, \
             {} lost, {} wrong, {lost_not_durable} not replicated and lost (allowed: {})",
            expected.len(),
            lost.len(),
            wrong.len(),
            loss == Loss::NotReplicated
        );
        assert!(
            lost.is_empty() && wrong.is_empty(),
            "{context}: {} acknowledged write(s) lost, {} with another value; lost: {:?}; \
             wrong: {:?}",
            lost.len(),
            wrong.len(),
            &lost[..lost.len().min(10)],
            &wrong[..wrong.len().min(10)]
        );
    }

    /// Each counter holds its acknowledged increments, plus at most those whose outcome the
    /// client could not know; for [`Loss::NotReplicated`], at least its must-survive ones, and
    /// at most [`WRITERS`] more: a master killed with an INCR in flight may have applied and
    /// replicated it before the client's own retry (on the promoted replica) applied it again
    /// and answered once (at most one command in flight per writer).
    fn assert_counters(&self, members: &[&Node], context: &str, loss: Loss) {
        let (mut acked, mut unknown, mut durable) = (
            vec![0u64; COUNTERS],
            vec![0u64; COUNTERS],
            vec![0u64; COUNTERS],
        );
        for log in &self.traffic.logs {
            let log = log.lock().unwrap();
            for c in 0..COUNTERS {
                acked[c] += log.incr_acked[c];
                unknown[c] += log.incr_unknown[c];
                durable[c] += log.incr_durable[c];
            }
        }
        let keys: Vec<String> = (0..COUNTERS).map(counter_key).collect();
        let values = read_from_owners(members, keys.iter().map(String::as_str));
        let saved = self.saved_counter_values();
        let mut bad = Vec::new();
        for c in 0..COUNTERS {
            let value: u64 = values[c].as_deref().map_or(0, |v| v.parse().unwrap()) + saved[c];
            let low = match loss {
                Loss::None => acked[c],
                Loss::NotReplicated => durable[c],
            };
            let retried = match loss {
                Loss::None => 0,
                Loss::NotReplicated => WRITERS as u64,
            };
            let high = acked[c] + unknown[c] + retried;
            if value < low || value > high {
                bad.push(format!(
                    "{}: {value}, acknowledged {} (+{} unknown), must survive {}",
                    keys[c], acked[c], unknown[c], durable[c]
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{context}: {} counter(s) off ({:?} loss allowed): {bad:#?}",
            bad.len(),
            loss
        );
    }

    /// Prints the summary of every step.
    fn print_summary(&self, test: &str) {
        eprintln!("[live traffic] summary of {test}:");
        for line in &self.summary {
            eprintln!("[live traffic]   {line}");
        }
    }
}

/// The integer a DUMP payload of a string holds, when it is stored as an integer (INCR's
/// counters: RDB string type 0, then 0xC0/0xC1/0xC2 and 1, 2 or 4 little-endian bytes).
fn dumped_integer(payload: &[u8]) -> Option<u64> {
    let (&kind, rest) = payload.split_first()?;
    let (&encoding, rest) = rest.split_first()?;
    if kind != 0 {
        return None;
    }
    let width = match encoding {
        0xC0 => 1,
        0xC1 => 2,
        0xC2 => 4,
        _ => return None,
    };
    let bytes = rest.get(..width)?;
    let mut value: i64 = 0;
    for (i, b) in bytes.iter().enumerate() {
        value |= i64::from(*b) << (8 * i);
    }
    // Sign-extend the little-endian integer of `width` bytes.
    let shift = 64 - 8 * width as u32;
    u64::try_from((value << shift) >> shift).ok()
}

/// Prints the last `n` lines rcluster printed (stdout, then stderr), for the log.
fn print_tail(what: &str, out: &RunOutput, n: usize) {
    let lines: Vec<&str> = all_lines(out).filter(|l| !l.trim().is_empty()).collect();
    eprintln!(
        "[live traffic] {what}: exit {}, last lines:\n    {}",
        out.code,
        lines[lines.len().saturating_sub(n)..].join("\n    ")
    );
}

fn all_lines(out: &RunOutput) -> impl Iterator<Item = &str> {
    out.stdout.lines().chain(out.stderr.lines())
}

/// GET of each key from the master serving its slot, as `members[0]` sees the slots.
fn read_from_owners<'k>(
    members: &[&Node],
    keys: impl Iterator<Item = &'k str>,
) -> Vec<Option<String>> {
    let mut owner_of_slot: Vec<Option<usize>> = vec![None; usize::from(crate::common::SLOTS)];
    for line in members[0].cluster_nodes() {
        let Some(m) = members.iter().position(|n| n.addr() == line.addr) else {
            continue;
        };
        for r in &line.slots {
            for s in r.clone() {
                owner_of_slot[usize::from(s)] = Some(m);
            }
        }
    }
    let keys: Vec<&str> = keys.collect();
    let mut per_owner: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        let slot = key_slot(key);
        let owner = owner_of_slot[usize::from(slot)]
            .unwrap_or_else(|| panic!("slot {slot} of {key} is served by no member"));
        per_owner.entry(owner).or_default().push(i);
    }
    let mut out: Vec<Option<String>> = vec![None; keys.len()];
    for (owner, indices) in per_owner {
        let mut conn = members[owner].conn();
        for chunk in indices.chunks(2000) {
            let mut pipe = redis::pipe();
            for &i in chunk {
                pipe.cmd("GET").arg(keys[i]);
            }
            let values: Vec<Option<String>> = pipe
                .query(&mut conn)
                .unwrap_or_else(|e| panic!("GET on {}: {e}", members[owner].addr()));
            for (&i, v) in chunk.iter().zip(values) {
                out[i] = v;
            }
        }
    }
    out
}

/// No member (replicas included) shows a migrating or importing slot.
fn assert_no_open_slots(members: &[&Node], context: &str) {
    let open: Vec<String> = members
        .iter()
        .filter_map(|n| {
            let text = n.cmd_str(&["CLUSTER", "NODES"]);
            let tokens: Vec<&str> = text
                .split_whitespace()
                .filter(|t| t.starts_with('['))
                .collect();
            let role = if text.contains("myself,master") {
                "master"
            } else {
                "replica"
            };
            (!tokens.is_empty()).then(|| {
                format!(
                    "{} ({role}): {} open slot(s), e.g. {}",
                    n.addr(),
                    tokens.len(),
                    tokens[..tokens.len().min(4)].join(" ")
                )
            })
        })
        .collect();
    assert!(
        open.is_empty(),
        "{context}: open slots left:\n{}",
        open.join("\n")
    );
}

/// Every replica among `nodes` has its link up to its master (also among `nodes`) and as many
/// keys.
fn wait_replicas_caught_up(nodes: &[&Node], context: &str) {
    for replica in nodes {
        let Some(me) = replica
            .cluster_nodes()
            .into_iter()
            .find(|l| l.id == replica.id())
        else {
            continue;
        };
        let Some(master_id) = me.master else {
            continue;
        };
        let Some(master) = nodes.iter().find(|n| n.id() == master_id) else {
            panic!(
                "{context}: {} replicates {master_id}, not a member",
                replica.addr()
            );
        };
        poll_until(
            &format!(
                "{} to catch up with {} {context}",
                replica.addr(),
                master.addr()
            ),
            SETTLE_TIMEOUT,
            || {
                let link = replica.info_field("replication", "master_link_status");
                let port = replica.info_field("replication", "master_port");
                let (have, want) = (replica.cmd_str(&["DBSIZE"]), master.cmd_str(&["DBSIZE"]));
                match link.as_deref() == Some("up")
                    && port == Some(master.port().to_string())
                    && have == want
                {
                    true => Ok(()),
                    false => Err(format!(
                        "link {link:?}, master port {port:?}, {have} of {want} keys"
                    )),
                }
            },
        );
    }
}

/// No server log of `nodes` holds a crash report.
fn assert_no_crash(nodes: &[&Node], context: &str) {
    for node in nodes {
        for name in ["redis.log", "stdio.log"] {
            let text = fs::read_to_string(node.dir().join(name)).unwrap_or_default();
            if let Some(line) = text
                .lines()
                .find(|l| CRASH_MARKERS.iter().any(|m| l.contains(m)))
            {
                panic!(
                    "{context}: {} crashed ({name}): {line}\n{}",
                    node.addr(),
                    node.log_tail(40)
                );
            }
        }
    }
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// How many jobs `CLUSTER GETSLOTMIGRATIONS` lists on `node` (0 where the server has none).
fn migration_jobs(node: &Node) -> usize {
    match node.try_cmd(&["CLUSTER", "GETSLOTMIGRATIONS"]) {
        Ok(redis::Value::Array(jobs)) => jobs.len(),
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Every mutating command under traffic
// ---------------------------------------------------------------------------------------------

#[test]
fn every_command_keeps_acknowledged_writes_under_live_traffic() {
    let sizes = Sizes::get();
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let m4 = Node::start(&NodeOpts::new());
    let r7 = Node::start(&NodeOpts::new());
    let started = Instant::now();
    let mut run = Run::start(&cluster, &[&m4, &r7], sizes.keys);
    let entry = cluster.addr(0);
    let formed: Vec<&Node> = cluster.nodes().iter().collect();
    let with_m4: Vec<&Node> = formed.iter().copied().chain([&m4]).collect();
    let with_r7: Vec<&Node> = formed.iter().copied().chain([&r7]).collect();
    let slots = sizes.slots.to_string();

    run.step(
        "reshard",
        &argv(&[
            "reshard",
            &entry,
            "--from",
            "all",
            "--to",
            cluster.node(0).id(),
            "--slots",
            &slots,
            "--yes",
        ]),
        &formed,
        Loss::None,
    );
    run.step(
        "add-node (master)",
        &argv(&["add-node", &m4.addr(), &entry]),
        &with_m4,
        Loss::None,
    );
    run.step(
        "rebalance --use-empty-masters",
        &argv(&["rebalance", &entry, "--use-empty-masters", "--yes"]),
        &with_m4,
        Loss::None,
    );
    assert!(served_slots(&m4) > 0, "the new master got no slot");
    let weight0 = format!("{}=0", m4.id());
    run.step(
        "rebalance --weight ID=0 (drain)",
        &argv(&["rebalance", &entry, "--weight", &weight0, "--yes"]),
        &with_m4,
        Loss::None,
    );
    assert_eq!(
        served_slots(&m4),
        0,
        "the drained master still serves slots"
    );
    run.step(
        "del-node (the drained node)",
        &argv(&["del-node", &entry, m4.id(), "--yes"]),
        &formed,
        Loss::None,
    );
    run.step(
        "add-node --replica",
        &argv(&["add-node", &r7.addr(), &entry, "--replica"]),
        &with_r7,
        Loss::None,
    );
    let promoted = cluster.node(cluster.replicas_of(1)[0]);
    run.step(
        "failover (a replica)",
        &argv(&["failover", &promoted.addr()]),
        &with_r7,
        Loss::NotReplicated,
    );
    assert_eq!(
        crate::common::role(promoted).as_deref(),
        Some("master"),
        "the replica was not promoted"
    );
    let second = (sizes.slots * 2 / 3).to_string();
    run.step(
        "second reshard",
        &argv(&[
            "reshard",
            &entry,
            "--from",
            promoted.id(),
            "--to",
            cluster.node(2).id(),
            "--slots",
            &second,
            "--yes",
        ]),
        &with_r7,
        Loss::None,
    );
    run.print_summary(&format!(
        "every command ({} keys preloaded, {:.0?})",
        sizes.keys,
        started.elapsed()
    ));
}

// ---------------------------------------------------------------------------------------------
// 2. rcluster SIGKILLed mid-reshard, then fix, under traffic
// ---------------------------------------------------------------------------------------------

#[test]
fn fix_after_rcluster_killed_mid_reshard_under_live_traffic() {
    let sizes = Sizes::get();
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let started = Instant::now();
    let mut run = Run::start(&cluster, &[], sizes.keys);
    let entry = cluster.addr(0);
    let members: Vec<&Node> = cluster.nodes().iter().collect();
    // Where the server has atomic migration the even rounds use it (required on Valkey 9 by
    // RCLUSTER_TEST_REQUIRE_FEATURES); elsewhere every round uses MIGRATE.
    let atomic = has_feature(Feature::AtomicMigration);
    let mut killed_mid_move = 0;

    for round in 0..sizes.kill_rounds {
        // Even rounds: the default engine (atomic on Valkey >= 9.0); odd rounds: MIGRATE.
        let engine = if round % 2 == 0 { "auto" } else { "legacy" };
        let (from, to) = (round % 3, (round + 1) % 3);
        let to_node = cluster.node(to);
        let to_before = served_slots(to_node);
        let jobs_before = migration_jobs(cluster.node(from));
        let slots = sizes.slots.to_string();
        let args = argv(&[
            "reshard",
            &entry,
            "--from",
            cluster.node(from).id(),
            "--to",
            to_node.id(),
            "--slots",
            &slots,
            "--engine",
            engine,
            "--yes",
        ]);
        run.traffic.resume();
        let mut child = Spawned::start(&args);
        // Kill once the move is under way (a slot open somewhere, a migration job on the
        // source, slots already moved), a little later each round.
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = String::from("nothing");
        while Instant::now() < deadline && child.is_running() {
            let open = open_slot_nodes(&members);
            let moved = served_slots(to_node).saturating_sub(to_before);
            let jobs = migration_jobs(cluster.node(from)).saturating_sub(jobs_before);
            if !open.is_empty() || moved > 0 || jobs > 0 {
                seen = format!(
                    "{moved} slot(s) moved, {jobs} migration job(s), open slots on {open:?}"
                );
                break;
            }
            thread::sleep(Duration::from_millis(2));
        }
        thread::sleep(KILL_DELAYS[round % KILL_DELAYS.len()]);
        let was_running = child.is_running();
        signal(child.pid(), "9");
        let killed = child.wait(Duration::from_secs(30));
        if was_running {
            killed_mid_move += 1;
        }
        let open = open_slot_nodes(&members);
        eprintln!(
            "[live traffic] round {round} ({engine}): rcluster {} with {seen}; after the kill: \
             {} slot(s) moved, open slots on {open:?}",
            if was_running {
                "SIGKILLed"
            } else {
                "had already exited"
            },
            served_slots(to_node).saturating_sub(to_before)
        );
        if !was_running {
            eprintln!("{killed}");
        }
        let step = run.traffic.take_step();
        run.report(
            &format!("reshard --engine {engine} (SIGKILLed)"),
            &format!("exit {}", killed.code),
            &step,
        );
        // fix, with the traffic on (a second run when the first says it is not done).
        let ops_before = run.traffic.ops();
        let t = Instant::now();
        let mut fixes = vec![run.fix(&entry)];
        if fixes[0].code == 1 {
            fixes.push(run.fix(&entry));
        }
        let took = t.elapsed();
        let ops_during = run.traffic.ops() - ops_before;
        thread::sleep(Duration::from_millis(300));
        run.traffic.pause();
        let step = run.traffic.take_step();
        let codes: Vec<String> = fixes.iter().map(|f| f.code.to_string()).collect();
        run.report(
            &format!("fix after the kill (round {round}, {engine})"),
            &format!("exit {} in {took:.1?}", codes.join(" then ")),
            &step,
        );
        for (i, fix) in fixes.iter().enumerate() {
            print_tail(&format!("fix {} of round {round}", i + 1), fix, 12);
        }
        let last = fixes.last().unwrap();
        assert!(
            last.success(),
            "round {round} ({engine}): fix did not succeed on {}:\n{}",
            server_label(),
            fixes
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join("\n=== next fix ===\n")
        );
        assert!(
            ops_during > 0 || took < Duration::from_secs(2),
            "no client command answered during the {took:.1?} fix ran"
        );
        run.verify(
            &format!("fix after the kill of round {round} ({engine})"),
            &members,
            Loss::None,
        );
    }
    if !atomic {
        eprintln!(
            "[live traffic] {} has no atomic migration: every round used MIGRATE",
            server_label()
        );
    }
    assert!(
        killed_mid_move > 0,
        "no SIGKILL landed while the reshard ran: the test did not exercise fix"
    );
    run.print_summary(&format!(
        "SIGKILL + fix ({} rounds, {:.0?})",
        sizes.kill_rounds,
        started.elapsed()
    ));
}

// ---------------------------------------------------------------------------------------------
// 3. A master SIGKILLed mid-reshard, its replica promoted, then fix, under traffic
// ---------------------------------------------------------------------------------------------

/// Which master of the reshard dies.
#[derive(Clone, Copy, Debug)]
enum Victim {
    Source,
    Target,
}

/// Reshard from master 0 to master 1 under traffic; the victim SIGKILLed once the move is under
/// way; its replica promoted by the cluster; `fix` (twice if the first says it is not done),
/// then `del-node` of the dead master; what a replica had acknowledged must survive.
/// `engine` overrides [`Sizes::master_kill_engine`].
fn master_killed_mid_reshard(victim: Victim, engine: Option<&str>) {
    let mut sizes = Sizes::get();
    if let Some(engine) = engine {
        sizes.master_kill_engine = engine.to_string();
    }
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let mut run = Run::start(&cluster, &[], sizes.keys);
    let entry = cluster.addr(2);
    let (source, target) = (cluster.node(0), cluster.node(1));
    let dead = match victim {
        Victim::Source => 0,
        Victim::Target => 1,
    };
    let heir = cluster.node(cluster.replicas_of(dead)[0]);
    let members: Vec<&Node> = (0..cluster.len())
        .filter(|&i| i != dead)
        .map(|i| cluster.node(i))
        .collect();
    let slots = sizes.slots.to_string();
    run.traffic.resume();
    let mut child = Spawned::start(&argv(&[
        "reshard",
        &entry,
        "--from",
        source.id(),
        "--to",
        target.id(),
        "--slots",
        &slots,
        "--engine",
        &sizes.master_kill_engine,
        "--yes",
    ]));
    let jobs_before = migration_jobs(source);
    let deadline = Instant::now() + Duration::from_secs(30);
    let all: Vec<&Node> = cluster.nodes().iter().collect();
    while Instant::now() < deadline && child.is_running() {
        if !open_slot_nodes(&all).is_empty() || migration_jobs(source) > jobs_before {
            break;
        }
        thread::sleep(Duration::from_millis(2));
    }
    thread::sleep(Duration::from_millis(100));
    assert!(
        child.is_running(),
        "setup: the reshard ended before the kill"
    );
    let open = open_slot_nodes(&all);
    signal(cluster.node(dead).pid().expect("running"), "9");
    let reshard = child.wait(Duration::from_secs(50));
    eprintln!(
        "[live traffic] {victim:?} master {} SIGKILLed with open slots on {open:?}",
        cluster.addr(dead)
    );
    print_tail("the reshard", &reshard, 12);
    poll_until(
        &format!("{} to be promoted", heir.addr()),
        Duration::from_secs(30),
        || match crate::common::role(heir).as_deref() {
            Some("master") => Ok(()),
            other => Err(format!("role {other:?}")),
        },
    );
    let step = run.traffic.take_step();
    run.report(
        &format!("reshard, {victim:?} master SIGKILLed"),
        &format!("exit {}", reshard.code),
        &step,
    );
    let t = Instant::now();
    let mut fixes = vec![run.fix(&entry)];
    if fixes[0].code == 1 {
        fixes.push(run.fix(&entry));
    }
    let took = t.elapsed();
    thread::sleep(Duration::from_millis(300));
    run.traffic.pause();
    let step = run.traffic.take_step();
    let codes: Vec<String> = fixes.iter().map(|f| f.code.to_string()).collect();
    run.report(
        &format!("fix after the {victim:?} master died"),
        &format!("exit {} in {took:.1?}", codes.join(" then ")),
        &step,
    );
    for (i, fix) in fixes.iter().enumerate() {
        print_tail(&format!("fix {}", i + 1), fix, 16);
    }
    let states: Vec<String> = members
        .iter()
        .map(|n| {
            format!(
                "{} {:?}",
                n.addr(),
                n.cluster_info_field("cluster_state").unwrap_or_default()
            )
        })
        .collect();
    eprintln!("[live traffic] cluster_state after fix: {states:?}");
    assert!(
        fixes.last().unwrap().success(),
        "fix after the {victim:?} master was SIGKILLed mid-reshard and its replica promoted, \
         on {}: exit {}; cluster_state: {states:?}\n{}",
        server_label(),
        fixes.last().unwrap().code,
        fixes.last().unwrap()
    );
    run.step(
        "del-node (the dead master)",
        &argv(&["del-node", &entry, cluster.node(dead).id(), "--yes"]),
        &members,
        Loss::NotReplicated,
    );
    run.print_summary(&format!("{victim:?} master SIGKILLed mid-reshard"));
}

#[test]
fn fix_after_the_source_master_died_mid_reshard_under_live_traffic() {
    master_killed_mid_reshard(Victim::Source, None);
}

#[test]
fn fix_after_the_target_master_died_mid_reshard_under_live_traffic() {
    master_killed_mid_reshard(Victim::Target, None);
}

#[test]
#[ignore = "Valkey 9.0/9.1 server bug, valkey-io/valkey#2724 (open): when a master of the \
            source shard fails over at the end of an atomic slot migration, the slots can go \
            back to the source shard after the old source deleted its keys; run with \
            --include-ignored or scripts/traffic-test.sh"]
fn fix_after_the_source_master_died_mid_atomic_reshard_under_live_traffic() {
    require!(Feature::AtomicMigration);
    master_killed_mid_reshard(Victim::Source, Some("atomic"));
}

#[test]
#[ignore = "Valkey 9.1 server bug, valkey-io/valkey#2724 (open): the target master SIGKILLed \
            right after it took the slots of an atomic migration; its promoted replica reported \
            the import failed ('A failover occurred during slot import') while the source had \
            already deleted the keys: 589 acknowledged keys lost in a CI run; run with \
            --include-ignored or scripts/traffic-test.sh"]
fn fix_after_the_target_master_died_mid_atomic_reshard_under_live_traffic() {
    require!(Feature::AtomicMigration);
    master_killed_mid_reshard(Victim::Target, Some("atomic"));
}
