//! Presentation: redis-cli-style text, tables and JSON documents, rendered from data.

pub(crate) mod json;
pub(crate) mod keysizes;
pub(crate) mod migration;
pub(crate) mod reply;
pub(crate) mod table;
pub(crate) mod text;

#[cfg(test)]
mod golden;
