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
use crate::cluster::snapshot::Snapshot;
use crate::error::{Outcome, UsageError};
use crate::exec::import::{
    DbPair, ImportCounters, ImportJob, ImportReport, import, same_db_pairs, targets,
};
use crate::exec::interrupt;
use crate::net::conn::{Auth, ConnectOptions, NodeConn, NodeError};
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

/// What `import` was asked to do, once the options are checked.
struct ImportSettings {
    /// Any node of the cluster.
    entry: NodeAddr,
    /// The standalone source (`--from`).
    source: NodeAddr,
    /// How to connect to the source: its own credentials, the global options otherwise.
    source_opts: ConnectOptions,
    /// `--from-db`.
    from_db: Option<u32>,
    /// `--to-db`.
    to_db: Option<u32>,
    /// `--copy`.
    copy: bool,
    /// `--replace`.
    replace: bool,
    /// `--dry-run`.
    dry_run: bool,
    /// `--pipeline`: keys per MIGRATE.
    pipeline: usize,
    /// `--parallel`: target masters fed at once.
    parallel: usize,
    /// `--timeout`: the MIGRATE timeout.
    timeout: Duration,
}

impl ImportSettings {
    /// Checks the options (usage errors, nothing contacted) and asks for the source's
    /// password with `--from-askpass`.
    fn from_args(opts: &ConnectOptions, args: &ImportArgs) -> anyhow::Result<Self> {
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
        Ok(ImportSettings {
            entry,
            source,
            source_opts,
            from_db: args.from_db,
            to_db: args.to_db,
            copy: args.copy,
            replace: args.replace,
            dry_run: args.dry_run,
            pipeline: args.pipeline,
            parallel: args.parallel,
            timeout: Duration::from_millis(args.migrate_timeout_ms),
        })
    }
}

/// What the import moves: the source databases (each with its cluster database), their
/// keys, and the cluster's masters with the master serving each slot.
struct ImportPlan {
    dbs: Vec<DbPair>,
    keys_on_source: u64,
    cluster_dbs: u32,
    masters: Vec<NodeAddr>,
    owner: Vec<usize>,
}

