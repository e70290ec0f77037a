//! `fix` against real redis-server clusters: open slots left in every shape a migration can
//! leave them (migrating and importing, importing only, migrating only, keys on a third
//! master), uncovered slots with and without keys, keys of a slot on a master that does not
//! serve it, unreachable masters, healthy clusters, dry runs and refusals that change
//! nothing, the redis-cli spellings, and reshards SIGKILLed mid-way (rcluster's and
//! redis-cli's) that fix must repair without losing or duplicating a key.
//!
//! Every repair ends with no open slot anywhere, every key on the master serving its slot,
//! the data digest (an independent SCAN + DUMP of every master) unchanged, and both
//! `rcluster check` and `redis-cli --cluster check` passing.
//!
//! The broken states are built with raw commands on real nodes, with real keys moved by
//! MIGRATE, so that the digest taken before breaking the cluster must be found again after
//! the repair.

use std::process::{Child, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{
    ClusterSpec, CurrentEpoch, Node, NodeOpts, RunOutput, SLOTS, TestCluster, all_text,
    assert_checks_pass, assert_repaired, consecutive_slot_ranges, count_in_slot,
    delete_slots_everywhere, digest, fill_slot, fill_slot_in, fix_until_ok, half_migrate,
    hex_bytes, json, layout, load_keys, migrate, nodes_with_open_slots, owner_of,
    redis_cli_available, redis_cli_command, run, setslot, signal, wait_flagged_fail, wait_until,
};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `rcluster fix <entry> <extra...>`.
fn fix(entry: &str, extra: &[&str]) -> RunOutput {
    let mut args: Vec<String> = vec!["fix".into(), entry.into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    run(&args)
}

/// Largest minus smallest slot count among `counts`.
fn spread(counts: &[usize]) -> usize {
    counts.iter().max().unwrap() - counts.iter().min().unwrap()
}

/// Moves `keys` from `owner` to `stray`, which does not serve their slot and ends up not
/// importing it either (IMPORTING, MIGRATE, STABLE): the keys are then held by a master that
/// neither serves nor imports their slot.
fn strand_keys(owner: &Node, stray: &Node, slot: u16, keys: &[String]) {
    setslot(stray, slot, "IMPORTING", Some(owner.id()));
    migrate(owner, stray, keys);
    setslot(stray, slot, "STABLE", None);
}

/// SIGKILLs `pid` with `kill -9` (the process may already have exited).
fn sigkill(pid: u32) {
    signal(pid, "9");
}

/// Waits for a spawned child (killed or not), giving up after 30 s.
fn reap(child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("child {} did not exit after SIGKILL", child.id());
        }
        thread::sleep(Duration::from_millis(5));
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Open slots
// ---------------------------------------------------------------------------------------------

/// A 3-master cluster (`replicas` each) with 5000 keys, plus 200 keys alone in one slot
/// (hash tag `{<prefix><n>}`); returns (cluster, slot, its owner, another master, the 200
/// keys).
fn open_slot_setup(replicas: usize, prefix: &str) -> (TestCluster, u16, usize, usize, Vec<String>) {
    let cluster = TestCluster::start(3, replicas, NodeOpts::new());
    load_keys(&cluster, 5000, "k", 24);
    let (slot, owner, keys) = fill_slot(&cluster, prefix, 200);
    let target = (owner + 1) % 3;
    (cluster, slot, owner, target, keys)
}

/// After the repair, every key of `slot` is on the one master serving it.
fn assert_slot_whole(cluster: &TestCluster, slot: u16, keys: usize) {
    let owner = owner_of(cluster, slot);
    assert_eq!(
        count_in_slot(cluster.node(owner), slot),
        keys as u64,
        "the owner of slot {slot} ({}) does not hold all its keys",
        cluster.addr(owner)
    );
}

#[test]
fn migrating_and_importing_slot_is_finished_or_closed() {
    let (cluster, slot, owner, target, keys) = open_slot_setup(1, "mi");
    let before = digest(&cluster);
    let (src, dst) = (cluster.node(owner), cluster.node(target));
    half_migrate(src, dst, slot, &keys[..100]);
    assert_eq!(count_in_slot(src, slot), 100);
    assert_eq!(count_in_slot(dst, slot), 100);
    assert_eq!(nodes_with_open_slots(&cluster).len(), 2);

    let out = fix(&cluster.addr(0), &["--yes"]);
    out.assert_success();
    assert!(all_text(&out).contains(&slot.to_string()), "{out}");
    let new_owner = owner_of(&cluster, slot);
    assert!(
        new_owner == owner || new_owner == target,
        "slot {slot} went to a third master {}",
        cluster.addr(new_owner)
    );
    assert_slot_whole(&cluster, slot, 200);
    assert_repaired(&cluster, &before);

    // A second fix right after finds nothing to do and changes nothing.
    let layout_before = layout(&cluster.alive_nodes(), CurrentEpoch::Compared);
    let again = fix(&cluster.addr(1), &["--yes"]);
    again.assert_success();
    assert_eq!(
        layout(&cluster.alive_nodes(), CurrentEpoch::Compared),
        layout_before,
        "a second fix changed the cluster"
    );
}

/// What a reshard killed between announcing a finished slot to its target and to its source
/// leaves: the target serves the slot with every key (and a bumped epoch), the source still
/// believes it serves it (migrating) until gossip tells it otherwise, and another slot is
/// importing on the target only. fix closes that other slot on the source; raising the
/// source's epoch then would make its stale claim win, and the target would delete the keys
/// it received (Redis does so silently). A long node timeout keeps the source's belief for
/// seconds, as a loaded machine does.
#[test]
fn a_move_announced_only_to_its_target_keeps_its_keys_through_fix() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new().node_timeout_ms(15_000));
    load_keys(&cluster, 3000, "k", 24);
    let (slot, owner, keys) = fill_slot(&cluster, "an", 40);
    let target = (owner + 1) % 3;
    let (src, dst) = (cluster.node(owner), cluster.node(target));
    let owners = cluster.slot_owners();
    let other = (0..SLOTS)
        .find(|&s| s != slot && owners[usize::from(s)] == Some(owner))
        .expect("the source serves another slot");
    let before = digest(&cluster);
    half_migrate(src, dst, slot, &keys);
    setslot(dst, slot, "NODE", Some(dst.id()));
    setslot(dst, other, "IMPORTING", Some(src.id()));

    fix_until_ok(&cluster.addr(2));
    assert_slot_whole(&cluster, slot, keys.len());
    assert_repaired(&cluster, &before);
}

