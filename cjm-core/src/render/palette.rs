//! The colours of every picture, and the WCAG contrast check they pass.
//!
//! Colour never carries meaning alone: channel kinds also have a glyph and a text label,
//! severities a number, personas a marker shape and their name, KPI status a word. Every
//! pair of text colour and the background it is drawn on is listed by [`text_pairs`], and
//! a test checks each reaches the WCAG 2.x AA ratio for normal text, 4.5:1.

use crate::model::ChannelKind;

/// Page background.
pub const BACKGROUND: &str = "#ffffff";
/// Background of every other lane band and of table headers.
pub const BAND: &str = "#f6f8fa";
/// Main text.
pub const INK: &str = "#1f2328";
/// Secondary text (captions, axis labels).
pub const MUTED: &str = "#59636e";
/// Grid and separator lines (not text).
pub const RULE: &str = "#d1d9e0";
/// Stage header background.
pub const HEADER: &str = "#24292f";
/// Stage header text.
pub const HEADER_TEXT: &str = "#ffffff";

/// Colours of a channel kind: `(text and border, card fill)`.
#[must_use]
pub fn channel_kind(kind: ChannelKind) -> (&'static str, &'static str) {
    match kind {
        ChannelKind::Online => ("#0550ae", "#ddf4ff"),
        ChannelKind::Offline => ("#116329", "#dafbe1"),
        ChannelKind::Assisted => ("#6639ba", "#f5eeff"),
    }
}

/// Colours of a pain point severity 1–5: `(badge fill, badge text)`.
#[must_use]
pub fn severity(severity: u8) -> (&'static str, &'static str) {
    match severity {
        0 | 1 => ("#fff8c5", "#4d2d00"),
        2 => ("#ffe175", "#4d2d00"),
        3 => ("#fb8f44", "#1f2328"),
        4 => ("#bc4c00", "#ffffff"),
        _ => ("#a40e26", "#ffffff"),
    }
}

/// Border of pain point cards of severity 1–3 (whose badge fills are light).
pub const SEVERITY_LOW_BORDER: &str = "#bf8700";

/// Colours for personas, used in turn (by persona position in the document); each is
/// dark enough to be text on [`BACKGROUND`] and [`BAND`].
pub const PERSONAS: [&str; 6] = [
    "#0550ae", "#9a3412", "#116329", "#6639ba", "#a40e26", "#0b6e74",
];

/// Categorical colours (flow nodes, channels), used in turn: the persona colours, then
/// ochre, pink, olive, orange and indigo; each is dark enough to be text on
/// [`BACKGROUND`] and [`BAND`], and none is the grey ([`MUTED`]) that marks folds and
/// exits. More categories than colours reuse them; labels are always written.
pub const CATEGORICAL: [&str; 11] = [
    "#0550ae", "#9a3412", "#116329", "#6639ba", "#a40e26", "#0b6e74", "#7d4e00", "#bf3989",
    "#4d6b00", "#b35900", "#3f51b5",
];

/// Opportunity card border and label.
pub const OPPORTUNITY: &str = "#0b6e74";
/// Opportunity card fill.
pub const OPPORTUNITY_FILL: &str = "#e6f6f6";
/// Pain point card fill.
pub const PAIN_FILL: &str = "#fff5f5";
/// A KPI on target.
pub const GOOD: &str = "#116329";
/// A KPI off target.
pub const BAD: &str = "#a40e26";

/// Every (name, text colour, background) pair the pictures draw text with.
#[must_use]
pub fn text_pairs() -> Vec<(String, &'static str, &'static str)> {
    let mut pairs = vec![
        ("ink".to_owned(), INK, BACKGROUND),
        ("ink on band".to_owned(), INK, BAND),
        ("muted".to_owned(), MUTED, BACKGROUND),
        ("muted on band".to_owned(), MUTED, BAND),
        ("stage header".to_owned(), HEADER_TEXT, HEADER),
        ("opportunity".to_owned(), OPPORTUNITY, OPPORTUNITY_FILL),
        ("ink on opportunity".to_owned(), INK, OPPORTUNITY_FILL),
        ("muted on opportunity".to_owned(), MUTED, OPPORTUNITY_FILL),
        ("ink on pain".to_owned(), INK, PAIN_FILL),
        ("muted on pain".to_owned(), MUTED, PAIN_FILL),
        ("good".to_owned(), GOOD, BACKGROUND),
        ("bad".to_owned(), BAD, BACKGROUND),
        ("good on band".to_owned(), GOOD, BAND),
        ("bad on band".to_owned(), BAD, BAND),
    ];
    for kind in [
        ChannelKind::Online,
        ChannelKind::Offline,
        ChannelKind::Assisted,
    ] {
        let (text, fill) = channel_kind(kind);
        pairs.push((format!("{kind:?} on its card"), text, fill));
        pairs.push((format!("ink on {kind:?} card"), INK, fill));
        pairs.push((format!("muted on {kind:?} card"), MUTED, fill));
        pairs.push((format!("{kind:?} on band"), text, BAND));
        pairs.push((format!("{kind:?} on background"), text, BACKGROUND));
    }
    for s in 1..=5 {
        let (fill, text) = severity(s);
        pairs.push((format!("severity {s} badge"), text, fill));
    }
    for (i, colour) in PERSONAS.iter().enumerate() {
        pairs.push((format!("persona {i}"), colour, BACKGROUND));
        pairs.push((format!("persona {i} on band"), colour, BAND));
    }
    for (i, colour) in CATEGORICAL.iter().enumerate() {
        pairs.push((format!("categorical {i}"), colour, BACKGROUND));
        pairs.push((format!("categorical {i} on band"), colour, BAND));
    }
    pairs
}

/// The WCAG 2.x contrast ratio `(L1 + 0.05)/(L2 + 0.05)` of two `#rrggbb` colours, from
/// 1 to 21; `None` when a colour is not in that form.
#[must_use]
pub fn contrast_ratio(a: &str, b: &str) -> Option<f64> {
    let la = luminance(a)?;
    let lb = luminance(b)?;
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

/// Relative luminance of an sRGB `#rrggbb` colour (WCAG 2.x definition).
fn luminance(hex: &str) -> Option<f64> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let channel = |i: usize| -> Option<f64> {
        let v = u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()?;
        let c = f64::from(v) / 255.0;
        Some(if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_of_black_and_white_is_21() {
        let r = contrast_ratio("#000000", "#ffffff").unwrap();
        assert!((r - 21.0).abs() < 1e-9);
        assert!((contrast_ratio("#777777", "#777777").unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(contrast_ratio("red", "#fff"), None);
    }
}
