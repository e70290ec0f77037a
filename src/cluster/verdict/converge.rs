//! Has the cluster converged to what we want? A pure comparison of every node's own
//! `CLUSTER NODES` view (and `cluster_state`) against a target layout, listing what each node
//! does not see yet — used to poll after a change and to explain a timeout precisely.

use std::collections::BTreeMap;

use crate::cluster::parse::nodes::NodeEntry;
use crate::cluster::slots::SlotSet;

/// What every node should see.
#[derive(Debug, Clone, Default)]
pub(crate) struct Target {
    /// Every member: node id → label (`host:port`) used in messages.
    pub(crate) members: BTreeMap<String, String>,
    /// Slots each master should serve, by id (masters without slots may be omitted).
    pub(crate) slots: BTreeMap<String, SlotSet>,
    /// Replica id → master id; empty while roles are not assigned yet.
    pub(crate) replica_of: BTreeMap<String, String>,
    /// Every node must report `cluster_state:ok`.
    pub(crate) state_ok: bool,
}

/// One node's answers for a poll round.
#[derive(Debug, Clone)]
pub(crate) struct Observation {
    /// The observing node's label (`host:port`).
    pub(crate) node: String,
    /// Its view and whether it reports `cluster_state:ok`, or why it could not answer.
    pub(crate) view: Result<(Vec<NodeEntry>, bool), String>,
}

/// What one node does not see yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lag {
    /// The observing node.
    pub(crate) node: String,
    /// The observing node's id, when it answered.
    pub(crate) node_id: Option<String>,
    /// The differences, in plain words.
    pub(crate) missing: Vec<String>,
    /// Members the observer knows but whose slots or role it has not caught up with: news a
    /// member only spreads in packets it sends itself.
    pub(crate) stale: Vec<String>,
    /// Members the observer does not know at all (gossip ignores a node forgotten in the
    /// last 60 s; a MEET from the member itself does not).
    pub(crate) unknown: Vec<String>,
}

/// Lists, per node, what it does not see of `target` yet; empty when everyone agrees.
pub(crate) fn lagging(observations: &[Observation], target: &Target) -> Vec<Lag> {
    observations
        .iter()
        .filter_map(|obs| {
            let (node_id, missing, stale, unknown) = match &obs.view {
                Err(e) => (
                    None,
                    vec![format!("cannot be asked: {e}")],
                    Vec::new(),
                    Vec::new(),
                ),
                Ok((view, state_ok)) => {
                    let me = view.iter().find(|e| e.flags.myself).map(|e| e.id.clone());
                    let d = differences(view, *state_ok, target);
                    (me, d.missing, d.stale, d.unknown)
                }
            };
            (!missing.is_empty()).then(|| Lag {
                node: obs.node.clone(),
                node_id,
                missing,
                stale,
                unknown,
            })
        })
        .collect()
}

/// What one observer's view lacks: in words, and as member ids (see [`Lag`]).
struct Differences {
    missing: Vec<String>,
    stale: Vec<String>,
    unknown: Vec<String>,
}

