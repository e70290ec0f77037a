//! What both heat maps draw ([`super::heatmap`] in a terminal, [`super::svg`] for reports):
//! each master's row of the 16384 slots compressed into cells of consecutive slots, and the
//! scale that gives a cell its mark. Pure.
//!
//! A cell holds the mean value of the master's slots in it (not the sum: a cell the master
//! owns only part of, at a range's edge, is as hot as its slots are), or nothing when the
//! master owns none of its slots. The scale is logarithmic, base 2: the hottest cell of the
//! whole map gets the top mark and each mark below stands for half the one above, down to
//! 1/256 of the hottest (the lowest mark also covers cells with no load). A linear scale would
//! only show which cells dominate: one hot slot would leave every other cell blank. Base 2
//! keeps the skews operators act on visible (a master twice as loaded as another is one mark
//! hotter) while a slot a thousand times hotter than the rest still leaves the rest readable.

use crate::cluster::load::{MasterLoad, Metric, SlotValues, per_master};
use crate::cluster::plan::moves::PlanNode;
use crate::cluster::slots::SLOT_COUNT;

/// How many marks the scale has.
pub(super) const LEVELS: usize = 9;

/// The scale's marks, coolest first: the character for plain text and the xterm-256 colour
/// (from the 6×6×6 cube, whose RGB values the SVG reuses): dark blue, teal, green, yellow,
/// orange, red.
pub(super) const RAMP: [(char, u8); LEVELS] = [
    ('.', 17),
    (':', 25),
    ('-', 31),
    ('=', 36),
    ('+', 71),
    ('*', 148),
    ('#', 220),
    ('%', 208),
    ('@', 196),
];

/// Longest address shown in full; a longer one keeps its end (the port).
const MAX_LABEL_CHARS: usize = 40;

/// One master's row of the map.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    /// `host:port` as the maps show it: control characters as `?`, cut at the front to 40
    /// characters.
    pub(super) label: String,
    /// The master's part of the metric's total (0 to 1).
    pub(super) share: f64,
    /// The metric summed over the master's slots.
    pub(super) total: f64,
    /// Per cell, the mean value of the master's slots in it; `None` where it owns none.
    pub(super) cells: Vec<Option<f64>>,
}

/// Every master's row, with what the scale needs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Grid {
    /// The metric drawn.
    pub(super) metric: Metric,
    /// Slots per cell (a power of two).
    pub(super) slots_per_cell: usize,
    /// The masters' rows: by first slot, masters without slots last.
    pub(super) rows: Vec<Row>,
    /// The hottest cell's value (0 when no load was measured).
    pub(super) hottest: f64,
}

impl Grid {
    /// The grid of `values` over the masters of `nodes`, in `columns` cells (rounded down to
    /// a power of two between 1 and 16384). NaN and values below 0 count as 0.
    pub(super) fn new(nodes: &[PlanNode], values: &SlotValues, columns: usize) -> Grid {
        let columns = floor_power_of_two(columns.clamp(1, usize::from(SLOT_COUNT)));
        let slots_per_cell = usize::from(SLOT_COUNT) / columns;
        let values = sanitized(values);
        let mut rows: Vec<(Option<u16>, Row)> = per_master(nodes, &values)
            .iter()
            .map(|load| {
                let node = &nodes[load.node];
                let row = row(node, load, &values, slots_per_cell, columns);
                (node.slots.iter().next(), row)
            })
            .collect();
        rows.sort_by(|(a, ra), (b, rb)| {
            (a.is_none(), a, &ra.label).cmp(&(b.is_none(), b, &rb.label))
        });
        let rows: Vec<Row> = rows.into_iter().map(|(_, row)| row).collect();
        let hottest = rows
            .iter()
            .flat_map(|r| r.cells.iter().flatten())
            .fold(0.0, |a: f64, &b| a.max(b));
        Grid {
            metric: values.metric,
            slots_per_cell,
            rows,
            hottest,
        }
    }

    /// What a value is: `memory per slot (bytes)`, `keys per slot`.
    pub(super) fn per_slot(&self) -> String {
        let (name, unit) = (self.metric.name(), self.metric.unit());
        if name == unit {
            format!("{name} per slot")
        } else {
            format!("{name} per slot ({unit})")
        }
    }

