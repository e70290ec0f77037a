//! Load metrics for people: `1.2M` keys, `1.2 GB`, `340 KB/s`, `12.5 ms/s` of CPU, `41.2%`.
//! Three significant digits at most, SI prefixes (KB, MB, GB are powers of 1000, as in
//! `crate::rate`, whose exact formatting of configured limits is a different job). Pure.

use crate::cluster::load::Metric;

/// A unit's steps: the size of each and its suffix, smallest first.
type Steps = &'static [(f64, &'static str)];

/// Counts: `950`, `1.2K`, `3.4M`.
const COUNT: Steps = &[(1.0, ""), (1e3, "K"), (1e6, "M"), (1e9, "G"), (1e12, "T")];

/// Bytes: `950 B`, `1.2 KB`, `1.2 GB`.
const BYTES: Steps = &[
    (1.0, " B"),
    (1e3, " KB"),
    (1e6, " MB"),
    (1e9, " GB"),
    (1e12, " TB"),
];

/// Bytes per second.
const BYTES_PER_SEC: Steps = &[
    (1.0, " B/s"),
    (1e3, " KB/s"),
    (1e6, " MB/s"),
    (1e9, " GB/s"),
    (1e12, " TB/s"),
];

/// CPU time per second, from microseconds: `850 µs/s`, `12.5 ms/s`, `1.2 s/s` (a core).
const CPU_PER_SEC: Steps = &[(1.0, " µs/s"), (1e3, " ms/s"), (1e6, " s/s")];

/// `value` of `metric` with its unit (keys have none: `1.2M`); NaN and values below 0 show
/// as 0.
pub(crate) fn metric_value(metric: Metric, value: f64) -> String {
    let steps = match metric {
        Metric::Keys => COUNT,
        Metric::Memory => BYTES,
        Metric::Cpu => CPU_PER_SEC,
        Metric::NetIn | Metric::NetOut | Metric::Net => BYTES_PER_SEC,
    };
    scaled(value, steps)
}

/// `fraction` (0 to 1) as a percentage with one decimal: `41.2%` (NaN and -0 show as 0).
pub(crate) fn percent(fraction: f64) -> String {
    let fraction = if fraction.is_nan() {
        0.0
    } else {
        fraction + 0.0
    };
    format!("{:.1}%", 100.0 * fraction)
}

/// `value` in the largest step it reaches once rounded to three significant digits.
fn scaled(value: f64, steps: Steps) -> String {
    let value = if value.is_finite() && value > 0.0 {
        value
    } else {
        0.0
    };
    let rounded = round_to_significant(value, 3);
    let (size, suffix) = steps
        .iter()
        .rev()
        .find(|(size, _)| rounded >= *size)
        .unwrap_or(&steps[0]);
    let mantissa = round_to_significant(value / size, 3);
    let number = if mantissa >= 100.0 {
        format!("{mantissa:.0}")
    } else if *size > 1.0 {
        format!("{mantissa:.1}")
    } else {
        base_number(mantissa)
    };
    format!("{number}{suffix}")
}

/// A number under 100 in the base unit: as few decimals as it needs, three at most
/// (`2`, `12.5`, `0.041`).
fn base_number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `value` (>= 0) rounded to `digits` significant digits.
fn round_to_significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(digits - 1 - value.log10().floor() as i32);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_metric_has_its_unit() {
        assert_eq!(metric_value(Metric::Keys, 1_234_567.0), "1.2M");
        assert_eq!(metric_value(Metric::Memory, 1_234_567_890.0), "1.2 GB");
        assert_eq!(metric_value(Metric::NetIn, 340_000.0), "340 KB/s");
        assert_eq!(metric_value(Metric::Net, 12.0), "12 B/s");
        assert_eq!(metric_value(Metric::Cpu, 12_500.0), "12.5 ms/s");
        assert_eq!(metric_value(Metric::Cpu, 850.0), "850 µs/s");
        assert_eq!(metric_value(Metric::Cpu, 1_200_000.0), "1.2 s/s");
    }

    #[test]
    fn small_counts_keep_the_decimals_they_need() {
        assert_eq!(metric_value(Metric::Keys, 950.0), "950");
        assert_eq!(metric_value(Metric::Keys, 2.0), "2");
        assert_eq!(metric_value(Metric::Keys, 12.5), "12.5");
        assert_eq!(metric_value(Metric::Keys, 0.0412), "0.041");
        assert_eq!(metric_value(Metric::Keys, 0.0), "0");
    }

    #[test]
    fn rounding_moves_to_the_next_prefix() {
        assert_eq!(metric_value(Metric::Memory, 999.7), "1.0 KB");
        assert_eq!(metric_value(Metric::Memory, 99_960.0), "100 KB");
        assert_eq!(metric_value(Metric::Keys, 999_999_999_999_999.0), "1000T");
    }

    #[test]
    fn nonsense_shows_as_zero() {
        for bad in [f64::NAN, -5.0, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(metric_value(Metric::Memory, bad), "0 B");
        }
        assert_eq!(percent(f64::NAN), "0.0%");
        assert_eq!(percent(-0.0), "0.0%");
        assert_eq!(percent(0.4123), "41.2%");
        assert_eq!(percent(1.0), "100.0%");
    }
}
