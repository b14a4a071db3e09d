//! The retention heat map: one row per cohort, one column per period after the cohort's,
//! each cell the share of the cohort retained, written in the cell and shaded by it; the
//! weighted mean curve as a last row. A cell whose period had not begun by the end of
//! observation is left blank (never drawn as 0 %), and the legend says so.

use super::palette;
use super::svg::{count_f64, Anchor, Canvas, Font};
use super::text::{count, percent, text_width, wrap_text};
use crate::events::RetentionResult;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Options of [`retention_heatmap_svg`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionChartOptions {
    /// A title above the table.
    pub title: Option<String>,
}

const MARGIN: f64 = 16.0;
const CELL_H: f64 = 24.0;
const GAP: f64 = 2.0;
const BODY: Font = Font::new(12.0, palette::INK);
const SMALL: Font = Font::new(11.0, palette::MUTED);

/// Six shades from light to dark blue for shares in [0, 1/6), … [5/6, 1]; the text on the
/// last three is white (each pair meets WCAG AA contrast).
const SHADES: [(&str, &str); 6] = [
    ("#f0f6ff", palette::INK),
    ("#cae8ff", palette::INK),
    ("#80ccff", palette::INK),
    ("#218bff", "#ffffff"),
    ("#0969da", "#ffffff"),
    ("#0a3069", "#ffffff"),
];

fn shade(rate: f64) -> (&'static str, &'static str) {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a share in [0, 1] times 6, floored and capped"
    )]
    let i = ((rate.clamp(0.0, 1.0) * 6.0).floor() as usize).min(SHADES.len() - 1);
    SHADES.get(i).copied().unwrap_or(SHADES[0])
}

/// The retention table as a heat map (module documentation). The period unit is read
/// from the result's definition (`day`, `week` or `month`).
#[must_use]
pub fn retention_heatmap_svg(result: &RetentionResult, options: &RetentionChartOptions) -> String {
    let unit = result
        .definition
        .params
        .pointer("/options/period")
        .and_then(|p| p.as_str())
        .unwrap_or("period");
    let periods = result
        .cohorts
        .first()
        .map_or(result.mean.weighted.len(), |c| c.rates.len());
    let label = |start: &str, size: u64| format!("{start} \u{b7} {}", count(size));
    let mean_label = "Mean (weighted)";
    let label_w = result
        .cohorts
        .iter()
        .map(|c| text_width(&label(&c.period_start, c.size), BODY.size, false))
        .fold(text_width(mean_label, BODY.size, true), f64::max)
        + 12.0;
    let cell_w = text_width("100.0\u{a0}%", SMALL.size, false)
        .max(text_width("10", SMALL.size, true))
        + 10.0;
    let grid_w = (cell_w + GAP) * count_f64(periods);
    let width = (MARGIN * 2.0 + label_w + grid_w).max(360.0);

    let mut c = Canvas::new();
    let mut y = MARGIN;
    if let Some(title) = &options.title {
        let t = Font::new(16.0, palette::INK).bold();
        let lines = wrap_text(title, width - 2.0 * MARGIN, t.size, true, 2);
        y += c.lines(MARGIN, y, &lines.lines, t, Anchor::Start) + 6.0;
    }
    let caption = format!(
        "Share of each cohort active in each {unit} after its first (cohort start \u{b7} customers). Blank: not yet observable."
    );
    let lines = wrap_text(&caption, width - 2.0 * MARGIN, SMALL.size, false, 3);
    y += c.lines(MARGIN, y, &lines.lines, SMALL, Anchor::Start) + 8.0;

    // Column headings: the period index.
    let x0 = MARGIN + label_w;
    c.text(MARGIN, y + BODY.size, "Cohort", BODY.bold(), Anchor::Start);
    for k in 0..periods {
        let x = x0 + count_f64(k) * (cell_w + GAP) + cell_w / 2.0;
        c.text(
            x,
            y + BODY.size,
            &k.to_string(),
            BODY.bold(),
            Anchor::Middle,
        );
    }
    y += BODY.line_height() + 4.0;

    let row = |c: &mut Canvas, y: f64, name: &str, bold: bool, cells: &[(Option<f64>, String)]| {
        let font = if bold { BODY.bold() } else { BODY };
        c.text(MARGIN, y + CELL_H / 2.0 + 4.0, name, font, Anchor::Start);
        for (k, (rate, tip)) in cells.iter().enumerate() {
            let x = x0 + count_f64(k) * (cell_w + GAP);
            let Some(rate) = rate else { continue };
            let (fill, ink) = shade(*rate);
            c.open_group(Some(tip));
            c.rect(x, y, cell_w, CELL_H, 2.0, fill, None);
            c.text(
                x + cell_w / 2.0,
                y + CELL_H / 2.0 + 4.0,
                &percent(*rate),
                Font::new(SMALL.size, ink),
                Anchor::Middle,
            );
            c.close_group();
        }
    };
    for cohort in &result.cohorts {
        let cells: Vec<(Option<f64>, String)> = cohort
            .rates
            .iter()
            .zip(&cohort.retained)
            .enumerate()
            .map(|(k, (rate, kept))| {
                let tip = match (rate, kept) {
                    (Some(r), Some(n)) => format!(
                        "cohort {}, {unit} {k}: {} of {} ({})",
                        cohort.period_start,
                        count(*n),
                        count(cohort.size),
                        percent(*r)
                    ),
                    _ => String::new(),
                };
                (*rate, tip)
            })
            .collect();
        row(
            &mut c,
            y,
            &label(&cohort.period_start, cohort.size),
            false,
            &cells,
        );
        y += CELL_H + GAP;
    }
    if !result.cohorts.is_empty() {
        y += 4.0;
        let cells: Vec<(Option<f64>, String)> = result
            .mean
            .weighted
            .iter()
            .zip(&result.mean.cohorts)
            .enumerate()
            .map(|(k, (rate, n))| {
                (
                    *rate,
                    format!("{unit} {k}: weighted mean over {} cohorts", count(*n)),
                )
            })
            .collect();
        row(&mut c, y, mean_label, true, &cells);
        y += CELL_H + GAP;
    } else {
        c.text(
            MARGIN,
            y + BODY.size,
            "No cohort in the range.",
            SMALL,
            Anchor::Start,
        );
        y += BODY.line_height();
    }
    let height = y + MARGIN;
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| "Retention by cohort".to_owned());
    c.finish(
        width,
        height,
        &title,
        &format!(
            "{} cohorts over {} {unit}s; {} customers",
            result.cohorts.len(),
            periods,
            count(result.customers)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::shade;

    #[test]
    fn shades_step_every_sixth_and_never_leave_the_scale() {
        assert_eq!(shade(0.0), shade(0.16));
        assert_ne!(shade(0.16), shade(0.17));
        assert_eq!(shade(1.0), shade(0.9));
        assert_eq!(shade(-1.0), shade(0.0));
        assert_eq!(shade(2.0), shade(1.0));
    }
}