fn differences(view: &[NodeEntry], state_ok: bool, target: &Target) -> Differences {
    let mut out = Vec::new();
    let mut stale = Vec::new();
    let by_id: BTreeMap<&str, &NodeEntry> = view.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut unknown_ids = Vec::new();
    let mut unknown = Vec::new();
    let mut handshaking = Vec::new();
    for (id, label) in &target.members {
        match by_id.get(id.as_str()) {
            None => {
                unknown_ids.push(id.clone());
                unknown.push(label.as_str());
            }
            Some(e) if e.flags.handshake || e.flags.noaddr => handshaking.push(label.as_str()),
            Some(_) => {}
        }
    }
    let strangers = view
        .iter()
        .filter(|e| !target.members.contains_key(&e.id) && !e.flags.handshake)
        .count();
    if !unknown.is_empty() {
        out.push(format!("does not know {}", unknown.join(", ")));
    }
    if !handshaking.is_empty() {
        out.push(format!("still handshaking with {}", handshaking.join(", ")));
    }
    if strangers > 0 {
        out.push(format!("knows {strangers} node(s) outside the cluster"));
    }
    let mut wrong_slots = Vec::new();
    for (id, want) in &target.slots {
        if let Some(e) = by_id.get(id.as_str())
            && e.slots != *want
        {
            stale.push(id.clone());
            wrong_slots.push(target.members.get(id).map_or(id.as_str(), String::as_str));
        }
    }
    if !wrong_slots.is_empty() {
        out.push(format!(
            "does not see the planned slots of {}",
            wrong_slots.join(", ")
        ));
    }
    let mut wrong_roles = Vec::new();
    for (replica, master) in &target.replica_of {
        if let Some(e) = by_id.get(replica.as_str())
            && (!e.is_replica() || e.master_id.as_deref() != Some(master.as_str()))
        {
            stale.push(replica.clone());
            wrong_roles.push(
                target
                    .members
                    .get(replica)
                    .map_or(replica.as_str(), String::as_str),
            );
        }
    }
    if !wrong_roles.is_empty() {
        out.push(format!(
            "does not see {} as replica(s) of their masters yet",
            wrong_roles.join(", ")
        ));
    }
    if target.state_ok && !state_ok && out.is_empty() {
        out.push("does not report cluster_state:ok yet".to_string());
    }
    Differences {
        missing: out,
        stale,
        unknown: unknown_ids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::parse::nodes::parse_cluster_nodes;
    use crate::cluster::slots::SlotRange;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccccccccccc";

    fn target() -> Target {
        let mut t = Target::default();
        for (id, label) in [(A, "h:1"), (B, "h:2"), (C, "h:3")] {
            t.members.insert(id.into(), label.into());
        }
        let mut slots = SlotSet::new();
        slots.insert_range(SlotRange {
            start: 0,
            end: 16383,
        });
        t.slots.insert(A.into(), slots);
        t
    }

    fn obs(node: &str, text: &str, ok: bool) -> Observation {
        Observation {
            node: node.into(),
            view: Ok((parse_cluster_nodes(text).unwrap(), ok)),
        }
    }

    #[test]
    fn converged_views_have_no_lag() {
        let text = format!(
            "{A} 127.0.0.1:1@2 myself,master - 0 0 1 connected 0-16383\n\
             {B} 127.0.0.1:2@3 master - 0 0 2 connected\n\
             {C} 127.0.0.1:3@4 master - 0 0 3 connected\n"
        );
        assert!(lagging(&[obs("h:1", &text, true)], &target()).is_empty());
    }

    #[test]
    fn missing_members_slots_and_roles_are_named() {
        let text = format!(
            "{A} 127.0.0.1:1@2 myself,master - 0 0 1 connected 0-100\n\
             {B} 127.0.0.1:2@3 handshake - 0 0 0 connected\n"
        );
        let mut t = target();
        t.replica_of.insert(C.into(), A.into());
        let lag = lagging(&[obs("h:1", &text, false)], &t);
        assert_eq!(lag.len(), 1);
        assert_eq!(
            lag[0].missing,
            vec![
                "does not know h:3".to_string(),
                "still handshaking with h:2".to_string(),
                "does not see the planned slots of h:1".to_string(),
            ]
        );
        assert_eq!(lag[0].node_id.as_deref(), Some(A));
        assert_eq!(lag[0].stale, vec![A.to_string()]);
        assert_eq!(lag[0].unknown, vec![C.to_string()]);
    }

    #[test]
    fn state_ok_is_awaited_last() {
        let text = format!(
            "{A} 127.0.0.1:1@2 myself,master - 0 0 1 connected 0-16383\n\
             {B} 127.0.0.1:2@3 master - 0 0 2 connected\n\
             {C} 127.0.0.1:3@4 slave {A} 0 0 3 connected\n"
        );
        let mut t = target();
        t.replica_of.insert(C.into(), A.into());
        t.state_ok = true;
        let lag = lagging(&[obs("h:1", &text, false)], &t);
        assert_eq!(lag[0].missing, vec!["does not report cluster_state:ok yet"]);
        assert!(lagging(&[obs("h:1", &text, true)], &t).is_empty());
        let unreachable = Observation {
            node: "h:2".into(),
            view: Err("connection refused".into()),
        };
        assert_eq!(lagging(&[unreachable], &t).len(), 1);
    }
}