#[test]
fn importing_without_migrating_is_repaired() {
    let (cluster, slot, owner, target, keys) = open_slot_setup(0, "im");
    let before = digest(&cluster);
    let (src, dst) = (cluster.node(owner), cluster.node(target));
    half_migrate(src, dst, slot, &keys[..120]);
    // The source forgot the migration: only the importing side is left.
    setslot(src, slot, "STABLE", None);
    assert_eq!(nodes_with_open_slots(&cluster), vec![dst.addr()]);
    assert_eq!(count_in_slot(dst, slot), 120);

    let out = fix(&cluster.addr(0), &["--yes"]);
    out.assert_success();
    assert_slot_whole(&cluster, slot, 200);
    assert_repaired(&cluster, &before);
}

#[test]
fn migrating_without_importing_is_repaired() {
    let (cluster, slot, owner, target, keys) = open_slot_setup(0, "mo");
    let before = digest(&cluster);
    let (src, dst) = (cluster.node(owner), cluster.node(target));
    half_migrate(src, dst, slot, &keys[..80]);
    // The target forgot the import: only the migrating side is left, with keys on both.
    setslot(dst, slot, "STABLE", None);
    assert_eq!(nodes_with_open_slots(&cluster), vec![src.addr()]);
    assert_eq!(count_in_slot(dst, slot), 80);

    let out = fix(&cluster.addr(2), &["--yes"]);
    out.assert_success();
    assert_slot_whole(&cluster, slot, 200);
    assert_repaired(&cluster, &before);
}

#[test]
fn open_slot_with_keys_on_a_third_master_gathers_every_key() {
    let (cluster, slot, owner, target, keys) = open_slot_setup(0, "th");
    let third = 3 - owner - target;
    let before = digest(&cluster);
    let (src, dst, other) = (
        cluster.node(owner),
        cluster.node(target),
        cluster.node(third),
    );
    // 50 keys stranded on the third master, then the slot half moved to the target.
    strand_keys(src, other, slot, &keys[150..]);
    half_migrate(src, dst, slot, &keys[..70]);
    assert_eq!(count_in_slot(src, slot), 80);
    assert_eq!(count_in_slot(dst, slot), 70);
    assert_eq!(count_in_slot(other, slot), 50);

    let out = fix(&cluster.addr(0), &["--yes"]);
    out.assert_success();
    assert_slot_whole(&cluster, slot, 200);
    assert_repaired(&cluster, &before);
}