    /// The number of cells in a row.
    pub(super) fn columns(&self) -> usize {
        usize::from(SLOT_COUNT) / self.slots_per_cell
    }

    /// The mark (0 to `LEVELS - 1`) of a cell worth `value`.
    pub(super) fn level(&self, value: f64) -> usize {
        if self.hottest <= 0.0 || value <= 0.0 {
            return 0;
        }
        let halvings = (self.hottest / value).log2().floor();
        if halvings >= (LEVELS - 1) as f64 {
            0
        } else {
            LEVELS - 1 - halvings.max(0.0) as usize
        }
    }

    /// The highest value a cell with mark `level` can have.
    pub(super) fn upper_bound(&self, level: usize) -> f64 {
        self.hottest / f64::from(1u32 << (LEVELS - 1 - level.min(LEVELS - 1)))
    }
}

/// `values` with exactly one value per slot, NaN, infinite and negative ones set to 0.
fn sanitized(values: &SlotValues) -> SlotValues {
    let mut clean = SlotValues::zeroed(values.metric, values.source);
    for (slot, value) in clean.values.iter_mut().zip(&values.values) {
        *slot = if value.is_finite() && *value > 0.0 {
            *value
        } else {
            0.0
        };
    }
    clean
}

/// `node`'s row: the mean of its slots in each cell.
fn row(
    node: &PlanNode,
    load: &MasterLoad,
    values: &SlotValues,
    slots_per_cell: usize,
    columns: usize,
) -> Row {
    let mut sums = vec![(0.0, 0usize); columns];
    for slot in node.slots.iter() {
        let (sum, count) = &mut sums[usize::from(slot) / slots_per_cell];
        *sum += values.values[usize::from(slot)];
        *count += 1;
    }
    Row {
        label: label(&node.addr),
        share: load.share,
        total: load.total,
        cells: sums
            .into_iter()
            .map(|(sum, count)| (count > 0).then(|| sum / count as f64))
            .collect(),
    }
}

/// `addr` as a label: control characters as `?`, a long one cut at the front.
fn label(addr: &str) -> String {
    let chars: Vec<char> = addr
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if chars.len() <= MAX_LABEL_CHARS {
        return chars.into_iter().collect();
    }
    std::iter::once('…')
        .chain(chars[chars.len() - (MAX_LABEL_CHARS - 1)..].iter().copied())
        .collect()
}

/// The largest power of two not above `n` (n >= 1).
fn floor_power_of_two(n: usize) -> usize {
    1 << n.ilog2()
}

/// Load examples for the renderers' tests and golden files.
#[cfg(test)]
pub(super) mod fixtures {
    use crate::cluster::load::{Metric, SlotValues, Source};
    use crate::cluster::plan::moves::PlanNode;
    use crate::cluster::slots::SlotSet;

    /// A master at `addr` serving `slots`.
    pub(crate) fn master(addr: &str, slots: impl IntoIterator<Item = u16>) -> PlanNode {
        PlanNode {
            id: format!("id-{addr}"),
            addr: addr.to_string(),
            is_master: true,
            slots: slots.into_iter().collect::<SlotSet>(),
        }
    }

    /// A replica at `addr`.
    pub(crate) fn replica(addr: &str) -> PlanNode {
        PlanNode {
            is_master: false,
            ..master(addr, [])
        }
    }

    /// Three masters with the usual thirds; memory: 1 KB per slot, but 2000 slots of the
    /// first hold 4 KB each, 256 slots of the second are empty, and one slot of the third
    /// holds 2 MB.
    pub(crate) fn three_skewed() -> (Vec<PlanNode>, SlotValues) {
        let nodes = vec![
            master("127.0.0.1:7000", 0..=5460),
            replica("127.0.0.1:7003"),
            master("127.0.0.1:7001", 5461..=10922),
            master("127.0.0.1:7002", 10923..=16383),
        ];
        let mut values = SlotValues::zeroed(Metric::Memory, Source::Sampled { keys_per_slot: 10 });
        values.values.fill(1_000.0);
        values.values[1000..3000].fill(4_000.0);
        values.values[7936..8192].fill(0.0);
        values.values[15_000] = 2_000_000.0;
        (nodes, values)
    }

