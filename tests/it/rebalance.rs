//! `rebalance` against real redis-server clusters: exact shares by weight, empty masters,
//! draining with weight 0, thresholds, simulations that change nothing, refusals of bad input
//! and of unhealthy clusters, the `--cluster-*` spellings, and back-to-back runs.
//!
//! Every test that moves data ends by checking that all keys and values are still there,
//! exactly once and in the slot of the master holding them, and that both `rcluster check`
//! and `redis-cli --cluster check` pass.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::common::{
    ClusterSpec, CurrentEpoch, FORM_TIMEOUT, Node, NodeOpts, RunOutput, SLOTS, TestCluster,
    all_text, consecutive_slot_ranges, dump_all, json, key_slot, layout, poll_until,
    redis_cli_available, run,
};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `rcluster rebalance <entry> <extra...>`.
fn rebalance(entry: &str, extra: &[&str]) -> RunOutput {
    let mut args: Vec<String> = vec!["rebalance".into(), entry.into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    run(&args)
}

/// The nodes of `cluster` that the harness has not killed, followed by `extra`.
fn all_nodes<'a>(cluster: &'a TestCluster, extra: &[&'a Node]) -> Vec<&'a Node> {
    cluster
        .alive()
        .into_iter()
        .map(|i| cluster.node(i))
        .chain(extra.iter().copied())
        .collect()
}

/// Short unique prefix of a node id, as an operator would type it.
fn prefix(node: &Node) -> String {
    node.id()[..10].to_string()
}

/// Slot → owner id, as `viewer` sees it.
fn owners(viewer: &Node) -> Vec<Option<String>> {
    let mut owners = vec![None; usize::from(SLOTS)];
    for line in viewer.cluster_nodes() {
        for range in &line.slots {
            for slot in range.clone() {
                owners[usize::from(slot)] = Some(line.id.clone());
            }
        }
    }
    owners
}

/// Slots served by each master (slot-less masters included), as `viewer` sees it.
fn slot_counts(viewer: &Node) -> BTreeMap<String, usize> {
    viewer
        .cluster_nodes()
        .into_iter()
        .filter(|l| l.is_master())
        .map(|l| (l.id.clone(), l.slots.iter().map(|r| r.len()).sum()))
        .collect()
}

/// Slots served by `node`, as `viewer` sees it.
fn count_of(viewer: &Node, node: &Node) -> usize {
    slot_counts(viewer).get(node.id()).copied().unwrap_or(0)
}

/// `(from id, to id)` → slots whose owner changed between the two maps.
fn moved(
    before: &[Option<String>],
    after: &[Option<String>],
) -> BTreeMap<(String, String), Vec<u16>> {
    let mut out: BTreeMap<(String, String), Vec<u16>> = BTreeMap::new();
    for slot in 0..SLOTS {
        let (b, a) = (&before[usize::from(slot)], &after[usize::from(slot)]);
        if b != a {
            let from = b.clone().unwrap_or_else(|| "-".into());
            let to = a.clone().unwrap_or_else(|| "-".into());
            out.entry((from, to)).or_default().push(slot);
        }
    }
    out
}

/// `"a-b"` for a contiguous run, `"a"` for one slot.
fn range_text(slots: &[u16]) -> String {
    let (first, last) = (slots[0], slots[slots.len() - 1]);
    if first == last {
        first.to_string()
    } else {
        format!("{first}-{last}")
    }
}

fn is_contiguous(slots: &[u16]) -> bool {
    slots.windows(2).all(|w| w[1] == w[0] + 1)
}

/// All data of the masters among `nodes`: key count and hash of the sorted (key, DUMP)
/// pairs, keys held by more than one master, and keys held by a master that does not serve
/// their slot (as `nodes[0]` sees the owners).
#[derive(Debug)]
struct Data {
    keys: usize,
    hash: u64,
    duplicates: Vec<String>,
    misplaced: Vec<String>,
}

fn data(nodes: &[&Node]) -> Data {
    let owners = owners(nodes[0]);
    let mut all: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut duplicates = Vec::new();
    let mut misplaced = Vec::new();
    for node in nodes {
        if node.info_field("replication", "role").as_deref() != Some("master") {
            continue;
        }
        for (key, value) in dump_all(node) {
            let name = String::from_utf8_lossy(&key).into_owned();
            if owners[usize::from(key_slot(&key))].as_deref() != Some(node.id()) {
                misplaced.push(format!("{name} on {}", node.addr()));
            }
            if all.insert(key, value).is_some() {
                duplicates.push(name);
            }
        }
    }
    let mut hasher = DefaultHasher::new();
    for (key, value) in &all {
        key.hash(&mut hasher);
        value.hash(&mut hasher);
    }
    Data {
        keys: all.len(),
        hash: hasher.finish(),
        duplicates,
        misplaced,
    }
}

/// The end of every test that moves data: the same keys with the same values, each exactly
/// once and where its slot is served; `rcluster check` and `redis-cli --cluster check` pass.
fn assert_data_intact_and_healthy(before: &Data, nodes: &[&Node]) {
    let after = data(nodes);
    assert_eq!(
        (after.keys, after.hash),
        (before.keys, before.hash),
        "data changed: before {before:?}, after {after:?}"
    );
    assert!(after.duplicates.is_empty(), "duplicates: {after:?}");
    assert!(
        after.misplaced.is_empty(),
        "{} key(s) on a master that does not serve their slot, e.g. {:?}",
        after.misplaced.len(),
        &after.misplaced[..after.misplaced.len().min(5)]
    );
    let entry = nodes[0].addr();
    let check = run(["check", &entry]);
    assert!(check.success(), "rcluster check after rebalance:\n{check}");
    if redis_cli_available() {
        let oracle = crate::common::redis_cli(&NodeOpts::new(), ["--cluster", "check", &entry]);
        assert!(
            oracle.success(),
            "redis-cli --cluster check after rebalance:\n{oracle}"
        );
    }
}

/// Independent largest-remainder apportionment of `total` slots by integer `weights`
/// (exact arithmetic): each master gets the floor of its quota, the slots left over go to
/// the largest remainders; ties to the master holding more slots now, then to list order.
fn apportion(total: usize, weights: &[u64], current: &[usize]) -> Vec<usize> {
    let sum: u64 = weights.iter().sum();
    let total64 = total as u64;
    let mut parts: Vec<usize> = weights
        .iter()
        .map(|&w| (total64 * w / sum) as usize)
        .collect();
    let rems: Vec<u64> = weights.iter().map(|&w| total64 * w % sum).collect();
    let mut order: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0).collect();
    order.sort_by(|&a, &b| {
        rems[b]
            .cmp(&rems[a])
            .then(current[b].cmp(&current[a]))
            .then(a.cmp(&b))
    });
    let left = total - parts.iter().sum::<usize>();
    for &i in order.iter().take(left) {
        parts[i] += 1;
    }
    parts
}

/// One entry of the JSON `shares`.
#[derive(Debug, Clone, PartialEq)]
struct ShareDoc {
    addr: String,
    weight: f64,
    slots: usize,
    expected: usize,
}

/// The JSON `shares`, by node id.
fn shares(doc: &Value) -> BTreeMap<String, ShareDoc> {
    doc["shares"]
        .as_array()
        .unwrap_or_else(|| panic!("no shares in {doc}"))
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                ShareDoc {
                    addr: s["addr"].as_str().unwrap().to_string(),
                    weight: s["weight"].as_f64().unwrap(),
                    slots: s["slots"].as_u64().unwrap() as usize,
                    expected: s["expected"].as_u64().unwrap() as usize,
                },
            )
        })
        .collect()
}

