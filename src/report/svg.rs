//! The heat map of `rcluster load --svg FILE`: a self-contained SVG document (no stylesheet,
//! script or font to fetch) with the title, the metric and how it was read, an axis of slot
//! numbers, one row per master (address, share, total, then 256 cells of 64 slots) and the
//! colour scale with its values. Same cells and scale as the terminal's map
//! ([`super::slot_grid`]). Every text is escaped (addresses and titles are user data). The
//! cells are drawn as one path per colour, so that 100 masters stay well under 1 MB. Pure.

use std::fmt::Write as _;

use super::quantity::{metric_value, percent};
use super::slot_grid::{Grid, LEVELS, RAMP};
use crate::cluster::load::{SlotValues, Source};
use crate::cluster::plan::moves::PlanNode;
use crate::cluster::slots::SLOT_COUNT;

/// Cells per row (64 slots each).
const COLUMNS: usize = 256;
/// Pixels: a cell's width, a row's height, a cell's height, the margin.
const CELL_WIDTH: usize = 3;
const ROW_HEIGHT: usize = 16;
const CELL_HEIGHT: usize = 12;
const MARGIN: usize = 12;
/// Pixels a character of the 12px monospace font takes at most, and between label columns.
const CHAR_WIDTH: usize = 8;
const GAP: usize = 16;
/// Top of the first row.
const ROWS_TOP: usize = 84;
/// Width of a legend swatch.
const SWATCH_WIDTH: usize = 24;
/// Fill of the cells a master does not own (the row's background).
const NOT_OWNED: &str = "#eeeeee";
/// Fill of secondary text.
const GREY: &str = "#555555";
/// Where the axis puts slot numbers.
const AXIS_SLOTS: [u16; 5] = [0, 4096, 8192, 12288, SLOT_COUNT - 1];

/// The SVG document of `values` over the masters of `nodes`, headed by `title`.
pub(crate) fn heat_map_svg(nodes: &[PlanNode], values: &SlotValues, title: &str) -> String {
    let grid = Grid::new(nodes, values, COLUMNS);
    let layout = Layout::of(&grid, title);
    let mut svg = String::new();
    let _ = writeln!(svg, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="monospace" font-size="12">"#,
        w = layout.width,
        h = layout.height,
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(title));
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    headings(&mut svg, &grid, values.source, title);
    column_headers(&mut svg, &grid, &layout);
    rows(&mut svg, &grid, &layout);
    legend(&mut svg, &grid, &layout);
    svg.push_str("</svg>\n");
    svg
}

/// Where things go, in pixels.
struct Layout {
    /// Right end of the share column.
    share_end: usize,
    /// Right end of the total column.
    total_end: usize,
    /// Left end of the cells.
    map_left: usize,
    /// The document's size.
    width: usize,
    height: usize,
}

impl Layout {
    /// Room for the labels of `grid`'s rows and for `title`.
    fn of(grid: &Grid, title: &str) -> Layout {
        let chars = |text: &str| text.chars().count();
        let label = grid
            .rows
            .iter()
            .map(|r| chars(&r.label))
            .fold(chars("master"), usize::max);
        let total = grid
            .rows
            .iter()
            .map(|r| chars(&metric_value(grid.metric, r.total)))
            .fold(chars(grid.metric.name()), usize::max);
        let share_end = MARGIN + label * CHAR_WIDTH + GAP + chars("100.0%") * CHAR_WIDTH;
        let total_end = share_end + GAP + total * CHAR_WIDTH;
        let map_left = total_end + GAP;
        let map_right = map_left + grid.columns() * CELL_WIDTH + MARGIN;
        let title_right = MARGIN + chars(title).max(chars(&subtitle(grid))) * CHAR_WIDTH;
        Layout {
            share_end,
            total_end,
            map_left,
            width: map_right.max(title_right + MARGIN),
            height: legend_top(grid) + 3 * ROW_HEIGHT,
        }
    }
}

/// Top of the legend, below the last row.
fn legend_top(grid: &Grid) -> usize {
    ROWS_TOP + grid.rows.len().max(1) * ROW_HEIGHT + ROW_HEIGHT
}

