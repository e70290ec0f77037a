//! `rcluster backup`: one RDB per master, taken in parallel with SYNC, written atomically as
//! `DIR/<node-id>.rdb`, plus `DIR/nodes.json` (the topology) and `DIR/manifest.json` (sizes,
//! SHA-256 checksums, slots, and the server that wrote each file). A cluster with problems is
//! still backed up, with a warning. A directory that already holds a backup is refused, before
//! anything is contacted or written, unless `--overwrite`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use serde::Serialize;

use crate::address::NodeAddr;
use crate::cli::BackupArgs;
use crate::cluster::parse::capabilities::{Flavor, Version};
use crate::cluster::slots::SlotSet;
use crate::cluster::snapshot::{NodeJson, NodeState, Snapshot};
use crate::cluster::verdict::check::check;
use crate::error::Outcome;
use crate::exec::backup::fetch_rdb;
use crate::net::conn::ConnectOptions;
use crate::net::fanout::fan_out;
use crate::output::{Output, Style};
use crate::progress::TransferBars;
use crate::settings;

/// Version of the manifest's layout. Fields added since (`server`, `server_version`,
/// `rdb_format`, `keys_per_db`) are optional for readers, so format 1 still covers them.
const MANIFEST_FORMAT: u32 = 1;

/// One master's RDB in the manifest.
#[derive(Serialize)]
struct SavedMaster {
    id: String,
    addr: String,
    file: String,
    bytes: u64,
    sha256: String,
    slots: SlotSet,
    slot_count: usize,
    keys: Option<u64>,
    /// Keys per database at backup time (restore checks the target has those databases
    /// before it changes anything).
    keys_per_db: Option<BTreeMap<u32, u64>>,
    /// The server that wrote the file: `redis` or `valkey`.
    server: Option<Flavor>,
    /// Its own version (Valkey's, not its `redis_version`).
    server_version: Option<Version>,
    /// The file's RDB header, e.g. `REDIS0011` or `VALKEY080`.
    rdb_format: String,
    seconds: f64,
}

/// A master that could not be saved.
#[derive(Serialize)]
struct FailedMaster {
    id: String,
    addr: String,
    error: String,
}

/// `DIR/manifest.json`, also the `--json` document.
#[derive(Serialize)]
struct Manifest {
    format: u32,
    created_unix: u64,
    rcluster_version: &'static str,
    entry: String,
    dir: String,
    healthy: bool,
    check_errors: Vec<String>,
    masters: Vec<SavedMaster>,
    failed: Vec<FailedMaster>,
    seconds: f64,
}

/// What `backup` was asked to do, once the options are checked.
struct BackupSettings<'a> {
    /// Any node of the cluster.
    entry: NodeAddr,
    /// The backup directory.
    dir: &'a Path,
    /// `--parallel`: masters saved at once.
    parallel: usize,
    /// The files of a backup already in the directory, which this one replaces
    /// (`--overwrite`).
    replaced: Vec<String>,
}

impl<'a> BackupSettings<'a> {
    /// Checks the options and refuses a directory that holds a backup without
    /// `--overwrite`, before anything is contacted or written.
    fn from_args(args: &'a BackupArgs) -> anyhow::Result<Self> {
        let entry = settings::node_addr(std::slice::from_ref(&args.entry))?;
        let replaced = backup_files(&args.dir)?;
        if !replaced.is_empty() && !args.overwrite {
            bail!(
                "{} already holds a backup ({}); nothing was written. Hint: pass --overwrite to \
                 replace it, or give another directory",
                args.dir.display(),
                files_text(&replaced)
            );
        }
        Ok(BackupSettings {
            entry,
            dir: &args.dir,
            parallel: args.parallel,
            replaced,
        })
    }
}