#[test]
fn empty_open_slots_are_closed() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 2000, "e", 16);
    let before = digest(&cluster);
    let n: Vec<&Node> = (0..3).map(|i| cluster.node(i)).collect();
    // Three empty slots (no key hashes there), each open in another way.
    let empty: Vec<u16> = [100u16, 6000, 12000]
        .iter()
        .map(|&start| {
            (start..)
                .find(|&s| (0..3).all(|i| count_in_slot(n[i], s) == 0))
                .unwrap()
        })
        .collect();
    // Master 0's slot: migrating to 1 and importing there.
    setslot(n[1], empty[0], "IMPORTING", Some(n[0].id()));
    setslot(n[0], empty[0], "MIGRATING", Some(n[1].id()));
    // Master 1's slot: only migrating to 2.
    setslot(n[1], empty[1], "MIGRATING", Some(n[2].id()));
    // Master 2's slot: only importing on 0.
    setslot(n[0], empty[2], "IMPORTING", Some(n[2].id()));
    assert_eq!(nodes_with_open_slots(&cluster).len(), 2);

    let out = fix(&cluster.addr(0), &["--yes"]);
    out.assert_success();
    let owners = cluster.slot_owners();
    assert!(owners.iter().all(Option::is_some), "a slot is uncovered");
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 2. Prompt, dry run, JSON
// ---------------------------------------------------------------------------------------------

#[test]
fn without_yes_or_terminal_and_dry_run_nothing_changes() {
    let (cluster, slot, owner, target, keys) = open_slot_setup(0, "dr");
    let before = digest(&cluster);
    half_migrate(
        cluster.node(owner),
        cluster.node(target),
        slot,
        &keys[..100],
    );
    let layout_before = layout(&cluster.alive_nodes(), CurrentEpoch::Compared);
    let entry = cluster.addr(0);

    // No --yes and stdin is not a terminal: refused with a hint, nothing changed.
    let out = fix(&entry, &[]);
    assert_eq!(
        out.code, 1,
        "fix without --yes and without a terminal:\n{out}"
    );
    assert!(
        all_text(&out).contains("--yes"),
        "no hint about --yes:\n{out}"
    );
    assert_eq!(
        layout(&cluster.alive_nodes(), CurrentEpoch::Compared),
        layout_before,
        "fix without --yes changed the cluster"
    );

    // --dry-run prints the plan, naming the slot, and changes nothing.
    for extra in [&["--dry-run"][..], &["--dry-run", "--yes"][..]] {
        let out = fix(&entry, extra);
        assert!(matches!(out.code, 0 | 1), "{extra:?}:\n{out}");
        assert!(
            all_text(&out).contains(&slot.to_string()),
            "{extra:?}: the plan does not mention slot {slot}:\n{out}"
        );
        assert_eq!(
            layout(&cluster.alive_nodes(), CurrentEpoch::Compared),
            layout_before,
            "{extra:?} changed the cluster"
        );
    }
    let out = fix(&entry, &["--dry-run", "--json"]);
    assert!(matches!(out.code, 0 | 1), "{out}");
    let doc = json(&out);
    assert!(
        doc.to_string().contains(&slot.to_string()),
        "the JSON plan does not mention slot {slot}: {doc}"
    );
    assert_eq!(
        layout(&cluster.alive_nodes(), CurrentEpoch::Compared),
        layout_before,
        "--dry-run --json changed the cluster"
    );

    // Then for real, with --json: one JSON document, and the repair is complete.
    let out = fix(&entry, &["--yes", "--json"]);
    out.assert_success();
    json(&out);
    assert_slot_whole(&cluster, slot, 200);
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 3. Uncovered slots
// ---------------------------------------------------------------------------------------------

#[test]
fn uncovered_empty_slots_are_assigned_deterministically_and_balanced() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let counts_before = cluster.slot_counts();
    let spread_before = spread(&counts_before);
    delete_slots_everywhere(&cluster, 0..=99);
    let owners = cluster.slot_owners();
    assert!(
        owners[..100].iter().all(Option::is_none),
        "setup: 0-99 still served"
    );
    let layout_before = layout(&cluster.alive_nodes(), CurrentEpoch::Compared);

    // The plan is printed, names the slots, changes nothing and is the same every time.
    let plan1 = fix(&cluster.addr(0), &["--dry-run"]);
    let plan2 = fix(&cluster.addr(0), &["--dry-run"]);
    assert!(matches!(plan1.code, 0 | 1), "{plan1}");
    assert!(
        all_text(&plan1).contains("99"),
        "the plan does not mention the uncovered slots 0-99:\n{plan1}"
    );
    assert_eq!(
        plan1.stdout, plan2.stdout,
        "two dry runs printed different plans"
    );
    assert_eq!(
        layout(&cluster.alive_nodes(), CurrentEpoch::Compared),
        layout_before,
        "--dry-run changed the cluster"
    );

    let out = fix(&cluster.addr(1), &["--yes"]);
    out.assert_success();
    cluster.wait_cluster_ok();
    let owners = cluster.slot_owners();
    assert!(owners.iter().all(Option::is_some), "slots still uncovered");
    let counts = cluster.slot_counts();
    assert_eq!(counts.iter().sum::<usize>(), usize::from(SLOTS));
    assert!(
        spread(&counts) <= spread_before + 1,
        "unbalanced assignment: {counts_before:?} before, {counts:?} after"
    );
    assert_checks_pass(&cluster);
}

