//! The heat map of `rcluster load` for a terminal: a title, the scale, an axis of slot
//! numbers, then one row per master (address, share and total of the metric, its slots as
//! cells). With colour the cells are xterm-256 background blocks (dark blue to red), without
//! it characters (` .:-=+*#%@`, blank where the master owns no slot). What a cell holds and
//! why the scale is logarithmic: [`super::slot_grid`]. Pure: data in, text out.

use super::quantity::{metric_value, percent};
use super::slot_grid::{Grid, LEVELS, RAMP, Row};
use crate::cluster::load::SlotValues;
use crate::cluster::plan::moves::PlanNode;
use crate::cluster::slots::SLOT_COUNT;

/// How the heat map is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeatMapOptions {
    /// Characters a line may take (the terminal's width): rows get the most cells that fit,
    /// a power of two from 16 to 256 (16 even when they do not fit).
    pub(crate) width: usize,
    /// ANSI colours (`Output::color`), else characters only.
    pub(crate) colour: bool,
}

/// Fewest cells a row gets.
const MIN_COLUMNS: usize = 16;
/// Most cells a row gets (64 slots each).
const MAX_COLUMNS: usize = 256;
/// Width of the share column (`100.0%`).
const SHARE_WIDTH: usize = 6;
/// The cells' left and right borders.
const BORDER: char = '│';
/// Where the axis puts slot numbers when there is room, the most telling first (after the
/// last slot, at the right end).
const AXIS_SLOTS: [u16; 4] = [0, 8192, 4096, 12288];

