//! The cluster model, pure: no I/O (loading happens in [`crate::probe`], changes in
//! [`crate::exec`]). [`slots`] (the key-to-slot function and `SlotSet`), [`snapshot`] (every
//! node's view of the cluster, as loaded), [`keysizes`] (bigkeys/memkeys tallies), then by
//! concern: [`parse`] (what servers answer), [`plan`] (the planners) and [`verdict`] (the
//! checks that judge a snapshot).

pub(crate) mod keysizes;
pub(crate) mod load;
pub(crate) mod parse;
pub(crate) mod plan;
pub(crate) mod slots;
pub(crate) mod snapshot;
pub(crate) mod verdict;
