//! Rates as operators type them and read them: `20000` or `20k` keys per second, `10MB` or
//! `64KiB` bytes per second. Pure parsing and formatting, used by the clap definition
//! (`--max-keys-per-sec`, `--max-bytes-per-sec`) and by the reports.
//!
//! Suffixes: `k`/`K`, `M`, `G` (and `KB`, `MB`, `GB`) are powers of 1000; `KiB`, `MiB`, `GiB`
//! powers of 1024 (unlike redis.conf, where `1mb` is 1048576); `B` is a byte. Case does not
//! matter except that `m` alone is refused (milli or mega?). 0 means no limit.

/// Multipliers of the suffixes a byte rate accepts (lowercase), longest first.
const BYTE_UNITS: &[(&str, u64)] = &[
    ("kib", 1 << 10),
    ("mib", 1 << 20),
    ("gib", 1 << 30),
    ("kb", 1_000),
    ("mb", 1_000_000),
    ("gb", 1_000_000_000),
    ("k", 1_000),
    ("m", 1_000_000),
    ("g", 1_000_000_000),
    ("b", 1),
];

/// Multipliers of the suffixes a key rate accepts (lowercase).
const COUNT_UNITS: &[(&str, u64)] = &[("k", 1_000), ("m", 1_000_000)];

/// clap's parser of `--max-keys-per-sec`: a whole number of keys per second, optionally with
/// a `k` or `M` suffix (`20k`); 0 means no limit.
pub(crate) fn keys_per_sec(text: &str) -> Result<u64, String> {
    parse(text, COUNT_UNITS).ok_or_else(|| {
        format!(
            "{text:?} is not a number of keys per second: give a whole number such as 5000 or \
             20k (0 for no limit)"
        )
    })
}

/// clap's parser of `--max-bytes-per-sec`: bytes per second, with an optional unit (`10MB`,
/// `64KiB`, `1.5GB`); 0 means no limit.
pub(crate) fn bytes_per_sec(text: &str) -> Result<u64, String> {
    parse(text, BYTE_UNITS).ok_or_else(|| {
        format!(
            "{text:?} is not a number of bytes per second: give e.g. 50000000, 50MB, 64KiB or \
             1.5GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024; 0 for no limit)"
        )
    })
}

/// A number with an optional unit from `units`; `None` when it does not parse, is negative,
/// or does not fit in a u64. A fraction is allowed only with a unit, and rounds to the
/// nearest whole number.
fn parse(text: &str, units: &[(&str, u64)]) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit = unit.trim();
    if number.is_empty() || unit == "m" {
        return None;
    }
    let multiplier = if unit.is_empty() {
        1
    } else {
        let lower = unit.to_ascii_lowercase();
        units.iter().find(|(u, _)| *u == lower)?.1
    };
    if !number.contains('.') {
        return number.parse::<u64>().ok()?.checked_mul(multiplier);
    }
    if unit.is_empty() {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let scaled = (value * multiplier as f64).round();
    (scaled.is_finite() && scaled < u64::MAX as f64).then_some(scaled as u64)
}

/// Bytes per second for people: `10 MB/s`, `64 KiB/s`, `1500 B/s` (exact units when the
/// number is a whole multiple of one, else one decimal in the SI unit).
pub(crate) fn show_bytes_per_sec(bytes: u64) -> String {
    for (name, size) in [
        ("GiB", 1u64 << 30),
        ("GB", 1_000_000_000),
        ("MiB", 1 << 20),
        ("MB", 1_000_000),
        ("KiB", 1 << 10),
        ("KB", 1_000),
    ] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {name}/s", bytes / size);
        }
    }
    for (name, size) in [("GB", 1_000_000_000u64), ("MB", 1_000_000), ("KB", 1_000)] {
        if bytes >= size {
            return format!("{:.1} {name}/s", bytes as f64 / size as f64);
        }
    }
    format!("{bytes} B/s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rates() {
        assert_eq!(keys_per_sec("5000"), Ok(5000));
        assert_eq!(keys_per_sec(" 20k "), Ok(20_000));
        assert_eq!(keys_per_sec("20K"), Ok(20_000));
        assert_eq!(keys_per_sec("1.5k"), Ok(1500));
        assert_eq!(keys_per_sec("2M"), Ok(2_000_000));
        assert_eq!(keys_per_sec("0"), Ok(0));
        for bad in [
            "",
            "-5",
            "5 keys",
            "1.5",
            "10MB",
            "2m",
            "k",
            "1e3",
            "99999999999999999999",
        ] {
            assert!(keys_per_sec(bad).is_err(), "{bad:?} accepted");
        }
        assert!(keys_per_sec("-5").unwrap_err().contains("0 for no limit"));
    }

    #[test]
    fn byte_rates() {
        assert_eq!(bytes_per_sec("1000"), Ok(1000));
        assert_eq!(bytes_per_sec("10MB"), Ok(10_000_000));
        assert_eq!(bytes_per_sec("10 mb"), Ok(10_000_000));
        assert_eq!(bytes_per_sec("64KiB"), Ok(65_536));
        assert_eq!(bytes_per_sec("64kib"), Ok(65_536));
        assert_eq!(bytes_per_sec("1.5GB"), Ok(1_500_000_000));
        assert_eq!(bytes_per_sec("2MiB"), Ok(2 * 1024 * 1024));
        assert_eq!(bytes_per_sec("300k"), Ok(300_000));
        assert_eq!(bytes_per_sec("12B"), Ok(12));
        assert_eq!(bytes_per_sec("0"), Ok(0));
        for bad in [
            "",
            "MB",
            "-1MB",
            "10 XB",
            "1.5",
            "10m",
            "1..5MB",
            "18446744073709551616",
        ] {
            assert!(bytes_per_sec(bad).is_err(), "{bad:?} accepted");
        }
        assert!(bytes_per_sec("10XB").unwrap_err().contains("KiB"));
    }

    #[test]
    fn byte_rates_shown() {
        assert_eq!(show_bytes_per_sec(10_000_000), "10 MB/s");
        assert_eq!(show_bytes_per_sec(65_536), "64 KiB/s");
        assert_eq!(show_bytes_per_sec(1_500_000), "1500 KB/s");
        assert_eq!(show_bytes_per_sec(1_234_567), "1.2 MB/s");
        assert_eq!(show_bytes_per_sec(999), "999 B/s");
    }
}