#[test]
fn uncovered_slot_with_keys_goes_to_the_node_holding_them() {
    // Master 1 has by far the most slots: balance alone would never pick it.
    let cluster = ClusterSpec::new(3, 0)
        .slots(consecutive_slot_ranges(&[4000, 8384, 4000]))
        .start();
    load_keys(&cluster, 3000, "u", 16);
    let (slot, owner, _keys) = fill_slot_in(&cluster, "uc", 4100..=12000, 60);
    assert_eq!(owner, 1);
    let before = digest(&cluster);
    delete_slots_everywhere(&cluster, slot..=slot);
    assert_eq!(cluster.slot_owners()[usize::from(slot)], None);
    assert!(
        count_in_slot(cluster.node(1), slot) >= 60,
        "setup: DELSLOTS dropped the keys"
    );

    let out = fix(&cluster.addr(0), &["--yes"]);
    out.assert_success();
    cluster.wait_cluster_ok();
    assert_eq!(
        owner_of(&cluster, slot),
        1,
        "slot {slot} must go to the master holding its keys"
    );
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 4. Multiple owners
// ---------------------------------------------------------------------------------------------

#[test]
fn keys_on_a_master_not_serving_their_slot_go_to_the_owner() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 5000, "m", 16);
    let (slot, owner, keys) = fill_slot(&cluster, "mu", 100);
    let stray = (owner + 2) % 3;
    let before = digest(&cluster);
    strand_keys(cluster.node(owner), cluster.node(stray), slot, &keys[60..]);
    assert_eq!(count_in_slot(cluster.node(stray), slot), 40);
    assert!(nodes_with_open_slots(&cluster).is_empty());
    let check = run(["check", &cluster.addr(0), "--search-multiple-owners"]);
    assert_eq!(check.code, 1, "setup: check must see two owners:\n{check}");

    let out = fix(&cluster.addr(0), &["--yes", "--search-multiple-owners"]);
    out.assert_success();
    cluster.wait_cluster_ok();
    assert_eq!(owner_of(&cluster, slot), owner, "the slot changed owner");
    assert_eq!(count_in_slot(cluster.node(owner), slot), 100);
    assert_eq!(count_in_slot(cluster.node(stray), slot), 0);
    let check = run(["check", &cluster.addr(0), "--search-multiple-owners"]);
    assert!(check.success(), "check --search-multiple-owners:\n{check}");
    assert_repaired(&cluster, &before);
}