/// Checks the shares against `expected` (id → slots after), that they add up to the served
/// slots, and that the plan moves exactly the sum of the surpluses, one contiguous range per
/// source/target pair, from givers to receivers only. Returns the plan's pairs as
/// `(from id, to id)` → range text.
fn assert_exact_plan(
    doc: &Value,
    expected: &BTreeMap<String, usize>,
) -> BTreeMap<(String, String), String> {
    let shares = shares(doc);
    let got: BTreeMap<String, usize> = shares
        .iter()
        .map(|(id, s)| (id.clone(), s.expected))
        .collect();
    assert_eq!(&got, expected, "shares.expected:\n{doc:#}");
    let now: usize = shares.values().map(|s| s.slots).sum();
    let after: usize = shares.values().map(|s| s.expected).sum();
    assert_eq!(
        now, after,
        "shares must add up to the served slots:\n{doc:#}"
    );
    let surplus: usize = shares
        .values()
        .map(|s| s.slots.saturating_sub(s.expected))
        .sum();
    assert_eq!(
        doc["plan"]["slots"].as_u64(),
        Some(surplus as u64),
        "plan.slots must be the sum of the surpluses:\n{doc:#}"
    );
    let mut pairs = BTreeMap::new();
    let mut counted = 0;
    for pair in doc["plan"]["pairs"].as_array().unwrap() {
        let from = pair["from_id"].as_str().unwrap().to_string();
        let to = pair["to_id"].as_str().unwrap().to_string();
        let text = pair["slots"].as_str().unwrap().to_string();
        let count = pair["count"].as_u64().unwrap() as usize;
        assert!(
            !text.contains(','),
            "pair {from}->{to} is not one contiguous range: {text}"
        );
        let (a, b) = text.split_once('-').unwrap_or((&text, &text));
        let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
        assert_eq!(
            b - a + 1,
            count,
            "pair {from}->{to}: {text} vs count {count}"
        );
        assert!(
            shares[&from].slots > shares[&from].expected,
            "{from} gives but has no surplus:\n{doc:#}"
        );
        assert!(
            shares[&to].slots < shares[&to].expected,
            "{to} receives but has no deficit:\n{doc:#}"
        );
        counted += count;
        assert!(
            pairs.insert((from, to), text).is_none(),
            "pair listed twice"
        );
    }
    assert_eq!(counted, surplus, "pair counts:\n{doc:#}");
    pairs
}

/// Checks a finished migration document: everything planned moved, no error, healthy.
fn assert_migration_complete(doc: &Value) {
    let migration = &doc["migration"];
    assert_eq!(
        migration["slots_moved"], doc["plan"]["slots"],
        "slots moved:\n{doc:#}"
    );
    assert_eq!(migration["slots_planned"], doc["plan"]["slots"]);
    assert!(migration["error"].is_null(), "{doc:#}");
    assert_eq!(migration["open_slots"].as_array().map(Vec::len), Some(0));
    assert_eq!(migration["interrupted"], false);
    assert_eq!(doc["check"]["healthy"], true, "final check:\n{doc:#}");
}

/// Checks that the real owner changes are exactly the plan's pairs (each slot moved once,
/// one contiguous range per pair).
fn assert_moves_match_plan(
    before: &[Option<String>],
    after: &[Option<String>],
    plan: &BTreeMap<(String, String), String>,
) {
    let real = moved(before, after);
    for (pair, slots) in &real {
        assert!(is_contiguous(slots), "{pair:?} moved {slots:?}");
    }
    let real_text: BTreeMap<(String, String), String> = real
        .iter()
        .map(|(k, v)| (k.clone(), range_text(v)))
        .collect();
    assert_eq!(&real_text, plan, "the slots that really moved");
}

