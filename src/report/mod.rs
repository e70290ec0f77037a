//! Presentation: redis-cli-style text, tables and JSON documents, rendered from data.

pub mod json;
pub mod keysizes;
pub mod migration;
pub mod reply;
pub mod table;
pub mod text;

#[cfg(test)]
mod golden;