/// A key on the owner and, with another value, on a master that does not serve its slot:
/// the owner served the slot to clients meanwhile, so its copy is kept; the other copy is
/// saved to the conflicts file (RESTORE brings it back) and dropped. Identical copies are
/// deduplicated, keys only on the stray master move to the owner.
#[test]
fn a_key_on_two_masters_keeps_the_owners_copy_and_saves_the_other() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let (slot, owner, keys) = fill_slot(&cluster, "cf", 50);
    let stray = (owner + 1) % 3;
    strand_keys(cluster.node(owner), cluster.node(stray), slot, &keys[40..]);
    let value = |i: usize| format!("{}={}", keys[i], "v".repeat(i % 97));
    let mut conn = cluster.node(owner).conn();
    // Written again on the owner after they strayed: 40-42 with new values, 43 the same.
    for (i, key) in keys.iter().enumerate().take(43).skip(40) {
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg(format!("live-{i}"))
            .query(&mut conn)
            .unwrap();
    }
    let _: () = redis::cmd("SET")
        .arg(&keys[43])
        .arg(value(43))
        .query(&mut conn)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("conflicts.jsonl");

    let out = fix(
        &cluster.addr(0),
        &[
            "--yes",
            "--search-multiple-owners",
            "--conflicts-file",
            file.to_str().unwrap(),
        ],
    );
    out.assert_success();
    let text = all_text(&out);
    assert!(
        text.contains("[WARNING] 3 key(s) existed on two masters with different values"),
        "{out}"
    );
    cluster.wait_cluster_ok();
    assert_eq!(count_in_slot(cluster.node(owner), slot), 50);
    assert_eq!(count_in_slot(cluster.node(stray), slot), 0);
    for (i, key) in keys.iter().enumerate().skip(40) {
        let got: String = redis::cmd("GET").arg(key).query(&mut conn).unwrap();
        let want = if i < 43 {
            format!("live-{i}")
        } else {
            value(i)
        };
        assert_eq!(got, want, "{key}: the owner's value is kept");
    }
    let saved: Vec<serde_json::Value> = std::fs::read_to_string(&file)
        .expect("the conflicts file")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut saved_keys: Vec<&str> = saved.iter().map(|l| l["key"].as_str().unwrap()).collect();
    saved_keys.sort_unstable();
    assert_eq!(
        saved_keys,
        keys[40..43].iter().map(String::as_str).collect::<Vec<_>>()
    );
    for line in &saved {
        assert_eq!(line["node"], cluster.addr(stray).as_str());
        assert_eq!(line["kept_on"], cluster.addr(owner).as_str());
        assert_eq!(line["slot"], slot);
    }
    // The saved payload restores the dropped value.
    let line = &saved[0];
    let hex = line["dump_hex"].as_str().unwrap();
    let payload = hex_bytes(hex);
    let key = line["key"].as_str().unwrap();
    let restored = format!("{key}:restored");
    let _: () = redis::cmd("RESTORE")
        .arg(&restored)
        .arg(0)
        .arg(payload)
        .query(&mut conn)
        .unwrap();
    let i: usize = key.rsplit(':').next().unwrap().parse().unwrap();
    let got: String = redis::cmd("GET").arg(&restored).query(&mut conn).unwrap();
    assert_eq!(got, value(i), "the saved copy is the stray master's value");
    let check = run(["check", &cluster.addr(0), "--search-multiple-owners"]);
    assert!(check.success(), "check --search-multiple-owners:\n{check}");
}

// ---------------------------------------------------------------------------------------------
// 5. Unreachable masters
// ---------------------------------------------------------------------------------------------