/// The title, what a cell is, and how the values were read.
fn headings(svg: &mut String, grid: &Grid, source: Source, title: &str) {
    let _ = writeln!(
        svg,
        r#"<text x="{MARGIN}" y="22" font-size="16" font-weight="bold">{}</text>"#,
        escape(title)
    );
    let _ = writeln!(
        svg,
        r#"<text x="{MARGIN}" y="42">{}</text>"#,
        escape(&subtitle(grid))
    );
    let _ = writeln!(
        svg,
        r#"<text x="{MARGIN}" y="58" fill="{GREY}">{}</text>"#,
        escape(&source_text(source))
    );
}

/// The line under the title: the metric, its unit, what a cell is.
fn subtitle(grid: &Grid) -> String {
    format!(
        "{}; each cell: the mean of a master's slots among {} consecutive slots",
        grid.per_slot(),
        grid.slots_per_cell
    )
}

/// How the values were read, for the report's reader.
fn source_text(source: Source) -> String {
    match source {
        Source::SlotStats => "read with CLUSTER SLOT-STATS".to_string(),
        Source::CountKeys => "read with CLUSTER COUNTKEYSINSLOT".to_string(),
        Source::Sampled { keys_per_slot } => format!(
            "estimated with MEMORY USAGE of up to {keys_per_slot} keys per slot, scaled by the key count"
        ),
    }
}

/// The columns' names and the slot numbers above the cells.
fn column_headers(svg: &mut String, grid: &Grid, layout: &Layout) {
    let y = ROWS_TOP - 6;
    let _ = writeln!(
        svg,
        r#"<text x="{MARGIN}" y="{y}" font-weight="bold">master</text><text x="{}" y="{y}" text-anchor="end" font-weight="bold">share</text><text x="{}" y="{y}" text-anchor="end" font-weight="bold">{}</text>"#,
        layout.share_end,
        layout.total_end,
        grid.metric.name(),
    );
    for slot in AXIS_SLOTS {
        let (x, anchor) = match slot {
            0 => (layout.map_left, "start"),
            s if s == SLOT_COUNT - 1 => (layout.map_left + grid.columns() * CELL_WIDTH, "end"),
            s => (
                layout.map_left + usize::from(s) / grid.slots_per_cell * CELL_WIDTH,
                "middle",
            ),
        };
        let _ = writeln!(
            svg,
            r#"<text x="{x}" y="{y}" text-anchor="{anchor}">{slot}</text>"#
        );
    }
}

