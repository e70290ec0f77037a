//! Faults and recovery: what `rcluster fix` and the migration engine do when the process or
//! the nodes die or freeze in the middle of their work.
//!
//! 1. `rebalance` SIGKILLed at varying points, both directions (filling an empty fourth
//!    master and emptying it with weight 0): `fix` repairs, nothing lost or duplicated.
//! 2. The SOURCE redis-server SIGKILLed while `reshard` moves its keys: rcluster exits soon
//!    with an error naming the node (no hang); the node restarts from its own directory
//!    (nodes.conf and AOF) and `fix` completes or closes the move with no key lost.
//! 3. A SIGSTOPped replica (connects, never answers) does not hang `check`, `info`,
//!    `reshard --dry-run` or `fix --dry-run` beyond their timeout, and they name it; a target
//!    SIGSTOPped in the middle of a reshard does not hang the reshard either, and `fix`
//!    repairs after it answers again; a `fix` run while the other nodes still flag that
//!    target `fail` (it answers again) does not strand the keys it had received.
//! 4. A master frozen with no replica (the cluster refuses queries): `check` names the
//!    failing slots and the full-coverage consequence, `fix` refuses without
//!    `--fix-with-unreachable-masters` and changes nothing; once the node is back, `check`
//!    passes again.
//! 5. Failover: an automatic failover after a master is SIGKILLed is seen by `check`, and
//!    `rcluster failover` (plain and `--force`) promotes a replica on a healthy cluster.
//!
//! Every repair ends with no open slot, every key on the master serving its slot, the data
//! digest (an independent SCAN + DUMP of every master) unchanged, and both `rcluster check`
//! and `redis-cli --cluster check` passing.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{
    CurrentEpoch, Digest, FORM_TIMEOUT, Node, NodeOpts, RunOutput, SlotMap, TestCluster, all_text,
    digest_nodes, exit_code, fix_until_ok, info_value, json, layout, load_keys, misplaced_keys,
    open_slot_nodes, poll_until, redis_cli, redis_cli_available, role, run, served_slots, signal,
    slot_map, try_view, wait_flagged_fail,
};

// ---------------------------------------------------------------------------------------------
// Helpers: signals and processes
// ---------------------------------------------------------------------------------------------

/// SIGSTOPs a process for as long as the guard lives; SIGCONT on drop (also when the test
/// panics), so that a frozen redis-server never outlives its test frozen.
struct Frozen {
    pid: u32,
}

impl Frozen {
    fn new(node: &Node) -> Frozen {
        let pid = node.pid().expect("node is running");
        signal(pid, "STOP");
        Frozen { pid }
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        signal(self.pid, "CONT");
    }
}

/// An rcluster process running in the background, its stdout/stderr going to temp files;
/// SIGKILLed and reaped on drop if still running.
struct Spawned {
    child: Child,
    stdout: tempfile::NamedTempFile,
    stderr: tempfile::NamedTempFile,
    exited: Option<ExitStatus>,
}