#[test]
fn unreachable_master_is_refused_without_the_flag_and_covered_with_it() {
    let mut cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(3000, "d");
    let dead_addr = cluster.addr(2);
    let dead_id = cluster.node(2).id().to_string();
    cluster.kill(2);
    wait_flagged_fail(&cluster.alive_nodes(), &dead_id);
    let layout_before = layout(&cluster.alive_nodes(), CurrentEpoch::Compared);

    let out = fix(&cluster.addr(0), &["--yes"]);
    assert_eq!(
        out.code, 1,
        "fix must refuse to reassign a down master's slots:\n{out}"
    );
    let text = all_text(&out);
    assert!(
        text.contains("fix-with-unreachable-masters"),
        "the refusal does not name --fix-with-unreachable-masters:\n{out}"
    );
    assert!(
        text.contains(&dead_addr) || text.contains("10923"),
        "the refusal names neither the down master nor its slots:\n{out}"
    );
    assert_eq!(
        layout(&cluster.alive_nodes(), CurrentEpoch::Compared),
        layout_before,
        "the refused fix changed the cluster"
    );

    let out = run([
        "--cluster",
        "fix",
        &cluster.addr(1),
        "--cluster-fix-with-unreachable-masters",
        "--cluster-yes",
    ]);
    out.assert_success();
    cluster.wait_cluster_ok();
    let owners = cluster.slot_owners();
    assert!(
        owners.iter().all(|o| matches!(o, Some(0 | 1))),
        "every slot must be served by the two live masters"
    );
    assert_checks_pass(&cluster);
    // The long spelling again: nothing left to do.
    let layout_after = layout(&cluster.alive_nodes(), CurrentEpoch::Compared);
    let out = fix(
        &cluster.addr(0),
        &["--fix-with-unreachable-masters", "--yes"],
    );
    out.assert_success();
    assert_eq!(
        layout(&cluster.alive_nodes(), CurrentEpoch::Compared),
        layout_after,
        "a second fix changed the cluster"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Healthy clusters and spellings
// ---------------------------------------------------------------------------------------------

#[test]
fn healthy_cluster_is_left_alone() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    cluster.populate(2000, "h");
    cluster.wait_cluster_ok();
    let before = digest(&cluster);
    let layout_before = layout(&cluster.alive_nodes(), CurrentEpoch::Compared);

    for args in [
        vec!["fix", "ADDR", "--yes"],
        vec!["fix", "ADDR"],
        vec!["fix", "ADDR", "--yes", "--search-multiple-owners"],
        vec!["--cluster", "fix", "ADDR", "--cluster-yes"],
        vec!["fix", "ADDR", "--dry-run"],
    ] {
        let addr = cluster.addr(3);
        let argv: Vec<&str> = args
            .iter()
            .map(|a| if *a == "ADDR" { addr.as_str() } else { a })
            .collect();
        let out = run(&argv);
        assert_eq!(out.code, 0, "{argv:?} on a healthy cluster:\n{out}");
        let text = all_text(&out).to_lowercase();
        assert!(
            text.contains("healthy") || text.contains("nothing to fix"),
            "{argv:?} does not say the cluster is healthy:\n{out}"
        );
        assert_eq!(
            layout(&cluster.alive_nodes(), CurrentEpoch::Compared),
            layout_before,
            "{argv:?} changed the cluster"
        );
    }
    let out = fix(&cluster.addr(0), &["--yes", "--json"]);
    out.assert_success();
    json(&out);
    assert_eq!(
        layout(&cluster.alive_nodes(), CurrentEpoch::Compared),
        layout_before
    );
    assert_repaired(&cluster, &before);
}

#[test]
fn redis_cli_and_modern_spellings_are_accepted() {
    let (cluster, slot, owner, target, keys) = open_slot_setup(0, "sp");
    let (slot2, owner2, keys2) = fill_slot(&cluster, "sq", 50);
    let target2 = (owner2 + 2) % 3;
    let before = digest(&cluster);
    half_migrate(cluster.node(owner), cluster.node(target), slot, &keys[..90]);

    let out = run([
        "--cluster",
        "fix",
        &cluster.addr(0),
        "--cluster-yes",
        "--cluster-search-multiple-owners",
        "--cluster-timeout",
        "20000",
        "--cluster-pipeline",
        "7",
        "--cluster-replace",
    ]);
    out.assert_success();
    assert_slot_whole(&cluster, slot, 200);
    assert_repaired(&cluster, &before);

    half_migrate(
        cluster.node(owner2),
        cluster.node(target2),
        slot2,
        &keys2[..25],
    );
    let out = fix(
        &cluster.addr(1),
        &[
            "--yes",
            "--search-multiple-owners",
            "--timeout",
            "20000",
            "--pipeline",
            "3",
            "--replace",
        ],
    );
    out.assert_success();
    assert_slot_whole(&cluster, slot2, 50);
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 7. Reshards killed mid-way
// ---------------------------------------------------------------------------------------------

/// Delays before the SIGKILL, varied so that kills land before, during and after key moves.
const KILL_DELAYS_MS: [u64; 10] = [20, 450, 90, 800, 160, 300, 45, 620, 230, 120];

#[test]
fn rcluster_reshard_killed_at_random_points_is_repaired_by_fix() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let written = load_keys(&cluster, 100_000, "r", 24);
    assert_eq!(written, 100_000);
    let before = digest(&cluster);
    assert_eq!(before.keys, 100_000);
    let entry = cluster.addr(0);
    let mut rounds_with_open_slots = 0;
    let started = Instant::now();

    for (round, &delay) in KILL_DELAYS_MS.iter().enumerate() {
        let to = cluster.node(round % 3).id().to_string();
        let mut child = crate::common::rcluster()
            .args([
                "reshard", &entry, "--from", "all", "--to", &to, "--slots", "3000", "--yes",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn rcluster reshard");
        thread::sleep(Duration::from_millis(delay));
        sigkill(child.id());
        reap(&mut child);
        let open = nodes_with_open_slots(&cluster);
        if !open.is_empty() {
            rounds_with_open_slots += 1;
        }

        let runs = fix_until_ok(&entry);
        eprintln!(
            "round {round}: killed after {delay} ms, open slots on {open:?}, fix runs {} \
             ({:?} elapsed)",
            runs.len(),
            started.elapsed()
        );
        assert_repaired(&cluster, &before);
    }
    assert!(
        rounds_with_open_slots > 0,
        "no kill landed while a slot was open: the test did not exercise fix"
    );
}

#[test]
fn redis_cli_reshard_killed_mid_way_is_repaired_by_fix() {
    if !redis_cli_available() {
        eprintln!("redis-cli not found: skipped");
        return;
    }
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 100_000, "c", 24);
    let before = digest(&cluster);
    let entry = cluster.addr(0);
    let to = cluster.node(1).id().to_string();
    let target = cluster.node(1);
    let target_keys: u64 = target.cmd_str(&["DBSIZE"]).parse().unwrap();

    let mut child = redis_cli_command(cluster.opts())
        .args([
            "--cluster",
            "reshard",
            &entry,
            "--cluster-from",
            "all",
            "--cluster-to",
            &to,
            "--cluster-slots",
            "3000",
            "--cluster-yes",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn redis-cli --cluster reshard");
    // Mid-way: once a good part of the keys has arrived, freeze redis-cli (SIGSTOP) and
    // look; SIGKILL it when a slot is open, otherwise let it go on and look again.
    let pid = child.id();
    let killed = poll_deadline(Duration::from_secs(30), || {
        let arrived = target
            .cmd_str(&["DBSIZE"])
            .parse::<u64>()
            .unwrap()
            .saturating_sub(target_keys);
        if arrived < 3000 || child.try_wait().expect("try_wait").is_some() {
            return false;
        }
        signal(pid, "STOP");
        // Let whatever it had already sent reach the nodes.
        thread::sleep(Duration::from_millis(30));
        if nodes_with_open_slots(&cluster).is_empty() {
            signal(pid, "CONT");
            return false;
        }
        sigkill(pid);
        true
    });
    if !killed {
        sigkill(pid);
    }
    reap(&mut child);
    let open = nodes_with_open_slots(&cluster);
    eprintln!("redis-cli killed mid-way: open slots on {open:?}");
    assert!(
        killed && !open.is_empty(),
        "setup: redis-cli could not be killed with a slot open (finished too early?)"
    );

    fix_until_ok(&entry);
    assert_repaired(&cluster, &before);
}

/// Polls `cond` every 5 ms until it is true (returns true) or `timeout` passes (false).
fn poll_deadline(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    false
}

/// A master back from a stop longer than cluster-node-timeout is still flagged failing for a
/// while, and every master reports cluster_state:fail although every slot is covered: fix
/// waits for that to pass (saying so) before it acts, instead of failing every slot with
/// CLUSTERDOWN; the open slot is then fixed and no key is lost.
#[test]
fn fix_waits_for_a_master_back_from_a_stop() {
    let cluster = ClusterSpec::new(3, 0)
        .opts(NodeOpts::new().node_timeout_ms(1000))
        .start();
    load_keys(&cluster, 2000, "k", 24);
    let (slot, owner, keys) = fill_slot(&cluster, "bk", 200);
    let target = (owner + 1) % 3;
    let before = digest(&cluster);
    half_migrate(
        cluster.node(owner),
        cluster.node(target),
        slot,
        &keys[..100],
    );
    let stopped = (owner + 2) % 3;
    let pid = cluster.node(stopped).pid().expect("the master runs");
    signal(pid, "STOP");
    wait_until("the others to flag the stopped master as failing", || {
        cluster
            .node(owner)
            .cluster_info_field("cluster_state")
            .as_deref()
            == Some("fail")
    });
    signal(pid, "CONT");
    let out = fix(&cluster.addr(owner), &["--yes"]);
    out.assert_success();
    assert!(!out.stdout.contains("CLUSTERDOWN"), "{out}");
    assert!(nodes_with_open_slots(&cluster).is_empty(), "{out}");
    digest(&cluster).assert_same_data_as(&before);
}
