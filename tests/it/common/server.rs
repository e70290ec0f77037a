//! The server binary the harness runs, what it is (flavor and version) and what it can do.
//!
//! The binary is `RCLUSTER_TEST_SERVER` (a path), by default the `redis-server` on PATH.
//! `scripts/test` runs the whole suite on Debian's redis-server and the `matrix` module on every
//! other server of the matrix (`scripts/fetch-servers.sh`).
//!
//! A test that cannot run without a feature (or, testing a refusal, with it) starts with
//! [`require!`]: where the server does not fit, the test is not applicable and returns, saying
//! so on stderr; but in CI (`CI` set, or `RCLUSTER_TEST_REQUIRE_FEATURES` naming the feature)
//! it fails, so that CI never skips silently: `scripts/test` does not select, on a server, the
//! tests that cannot run there. A test that runs either way and branches asks [`has_feature`].
//! `RCLUSTER_TEST_REQUIRE_FEATURES` (comma-separated [`Feature`] names, set by `scripts/test`
//! per server) lists the features the server must have: one it lacks fails any test asking.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Environment variable naming the server binary.
const SERVER_ENV: &str = "RCLUSTER_TEST_SERVER";
/// Environment variable listing the features the server must have.
const REQUIRE_ENV: &str = "RCLUSTER_TEST_REQUIRE_FEATURES";
/// Environment variable CI services set (`CI=true`): no test may be not applicable there.
const CI_ENV: &str = "CI";

/// Which server family a binary belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Redis (`redis-server`).
    Redis,
    /// Valkey (`valkey-server`).
    Valkey,
}

impl Flavor {
    /// `redis` or `valkey`, as rcluster and manifest.json spell it.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Redis => "redis",
            Flavor::Valkey => "valkey",
        }
    }
}

/// A feature some servers of the matrix have and others lack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Numbered databases in cluster mode (`--cluster-databases N`, SELECT): Valkey >= 9.0.
    NumberedDbs,
    /// A primary replicates `CLUSTER SETSLOT` to its replicas, which then show open slots
    /// too: Valkey >= 8.0.
    ReplicatedSetslot,
    /// Atomic slot migration (`CLUSTER MIGRATESLOTS`, `GETSLOTMIGRATIONS`,
    /// `CANCELSLOTMIGRATIONS`): Valkey >= 9.0.
    AtomicMigration,
    /// `CLUSTER SLOT-STATS` (per-slot keys, CPU and network counters): Valkey >= 8.0,
    /// Redis >= 8.2.
    SlotStats,
}

impl Feature {
    /// Every feature, for parsing `RCLUSTER_TEST_REQUIRE_FEATURES`.
    const ALL: [Feature; 4] = [
        Feature::NumberedDbs,
        Feature::ReplicatedSetslot,
        Feature::AtomicMigration,
        Feature::SlotStats,
    ];

    /// The name used in `RCLUSTER_TEST_REQUIRE_FEATURES`.
    pub fn name(self) -> &'static str {
        match self {
            Feature::NumberedDbs => "numbered-dbs",
            Feature::ReplicatedSetslot => "replicated-setslot",
            Feature::AtomicMigration => "atomic-migration",
            Feature::SlotStats => "slot-stats",
        }
    }
}

/// The server binary of this test run, identified by its `--version`.
#[derive(Clone, Debug)]
pub struct Server {
    path: PathBuf,
    flavor: Flavor,
    version: (u32, u32, u32),
}

impl Server {
    /// Path of the binary.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Redis or Valkey.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// `major.minor.patch`, as the server reports it (`7.0.15`).
    pub fn version(&self) -> String {
        let (major, minor, patch) = self.version;
        format!("{major}.{minor}.{patch}")
    }

    /// True when the server has `feature`.
    pub fn supports(&self, feature: Feature) -> bool {
        let valkey_from = |major: u32| self.flavor == Flavor::Valkey && self.version.0 >= major;
        match feature {
            Feature::NumberedDbs => valkey_from(9),
            Feature::ReplicatedSetslot => valkey_from(8),
            Feature::AtomicMigration => valkey_from(9),
            Feature::SlotStats => {
                valkey_from(8) || self.flavor == Flavor::Redis && self.version >= (8, 2, 0)
            }
        }
    }

    /// True when it takes `--bind-source-addr` (Redis >= 7.0, every Valkey), which the harness
    /// passes so that nodes on loopback aliases (127.0.0.2...) talk from their own address.
    pub fn has_bind_source_addr(&self) -> bool {
        self.at_least_redis_7()
    }

    /// True when it has `CLUSTER ADDSLOTSRANGE` (Redis >= 7.0, every Valkey).
    pub fn has_addslotsrange(&self) -> bool {
        self.at_least_redis_7()
    }

    /// Redis 7.0 or newer, or any Valkey (forked from Redis 7.2).
    pub fn at_least_redis_7(&self) -> bool {
        self.flavor == Flavor::Valkey || self.version.0 >= 7
    }

