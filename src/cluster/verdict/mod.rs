//! Verdicts on a snapshot: [`check`] (the health check `check` prints and every mutating
//! command repeats at its end), [`preflight`] (may these slots move now), [`admission`] (may
//! this node join), [`balance`] (the masters' shares of keys and memory), [`converge`] (do the nodes' views match a target layout yet), [`jobs`]
//! (the slot migration jobs the masters report: unfinished, running, handing over).

pub(crate) mod admission;
pub(crate) mod balance;
pub(crate) mod check;
pub(crate) mod converge;
pub(crate) mod jobs;
pub(crate) mod preflight;
