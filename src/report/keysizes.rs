//! The `bigkeys` / `memkeys` report: redis-cli's summary lines, then a table of the biggest
//! keys with their node and slot.

use crate::cluster::keysizes::{KeySizes, Measure, SizedKey, unit};
use crate::output::Doc;
use crate::report::table::new_table;

/// redis-cli's `-------- summary -------` block.
pub fn summary(sizes: &KeySizes, measure: Measure) -> Doc {
    let mut doc = Doc::new();
    doc.plain("");
    doc.plain("-------- summary -------");
    doc.plain("");
    doc.plain(format!("Sampled {} keys in the keyspace!", sizes.sampled));
    doc.plain(format!(
        "Total key length in bytes is {} (avg len {:.2})",
        sizes.key_bytes,
        ratio(sizes.key_bytes, sizes.sampled)
    ));
    doc.plain("");
    let ordered = sizes.ordered();
    for (kind, stats) in &ordered {
        if let Some(big) = stats.biggest.first() {
            doc.plain(format!(
                "Biggest {kind:>6} found '{}' has {} {} (on {}, slot {})",
                big.quoted,
                big.size,
                unit(kind, measure),
                big.node,
                big.slot
            ));
        }
    }
    doc.plain("");
    for (kind, stats) in &ordered {
        doc.plain(format!(
            "{} {kind}s with {} {} ({:05.2}% of keys, avg size {:.2})",
            stats.count,
            stats.total,
            unit(kind, measure),
            100.0 * ratio(stats.count, sizes.sampled),
            ratio(stats.total, stats.measured)
        ));
    }
    doc
}

/// A table of `keys`: type, key, size with its unit, node, slot.
pub fn table(keys: &[SizedKey], measure: Measure) -> String {
    let mut table = new_table(vec!["TYPE", "KEY", "SIZE", "NODE", "SLOT"]);
    for k in keys {
        table.add_row(vec![
            k.kind.clone(),
            k.quoted.clone(),
            format!("{} {}", k.size, unit(&k.kind, measure)),
            k.node.clone(),
            k.slot.to_string(),
        ]);
    }
    table.to_string()
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_like_redis_cli() {
        let mut sizes = KeySizes::new(1);
        sizes.add(
            "hash",
            3,
            Some(SizedKey::new("hash", b"h:1", 2, "127.0.0.1:7000")),
        );
        let text = summary(&sizes, Measure::Length).to_text();
        assert!(text.contains("Sampled 1 keys in the keyspace!"), "{text}");
        assert!(text.contains("Total key length in bytes is 3 (avg len 3.00)"));
        assert!(
            text.contains("Biggest   hash found '\"h:1\"' has 2 fields"),
            "{text}"
        );
        assert!(text.contains("1 hashs with 2 fields (100.00% of keys, avg size 2.00)"));
        assert!(text.contains("0 lists with 0 items (00.00% of keys, avg size 0.00)"));
    }
}
