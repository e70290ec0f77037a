//! placeholder
use crate::error::Outcome;
use crate::net::conn::ConnectOptions;
use crate::output::Output;
/// Runs it.
pub fn run<A>(_opts: &ConnectOptions, _out: Output, _args: &A) -> anyhow::Result<Outcome> {
    anyhow::bail!("not yet")
}