/// Runs `rcluster backup`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &BackupArgs,
) -> anyhow::Result<Outcome> {
    let settings = BackupSettings::from_args(args)?;
    let started = Instant::now();
    let snapshot = Snapshot::load(opts, &settings.entry)?;
    let check_errors = warn_about_problems(&out, &snapshot);
    let dir = settings.dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the backup directory {}", dir.display()))?;
    let masters: Vec<&NodeState> = snapshot
        .masters()
        .filter(|m| !m.current().slots.is_empty())
        .collect();
    let results = save_masters(opts, &out, &settings, &masters);
    let mut manifest = Manifest::new(&settings, check_errors);
    record(&out, &masters, results, &mut manifest);
    let nodes: Vec<NodeJson> = snapshot.nodes.iter().map(NodeJson::from_state).collect();
    let nodes_path = dir.join("nodes.json");
    write_json(&nodes_path, &nodes)?;
    out.line(
        Style::Plain,
        format!("Saving cluster configuration to: {}", nodes_path.display()),
    );
    manifest.seconds = started.elapsed().as_secs_f64();
    write_json(&dir.join("manifest.json"), &manifest)?;
    remove_stale_rdbs(out, dir, &settings.replaced, &manifest)?;
    let outcome = report(&out, dir, &manifest);
    out.json(&manifest);
    Ok(outcome)
}

/// The check's problems, as warnings: a cluster with problems is still backed up.
fn warn_about_problems(out: &Output, snapshot: &Snapshot) -> Vec<String> {
    let check_errors = check(snapshot, None).errors();
    for e in &check_errors {
        out.line(Style::Warn, format!("[WARNING] {e}"));
    }
    if !check_errors.is_empty() {
        out.line(
            Style::Warn,
            "*** Cluster seems to have some problems, please be aware of it if you're going to \
             restore this backup.",
        );
    }
    check_errors
}

impl Manifest {
    /// The manifest before any master is saved.
    fn new(settings: &BackupSettings, check_errors: Vec<String>) -> Self {
        Manifest {
            format: MANIFEST_FORMAT,
            created_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            rcluster_version: env!("CARGO_PKG_VERSION"),
            entry: settings.entry.to_string(),
            dir: settings.dir.display().to_string(),
            healthy: check_errors.is_empty(),
            check_errors,
            masters: Vec::new(),
            failed: Vec::new(),
            seconds: 0.0,
        }
    }
}

/// Saves the masters' RDBs, `--parallel` at once, with a bar each.
fn save_masters(
    opts: &ConnectOptions,
    out: &Output,
    settings: &BackupSettings,
    masters: &[&NodeState],
) -> Vec<anyhow::Result<SavedMaster>> {
    out.line(
        Style::Info,
        format!(
            ">>> Saving the RDB of {} master(s) into {} ...",
            masters.len(),
            settings.dir.display()
        ),
    );
    let bars = TransferBars::new(out);
    let results = fan_out(masters, settings.parallel, |master| {
        save_master(opts, master, settings.dir, &bars)
    });
    bars.clear();
    results
}

/// Says how each master's save went, and records it in the manifest.
fn record(
    out: &Output,
    masters: &[&NodeState],
    results: Vec<anyhow::Result<SavedMaster>>,
    manifest: &mut Manifest,
) {
    for (master, result) in masters.iter().zip(results) {
        match result {
            Ok(saved) => {
                out.line(Style::Plain, saved_line(&saved));
                manifest.masters.push(saved);
            }
            Err(err) => {
                out.line(
                    Style::Err,
                    format!("[ERR] {}: no RDB saved: {err:#}", master.addr_text()),
                );
                manifest.failed.push(FailedMaster {
                    id: master.id().to_string(),
                    addr: master.addr_text(),
                    error: format!("{err:#}"),
                });
            }
        }
    }
}

/// `127.0.0.1:7000: 1234 bytes -> <id>.rdb in 0.12 s (REDIS0011 from redis 7.0.15)`.
fn saved_line(saved: &SavedMaster) -> String {
    format!(
        "{}: {} bytes -> {} in {:.2} s ({}{})",
        saved.addr,
        saved.bytes,
        saved.file,
        saved.seconds,
        saved.rdb_format,
        saved
            .server
            .zip(saved.server_version)
            .map(|(s, v)| format!(" from {} {v}", s.name()))
            .unwrap_or_default()
    )
}

/// The closing line, and the outcome it stands for.
fn report(out: &Output, dir: &Path, manifest: &Manifest) -> Outcome {
    if manifest.failed.is_empty() {
        out.line(
            Style::Ok,
            format!(
                "[OK] Backup created into: {} ({} RDB file(s), {:.2} s)",
                dir.display(),
                manifest.masters.len(),
                manifest.seconds
            ),
        );
        Outcome::Success
    } else {
        out.line(
            Style::Err,
            format!(
                "[ERR] The backup is incomplete: {} master(s) could not be saved (see \
                 manifest.json).",
                manifest.failed.len()
            ),
        );
        Outcome::Problems
    }
}

