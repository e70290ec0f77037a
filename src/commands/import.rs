//! `rcluster import`: move (or copy) every key of a standalone Redis into the cluster, in
//! batches of MIGRATE, one stream per group of target masters, with progress and keys/s.

use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;

use super::migration;
use crate::address::NodeAddr;
use crate::cli::ImportArgs;
use crate::cluster::parse::info::{ServerInfo, per_db_text};
use crate::error::{Outcome, UsageError};
use crate::exec::import::{
    DbPair, ImportCounters, ImportJob, ImportReport, import, same_db_pairs, targets,
};
use crate::exec::interrupt;
use crate::net::conn::{Auth, ConnectOptions};
use crate::net::db::select;
use crate::output::{Output, Style};
use crate::progress::KeyBar;
use crate::settings;

/// The JSON document of `import`.
#[derive(Serialize)]
struct ImportJson {
    source: String,
    /// The (first) source database imported.
    db: u32,
    /// Every source database imported, with its cluster database.
    databases: Vec<DbJson>,
    keys_on_source: u64,
    copy: bool,
    replace: bool,
    dry_run: bool,
    masters: Vec<String>,
    report: Option<ImportReport>,
    keys_per_second: Option<f64>,
    /// Keys in the source databases after the import.
    left_on_source: Option<u64>,
}

/// One source database of an import, for JSON.
#[derive(Serialize)]
struct DbJson {
    db: u32,
    to_db: u32,
    keys_on_source: u64,
    left_on_source: Option<u64>,
}

