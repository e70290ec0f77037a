//! Applying changes to a cluster: the steps that write, and the polling that waits for the
//! cluster to agree. Plans come from the pure [`crate::cluster`] layer; this layer only
//! carries them out over [`crate::net`].
//!
//! [`migrate`] (the migration engine: atomic and MIGRATE strategies behind one interface),
//! [`fix`] (fix's diagnosis and its plan applied), [`bootstrap`] (create's plan applied),
//! [`rejoin`] (nodes meeting again at new addresses), [`import`] (keys from a standalone
//! server), [`backup`] (an RDB through SYNC), [`scratch_server`] (restore's temporary server),
//! [`keyscan`] (bigkeys/memkeys' scan of one node), [`throttle`] (the shared rate limit),
//! [`poll`] (waiting until the nodes agree), [`interrupt`] (Ctrl-C).

pub(crate) mod backup;
pub(crate) mod bootstrap;
pub(crate) mod fix;
pub(crate) mod import;
pub mod interrupt;
pub(crate) mod keyscan;
pub(crate) mod migrate;
pub(crate) mod poll;
pub(crate) mod rejoin;
pub(crate) mod scratch_server;
pub(crate) mod throttle;
