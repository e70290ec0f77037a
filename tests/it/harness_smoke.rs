//! Smoke tests proving the integration-test harness in `tests/it/common`.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::thread;

use crate::common::{
    ClusterSpec, Node, NodeOpts, SLOTS, TestCluster, TlsAuthClients, TlsFiles, key_slot,
    redis_cli_available,
};

/// Every node reports cluster_state:ok and sees `cluster.len()` nodes.
fn assert_all_ok(cluster: &TestCluster) {
    for node in cluster.nodes() {
        assert_eq!(
            node.cluster_info_field("cluster_state").as_deref(),
            Some("ok"),
            "{}",
            node.addr()
        );
        assert_eq!(node.cluster_nodes().len(), cluster.len());
    }
}

/// redis-cli (when installed) agrees the cluster is healthy.
fn assert_redis_cli_check_ok(cluster: &TestCluster) {
    if redis_cli_available() {
        cluster.redis_cli_check(0).assert_success();
    }
}

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn three_masters_one_replica_each_forms() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    eprintln!("3x1 formed in {:?}", cluster.started_in());
    assert_eq!(cluster.len(), 6);
    assert_all_ok(&cluster);
    let view = cluster.node(0).cluster_nodes();
    for m in 0..3 {
        let line = view.iter().find(|l| l.id == cluster.node(m).id()).unwrap();
        assert!(line.is_master());
        assert_eq!(line.slots, cluster.formed_slots(m));
        for r in cluster.replicas_of(m) {
            let line = view.iter().find(|l| l.id == cluster.node(r).id()).unwrap();
            assert_eq!(line.master.as_deref(), Some(cluster.node(m).id()));
        }
    }
    assert_eq!(cluster.formed_slots(1), [5461..=10922]);
    assert_redis_cli_check_ok(&cluster);
}

#[test]
fn populate_routes_keys_to_owners() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let keys = cluster.populate(5000, "k");
    assert_eq!(keys.len(), 5000);
    assert_eq!(cluster.total_keys(), 5000);
    for key in ["k:0", "k:4999", "{user1000}.following", "foo{}{bar}", "{}x"] {
        let server: String = cluster.node(0).cmd_str(&["CLUSTER", "KEYSLOT", key]);
        assert_eq!(server, key_slot(key).to_string(), "slot of {key}");
    }
    let owners = cluster.slot_owners();
    assert!(owners.iter().all(Option::is_some));
    let owner = owners[usize::from(key_slot("k:42"))].unwrap();
    assert_eq!(cluster.node(owner).cmd_str(&["GET", "k:42"]), "k:42");
}

#[test]
fn password_cluster_forms() {
    let opts = NodeOpts::new().password("s3cret");
    let cluster = TestCluster::start(3, 1, opts);
    assert_all_ok(&cluster);
    let anonymous = NodeOpts::new();
    let node = cluster.node(0);
    let err = crate::common::run_command(
        {
            let mut c = crate::common::redis_cli_command(&anonymous);
            c.args(["-h", node.host(), "-p", &node.port().to_string(), "PING"]);
            c
        },
        None,
    );
    if redis_cli_available() {
        assert!(err.stdout.contains("NOAUTH"), "{err}");
    }
    assert_redis_cli_check_ok(&cluster);
}

#[test]
fn acl_user_cluster_forms_and_replicates() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new().acl_user("ops", "opspass"));
    assert_all_ok(&cluster);
    let whoami = cluster.node(3).cmd_str(&["ACL", "WHOAMI"]);
    assert_eq!(whoami, "ops");
    assert_redis_cli_check_ok(&cluster);
}

#[test]
fn tls_cluster_forms_and_accepts_client_cert() {
    let tls = Arc::new(TlsFiles::generate());
    let cluster = TestCluster::start(3, 1, NodeOpts::new().tls_files(tls.clone()));
    eprintln!("TLS 3x1 formed in {:?}", cluster.started_in());
    assert_all_ok(&cluster);
    let node = cluster.node(0);
    assert_eq!(node.cmd_str(&["PING"]), "PONG");
    let mut conn = node.client().get_connection().unwrap();
    let pong: String = redis::cmd("PING").query(&mut conn).unwrap();
    assert_eq!(pong, "PONG");
    // tls-auth-clients yes (the default): no client certificate, no session.
    crate::common::install_crypto_provider();
    let info = redis::ConnectionAddr::TcpTls {
        host: node.host().into(),
        port: node.port(),
        insecure: false,
        tls_params: None,
    };
    let client = redis::Client::build_with_tls(info, tls.redis_certificates(false)).unwrap();
    let refused = client
        .get_connection()
        .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
    assert!(refused.is_err(), "PING without client cert must fail");
    assert_redis_cli_check_ok(&cluster);
}