/// Starts an empty cluster-enabled node with `opts`, CLUSTER MEETs it into `cluster` and
/// waits until every node (the new one included) knows every other, none in handshake.
fn add_empty_master(cluster: &TestCluster, opts: &NodeOpts) -> Node {
    let node = Node::start(opts);
    let first = cluster.node(0);
    node.cmd(&["CLUSTER", "MEET", first.host(), &first.port().to_string()]);
    let ids: BTreeSet<String> = cluster
        .nodes()
        .iter()
        .chain([&node])
        .map(|n| n.id().to_string())
        .collect();
    poll_until("every node to know the new master", FORM_TIMEOUT, || {
        for n in cluster.nodes().iter().chain([&node]) {
            let view = n.cluster_nodes();
            let seen: BTreeSet<String> = view.iter().map(|l| l.id.clone()).collect();
            if seen != ids {
                return Err(format!(
                    "{} knows {} of {}",
                    n.addr(),
                    seen.len(),
                    ids.len()
                ));
            }
            if let Some(l) = view.iter().find(|l| l.has_flag("handshake")) {
                return Err(format!("{} has {} in handshake", n.addr(), l.addr));
            }
        }
        // And every node sees the same roles, slots and config epochs (the new node learns
        // the others' slots from their next ping).
        let summary = |n: &Node| {
            let mut lines: Vec<String> = n
                .cluster_nodes()
                .iter()
                .map(|l| format!("{} {:?} {:?} {}", l.id, l.master, l.slots, l.config_epoch))
                .collect();
            lines.sort();
            lines
        };
        let first_view = summary(cluster.node(0));
        for n in cluster.nodes().iter().chain([&node]) {
            if summary(n) != first_view {
                return Err(format!(
                    "{} does not agree with {} yet",
                    n.addr(),
                    first.addr()
                ));
            }
        }
        Ok(())
    });
    node
}

// ---------------------------------------------------------------------------------------------
// 1-2. A master that just joined
// ---------------------------------------------------------------------------------------------

#[test]
fn new_empty_master_gets_exactly_a_quarter_with_use_empty_masters() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(30_000, "k");
    // A master that just started reports cluster_state:ok only some seconds later (redis'
    // 2 s writable delay, and a rejoin delay up to its node timeout); the MEET usually
    // completes well within that, so rebalance starts while the new master is not ok yet.
    let new = add_empty_master(&cluster, &NodeOpts::new().node_timeout_ms(5000));
    let nodes = all_nodes(&cluster, &[&new]);
    let data_before = data(&nodes);
    assert_eq!(data_before.keys, 30_000);
    let before = owners(cluster.node(0));

    // Right after MEET: the new master does not report cluster_state:ok yet; rcluster has to
    // wait for it (redis-cli fails here with CLUSTERDOWN).
    let state = new.cluster_info_field("cluster_state");
    if state.as_deref() == Some("ok") {
        eprintln!("note: the new master was already ok; the wait for it is not exercised");
    }
    let out = rebalance(&cluster.addr(0), &["--use-empty-masters", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["dry_run"], false);
    assert_eq!(doc["needed"], true);
    assert_eq!(doc["total_weight"].as_f64(), Some(4.0));
    let expected: BTreeMap<String, usize> =
        nodes.iter().map(|n| (n.id().to_string(), 4096)).collect();
    let plan = assert_exact_plan(&doc, &expected);
    assert_eq!(doc["plan"]["slots"], 4096);
    assert_migration_complete(&doc);
    assert!(doc["migration"]["keys_moved"].as_u64().unwrap() > 0);
    // The new master only receives, the others only give.
    assert!(plan.keys().all(|(_, to)| to == new.id()), "{doc:#}");

    for viewer in &nodes {
        assert_eq!(
            slot_counts(viewer),
            expected,
            "slot counts seen by {}",
            viewer.addr()
        );
    }
    let after = owners(cluster.node(0));
    assert_moves_match_plan(&before, &after, &plan);
    assert!(new.cmd_str(&["DBSIZE"]).parse::<usize>().unwrap() > 0);
    assert_data_intact_and_healthy(&data_before, &nodes);
}

#[test]
fn new_empty_master_is_left_alone_without_use_empty_masters() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(5_000, "k");
    let new = add_empty_master(&cluster, &NodeOpts::new());
    let nodes = all_nodes(&cluster, &[&new]);
    let before = layout(&nodes, CurrentEpoch::Ignored);

    let out = rebalance(&cluster.addr(1), &[]);
    out.assert_success();
    assert!(
        out.stdout.contains("No rebalancing needed"),
        "expected 'No rebalancing needed':\n{out}"
    );
    assert!(!out.stdout.contains("Moving"), "{out}");

    // A weight for the empty master alone does not make it take part: a warning says so.
    let weight = format!("{}=1", prefix(&new));
    let out = rebalance(&cluster.addr(0), &["--weight", &weight]);
    out.assert_success();
    assert!(out.stdout.contains("No rebalancing needed"), "{out}");
    let text = all_text(&out);
    assert!(
        text.contains("--use-empty-masters") && text.contains(&new.addr()),
        "expected a warning that {} takes part only with --use-empty-masters:\n{out}",
        new.addr()
    );

    let out = rebalance(&cluster.addr(0), &["--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["needed"], false);
    assert_eq!(doc["plan"]["slots"], 0);
    assert!(doc["migration"].is_null());
    let shares = shares(&doc);
    assert_eq!(
        shares.len(),
        3,
        "the empty master must not take part:\n{doc:#}"
    );
    assert!(!shares.contains_key(new.id()));

    assert_eq!(
        layout(&nodes, CurrentEpoch::Ignored),
        before,
        "nothing may change"
    );
    assert_eq!(count_of(cluster.node(0), &new), 0);
}

// ---------------------------------------------------------------------------------------------
// 3-4. Weights
// ---------------------------------------------------------------------------------------------

#[test]
fn weights_give_exact_largest_remainder_shares() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    cluster.populate(20_000, "w");
    let nodes = all_nodes(&cluster, &[]);
    let data_before = data(&nodes);
    let masters: Vec<&Node> = (0..3).map(|i| cluster.node(i)).collect();
    let current: Vec<usize> = masters
        .iter()
        .map(|m| count_of(cluster.node(0), m))
        .collect();
    // Weights 3, 1.5 and (default) 1: in halves 6, 3, 2. 16384 * 6/11 = 8936.73,
    // * 3/11 = 4468.36, * 2/11 = 2978.91: the two slots left go to the largest remainders.
    let want = apportion(16384, &[6, 3, 2], &current);
    assert_eq!(want, vec![8937, 4468, 2979]);
    let expected: BTreeMap<String, usize> = masters
        .iter()
        .zip(&want)
        .map(|(m, &w)| (m.id().to_string(), w))
        .collect();
    let before = owners(cluster.node(0));

    let w0 = format!("{}=3", prefix(masters[0]));
    let w1 = format!("{}=1.5", masters[1].id());
    let out = rebalance(
        &cluster.addr(4),
        &["--weight", &w0, "--weight", &w1, "--json"],
    );
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["total_weight"].as_f64(), Some(5.5));
    let plan = assert_exact_plan(&doc, &expected);
    let got = shares(&doc);
    assert_eq!(got[masters[0].id()].weight, 3.0);
    assert_eq!(got[masters[1].id()].weight, 1.5);
    assert_eq!(got[masters[2].id()].weight, 1.0);
    assert_eq!(got[masters[0].id()].addr, masters[0].addr());
    assert_migration_complete(&doc);

    for viewer in &nodes {
        let counts = slot_counts(viewer);
        for m in &masters {
            assert_eq!(
                counts[m.id()],
                expected[m.id()],
                "{} as seen by {}",
                m.addr(),
                viewer.addr()
            );
        }
    }
    assert_moves_match_plan(&before, &owners(cluster.node(0)), &plan);
    assert_data_intact_and_healthy(&data_before, &nodes);
}

