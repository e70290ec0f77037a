//! `rcluster restore`: load a backup made by `backup` into a cluster. Every RDB is checked
//! against the manifest first, and a server binary that can read it is chosen (the server
//! that wrote it, at least as new, or `--server`); then each is read by a scratch standalone
//! server on this machine and imported with the import engine (COPY, so the scratch copy is
//! left alone), which lets the target cluster have any shape.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::import::{cluster_db_words, print_report};
use super::migration;
use crate::address::NodeAddr;
use crate::cli::RestoreArgs;
use crate::cluster::parse::capabilities::{Flavor, Version};
use crate::cluster::parse::info::{ServerInfo, per_db_text};
use crate::error::{Outcome, UsageError};
use crate::exec::backup::{RdbHeader, RdbMagic, file_digest};
use crate::exec::import::{
    ImportCounters, ImportJob, ImportReport, import, same_db_pairs, targets,
};
use crate::exec::interrupt;
use crate::exec::scratch_server::ScratchServer;
use crate::net::conn::{Auth, ConnectOptions};
use crate::output::{Output, Style};
use crate::progress::KeyBar;
use crate::server_binary::{self, ReaderNeed, ServerBinary};
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
    /// `redis` or `valkey` (absent in manifests written before it was recorded).
    server: Option<String>,
    /// The version of the server that wrote the file (absent likewise).
    server_version: Option<String>,
    /// Keys per database at backup time (absent likewise).
    keys_per_db: Option<BTreeMap<u32, u64>>,
}

impl BackedUp {
    /// What reading this file takes: the server that wrote it (from the manifest, else what
    /// the RDB magic says) and at least its version.
    fn need(&self, header: RdbHeader) -> ReaderNeed {
        let named = [Flavor::Redis, Flavor::Valkey]
            .into_iter()
            .find(|f| self.server.as_deref() == Some(f.name()));
        let by_magic = (header.magic == RdbMagic::Valkey).then_some(Flavor::Valkey);
        ReaderNeed {
            server: named.or(by_magic),
            min_version: self.server_version.as_deref().map(Version::parse),
        }
    }

    /// `written by valkey 9.1.2, VALKEY080`.
    fn origin(&self, header: RdbHeader) -> String {
        match (&self.server, &self.server_version) {
            (Some(s), Some(v)) => format!("written by {s} {v}, {header}"),
            _ => format!("{header}"),
        }
    }
}

/// One RDB's restore, for JSON.
#[derive(Serialize)]
struct RestoredFile {
    file: String,
    from_master: String,
    read_by: ServerBinary,
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

/// What `restore` was asked to do, once the options are checked.
struct RestoreSettings<'a> {
    /// The cluster's entry node.
    entry: NodeAddr,
    /// The backup directory.
    dir: &'a Path,
    /// `--dry-run`.
    dry_run: bool,
    /// `--replace`.
    replace: bool,
    /// `--pipeline`: keys per MIGRATE.
    pipeline: usize,
}

impl<'a> RestoreSettings<'a> {
    /// Checks the options (usage errors, nothing contacted).
    fn from_args(opts: &ConnectOptions, args: &'a RestoreArgs) -> anyhow::Result<Self> {
        let entry = settings::node_addr(std::slice::from_ref(&args.entry))?;
        if opts.tls.is_some() {
            bail!(UsageError::new(
                "restore cannot load into a TLS cluster yet: the keys travel by MIGRATE from a \
                 scratch redis-server, which would itself need TLS certificates. Load each RDB \
                 into a redis-server configured with tls-cluster yes and run `rcluster import \
                 --tls ...` from it (see the README)"
            ));
        }
        Ok(RestoreSettings {
            entry,
            dir: &args.dir,
            dry_run: args.dry_run,
            replace: args.replace,
            pipeline: args.pipeline,
        })
    }
}

/// The backup, checked: its manifest, and the server binary that reads each file.
struct Backup {
    manifest: Manifest,
    readers: Vec<ServerBinary>,
}

