//! Presentation: redis-cli-style text, tables and JSON documents, rendered from data (pure
//! functions; `crate::output` prints). [`text`] (the `M:`/`S:` blocks, info summary, check
//! report, create plan), [`table`] (nodes and slots tables), [`migration`] (plan lines, pair
//! lines, summaries), [`keysizes`] (bigkeys/memkeys), [`reply`] (call's raw replies),
//! [`json`] (the check, info, nodes and slots documents), [`heatmap`] and [`svg`] (`load`'s
//! heat map of the slots in a terminal and as an SVG document, both drawing a [`slot_grid`]),
//! [`quantity`] (load metrics for people: `1.2 GB`, `340 KB/s`); `golden` (tests) compares
//! them with fixture renderings.

pub(crate) mod heatmap;
pub(crate) mod json;
pub(crate) mod keysizes;
pub(crate) mod load;
pub(crate) mod migration;
pub(crate) mod quantity;
pub(crate) mod reply;
mod slot_grid;
pub(crate) mod svg;
pub(crate) mod table;
pub(crate) mod text;

#[cfg(test)]
mod golden;
