//! `rcluster restore`: load a backup made by `backup` into a cluster. Every RDB is checked
//! against the manifest first; then each is read by a scratch standalone redis-server on this
//! machine and imported with the import engine (COPY, so the scratch copy is left alone), which
//! lets the target cluster have any shape.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::import::{cluster_db_words, print_report};
use super::migration;
use crate::cli::RestoreArgs;
use crate::cluster::info::{ServerInfo, per_db_text};
use crate::error::{Outcome, UsageError};
use crate::exec::backup::file_digest;
use crate::exec::import::{
    ImportCounters, ImportJob, ImportReport, import, same_db_pairs, targets,
};
use crate::exec::interrupt;
use crate::exec::scratch_server::ScratchServer;
use crate::local::find_redis_server;
use crate::net::conn::{Auth, ConnectOptions};
use crate::output::{Output, Style};
use crate::progress::KeyBar;
use crate::settings;

/// MIGRATE timeout for restored keys.
const MIGRATE_TIMEOUT: Duration = Duration::from_secs(60);

/// What restore reads of `manifest.json`.
#[derive(Deserialize)]
struct Manifest {
    format: u32,
    masters: Vec<BackedUp>,
}

/// One RDB of the backup.
#[derive(Deserialize)]
struct BackedUp {
    id: String,
    addr: String,
    file: String,
    bytes: u64,
    sha256: String,
}

/// One RDB's restore, for JSON.
#[derive(Serialize)]
struct RestoredFile {
    file: String,
    from_master: String,
    keys_in_file: u64,
    report: ImportReport,
}

/// The JSON document of `restore`.
#[derive(Serialize)]
struct RestoreJson {
    dir: String,
    dry_run: bool,
    files: Vec<RestoredFile>,
    keys_restored: u64,
    conflicts: u64,
    failed: u64,
    seconds: f64,
}

