//! Verdicts on a snapshot: [`check`] (the health check `check` prints and every mutating
//! command repeats at its end), [`preflight`] (may these slots move now), [`admission`] (may
//! this node join), [`converge`] (do the nodes' views match a target layout yet).

pub mod admission;
pub mod check;
pub mod converge;
pub mod preflight;
