//! The `bigkeys` / `memkeys` report: redis-cli's summary lines, then a table of the biggest
//! keys with their node and slot (and database, where a database other than 0 holds keys).

use crate::cluster::keysizes::{KeySizes, Measure, SizedKey, unit};
use crate::output::Doc;
use crate::report::table::new_table;

/// redis-cli's `-------- summary -------` block; `with_db`: name each key's database.
pub(crate) fn summary(sizes: &KeySizes, measure: Measure, with_db: bool) -> Doc {
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
                "Biggest {kind:>6} found '{}' has {} {} (on {}, {}slot {})",
                big.quoted,
                big.size,
                unit(kind, measure),
                big.node,
                if with_db {
                    format!("db {}, ", big.db)
                } else {
                    String::new()
                },
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

/// A table of `keys`: type, key, size with its unit, node, database (when `with_db`), slot.
pub(crate) fn table(keys: &[SizedKey], measure: Measure, with_db: bool) -> String {
    let mut header = vec!["TYPE", "KEY", "SIZE", "NODE"];
    if with_db {
        header.push("DB");
    }
    header.push("SLOT");
    let mut table = new_table(header);
    for k in keys {
        let mut row = vec![
            k.kind.clone(),
            k.quoted.clone(),
            format!("{} {}", k.size, unit(&k.kind, measure)),
            k.node.clone(),
        ];
        if with_db {
            row.push(k.db.to_string());
        }
        row.push(k.slot.to_string());
        table.add_row(row);
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
            Some(SizedKey::new("hash", b"h:1", 2, "127.0.0.1:7000", 5)),
        );
        let text = summary(&sizes, Measure::Length, false).to_text();
        assert!(text.contains("Sampled 1 keys in the keyspace!"), "{text}");
        assert!(text.contains("Total key length in bytes is 3 (avg len 3.00)"));
        assert!(
            text.contains("Biggest   hash found '\"h:1\"' has 2 fields"),
            "{text}"
        );
        assert!(text.contains("1 hashs with 2 fields (100.00% of keys, avg size 2.00)"));
        assert!(text.contains("0 lists with 0 items (00.00% of keys, avg size 0.00)"));
        assert!(text.contains("(on 127.0.0.1:7000, slot "), "{text}");
        let text = summary(&sizes, Measure::Length, true).to_text();
        assert!(text.contains("(on 127.0.0.1:7000, db 5, slot "), "{text}");
        let listed = &sizes.types["hash"].biggest;
        let with_db = table(listed, Measure::Length, true);
        assert!(
            with_db.contains("DB") && with_db.contains(" 5 "),
            "{with_db}"
        );
        assert!(!table(listed, Measure::Length, false).contains("DB"));
    }
}