/// Runs `rcluster restore`.
pub fn run(opts: &ConnectOptions, out: Output, args: &RestoreArgs) -> anyhow::Result<Outcome> {
    let entry = settings::node_addr(std::slice::from_ref(&args.entry))?;
    if args.pipeline == 0 {
        bail!(UsageError::new(
            "--pipeline must be at least 1 key per MIGRATE"
        ));
    }
    if opts.tls.is_some() {
        bail!(UsageError::new(
            "restore cannot load into a TLS cluster yet: the keys travel by MIGRATE from a \
             scratch redis-server, which would itself need TLS certificates. Load each RDB into \
             a redis-server configured with tls-cluster yes and run `rcluster import --tls ...` \
             from it (see the README)"
        ));
    }
    let manifest = read_manifest(&args.dir)?;
    let redis_server = find_redis_server(args.redis_server.as_deref())?;
    out.line(
        Style::Info,
        format!(
            ">>> Checking {} RDB file(s) of {} against manifest.json",
            manifest.masters.len(),
            args.dir.display()
        ),
    );
    for rdb in &manifest.masters {
        verify(&args.dir, rdb)?;
    }
    out.line(
        Style::Ok,
        "[OK] Every file has the size and SHA-256 of the manifest.",
    );
    let snapshot = migration::healthy_cluster(opts, &entry, &out, "restoring")?;
    let (masters, owner) = targets(&snapshot)?;
    let cluster_dbs = snapshot.cluster_databases();
    let mut doc = RestoreJson {
        dir: args.dir.display().to_string(),
        dry_run: args.dry_run,
        files: Vec::new(),
        keys_restored: 0,
        conflicts: 0,
        failed: 0,
        seconds: 0.0,
    };
    if args.dry_run {
        out.line(
            Style::Info,
            format!(
                ">>> Would restore {} file(s) into the {} master(s) of {entry}. Dry run: nothing \
                 was changed.",
                manifest.masters.len(),
                masters.len()
            ),
        );
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    interrupt::install();
    let started = Instant::now();
    let scratch_opts = ConnectOptions {
        auth: Auth::default(),
        tls: None,
        ..opts.clone()
    };
    for rdb in &manifest.masters {
        if interrupt::requested() {
            break;
        }
        let server = ScratchServer::start(&redis_server, &args.dir.join(&rdb.file))?;
        out.line(
            Style::Info,
            format!(
                ">>> Restoring {} (master {} at backup time), read by a scratch redis-server \
                 on {}",
                rdb.file, rdb.addr, server.addr
            ),
        );
        let info: String = scratch_opts
            .connect(&server.addr)?
            .query(redis::cmd("INFO").arg("keyspace"))?;
        let per_db = ServerInfo::parse(&info, "", 0).keys_per_db();
        let keys_in_file: u64 = per_db.iter().map(|(_, keys)| keys).sum();
        let dbs = same_db_pairs(&per_db, cluster_dbs).map_err(|missing| {
            UsageError::new(format!(
                "{} holds keys in databases the cluster does not have ({}; {}): restore into a \
                 cluster with as many databases. Nothing of this file was restored",
                rdb.file,
                per_db_text(&missing),
                cluster_db_words(cluster_dbs)
            ))
        })?;
        let job = ImportJob {
            source_opts: &scratch_opts,
            source: &server.addr,
            dbs: &dbs,
            masters: &masters,
            cluster_opts: opts,
            owner: &owner,
            copy: true,
            replace: args.replace,
            batch_keys: args.pipeline,
            workers: 8,
            timeout: MIGRATE_TIMEOUT,
        };
        let counters = ImportCounters::default();
        let bar = KeyBar::start(&out, keys_in_file, &rdb.id[..8]);
        let report = import(&job, &counters, || {
            bar.set(counters.done.load(Ordering::Relaxed));
        });
        bar.finish();
        drop(server);
        let report = report?;
        print_report(
            &out,
            &report,
            report.imported as f64 / report.seconds.max(1e-6),
            "restore",
        );
        doc.keys_restored += report.imported;
        doc.conflicts += report.conflicts;
        doc.failed += report.failed;
        let interrupted = report.interrupted;
        doc.files.push(RestoredFile {
            file: rdb.file.clone(),
            from_master: rdb.id.clone(),
            keys_in_file,
            report,
        });
        if interrupted {
            break;
        }
    }
    doc.seconds = started.elapsed().as_secs_f64();
    let interrupted = interrupt::requested()
        || doc.files.len() < manifest.masters.len()
        || doc.files.iter().any(|f| f.report.interrupted);
    let outcome = if interrupted {
        out.line(
            Style::Warn,
            "*** Interrupted: some files were not restored; run restore again to finish.",
        );
        Outcome::Interrupted
    } else if doc.conflicts > 0 || doc.failed > 0 {
        out.line(
            Style::Err,
            format!(
                "[ERR] Restore incomplete: {} conflicting and {} failed key(s).",
                doc.conflicts, doc.failed
            ),
        );
        Outcome::Problems
    } else {
        out.line(
            Style::Ok,
            format!(
                "[OK] Restored {} key(s) from {} file(s) in {:.2} s.",
                doc.keys_restored,
                doc.files.len(),
                doc.seconds
            ),
        );
        Outcome::Success
    };
    out.json(&doc);
    Ok(outcome)
}

fn read_manifest(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {}: is {} a directory written by `rcluster backup`?",
            path.display(),
            dir.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a manifest written by rcluster", path.display()))?;
    if manifest.format != 1 {
        bail!(
            "{}: manifest format {} is not known to this rcluster (it reads format 1)",
            path.display(),
            manifest.format
        );
    }
    if manifest.masters.is_empty() {
        bail!("{}: the backup holds no RDB file", path.display());
    }
    Ok(manifest)
}

/// Refuses a file that is missing, truncated, altered or not an RDB.
fn verify(dir: &Path, rdb: &BackedUp) -> anyhow::Result<()> {
    if rdb.file.contains('/') || rdb.file.contains("..") {
        bail!(
            "manifest.json names the file {:?}: not a plain file name",
            rdb.file
        );
    }
    let path = dir.join(&rdb.file);
    let (bytes, sha256, magic) = file_digest(&path)?;
    if bytes != rdb.bytes || sha256 != rdb.sha256 {
        bail!(
            "{}: {bytes} bytes with SHA-256 {sha256}, but the manifest says {} bytes with {}: \
             the file is damaged or not from this backup. Nothing was restored",
            path.display(),
            rdb.bytes,
            rdb.sha256
        );
    }
    if !magic {
        bail!("{}: not an RDB file (no REDIS magic)", path.display());
    }
    Ok(())
}