    /// One master with every slot and 100 keys in each, and a master without slots.
    pub(crate) fn one_with_empty_master() -> (Vec<PlanNode>, SlotValues) {
        let nodes = vec![
            master("10.0.0.2:6379", []),
            master("10.0.0.1:6379", 0..=16383),
        ];
        let mut values = SlotValues::zeroed(Metric::Keys, Source::SlotStats);
        values.values.fill(100.0);
        (nodes, values)
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::cluster::load::Source;

    #[test]
    fn cells_hold_the_mean_of_the_masters_slots() {
        let (nodes, values) = three_skewed();
        let grid = Grid::new(&nodes, &values, 64);
        assert_eq!((grid.columns(), grid.slots_per_cell), (64, 256));
        let addrs: Vec<&str> = grid.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            addrs,
            ["127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"]
        );
        let first = &grid.rows[0];
        assert_eq!(first.cells[0], Some(1_000.0));
        assert_eq!(first.cells[4], Some(4_000.0));
        // Cell 21 (slots 5376-5631): the first master's 85 slots and the second's 171.
        assert_eq!(first.cells[21], Some(1_000.0));
        assert_eq!(grid.rows[1].cells[21], Some(1_000.0));
        assert_eq!(first.cells[22], None);
        assert_eq!(grid.rows[1].cells[31], Some(0.0));
        let hot_cell = 15_000 / 256;
        assert_eq!(grid.hottest, grid.rows[2].cells[hot_cell].unwrap());
        assert_eq!(grid.hottest, 1_000.0 + 1_999_000.0 / 256.0);
    }

    #[test]
    fn each_mark_halves_the_one_above() {
        let (nodes, values) = one_with_empty_master();
        let grid = Grid::new(&nodes, &values, 16);
        assert_eq!(grid.hottest, 100.0);
        assert_eq!(grid.level(100.0), LEVELS - 1);
        assert_eq!(grid.level(50.1), LEVELS - 1);
        assert_eq!(grid.level(50.0), LEVELS - 2);
        assert_eq!(grid.level(100.0 / 256.0 + 0.001), 1);
        assert_eq!(grid.level(100.0 / 256.0), 0);
        assert_eq!(grid.level(0.0), 0);
        assert_eq!(grid.level(1e9), LEVELS - 1);
        assert_eq!(grid.upper_bound(LEVELS - 1), 100.0);
        assert_eq!(grid.upper_bound(0), 100.0 / 256.0);
    }

    #[test]
    fn values_are_named_with_their_unit() {
        let (nodes, values) = three_skewed();
        assert_eq!(
            Grid::new(&nodes, &values, 64).per_slot(),
            "memory per slot (bytes)"
        );
        let (nodes, values) = one_with_empty_master();
        assert_eq!(Grid::new(&nodes, &values, 64).per_slot(), "keys per slot");
    }

    #[test]
    fn masters_without_slots_come_last_with_empty_rows() {
        let (nodes, values) = one_with_empty_master();
        let grid = Grid::new(&nodes, &values, 16);
        assert_eq!(grid.rows[1].label, "10.0.0.2:6379");
        assert!(grid.rows[1].cells.iter().all(Option::is_none));
        assert_eq!((grid.rows[0].share, grid.rows[1].share), (1.0, 0.0));
    }

    #[test]
    fn labels_are_cleaned_and_cut() {
        assert_eq!(label("a\x1b[31m:1"), "a?[31m:1");
        let long = format!("{}.example.com:6379", "x".repeat(50));
        let shown = label(&long);
        assert_eq!(shown.chars().count(), MAX_LABEL_CHARS);
        assert!(shown.starts_with('…') && shown.ends_with(".example.com:6379"));
    }

    #[test]
    fn nonsense_values_and_odd_sizes_count_as_zero() {
        let nodes = [master("a:1", 0..=16383)];
        let mut values = SlotValues::zeroed(Metric::Cpu, Source::SlotStats);
        values.values = vec![f64::NAN, -3.0, f64::INFINITY, 8.0];
        let grid = Grid::new(&nodes, &values, 1000);
        assert_eq!(grid.columns(), 512);
        assert_eq!(grid.rows[0].total, 8.0);
        assert_eq!(grid.rows[0].cells[0], Some(8.0 / 32.0));
        assert_eq!(Grid::new(&nodes, &values, 0).columns(), 1);
        assert_eq!(Grid::new(&[], &values, 64).hottest, 0.0);
    }
}