/// The heat map of `values` over the masters of `nodes` (replicas left out), lines ending
/// in `\n`: a title, the scale, the column headers with the slot axis, then one row per
/// master, all as wide, by first slot (masters without slots last); without masters, a line
/// says so.
pub(crate) fn heat_map(nodes: &[PlanNode], values: &SlotValues, opts: HeatMapOptions) -> String {
    let widest = Grid::new(nodes, values, MAX_COLUMNS);
    let labels = LabelWidths::of(&widest);
    let columns = columns_fitting(opts.width.saturating_sub(labels.total()));
    let grid = if columns == widest.columns() {
        widest
    } else {
        Grid::new(nodes, values, columns)
    };
    let mut lines = vec![
        title(&grid),
        scale(&grid, opts.colour),
        header(&grid, &labels),
    ];
    lines.extend(
        grid.rows
            .iter()
            .map(|row| row_line(&grid, row, &labels, opts.colour)),
    );
    if grid.rows.is_empty() {
        lines.push("(no master)".to_string());
    }
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// Widths of the columns left of the cells.
struct LabelWidths {
    /// The address column.
    addr: usize,
    /// The total column.
    total: usize,
}

impl LabelWidths {
    /// Wide enough for the headers and every row of `grid`.
    fn of(grid: &Grid) -> LabelWidths {
        let rows = &grid.rows;
        LabelWidths {
            addr: widest("master", rows.iter().map(|r| r.label.clone())),
            total: widest(
                grid.metric.name(),
                rows.iter().map(|r| metric_value(grid.metric, r.total)),
            ),
        }
    }

    /// Characters a row takes besides its cells (borders included).
    fn total(&self) -> usize {
        self.addr + 2 + SHARE_WIDTH + 2 + self.total + 2 + 2
    }
}

/// Characters the widest of `header` and `texts` takes.
fn widest(header: &str, texts: impl Iterator<Item = String>) -> usize {
    texts
        .map(|t| t.chars().count())
        .fold(header.chars().count(), usize::max)
}

/// The most cells (a power of two from `MIN_COLUMNS` to `MAX_COLUMNS`) within `room`.
fn columns_fitting(room: usize) -> usize {
    let mut columns = MAX_COLUMNS;
    while columns > MIN_COLUMNS && columns > room {
        columns /= 2;
    }
    columns
}

/// The first line: the metric, its unit and what a cell is.
fn title(grid: &Grid) -> String {
    format!(
        "{}: {} cells of {} slots, each the mean of the master's slots in it",
        grid.per_slot(),
        grid.columns(),
        grid.slots_per_cell
    )
}

/// The legend: the marks from coolest to hottest, with the values they stand for.
fn scale(grid: &Grid, colour: bool) -> String {
    let ramp = paint((0..LEVELS).map(Some), colour);
    if grid.hottest <= 0.0 {
        return format!(
            "scale: no load measured, every slot reads 0 ({} marks a master's slots; blank: not its slots)",
            paint([Some(0)].into_iter(), colour)
        );
    }
    format!(
        "scale: ≤ {} {ramp} {} (log: each mark doubles); blank: not the master's slots",
        metric_value(grid.metric, grid.upper_bound(0)),
        metric_value(grid.metric, grid.hottest),
    )
}

/// The column headers, then the slot numbers over the cells.
fn header(grid: &Grid, labels: &LabelWidths) -> String {
    let line = format!(
        "{:<aw$}  {:>SHARE_WIDTH$}  {:>tw$}   {}",
        "master",
        "share",
        grid.metric.name(),
        axis(grid),
        aw = labels.addr,
        tw = labels.total,
    );
    line.trim_end().to_string()
}

/// Slot numbers above the cells where they start: 0, the quarters that fit, 16383 at the end.
fn axis(grid: &Grid) -> String {
    let columns = grid.columns();
    let mut axis = vec![' '; columns];
    let last = (SLOT_COUNT - 1).to_string();
    place(&mut axis, &last, columns.saturating_sub(last.len()));
    for slot in AXIS_SLOTS {
        let column = usize::from(slot) / grid.slots_per_cell;
        place(&mut axis, &slot.to_string(), column);
    }
    axis.into_iter().collect()
}

/// Writes `label` into `axis` at `start` when it fits there with a space on either side.
fn place(axis: &mut [char], label: &str, start: usize) {
    let end = start + label.chars().count();
    let free = |i: usize| axis.get(i).is_none_or(|c| *c == ' ');
    if end <= axis.len() && (start.saturating_sub(1)..=end).all(free) {
        for (slot, c) in axis[start..end].iter_mut().zip(label.chars()) {
            *slot = c;
        }
    }
}

/// One master's line: address, share, total, then its cells between borders.
fn row_line(grid: &Grid, row: &Row, labels: &LabelWidths, colour: bool) -> String {
    let cells = paint(
        row.cells.iter().map(|cell| cell.map(|v| grid.level(v))),
        colour,
    );
    format!(
        "{:<aw$}  {:>SHARE_WIDTH$}  {:>tw$}  {BORDER}{cells}{BORDER}",
        row.label,
        percent(row.share),
        metric_value(grid.metric, row.total),
        aw = labels.addr,
        tw = labels.total,
    )
}

/// Cells of the given marks (`None`: blank), one character each: ramp characters, or
/// coloured blanks with one escape per change of colour and a reset at the end.
fn paint(levels: impl Iterator<Item = Option<usize>>, colour: bool) -> String {
    let mut text = String::new();
    let mut current: Option<usize> = None;
    for level in levels {
        if !colour {
            text.push(level.map_or(' ', |l| RAMP[l].0));
            continue;
        }
        if level != current {
            match level {
                Some(l) => text.push_str(&format!("\x1b[48;5;{}m", RAMP[l].1)),
                None => text.push_str(RESET),
            }
            current = level;
        }
        text.push(' ');
    }
    if current.is_some() {
        text.push_str(RESET);
    }
    text
}

/// The ANSI escape that ends a colour.
const RESET: &str = "\x1b[0m";

#[cfg(test)]
mod tests {
    use super::super::slot_grid::fixtures::{master, one_with_empty_master, three_skewed};
    use super::*;
    use crate::cluster::load::{Metric, Source};

    const PLAIN: HeatMapOptions = HeatMapOptions {
        width: 100,
        colour: false,
    };
    const COLOUR: HeatMapOptions = HeatMapOptions {
        width: 100,
        colour: true,
    };

    /// The lines of `text` that show cells.
    fn rows(text: &str) -> Vec<&str> {
        text.lines().filter(|l| l.ends_with(BORDER)).collect()
    }

    fn width(line: &str) -> usize {
        line.chars().count()
    }

    #[test]
    fn one_row_per_master_all_as_wide() {
        let (nodes, values) = three_skewed();
        let text = heat_map(&nodes, &values, PLAIN);
        let rows = rows(&text);
        assert_eq!(rows.len(), 3, "{text}");
        assert!(rows.iter().all(|r| width(r) == width(rows[0])), "{text}");
        assert!(width(rows[0]) <= 100, "{text}");
        assert!(
            rows[0].starts_with("127.0.0.1:7000   47.5%  11.5 MB  │"),
            "{text}"
        );
        assert!(text.contains("scale: ≤ "), "{text}");
        assert!(text.contains("16383"), "{text}");
        assert!(!text.contains('\x1b'), "{text}");
    }

    #[test]
    fn the_widest_map_that_fits() {
        let (nodes, values) = three_skewed();
        let cells = |width: usize| {
            let text = heat_map(&nodes, &values, HeatMapOptions { width, ..PLAIN });
            let row = rows(&text)[0].to_string();
            row.chars().filter(|c| *c != BORDER).count() - (row.find(BORDER).unwrap())
        };
        assert_eq!(cells(100), 64);
        assert_eq!(cells(300), 256);
        assert_eq!(cells(80), 32);
        assert_eq!(cells(0), 16);
    }

    #[test]
    fn colour_uses_ansi_backgrounds_and_resets() {
        let (nodes, values) = three_skewed();
        let text = heat_map(&nodes, &values, COLOUR);
        assert!(text.contains("\x1b[48;5;196m"), "{text}");
        for row in rows(&text) {
            let last_colour = row.rfind("\x1b[48;5;").expect("coloured cells");
            assert!(row[last_colour..].contains(RESET), "{row:?}");
            let cells = &row[row.find(BORDER).unwrap()..];
            assert!(!cells.contains(['.', ':', '@']), "{row:?}");
        }
        assert!(text.contains(&format!("{RESET} 8.8 KB (log")), "{text}");
    }

    #[test]
    fn a_master_without_slots_gets_a_blank_row() {
        let (nodes, values) = one_with_empty_master();
        let text = heat_map(&nodes, &values, PLAIN);
        let rows = rows(&text);
        assert_eq!(rows.len(), 2, "{text}");
        assert!(rows[0].contains(&"@".repeat(64)), "{text}");
        assert!(
            rows[1].starts_with("10.0.0.2:6379    0.0%     0  │   "),
            "{text}"
        );
        assert!(
            rows[1].ends_with(&format!("{}{BORDER}", " ".repeat(64))),
            "{text}"
        );
    }

    #[test]
    fn all_zero_says_no_load_was_measured() {
        let (nodes, _) = three_skewed();
        let zero = SlotValues::zeroed(Metric::Cpu, Source::SlotStats);
        let text = heat_map(&nodes, &zero, PLAIN);
        assert!(text.contains("no load measured"), "{text}");
        assert_eq!(rows(&text).len(), 3);
        assert!(rows(&text)[0].contains(&".".repeat(21)), "{text}");
    }

    #[test]
    fn no_input_makes_it_panic() {
        let (nodes, _) = three_skewed();
        let mut nan = SlotValues::zeroed(Metric::Net, Source::SlotStats);
        nan.values.fill(f64::NAN);
        nan.values[3] = -1.0;
        let short = SlotValues {
            values: vec![1.0; 10],
            ..nan.clone()
        };
        for values in [&nan, &short] {
            for opts in [PLAIN, COLOUR, HeatMapOptions { width: 0, ..PLAIN }] {
                assert_eq!(rows(&heat_map(&nodes, values, opts)).len(), 3);
                assert!(heat_map(&[], values, opts).contains("(no master)"));
            }
        }
    }

    #[test]
    fn a_hundred_masters_get_a_row_each() {
        let nodes: Vec<PlanNode> = (0..120u16)
            .map(|i| master(&format!("10.0.{i}.1:6379"), (i * 136)..(i * 136 + 136)))
            .collect();
        let mut values = SlotValues::zeroed(Metric::Keys, Source::SlotStats);
        values.values[5] = 1e6;
        let text = heat_map(&nodes, &values, PLAIN);
        let rows = rows(&text);
        assert_eq!(rows.len(), 120);
        assert!(rows.iter().all(|r| width(r) == width(rows[0])));
        assert!(rows[0].contains('@'), "{text}");
    }
}
