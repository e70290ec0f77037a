//! Drop-in compatibility suite (issue 20): command lines in the shapes operators' scripts use
//! (docker-compose entrypoints, CI scripts, Helm charts, runbooks, Redis's and Valkey's own Tcl
//! tests of `--cluster`), each run twice on fresh real nodes of the same shape: once exactly as
//! written with the oracle (`redis-cli` 7.0 on Redis 7.0, `valkey-cli` 8.1 on Valkey 8.1), once
//! with the rcluster binary in the program's place and the rest of argv, the environment and
//! stdin unchanged. What is compared is the OUTCOME, not the text: the exit code, the resulting
//! topology (masters, sorted slot counts, replicas per master, open slots, coverage, which node
//! plays which role where the command determines it), every key (count and a hash of every
//! DUMP payload), and where it applies the standalone source's keys, a config value on every
//! node, or the files of a backup.
//!
//! The suite is a table of [`Case`]s and one runner ([`run_cases`]); a `#[test]` runs a small
//! group of cases, each case in its own thread, each side of a case on its own nodes.
//!
//! Oracles: the redis-cli cases run when the test server is Redis (the default run, Debian's
//! redis-server 7.0 and redis-cli 7.0); the valkey-cli cases (shapes redis-cli 7.0 does not
//! know: `-4`, `-t`, `--cluster-replica`, `--cluster-primary-id`,
//! `--cluster-use-empty-primaries`, `--cluster-only-primaries`) run when the test server is
//! Valkey (`scripts/test` runs this file on its valkey-8.1 matrix line), with valkey-cli from
//! `scripts/fetch-servers.sh --cli valkey-8.1`. A group whose oracle does not fit the server
//! says "not applicable" on stderr and returns. A missing oracle fails the test when
//! `RCLUSTER_TEST_REQUIRE_REDIS_CLI` is set (as `scripts/test` does), or when the server is
//! Valkey (valkey-cli is fetched, never optional there).
//!
//! Deliberate differences (a case with `Expect::Deliberate` asserts rcluster's own outcome and
//! only records the oracle's):
//!
//! * `reshard_all_answers_piped`, `reshard_sources_then_done_piped`: every answer of reshard's
//!   prompts piped at once (`printf '100\nID\nall\nyes\n' | redis-cli --cluster reshard H:P`).
//!   redis-cli reads its prompts with raw read(2) and drains with buffered getchar(), so the
//!   first read swallows several answers and the rest is lost: it re-prints the prompt
//!   forever or fails. rcluster reads one line per prompt: exit 0, the slots moved.
//! * `fix_uncovered_cluster_yes`: `redis-cli --cluster fix H:P --cluster-yes` with uncovered
//!   slots and nothing on stdin. redis-cli's coverage prompts ignore `--cluster-yes` and read
//!   EOF as "no": exit 1, slots still uncovered. rcluster's `--yes` covers every question:
//!   exit 0, every slot covered.
//! * `check_unknown_option`, `set_timeout_below_100`: usage errors (an unknown option, a node
//!   timeout below 100 ms) exit 2 in rcluster, 1 in redis-cli, so a script can tell a wrong
//!   command line from a cluster problem. Nothing is changed by either.
//!
//! Compared only in part, on purpose (documented policies of rcluster, not bugs):
//!
//! * `fix_open_slot_*`: who owns the half-migrated slot afterwards (with as many keys on each
//!   side redis-cli moves the keys back to the migrating node, rcluster finishes the move);
//!   exit code, coverage, no open slot and every key are compared.
//! * `fix_uncovered_*`: which master gets the uncovered slots (redis-cli: one "random" master
//!   for all, rcluster: the emptiest masters).
//! * `reshard_from_all`: how many slots each source gives (redis-cli's float quotas, rcluster's
//!   exact apportionment); the target's gain and the sorted counts are compared.
//! * `create_*` with replicas, `add_node_slave*` without a master id: which master each
//!   replica got (chosen freely by each tool); the masters, their slots and the replica counts
//!   are compared.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{
    ClusterSpec, Flavor, Node, NodeLine, NodeOpts, SLOTS, TestCluster, agreed_view,
    delete_slots_everywhere, even_slot_ranges, fill_slot, half_migrate, load_keys,
    redis_cli_available, server, try_view, write_pairs,
};

/// Password of the nodes of the cases with `auth`.
const PW: &str = "drop-in-secret";
/// How long a side may take; killed after that (an outcome, reported, not a panic).
const RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the oracle of a deliberate-difference case may take (redis-cli's reshard prompts
/// spin forever on piped answers).
const ORACLE_DELIBERATE_TIMEOUT: Duration = Duration::from_secs(6);
/// How long the nodes get to agree after the command before the outcome is taken anyway.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(15);
/// Bytes of stdout/stderr kept per run (redis-cli's spinning prompts print hundreds of MB).
const OUTPUT_CAP: usize = 64 * 1024;
/// Lines of `yes WORD |` fed to the program (the infinite stream, approximated).
const YES_LINES: usize = 100;

// ---------------------------------------------------------------------------------------------
// The table's vocabulary
// ---------------------------------------------------------------------------------------------

/// The program a case's command line was written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Oracle {
    /// `redis-cli` on PATH (7.0 in the default run), on a Redis server.
    RedisCli,
    /// `valkey-cli` 8.1 (`scripts/fetch-servers.sh --cli valkey-8.1`), on a Valkey server.
    ValkeyCli,
}

