//! Reading a cluster over the network: the snapshot every command starts from (each node's
//! probe), and key counts per slot. The model they fill ([`crate::cluster::snapshot`]) and
//! everything decided from it stay pure in [`crate::cluster`].

pub(crate) mod scan;
pub(crate) mod snapshot;
