//! What both engines check and learn before the first change: every node involved usable,
//! the keys of the planned slots counted, batch sizes, databases and RDB formats the
//! targets can take, targets reporting `cluster_state:ok`.

use super::*;

/// Keys per MIGRATE when `--pipeline` is not given, at most.
pub(super) const DEFAULT_MIGRATE_KEYS: usize = 1000;
/// Bytes per MIGRATE the default batch size aims at, using the source's average key size.
pub(super) const MIGRATE_BYTES: u64 = 8 * 1024 * 1024;

/// Every source and target must be a reachable master that serves (sources) the slots.
pub(super) fn validate(job: &Job<'_>, pairs: &[PairMoves]) -> anyhow::Result<()> {
    if job.engines.len() != pairs.len() {
        bail!("internal error: the plan has no engine for some pairs; nothing was moved");
    }
    for pair in pairs {
        for (index, role) in [(pair.from, "source"), (pair.to, "target")] {
            let Some(node) = job.nodes.get(index) else {
                bail!("internal error: the plan names a node that is not in the cluster");
            };
            if !node.reachable {
                bail!(
                    "{role} {} ({}) cannot be reached; nothing was moved",
                    node.addr,
                    node.id
                );
            }
            if !node.is_master {
                bail!(
                    "{role} {} ({}) is not a master; nothing was moved",
                    node.addr,
                    node.id
                );
            }
        }
        let source = &job.nodes[pair.from];
        let foreign = pair.slots.difference(&source.slots);
        if !foreign.is_empty() {
            bail!(
                "internal error: {} does not serve slots {}; nothing was moved",
                source.addr,
                foreign.bracketed()
            );
        }
    }
    Ok(())
}

pub(super) fn involved_nodes(pairs: &[PairMoves]) -> Vec<usize> {
    let mut nodes: Vec<usize> = pairs.iter().flat_map(|p| [p.from, p.to]).collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
}

/// What the engine learns before the first change.
pub(super) struct Preparation {
    /// Keys per MIGRATE, per node index.
    pub(super) batch_keys: Vec<usize>,
    /// Keys in each planned slot on its source.
    pub(super) keys_per_slot: Vec<(u16, u64)>,
    /// A node involved holds keys in a database other than 0.
    pub(super) numbered_dbs_in_use: bool,
}

/// Concurrently, per node involved: a source counts the keys of its planned slots in every
/// database it has and, when MIGRATE moves them, gets its average key size (for the batch size); a target must
/// report `cluster_state:ok` within the ready timeout (a master that just joined answers
/// MIGRATE with CLUSTERDOWN for a while). Keys in a database their target does not have
/// refuse the whole job.
pub(super) fn prepare(
    cache: &ConnCache,
    job: &Job<'_>,
    pairs: &[PairMoves],
    engines: &[Engine],
    involved: &[usize],
    settings: &MigrateSettings,
) -> anyhow::Result<Preparation> {
    let results = fan_out(involved, involved.len().max(1), |&i| {
        let node = &job.nodes[i];
        let mut conn = cache.lease(&node.addr)?;
        let mut slots: Vec<u16> = Vec::new();
        for pair in pairs.iter().filter(|p| p.from == i) {
            slots.extend(pair.slots.iter());
        }
        let databases = node.server.cluster_databases;
        let used = databases_with_keys(&mut conn, databases).inspect_err(|_| conn.discard())?;
        let counts =
            count_keys_in(&mut conn, &slots, databases, &used).inspect_err(|_| conn.discard())?;
        for (pair, engine) in pairs.iter().zip(engines).filter(|(p, _)| p.from == i) {
            refuse_missing_database(&counts, pair, &job.nodes[pair.to])?;
            if *engine == Engine::Legacy {
                refuse_older_rdb(&counts, pair, node, &job.nodes[pair.to])?;
            }
        }
        // Under `--engine auto` an atomic pair the servers refuse moves with MIGRATE.
        let moves_keys = pairs.iter().zip(engines).any(|(p, e)| {
            p.from == i && (*e == Engine::Legacy || settings.engine == EngineChoice::Auto)
        });
        let batch = match settings.batch_keys {
            Some(n) => n.max(1),
            None if !moves_keys => DEFAULT_MIGRATE_KEYS,
            None => default_batch_keys(&mut conn)?,
        };
        if pairs.iter().any(|p| p.to == i) {
            wait_ready(&mut conn, settings.ready_timeout)?;
        }
        let totals = slots.into_iter().zip(counts.totals()).collect::<Vec<_>>();
        let numbered = used.iter().any(|&db| db > 0);
        Ok::<_, anyhow::Error>((batch, totals, numbered))
    });
    let mut batch_keys = vec![DEFAULT_MIGRATE_KEYS; job.nodes.len()];
    let mut keys_per_slot = Vec::new();
    let mut numbered_dbs_in_use = false;
    for (&i, result) in involved.iter().zip(results) {
        let (batch, counts, numbered) = result
            .with_context(|| format!("preparing {}; nothing was moved", job.nodes[i].addr))?;
        batch_keys[i] = batch;
        keys_per_slot.extend(counts);
        numbered_dbs_in_use |= numbered;
    }
    keys_per_slot.sort_unstable();
    Ok(Preparation {
        batch_keys,
        keys_per_slot,
        numbered_dbs_in_use,
    })
}