/// What the program reads on stdin.
#[derive(Clone, Copy, Debug)]
enum Stdin {
    /// Nothing: stdin is /dev/null (a script run without a terminal).
    Null,
    /// `echo WORD | ...`: one line.
    Echo(&'static str),
    /// `yes WORD | ...`: the word on every line (an infinite stream, [`YES_LINES`] lines here).
    Yes(&'static str),
    /// `... <<< WORD`: one line (a here-string).
    Here(&'static str),
    /// `printf 'TEXT' | ...`: the text as given (placeholders substituted).
    Printf(&'static str),
}

/// The nodes a case starts from (the same on both sides).
#[derive(Clone, Copy, Debug)]
struct Setup {
    /// Masters of the cluster (or nodes, when not formed).
    masters: usize,
    /// Replicas per master.
    replicas: usize,
    /// False: the nodes are cluster-enabled and alone (for create).
    formed: bool,
    /// Masters without slots, joined to the cluster (after the others; only without replicas).
    empty_masters: usize,
    /// Fresh cluster-enabled nodes not in the cluster (indices after the cluster's nodes).
    extra: usize,
    /// Keys loaded over every served slot.
    keys: usize,
    /// A broken state built with raw commands.
    broken: Broken,
    /// A standalone (cluster-enabled no) node with this many keys, as `{SRC}`.
    source_keys: usize,
    /// The source also holds some of the cluster's keys with other values.
    collide: bool,
    /// Nodes start with requirepass/masterauth [`PW`].
    auth: bool,
    /// Nodes bind ::1 instead of 127.0.0.1.
    ipv6: bool,
}

/// A broken state of the formed cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Broken {
    /// Healthy.
    No,
    /// A slot of master 0 half-migrated to master 1 (migrating, importing, some keys moved).
    OpenSlot,
    /// Slots 0-99 served by nobody (deleted everywhere), holding no keys.
    Uncovered,
}

impl Setup {
    /// `n` cluster-enabled nodes, each alone (for create).
    const fn unformed(n: usize) -> Setup {
        Setup {
            masters: n,
            replicas: 0,
            formed: false,
            empty_masters: 0,
            extra: 0,
            keys: 0,
            broken: Broken::No,
            source_keys: 0,
            collide: false,
            auth: false,
            ipv6: false,
        }
    }

    /// A formed cluster of `masters` masters (even split) with `replicas` replicas each.
    const fn cluster(masters: usize, replicas: usize) -> Setup {
        Setup {
            masters,
            replicas,
            formed: true,
            ..Setup::unformed(0)
        }
    }

    const fn keys(self, keys: usize) -> Setup {
        Setup { keys, ..self }
    }

    const fn extra(self, extra: usize) -> Setup {
        Setup { extra, ..self }
    }

    const fn empty_masters(self, empty_masters: usize) -> Setup {
        Setup {
            empty_masters,
            ..self
        }
    }

    const fn broken(self, broken: Broken) -> Setup {
        Setup { broken, ..self }
    }

    const fn source(self, source_keys: usize, collide: bool) -> Setup {
        Setup {
            source_keys,
            collide,
            ..self
        }
    }

    const fn auth(self) -> Setup {
        Setup { auth: true, ..self }
    }

    const fn ipv6(self) -> Setup {
        Setup { ipv6: true, ..self }
    }
}

/// A part of the outcome that a case compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// The exit code.
    Exit,
    /// Members, masters, sorted replicas per master, slots covered, open slots, agreement.
    Shape,
    /// Sorted slot counts of the masters.
    Slots,
    /// Per node (by index): master with N slots, replica, or not a member.
    Roles,
    /// Per replica (by index): the index of its master.
    Replication,
    /// Every key of the cluster's masters (count and DUMP hash), none on two masters.
    Keys,
    /// Keys left on the standalone source.
    Source,
    /// This config parameter's value on every node (CONFIG GET).
    Config(&'static str),
    /// The backup directory: one RDB per master that serves slots, each a valid RDB, a
    /// nodes.json that parses.
    Backup,
}

use Part::{Backup, Config, Exit, Keys, Replication, Roles, Shape, Slots, Source};

/// Everything the topology determines exactly.
const EXACT: &[Part] = &[Exit, Shape, Slots, Roles, Replication, Keys];
/// [`EXACT`] without which master each replica got (chosen freely by each tool).
const NO_REPLICATION: &[Part] = &[Exit, Shape, Slots, Roles, Keys];
/// Coverage and data, not who got which slots (fix of uncovered slots: redis-cli picks a
/// "random" master, rcluster the emptiest).
const COVERAGE: &[Part] = &[Exit, Shape, Keys];

/// A predicate on one side's outcome.
type Check = fn(&Outcome) -> Result<(), String>;

/// Whether rcluster must do what the oracle does.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// The compared parts of the outcomes must be equal.
    Same,
    /// rcluster differs on purpose: only its own outcome is asserted.
    Deliberate {
        /// Why (for the documentation).
        why: &'static str,
        /// rcluster's exit code.
        code: i32,
        /// What else must hold of rcluster's outcome.
        then: Check,
    },
}

/// One command line, run with the oracle and with rcluster.
#[derive(Clone, Debug)]
struct Case {
    name: &'static str,
    oracle: Oracle,
    /// The command line as written, program first (`redis-cli --cluster create {NODES}`).
    /// Placeholders: `{NODES}` (every node of the setup, one word each), `{A3}` (address of
    /// node 3), `{H3}` / `{P3}` (its host, its port), `{ID3}` (its id), `{SRC}` (the
    /// standalone source), `{DIR}` (a fresh directory), `{PW}` (the password).
    argv: &'static str,
    stdin: Stdin,
    /// Environment variables set for the program (placeholders substituted).
    env: &'static [(&'static str, &'static str)],
    setup: Setup,
    compare: &'static [Part],
    /// What must hold of both sides' outcomes (e.g. "the target gained 100 slots").
    also: Option<Check>,
    expect: Expect,
}

/// A case with the common defaults: redis-cli, no stdin, no environment, [`EXACT`], same.
fn case(name: &'static str, argv: &'static str, setup: Setup) -> Case {
    let oracle = match argv.split_whitespace().next() {
        Some("valkey-cli") => Oracle::ValkeyCli,
        _ => Oracle::RedisCli,
    };
    Case {
        name,
        oracle,
        argv,
        stdin: Stdin::Null,
        env: &[],
        setup,
        compare: EXACT,
        also: None,
        expect: Expect::Same,
    }
}

impl Case {
    fn stdin(mut self, stdin: Stdin) -> Case {
        self.stdin = stdin;
        self
    }

    fn env(mut self, env: &'static [(&'static str, &'static str)]) -> Case {
        self.env = env;
        self
    }

    fn compare(mut self, parts: &'static [Part]) -> Case {
        self.compare = parts;
        self
    }

    fn also(mut self, check: Check) -> Case {
        self.also = Some(check);
        self
    }

    fn deliberate(mut self, why: &'static str, code: i32, then: Check) -> Case {
        self.expect = Expect::Deliberate { why, code, then };
        self
    }

    /// The command line as a shell would show it (`echo yes | redis-cli ...`).
    fn shape(&self) -> String {
        match self.stdin {
            Stdin::Null => self.argv.to_string(),
            Stdin::Echo(w) => format!("echo {w} | {}", self.argv),
            Stdin::Yes(w) => format!("yes {w} | {}", self.argv),
            Stdin::Here(w) => format!("{} <<< {w}", self.argv),
            Stdin::Printf(t) => format!("printf {:?} | {}", t, self.argv),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------------

/// 3 masters, no replica, 2000 keys.
const C3: Setup = Setup::cluster(3, 0).keys(2000);
/// 3 masters with a replica each, 2000 keys.
const C3R: Setup = Setup::cluster(3, 1).keys(2000);

fn create_cases() -> Vec<Case> {
    vec![
        case(
            "create_echo_yes_3",
            "redis-cli --cluster create {NODES}",
            Setup::unformed(3),
        )
        .stdin(Stdin::Echo("yes")),
        case(
            "create_echo_yes_6_replicas",
            "redis-cli --cluster create {NODES} --cluster-replicas 1",
            Setup::unformed(6),
        )
        .stdin(Stdin::Echo("yes"))
        .compare(NO_REPLICATION),
        case(
            "create_yes_yes_6_replicas",
            "redis-cli --cluster create {NODES} --cluster-replicas 1",
            Setup::unformed(6),
        )
        .stdin(Stdin::Yes("yes"))
        .compare(NO_REPLICATION),
        case(
            "create_yes_quoted_yes_3",
            "redis-cli --cluster create {NODES} --cluster-replicas 0",
            Setup::unformed(3),
        )
        .stdin(Stdin::Yes("\"yes\"")),
        case(
            "create_cluster_yes_after",
            "redis-cli --cluster create {NODES} --cluster-replicas 1 --cluster-yes",
            Setup::unformed(6),
        )
        .compare(NO_REPLICATION),
        case(
            "create_cluster_yes_before_cluster",
            "redis-cli --cluster-yes --cluster create {NODES}",
            Setup::unformed(3),
        ),
        case(
            "create_replicas_before_nodes",
            "redis-cli --cluster create --cluster-replicas 1 {NODES} --cluster-yes",
            Setup::unformed(6),
        )
        .compare(NO_REPLICATION),
        case(
            "create_ipv6",
            "redis-cli --cluster create {NODES} --cluster-yes",
            Setup::unformed(3).ipv6(),
        ),
    ]
}

fn create_auth_cases() -> Vec<Case> {
    vec![
        case(
            "create_auth_a_echo_yes_6",
            "redis-cli -a {PW} --cluster create {NODES} --cluster-replicas 1",
            Setup::unformed(6).auth(),
        )
        .stdin(Stdin::Echo("yes"))
        .compare(NO_REPLICATION),
        case(
            "create_auth_no_auth_warning_yes",
            "redis-cli --no-auth-warning -a {PW} --cluster create {NODES} --cluster-yes",
            Setup::unformed(3).auth(),
        ),
        case(
            "create_auth_env",
            "redis-cli --cluster create {NODES} --cluster-replicas 0 --cluster-yes",
            Setup::unformed(3).auth(),
        )
        .env(&[("REDISCLI_AUTH", "{PW}")]),
        case(
            "create_auth_env_yes_yes_6",
            "redis-cli --cluster create {NODES} --cluster-replicas 1",
            Setup::unformed(6).auth(),
        )
        .env(&[("REDISCLI_AUTH", "{PW}")])
        .stdin(Stdin::Yes("yes"))
        .compare(NO_REPLICATION),
    ]
}

fn check_cases() -> Vec<Case> {
    vec![
        case("check_healthy", "redis-cli --cluster check {A0}", C3R),
        case("check_host_port", "redis-cli --cluster check {H0} {P0}", C3),
        case(
            "check_auth_before_cluster",
            "redis-cli -a {PW} --cluster check {A0}",
            C3.auth(),
        ),
        case(
            "check_open_slot",
            "redis-cli --cluster check {A0}",
            C3.broken(Broken::OpenSlot),
        ),
        case(
            "check_uncovered",
            "redis-cli --cluster check {A0}",
            C3.broken(Broken::Uncovered),
        ),
        case(
            "check_ipv6",
            "redis-cli --cluster check {A0}",
            Setup::cluster(3, 1).keys(200).ipv6(),
        ),
        case(
            "check_unknown_option",
            "redis-cli --cluster check {A0} --cluster-bogus",
            C3,
        )
        .deliberate(
            "usage errors exit 2 (redis-cli: 1), so a script can tell a wrong command line \
             from a cluster problem",
            2,
            nothing_else,
        ),
        case("info_host_port", "redis-cli --cluster info {H0} {P0}", C3R),
    ]
}

fn add_node_cases() -> Vec<Case> {
    let s = Setup::cluster(3, 0).keys(500).extra(1);
    vec![
        case(
            "add_node_master",
            "redis-cli --cluster add-node {A3} {A0}",
            s,
        ),
        case(
            "add_node_master_yes",
            "redis-cli --cluster add-node {A3} {A0} --cluster-yes",
            s,
        ),
        case(
            "add_node_slave",
            "redis-cli --cluster add-node {A3} {A0} --cluster-slave",
            s,
        )
        .compare(NO_REPLICATION),
        case(
            "add_node_slave_yes_before",
            "redis-cli --cluster-yes --cluster add-node {A3} {A0} --cluster-slave",
            s,
        )
        .compare(NO_REPLICATION),
        case(
            "add_node_slave_master_id",
            "redis-cli --cluster add-node {A3} {A0} --cluster-slave --cluster-master-id {ID1}",
            s,
        ),
        case(
            "add_node_slave_master_id_yes",
            "redis-cli --cluster add-node {A3} {A0} --cluster-slave --cluster-master-id {ID2} \
             --cluster-yes",
            s,
        ),
        case(
            "add_node_auth_slave_master_id",
            "redis-cli -a {PW} --no-auth-warning --cluster add-node {A3} {A0} --cluster-slave \
             --cluster-master-id {ID0}",
            s.auth(),
        ),
    ]
}

/// Node 1 gained 100 slots (5462 + 100).
fn node1_gained_100(o: &Outcome) -> Result<(), String> {
    slots_of(o, 1, 5562)
}

/// Node 0 gained 100 slots (5461 + 100).
fn node0_gained_100(o: &Outcome) -> Result<(), String> {
    slots_of(o, 0, 5561)
}

/// Node 2 gained 50 slots from node 0.
fn node2_gained_50_from_0(o: &Outcome) -> Result<(), String> {
    slots_of(o, 2, 5511)?;
    slots_of(o, 0, 5411)
}

fn reshard_cases() -> Vec<Case> {
    vec![
        case(
            "reshard_all_flags",
            "redis-cli --cluster reshard {A0} --cluster-from {ID0} --cluster-to {ID1} \
             --cluster-slots 100 --cluster-yes",
            C3,
        ),
        case(
            "reshard_c_no_auth_warning_auth",
            "redis-cli -c --no-auth-warning -a {PW} --cluster reshard {A0} --cluster-from {ID1} \
             --cluster-to {ID2} --cluster-slots 50 --cluster-yes",
            C3.auth(),
        ),
        case(
            "reshard_from_all",
            "redis-cli --cluster reshard {A1} --cluster-from all --cluster-to {ID0} \
             --cluster-slots 100 --cluster-yes",
            C3,
        )
        // redis-cli's float quotas take 51 and 49, rcluster's exact apportionment 50 and 50:
        // the sorted counts are the same, who gave how many is not compared.
        .compare(&[Exit, Shape, Slots, Keys])
        .also(node0_gained_100),
        case(
            "reshard_slots_on_stdin",
            "redis-cli --cluster reshard {A0} --cluster-from {ID0} --cluster-to {ID1} \
             --cluster-yes",
            C3,
        )
        .stdin(Stdin::Echo("100")),
        case(
            "reshard_host_port_replicas",
            "redis-cli --cluster reshard {H0} {P0} --cluster-from {ID2} --cluster-to {ID0} \
             --cluster-slots 10 --cluster-yes",
            C3R,
        ),
        case(
            "reshard_all_answers_piped",
            "redis-cli --cluster reshard {A0}",
            C3,
        )
        .stdin(Stdin::Printf("100\n{ID1}\nall\nyes\n"))
        .deliberate(
            "redis-cli reads its reshard prompts with raw read(2) and drains with getchar(): \
             answers piped at once are swallowed by the first prompt and it spins or fails",
            0,
            node1_gained_100,
        ),
        case(
            "reshard_sources_then_done_piped",
            "redis-cli --cluster reshard {A0}",
            C3,
        )
        .stdin(Stdin::Printf("50\n{ID2}\n{ID0}\ndone\nyes\n"))
        .deliberate(
            "redis-cli reads its reshard prompts with raw read(2) and drains with getchar(): \
             answers piped at once are swallowed by the first prompt and it spins or fails",
            0,
            node2_gained_50_from_0,
        ),
    ]
}

fn rebalance_cases() -> Vec<Case> {
    vec![
        case(
            "rebalance_use_empty_masters",
            "redis-cli --cluster rebalance {A0} --cluster-use-empty-masters",
            C3.empty_masters(1),
        ),
        case(
            "rebalance_weights",
            "redis-cli --cluster rebalance {A0} --cluster-weight {ID0}=2 {ID1}=1 {ID2}=1",
            C3,
        ),
        case(
            "rebalance_simulate",
            "redis-cli --cluster rebalance {A0} --cluster-weight {ID0}=3 --cluster-simulate",
            C3,
        ),
        case(
            "rebalance_threshold_not_reached",
            "redis-cli --cluster rebalance {A0} --cluster-weight {ID0}=2 --cluster-threshold 60",
            C3,
        ),
        case(
            "rebalance_empty_master_threshold_yes",
            "redis-cli --cluster rebalance {A0} --cluster-use-empty-masters \
             --cluster-threshold 1 --cluster-yes",
            C3.empty_masters(1),
        ),
        case(
            "rebalance_weight_of_replica",
            "redis-cli --cluster rebalance {A0} --cluster-weight {ID3}=2",
            C3R,
        ),
    ]
}

fn del_node_cases() -> Vec<Case> {
    vec![
        case(
            "del_node_empty_master",
            "redis-cli --cluster del-node {A0} {ID3}",
            C3.empty_masters(1),
        ),
        case(
            "del_node_replica",
            "redis-cli --cluster del-node {A0} {ID3}",
            C3R,
        ),
        case(
            "del_node_replica_auth_host_of_other",
            "redis-cli -a {PW} --cluster del-node {A1} {ID4}",
            C3R.auth(),
        ),
    ]
}

/// Nothing more to check (a command that changes nothing).
fn nothing_else(_: &Outcome) -> Result<(), String> {
    Ok(())
}

/// Every node still has the harness's cluster-node-timeout (2000).
fn timeout_unchanged(o: &Outcome) -> Result<(), String> {
    match o.config.iter().all(|v| v == "2000") {
        true => Ok(()),
        false => Err(format!("cluster-node-timeout changed: {:?}", o.config)),
    }
}

/// Every slot covered, no open slot, the keys of before.
fn repaired(o: &Outcome) -> Result<(), String> {
    if o.covered != usize::from(SLOTS) {
        return Err(format!("{} slots covered", o.covered));
    }
    if !o.open.is_empty() {
        return Err(format!("open slots: {:?}", o.open));
    }
    if o.keys != o.keys_before {
        return Err(format!("keys {:?}, before {:?}", o.keys, o.keys_before));
    }
    Ok(())
}

/// What a fix of the open slot must give: coverage, no open slot, every key. Not who owns the
/// slot: with as many keys on each side redis-cli keeps the slot on the migrating node and
/// moves the keys back, rcluster finishes the move (its documented policy: a move whose
/// target imports the slot is finished).
const OPEN_SLOT_FIX: &[Part] = &[Exit, Shape, Keys];

fn fix_cases() -> Vec<Case> {
    let open = C3.broken(Broken::OpenSlot);
    let uncovered = C3.broken(Broken::Uncovered);
    vec![
        case(
            "fix_open_slot_echo_yes",
            "redis-cli --cluster fix {A0}",
            open,
        )
        .stdin(Stdin::Echo("yes"))
        .compare(OPEN_SLOT_FIX)
        .also(repaired),
        case(
            "fix_open_slot_cluster_yes",
            "redis-cli --cluster fix {A0} --cluster-yes",
            open,
        )
        .compare(OPEN_SLOT_FIX)
        .also(repaired),
        case(
            "fix_open_slot_here_string",
            "redis-cli --cluster fix {A0}",
            open,
        )
        .stdin(Stdin::Here("yes"))
        .compare(OPEN_SLOT_FIX)
        .also(repaired),
        case(
            "fix_uncovered_echo_yes",
            "redis-cli --cluster fix {A0}",
            uncovered,
        )
        .stdin(Stdin::Echo("yes"))
        .compare(COVERAGE)
        .also(repaired),
        case(
            "fix_uncovered_here_string",
            "redis-cli --cluster fix {H0} {P0}",
            uncovered,
        )
        .stdin(Stdin::Here("yes"))
        .compare(COVERAGE)
        .also(repaired),
        case(
            "fix_uncovered_yes_stream",
            "redis-cli --cluster fix {A0}",
            uncovered,
        )
        .stdin(Stdin::Yes("yes"))
        .compare(COVERAGE)
        .also(repaired),
        case(
            "fix_uncovered_echo_yes_and_cluster_yes",
            "redis-cli --cluster fix {A0} --cluster-yes",
            uncovered,
        )
        .stdin(Stdin::Echo("yes"))
        .compare(COVERAGE)
        .also(repaired),
        case(
            "fix_uncovered_cluster_yes",
            "redis-cli --cluster fix {A0} --cluster-yes",
            uncovered,
        )
        .compare(COVERAGE)
        .deliberate(
            "redis-cli's coverage prompts ignore --cluster-yes and read EOF as no; rcluster's \
             --yes answers every question",
            0,
            repaired,
        ),
    ]
}

fn call_cases() -> Vec<Case> {
    const POLICY: &[Part] = &[Exit, Shape, Keys, Config("maxmemory-policy")];
    vec![
        case("call_dbsize", "redis-cli --cluster call {A0} DBSIZE", C3R)
            .compare(&[Exit, Shape, Keys]),
        case(
            "call_function_list_yes_before",
            "redis-cli --cluster-yes --cluster call {A0} FUNCTION LIST",
            C3R,
        )
        .compare(&[Exit, Shape, Keys]),
        case(
            "call_config_set_only_masters",
            "redis-cli --cluster call {A0} CONFIG SET maxmemory-policy allkeys-lru \
             --cluster-only-masters",
            C3R,
        )
        .compare(POLICY),
        case(
            "call_config_set_auth_env",
            "redis-cli --cluster call {A1} CONFIG SET maxmemory-policy allkeys-lru",
            C3R.auth(),
        )
        .env(&[("REDISCLI_AUTH", "{PW}")])
        .compare(POLICY),
        case(
            "set_timeout_below_100",
            "redis-cli --cluster set-timeout {A0} 50",
            C3R,
        )
        .compare(&[Exit, Shape, Keys, Config("cluster-node-timeout")])
        .deliberate(
            "set-timeout below 100 ms is a usage error, exit 2 (redis-cli: 1)",
            2,
            timeout_unchanged,
        ),
        case(
            "set_timeout",
            "redis-cli --cluster set-timeout {A0} 3000",
            C3R,
        )
        .compare(&[Exit, Shape, Keys, Config("cluster-node-timeout")]),
    ]
}

fn import_cases() -> Vec<Case> {
    const IMPORT: &[Part] = &[Exit, Shape, Slots, Keys, Source];
    vec![
        case(
            "import_from",
            "redis-cli --cluster import {A0} --cluster-from {SRC}",
            C3.source(300, false),
        )
        .compare(IMPORT),
        case(
            "import_copy",
            "redis-cli --cluster import {A0} --cluster-from {SRC} --cluster-copy",
            C3.source(300, false),
        )
        .compare(IMPORT),
        case(
            "import_replace",
            "redis-cli --cluster import {A0} --cluster-from {SRC} --cluster-replace",
            C3.source(300, true),
        )
        .compare(IMPORT),
        case(
            "import_copy_replace_auth",
            "redis-cli -a {PW} --no-auth-warning --cluster import {A0} --cluster-from {SRC} \
             --cluster-copy --cluster-replace",
            C3.auth().source(300, true),
        )
        .compare(IMPORT),
        case("backup", "redis-cli --cluster backup {A0} {DIR}", C3R)
            .compare(&[Exit, Shape, Keys, Backup]),
    ]
}

fn valkey_cases() -> Vec<Case> {
    let s = Setup::cluster(3, 0).keys(500).extra(1);
    vec![
        case(
            "valkey_create_4_replicas_yes",
            "valkey-cli -4 --cluster create {NODES} --cluster-replicas 1 --cluster-yes",
            Setup::unformed(6),
        )
        .compare(NO_REPLICATION),
        case(
            "valkey_create_echo_yes",
            "valkey-cli --cluster create {NODES}",
            Setup::unformed(3),
        )
        .stdin(Stdin::Echo("yes")),
        case("valkey_check_t", "valkey-cli -t 2 --cluster check {A0}", C3),
        case(
            "valkey_add_node_replica",
            "valkey-cli --cluster add-node {A3} {A0} --cluster-replica",
            s,
        )
        .compare(NO_REPLICATION),
        case(
            "valkey_add_node_replica_primary_id",
            "valkey-cli --cluster add-node {A3} {A0} --cluster-replica --cluster-primary-id {ID2}",
            s,
        ),
        case(
            "valkey_rebalance_use_empty_primaries",
            "valkey-cli --cluster rebalance {A0} --cluster-use-empty-primaries",
            C3.empty_masters(1),
        ),
        case(
            "valkey_call_only_primaries",
            "valkey-cli --cluster call {A0} CONFIG SET maxmemory-policy allkeys-lru \
             --cluster-only-primaries",
            C3R,
        )
        .compare(&[Exit, Shape, Keys, Config("maxmemory-policy")]),
    ]
}

// ---------------------------------------------------------------------------------------------
// The tests: one per group, the cases of a group in parallel
// ---------------------------------------------------------------------------------------------

#[test]
fn drop_in_create() {
    run_cases(Oracle::RedisCli, &create_cases());
}

#[test]
fn drop_in_create_auth() {
    run_cases(Oracle::RedisCli, &create_auth_cases());
}

#[test]
fn drop_in_check() {
    run_cases(Oracle::RedisCli, &check_cases());
}

#[test]
fn drop_in_add_node() {
    run_cases(Oracle::RedisCli, &add_node_cases());
}

#[test]
fn drop_in_reshard() {
    run_cases(Oracle::RedisCli, &reshard_cases());
}

#[test]
fn drop_in_rebalance() {
    run_cases(Oracle::RedisCli, &rebalance_cases());
}

#[test]
fn drop_in_del_node() {
    run_cases(Oracle::RedisCli, &del_node_cases());
}

#[test]
fn drop_in_fix() {
    run_cases(Oracle::RedisCli, &fix_cases());
}

#[test]
fn drop_in_call_set_timeout() {
    run_cases(Oracle::RedisCli, &call_cases());
}

#[test]
fn drop_in_import_backup() {
    run_cases(Oracle::RedisCli, &import_cases());
}

#[test]
fn drop_in_valkey_cli() {
    run_cases(Oracle::ValkeyCli, &valkey_cases());
}

/// The table itself: at least 40 command lines, unique names, every placeholder known.
#[test]
fn drop_in_table_is_sound() {
    let all: Vec<Case> = [
        create_cases(),
        create_auth_cases(),
        check_cases(),
        add_node_cases(),
        reshard_cases(),
        rebalance_cases(),
        del_node_cases(),
        fix_cases(),
        call_cases(),
        import_cases(),
        valkey_cases(),
    ]
    .concat();
    assert!(all.len() >= 40, "{} cases", all.len());
    let names: BTreeSet<&str> = all.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), all.len(), "duplicate case names");
    for c in &all {
        let program = c.argv.split_whitespace().next().unwrap();
        let expected = match c.oracle {
            Oracle::RedisCli => "redis-cli",
            Oracle::ValkeyCli => "valkey-cli",
        };
        assert_eq!(program, expected, "{}", c.name);
        assert!(
            c.compare.contains(&Exit),
            "{}: the exit code is always compared",
            c.name
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------

/// Which side of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Oracle,
    Rcluster,
}

/// Runs every case of `cases` (each in its own thread, both sides at once), then fails with
/// the report of every case that failed.
fn run_cases(oracle: Oracle, cases: &[Case]) {
    let Some(program) = oracle_program(oracle) else {
        return;
    };
    let started = Instant::now();
    let results: Vec<(String, Result<String, String>)> = thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|c| {
                let program = program.clone();
                s.spawn(move || run_case(c, &program))
            })
            .collect();
        cases
            .iter()
            .zip(handles)
            .map(|(c, h)| {
                let result = h.join().unwrap_or_else(|payload| {
                    let msg = payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Err(format!("panicked: {msg}"))
                });
                (c.name.to_string(), result)
            })
            .collect()
    });
    let mut failures = String::new();
    for (name, result) in &results {
        match result {
            Ok(note) => eprintln!("drop_in: ok   {name}{note}"),
            Err(report) => {
                eprintln!("drop_in: FAIL {name}");
                let _ = writeln!(failures, "\n======== {name} ========\n{report}");
            }
        }
    }
    eprintln!(
        "drop_in: {} cases in {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    assert!(
        failed == 0,
        "{failed} of {} drop-in cases failed:{failures}",
        cases.len()
    );
}

/// The oracle's program for this run, or None (said on stderr) when the server is not the
/// oracle's kind; panics when the oracle is required and missing.
fn oracle_program(oracle: Oracle) -> Option<PathBuf> {
    let flavor = server().flavor();
    match oracle {
        Oracle::RedisCli => {
            if flavor != Flavor::Redis {
                eprintln!(
                    "not applicable here: the redis-cli cases run on a Redis server, this is {}",
                    server()
                );
                return None;
            }
            if !redis_cli_available() {
                eprintln!("redis-cli not found: the drop-in cases need it as their oracle");
                return None;
            }
            Some(PathBuf::from("redis-cli"))
        }
        Oracle::ValkeyCli => {
            if flavor != Flavor::Valkey {
                eprintln!(
                    "not applicable here: the valkey-cli cases run on a Valkey server \
                     (scripts/test's valkey-8.1 matrix line), this is {}",
                    server()
                );
                return None;
            }
            Some(valkey_cli())
        }
    }
}

/// valkey-cli 8.1, fetched by `scripts/fetch-servers.sh --cli valkey-8.1` (panics when it
/// cannot be had: on a Valkey server the valkey-cli cases never skip).
fn valkey_cli() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-servers.sh");
        let out = Command::new("bash")
            .arg(&script)
            .args(["--cli", "valkey-8.1"])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "scripts/fetch-servers.sh --cli valkey-8.1 failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        assert!(path.is_file(), "valkey-cli not found at {}", path.display());
        path
    })
    .clone()
}