impl Spawned {
    fn new(args: &[&str]) -> Spawned {
        let stdout = tempfile::NamedTempFile::new().expect("temp file");
        let stderr = tempfile::NamedTempFile::new().expect("temp file");
        let child = crate::common::rcluster()
            .args(args)
            .stdout(stdout.reopen().expect("reopen"))
            .stderr(stderr.reopen().expect("reopen"))
            .spawn()
            .unwrap_or_else(|e| panic!("spawn rcluster {args:?}: {e}"));
        Spawned {
            child,
            stdout,
            stderr,
            exited: None,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True once the process has exited.
    fn has_exited(&mut self) -> bool {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().expect("try_wait");
        }
        self.exited.is_some()
    }

    /// Waits up to `timeout` for the process to exit; returns its output, or Err with what it
    /// printed so far when it is still running (it is then SIGKILLed).
    fn wait(&mut self, timeout: Duration) -> Result<RunOutput, RunOutput> {
        let deadline = Instant::now() + timeout;
        while !self.has_exited() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        let finished = self.has_exited();
        if !finished {
            let _ = self.child.kill();
            self.exited = self.child.wait().ok();
        }
        let output = RunOutput {
            code: self.exited.map_or(-1, exit_code),
            stdout: fs::read_to_string(self.stdout.path()).unwrap_or_default(),
            stderr: fs::read_to_string(self.stderr.path()).unwrap_or_default(),
        };
        if finished { Ok(output) } else { Err(output) }
    }

    /// SIGKILLs the process and waits for it.
    fn kill(&mut self) -> RunOutput {
        signal(self.pid(), "9");
        self.wait(Duration::from_secs(30))
            .unwrap_or_else(|o| panic!("rcluster did not exit after SIGKILL:\n{o}"))
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if !self.has_exited() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A redis-server started again on a killed harness node's port and directory, with the
/// same arguments (so it reads its own nodes.conf, and its AOF when it had one); SIGKILLed
/// and reaped on drop. Declare it after the cluster so that it is dropped first (the
/// directory belongs to the harness node).
struct Restarted {
    child: Child,
}

impl Drop for Restarted {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Restarts a node killed with [`Node::kill`] / [`TestCluster::kill`] with the harness's
/// arguments for its port and directory.
fn restart(node: &Node) -> Restarted {
    assert!(!node.is_alive(), "{} is still running", node.addr());
    let args = node.opts().server_args(node.port(), node.dir());
    let stdio = OpenOptions::new()
        .append(true)
        .create(true)
        .open(node.dir().join("stdio.log"))
        .expect("stdio.log");
    let child = Command::new(crate::common::server().path())
        .args(&args)
        .current_dir(node.dir())
        .stdin(Stdio::null())
        .stdout(stdio.try_clone().expect("stdio.log"))
        .stderr(stdio)
        .spawn()
        .expect("spawn redis-server");
    let mut restarted = Restarted { child };
    let pid = restarted.child.id();
    poll_until(
        "the restarted node to answer (data loaded)",
        FORM_TIMEOUT,
        || {
            if let Some(status) = restarted.child.try_wait().expect("try_wait") {
                panic!(
                    "the restarted {} exited ({status}):\n{}",
                    node.addr(),
                    node.log_tail(30)
                );
            }
            let mut conn = node.try_conn().map_err(|e| e.to_string())?;
            redis::cmd("PING")
                .query::<String>(&mut conn)
                .map_err(|e| e.to_string())?;
            let info: String = redis::cmd("INFO")
                .arg("server")
                .query(&mut conn)
                .map_err(|e| e.to_string())?;
            match info_value(&info, "process_id").and_then(|p| p.parse::<u32>().ok()) {
                Some(p) if p == pid => Ok(()),
                other => Err(format!("served by pid {other:?}, not {pid}")),
            }
        },
    );
    restarted
}

// ---------------------------------------------------------------------------------------------
// Helpers: cluster state over an explicit list of nodes
// ---------------------------------------------------------------------------------------------

/// Every node of `nodes` reports cluster_state:ok, knows every other one with no
/// fail/fail?/handshake/noaddr flag, and they all show the same slot map.
fn check_all_ok(nodes: &[&Node]) -> Result<(), String> {
    let ids: BTreeSet<&str> = nodes.iter().map(|n| n.id()).collect();
    let mut first: Option<(String, SlotMap)> = None;
    for node in nodes {
        let state = node
            .try_cmd(&["CLUSTER", "INFO"])
            .ok()
            .and_then(|v| redis::from_redis_value::<String>(v).ok())
            .and_then(|t| info_value(&t, "cluster_state"));
        if state.as_deref() != Some("ok") {
            return Err(format!("{}: cluster_state {state:?}", node.addr()));
        }
        let view = try_view(node)?;
        for id in &ids {
            match view.iter().find(|l| l.id == *id) {
                None => return Err(format!("{} does not know {id}", node.addr())),
                Some(l)
                    if ["fail", "fail?", "handshake", "noaddr"]
                        .iter()
                        .any(|f| l.has_flag(f)) =>
                {
                    return Err(format!("{} sees {} as {:?}", node.addr(), l.addr, l.flags));
                }
                Some(_) => {}
            }
        }
        let map = slot_map(&view);
        match &first {
            None => first = Some((node.addr(), map)),
            Some((addr, m)) if *m != map => {
                return Err(format!("{} and {addr} disagree on slots", node.addr()));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Waits until [`check_all_ok`] passes.
fn wait_all_ok(nodes: &[&Node]) {
    wait_all_ok_within(nodes, FORM_TIMEOUT);
}

/// Waits up to `timeout` until [`check_all_ok`] passes.
fn wait_all_ok_within(nodes: &[&Node], timeout: Duration) {
    poll_until("every node ok and in agreement", timeout, || {
        check_all_ok(nodes)
    });
}

/// The slots `node` imports, from its own `CLUSTER NODES` line (`[slot-<-source]`).
fn importing_slots(node: &Node) -> BTreeSet<u16> {
    let text = node.cmd_str(&["CLUSTER", "NODES"]);
    text.lines()
        .find(|l| l.contains("myself"))
        .map(|line| {
            line.split_whitespace()
                .filter_map(|t| t.strip_prefix('['))
                .filter_map(|t| t.split_once("-<-"))
                .filter_map(|(slot, _)| slot.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Every node ok and agreeing, no open slot, no misplaced key, `rcluster check` and
/// `redis-cli --cluster check` clean, and the data exactly `before` with no duplicate.
fn assert_repaired(nodes: &[&Node], before: &Digest) {
    wait_all_ok(nodes);
    let open = open_slot_nodes(nodes);
    assert!(open.is_empty(), "open slots left on {open:?}");
    let stray = misplaced_keys(nodes);
    assert!(
        stray.is_empty(),
        "{} keys in {} slots on masters that do not serve them; first ones (master, slot, \
         keys): {:?}",
        stray.iter().map(|s| s.2).sum::<u64>(),
        stray.len(),
        &stray[..stray.len().min(10)]
    );
    let entry = nodes[0].addr();
    let check = run(["check", &entry]);
    assert!(check.success(), "rcluster check failed:\n{check}");
    if redis_cli_available() {
        let oracle = redis_cli(nodes[0].opts(), ["--cluster", "check", &entry]);
        assert!(
            oracle.success() && !oracle.stdout.contains("[ERR]"),
            "redis-cli --cluster check failed:\n{oracle}"
        );
    }
    digest_nodes(nodes).assert_same_data_as(before);
}

/// Waits until every replica of the cluster has its link up and as many keys as its master.
fn wait_replicas_in_sync(cluster: &TestCluster) {
    poll_until("replicas in sync", FORM_TIMEOUT, || {
        for m in 0..cluster.masters() {
            let keys = cluster.node(m).cmd_str(&["DBSIZE"]);
            for r in cluster.replicas_of(m) {
                let node = cluster.node(r);
                let link = node.info_field("replication", "master_link_status");
                if link.as_deref() != Some("up") || node.cmd_str(&["DBSIZE"]) != keys {
                    return Err(format!("{} link {link:?}", node.addr()));
                }
            }
        }
        Ok(())
    });
}

/// MEETs `node` into the cluster and waits until every node knows it and it reports
/// cluster_state:ok.
fn join(cluster: &TestCluster, node: &Node) {
    let first = cluster.node(0);
    node.cmd(&["CLUSTER", "MEET", first.host(), &first.port().to_string()]);
    let mut all: Vec<&Node> = cluster.nodes().iter().collect();
    all.push(node);
    wait_all_ok(&all);
}

// ---------------------------------------------------------------------------------------------
// 1. rebalance SIGKILLed mid-way, in both directions
// ---------------------------------------------------------------------------------------------

/// Delays before the SIGKILL of each round (even rounds fill the fourth master, odd rounds
/// empty it), varied so that kills land before, during and after key moves.
const REBALANCE_KILL_DELAYS_MS: [u64; 6] = [150, 60, 250, 120, 20, 200];

#[test]
fn rebalance_killed_at_random_points_is_repaired_by_fix() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    assert_eq!(load_keys(&cluster, 60_000, "rb", 24), 60_000);
    // The fourth master keeps cluster-allow-replica-migration off: otherwise redis 7 turns a
    // master that gives away its last slot into a replica of the receiver.
    let m4 = Node::start(&NodeOpts::new().args(["--cluster-allow-replica-migration", "no"]));
    join(&cluster, &m4);
    let nodes: Vec<&Node> = cluster.nodes().iter().chain([&m4]).collect();
    let before = digest_nodes(&nodes);
    assert_eq!(before.keys, 60_000);
    let entry = cluster.addr(0);
    let weight0 = format!("{}=0", m4.id());
    let mut rounds_with_open_slots = 0;
    let started = Instant::now();

    for (round, &delay) in REBALANCE_KILL_DELAYS_MS.iter().enumerate() {
        let args: Vec<&str> = if round % 2 == 0 {
            vec!["rebalance", &entry, "--use-empty-masters"]
        } else {
            vec!["rebalance", &entry, "--weight", &weight0]
        };
        let m4_before = served_slots(&m4);
        let mut child = Spawned::new(&args);
        thread::sleep(Duration::from_millis(delay));
        let killed = child.kill();
        let open = open_slot_nodes(&nodes);
        if !open.is_empty() {
            rounds_with_open_slots += 1;
        }
        let runs = fix_until_ok(&entry);
        eprintln!(
            "round {round} ({}): killed after {delay} ms (exit {}), fourth master {m4_before} -> \
             {} slots, open slots on {open:?}, fix runs {} ({:?} elapsed)",
            args[2],
            killed.code,
            served_slots(&m4),
            runs.len(),
            started.elapsed()
        );
        assert_repaired(&nodes, &before);
        assert_eq!(
            role(&m4).as_deref(),
            Some("master"),
            "the fourth master is no longer a master"
        );
    }
    assert!(
        rounds_with_open_slots > 0,
        "no kill landed while a slot was open: the test did not exercise fix"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. The source master SIGKILLed during a reshard
// ---------------------------------------------------------------------------------------------

#[test]
fn source_master_killed_mid_reshard_then_restarted_is_repaired_without_loss() {
    // A node timeout far above the test's kill-to-restart time: no failover happens. The AOF
    // makes the killed master find its keys again when it restarts (what a crashed server
    // itself loses from memory is not rcluster's loss; here it loses nothing).
    let opts = NodeOpts::new().node_timeout_ms(15_000).args([
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
    ]);
    let mut cluster = TestCluster::start(3, 1, opts);
    assert_eq!(load_keys(&cluster, 100_000, "sk", 24), 100_000);
    wait_replicas_in_sync(&cluster);
    let all: Vec<usize> = (0..cluster.len()).collect();
    let before = digest_nodes(&all.iter().map(|&i| cluster.node(i)).collect::<Vec<_>>());
    assert_eq!(before.keys, 100_000);

    let (a, b) = (0, 1);
    let a_addr = cluster.addr(a);
    let a_port = cluster.node(a).port().to_string();
    let a_id = cluster.node(a).id().to_string();
    let b_id = cluster.node(b).id().to_string();
    let entry = cluster.addr(2);
    let b_keys: u64 = cluster.node(b).cmd_str(&["DBSIZE"]).parse().unwrap();

    let mut child = Spawned::new(&[
        "reshard", &entry, "--from", &a_id, "--to", &b_id, "--slots", "3000", "--yes", "-t", "2",
    ]);
    // Once keys start arriving on B, the source dies.
    poll_until("keys to arrive on the target", FORM_TIMEOUT, || {
        if child.has_exited() {
            panic!(
                "reshard ended before the kill:\n{}",
                child.wait(Duration::ZERO).unwrap()
            );
        }
        let now: u64 = cluster.node(b).cmd_str(&["DBSIZE"]).parse().unwrap();
        if now >= b_keys + 1000 {
            Ok(())
        } else {
            Err(format!("{} keys arrived", now.saturating_sub(b_keys)))
        }
    });
    cluster.kill(a);
    let killed_at = Instant::now();
    let out = child
        .wait(Duration::from_secs(30))
        .unwrap_or_else(|o| panic!("rcluster still runs 30 s after its source died:\n{o}"));
    let took = killed_at.elapsed();
    eprintln!("reshard exited {took:?} after the source was killed:\n{out}");
    assert_ne!(
        out.code, 0,
        "reshard claims success without its source:\n{out}"
    );
    assert!(
        out.code == 1,
        "reshard should fail with exit 1, not {} (crash or signal?):\n{out}",
        out.code
    );
    let text = all_text(&out);
    assert!(
        text.contains(&a_addr) || text.contains(&format!(":{a_port}")),
        "the error does not name the dead source {a_addr}:\n{out}"
    );
    let open_after_kill = open_slot_nodes(
        &(0..cluster.len())
            .filter(|&i| i != a)
            .map(|i| cluster.node(i))
            .collect::<Vec<_>>(),
    );
    eprintln!("open slots after the kill (A excluded): {open_after_kill:?}");

    // A comes back from its own directory: nodes.conf (with its migrating slots) and AOF.
    let _a = restart(cluster.node(a));
    let nodes: Vec<&Node> = all.iter().map(|&i| cluster.node(i)).collect();
    poll_until("every node to see A again", FORM_TIMEOUT, || {
        for node in &nodes {
            let view = try_view(node)?;
            match view.iter().find(|l| l.id == a_id) {
                Some(l) if l.link == "connected" && !l.has_flag("fail") && !l.has_flag("fail?") => {
                }
                other => return Err(format!("{} sees A as {other:?}", node.addr())),
            }
        }
        Ok(())
    });
    assert_eq!(role(cluster.node(a)).as_deref(), Some("master"));
    eprintln!(
        "after the restart: open slots on {:?}",
        open_slot_nodes(&nodes)
    );

    let runs = fix_until_ok(&entry);
    eprintln!("fix runs: {}\n{}", runs.len(), runs.last().unwrap());
    assert_repaired(&nodes, &before);
}

// ---------------------------------------------------------------------------------------------
// 3. A frozen node does not hang commands
// ---------------------------------------------------------------------------------------------

#[test]
fn frozen_replica_does_not_hang_commands_beyond_their_timeout() {
    // A long node timeout: the cluster does not flag the frozen node for a while, so rcluster
    // must find out by itself that it does not answer.
    let cluster = TestCluster::start(3, 1, NodeOpts::new().node_timeout_ms(15_000));
    cluster.populate(2000, "fz");
    let frozen = cluster.replicas_of(0)[0];
    let frozen_addr = cluster.addr(frozen);
    let entry = cluster.addr(1);
    let to = cluster.node(2).id().to_string();
    let _guard = Frozen::new(cluster.node(frozen));

    let commands: Vec<Vec<&str>> = vec![
        vec!["check", &entry, "-t", "1"],
        vec!["info", &entry],
        vec![
            "reshard",
            &entry,
            "--from",
            "all",
            "--to",
            &to,
            "--slots",
            "100",
            "--dry-run",
            "-t",
            "1",
        ],
        vec!["fix", &entry, "--dry-run", "-t", "1"],
    ];
    let mut problems = Vec::new();
    for args in &commands {
        let started = Instant::now();
        let mut child = Spawned::new(args);
        let result = child.wait(Duration::from_secs(30));
        let took = started.elapsed();
        let out = match result {
            Ok(out) => out,
            Err(out) => {
                problems.push(format!("{args:?} still ran after 30 s:\n{out}"));
                continue;
            }
        };
        eprintln!("{args:?}: exit {} in {took:?}", out.code);
        if took >= Duration::from_secs(15) {
            problems.push(format!("{args:?} took {took:?} (limit 15 s):\n{out}"));
        }
        if !matches!(out.code, 0 | 1) {
            problems.push(format!("{args:?}: exit code {}:\n{out}", out.code));
        }
        if !all_text(&out).contains(&frozen_addr) {
            problems.push(format!(
                "{args:?} does not name the node that did not answer ({frozen_addr}):\n{out}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn target_frozen_mid_reshard_does_not_hang_it() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new().node_timeout_ms(10_000));
    assert_eq!(load_keys(&cluster, 60_000, "ft", 24), 60_000);
    let nodes: Vec<&Node> = cluster.nodes().iter().collect();
    let before = digest_nodes(&nodes);
    let (a, b) = (cluster.node(0), cluster.node(1));
    let entry = cluster.addr(2);
    let b_keys: u64 = b.cmd_str(&["DBSIZE"]).parse().unwrap();
    let mut child = Spawned::new(&[
        "reshard",
        &entry,
        "--from",
        a.id(),
        "--to",
        b.id(),
        "--slots",
        "3000",
        "--yes",
        "-t",
        "1",
    ]);
    poll_until("keys to arrive on the target", FORM_TIMEOUT, || {
        if child.has_exited() {
            panic!(
                "reshard ended before the freeze:\n{}",
                child.wait(Duration::ZERO).unwrap()
            );
        }
        let now: u64 = b.cmd_str(&["DBSIZE"]).parse().unwrap();
        if now >= b_keys + 1000 {
            Ok(())
        } else {
            Err(format!("{} keys arrived", now.saturating_sub(b_keys)))
        }
    });
    let result = {
        let _frozen = Frozen::new(b);
        let frozen_at = Instant::now();
        let result = child.wait(Duration::from_secs(30));
        eprintln!(
            "reshard with its target frozen: {} after {:?}",
            if result.is_ok() {
                "exited"
            } else {
                "still running, killed"
            },
            frozen_at.elapsed()
        );
        result
    };
    // Whatever happened, the cluster is repaired without loss once the target answers again
    // and nobody flags it failing any more (fixing inside that window is the next test).
    // (Redis clears the flag of a master with slots twice the node timeout after it set it.)
    wait_all_ok_within(&nodes, Duration::from_secs(40));
    eprintln!(
        "source {} target {}; open slots after the freeze: {:?}",
        a.addr(),
        b.addr(),
        open_slot_nodes(&nodes)
    );
    for (i, run) in fix_until_ok(&entry).iter().enumerate() {
        eprintln!("fix run {}:\n{run}", i + 1);
    }
    assert_repaired(&nodes, &before);
    let out = result.unwrap_or_else(|o| {
        panic!(
            "reshard still ran 30 s after its target stopped answering (-t 1); it was killed:\n{o}"
        )
    });
    assert_eq!(out.code, 1, "reshard with a frozen target:\n{out}");
    assert!(
        all_text(&out).contains(&b.addr()),
        "the error does not name the frozen target {}:\n{out}",
        b.addr()
    );
}

/// Keys of `slot` held by `node` (up to 1000).
fn keys_in_slot(node: &Node, slot: u16) -> Vec<String> {
    let mut conn = node.conn();
    redis::cmd("CLUSTER")
        .arg("GETKEYSINSLOT")
        .arg(slot)
        .arg(1000)
        .query(&mut conn)
        .expect("GETKEYSINSLOT")
}

#[test]
fn fix_right_after_a_frozen_importer_comes_back_loses_no_key() {
    // The state a reshard leaves when its target froze: slot migrating on A, importing on B,
    // part of its keys already on B. B then answers again, but the other nodes still flag it
    // `fail` for a while (Redis clears the flag of a master with slots only after twice the
    // node timeout). A fix run in that window must not close the slot over B's keys.
    let cluster = TestCluster::start(3, 0, NodeOpts::new().node_timeout_ms(3000));
    assert_eq!(load_keys(&cluster, 30_000, "fb", 24), 30_000);
    let nodes: Vec<&Node> = cluster.nodes().iter().collect();
    let before = digest_nodes(&nodes);
    let (a, b) = (cluster.node(0), cluster.node(1));
    let slot: u16 = 100;
    let keys = keys_in_slot(a, slot);
    assert!(
        keys.len() >= 2,
        "setup: slot {slot} holds {} keys",
        keys.len()
    );
    b.cmd(&["CLUSTER", "SETSLOT", &slot.to_string(), "IMPORTING", a.id()]);
    a.cmd(&["CLUSTER", "SETSLOT", &slot.to_string(), "MIGRATING", b.id()]);
    let moved = &keys[..keys.len() / 2];
    let mut conn = a.conn();
    redis::cmd("MIGRATE")
        .arg(b.host())
        .arg(b.port())
        .arg("")
        .arg(0)
        .arg(5000)
        .arg("KEYS")
        .arg(moved)
        .query::<()>(&mut conn)
        .expect("MIGRATE");
    let on_b = keys_in_slot(b, slot).len();
    eprintln!(
        "slot {slot}: {} keys on A, {on_b} on B",
        keys.len() - moved.len()
    );

    {
        let _frozen = Frozen::new(b);
        wait_flagged_fail(&[a, cluster.node(2)], b.id());
    }
    // B answers again; the others still flag it fail. Fix now, once: it may refuse or do part
    // of the work, but it must not drop or strand B's keys.
    let early = run(["fix", &cluster.addr(0), "--yes"]);
    eprintln!("fix while B is still flagged fail:\n{early}");
    // Keys on a master that imports their slot are still reachable (through ASK): only keys
    // on a master that neither serves nor imports their slot are stranded.
    let stranded: Vec<(String, u16, u64)> = misplaced_keys(&nodes)
        .into_iter()
        .filter(|(addr, slot, _)| {
            let node = nodes
                .iter()
                .find(|n| n.addr() == *addr)
                .expect("known node");
            !importing_slots(node).contains(slot)
        })
        .collect();
    assert!(
        stranded.is_empty(),
        "the fix run while B ({}) was still flagged fail left keys on masters that do not serve \
         their slot (invisible to clients): (master, slot, keys) {stranded:?}\n{early}",
        b.addr()
    );
    // Then, once the cluster is ok again, fix until healthy: nothing lost.
    wait_all_ok(&nodes);
    let runs = fix_until_ok(&cluster.addr(0));
    eprintln!("fix once the flag is gone:\n{}", runs.last().unwrap());
    assert_repaired(&nodes, &before);
}

// ---------------------------------------------------------------------------------------------
// 4. A master down with no replica: the seed scenario
// ---------------------------------------------------------------------------------------------

#[test]
fn master_down_without_replica_is_explained_and_not_fixed_without_the_flag() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(3000, "sd");
    let before = digest_nodes(&cluster.nodes().iter().collect::<Vec<_>>());
    let down = 2;
    let down_addr = cluster.addr(down);
    let live: Vec<&Node> = vec![cluster.node(0), cluster.node(1)];
    let entry = cluster.addr(0);
    let mentions_full_coverage;
    {
        let _frozen = Frozen::new(cluster.node(down));
        wait_flagged_fail(&live, cluster.node(down).id());
        let layout_before = layout(&live, CurrentEpoch::Compared);

        let check = run(["check", &entry, "-t", "1"]);
        eprintln!("check with a master down:\n{check}");
        assert_eq!(
            check.code, 1,
            "check must fail with a master down:\n{check}"
        );
        let text = all_text(&check);
        assert!(
            text.contains("10923-16383"),
            "check does not name the failing slots 10923-16383:\n{check}"
        );
        assert!(
            text.contains(&down_addr),
            "check does not name the down master {down_addr}:\n{check}"
        );
        let lower = text.to_lowercase();
        mentions_full_coverage = lower.contains("full-coverage") || lower.contains("full coverage");

        let fix = run(["fix", &entry, "--yes", "-t", "1"]);
        eprintln!("fix --yes with a master down:\n{fix}");
        assert_eq!(fix.code, 1, "fix must refuse without the flag:\n{fix}");
        assert!(
            all_text(&fix).contains("--fix-with-unreachable-masters"),
            "the refusal does not mention --fix-with-unreachable-masters:\n{fix}"
        );
        assert_eq!(
            layout(&live, CurrentEpoch::Compared),
            layout_before,
            "the refused fix changed the cluster"
        );
    }
    // The node answers again: the cluster recovers by itself and check passes.
    cluster.wait_cluster_ok();
    let check = run(["check", &entry]);
    assert!(check.success(), "check after the node came back:\n{check}");
    assert_repaired(&cluster.nodes().iter().collect::<Vec<_>>(), &before);
    assert!(
        mentions_full_coverage,
        "missing feature: with a master down and no replica, check does not say that \
         cluster-require-full-coverage (yes by default) makes the whole cluster refuse queries"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Failover
// ---------------------------------------------------------------------------------------------

/// Waits until every node of `viewers` sees `new_master` as a master serving slots.
fn wait_seen_as_master(viewers: &[&Node], new_master: &str) {
    poll_until(
        "the promoted replica to be seen as master",
        FORM_TIMEOUT,
        || {
            for node in viewers {
                let view = try_view(node)?;
                match view.iter().find(|l| l.id == new_master) {
                    Some(l) if l.is_master() && !l.slots.is_empty() => {}
                    other => return Err(format!("{} sees {other:?}", node.addr())),
                }
            }
            Ok(())
        },
    );
}

#[test]
fn automatic_failover_after_a_master_is_killed_is_seen_by_check() {
    let mut cluster = TestCluster::start(3, 1, NodeOpts::new().node_timeout_ms(2000));
    cluster.populate(5000, "af");
    wait_replicas_in_sync(&cluster);
    let before = digest_nodes(&cluster.nodes().iter().collect::<Vec<_>>());
    let dead = 2;
    let replica = cluster.replicas_of(dead)[0];
    let replica_id = cluster.node(replica).id().to_string();
    let replica_addr = cluster.addr(replica);
    cluster.kill(dead);
    let alive: Vec<usize> = cluster.alive();
    let viewers: Vec<&Node> = alive.iter().map(|&i| cluster.node(i)).collect();
    wait_seen_as_master(&viewers, &replica_id);
    cluster.wait_cluster_ok();

    let check = run(["check", &cluster.addr(0)]);
    eprintln!("check after the failover:\n{check}");
    assert!(
        check
            .stdout
            .contains(&format!("M: {replica_id} {replica_addr}")),
        "check does not show the promoted replica as master (M: {replica_id} {replica_addr}):\n{check}"
    );
    assert_eq!(
        check.code, 0,
        "check must pass after the failover (warnings about the dead node allowed):\n{check}"
    );
    let after = digest_nodes(&viewers);
    assert!(after.duplicates.is_empty());
    assert_eq!(
        (after.keys, after.hash),
        (before.keys, before.hash),
        "data changed"
    );
}

/// True when `rcluster failover --help` works (the command exists in this build).
fn failover_exists() -> bool {
    run(["failover", "--help"]).success()
}

/// Every node sees `master` as a master and `replica` as its replica.
fn check_roles(nodes: &[&Node], master: &Node, replica: &Node) -> Result<(), String> {
    for node in nodes {
        let view = try_view(node)?;
        let m = view.iter().find(|l| l.id == master.id());
        let r = view.iter().find(|l| l.id == replica.id());
        let ok = m.is_some_and(|l| l.is_master() && !l.slots.is_empty())
            && r.is_some_and(|l| l.is_replica() && l.master.as_deref() == Some(master.id()));
        if !ok {
            return Err(format!(
                "{} sees {} as {:?} and {} as {:?}",
                node.addr(),
                master.addr(),
                m.map(|l| &l.flags),
                replica.addr(),
                r.map(|l| (&l.flags, &l.master))
            ));
        }
    }
    Ok(())
}

#[test]
fn failover_command_promotes_a_replica_plain_and_forced() {
    assert!(
        failover_exists(),
        "`rcluster failover --help` fails: the failover command is not in this build"
    );
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    cluster.populate(3000, "fo");
    wait_replicas_in_sync(&cluster);
    let nodes: Vec<&Node> = cluster.nodes().iter().collect();
    let before = digest_nodes(&nodes);
    let master = cluster.node(0);
    let replica = cluster.node(cluster.replicas_of(0)[0]);

    // Plain: the master agrees; rcluster waits until every node sees the new master.
    let out = run(["failover", &replica.addr()]);
    eprintln!("failover:\n{out}");
    out.assert_success();
    for node in &nodes {
        let view = try_view(node).unwrap();
        let line = view.iter().find(|l| l.id == replica.id()).unwrap();
        assert!(
            line.is_master(),
            "{} does not see {} as master right after failover exited:\n{out}",
            node.addr(),
            replica.addr()
        );
    }
    poll_until("the old master to follow the new one", FORM_TIMEOUT, || {
        check_roles(&nodes, replica, master)
    });
    wait_replicas_in_sync_pair(replica, master);

    // The new master is not a replica (any more): refused, nothing changes.
    let out = run(["failover", &replica.addr()]);
    assert_eq!(out.code, 1, "failover of a master must be refused:\n{out}");
    check_roles(&nodes, replica, master).unwrap();

    // A dry run changes nothing and says what it would do, in JSON too.
    let out = run(["failover", &master.addr(), "--dry-run", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["dry_run"], true, "{doc:#}");
    assert!(doc["seconds"].is_null(), "{doc:#}");
    check_roles(&nodes, replica, master).unwrap();

    // --force: back to the original master, without asking the current one (JSON report).
    let out = run(["failover", &master.addr(), "--force", "--json"]);
    eprintln!("failover --force:\n{out}");
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["node"], master.addr().as_str(), "{doc:#}");
    assert_eq!(doc["id"], master.id(), "{doc:#}");
    assert_eq!(doc["old_master_id"], replica.id(), "{doc:#}");
    assert_eq!(doc["mode"], "force", "{doc:#}");
    assert_eq!(doc["dry_run"], false, "{doc:#}");
    assert!(doc["seconds"].as_f64().is_some_and(|s| s >= 0.0), "{doc:#}");
    assert!(
        !doc["slots"].as_str().unwrap_or_default().is_empty(),
        "{doc:#}"
    );
    poll_until("roles back after --force", FORM_TIMEOUT, || {
        check_roles(&nodes, master, replica)
    });
    assert_repaired(&nodes, &before);
}

/// Waits until `replica` has its link to `master` up and the same number of keys.
fn wait_replicas_in_sync_pair(master: &Node, replica: &Node) {
    poll_until("replica in sync", FORM_TIMEOUT, || {
        let link = replica.info_field("replication", "master_link_status");
        if link.as_deref() == Some("up")
            && replica.cmd_str(&["DBSIZE"]) == master.cmd_str(&["DBSIZE"])
        {
            Ok(())
        } else {
            Err(format!("{} link {link:?}", replica.addr()))
        }
    });
}
