//! `rcluster import`: move (or copy) every key of a standalone Redis into the cluster, in
//! batches of MIGRATE, one stream per group of target masters, with progress and keys/s.

use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;

use super::migration;
use crate::address::NodeAddr;
use crate::cli::ImportArgs;
use crate::cluster::info::ServerInfo;
use crate::error::{Outcome, UsageError};
use crate::exec::import::{ImportCounters, ImportJob, ImportReport, import, targets};
use crate::exec::interrupt;
use crate::net::conn::{Auth, ConnectOptions};
use crate::output::{Output, Style};
use crate::progress::KeyBar;
use crate::settings;

/// The JSON document of `import`.
#[derive(Serialize)]
struct ImportJson {
    source: String,
    db: u32,
    keys_on_source: u64,
    copy: bool,
    replace: bool,
    dry_run: bool,
    masters: Vec<String>,
    report: Option<ImportReport>,
    keys_per_second: Option<f64>,
    /// Keys in the source database after the import.
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
    if args.pipeline == 0 {
        bail!(UsageError::new(
            "--pipeline must be at least 1 key per MIGRATE"
        ));
    }
    if args.parallel == 0 || args.parallel > 256 {
        bail!(UsageError::new("--parallel must be between 1 and 256"));
    }
    if args.migrate_timeout_ms == 0 {
        bail!(UsageError::new("--timeout must be at least 1 millisecond"));
    }
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
    let db = choose_db(&info, args.from_db, &source)?;
    let keys_on_source = info
        .keyspace
        .iter()
        .find(|(d, _)| *d == db)
        .map_or(0, |(_, k)| *k);
    let (master_addrs, owner) = targets(&snapshot)?;
    let mut doc = ImportJson {
        source: source.to_string(),
        db,
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
            "*** Importing {keys_on_source} keys from DB {db} into {} masters ({})",
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
        db,
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
    let mut select = redis::cmd("SELECT");
    select.arg(db);
    doc.left_on_source = conn
        .query::<()>(&select)
        .and_then(|()| conn.query::<u64>(&redis::cmd("DBSIZE")))
        .ok();
    if let Some(left) = doc.left_on_source {
        out.line(
            Style::Plain,
            format!("The source {source} holds {left} key(s) in DB {db} now."),
        );
    }
    let outcome = Outcome::of(report.interrupted, report.complete());
    doc.report = Some(report);
    out.json(&doc);
    Ok(outcome)
}

/// The database to import: `--from-db`, or 0 when no other database holds keys.
fn choose_db(info: &ServerInfo, from_db: Option<u32>, source: &NodeAddr) -> anyhow::Result<u32> {
    if let Some(db) = from_db {
        return Ok(db);
    }
    let others: Vec<String> = info
        .keyspace
        .iter()
        .filter(|(db, keys)| *db != 0 && *keys > 0)
        .map(|(db, keys)| format!("db{db} ({keys} keys)"))
        .collect();
    if !others.is_empty() {
        bail!(
            "{source} holds keys outside database 0: {}. A cluster has only database 0: pick \
             the database to import with --from-db N (once per database; keys with the same \
             name in two databases collide). Nothing was moved",
            others.join(", ")
        );
    }
    Ok(0)
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