/// Runs both sides of `case` at once and compares; Ok with a note, or Err with the report.
fn run_case(case: &Case, oracle_program: &Path) -> Result<String, String> {
    let (oracle, mine) = thread::scope(|s| {
        let o = s.spawn(|| run_side(case, Side::Oracle, oracle_program));
        let r = s.spawn(|| run_side(case, Side::Rcluster, oracle_program));
        (o.join(), r.join())
    });
    let unwrap = |r: thread::Result<Ran>, side: &str| {
        r.map_err(|p| {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            format!("{side} side panicked: {msg}")
        })
    };
    let oracle = unwrap(oracle, "oracle")?;
    let mine = unwrap(mine, "rcluster")?;
    let mut problems = Vec::new();
    match case.expect {
        Expect::Same => {
            for part in case.compare {
                let (a, b) = (oracle.outcome.part(*part), mine.outcome.part(*part));
                if a != b {
                    problems.push(format!("{part:?}: oracle {a}, rcluster {b}"));
                }
            }
            if let Some(also) = case.also {
                if let Err(e) = also(&oracle.outcome) {
                    problems.push(format!("the oracle's outcome is not as expected: {e}"));
                }
                if let Err(e) = also(&mine.outcome) {
                    problems.push(format!("rcluster's outcome is not as expected: {e}"));
                }
            }
        }
        Expect::Deliberate { code, then, .. } => {
            if mine.outcome.code != Some(code) {
                problems.push(format!(
                    "exit code: rcluster {}, expected {code}",
                    show_code(mine.outcome.code)
                ));
            }
            if let Err(e) = then(&mine.outcome) {
                problems.push(format!("rcluster's outcome is not as expected: {e}"));
            }
        }
    }
    let note = format!(
        "{}\n       oracle:   {}\n       rcluster: {}",
        match case.expect {
            Expect::Same => "",
            Expect::Deliberate { .. } => " (deliberate difference)",
        },
        oracle.outcome,
        mine.outcome
    );
    if problems.is_empty() {
        return Ok(note);
    }
    let mut report = String::new();
    let _ = writeln!(report, "shape: {}", case.shape());
    if let Expect::Deliberate { why, .. } = case.expect {
        let _ = writeln!(report, "deliberate difference: {why}");
    }
    for p in &problems {
        let _ = writeln!(report, "  * {p}");
    }
    let _ = writeln!(report, "--- oracle: {}\n{}", oracle.argv, oracle.outcome);
    let _ = writeln!(report, "{}", oracle.output.tail());
    let _ = writeln!(report, "--- rcluster: {}\n{}", mine.argv, mine.outcome);
    let _ = writeln!(report, "{}", mine.output.tail());
    Err(report)
}