/// The cluster to restore into: its masters, the master serving each slot, its databases.
struct Cluster {
    masters: Vec<NodeAddr>,
    owner: Vec<usize>,
    cluster_dbs: u32,
}

/// Runs `rcluster restore`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &RestoreArgs,
) -> anyhow::Result<Outcome> {
    let settings = RestoreSettings::from_args(opts, args)?;
    let backup = load_backup(&out, args)?;
    let cluster = load_cluster(opts, &out, &settings, &backup.manifest)?;
    let mut doc = RestoreJson {
        dir: settings.dir.display().to_string(),
        dry_run: settings.dry_run,
        files: Vec::new(),
        keys_restored: 0,
        conflicts: 0,
        failed: 0,
        seconds: 0.0,
    };
    if settings.dry_run {
        out.line(
            Style::Info,
            format!(
                ">>> Would restore {} file(s) into the {} master(s) of {}. Dry run: nothing \
                 was changed.",
                backup.manifest.masters.len(),
                cluster.masters.len(),
                settings.entry
            ),
        );
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    let interrupted = restore_files(opts, &out, &settings, backup, &cluster, &mut doc)?;
    let outcome = report(&out, &doc, interrupted);
    out.json(&doc);
    Ok(outcome)
}

/// Reads the manifest, checks every file against it, and chooses the binary that reads each.
fn load_backup(out: &Output, args: &RestoreArgs) -> anyhow::Result<Backup> {
    let manifest = read_manifest(&args.dir)?;
    let given = args
        .server
        .as_deref()
        .map(ServerBinary::given)
        .transpose()?;
    out.line(
        Style::Info,
        format!(
            ">>> Checking {} RDB file(s) of {} against manifest.json",
            manifest.masters.len(),
            args.dir.display()
        ),
    );
    let headers = manifest
        .masters
        .iter()
        .map(|rdb| verify(&args.dir, rdb))
        .collect::<anyhow::Result<Vec<RdbHeader>>>()?;
    out.line(
        Style::Ok,
        "[OK] Every file has the size and SHA-256 of the manifest.",
    );
    let readers = choose_readers(out, &manifest.masters, &headers, given)?;
    Ok(Backup { manifest, readers })
}

/// Loads the cluster, which must be healthy and have every database the files hold keys in
/// before the first key moves (files of older manifests, which do not say, are checked when
/// their scratch server is up).
fn load_cluster(
    opts: &ConnectOptions,
    out: &Output,
    settings: &RestoreSettings,
    manifest: &Manifest,
) -> anyhow::Result<Cluster> {
    let snapshot = migration::healthy_cluster(opts, &settings.entry, out, "restoring")?;
    let (masters, owner) = targets(&snapshot)?;
    let cluster_dbs = snapshot.cluster_databases();
    for rdb in &manifest.masters {
        let per_db: Vec<(u32, u64)> = rdb
            .keys_per_db
            .iter()
            .flatten()
            .map(|(&d, &k)| (d, k))
            .collect();
        if let Err(missing) = same_db_pairs(&per_db, cluster_dbs) {
            bail!(missing_databases(
                &rdb.file,
                &missing,
                cluster_dbs,
                "Nothing was restored"
            ));
        }
    }
    Ok(Cluster {
        masters,
        owner,
        cluster_dbs,
    })
}

/// Restores the files one after the other, adding each to `doc`, until all are done or
/// Ctrl-C stops it; true when some file was not restored (or not completely) because of it.
fn restore_files(
    opts: &ConnectOptions,
    out: &Output,
    settings: &RestoreSettings,
    backup: Backup,
    cluster: &Cluster,
    doc: &mut RestoreJson,
) -> anyhow::Result<bool> {
    interrupt::install();
    let started = Instant::now();
    let scratch_opts = ConnectOptions {
        auth: Auth::default(),
        tls: None,
        ..opts.clone()
    };
    for (rdb, reader) in backup.manifest.masters.iter().zip(backup.readers) {
        if interrupt::requested() {
            break;
        }
        let restored = restore_file(opts, &scratch_opts, out, settings, cluster, rdb, reader)?;
        doc.keys_restored += restored.report.imported;
        doc.conflicts += restored.report.conflicts;
        doc.failed += restored.report.failed;
        let interrupted = restored.report.interrupted;
        doc.files.push(restored);
        if interrupted {
            break;
        }
    }
    doc.seconds = started.elapsed().as_secs_f64();
    Ok(interrupt::requested()
        || doc.files.len() < backup.manifest.masters.len()
        || doc.files.iter().any(|f| f.report.interrupted))
}

/// Reads one RDB with a scratch server and imports its keys (COPY: the scratch server keeps
/// them), printing the import's report.
fn restore_file(
    opts: &ConnectOptions,
    scratch_opts: &ConnectOptions,
    out: &Output,
    settings: &RestoreSettings,
    cluster: &Cluster,
    rdb: &BackedUp,
    reader: ServerBinary,
) -> anyhow::Result<RestoredFile> {
    let server = ScratchServer::start(&reader, &settings.dir.join(&rdb.file))?;
    out.line(
        Style::Info,
        format!(
            ">>> Restoring {} (master {} at backup time), read by a scratch {} {} on {}",
            rdb.file,
            rdb.addr,
            reader.program(),
            reader.version,
            server.addr
        ),
    );
    let info: String = scratch_opts
        .connect(&server.addr)?
        .query(redis::cmd("INFO").arg("keyspace"))?;
    let per_db = ServerInfo::parse(&info, "", 0).keys_per_db();
    let keys_in_file: u64 = per_db.iter().map(|(_, keys)| keys).sum();
    let dbs = same_db_pairs(&per_db, cluster.cluster_dbs).map_err(|missing| {
        missing_databases(
            &rdb.file,
            &missing,
            cluster.cluster_dbs,
            "Nothing of this file was restored",
        )
    })?;
    let job = ImportJob {
        source_opts: scratch_opts,
        source: &server.addr,
        dbs: &dbs,
        masters: &cluster.masters,
        cluster_opts: opts,
        owner: &cluster.owner,
        copy: true,
        replace: settings.replace,
        batch_keys: settings.pipeline,
        workers: 8,
        timeout: MIGRATE_TIMEOUT,
    };
    let counters = ImportCounters::default();
    let bar = KeyBar::start(out, keys_in_file, &rdb.id[..8]);
    let report = import(&job, &counters, || {
        bar.set(counters.done.load(Ordering::Relaxed));
    });
    bar.finish();
    drop(server);
    let report = report?;
    print_report(
        out,
        &report,
        report.imported as f64 / report.seconds.max(1e-6),
        "restore",
    );
    Ok(RestoredFile {
        file: rdb.file.clone(),
        from_master: rdb.id.clone(),
        read_by: reader,
        keys_in_file,
        report,
    })
}

/// The closing line, and the outcome it stands for.
fn report(out: &Output, doc: &RestoreJson, interrupted: bool) -> Outcome {
    if interrupted {
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
    }
}

/// The refusal of a file whose keys are in databases the cluster does not have.
fn missing_databases(
    file: &str,
    missing: &[(u32, u64)],
    cluster_dbs: u32,
    outcome: &str,
) -> UsageError {
    UsageError::new(format!(
        "{file} holds keys in databases the cluster does not have ({}; {}): restore into a \
         cluster with as many databases. {outcome}",
        per_db_text(missing),
        cluster_db_words(cluster_dbs)
    ))
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

/// The server binary that reads each file: `--server` when given (with a warning for a file
/// it may not read), else the first on PATH that meets the file's need. A file no binary on
/// PATH can read is a usage error: nothing has changed yet.
fn choose_readers(
    out: &Output,
    files: &[BackedUp],
    headers: &[RdbHeader],
    given: Option<ServerBinary>,
) -> anyhow::Result<Vec<ServerBinary>> {
    if let Some(given) = given {
        for (rdb, &header) in files.iter().zip(headers) {
            let need = rdb.need(header);
            if !need.met_by(&given) {
                out.line(
                    Style::Warn,
                    format!(
                        "[WARNING] {} ({}) takes {}; --server is {given}: it may not read it",
                        rdb.file,
                        rdb.origin(header),
                        need.describe()
                    ),
                );
            }
        }
        return Ok(vec![given; files.len()]);
    }
    let found = server_binary::on_path();
    files
        .iter()
        .zip(headers)
        .map(|(rdb, &header)| {
            let need = rdb.need(header);
            server_binary::choose(&found, &need)
                .cloned()
                .ok_or_else(|| {
                    let seen: Vec<String> = found.iter().map(ToString::to_string).collect();
                    UsageError::new(format!(
                    "{} ({}) must be read by {}, and there is none on PATH (found: {}). Install \
                     one, or pass --server PATH to use a binary of your choice. Nothing was \
                     restored",
                    rdb.file,
                    rdb.origin(header),
                    need.describe(),
                    if seen.is_empty() {
                        "none".to_string()
                    } else {
                        seen.join(", ")
                    }
                ))
                .into()
                })
        })
        .collect()
}

/// Refuses a file that is missing, truncated, altered or not an RDB; returns its header.
fn verify(dir: &Path, rdb: &BackedUp) -> anyhow::Result<RdbHeader> {
    if rdb.file.contains('/') || rdb.file.contains("..") {
        bail!(
            "manifest.json names the file {:?}: not a plain file name",
            rdb.file
        );
    }
    let path = dir.join(&rdb.file);
    let (bytes, sha256, header) = file_digest(&path)?;
    if bytes != rdb.bytes || sha256 != rdb.sha256 {
        bail!(
            "{}: {bytes} bytes with SHA-256 {sha256}, but the manifest says {} bytes with {}: \
             the file is damaged or not from this backup. Nothing was restored",
            path.display(),
            rdb.bytes,
            rdb.sha256
        );
    }
    header.with_context(|| {
        format!(
            "{}: not an RDB file (it does not start with REDIS or VALKEY and a version)",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backed_up(server: Option<&str>, version: Option<&str>) -> BackedUp {
        BackedUp {
            id: "a".repeat(40),
            addr: "127.0.0.1:7000".to_string(),
            file: format!("{}.rdb", "a".repeat(40)),
            bytes: 1,
            sha256: String::new(),
            server: server.map(str::to_string),
            server_version: version.map(str::to_string),
            keys_per_db: None,
        }
    }

    #[test]
    fn the_manifest_names_the_reader_and_old_manifests_fall_back_on_the_magic() {
        let valkey = RdbHeader::parse(b"VALKEY080").unwrap();
        let redis = RdbHeader::parse(b"REDIS0011").unwrap();
        let new = backed_up(Some("valkey"), Some("9.1.2"));
        assert_eq!(
            new.need(valkey),
            ReaderNeed {
                server: Some(Flavor::Valkey),
                min_version: Some(Version(9, 1, 2)),
            }
        );
        assert_eq!(new.origin(valkey), "written by valkey 9.1.2, VALKEY080");
        // Valkey 8 writes REDIS files: the manifest, not the magic, says which server.
        let valkey8 = backed_up(Some("valkey"), Some("8.1.8"));
        assert_eq!(valkey8.need(redis).server, Some(Flavor::Valkey));
        // A manifest of an older rcluster: only the magic tells.
        let old = backed_up(None, None);
        assert_eq!(old.need(valkey).server, Some(Flavor::Valkey));
        assert_eq!(
            old.need(redis),
            ReaderNeed {
                server: None,
                min_version: None
            }
        );
        assert_eq!(old.origin(redis), "REDIS0011");
    }
}
