//! May this node join a new cluster? The emptiness rules of `create` and `add-node`, as a pure
//! function of what the node said about itself.

use crate::cluster::parse::info::per_db_text;
use crate::cluster::snapshot::NodeProbe;

/// Every reason `probe`'s node cannot join a cluster as a fresh member; empty when it can.
/// A node that knows others, serves slots or holds keys "is not empty", in redis-cli's words.
pub(crate) fn join_problems(probe: &NodeProbe) -> Vec<String> {
    let mut out = Vec::new();
    let info = &probe.info;
    if !info.cluster_enabled {
        out.push(
            "not a cluster node (cluster_enabled:0): start redis-server with --cluster-enabled yes"
                .to_string(),
        );
        return out;
    }
    let others = info.known_nodes.saturating_sub(1);
    if others > 0 {
        out.push(format!(
            "is not empty: it already knows {others} other node(s) and belongs to a cluster \
             (see CLUSTER NODES; CLUSTER RESET HARD makes it new again)"
        ));
    }
    let me = &probe.myself;
    if me.is_replica() {
        out.push(format!(
            "is a replica of {}",
            me.master_id.as_deref().unwrap_or("another node")
        ));
    }
    if !me.slots.is_empty() {
        out.push(format!(
            "is not empty: it already serves {} slot(s): {}",
            me.slots.len(),
            me.slots.abbreviated()
        ));
    }
    if !me.migrating.is_empty() || !me.importing.is_empty() {
        out.push("has open (migrating/importing) slots".to_string());
    }
    let per_db = info.keys_per_db();
    let total = info.total_keys();
    if total > 0 {
        out.push(format!(
            "is not empty: it holds {total} key(s) ({}); only empty nodes can join (FLUSHALL if the data is not needed)",
            per_db_text(&per_db)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::parse::info::ServerInfo;
    use crate::cluster::parse::nodes::parse_cluster_nodes;

    const ID: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    fn probe(line: &str, info: &str, cluster_info: &str) -> NodeProbe {
        let view = parse_cluster_nodes(line).unwrap();
        NodeProbe {
            myself: view[0].clone(),
            view,
            info: ServerInfo::parse(info, cluster_info, 0),
            migrations: Vec::new(),
        }
    }

    #[test]
    fn a_fresh_node_may_join() {
        let p = probe(
            &format!("{ID} :7000@17000 myself,master - 0 0 0 connected\n"),
            "cluster_enabled:1\r\n",
            "cluster_known_nodes:1\r\n",
        );
        assert!(join_problems(&p).is_empty());
    }

    #[test]
    fn every_problem_is_listed() {
        let p = probe(
            &format!("{ID} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-99\n"),
            "cluster_enabled:1\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\ndb3:keys=2,expires=0,avg_ttl=0\r\n",
            "cluster_known_nodes:4\r\n",
        );
        let problems = join_problems(&p);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("knows 3 other node(s)"));
        assert!(problems[1].contains("100 slot(s): 0-99"));
        assert!(problems[2].contains("5 key(s) (db0 3, db3 2)"));
    }

    #[test]
    fn cluster_disabled_is_the_only_problem_reported() {
        let p = probe(
            &format!("{ID} :7000@17000 myself,master - 0 0 0 connected\n"),
            "cluster_enabled:0\r\n",
            "",
        );
        let problems = join_problems(&p);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("not a cluster node"));
    }
}