/// One side's run: its command line and output, and the outcome.
struct Ran {
    argv: String,
    output: Output,
    outcome: Outcome,
}

/// The nodes of one side.
struct Nodes {
    cluster: TestCluster,
    extra: Vec<Node>,
    source: Option<Node>,
    dir: tempfile::TempDir,
    /// The cluster's data before it was broken (keys, hash).
    keys_before: (u64, u64),
}

impl Nodes {
    /// Every cluster-enabled node, by index (the cluster's, then the extra ones).
    fn all(&self) -> Vec<&Node> {
        self.cluster.nodes().iter().chain(&self.extra).collect()
    }
}

/// Starts the setup, runs the program of `side`, and takes the outcome.
fn run_side(case: &Case, side: Side, oracle_program: &Path) -> Ran {
    let nodes = start(&case.setup);
    let words = expand_argv(case.argv, &nodes);
    let input = stdin_bytes(case.stdin, &nodes);
    let mut cmd = match side {
        Side::Oracle => {
            let mut cmd = Command::new(oracle_program);
            cmd.env_remove("REDISCLI_AUTH")
                .env_remove("REDISCLI_CLUSTER_YES")
                .env("TERM", "dumb");
            cmd
        }
        Side::Rcluster => {
            let mut cmd = crate::common::rcluster();
            cmd.env_remove("REDISCLI_CLUSTER_YES");
            cmd
        }
    };
    cmd.args(&words[1..]);
    for (k, v) in case.env {
        cmd.env(k, expand(v, &nodes));
    }
    let timeout = match (side, case.expect) {
        (Side::Oracle, Expect::Deliberate { .. }) => ORACLE_DELIBERATE_TIMEOUT,
        _ => RUN_TIMEOUT,
    };
    let output = exec(cmd, input, timeout);
    let mut outcome = observe(&nodes, case);
    outcome.code = output.code;
    outcome.keys_before = nodes.keys_before;
    let program = match side {
        Side::Oracle => words[0].clone(),
        Side::Rcluster => "rcluster".to_string(),
    };
    Ran {
        argv: format!("{program} {}", words[1..].join(" ")),
        output,
        outcome,
    }
}

