//! Verdicts on a snapshot: [`check`] (the health check `check` prints and every mutating
//! command repeats at its end), [`preflight`] (may these slots move now), [`admission`] (may
//! this node join), [`converge`] (do the nodes' views match a target layout yet).

pub(crate) mod admission;
pub(crate) mod check;
pub(crate) mod converge;
pub(crate) mod preflight;
