//! Copies of a key that `fix` drops because the slot's owner holds another value of it.
//!
//! After a master dies in the middle of a move and its replica takes over (on servers that do
//! not replicate the migrating state), or when keys strayed to a master that does not serve
//! their slot, a key can exist on two masters with different values. The slot's owner is the
//! node clients were sent to since, so its copy is the one kept; the other copy is written to
//! a file (one JSON line per key: the key, its slot, the node it was on, its TTL and its DUMP
//! payload, so that `RESTORE` brings it back) before it is deleted. Nothing is deleted unless
//! its line was written and flushed to disk.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::hex::hex;

/// A key whose copy on a holder was dropped in favour of the owner's.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DroppedCopy {
    /// The key, as text.
    pub(crate) key: String,
    /// Its slot.
    pub(crate) slot: u16,
    /// The node whose copy was saved and deleted.
    pub(crate) dropped_from: String,
    /// The node whose copy was kept (the slot's owner).
    pub(crate) kept_on: String,
}

/// One line of the conflicts file.
#[derive(Serialize)]
struct SavedLine<'a> {
    key: &'a str,
    key_hex: String,
    slot: u16,
    node: &'a str,
    kept_on: &'a str,
    /// PTTL on the node it was dropped from (-1: no TTL).
    pttl_ms: i64,
    dump_hex: String,
}

/// Where dropped copies are saved, and what was dropped.
pub(crate) struct ConflictLog {
    path: PathBuf,
    file: Mutex<Option<File>>,
    dropped: Mutex<Vec<DroppedCopy>>,
}

impl ConflictLog {
    /// A log that creates `path` (appending if it exists) on the first copy it saves.
    pub(crate) fn new(path: PathBuf) -> Self {
        ConflictLog {
            path,
            file: Mutex::new(None),
            dropped: Mutex::new(Vec::new()),
        }
    }

    /// The file the copies go to.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one copy's line and syncs the file; only then may the copy be deleted.
    pub(crate) fn save(
        &self,
        copy: &DroppedCopy,
        key: &[u8],
        pttl_ms: i64,
        dump: &[u8],
    ) -> Result<(), String> {
        let line = SavedLine {
            key: &copy.key,
            key_hex: hex(key),
            slot: copy.slot,
            node: &copy.dropped_from,
            kept_on: &copy.kept_on,
            pttl_ms,
            dump_hex: hex(dump),
        };
        let mut text = serde_json::to_string(&line).map_err(|e| e.to_string())?;
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if file.is_none() {
            let opened = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(|e| format!("cannot open {}: {e}", self.path.display()))?;
            *file = Some(opened);
        }
        let handle = file.as_mut().expect("opened above");
        handle
            .write_all(text.as_bytes())
            .and_then(|()| handle.sync_data())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    /// Records that the copy saved by [`ConflictLog::save`] was deleted.
    pub(crate) fn dropped(&self, copy: DroppedCopy) {
        self.dropped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(copy);
    }

    /// The copies dropped since the last call, removed from the log.
    pub(crate) fn take_dropped(&self) -> Vec<DroppedCopy> {
        std::mem::take(&mut *self.dropped.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// True once a copy was saved to the file (the file exists then).
    pub(crate) fn used(&self) -> bool {
        self.file
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_copies_are_json_lines_with_hex_payloads() {
        let dir = std::env::temp_dir().join(format!("rcluster-conflicts-{}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        let log = ConflictLog::new(dir.clone());
        let copy = DroppedCopy {
            key: "k".into(),
            slot: 7,
            dropped_from: "127.0.0.1:1".into(),
            kept_on: "127.0.0.1:2".into(),
        };
        log.save(&copy, b"k", -1, &[0, 255]).unwrap();
        log.save(&copy, b"k", 5, &[1]).unwrap();
        let text = std::fs::read_to_string(&dir).unwrap();
        let _ = std::fs::remove_file(&dir);
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["dump_hex"], "00ff");
        assert_eq!(lines[0]["key_hex"], "6b");
        assert_eq!(lines[1]["pttl_ms"], 5);
        assert_eq!(lines[0]["kept_on"], "127.0.0.1:2");
    }
}