/// Starts the nodes of `setup`, breaks and loads them as it says.
fn start(setup: &Setup) -> Nodes {
    let mut opts = NodeOpts::new();
    if setup.auth {
        opts = opts.password(PW);
    }
    if setup.ipv6 {
        opts = opts.host("::1");
    }
    if setup.broken == Broken::Uncovered {
        // The keys of the served slots stay readable while slots are uncovered.
        opts = opts.args(["--cluster-require-full-coverage", "no"]);
    }
    let mut spec = ClusterSpec::new(setup.masters.max(1), setup.replicas).opts(opts.clone());
    if setup.empty_masters > 0 {
        assert_eq!(setup.replicas, 0, "empty masters only without replicas");
        let mut slots: Vec<Vec<_>> = even_slot_ranges(setup.masters)
            .into_iter()
            .map(|r| vec![r])
            .collect();
        slots.extend((0..setup.empty_masters).map(|_| vec![]));
        spec = spec.slots(slots);
    }
    if !setup.formed {
        spec = spec.unformed();
    }
    let (cluster, extra, source) = thread::scope(|s| {
        let cluster = s.spawn(|| spec.start());
        let extra = s.spawn(|| {
            (0..setup.extra)
                .map(|_| Node::start(&opts))
                .collect::<Vec<_>>()
        });
        let source = s.spawn(|| {
            (setup.source_keys > 0).then(|| Node::start(&NodeOpts::new().cluster(false)))
        });
        (
            cluster
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            extra
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            source
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
        )
    });
    if setup.keys > 0 {
        load_keys(&cluster, setup.keys, "k", 24);
    }
    if setup.broken == Broken::Uncovered {
        // The slots to uncover hold no key: redis-cli then asks one question, not two.
        let owner = cluster.node(0);
        for slot in 0..=99u16 {
            let keys: Vec<String> = redis::cmd("CLUSTER")
                .arg("GETKEYSINSLOT")
                .arg(slot)
                .arg(1000)
                .query(&mut owner.conn())
                .expect("GETKEYSINSLOT");
            if !keys.is_empty() {
                let mut del = vec!["DEL".to_string()];
                del.extend(keys);
                owner.cmd(&del);
            }
        }
    }
    let open = (setup.broken == Broken::OpenSlot).then(|| fill_slot(&cluster, "open", 20));
    let (count, hash, _) = digest_of(&cluster.nodes().iter().collect::<Vec<_>>());
    if setup.broken == Broken::Uncovered {
        delete_slots_everywhere(&cluster, 0..=99);
    }
    if let Some((slot, owner, keys)) = open {
        let target = (owner + 1) % setup.masters;
        half_migrate(cluster.node(owner), cluster.node(target), slot, &keys[..10]);
    }
    if let Some(src) = &source {
        let mut pairs: Vec<(String, String)> = (0..setup.source_keys)
            .map(|i| (format!("src:{i}"), format!("source-value-{i}")))
            .collect();
        if setup.collide {
            pairs.extend((0..30).map(|i| (format!("k:{i}"), format!("other-value-{i}"))));
        }
        write_pairs(src, pairs);
    }
    let dir = tempfile::Builder::new()
        .prefix("rcluster-drop-in-")
        .tempdir()
        .expect("temp dir");
    Nodes {
        cluster,
        extra,
        source,
        dir,
        keys_before: (count, hash),
    }
}