    /// The RDB magic its files start with: `VALKEY` from Valkey 9.0 on, `REDIS` otherwise.
    pub fn rdb_magic(&self) -> &'static str {
        match self.flavor == Flavor::Valkey && self.version.0 >= 9 {
            true => "VALKEY",
            false => "REDIS",
        }
    }

    /// Parses `<bin> --version` output: `Redis server v=7.0.15 sha=...` or
    /// `Valkey server v=9.1.2 sha=...`.
    fn parse(path: PathBuf, text: &str) -> Result<Server, String> {
        let mut words = text.split_whitespace();
        let flavor = match words.next() {
            Some("Redis") => Flavor::Redis,
            Some("Valkey") => Flavor::Valkey,
            _ => return Err(format!("not a Redis or Valkey server: {text:?}")),
        };
        let version = words
            .find_map(|w| w.strip_prefix("v="))
            .and_then(|v| {
                let mut parts = v.split('.').map(str::parse::<u32>);
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(Ok(a)), Some(Ok(b)), Some(Ok(c))) => Some((a, b, c)),
                    _ => None,
                }
            })
            .ok_or_else(|| format!("no v=X.Y.Z in {text:?}"))?;
        Ok(Server {
            path,
            flavor,
            version,
        })
    }
}

impl fmt::Display for Server {
    /// `valkey 9.1.2`: how failures name the server.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.flavor.name(), self.version())
    }
}

/// The server of this test run (`RCLUSTER_TEST_SERVER`, else `redis-server` on PATH);
/// panics loudly when it is missing or does not identify itself (tests fail, never skip).
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let path = std::env::var_os(SERVER_ENV)
            .map(PathBuf::from)
            .or_else(|| super::node::find_in_path("redis-server"))
            .unwrap_or_else(|| {
                panic!(
                    "\n\n*** redis-server not found: install it with apt-get install -y \
                     redis-server, or name a server binary in {SERVER_ENV} ***\n\n"
                )
            });
        let output = Command::new(&path)
            .arg("--version")
            .output()
            .unwrap_or_else(|e| {
                panic!("{SERVER_ENV}: cannot run {} --version: {e}", path.display())
            });
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let server = Server::parse(path.clone(), &text)
            .unwrap_or_else(|e| panic!("{SERVER_ENV}: {}: {e}", path.display()));
        name_server_in_panics(&server);
        server
    })
}

/// Makes every panic message of the test process end with the server under test, so that a
/// failure in the matrix says which server it was.
fn name_server_in_panics(server: &Server) {
    let line = format!("server under test: {server} ({})", server.path.display());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        eprintln!("{line}");
    }));
}

/// The binary of the matrix server `name` (`valkey-8.1`, ...), fetched and cached by
/// `scripts/fetch-servers.sh --path NAME`, for tests that run two servers in one cluster.
/// Panics when it cannot be had (tests fail, never skip).
pub fn matrix_server(name: &str) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-servers.sh");
    let output = Command::new("bash")
        .arg(&script)
        .args(["--path", name])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "scripts/fetch-servers.sh --path {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// `valkey 9.1.2`: the server of this run, for failure messages.
pub fn server_label() -> String {
    server().to_string()
}

/// True when the server has `feature`, for a test that runs either way; panics when it lacks
/// one that `RCLUSTER_TEST_REQUIRE_FEATURES` names.
pub fn has_feature(feature: Feature) -> bool {
    let required = required_features();
    if server().supports(feature) {
        return true;
    }
    assert!(
        !required.contains(&feature),
        "{} lacks {}, which {REQUIRE_ENV} requires",
        server(),
        feature.name()
    );
    false
}

/// True when a test needing the server to have `feature` (`wanted`), or to lack it (`!wanted`),
/// can run here. When it cannot, the test is not applicable: this says so on stderr and returns
/// false, except in CI (`CI` set, or `RCLUSTER_TEST_REQUIRE_FEATURES` naming the feature), where
/// it panics. Through [`require!`]; panics like [`has_feature`] on a required feature missing.
pub fn applicable(feature: Feature, wanted: bool) -> bool {
    if has_feature(feature) == wanted {
        return true;
    }
    let why = match wanted {
        true => format!("{} lacks {}", server(), feature.name()),
        false => format!("{} has {}", server(), feature.name()),
    };
    let ci = std::env::var(CI_ENV).is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    assert!(
        !ci && !required_features().contains(&feature),
        "{why}: this test cannot run here, which fails in CI ({CI_ENV} set, or {REQUIRE_ENV} \
         naming {}): scripts/test does not select it on such a server",
        feature.name()
    );
    eprintln!("not applicable here: {why}");
    false
}

/// Returns from the calling test when the server cannot run it: `require!(Feature::X)` when the
/// server lacks `X`, `require!(lacks Feature::X)` when it has it. Says "not applicable here" on
/// stderr, or fails the test in CI (see [`applicable`]).
macro_rules! require {
    (lacks $feature:expr) => {
        if !$crate::common::applicable($feature, false) {
            return;
        }
    };
    ($feature:expr) => {
        if !$crate::common::applicable($feature, true) {
            return;
        }
    };
}
pub(crate) use require;

/// The features `RCLUSTER_TEST_REQUIRE_FEATURES` names; panics on an unknown name.
fn required_features() -> Vec<Feature> {
    let list = std::env::var(REQUIRE_ENV).unwrap_or_default();
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            Feature::ALL
                .into_iter()
                .find(|f| f.name() == name)
                .unwrap_or_else(|| panic!("{REQUIRE_ENV}: unknown feature {name:?}"))
        })
        .collect()
}