/// Drains master 1 of a 4-master cluster (20000 keys) with `--weight X=0` and checks that
/// it serves no slot, the other three are within one slot of each other, only it gave (4096
/// slots, each moved once) and the data is intact; returns the cluster.
fn drain_second_of_four(opts: NodeOpts) -> TestCluster {
    let cluster = TestCluster::start(4, 0, opts);
    cluster.populate(20_000, "d");
    let nodes = all_nodes(&cluster, &[]);
    let data_before = data(&nodes);
    let drained = cluster.node(1);
    let before = owners(cluster.node(0));

    let weight = format!("{}=0", prefix(drained));
    let out = rebalance(&cluster.addr(0), &["--weight", &weight]);
    out.assert_success();
    assert!(
        out.stdout.contains("Moving "),
        "the plan is printed:\n{out}"
    );
    assert!(
        out.stdout.contains("[OK] Moved 4096 of 4096 slot(s)"),
        "{out}"
    );

    let counts = slot_counts(cluster.node(0));
    assert_eq!(
        counts.get(drained.id()).copied().unwrap_or(0),
        0,
        "{counts:?}"
    );
    let others: Vec<usize> = [0, 2, 3]
        .iter()
        .map(|&i| counts[cluster.node(i).id()])
        .collect();
    assert_eq!(others.iter().sum::<usize>(), 16384, "{counts:?}");
    let (min, max) = (others.iter().min().unwrap(), others.iter().max().unwrap());
    assert!(
        max - min <= 1,
        "the others must be within 1 slot: {counts:?}"
    );
    // Only the drained master gave: 4096 slots, each moved once.
    let real = moved(&before, &owners(cluster.node(0)));
    assert_eq!(real.values().map(Vec::len).sum::<usize>(), 4096);
    assert!(
        real.keys().all(|(from, _)| from == drained.id()),
        "{real:?}"
    );
    assert_data_intact_and_healthy(&data_before, &nodes);
    cluster
}

#[test]
fn weight_zero_drains_a_master_completely() {
    // Without replica migration the emptied master stays a master: no slot and no key.
    let opts = NodeOpts::new().args(["--cluster-allow-replica-migration", "no"]);
    let cluster = drain_second_of_four(opts);
    let drained = cluster.node(1);
    assert_eq!(
        drained.info_field("replication", "role").as_deref(),
        Some("master")
    );
    assert_eq!(
        drained.cmd_str(&["DBSIZE"]),
        "0",
        "keys left on the drained master"
    );
}