/// The argv of a template: words split at whitespace, `{NODES}` expanded to one word per
/// node, the other placeholders substituted inside words.
fn expand_argv(template: &str, nodes: &Nodes) -> Vec<String> {
    let mut out = Vec::new();
    for word in template.split_whitespace() {
        if word == "{NODES}" {
            out.extend(nodes.cluster.addrs());
        } else {
            out.push(expand(word, nodes));
        }
    }
    out
}

/// `text` with every `{...}` placeholder substituted (see [`Case::argv`]).
fn expand(text: &str, nodes: &Nodes) -> String {
    let all = nodes.all();
    let node = |rest: &str| -> &Node {
        let i: usize = rest
            .parse()
            .unwrap_or_else(|_| panic!("bad node index in placeholder of {text:?}"));
        all.get(i)
            .unwrap_or_else(|| panic!("no node {i} for {text:?} ({} nodes)", all.len()))
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .unwrap_or_else(|| panic!("unclosed placeholder in {text:?}"))
            + open;
        let key = &rest[open + 1..close];
        let value = match key {
            "PW" => PW.to_string(),
            "DIR" => nodes.dir.path().display().to_string(),
            "SRC" => nodes
                .source
                .as_ref()
                .expect("the setup has no source")
                .addr(),
            _ if key.starts_with("ID") => node(&key[2..]).id().to_string(),
            _ if key.starts_with('A') => node(&key[1..]).addr(),
            _ if key.starts_with('H') => node(&key[1..]).host().to_string(),
            _ if key.starts_with('P') => node(&key[1..]).port().to_string(),
            _ => panic!("unknown placeholder {{{key}}} in {text:?}"),
        };
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The bytes fed on stdin, or None for /dev/null.
fn stdin_bytes(stdin: Stdin, nodes: &Nodes) -> Option<Vec<u8>> {
    let unquote = |w: &str| w.trim_matches('"').to_string();
    match stdin {
        Stdin::Null => None,
        Stdin::Echo(w) | Stdin::Here(w) => Some(format!("{}\n", unquote(w)).into_bytes()),
        Stdin::Yes(w) => Some(format!("{}\n", unquote(w)).repeat(YES_LINES).into_bytes()),
        Stdin::Printf(t) => Some(expand(t, nodes).into_bytes()),
    }
}

// ---------------------------------------------------------------------------------------------
// Running a program
// ---------------------------------------------------------------------------------------------

/// What a run printed (the first [`OUTPUT_CAP`] bytes of each stream) and its exit code.
struct Output {
    /// None when killed after its timeout.
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Total bytes printed on stdout.
    stdout_bytes: usize,
    elapsed: Duration,
}

impl Output {
    /// The last lines of both streams, for reports.
    fn tail(&self) -> String {
        let last = |s: &str, n: usize| {
            let lines: Vec<&str> = s.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        };
        format!(
            "(ran {:.1} s, {} bytes on stdout)\n[stdout tail]\n{}\n[stderr tail]\n{}",
            self.elapsed.as_secs_f64(),
            self.stdout_bytes,
            last(&self.stdout, 25),
            last(&self.stderr, 15)
        )
    }
}

/// Runs `cmd` with `input` on stdin (or /dev/null), killing it after `timeout`.
fn exec(mut cmd: Command, input: Option<Vec<u8>>, timeout: Duration) -> Output {
    let started = Instant::now();
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    if let (Some(bytes), Some(mut pipe)) = (input, child.stdin.take()) {
        thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let stdout = capped_reader(child.stdout.take());
    let stderr = capped_reader(child.stderr.take());
    let code = wait_or_kill(&mut child, timeout);
    let (stdout, stdout_bytes) = stdout.join().unwrap_or_default();
    let (stderr, _) = stderr.join().unwrap_or_default();
    Output {
        code,
        stdout,
        stderr,
        stdout_bytes,
        elapsed: started.elapsed(),
    }
}

/// Reads a pipe to its end, keeping the first [`OUTPUT_CAP`] bytes; returns them (lossy
/// UTF-8) and the total.
fn capped_reader<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<(String, usize)> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut total = 0;
        if let Some(mut p) = pipe {
            let mut buf = [0u8; 8192];
            while let Ok(n) = p.read(&mut buf) {
                if n == 0 {
                    break;
                }
                total += n;
                let room = OUTPUT_CAP.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
        (String::from_utf8_lossy(&kept).into_owned(), total)
    })
}

/// The exit code (128 + signal when killed by one), or None when still running at `timeout`
/// (then killed and reaped).
fn wait_or_kill(child: &mut Child, timeout: Duration) -> Option<i32> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(crate::common::exit_code(status));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

fn show_code(code: Option<i32>) -> String {
    code.map_or_else(
        || "none (killed after its timeout)".to_string(),
        |c| c.to_string(),
    )
}

// ---------------------------------------------------------------------------------------------
// The outcome
// ---------------------------------------------------------------------------------------------

/// A node's place in the cluster after the command.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    /// Not a member (alone, or not listed by the cluster).
    Absent,
    /// A master serving this many slots.
    Master(usize),
    /// A replica of the node of this index (None: of a node the harness did not start).
    Replica(Option<usize>),
}

/// What one side's command left behind.
#[derive(Clone, Debug, Default)]
struct Outcome {
    /// Exit code; None when killed after its timeout.
    code: Option<i32>,
    /// Every member agreed on roles and slots, none in handshake or failing.
    settled: bool,
    /// Role of every cluster-enabled node, by index.
    roles: Vec<Role>,
    /// Nodes (by index) with open-slot markers, and the markers.
    open: Vec<String>,
    /// Slots served.
    covered: usize,
    /// (keys, hash of DUMP payloads) over the members that are masters.
    keys: (u64, u64),
    /// The same before the command.
    keys_before: (u64, u64),
    /// Keys found on more than one master.
    duplicates: usize,
    /// DBSIZE of the standalone source.
    source_keys: Option<u64>,
    /// CONFIG GET of [`Part::Config`]'s parameter on every node, by index.
    config: Vec<String>,
    /// The backup directory, reduced (see [`Part::Backup`]).
    backup: String,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}; {}; roles {}; slots {}; keys {}; source {:?}; config {:?}; backup {}",
            show_code(self.code),
            self.part(Shape),
            self.part(Roles),
            self.part(Slots),
            self.part(Keys),
            self.source_keys,
            self.config,
            self.backup
        )
    }
}

