//! The cluster model, pure: no I/O (loading happens in [`crate::probe`], changes in
//! [`crate::exec`]). [`slots`] (the key-to-slot function and `SlotSet`), [`snapshot`] (every
//! node's view of the cluster, as loaded), [`keysizes`] (bigkeys/memkeys tallies), then by
//! concern: [`parse`] (what servers answer), [`plan`] (the planners) and [`verdict`] (the
//! checks that judge a snapshot).

pub mod keysizes;
pub mod parse;
pub mod plan;
pub mod slots;
pub mod snapshot;
pub mod verdict;
