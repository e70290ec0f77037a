//! Snapshot tests of the renderers: the text, tables and JSON documents of `check`, `info`,
//! `nodes` and `slots` for fixture clusters, and `load`'s heat maps (plain text and SVG) of
//! fixture loads, compared with the files in `src/report/golden/`.
//! A change in what an operator or a script reads fails here first; when the change is
//! meant, `RCLUSTER_BLESS=1 cargo test --lib golden` rewrites the files (review the diff).

use std::path::PathBuf;

use super::heatmap::{HeatMapOptions, heat_map};
use super::json::{CheckJson, InfoJson, NodesJson, SlotsJson};
use super::slot_grid::fixtures::{one_with_empty_master, three_skewed};
use super::svg::heat_map_svg;
use super::table::{nodes_table, slot_rows, slots_table};
use super::text::{check_report, info_summary};
use crate::cluster::snapshot::Snapshot;
use crate::cluster::snapshot::fixtures::{HEALTHY, all_views, snapshot, view_of};
use crate::cluster::verdict::check::check;

/// The fixture clusters: a healthy one, and one with an open slot and an unreachable replica.
fn fixtures() -> Vec<(&'static str, Snapshot)> {
    let healthy = snapshot(&all_views(HEALTHY));
    let mut views = all_views(HEALTHY);
    // Slot 100 migrating from the first master to the second, which imports it.
    views[0] = Some(view_of(HEALTHY, 0).replacen(
        "0-5460",
        "0-5460 [100->-aa75a42766edf123a8af89970965d0f41be40cf8]",
        1,
    ));
    views[1] = Some(view_of(HEALTHY, 1).replacen(
        "5461-10922",
        "5461-10922 [100-<-1ad5a315b83b55dfcacbf1ef02ccf684513151c9]",
        1,
    ));
    views[5] = None;
    vec![("healthy", healthy), ("open-slot", snapshot(&views))]
}

/// Everything rendered for `snap`, one section per renderer.
fn render(snap: &Snapshot) -> String {
    let report = check(snap, None);
    let mut text = info_summary(snap);
    text.extend(check_report(snap, &report));
    let rows = slot_rows(snap);
    let json = |value: serde_json::Value| serde_json::to_string_pretty(&value).unwrap();
    [
        ("check (text)", text.to_text()),
        ("nodes (table)", nodes_table(snap)),
        ("slots (table)", slots_table(&rows)),
        (
            "check --json",
            json(serde_json::to_value(CheckJson::new(snap, &report)).unwrap()),
        ),
        (
            "info --json",
            json(serde_json::to_value(InfoJson::new(snap)).unwrap()),
        ),
        (
            "nodes --json",
            json(serde_json::to_value(NodesJson::new(snap)).unwrap()),
        ),
        (
            "slots --json",
            json(
                serde_json::to_value(SlotsJson {
                    entry: snap.entry.to_string(),
                    ranges: &rows,
                })
                .unwrap(),
            ),
        ),
    ]
    .iter()
    .map(|(name, body)| format!("=== {name}\n{}\n", body.trim_end()))
    .collect()
}

#[test]
fn renderers_match_their_golden_files() {
    assert_golden(
        fixtures()
            .iter()
            .map(|(name, snap)| (format!("{name}.txt"), render(snap)))
            .collect(),
    );
}

#[test]
fn heat_maps_match_their_golden_files() {
    let plain = HeatMapOptions {
        width: 100,
        colour: false,
    };
    let (skewed_nodes, skewed) = three_skewed();
    let (lone_nodes, lone) = one_with_empty_master();
    assert_golden(vec![
        (
            "heatmap-skewed.txt".to_string(),
            heat_map(&skewed_nodes, &skewed, plain),
        ),
        (
            "heatmap-empty-master.txt".to_string(),
            heat_map(&lone_nodes, &lone, plain),
        ),
        (
            "heatmap-skewed.svg".to_string(),
            heat_map_svg(&skewed_nodes, &skewed, "memory of a skewed cluster"),
        ),
    ]);
}

/// Compares each rendering with its file in `src/report/golden/` (`RCLUSTER_BLESS` set:
/// writes the files instead).
fn assert_golden(renderings: Vec<(String, String)>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/report/golden");
    let bless = std::env::var_os("RCLUSTER_BLESS").is_some();
    let mut stale = Vec::new();
    for (file, rendered) in renderings {
        let path = dir.join(file);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &rendered).unwrap();
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_default();
        if golden != rendered {
            stale.push(format!(
                "{}: rendered output differs (RCLUSTER_BLESS=1 cargo test --lib golden \
                 rewrites it):\n{rendered}",
                path.display()
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}