impl Outcome {
    /// The text of one part, for comparison and reports.
    fn part(&self, part: Part) -> String {
        let masters: Vec<usize> = (0..self.roles.len())
            .filter(|&i| matches!(self.roles[i], Role::Master(_)))
            .collect();
        match part {
            Exit => show_code(self.code),
            Shape => {
                let members = self.roles.iter().filter(|r| **r != Role::Absent).count();
                let mut replicas: Vec<usize> = masters
                    .iter()
                    .map(|&m| {
                        self.roles
                            .iter()
                            .filter(|r| **r == Role::Replica(Some(m)))
                            .count()
                    })
                    .collect();
                replicas.sort_unstable();
                format!(
                    "{members} members, {} masters, replicas {replicas:?}, {} slots covered, \
                     open slots: {}, {}",
                    masters.len(),
                    self.covered,
                    if self.open.is_empty() { "none" } else { "some" },
                    if self.settled { "agreed" } else { "NOT agreed" }
                )
            }
            Slots => {
                let mut counts: Vec<usize> = self
                    .roles
                    .iter()
                    .filter_map(|r| match r {
                        Role::Master(n) => Some(*n),
                        _ => None,
                    })
                    .collect();
                counts.sort_unstable();
                format!("{counts:?}")
            }
            Roles => {
                let shown: Vec<String> = self
                    .roles
                    .iter()
                    .enumerate()
                    .map(|(i, r)| match r {
                        Role::Absent => format!("#{i} -"),
                        Role::Master(n) => format!("#{i} M{n}"),
                        Role::Replica(_) => format!("#{i} S"),
                    })
                    .collect();
                shown.join(" ")
            }
            Replication => {
                let shown: Vec<String> = self
                    .roles
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| match r {
                        Role::Replica(Some(m)) => Some(format!("#{i}->#{m}")),
                        Role::Replica(None) => Some(format!("#{i}->?")),
                        _ => None,
                    })
                    .collect();
                shown.join(" ")
            }
            Keys => format!(
                "{} keys (hash {:x}){}",
                self.keys.0,
                self.keys.1,
                match self.duplicates {
                    0 => String::new(),
                    n => format!(", {n} on two masters"),
                }
            ),
            Source => format!("{:?}", self.source_keys),
            Config(_) => format!("{:?}", self.config),
            Backup => self.backup.clone(),
        }
    }
}

/// Slots of node `i` must be `n`.
fn slots_of(o: &Outcome, i: usize, n: usize) -> Result<(), String> {
    match o.roles.get(i) {
        Some(Role::Master(have)) if *have == n => Ok(()),
        other => Err(format!(
            "node #{i} is {other:?}, expected a master of {n} slots"
        )),
    }
}