/// Runs `rcluster import`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &ImportArgs,
) -> anyhow::Result<Outcome> {
    let settings = ImportSettings::from_args(opts, args)?;
    out.line(
        Style::Info,
        format!(
            ">>> Importing data from {} to cluster {}",
            settings.source, settings.entry
        ),
    );
    let snapshot = migration::healthy_cluster(opts, &settings.entry, &out, "importing")?;
    let (mut conn, info) = load_source(&settings, &snapshot)?;
    let plan = plan_import(&settings, &snapshot, &info)?;
    let mut doc = ImportJson::new(&settings, &plan, &info);
    announce(&out, &settings, &plan, &info);
    if settings.dry_run {
        out.line(Style::Info, ">>> Dry run: nothing was moved.");
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    if plan.keys_on_source == 0 {
        out.line(Style::Ok, "[OK] The source has no keys: nothing to import.");
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    let report = apply(opts, &out, &settings, &plan)?;
    let per_second = report.imported as f64 / report.seconds.max(1e-6);
    print_report(&out, &report, per_second, "import");
    doc.keys_per_second = Some(per_second);
    left_on_source(&out, &settings, &mut conn, &mut doc);
    let outcome = Outcome::of(report.interrupted, report.complete());
    doc.report = Some(report);
    out.json(&doc);
    Ok(outcome)
}

/// Connects to the source, which must not be a node of this cluster nor of any, and reads
/// its INFO.
fn load_source(
    settings: &ImportSettings,
    snapshot: &Snapshot,
) -> anyhow::Result<(NodeConn, ServerInfo)> {
    let source = &settings.source;
    if snapshot.nodes.iter().any(|n| n.addr() == Some(source)) {
        bail!("the source {source} is a node of this cluster: give a standalone Redis as --from");
    }
    let mut conn = settings
        .source_opts
        .connect(source)
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
    Ok((conn, info))
}

/// Which databases go where, how many keys that is, and the masters that take them.
fn plan_import(
    settings: &ImportSettings,
    snapshot: &Snapshot,
    info: &ServerInfo,
) -> anyhow::Result<ImportPlan> {
    let cluster_dbs = snapshot.cluster_databases();
    let dbs = choose_dbs(
        info,
        settings.from_db,
        settings.to_db,
        cluster_dbs,
        &settings.source,
    )?;
    let keys_on_source: u64 = dbs.iter().map(|p| keys_in(info, p.from)).sum();
    let (masters, owner) = targets(snapshot)?;
    Ok(ImportPlan {
        dbs,
        keys_on_source,
        cluster_dbs,
        masters,
        owner,
    })
}

/// The keys INFO keyspace counts in database `db`.
fn keys_in(info: &ServerInfo, db: u32) -> u64 {
    info.keyspace
        .iter()
        .find(|(d, _)| *d == db)
        .map_or(0, |(_, k)| *k)
}

impl ImportJson {
    /// The document before anything moves.
    fn new(settings: &ImportSettings, plan: &ImportPlan, info: &ServerInfo) -> Self {
        ImportJson {
            source: settings.source.to_string(),
            db: plan.dbs[0].from,
            databases: plan
                .dbs
                .iter()
                .map(|p| DbJson {
                    db: p.from,
                    to_db: p.to,
                    keys_on_source: keys_in(info, p.from),
                    left_on_source: None,
                })
                .collect(),
            keys_on_source: plan.keys_on_source,
            copy: settings.copy,
            replace: settings.replace,
            dry_run: settings.dry_run,
            masters: plan.masters.iter().map(ToString::to_string).collect(),
            report: None,
            keys_per_second: None,
            left_on_source: None,
        }
    }
}

/// `*** Importing N keys from DB ... into M masters (copy|move: ...)`.
fn announce(out: &Output, settings: &ImportSettings, plan: &ImportPlan, info: &ServerInfo) {
    out.line(
        Style::Warn,
        format!(
            "*** Importing {} keys from {} into {} masters ({})",
            plan.keys_on_source,
            describe_dbs(&plan.dbs, info, plan.cluster_dbs),
            plan.masters.len(),
            if settings.copy {
                "copy: the source keeps its keys"
            } else {
                "move: keys are removed from the source as they arrive"
            }
        ),
    );
}

/// Runs the import engine with a progress bar (Ctrl-C stops it cleanly).
fn apply(
    opts: &ConnectOptions,
    out: &Output,
    settings: &ImportSettings,
    plan: &ImportPlan,
) -> Result<ImportReport, NodeError> {
    interrupt::install();
    let job = ImportJob {
        source_opts: &settings.source_opts,
        source: &settings.source,
        dbs: &plan.dbs,
        masters: &plan.masters,
        cluster_opts: opts,
        owner: &plan.owner,
        copy: settings.copy,
        replace: settings.replace,
        batch_keys: settings.pipeline,
        workers: settings.parallel,
        timeout: settings.timeout,
    };
    let counters = ImportCounters::default();
    let bar = KeyBar::start(out, plan.keys_on_source, "importing");
    let report = import(&job, &counters, || {
        bar.set(counters.done.load(Ordering::Relaxed));
    });
    bar.finish();
    report
}

/// Counts what is left in each source database (when the source answers), and says so.
fn left_on_source(
    out: &Output,
    settings: &ImportSettings,
    conn: &mut NodeConn,
    doc: &mut ImportJson,
) {
    for db in &mut doc.databases {
        db.left_on_source = conn
            .query::<()>(&select(db.db))
            .and_then(|()| conn.query::<u64>(&redis::cmd("DBSIZE")))
            .ok();
    }
    doc.left_on_source = doc.databases.iter().map(|d| d.left_on_source).sum();
    if let Some(left) = doc.left_on_source {
        let numbers: Vec<String> = doc.databases.iter().map(|d| d.db.to_string()).collect();
        out.line(
            Style::Plain,
            format!(
                "The source {} holds {left} key(s) in DB {} now.",
                settings.source,
                numbers.join(", ")
            ),
        );
    }
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
pub(crate) fn cluster_db_words(cluster_dbs: u32) -> String {
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
pub(crate) fn print_report(out: &Output, report: &ImportReport, per_second: f64, rerun: &str) {
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
