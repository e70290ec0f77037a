//! Exit codes and the errors that choose them.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | success; for `check`, the cluster is healthy |
//! | 1    | problems found, or the operation failed (unreachable node, refused change, ...) |
//! | 2    | usage error: bad arguments or options; nothing was contacted |
//! | 130  | interrupted by Ctrl-C |

use std::fmt;

use crate::address::NodeAddr;

/// The documented exit codes.
pub(crate) mod exit_code {
    /// Success / healthy.
    pub(crate) const SUCCESS: i32 = 0;
    /// Problems found or operation failed.
    pub(crate) const FAILURE: i32 = 1;
    /// Bad arguments or options.
    pub(crate) const USAGE: i32 = 2;
    /// Interrupted by Ctrl-C.
    pub(crate) const INTERRUPTED: i32 = 130;
}

/// The outcome of a command that ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Everything is fine.
    Success,
    /// The command ran but found or left problems (exit 1).
    Problems,
    /// Ctrl-C stopped the command after it finished what was in flight (exit 130).
    Interrupted,
}

impl Outcome {
    /// The outcome of long work: interrupted, else complete or not.
    pub(crate) fn of(interrupted: bool, complete: bool) -> Self {
        if interrupted {
            Outcome::Interrupted
        } else if complete {
            Outcome::Success
        } else {
            Outcome::Problems
        }
    }

    /// The process exit code.
    pub(crate) fn code(self) -> i32 {
        match self {
            Outcome::Success => exit_code::SUCCESS,
            Outcome::Problems => exit_code::FAILURE,
            Outcome::Interrupted => exit_code::INTERRUPTED,
        }
    }
}

/// A mistake in the command line, found before anything was contacted (exit 2).
#[derive(Debug, Clone)]
pub(crate) struct UsageError(String);

impl UsageError {
    /// A usage error with its message (which should say how to do it right).
    pub(crate) fn new(message: impl Into<String>) -> Self {
        UsageError(message.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The exit code for an error that ended a command.
pub(crate) fn code_for(err: &anyhow::Error) -> i32 {
    if err
        .chain()
        .any(|c| c.downcast_ref::<UsageError>().is_some())
    {
        exit_code::USAGE
    } else {
        exit_code::FAILURE
    }
}

/// What kind of failure a [`NodeError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// Could not reach the node (refused, timeout, DNS, TLS).
    Connect,
    /// AUTH was refused or required.
    Auth,
    /// The node answered a command with an error.
    Server,
    /// The connection broke or a reply was not what the command returns.
    Io,
}

/// A failure talking to one node; displays as `127.0.0.1:7000: connection refused`.
#[derive(Debug, Clone)]
pub(crate) struct NodeError {
    /// The node.
    pub(crate) addr: NodeAddr,
    /// The kind of failure.
    pub(crate) kind: ErrorKind,
    /// What went wrong, in plain words.
    pub(crate) message: String,
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.addr, self.message)
    }
}

impl std::error::Error for NodeError {}