/// (keys, hash of every key with its DUMP payload, keys found on two nodes) of the data of
/// `nodes` (the masters of the cluster). A key in a slot the node imports is read after
/// ASKING; a key in a slot the node neither serves nor imports (an uncovered slot) counts
/// with its name only.
fn digest_of(nodes: &[&Node]) -> (u64, u64, usize) {
    let mut all: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut duplicates = 0;
    for node in nodes {
        let Some(view) = try_view(node).ok() else {
            continue;
        };
        let Some(me) = view.iter().find(|l| l.has_flag("myself")) else {
            continue;
        };
        if me.is_replica() {
            continue;
        }
        let mut readable: BTreeSet<u16> = me.slots.iter().cloned().flatten().collect();
        let text = node.cmd_str(&["CLUSTER", "NODES"]);
        if let Some(line) = text.lines().find(|l| l.contains("myself")) {
            for token in line.split_whitespace().filter(|t| t.contains("-<-")) {
                if let Ok(slot) = token
                    .trim_start_matches('[')
                    .split('-')
                    .next()
                    .unwrap()
                    .parse()
                {
                    readable.insert(slot);
                }
            }
        }
        let mut conn = node.conn();
        crate::common::scan(&mut conn, |conn, keys| {
            let (read, unread): (Vec<Vec<u8>>, Vec<Vec<u8>>) = keys
                .into_iter()
                .partition(|k| readable.contains(&crate::common::key_slot(k)));
            let mut pipe = redis::pipe();
            for key in &read {
                pipe.cmd("ASKING").ignore().cmd("DUMP").arg(key);
            }
            // Unreadable (the cluster is down): names only.
            let values: Vec<Option<Vec<u8>>> = match read.is_empty() {
                true => Vec::new(),
                false => pipe
                    .query(conn)
                    .unwrap_or_else(|_| vec![Some(b"(unreadable)".to_vec()); read.len()]),
            };
            for (key, value) in read.into_iter().zip(values) {
                if all.insert(key, value.unwrap_or_default()).is_some() {
                    duplicates += 1;
                }
            }
            for key in unread {
                if all.insert(key, b"(slot not served)".to_vec()).is_some() {
                    duplicates += 1;
                }
            }
        });
    }
    let mut hasher = std::hash::DefaultHasher::new();
    for (key, value) in &all {
        std::hash::Hash::hash(key, &mut hasher);
        std::hash::Hash::hash(value, &mut hasher);
    }
    (
        all.len() as u64,
        std::hash::Hasher::finish(&hasher),
        duplicates,
    )
}

/// The reference view (the node that knows the most nodes), and whether every member agrees
/// with it.
fn reference_view(all: &[&Node]) -> (Vec<NodeLine>, bool) {
    let views: Vec<Option<Vec<NodeLine>>> = all.iter().map(|n| try_view(n).ok()).collect();
    let reference = views
        .iter()
        .flatten()
        .max_by_key(|v| v.len())
        .cloned()
        .unwrap_or_default();
    let index_of = |addr: &str| all.iter().position(|n| n.addr() == addr);
    let want = agreed_view(&reference);
    let ids: BTreeSet<&str> = reference.iter().map(|l| l.id.as_str()).collect();
    let bad_flag = |l: &NodeLine| {
        ["handshake", "noaddr", "fail", "fail?"]
            .iter()
            .any(|f| l.has_flag(f))
    };
    let mut ok = reference.len() <= 1 || !reference.iter().any(bad_flag);
    if reference.len() > 1 {
        for line in &reference {
            let Some(i) = index_of(&line.addr) else {
                ok = false;
                continue;
            };
            match &views[i] {
                Some(v) => {
                    let seen: BTreeSet<&str> = v.iter().map(|l| l.id.as_str()).collect();
                    ok &= seen == ids && agreed_view(v) == want && !v.iter().any(bad_flag);
                }
                None => ok = false,
            }
        }
    }
    // A node outside the membership must know only itself: one that knows others is still
    // joining (redis-cli's add-node returns right after CLUSTER MEET).
    let members: BTreeSet<&str> = reference.iter().map(|l| l.addr.as_str()).collect();
    for (node, view) in all.iter().zip(&views) {
        if reference.len() > 1 && members.contains(node.addr().as_str()) {
            continue;
        }
        ok &= view.as_ref().is_some_and(|v| v.len() <= 1);
    }
    (reference, ok)
}

/// The outcome on `nodes` once the members agree (or after [`SETTLE_TIMEOUT`]).
fn observe(nodes: &Nodes, case: &Case) -> Outcome {
    let all = nodes.all();
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    let (reference, settled) = loop {
        let (view, ok) = reference_view(&all);
        if ok || Instant::now() >= deadline {
            break (view, ok);
        }
        thread::sleep(Duration::from_millis(50));
    };
    let index_of = |addr: &str| all.iter().position(|n| n.addr() == addr);
    let by_id: BTreeMap<&str, usize> = reference
        .iter()
        .filter_map(|l| Some((l.id.as_str(), index_of(&l.addr)?)))
        .collect();
    let mut roles = vec![Role::Absent; all.len()];
    if reference.len() > 1 {
        for line in &reference {
            let Some(i) = index_of(&line.addr) else {
                continue;
            };
            roles[i] = if line.is_replica() {
                Role::Replica(line.master.as_deref().and_then(|m| by_id.get(m).copied()))
            } else {
                Role::Master(line.slots.iter().map(|r| r.len()).sum())
            };
        }
    }
    // A lone master with slots (a created cluster of one) would be a member too; none here.
    let covered = reference
        .iter()
        .flat_map(|l| l.slots.iter().cloned().flatten())
        .collect::<BTreeSet<u16>>()
        .len();
    let members: Vec<&Node> = (0..all.len())
        .filter(|&i| roles[i] != Role::Absent)
        .map(|i| all[i])
        .collect();
    let mut open = Vec::new();
    for (i, n) in all.iter().enumerate() {
        if roles[i] == Role::Absent {
            continue;
        }
        if let Some(view) = n
            .try_cmd(&["CLUSTER", "NODES"])
            .ok()
            .and_then(|v| redis::from_redis_value::<String>(v).ok())
        {
            for line in view.lines().filter(|l| l.contains("myself")) {
                for token in line.split_whitespace().filter(|t| t.starts_with('[')) {
                    open.push(format!("#{i} {token}"));
                }
            }
        }
    }
    let (count, hash, duplicates) = digest_of(&members);
    let config = case
        .compare
        .iter()
        .find_map(|p| match p {
            Config(name) => Some(*name),
            _ => None,
        })
        .map(|name| all.iter().map(|n| config_get(n, name)).collect())
        .unwrap_or_default();
    let source_keys = nodes.source.as_ref().map(|s| {
        s.cmd_str(&["DBSIZE"])
            .parse::<u64>()
            .expect("DBSIZE is a number")
    });
    let backup = if case.compare.contains(&Backup) {
        backup_files(nodes.dir.path(), members.len())
    } else {
        String::new()
    };
    Outcome {
        code: None,
        settled,
        roles,
        open,
        covered,
        keys: (count, hash),
        keys_before: (0, 0),
        duplicates,
        source_keys,
        config,
        backup,
    }
}

/// `CONFIG GET name` on `node` (`?` when it does not answer).
fn config_get(node: &Node, name: &str) -> String {
    node.try_conn()
        .and_then(|mut c| {
            redis::cmd("CONFIG")
                .arg("GET")
                .arg(name)
                .query::<Vec<String>>(&mut c)
        })
        .ok()
        .and_then(|v| v.get(1).cloned())
        .unwrap_or_else(|| "?".to_string())
}

/// The backup directory reduced to what both tools write: how many RDB files, whether each
/// starts with an RDB header (`REDIS`/`VALKEY` and a version), and whether nodes.json is JSON.
fn backup_files(dir: &Path, _members: usize) -> String {
    let mut rdbs = 0;
    let mut bad = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read backup dir").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".rdb") {
            rdbs += 1;
            let head = std::fs::read(entry.path()).unwrap_or_default();
            let ok = head.starts_with(b"REDIS") || head.starts_with(b"VALKEY");
            if !ok {
                bad.push(name);
            }
        }
    }
    let nodes_json = match std::fs::read_to_string(dir.join("nodes.json")) {
        Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(_) => "nodes.json ok",
            Err(_) => "nodes.json is not JSON",
        },
        Err(_) => "no nodes.json",
    };
    format!("{rdbs} RDB files, not RDB: {bad:?}, {nodes_json}")
}