/// Every master's labels, the rows' background, then the cells: one path per mark.
fn rows(svg: &mut String, grid: &Grid, layout: &Layout) {
    let map_width = grid.columns() * CELL_WIDTH;
    let mut background = String::new();
    let mut paths = vec![String::new(); LEVELS];
    for (i, row) in grid.rows.iter().enumerate() {
        let top = ROWS_TOP + i * ROW_HEIGHT;
        let baseline = top + CELL_HEIGHT - 2;
        let _ = writeln!(
            svg,
            r#"<text x="{MARGIN}" y="{baseline}">{}</text><text x="{}" y="{baseline}" text-anchor="end">{}</text><text x="{}" y="{baseline}" text-anchor="end">{}</text>"#,
            escape(&row.label),
            layout.share_end,
            percent(row.share),
            layout.total_end,
            escape(&metric_value(grid.metric, row.total)),
        );
        let _ = write!(
            background,
            "M{} {top}h{map_width}v{CELL_HEIGHT}h-{map_width}z",
            layout.map_left
        );
        let levels: Vec<Option<usize>> = row
            .cells
            .iter()
            .map(|cell| cell.map(|v| grid.level(v)))
            .collect();
        for (start, len, level) in runs(&levels) {
            let x = layout.map_left + start * CELL_WIDTH;
            let w = len * CELL_WIDTH;
            let _ = write!(paths[level], "M{x} {top}h{w}v{CELL_HEIGHT}h-{w}z");
        }
    }
    if grid.rows.is_empty() {
        let _ = writeln!(
            svg,
            r#"<text x="{MARGIN}" y="{}">(no master)</text>"#,
            ROWS_TOP + CELL_HEIGHT - 2
        );
        return;
    }
    let _ = writeln!(svg, r#"<path fill="{NOT_OWNED}" d="{background}"/>"#);
    let _ = writeln!(svg, r#"<g shape-rendering="crispEdges">"#);
    for (level, d) in paths.iter().enumerate().filter(|(_, d)| !d.is_empty()) {
        let _ = writeln!(svg, r#"<path fill="{}" d="{d}"/>"#, hex_colour(level));
    }
    let _ = writeln!(svg, "</g>");
}

/// Runs of equal marks in `levels`: (first cell, length, mark); blanks are left out.
fn runs(levels: &[Option<usize>]) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        let Some(level) = *level else { continue };
        match out.last_mut() {
            Some((start, len, l)) if *l == level && *start + *len == i => *len += 1,
            _ => out.push((i, 1, level)),
        }
    }
    out
}

/// The scale: its lowest value, the marks' colours, the hottest value, and what blank means.
fn legend(svg: &mut String, grid: &Grid, layout: &Layout) {
    let top = legend_top(grid);
    let baseline = top + CELL_HEIGHT - 2;
    if grid.hottest <= 0.0 {
        let _ = writeln!(
            svg,
            r#"<text x="{MARGIN}" y="{baseline}">no load measured: every slot reads 0</text>"#
        );
        return;
    }
    let swatches_left = layout.map_left;
    let _ = writeln!(
        svg,
        r#"<text x="{MARGIN}" y="{baseline}">scale</text><text x="{}" y="{baseline}" text-anchor="end">≤ {}</text>"#,
        swatches_left - 4,
        escape(&metric_value(grid.metric, grid.upper_bound(0))),
    );
    for level in 0..LEVELS {
        let _ = writeln!(
            svg,
            r#"<rect x="{}" y="{top}" width="{SWATCH_WIDTH}" height="{CELL_HEIGHT}" fill="{}"/>"#,
            swatches_left + level * SWATCH_WIDTH,
            hex_colour(level)
        );
    }
    let after = swatches_left + LEVELS * SWATCH_WIDTH;
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{baseline}">{} per slot (log: each colour doubles)</text>"#,
        after + 4,
        escape(&metric_value(grid.metric, grid.hottest)),
    );
    let second = top + ROW_HEIGHT + 4;
    let _ = writeln!(
        svg,
        r#"<rect x="{swatches_left}" y="{second}" width="{SWATCH_WIDTH}" height="{CELL_HEIGHT}" fill="{NOT_OWNED}"/><text x="{}" y="{}">not the master's slots</text>"#,
        swatches_left + SWATCH_WIDTH + 4,
        second + CELL_HEIGHT - 2,
    );
}

/// The `#rrggbb` of mark `level`: its xterm-256 colour's RGB (the 6×6×6 cube).
fn hex_colour(level: usize) -> String {
    const STEPS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let cube = usize::from(RAMP[level].1.saturating_sub(16));
    let (r, g, b) = (cube / 36 % 6, cube / 6 % 6, cube % 6);
    format!("#{:02x}{:02x}{:02x}", STEPS[r], STEPS[g], STEPS[b])
}

