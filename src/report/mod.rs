//! Presentation: redis-cli-style text, tables and JSON documents, rendered from data (pure
//! functions; `crate::output` prints). [`text`] (the `M:`/`S:` blocks, info summary, check
//! report, create plan), [`table`] (nodes and slots tables), [`migration`] (plan lines, pair
//! lines, summaries), [`keysizes`] (bigkeys/memkeys), [`reply`] (call's raw replies),
//! [`json`] (the check, info, nodes and slots documents); `golden` (tests) compares them with
//! fixture renderings.

pub(crate) mod json;
pub(crate) mod keysizes;
pub(crate) mod load;
pub(crate) mod migration;
pub(crate) mod reply;
pub(crate) mod table;
pub(crate) mod text;

#[cfg(test)]
mod golden;