/// Runs `rcluster import`.
pub fn run(opts: &ConnectOptions, out: Output, args: &ImportArgs) -> anyhow::Result<Outcome> {
    let entry = settings::node_addr(std::slice::from_ref(&args.entry))?;
    let source = NodeAddr::parse(&args.from).map_err(|e| {
        UsageError::new(format!(
            "--from {:?}: {e} (give the source as HOST:PORT, e.g. --from 10.0.0.5:6379)",
            args.from
        ))
    })?;
    if args.from_user.is_some() && args.from_pass.is_none() && !args.from_askpass {
        bail!(UsageError::new(
            "--from-user needs a password: add --from-pass or --from-askpass"
        ));
    }
    let from_password = if args.from_askpass {
        Some(settings::ask_password(
            "Please input import source node password",
        )?)
    } else {
        args.from_pass.clone()
    };
    let source_opts = ConnectOptions {
        auth: Auth {
            user: args.from_user.clone(),
            password: from_password,
        },
        ..opts.clone()
    };
    out.line(
        Style::Info,
        format!(">>> Importing data from {source} to cluster {entry}"),
    );
    let snapshot = migration::healthy_cluster(opts, &entry, &out, "importing")?;
    if snapshot.nodes.iter().any(|n| n.addr() == Some(&source)) {
        bail!("the source {source} is a node of this cluster: give a standalone Redis as --from");
    }
    let mut conn = source_opts
        .connect(&source)
        .with_context(|| format!("cannot use the source {source}"))?;
    let info_text: String = conn.query(&redis::cmd("INFO"))?;
    let info = ServerInfo::parse(&info_text, "", 0);
    if info.cluster_enabled {
        bail!(
            "[ERR] The source node should not be a cluster node: {source} runs with \
             cluster-enabled yes. To copy between clusters, reshard instead, or import from a \
             standalone copy (e.g. a replica started from a backup RDB)"
        );
    }
    let cluster_dbs = snapshot.cluster_databases();
    let dbs = choose_dbs(&info, args.from_db, args.to_db, cluster_dbs, &source)?;
    let keys_in = |db: u32| {
        info.keyspace
            .iter()
            .find(|(d, _)| *d == db)
            .map_or(0, |(_, k)| *k)
    };
    let keys_on_source: u64 = dbs.iter().map(|p| keys_in(p.from)).sum();
    let (master_addrs, owner) = targets(&snapshot)?;
    let mut doc = ImportJson {
        source: source.to_string(),
        db: dbs[0].from,
        databases: dbs
            .iter()
            .map(|p| DbJson {
                db: p.from,
                to_db: p.to,
                keys_on_source: keys_in(p.from),
                left_on_source: None,
            })
            .collect(),
        keys_on_source,
        copy: args.copy,
        replace: args.replace,
        dry_run: args.dry_run,
        masters: master_addrs.iter().map(ToString::to_string).collect(),
        report: None,
        keys_per_second: None,
        left_on_source: None,
    };
    out.line(
        Style::Warn,
        format!(
            "*** Importing {keys_on_source} keys from {} into {} masters ({})",
            describe_dbs(&dbs, &info, cluster_dbs),
            master_addrs.len(),
            if args.copy {
                "copy: the source keeps its keys"
            } else {
                "move: keys are removed from the source as they arrive"
            }
        ),
    );
    if args.dry_run {
        out.line(Style::Info, ">>> Dry run: nothing was moved.");
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    if keys_on_source == 0 {
        out.line(Style::Ok, "[OK] The source has no keys: nothing to import.");
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    interrupt::install();
    let job = ImportJob {
        source_opts: &source_opts,
        source: &source,
        dbs: &dbs,
        masters: &master_addrs,
        cluster_opts: opts,
        owner: &owner,
        copy: args.copy,
        replace: args.replace,
        batch_keys: args.pipeline,
        workers: args.parallel,
        timeout: Duration::from_millis(args.migrate_timeout_ms),
    };
    let counters = ImportCounters::default();
    let bar = KeyBar::start(&out, keys_on_source, "importing");
    let report = import(&job, &counters, || {
        bar.set(counters.done.load(Ordering::Relaxed));
    });
    bar.finish();
    let report = report?;
    let per_second = report.imported as f64 / report.seconds.max(1e-6);
    print_report(&out, &report, per_second, "import");
    doc.keys_per_second = Some(per_second);
    for db in &mut doc.databases {
        db.left_on_source = conn
            .query::<()>(&select(db.db))
            .and_then(|()| conn.query::<u64>(&redis::cmd("DBSIZE")))
            .ok();
    }
    doc.left_on_source = doc.databases.iter().map(|d| d.left_on_source).sum();
    if let Some(left) = doc.left_on_source {
        let numbers: Vec<String> = dbs.iter().map(|p| p.from.to_string()).collect();
        out.line(
            Style::Plain,
            format!(
                "The source {source} holds {left} key(s) in DB {} now.",
                numbers.join(", ")
            ),
        );
    }
    let outcome = Outcome::of(report.interrupted, report.complete());
    doc.report = Some(report);
    out.json(&doc);
    Ok(outcome)
}

/// The source databases to import and the cluster database of each: `--from-db` (into
/// `--to-db`, else the same number where the cluster has numbered databases, else 0), or every
/// database that holds keys into the same number. `cluster_dbs`: the databases the cluster's
/// masters have (1 without numbered databases).
fn choose_dbs(
    info: &ServerInfo,
    from_db: Option<u32>,
    to_db: Option<u32>,
    cluster_dbs: u32,
    source: &NodeAddr,
) -> anyhow::Result<Vec<DbPair>> {
    if let Some(from) = from_db {
        let to = to_db.unwrap_or(if cluster_dbs > 1 { from } else { 0 });
        if to >= cluster_dbs {
            let flag = if to_db.is_some() {
                format!("--to-db {to}")
            } else {
                format!("--from-db {from}")
            };
            bail!(UsageError::new(format!(
                "{flag}: the cluster has no database {to} ({}); pick one it has with --to-db M. \
                 Nothing was moved",
                cluster_db_words(cluster_dbs)
            )));
        }
        return Ok(vec![DbPair { from, to }]);
    }
    same_db_pairs(&info.keys_per_db(), cluster_dbs).map_err(|missing| {
        let named: Vec<String> = missing
            .iter()
            .map(|(db, keys)| format!("db{db} ({keys} keys)"))
            .collect();
        if cluster_dbs == 1 {
            anyhow::anyhow!(
                "{source} holds keys outside database 0: {}. This cluster has only database 0 \
                 ({}): pick the database to import with --from-db N (once per database; keys \
                 with the same name in two databases collide). Nothing was moved",
                named.join(", "),
                cluster_db_words(cluster_dbs)
            )
        } else {
            UsageError::new(format!(
                "{source} holds keys in databases the cluster does not have: {} ({}): import \
                 each with --from-db N --to-db M. Nothing was moved",
                named.join(", "),
                cluster_db_words(cluster_dbs)
            ))
            .into()
        }
    })
}

/// How many databases a cluster has, in words.
pub fn cluster_db_words(cluster_dbs: u32) -> String {
    if cluster_dbs > 1 {
        format!(
            "cluster-databases {cluster_dbs}: databases 0 to {}",
            cluster_dbs - 1
        )
    } else {
        "numbered databases in cluster mode need Valkey >= 9.0 with cluster-databases above 1"
            .to_string()
    }
}

/// `DB 3`, `DB 3 (into DB 0)`, or `DBs 0, 1, 5 (db0 10, db1 4, db5 2; each into the DB of the
/// same number)`.
fn describe_dbs(dbs: &[DbPair], info: &ServerInfo, cluster_dbs: u32) -> String {
    match dbs {
        [one] if one.from == one.to || cluster_dbs == 1 => format!("DB {}", one.from),
        [one] => format!("DB {} (into DB {})", one.from, one.to),
        _ => {
            let per_db: Vec<(u32, u64)> = info
                .keys_per_db()
                .into_iter()
                .filter(|(db, _)| dbs.iter().any(|p| p.from == *db))
                .collect();
            let numbers: Vec<String> = dbs.iter().map(|p| p.from.to_string()).collect();
            format!(
                "DBs {} ({}; each into the DB of the same number)",
                numbers.join(", "),
                per_db_text(&per_db)
            )
        }
    }
}

/// Prints an import's outcome: collisions, conflicts, failures, and the totals; `rerun` is
/// the command that picks up what is left (`import` or `restore`).
pub fn print_report(out: &Output, report: &ImportReport, per_second: f64, rerun: &str) {
    if report.identical > 0 {
        out.line(
            Style::Plain,
            format!(
                "{} key(s) met a key of the same name in the cluster, with an identical value.",
                report.identical
            ),
        );
    }
    if report.conflicts > 0 {
        out.line(
            Style::Err,
            format!(
                "[ERR] {} key(s) exist in the cluster with a different value and were left on \
                 the source: {}{}. Rerun with --replace to overwrite the cluster's values",
                report.conflicts,
                report.conflict_keys.join(", "),
                if report.conflicts > report.conflict_keys.len() as u64 {
                    " ..."
                } else {
                    ""
                }
            ),
        );
    }
    for error in &report.errors {
        out.line(Style::Err, format!("[ERR] {error}"));
    }
    if report.failed > 0 {
        out.line(
            Style::Err,
            format!(
                "[ERR] {} key(s) could not be sent and are still on the source; rerun {rerun} \
                 to retry them",
                report.failed
            ),
        );
    }
    if report.interrupted {
        out.line(
            Style::Warn,
            format!(
                "*** Interrupted: the keys not yet sent are still on the source; rerun {rerun} \
                 to continue."
            ),
        );
    }
    let style = if report.complete() {
        Style::Ok
    } else {
        Style::Warn
    };
    out.line(
        style,
        format!(
            "{} Imported {} key(s) in {:.2} s ({:.0} keys/s).",
            if report.complete() { "[OK]" } else { "***" },
            report.imported,
            report.seconds,
            per_second
        ),
    );
}
