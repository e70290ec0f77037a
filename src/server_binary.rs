//! Server binaries on this machine, for the servers rcluster starts itself (`local up`'s nodes,
//! `restore`'s scratch server): finding `redis-server` and `valkey-server` on PATH, telling
//! what one is from its `--version`, and choosing one that can read a backup's RDB file.
//!
//! Live nodes are judged by `cluster::parse::capabilities`; this module only looks at binaries.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde::Serialize;

use crate::cluster::parse::capabilities::{Flavor, Version};
use crate::error::UsageError;

/// The names looked for on PATH, in order of preference.
const NAMES: [&str; 2] = ["redis-server", "valkey-server"];

/// One server binary and what its `--version` says it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ServerBinary {
    /// Where it is.
    pub(crate) path: PathBuf,
    /// Redis or Valkey.
    pub(crate) server: Flavor,
    /// Its version.
    pub(crate) version: Version,
}

impl ServerBinary {
    /// Runs `path --version` and reads it; fails when `path` is not a redis-server or
    /// valkey-server.
    fn identify(path: &Path) -> anyhow::Result<ServerBinary> {
        let output = Command::new(path)
            .arg("--version")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {} --version", path.display()))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let (server, version) = parse_version_output(&text).with_context(|| {
            format!(
                "{} --version says {:?}, not \"Redis server v=...\" or \"Valkey server v=...\"",
                path.display(),
                text.lines().next().unwrap_or_default().trim()
            )
        })?;
        Ok(ServerBinary {
            path: path.to_path_buf(),
            server,
            version,
        })
    }

    /// The binary given with `--server`: it must exist and be a redis-server or
    /// valkey-server (usage errors otherwise).
    pub(crate) fn given(path: &Path) -> anyhow::Result<ServerBinary> {
        if !path.is_file() {
            bail!(UsageError::new(format!(
                "--server {}: no such file",
                path.display()
            )));
        }
        ServerBinary::identify(path).map_err(|err| {
            UsageError::new(format!(
                "--server: {err:#}; pass the path of a redis-server or valkey-server binary"
            ))
            .into()
        })
    }

    /// `redis-server` or `valkey-server`: the program's name for this flavor.
    pub(crate) fn program(&self) -> &'static str {
        program_of(self.server)
    }

    /// `redis-cli` or `valkey-cli`: the client that comes with it.
    pub(crate) fn client(&self) -> &'static str {
        match self.server {
            Flavor::Redis => "redis-cli",
            Flavor::Valkey => "valkey-cli",
        }
    }
}

impl fmt::Display for ServerBinary {
    /// `valkey-server 9.1.2 (/usr/bin/valkey-server)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({})",
            self.program(),
            self.version,
            self.path.display()
        )
    }
}

fn program_of(server: Flavor) -> &'static str {
    match server {
        Flavor::Redis => "redis-server",
        Flavor::Valkey => "valkey-server",
    }
}

/// Reads `Redis server v=7.0.15 sha=...` or `Valkey server v=9.1.2 sha=...`.
fn parse_version_output(text: &str) -> Option<(Flavor, Version)> {
    let mut words = text.split_whitespace();
    let server = match words.next()?.to_ascii_lowercase().as_str() {
        "redis" => Flavor::Redis,
        "valkey" => Flavor::Valkey,
        _ => return None,
    };
    if words.next()? != "server" {
        return None;
    }
    let version = words.find_map(|w| w.strip_prefix("v="))?;
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| (server, Version::parse(version)))
}

/// Every redis-server and valkey-server on PATH that answers `--version`, in PATH order
/// (redis-server first within a directory), each binary once.
pub(crate) fn on_path() -> Vec<ServerBinary> {
    let dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut seen = Vec::new();
    let mut found = Vec::new();
    for path in dirs
        .iter()
        .flat_map(|dir| NAMES.iter().map(move |name| dir.join(name)))
    {
        let real = path.canonicalize().unwrap_or_else(|_| path.clone());
        if !path.is_file() || seen.contains(&real) {
            continue;
        }
        seen.push(real);
        if let Ok(binary) = ServerBinary::identify(&path) {
            found.push(binary);
        }
    }
    found
}

/// The server `local up` runs: `--server`, else the first redis-server on PATH, else the
/// first valkey-server.
pub(crate) fn for_local(given: Option<&Path>) -> anyhow::Result<ServerBinary> {
    if let Some(path) = given {
        return ServerBinary::given(path);
    }
    let found = on_path();
    NAMES
        .iter()
        .find_map(|name| found.iter().find(|b| b.program() == *name))
        .cloned()
        .ok_or_else(|| {
            UsageError::new(
                "neither redis-server nor valkey-server is on PATH: install one (Debian/Ubuntu: \
                 sudo apt-get install -y redis-server or valkey-server; macOS: brew install \
                 redis or valkey) or pass --server PATH",
            )
            .into()
        })
}

