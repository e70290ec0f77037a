//! One module per subcommand: load what it needs, call the pure logic, hand the result to
//! the presentation layer, and return the outcome that picks the exit code. Shared steps:
//! `migration` (engine settings, load-and-plan, execute and final check for reshard,
//! rebalance and del-node --drain), `keyscan` (bigkeys and memkeys), `generated`
//! (completions, man pages).

mod add_node;
mod backup;
mod call;
mod check;
mod create;
mod del_node;
mod failover;
mod fix;
mod generated;
mod import;
mod info;
mod keyscan;
mod load;
mod local;
mod migration;
mod nodes;
mod rebalance;
mod rebalance_load;
mod reshard;
mod restore;
mod set_timeout;
mod slots;

use crate::cli::{Cli, Command};
use crate::error::Outcome;
use crate::settings;

/// Runs the parsed command line.
pub(crate) fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    let out = settings::output(&cli.global);
    let opts = settings::connect_options(&cli.global)?;
    match cli.command {
        Command::Check(args) => check::run(&opts, out, &args),
        Command::Info(args) => info::run(&opts, out, &args),
        Command::Nodes(args) => nodes::run(&opts, out, &args),
        Command::Slots(args) => slots::run(&opts, out, &args),
        Command::Create(args) => create::run(&opts, out, &args),
        Command::Fix(args) => fix::run(&opts, out, &args),
        Command::Failover(args) => failover::run(&opts, out, &args),
        Command::Reshard(args) => reshard::run(&opts, out, &args),
        Command::Rebalance(args) => rebalance::run(&opts, out, &args),
        Command::Call(args) => call::run(&opts, out, &args),
        Command::SetTimeout(args) => set_timeout::run(&opts, out, &args),
        Command::AddNode(args) => add_node::run(&opts, out, &args),
        Command::DelNode(args) => del_node::run(&opts, out, &args),
        Command::Import(args) => import::run(&opts, out, &args),
        Command::Backup(args) => backup::run(&opts, out, &args),
        Command::Restore(args) => restore::run(&opts, out, &args),
        Command::Completions(args) => generated::completions(&args),
        Command::Man(args) => generated::man(&args),
        Command::Bigkeys(args) => keyscan::bigkeys(&opts, out, &args),
        Command::Memkeys(args) => keyscan::memkeys(&opts, out, &args),
        Command::Load(args) => load::run(&opts, out, &args),
        Command::Local(cmd) => local::run(&opts, out, &cmd),
    }
}