/// The databases of `conn` that hold keys (INFO keyspace), of `0..databases`; database 0
/// alone without asking when the server has one.
pub(super) fn databases_with_keys(
    conn: &mut NodeConn,
    databases: u32,
) -> Result<Vec<u32>, NodeError> {
    if databases <= 1 {
        return Ok(vec![0]);
    }
    let keyspace: String = conn.query(redis::cmd("INFO").arg("keyspace"))?;
    Ok(ServerInfo::parse(&keyspace, "", 0)
        .keyspace
        .iter()
        .filter(|(db, keys)| *keys > 0 && *db < databases)
        .map(|(db, _)| *db)
        .collect())
}

/// Fails when the source holds keys of `pair`'s slots in a database `target` does not have
/// (a mixed cluster: fewer `cluster-databases` there, or a server without numbered databases).
pub(super) fn refuse_missing_database(
    counts: &SlotKeys,
    pair: &PairMoves,
    target: &Endpoint,
) -> anyhow::Result<()> {
    let databases = target.server.cluster_databases;
    match beyond_target(counts, pair, databases) {
        None => Ok(()),
        Some((db, slot)) => bail!(
            "slot {slot} holds keys in database {db}, but the target {} ({}, {}) has {} \
             database(s) (cluster-databases): they cannot move there",
            target.addr,
            target.id,
            target.server.label(),
            databases
        ),
    }
}

/// Fails when MIGRATE would carry keys of `pair`'s slots from `source` to a target that
/// refuses its DUMP payloads (an older RDB format: `DUMP payload version or checksum are
/// wrong`): every key would fail and the slots would stay open. Empty slots may move.
pub(super) fn refuse_older_rdb(
    counts: &SlotKeys,
    pair: &PairMoves,
    source: &Endpoint,
    target: &Endpoint,
) -> anyhow::Result<()> {
    if target.server.reads_dumps_of(&source.server) {
        return Ok(());
    }
    let Some((slot, _)) = counts
        .with_keys()
        .into_iter()
        .find(|(s, _)| pair.slots.contains(*s))
    else {
        return Ok(());
    };
    bail!(
        "cannot move keys from {} ({}, RDB format {}) to {} ({}, RDB format {}), slot {slot} \
         first: a server refuses the DUMP payloads of a newer RDB format, so every MIGRATE \
         would fail. Nothing was moved; move keys from older servers to newer ones (upgrade {} \
         first)",
        source.addr,
        source.server.label(),
        source.server.rdb_version(),
        target.addr,
        target.server.label(),
        target.server.rdb_version(),
        target.addr
    )
}

/// The first database (with one of its slots) holding keys of `pair`'s slots that a target
/// with `target_databases` databases does not have.
pub(super) fn beyond_target(
    counts: &SlotKeys,
    pair: &PairMoves,
    target_databases: u32,
) -> Option<(u32, u16)> {
    counts
        .by_db()
        .into_iter()
        .filter(|(db, _)| *db >= target_databases)
        .find_map(|(db, slots)| {
            slots
                .into_iter()
                .find(|s| pair.slots.contains(*s))
                .map(|s| (db, s))
        })
}

/// Keys per MIGRATE for a source: up to 1000, fewer when its average key (over every
/// database) is large, so that a batch carries about 8 MB.
pub(super) fn default_batch_keys(conn: &mut NodeConn) -> Result<usize, NodeError> {
    let mut pipe = redis::pipe();
    pipe.cmd("INFO").arg("memory").cmd("INFO").arg("keyspace");
    let replies = conn.pipeline(&pipe)?;
    let [memory, keyspace]: [redis::Value; 2] = replies
        .try_into()
        .map_err(|_| conn.server_error("short reply to INFO memory + INFO keyspace"))?;
    let memory: String = conn.convert(memory)?;
    let keyspace: String = conn.convert(keyspace)?;
    let keys = ServerInfo::parse(&keyspace, "", 0).total_keys();
    let dataset: u64 = fields(&memory)
        .find(|(k, _)| *k == "used_memory_dataset")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    Ok(batch_size_for(dataset, keys))
}

/// Keys per MIGRATE for an average key size of `dataset / keys` bytes.
pub(super) fn batch_size_for(dataset: u64, keys: u64) -> usize {
    if keys == 0 || dataset == 0 {
        return DEFAULT_MIGRATE_KEYS;
    }
    let average = (dataset / keys).max(1);
    usize::try_from(MIGRATE_BYTES / average)
        .unwrap_or(DEFAULT_MIGRATE_KEYS)
        .clamp(1, DEFAULT_MIGRATE_KEYS)
}

/// Polls `CLUSTER INFO` until `cluster_state:ok`.
pub(crate) fn wait_ready(conn: &mut NodeConn, timeout: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let info: String = conn.query(redis::cmd("CLUSTER").arg("INFO"))?;
        if fields(&info).any(|(k, v)| k == "cluster_state" && v == "ok") {
            return Ok(());
        }
        if started.elapsed() >= timeout {
            bail!(
                "{} does not report cluster_state:ok after {} s (a master that just joined \
                 refuses MIGRATE with CLUSTERDOWN until it does); check it with `rcluster check`",
                conn.addr,
                timeout.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