/// `text` safe in XML content and attribute values: markup characters as entities,
/// characters XML 1.0 forbids as `?`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::slot_grid::fixtures::{master, one_with_empty_master, three_skewed};
    use super::*;
    use crate::cluster::load::Metric;

    /// Panics unless `xml` is one well-formed element after an optional declaration: tags
    /// balanced and properly nested, attribute values quoted, `<` only in markup, `&` only in
    /// entities.
    fn assert_well_formed(xml: &str) {
        let body = match xml.strip_prefix("<?xml") {
            Some(rest) => &rest[rest.find("?>").expect("declaration ends") + 2..],
            None => xml,
        };
        let mut open: Vec<&str> = Vec::new();
        let mut roots = 0;
        let mut rest = body;
        while let Some(lt) = rest.find('<') {
            assert_text(&rest[..lt]);
            let gt = lt + rest[lt..].find('>').expect("tag ends");
            let tag = &rest[lt + 1..gt];
            rest = &rest[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(name.trim()), "closing tag {tag:?}");
                continue;
            }
            if open.is_empty() {
                roots += 1;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
            assert_attributes(&tag[name_end..]);
            if !self_closing {
                open.push(&tag[..name_end]);
            }
        }
        assert_text(rest);
        assert!(open.is_empty(), "unclosed: {open:?}");
        assert_eq!(roots, 1);
    }

    /// Attributes: `name="value"` pairs whose values hold no `<`, `"` or bare `&`.
    fn assert_attributes(mut attrs: &str) {
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() {
                return;
            }
            let eq = attrs.find("=\"").expect("attribute name=\"value\"");
            assert!(!attrs[..eq].contains(char::is_whitespace), "{attrs}");
            let value_end = eq + 2 + attrs[eq + 2..].find('"').expect("value quoted");
            assert_text(&attrs[eq + 2..value_end]);
            attrs = &attrs[value_end + 1..];
        }
    }

    /// Character data: no `<`, every `&` an entity.
    fn assert_text(text: &str) {
        assert!(!text.contains('<'), "{text}");
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..i + text[i..].find(';').expect("entity ends")];
            assert!(
                ["&amp", "&lt", "&gt", "&quot", "&apos"].contains(&entity),
                "{entity}"
            );
        }
    }

    #[test]
    fn the_document_is_well_formed_and_escapes_user_text() {
        let (mut nodes, values) = three_skewed();
        nodes[0].addr = "evil\"<host>&'\x07:7000".to_string();
        let svg = heat_map_svg(&nodes, &values, "load <of> \"prod\" & co");
        assert_well_formed(&svg);
        assert!(
            svg.contains("evil&quot;&lt;host&gt;&amp;&apos;?:7000"),
            "{svg}"
        );
        assert!(svg.contains("load &lt;of&gt; &quot;prod&quot; &amp; co"));
    }

    #[test]
    fn it_names_the_metric_scale_and_masters() {
        let (nodes, values) = three_skewed();
        let svg = heat_map_svg(&nodes, &values, "t");
        for text in [
            "memory per slot (bytes)",
            "MEMORY USAGE of up to 10 keys",
            "127.0.0.1:7002",
            "30.9%",
            "32.2 KB per slot (log: each colour doubles)",
            ">16383<",
            "#ff0000",
        ] {
            assert!(svg.contains(text), "{text} missing:\n{svg}");
        }
        assert!(!svg.contains("href"), "nothing external");
    }

    #[test]
    fn cells_of_a_mark_share_one_path_merged_into_runs() {
        let (nodes, values) = one_with_empty_master();
        let svg = heat_map_svg(&nodes, &values, "keys");
        let top = hex_colour(LEVELS - 1);
        let cells: Vec<&str> = svg
            .lines()
            .filter(|l| l.contains(&format!("fill=\"{top}\" d=")))
            .collect();
        assert_eq!(cells.len(), 1, "{svg}");
        assert_eq!(cells[0].matches('M').count(), 1, "one run of 256 cells");
        assert_eq!(
            runs(&[Some(1), Some(1), None, Some(1), Some(2)]),
            [(0, 2, 1), (3, 1, 1), (4, 1, 2)]
        );
    }

    #[test]
    fn a_hundred_scattered_masters_stay_under_a_megabyte() {
        let nodes: Vec<PlanNode> = (0..100u16)
            .map(|i| {
                master(
                    &format!("node-{i}.example.com:6379"),
                    (0..SLOT_COUNT).filter(move |s| s % 100 == i),
                )
            })
            .collect();
        let mut values = SlotValues::zeroed(Metric::Net, Source::SlotStats);
        for (slot, v) in values.values.iter_mut().enumerate() {
            *v = ((slot * 7919) % 1000) as f64;
        }
        let svg = heat_map_svg(&nodes, &values, "scattered");
        assert_well_formed(&svg);
        assert!(svg.len() < 1_000_000, "{} bytes", svg.len());
        assert_eq!(svg.matches("text-anchor=\"end\">").count(), 2 * 100 + 2);
    }

    #[test]
    fn no_input_makes_it_panic() {
        let mut nan = SlotValues::zeroed(Metric::Cpu, Source::CountKeys);
        nan.values.fill(f64::NAN);
        let (nodes, _) = three_skewed();
        for nodes in [&nodes[..], &[]] {
            let svg = heat_map_svg(nodes, &nan, "");
            assert_well_formed(&svg);
        }
        assert!(heat_map_svg(&[], &nan, "").contains("(no master)"));
        assert!(heat_map_svg(&nodes, &nan, "").contains("no load measured"));
    }

    #[test]
    fn colours_come_from_the_xterm_cube() {
        assert_eq!(hex_colour(0), "#00005f");
        assert_eq!(hex_colour(LEVELS - 1), "#ff0000");
    }
}
