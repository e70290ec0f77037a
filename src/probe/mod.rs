//! Reading a cluster over the network: the snapshot every command starts from (each node's
//! probe), key counts per slot, and the load per slot (keys, memory, CPU, network). The model
//! they fill ([`crate::cluster::snapshot`], [`crate::cluster::load`]) and everything decided
//! from it stay pure in [`crate::cluster`].

pub(crate) mod load;
pub(crate) mod scan;
pub(crate) mod snapshot;