#[test]
fn tls_optional_client_auth() {
    let opts = NodeOpts::new()
        .cluster(false)
        .tls()
        .tls_auth_clients(TlsAuthClients::Optional);
    let node = Node::start(&opts);
    let tls = opts.tls.as_ref().unwrap();
    let info = redis::ConnectionAddr::TcpTls {
        host: node.host().into(),
        port: node.port(),
        insecure: false,
        tls_params: None,
    };
    let client = redis::Client::build_with_tls(info, tls.redis_certificates(false)).unwrap();
    let pong: String = redis::cmd("PING")
        .query(&mut client.get_connection().unwrap())
        .unwrap();
    assert_eq!(pong, "PONG");
}

#[test]
fn nodes_on_loopback_aliases() {
    let cluster = ClusterSpec::new(3, 1)
        .hosts(&["127.0.0.2", "127.0.0.3", "127.0.0.1"])
        .start();
    assert_all_ok(&cluster);
    let view = cluster.node(0).cluster_nodes();
    for node in cluster.nodes() {
        let line = view.iter().find(|l| l.id == node.id()).unwrap();
        assert_eq!(line.addr, node.addr());
    }
    assert_eq!(cluster.node(0).host(), "127.0.0.2");
    assert_redis_cli_check_ok(&cluster);
}

#[test]
fn parallel_clusters_do_not_collide() {
    let clusters: Vec<TestCluster> = thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| TestCluster::start(3, 0, NodeOpts::new())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut ports = BTreeSet::new();
    for cluster in &clusters {
        assert_all_ok(cluster);
        for node in cluster.nodes() {
            assert!(ports.insert(node.port()), "port {} reused", node.port());
        }
    }
}

#[test]
fn uncovered_slots_and_unformed_nodes() {
    let slots = vec![vec![0..=5000], vec![5001..=9000, 9100..=10000], vec![]];
    let opts = NodeOpts::new().args(["--cluster-require-full-coverage", "no"]);
    let cluster = TestCluster::start_with_slots(slots, 0, opts);
    cluster.wait_consistent();
    // Full coverage is not required, so the cluster serves its slots.
    crate::common::wait_until("cluster_state ok", || {
        cluster
            .node(1)
            .cluster_info_field("cluster_state")
            .as_deref()
            == Some("ok")
    });
    let owners = cluster.slot_owners();
    assert_eq!(owners[9050], None);
    assert_eq!(owners[9100], Some(1));
    assert_eq!(owners.iter().flatten().count(), 10001 - 99);
    let written = cluster.populate(1000, "u");
    assert!(written.len() < 1000 && !written.is_empty());
    assert_eq!(cluster.total_keys(), written.len() as u64);

    let loose = TestCluster::start_unformed(3, NodeOpts::new());
    for node in loose.nodes() {
        assert_eq!(node.cluster_nodes().len(), 1);
        assert_eq!(
            node.cluster_info_field("cluster_slots_assigned").as_deref(),
            Some("0")
        );
    }
}

#[test]
fn kill_and_drop_reap_processes() {
    let mut cluster = TestCluster::start(3, 1, NodeOpts::new().node_timeout_ms(500));
    let pids: Vec<u32> = cluster.nodes().iter().filter_map(Node::pid).collect();
    let victim = cluster.node(0).pid().unwrap();
    cluster.kill(0);
    assert!(!pid_alive(victim));
    assert!(!cluster.node(0).is_alive());
    // The replica of master 0 takes over after the node timeout.
    crate::common::wait_until("replica promotion", || cluster.live_masters().len() == 3);
    cluster.wait_cluster_ok();
    assert_eq!(cluster.live_masters().len(), 3);
    assert_eq!(
        cluster.slot_owners().iter().flatten().count(),
        usize::from(SLOTS)
    );
    drop(cluster);
    assert!(pids.iter().all(|&p| !pid_alive(p)), "leftover redis-server");
}

#[test]
fn standalone_node_and_rcluster_runner() {
    let node = Node::start(&NodeOpts::new().cluster(false));
    assert_eq!(
        node.info_field("cluster", "cluster_enabled").as_deref(),
        Some("0")
    );
    let out = crate::common::run(["--help"]);
    assert!(out.code >= 0, "{out}");
}
