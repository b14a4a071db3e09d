//! How numbers are written for people, once for the whole crate: the HTML report, the
//! pictures and the insights' messages all use these (and the bindings' displays use the
//! report's output), so that a KPI reads `2.6 %` everywhere and never `0.026` in one place.
//! No `-0`, at most the precision the value has, thousands separators for counts.

use crate::model::{Kpi, Metric};

/// Formats a coordinate or value with at most two decimals, without trailing zeros and
/// never as `-0`, so that output is the same on every platform.
#[must_use]
pub fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let mut s = format!("{value:.2}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_owned();
    }
    s
}

/// Formats a signed value in [−1, 1] with two decimals and an explicit sign (`+0.50`,
/// `−0.75` with a true minus sign, `0.00`).
#[must_use]
pub fn signed(value: f64) -> String {
    let s = format!("{:.2}", value.abs());
    if s == "0.00" {
        s
    } else if value < 0.0 {
        format!("\u{2212}{s}")
    } else {
        format!("+{s}")
    }
}

/// Formats a count with thousands separators (`12,345`).
#[must_use]
pub fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats a share (0–1) as a percentage with at most one decimal (`45.6 %`).
#[must_use]
pub fn percent(share: f64) -> String {
    let s = format!("{:.1}", share * 100.0);
    let s = s.strip_suffix(".0").unwrap_or(&s);
    let s = if s == "-0" { "0" } else { s };
    format!("{s}\u{a0}%")
}

/// Formats a duration in seconds for people: `45 s`, `12 min`, `2 h 14 min`, `3 d 4 h`
/// (two units at most: below a minute to the nearest second, else to the nearest minute,
/// then shown in its two largest units). A negative or non-finite duration is `–`.
#[must_use]
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "\u{2013}".to_owned();
    }
    if seconds.round() < 60.0 {
        return format!("{}\u{a0}s", num(seconds.round()));
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a finite, non-negative number of minutes far below 2^63"
    )]
    let minutes = (seconds / 60.0).round() as u64;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (d, h, m) {
        (0, 0, m) => format!("{m}\u{a0}min"),
        (0, h, 0) => format!("{h}\u{a0}h"),
        (0, h, m) => format!("{h}\u{a0}h {m}\u{a0}min"),
        (d, 0, _) => format!("{d}\u{a0}d"),
        (d, h, _) => format!("{d}\u{a0}d {h}\u{a0}h"),
    }
}

/// The KPI unit of a value from 0 to 1 shown as a percentage (`0.08` reads `8 %`).
pub const SHARE: &str = "share";

/// A KPI value in its metric's natural form: rates (and a KPI whose unit is `share`, a
/// 0–1 value) as percentages, NPS as a whole number, others with at most two decimals and
/// the KPI's unit.
#[must_use]
pub fn kpi_value(k: &Kpi, value: f64) -> String {
    match k.metric {
        Metric::ConversionRate | Metric::DropOff | Metric::RetentionRate => percent(value),
        Metric::Nps => format!("{value:.0}"),
        _ => match &k.unit {
            Some(unit) if unit == SHARE => percent(value),
            Some(unit) if unit == "%" => format!("{}\u{a0}%", num(value)),
            Some(unit) => format!("{} {unit}", num(value)),
            None => num(value),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(42.4), "42\u{a0}s");
        assert_eq!(duration(59.6), "1\u{a0}min");
        assert_eq!(duration(90.0), "2\u{a0}min"); // 1.5 min rounds half away from zero
        assert_eq!(duration(8_040.0), "2\u{a0}h 14\u{a0}min");
        assert_eq!(duration(7_200.0), "2\u{a0}h");
        assert_eq!(duration(273_600.0), "3\u{a0}d 4\u{a0}h");
        assert_eq!(duration(259_200.0), "3\u{a0}d");
        // The 1,383,063.245 s: 23,051 min = 16 d 0 h 11 min, shown as 16 d.
        assert_eq!(duration(1_383_063.245), "16\u{a0}d");
        assert_eq!(duration(f64::NAN), "\u{2013}");
        assert_eq!(duration(-1.0), "\u{2013}");
    }

    #[test]
    fn numbers_never_read_minus_zero() {
        assert_eq!(num(-0.0001), "0");
        assert_eq!(percent(-0.00001), "0\u{a0}%");
        assert_eq!(percent(0.026), "2.6\u{a0}%");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn a_kpi_reads_in_its_unit() {
        let kpi = |unit: Option<&str>| Kpi {
            id: "k".into(),
            name: "K".into(),
            metric: Metric::Custom,
            stage: None,
            touchpoint: None,
            target: None,
            direction: None,
            actual: None,
            unit: unit.map(str::to_owned),
            extensions: crate::model::Extensions::default(),
        };
        // A share of 0-1 reads as a percentage, like the rate metrics.
        assert_eq!(kpi_value(&kpi(Some(SHARE)), 0.08), "8\u{a0}%");
        assert_eq!(kpi_value(&kpi(Some("%")), 8.0), "8\u{a0}%");
        assert_eq!(kpi_value(&kpi(Some("EUR")), 61.5), "61.5 EUR");
        assert_eq!(kpi_value(&kpi(None), 0.08), "0.08");
    }
}