/// Takes one master's RDB into `DIR/<id>.rdb`.
fn save_master(
    opts: &ConnectOptions,
    master: &NodeState,
    dir: &Path,
    bars: &TransferBars,
) -> anyhow::Result<SavedMaster> {
    let addr = master.addr().context("no address known for this master")?;
    if let Err(err) = &master.probe {
        bail!("it cannot be reached: {}", err.message);
    }
    let file = format!("{}.rdb", master.id());
    let bar = bars.add(addr.to_string());
    let started = Instant::now();
    let saved = fetch_rdb(
        opts,
        addr,
        &dir.join(&file),
        |length| bar.set_length(length),
        |done| bar.set_position(done),
    );
    bar.finish_and_clear();
    let saved = saved?;
    let server = master.probe().map(|p| p.info.server);
    Ok(SavedMaster {
        id: master.id().to_string(),
        addr: addr.to_string(),
        file,
        bytes: saved.bytes,
        sha256: saved.sha256,
        slots: master.current().slots.clone(),
        slot_count: master.current().slots.len(),
        keys: master.probe().map(|p| p.info.total_keys()),
        keys_per_db: master
            .probe()
            .map(|p| p.info.keys_per_db().into_iter().collect()),
        server: server.map(|s| s.flavor),
        server_version: server.map(|s| s.version),
        rdb_format: saved.header.to_string(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The files of a backup already in `dir` (`manifest.json`, `nodes.json`, `*.rdb`), sorted;
/// empty when `dir` does not exist.
fn backup_files(dir: &Path) -> anyhow::Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            bail!("{} exists and is not a directory", dir.display())
        }
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read the directory {}", dir.display()));
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry =
            entry.with_context(|| format!("cannot read the directory {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_backup_file(&name) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// True for the names a backup writes (not their temporary files).
fn is_backup_file(name: &str) -> bool {
    name == "manifest.json" || name == "nodes.json" || name.ends_with(".rdb")
}

/// `manifest.json, nodes.json, 3 RDB file(s)`.
fn files_text(names: &[String]) -> String {
    let rdbs = names.iter().filter(|n| n.ends_with(".rdb")).count();
    let mut parts: Vec<String> = names
        .iter()
        .filter(|n| !n.ends_with(".rdb"))
        .cloned()
        .collect();
    if rdbs > 0 {
        parts.push(format!("{rdbs} RDB file(s)"));
    }
    parts.join(", ")
}

/// After `--overwrite`: removes the replaced backup's RDB files the new one did not write, so
/// that the directory holds one backup only.
fn remove_stale_rdbs(
    out: Output,
    dir: &Path,
    replaced: &[String],
    manifest: &Manifest,
) -> anyhow::Result<()> {
    let stale: Vec<&String> = replaced
        .iter()
        .filter(|n| n.ends_with(".rdb") && !manifest.masters.iter().any(|m| m.file == **n))
        .collect();
    for name in &stale {
        let path = dir.join(name);
        std::fs::remove_file(&path)
            .with_context(|| format!("cannot remove {} of the replaced backup", path.display()))?;
    }
    if !stale.is_empty() {
        out.line(
            Style::Plain,
            format!(
                "Removed {} RDB file(s) of the replaced backup.",
                stale.len()
            ),
        );
    }
    Ok(())
}

/// Writes `value` as pretty JSON to `path` atomically (temporary file, then rename).
fn write_json<T: Serialize>(path: &Path, value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let tmp = path.with_extension("json.tmp");
    let mut file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    file.write_all((text + "\n").as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_in_a_directory_is_recognised() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            backup_files(&dir.path().join("missing"))
                .unwrap()
                .is_empty()
        );
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        std::fs::write(dir.path().join("a.rdb.tmp"), "").unwrap();
        assert!(backup_files(dir.path()).unwrap().is_empty());
        for name in ["b.rdb", "a.rdb", "manifest.json", "nodes.json"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let found = backup_files(dir.path()).unwrap();
        assert_eq!(found, ["a.rdb", "b.rdb", "manifest.json", "nodes.json"]);
        assert_eq!(
            files_text(&found),
            "manifest.json, nodes.json, 2 RDB file(s)"
        );
        let file = dir.path().join("notes.txt");
        assert!(backup_files(&file).is_err());
    }
}
