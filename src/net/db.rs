//! Numbered databases (Valkey >= 9.0 `cluster-databases`) on connections that are shared.
//! Between uses every connection rcluster keeps is in database 0: work in another database
//! selects it and goes back to 0 before the connection is reused, or the connection is closed.
//! No SELECT is needed for database 0, so servers with one database see no extra command.

use std::ops::{Deref, DerefMut};

use super::conn::NodeError;
use super::conncache::{ConnCache, Lease};
use crate::address::NodeAddr;

/// `SELECT db`.
pub(crate) fn select(db: u32) -> redis::Cmd {
    let mut cmd = redis::cmd("SELECT");
    cmd.arg(db);
    cmd
}

/// A leased connection with database `db` selected (confirmed before any command of the
/// caller's runs); back in database 0 when dropped, or closed when that fails.
pub(crate) struct InDb<'a> {
    lease: Lease<'a>,
    db: u32,
}

impl<'a> InDb<'a> {
    /// Leases a connection to `addr` from `cache` and selects `db` on it.
    pub(crate) fn lease(
        cache: &'a ConnCache,
        addr: &NodeAddr,
        db: u32,
    ) -> Result<InDb<'a>, NodeError> {
        let mut lease = cache.lease(addr)?;
        if db != 0 {
            lease
                .query::<()>(&select(db))
                .inspect_err(|_| lease.discard())?;
        }
        Ok(InDb { lease, db })
    }
}

impl<'a> Deref for InDb<'a> {
    type Target = Lease<'a>;

    fn deref(&self) -> &Lease<'a> {
        &self.lease
    }
}

impl DerefMut for InDb<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.lease
    }
}

impl Drop for InDb<'_> {
    fn drop(&mut self) {
        if self.db != 0 && !self.lease.is_discarded() && self.lease.query::<()>(&select(0)).is_err()
        {
            self.lease.discard();
        }
    }
}