#[test]
fn weight_zero_drain_with_default_replica_migration() {
    // Redis 7 defaults to cluster-allow-replica-migration yes: a master whose last slot is
    // assigned away may turn itself into a replica of the new owner (then it holds a copy of
    // that master's keys, not keys of its own). Either way it serves nothing.
    let cluster = drain_second_of_four(NodeOpts::new());
    let drained = cluster.node(1);
    match drained.info_field("replication", "role").as_deref() {
        Some("master") => assert_eq!(drained.cmd_str(&["DBSIZE"]), "0"),
        Some("slave") => {
            let master = format!(
                "{}:{}",
                drained.info_field("replication", "master_host").unwrap(),
                drained.info_field("replication", "master_port").unwrap()
            );
            assert!(
                [0, 2, 3].iter().any(|&i| cluster.addr(i) == master),
                "the drained node replicates {master}, not one of the other masters"
            );
        }
        other => panic!("unexpected role {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Threshold
// ---------------------------------------------------------------------------------------------

#[test]
fn threshold_decides_whether_an_uneven_layout_moves() {
    let cluster = ClusterSpec::new(3, 0)
        .slots(consecutive_slot_ranges(&[6000, 5000, 5384]))
        .start();
    cluster.populate(10_000, "t");
    let nodes = all_nodes(&cluster, &[]);
    let data_before = data(&nodes);
    let before_layout = layout(&nodes, CurrentEpoch::Ignored);

    // 6000 → 5462 is 8.97% off, 5000 → 5461 is 9.22%, 5384 → 5461 is 1.45%: all under 20.
    for flags in [
        &["--threshold", "20"][..],
        &["--threshold", "9.5"][..],
        &["--cluster-threshold", "20"][..],
    ] {
        let out = rebalance(&cluster.addr(0), flags);
        out.assert_success();
        assert!(
            out.stdout.contains("No rebalancing needed"),
            "{flags:?}:\n{out}"
        );
        assert_eq!(
            layout(&nodes, CurrentEpoch::Ignored),
            before_layout,
            "{flags:?} changed something"
        );
    }
    let out = rebalance(&cluster.addr(0), &["--threshold", "20", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["needed"], false);
    assert_eq!(doc["threshold"].as_f64(), Some(20.0));
    assert!(doc["migration"].is_null());

    // The default threshold (2%) balances it exactly.
    let current = [6000, 5000, 5384];
    let want = apportion(16384, &[1, 1, 1], &current);
    assert_eq!(want, vec![5462, 5461, 5461]);
    let expected: BTreeMap<String, usize> = (0..3)
        .map(|i| (cluster.node(i).id().to_string(), want[i]))
        .collect();
    let before = owners(cluster.node(0));
    let out = rebalance(&cluster.addr(2), &["--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["threshold"].as_f64(), Some(2.0));
    let plan = assert_exact_plan(&doc, &expected);
    assert_eq!(doc["plan"]["slots"], 538);
    assert_migration_complete(&doc);
    assert_eq!(slot_counts(cluster.node(1)), expected);
    assert_moves_match_plan(&before, &owners(cluster.node(0)), &plan);
    assert_data_intact_and_healthy(&data_before, &nodes);
}

#[test]
fn threshold_zero_balances_exactly_and_two_percent_does_not() {
    let cluster = ClusterSpec::new(3, 0)
        .slots(consecutive_slot_ranges(&[5460, 5463, 5461]))
        .start();
    cluster.populate(10_000, "z");
    let nodes = all_nodes(&cluster, &[]);
    let data_before = data(&nodes);
    let before_layout = layout(&nodes, CurrentEpoch::Ignored);

    // 5460 → 5461 is 0.02% off: the default 2% leaves it.
    let out = rebalance(&cluster.addr(0), &[]);
    out.assert_success();
    assert!(out.stdout.contains("No rebalancing needed"), "{out}");
    assert_eq!(layout(&nodes, CurrentEpoch::Ignored), before_layout);

    // --threshold 0 balances exactly: one slot from the 5463 master to the 5460 one.
    let before = owners(cluster.node(0));
    let out = rebalance(&cluster.addr(0), &["--threshold", "0", "--json"]);
    out.assert_success();
    let doc = json(&out);
    let want = apportion(16384, &[1, 1, 1], &[5460, 5463, 5461]);
    assert_eq!(want, vec![5461, 5462, 5461]);
    let expected: BTreeMap<String, usize> = (0..3)
        .map(|i| (cluster.node(i).id().to_string(), want[i]))
        .collect();
    let plan = assert_exact_plan(&doc, &expected);
    assert_eq!(doc["plan"]["slots"], 1);
    assert_migration_complete(&doc);
    assert_eq!(slot_counts(cluster.node(2)), expected);
    let real = moved(&before, &owners(cluster.node(0)));
    assert_eq!(real.len(), 1, "{real:?}");
    let ((from, to), slots) = real.iter().next().unwrap();
    assert_eq!(
        (from.as_str(), to.as_str(), slots.len()),
        (cluster.node(1).id(), cluster.node(0).id(), 1)
    );
    assert_moves_match_plan(&before, &owners(cluster.node(0)), &plan);

    // Balanced exactly now: even --threshold 0 finds nothing to do.
    let out = rebalance(&cluster.addr(1), &["--threshold", "0"]);
    out.assert_success();
    assert!(out.stdout.contains("No rebalancing needed"), "{out}");
    assert_data_intact_and_healthy(&data_before, &nodes);
}

// ---------------------------------------------------------------------------------------------
// 6. Simulation
// ---------------------------------------------------------------------------------------------

#[test]
fn simulate_and_dry_run_print_the_plan_and_change_nothing() {
    let cluster = ClusterSpec::new(3, 1)
        .slots(consecutive_slot_ranges(&[8000, 4000, 4384]))
        .start();
    cluster.populate(10_000, "s");
    let nodes = all_nodes(&cluster, &[]);
    let data_before = data(&nodes);
    let before_layout = layout(&nodes, CurrentEpoch::Ignored);
    let want = apportion(16384, &[1, 1, 1], &[8000, 4000, 4384]);
    let expected: BTreeMap<String, usize> = (0..3)
        .map(|i| (cluster.node(i).id().to_string(), want[i]))
        .collect();

    for flags in [
        &["--simulate"][..],
        &["--dry-run"][..],
        &["--cluster-simulate"][..],
    ] {
        let out = rebalance(&cluster.addr(0), flags);
        out.assert_success();
        let text = &out.stdout;
        assert!(
            text.contains(">>> Rebalancing across 3 nodes. Total weight = 3.00"),
            "{flags:?}:\n{out}"
        );
        let moving: Vec<&str> = text.lines().filter(|l| l.starts_with("Moving ")).collect();
        assert_eq!(moving.len(), 2, "{flags:?}: one line per pair:\n{out}");
        let giver = format!(" from {} ({}) to ", cluster.addr(0), cluster.node(0).id());
        assert!(
            moving.iter().all(|l| l.contains(&giver)),
            "{flags:?}: only the big master gives:\n{out}"
        );
        let total: usize = moving
            .iter()
            .map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        assert_eq!(total, 8000 - want[0], "{flags:?}:\n{out}");
        assert!(text.contains("Simulation: nothing was moved."), "{out}");
        assert!(!text.contains("[OK] Moved"), "{out}");
        assert_eq!(
            layout(&nodes, CurrentEpoch::Ignored),
            before_layout,
            "{flags:?} changed something"
        );
    }

    let mut simulated = None;
    for flags in [&["--simulate", "--json"][..], &["--json", "--dry-run"][..]] {
        let out = rebalance(&cluster.addr(3), flags);
        out.assert_success();
        let doc = json(&out);
        assert_eq!(doc["dry_run"], true, "{flags:?}");
        assert_eq!(doc["needed"], true);
        assert!(doc["migration"].is_null(), "{doc:#}");
        assert!(doc["check"].is_null(), "{doc:#}");
        let plan = assert_exact_plan(&doc, &expected);
        assert_eq!(
            layout(&nodes, CurrentEpoch::Ignored),
            before_layout,
            "{flags:?} changed something"
        );
        simulated = Some(plan);
    }

    // The real run does what the simulation said.
    let before = owners(cluster.node(0));
    let out = rebalance(&cluster.addr(0), &["--json"]);
    out.assert_success();
    let doc = json(&out);
    let plan = assert_exact_plan(&doc, &expected);
    assert_eq!(Some(&plan), simulated.as_ref());
    assert_migration_complete(&doc);
    assert_moves_match_plan(&before, &owners(cluster.node(0)), &plan);
    assert_data_intact_and_healthy(&data_before, &nodes);
}

// ---------------------------------------------------------------------------------------------
// 7. Bad input
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_weights_and_thresholds_are_refused_and_change_nothing() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    cluster.populate(3_000, "b");
    let nodes = all_nodes(&cluster, &[]);
    let before_layout = layout(&nodes, CurrentEpoch::Ignored);
    let entry = cluster.addr(0);
    let a = prefix(cluster.node(0));
    let replica = cluster.node(cluster.replicas_of(1)[0]);
    // Nothing listens on port 1: a usage error must be found before contacting anything.
    let nowhere = "127.0.0.1:1";

    let w = |s: &str| vec!["--weight".to_string(), s.to_string()];
    let syntax: Vec<(Vec<String>, &str)> = vec![
        (w("abc"), "ID=W"),
        (w("x"), "ID=W"),
        (w(&format!("{a}=-1")), "weight"),
        (w(&format!("{a}=abc")), "weight"),
        (w(&format!("{a}=")), "weight"),
        (w(&format!("{a}=nan")), "weight"),
        (w(&format!("{a}=inf")), "weight"),
        (w("=2"), "empty"),
        (vec!["--threshold=-1".into()], "threshold"),
        (vec!["--threshold".into(), "nan".into()], "threshold"),
        (vec!["--threshold".into(), "abc".into()], "threshold"),
        (vec!["--cluster-threshold".into(), "-1".into()], ""),
        (vec!["--timeout".into(), "0".into()], "timeout"),
        (vec!["--pipeline".into(), "0".into()], "pipeline"),
        (vec!["--parallel".into(), "0".into()], "parallel"),
        (vec!["--bogus".into()], ""),
    ];
    for (flags, word) in &syntax {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        for target in [entry.as_str(), nowhere] {
            let out = rebalance(target, &flags);
            assert_eq!(
                out.code, 2,
                "{flags:?} against {target}: usage error expected:\n{out}"
            );
            assert!(
                out.stderr.to_lowercase().contains(&word.to_lowercase()),
                "{flags:?}: the message should mention {word:?}:\n{out}"
            );
        }
    }

    // An id no node has: a hex prefix that matches nothing.
    let unknown = (0..16u32)
        .map(|d| format!("{d:x}").repeat(8))
        .find(|p| !nodes.iter().any(|n| n.id().starts_with(p.as_str())))
        .unwrap();
    let ids: Vec<String> = (0..3).map(|i| prefix(cluster.node(i))).collect();
    let refusals: Vec<(Vec<String>, &str)> = vec![
        (w(&format!("{unknown}=2")), unknown.as_str()),
        (w("notanode=2"), "notanode"),
        (
            vec![
                "--weight".into(),
                format!("{}=0", ids[0]),
                format!("{}=0", ids[1]),
                format!("{}=0", ids[2]),
            ],
            "weight 0",
        ),
        (
            vec![
                "--weight".into(),
                format!("{}=2", cluster.node(2).id()),
                "--weight".into(),
                format!("{}=3", ids[2]),
            ],
            "twice",
        ),
    ];
    for (flags, word) in &refusals {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let out = rebalance(&entry, &flags);
        assert_eq!(out.code, 1, "{flags:?}: refusal expected:\n{out}");
        assert!(
            all_text(&out).contains(word),
            "{flags:?}: the message should mention {word:?}:\n{out}"
        );
        assert_eq!(
            layout(&nodes, CurrentEpoch::Ignored),
            before_layout,
            "{flags:?} changed something"
        );
    }

    // The weight of a replica (a master that has since become one) is ignored with a
    // warning, as redis-cli ignores it: the rebalance goes on (here: nothing to move).
    for id in [replica.id().to_string(), prefix(replica)] {
        let out = rebalance(&entry, &["--weight", &format!("{id}=2")]);
        assert_eq!(out.code, 0, "weight of a replica:\n{out}");
        assert!(all_text(&out).contains("is a replica now"), "{out}");
        assert_eq!(layout(&nodes, CurrentEpoch::Ignored), before_layout);
    }

    // The same text twice may be caught before or after contacting, but must be refused.
    let twice = format!("{a}=2");
    let out = rebalance(&entry, &["--weight", &twice, "--weight", &twice]);
    assert!(matches!(out.code, 1 | 2), "{out}");

    // A prefix shared by two nodes is ambiguous (only when the random ids allow it).
    let mut by_first: BTreeMap<char, usize> = BTreeMap::new();
    for n in &nodes {
        *by_first.entry(n.id().chars().next().unwrap()).or_default() += 1;
    }
    if let Some((&c, _)) = by_first.iter().find(|(_, n)| **n > 1) {
        let out = rebalance(&entry, &["--weight", &format!("{c}=2")]);
        assert_eq!(out.code, 1, "ambiguous prefix {c}:\n{out}");
        assert!(all_text(&out).contains("give more characters"), "{out}");
    }

    // With --json a refusal is one JSON document with the error and the exit code.
    let out = rebalance(&entry, &["--json", "--weight", "notanode=2"]);
    assert_eq!(out.code, 1, "{out}");
    let doc = json(&out);
    assert_eq!(doc["exit_code"], 1);
    assert!(doc["error"].as_str().unwrap().contains("notanode"), "{doc}");

    assert_eq!(
        layout(&nodes, CurrentEpoch::Ignored),
        before_layout,
        "bad input changed something"
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Unhealthy clusters
// ---------------------------------------------------------------------------------------------

#[test]
fn open_slot_among_the_moving_slots_is_refused() {
    // 7000 → 5462: the first master gives its lowest slots, 0-1537, slot 0 among them.
    let cluster = ClusterSpec::new(3, 0)
        .slots(consecutive_slot_ranges(&[7000, 4692, 4692]))
        .start();
    cluster.populate(5_000, "o");
    let nodes = all_nodes(&cluster, &[]);
    let data_before = data(&nodes);
    let (src, dst) = (cluster.node(0), cluster.node(1));
    // A migration of slot 0 left half-way.
    dst.cmd(&["CLUSTER", "SETSLOT", "0", "IMPORTING", src.id()]);
    src.cmd(&["CLUSTER", "SETSLOT", "0", "MIGRATING", dst.id()]);
    let before_layout = layout(&nodes, CurrentEpoch::Ignored);

    for flags in [&[][..], &["--simulate"][..]] {
        let out = rebalance(&cluster.addr(2), flags);
        assert_eq!(out.code, 1, "{flags:?}: refusal expected:\n{out}");
        let text = all_text(&out);
        assert!(text.contains("open slot"), "{flags:?}:\n{out}");
        assert!(text.contains("being moved: 0"), "{flags:?}:\n{out}");
        assert!(text.contains("nothing was moved"), "{flags:?}:\n{out}");
        assert!(!text.contains("[OK] Moved"), "{out}");
        assert_eq!(
            layout(&nodes, CurrentEpoch::Ignored),
            before_layout,
            "{flags:?} changed something"
        );
    }
    let json_out = rebalance(&cluster.addr(2), &["--json"]);
    assert_eq!(json_out.code, 1, "{json_out}");
    assert_eq!(json(&json_out)["exit_code"], 1);
    assert_eq!(
        layout(&nodes, CurrentEpoch::Ignored),
        before_layout,
        "--json changed something"
    );

    // Once the slot is closed, the same rebalance goes through.
    src.cmd(&["CLUSTER", "SETSLOT", "0", "STABLE"]);
    dst.cmd(&["CLUSTER", "SETSLOT", "0", "STABLE"]);
    let out = rebalance(&cluster.addr(2), &[]);
    out.assert_success();
    let counts = slot_counts(cluster.node(0));
    assert_eq!(counts[src.id()], 5462, "{counts:?}");
    assert_data_intact_and_healthy(&data_before, &nodes);

    // With --json the refusal must still say why (stdout is the JSON document; the reasons
    // belong in its error, or at least on stderr).
    assert!(
        all_text(&json_out).contains("open slot"),
        "--json: the refusal does not say which problem blocks the rebalance:\n{json_out}"
    );
}

#[test]
fn a_down_master_without_replicas_is_refused() {
    // The third master holds the most slots and has to give: it is part of the plan.
    let mut cluster = ClusterSpec::new(3, 0)
        .slots(consecutive_slot_ranges(&[4000, 4000, 8384]))
        .start();
    cluster.populate(5_000, "f");
    let dead_addr = cluster.addr(2);
    let dead_id = cluster.node(2).id().to_string();
    cluster.kill(2);
    let nodes = all_nodes(&cluster, &[]);
    let before_layout = layout(&nodes, CurrentEpoch::Ignored);
    let misleading = std::cell::RefCell::new(Vec::new());

    let assert_refused = |when: &str| {
        for flags in [&[][..], &["--simulate"][..]] {
            let out = rebalance(&cluster.addr(0), flags);
            assert_eq!(out.code, 1, "{when}, {flags:?}: refusal expected:\n{out}");
            let text = all_text(&out);
            assert!(
                text.contains(&dead_addr),
                "{when}: the message should name the down master {dead_addr}:\n{out}"
            );
            assert!(!text.contains("[OK] Moved"), "{out}");
            assert_eq!(
                layout(&nodes, CurrentEpoch::Ignored),
                before_layout,
                "{when} changed something"
            );
            if text.contains("not covered") && text.contains("outside the slots being moved") {
                misleading
                    .borrow_mut()
                    .push(format!("{when}, {flags:?}:\n{out}"));
            }
        }
    };
    // Right after the kill (not yet flagged), ...
    assert_refused("just killed");
    // ... and once the others flag it failed.
    poll_until("the down master to be flagged fail", FORM_TIMEOUT, || {
        let view = cluster.node(0).cluster_nodes();
        match view.iter().find(|l| l.id == dead_id) {
            Some(l) if l.has_flag("fail") => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    assert_refused("flagged fail");
    // Draining it is refused too: its keys cannot be moved.
    let out = rebalance(
        &cluster.addr(1),
        &["--weight", &format!("{}=0", &dead_id[..10])],
    );
    assert_eq!(out.code, 1, "{out}");
    assert_eq!(layout(&nodes, CurrentEpoch::Ignored), before_layout);

    // The down master's slots are the ones that would move: no warning may call the
    // uncovered slots "outside the slots being moved".
    let misleading = misleading.into_inner();
    assert!(
        misleading.is_empty(),
        "the uncovered slots are among the slots being moved, not outside them:\n{}",
        misleading.join("\n")
    );
}

#[test]
fn a_down_master_is_refused_even_when_the_layout_is_balanced() {
    // Even layout: no slot would move, but a master and its slots are gone; like redis-cli
    // (which fails its cluster check first), rebalance must not report success.
    let mut cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(3_000, "e");
    let dead_addr = cluster.addr(2);
    let dead_id = cluster.node(2).id().to_string();
    cluster.kill(2);
    poll_until("the down master to be flagged fail", FORM_TIMEOUT, || {
        let view = cluster.node(0).cluster_nodes();
        match view.iter().find(|l| l.id == dead_id) {
            Some(l) if l.has_flag("fail") => Ok(()),
            other => Err(format!("{other:?}")),
        }
    });
    let nodes = all_nodes(&cluster, &[]);
    let before_layout = layout(&nodes, CurrentEpoch::Ignored);
    let out = rebalance(&cluster.addr(0), &[]);
    assert_eq!(
        out.code, 1,
        "a cluster whose master {dead_addr} is down must not be reported balanced:\n{out}"
    );
    assert!(all_text(&out).contains(&dead_addr), "{out}");
    assert_eq!(layout(&nodes, CurrentEpoch::Ignored), before_layout);
}

// ---------------------------------------------------------------------------------------------
// 9. redis-cli spellings
// ---------------------------------------------------------------------------------------------

#[test]
fn redis_cli_cluster_spellings_are_accepted() {
    // Two masters with half the slots each and an empty third one.
    let cluster = ClusterSpec::new(3, 0)
        .slots(consecutive_slot_ranges(&[8192, 8192, 0]))
        .start();
    cluster.populate(10_000, "c");
    let nodes = all_nodes(&cluster, &[]);
    let data_before = data(&nodes);
    let before_layout = layout(&nodes, CurrentEpoch::Ignored);
    let (a, b) = (prefix(cluster.node(0)), prefix(cluster.node(1)));
    let weights = [format!("{a}=3"), format!("{b}=1")];
    let entry = cluster.addr(0);
    let common_flags = [
        "--cluster",
        "rebalance",
        entry.as_str(),
        "--cluster-weight",
        weights[0].as_str(),
        weights[1].as_str(),
        "--cluster-use-empty-masters",
        "--cluster-threshold",
        "1",
    ];

    // As a CI script would call redis-cli, first simulating.
    let mut args: Vec<&str> = common_flags.to_vec();
    args.push("--cluster-simulate");
    let out = run(&args);
    out.assert_success();
    assert!(
        out.stdout.contains("Simulation: nothing was moved."),
        "{out}"
    );
    assert_eq!(
        layout(&nodes, CurrentEpoch::Ignored),
        before_layout,
        "--cluster-simulate moved slots"
    );

    let mut args: Vec<&str> = common_flags.to_vec();
    args.extend([
        "--cluster-timeout",
        "20000",
        "--cluster-pipeline",
        "37",
        "--cluster-replace",
        "--cluster-yes",
        "--json",
    ]);
    let before = owners(cluster.node(0));
    let out = run(&args);
    out.assert_success();
    let doc = json(&out);
    let want = apportion(16384, &[3, 1, 1], &[8192, 8192, 0]);
    assert_eq!(want, vec![9830, 3277, 3277]);
    let expected: BTreeMap<String, usize> = (0..3)
        .map(|i| (cluster.node(i).id().to_string(), want[i]))
        .collect();
    let plan = assert_exact_plan(&doc, &expected);
    assert_eq!(doc["threshold"].as_f64(), Some(1.0));
    assert_migration_complete(&doc);
    assert_eq!(slot_counts(cluster.node(2)), expected);
    assert_moves_match_plan(&before, &owners(cluster.node(0)), &plan);
    assert_data_intact_and_healthy(&data_before, &nodes);

    // The same spellings with nothing left to do.
    let out = run(common_flags);
    out.assert_success();
    assert!(out.stdout.contains("No rebalancing needed"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// 10. Back to back
// ---------------------------------------------------------------------------------------------

#[test]
fn rebalance_right_after_rebalance_finds_an_agreeing_cluster() {
    // Three masters with a third of the slots each, an empty fourth; one replica each.
    let cluster = ClusterSpec::new(4, 1)
        .slots(consecutive_slot_ranges(&[5461, 5462, 5461, 0]))
        .start();
    cluster.populate(15_000, "r");
    let nodes = all_nodes(&cluster, &[]);
    let data_before = data(&nodes);
    let entry = cluster.addr(0);

    let out = rebalance(&entry, &["--use-empty-masters"]);
    out.assert_success();
    let counts = slot_counts(cluster.node(7));
    assert!(counts.values().all(|&c| c == 4096), "{counts:?}");

    // No waiting: the first run must have left a cluster whose nodes agree.
    let drain = format!("{}=0", prefix(cluster.node(0)));
    let out = rebalance(
        &cluster.addr(5),
        &["--weight", &drain, "--use-empty-masters"],
    );
    out.assert_success();
    if redis_cli_available() {
        let oracle = crate::common::redis_cli(&NodeOpts::new(), ["--cluster", "check", &entry]);
        assert!(oracle.success(), "redis-cli check right after:\n{oracle}");
    }
    let out = rebalance(&entry, &["--threshold", "0"]);
    out.assert_success();
    assert!(out.stdout.contains("No rebalancing needed"), "{out}");

    let counts = slot_counts(cluster.node(3));
    assert_eq!(
        counts.get(cluster.node(0).id()).copied().unwrap_or(0),
        0,
        "{counts:?}"
    );
    let mut others: Vec<usize> = (1..4).map(|i| counts[cluster.node(i).id()]).collect();
    others.sort_unstable();
    assert_eq!(others, vec![5461, 5461, 5462], "{counts:?}");
    assert_data_intact_and_healthy(&data_before, &nodes);
}