/// What reading one RDB file takes: the server that wrote it and its version, as far as they
/// are known (backups of older rcluster versions do not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReaderNeed {
    /// The server that wrote the file, when known.
    pub(crate) server: Option<Flavor>,
    /// Its version, when known: the reader must be at least as new (a Redis 7.0 cannot read a
    /// Redis 8.2 RDB).
    pub(crate) min_version: Option<Version>,
}

impl ReaderNeed {
    /// True when `binary` can be trusted to read the file.
    pub(crate) fn met_by(&self, binary: &ServerBinary) -> bool {
        self.server.is_none_or(|s| s == binary.server)
            && self.min_version.is_none_or(|v| binary.version >= v)
    }

    /// `valkey-server 9.1.2 or newer`, `redis-server`, `a redis-server or valkey-server`.
    pub(crate) fn describe(&self) -> String {
        let program = self
            .server
            .map_or("a redis-server or valkey-server", program_of);
        match self.min_version {
            Some(v) => format!("{program} {v} or newer"),
            None => program.to_string(),
        }
    }
}

/// The first of `candidates` that meets `need`.
pub(crate) fn choose<'a>(
    candidates: &'a [ServerBinary],
    need: &ReaderNeed,
) -> Option<&'a ServerBinary> {
    candidates.iter().find(|b| need.met_by(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_lines_of_the_six_servers() {
        let cases = [
            (
                "Redis server v=6.2.14 sha=40305114:0 malloc=libc bits=64 build=dff95a8e7a99d269",
                Flavor::Redis,
                Version(6, 2, 14),
            ),
            (
                "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c",
                Flavor::Redis,
                Version(7, 0, 15),
            ),
            (
                "Redis server v=8.2.3 sha=b5d43ceb:0 malloc=jemalloc-5.3.0 bits=64 build=a4a16\n",
                Flavor::Redis,
                Version(8, 2, 3),
            ),
            (
                "Valkey server v=8.1.8 sha=00000000:1 malloc=libc bits=64 build=7eb4ebc9d7e91f4e",
                Flavor::Valkey,
                Version(8, 1, 8),
            ),
            (
                "Valkey server v=9.0.0 sha=bcdc4715:0 malloc=libc bits=64 build=6903d52e0094212f",
                Flavor::Valkey,
                Version(9, 0, 0),
            ),
            (
                "Valkey server v=9.1.2 sha=00000000:1 malloc=libc bits=64 build=1536df31c0395150",
                Flavor::Valkey,
                Version(9, 1, 2),
            ),
        ];
        for (text, server, version) in cases {
            assert_eq!(
                parse_version_output(text),
                Some((server, version)),
                "{text}"
            );
        }
        for text in [
            "",
            "Redis",
            "redis-check-rdb 7.0",
            "KeyDB server v=6.3.4",
            "Redis server",
        ] {
            assert_eq!(parse_version_output(text), None, "{text:?}");
        }
    }

    fn binary(server: Flavor, version: Version) -> ServerBinary {
        ServerBinary {
            path: PathBuf::from(format!("/bin/{}-{version}", program_of(server))),
            server,
            version,
        }
    }

    #[test]
    fn the_reader_is_of_the_writers_server_and_at_least_its_version() {
        let redis70 = binary(Flavor::Redis, Version(7, 0, 15));
        let redis82 = binary(Flavor::Redis, Version(8, 2, 3));
        let valkey81 = binary(Flavor::Valkey, Version(8, 1, 8));
        let valkey91 = binary(Flavor::Valkey, Version(9, 1, 2));
        let all = [
            redis70.clone(),
            valkey81.clone(),
            redis82.clone(),
            valkey91.clone(),
        ];
        let need = |server, version| ReaderNeed {
            server,
            min_version: version,
        };
        let v90 = need(Some(Flavor::Valkey), Some(Version(9, 0, 0)));
        assert_eq!(choose(&all, &v90), Some(&valkey91));
        assert_eq!(v90.describe(), "valkey-server 9.0.0 or newer");
        let r82 = need(Some(Flavor::Redis), Some(Version(8, 2, 3)));
        assert_eq!(choose(&all, &r82), Some(&redis82));
        let r70 = need(Some(Flavor::Redis), Some(Version(7, 0, 0)));
        assert_eq!(choose(&all, &r70), Some(&redis70));
        // No server of the writer's flavor, or none new enough: nothing.
        assert_eq!(choose(&[redis70.clone(), redis82.clone()], &v90), None);
        assert_eq!(choose(&[redis70.clone(), valkey91.clone()], &r82), None);
        let v92 = need(Some(Flavor::Valkey), Some(Version(9, 2, 0)));
        assert_eq!(choose(&all, &v92), None);
        // An old manifest without the writer: the first server found, or the flavor the
        // RDB magic names.
        assert_eq!(choose(&all, &need(None, None)), Some(&redis70));
        assert_eq!(
            choose(&all, &need(Some(Flavor::Valkey), None)),
            Some(&valkey81)
        );
        assert_eq!(
            need(None, None).describe(),
            "a redis-server or valkey-server"
        );
        assert_eq!(
            valkey91.to_string(),
            "valkey-server 9.1.2 (/bin/valkey-server-9.1.2)"
        );
    }
}
