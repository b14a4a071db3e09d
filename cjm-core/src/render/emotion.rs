//! The emotion curve: per persona, the normalised stage emotion from
//! [`crate::scoring::emotion_curves`] on a −1..1 axis with a zero line, the low and high
//! points ringed and labelled. Drawn as a lane of the journey map and as a picture alone.

use super::palette;
use super::svg::{count_f64, Anchor, Canvas, Font};
use super::text::{signed, wrap_text};
use crate::scoring::{emotion_curves, EmotionCurve};
use crate::ValidJourney;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Options of [`emotion_curve_svg`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EmotionCurveOptions {
    /// The personas to draw (ids), in this order; all personas when absent. Unknown ids
    /// are ignored.
    pub personas: Option<Vec<String>>,
    /// Width in px (at least 480; default 900).
    pub width: u32,
    /// Whether to draw the title.
    pub title: bool,
}

impl Default for EmotionCurveOptions {
    fn default() -> Self {
        Self {
            personas: None,
            width: 900,
            title: true,
        }
    }
}

/// How one persona is drawn in every picture: its colour and marker shape follow its
/// position in the document, so a persona looks the same whatever is selected.
#[derive(Debug, Clone)]
pub(crate) struct PersonaStyle {
    pub id: String,
    pub name: String,
    pub index: usize,
    pub colour: &'static str,
}

/// The selected personas in selection order (document order without a selection).
pub(crate) fn persona_styles(
    journey: &ValidJourney,
    selection: Option<&[String]>,
) -> Vec<PersonaStyle> {
    let personas = &journey.journey().personas;
    let style = |index: usize| {
        personas.get(index).map(|p| PersonaStyle {
            id: p.id.clone(),
            name: p.name.clone(),
            index,
            colour: palette::PERSONAS
                .get(index % palette::PERSONAS.len())
                .copied()
                .unwrap_or(palette::INK),
        })
    };
    match selection {
        None => (0..personas.len()).filter_map(style).collect(),
        Some(ids) => {
            let mut seen: Vec<&str> = Vec::new();
            ids.iter()
                .filter(|id| {
                    let new = !seen.contains(&id.as_str());
                    seen.push(id);
                    new
                })
                .filter_map(|id| personas.iter().position(|p| &p.id == id))
                .filter_map(style)
                .collect()
        }
    }
}

/// The curves of the selected personas, paired with their styles.
pub(crate) fn selected_curves(
    journey: &ValidJourney,
    styles: &[PersonaStyle],
) -> Vec<(PersonaStyle, EmotionCurve)> {
    let curves = emotion_curves(journey);
    styles
        .iter()
        .filter_map(|s| {
            curves
                .iter()
                .find(|c| c.persona == s.id)
                .map(|c| (s.clone(), c.clone()))
        })
        .collect()
}

/// Where the plot goes: one x per stage, and the vertical extent.
pub(crate) struct PlotArea<'a> {
    pub xs: &'a [f64],
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub height: f64,
}

impl PlotArea<'_> {
    const PAD: f64 = 12.0;

    /// The y of a value in [−1, 1].
    pub(crate) fn y(&self, value: f64) -> f64 {
        let inner = self.height - 2.0 * Self::PAD;
        self.top + Self::PAD + (1.0 - value.clamp(-1.0, 1.0)) / 2.0 * inner
    }
}

/// Draws grid, zero line, axis labels (right-aligned at `area.left - 6`), the curves and
/// the rings on low and high points.
pub(crate) fn draw_plot(
    c: &mut Canvas,
    area: &PlotArea<'_>,
    curves: &[(PersonaStyle, EmotionCurve)],
) {
    let axis_font = Font::new(11.0, palette::MUTED);
    for (value, label) in [
        (1.0, "+1"),
        (0.5, "+0.5"),
        (0.0, "0"),
        (-0.5, "\u{2212}0.5"),
        (-1.0, "\u{2212}1"),
    ] {
        let y = area.y(value);
        if value == 0.0 {
            c.line(area.left, y, area.right, y, palette::MUTED, 1.2, None);
        } else {
            c.line(area.left, y, area.right, y, palette::RULE, 1.0, Some("2 3"));
        }
        c.text(area.left - 6.0, y + 4.0, label, axis_font, Anchor::End);
    }
    let n = count_f64(curves.len());
    for (k, (style, curve)) in curves.iter().enumerate() {
        // Personas are spread 12 px apart, more than the widest marker (the diamond,
        // 11.5 px), so that equal values never hide one another.
        let dodge = (count_f64(k) - (n - 1.0) / 2.0) * 12.0;
        let points: Vec<Option<(f64, f64)>> = curve
            .stages
            .iter()
            .zip(area.xs)
            .map(|(p, &x)| p.value.map(|v| (x + dodge, area.y(v))))
            .collect();
        // Segments join neighbouring stages that both have a value; a stage without data
        // leaves a gap rather than a made-up line.
        let mut path = String::new();
        let mut pen_down = false;
        for point in &points {
            match point {
                Some((x, y)) => {
                    path.push_str(if pen_down { "L" } else { "M" });
                    path.push_str(&format!(
                        "{},{} ",
                        super::text::num(*x),
                        super::text::num(*y)
                    ));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            c.raw(&format!(
                r#"<path d="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round"/>"#,
                path.trim_end(),
                style.colour
            ));
        }
        let ringed: Vec<&str> = [curve.low.as_ref(), curve.high.as_ref()]
            .into_iter()
            .flatten()
            .map(|e| e.stage.as_str())
            .collect();
        for (point, stage) in points.iter().zip(&curve.stages) {
            if let Some((x, y)) = point {
                if ringed.contains(&stage.id.as_str()) {
                    c.raw(&format!(
                        r#"<circle cx="{}" cy="{}" r="10" fill="none" stroke="{}" stroke-width="1.5"/>"#,
                        super::text::num(*x),
                        super::text::num(*y),
                        style.colour
                    ));
                }
                c.marker(style.index, *x, *y, 5.0, style.colour);
            }
        }
    }
}

/// One low/high label, to be listed under the plot in its stage's column.
pub(crate) struct ExtremeLabel<'a> {
    pub style: &'a PersonaStyle,
    pub text: String,
}

/// The low and high labels per stage (one list per stage, in stage order).
pub(crate) fn extreme_labels<'a>(
    stage_ids: &[&str],
    curves: &'a [(PersonaStyle, EmotionCurve)],
) -> Vec<Vec<ExtremeLabel<'a>>> {
    stage_ids
        .iter()
        .map(|stage| {
            let mut labels = Vec::new();
            for (style, curve) in curves {
                if let Some(high) = curve.high.as_ref().filter(|e| e.stage == *stage) {
                    labels.push(ExtremeLabel {
                        style,
                        text: format!("high {} {}", signed(high.value), style.name),
                    });
                }
                if let Some(low) = curve.low.as_ref().filter(|e| e.stage == *stage) {
                    // One data point is both low and high: say it once.
                    let same = curve.high.as_ref().is_some_and(|h| h.stage == low.stage);
                    if !same {
                        labels.push(ExtremeLabel {
                            style,
                            text: format!("low {} {}", signed(low.value), style.name),
                        });
                    }
                }
            }
            labels
        })
        .collect()
}

/// Draws a column's labels from `top` within `width`; returns the height used.
pub(crate) fn draw_labels(
    c: &mut Canvas,
    x: f64,
    top: f64,
    width: f64,
    labels: &[ExtremeLabel<'_>],
) -> f64 {
    let mut y = top;
    for label in labels {
        let font = Font::new(11.0, label.style.colour).bold();
        let wrapped = wrap_text(&label.text, width - 16.0, font.size, true, 3);
        c.marker(label.style.index, x + 5.0, y + 7.0, 4.5, label.style.colour);
        y += c.lines(x + 14.0, y, &wrapped.lines, font, Anchor::Start) + 3.0;
    }
    y - top
}

/// Height [`draw_labels`] will use.
pub(crate) fn labels_height(width: f64, labels: &[ExtremeLabel<'_>]) -> f64 {
    labels
        .iter()
        .map(|l| {
            let font = Font::new(11.0, l.style.colour).bold();
            let n = wrap_text(&l.text, width - 16.0, font.size, true, 3)
                .lines
                .len();
            font.line_height() * count_f64(n) + 3.0
        })
        .sum()
}

/// The emotion curve of each persona over the stages, as an SVG picture: a −1..1 axis
/// with a zero line, one line and marker shape per persona (stages without data leave a
/// gap), the low and high points ringed and labelled with their value, and a legend.
#[must_use]
pub fn emotion_curve_svg(journey: &ValidJourney, options: &EmotionCurveOptions) -> String {
    let j = journey.journey();
    let styles = persona_styles(journey, options.personas.as_deref());
    let curves = selected_curves(journey, &styles);
    let width = f64::from(options.width.max(480));
    let margin = 16.0;
    let axis_w = 44.0;
    let n = j.stages.len().max(1);
    let col_w = ((width - 2.0 * margin - axis_w) / count_f64(n)).max(110.0);
    let width = (2.0 * margin + axis_w + col_w * count_f64(n)).max(width);
    let left = margin + axis_w;
    let mut c = Canvas::new();
    let mut y = margin;
    if options.title {
        let font = Font::new(16.0, palette::INK).bold();
        let t = wrap_text(
            &format!("Emotion curve \u{2014} {}", j.name),
            width - 2.0 * margin,
            font.size,
            true,
            2,
        );
        y += c.lines(margin, y, &t.lines, font, Anchor::Start) + 6.0;
    }
    y += legend(&mut c, margin, y, width - 2.0 * margin, &styles) + 8.0;
    let xs: Vec<f64> = (0..j.stages.len())
        .map(|i| left + col_w * (count_f64(i) + 0.5))
        .collect();
    let area = PlotArea {
        xs: &xs,
        left,
        right: left + col_w * count_f64(n),
        top: y,
        height: 240.0,
    };
    for i in 0..=n {
        let x = left + col_w * count_f64(i);
        c.line(
            x,
            area.top,
            x,
            area.top + area.height,
            palette::RULE,
            1.0,
            None,
        );
    }
    draw_plot(&mut c, &area, &curves);
    y += area.height + 6.0;
    let stage_font = Font::new(12.0, palette::INK).bold();
    let mut names_h: f64 = 0.0;
    for (i, stage) in j.stages.iter().enumerate() {
        let x = left + col_w * count_f64(i);
        let t = wrap_text(&stage.name, col_w - 12.0, stage_font.size, true, 2);
        c.open_group(t.truncated.then_some(stage.name.as_str()));
        names_h = names_h.max(c.lines(x + col_w / 2.0, y, &t.lines, stage_font, Anchor::Middle));
        c.close_group();
    }
    y += names_h + 6.0;
    let ids: Vec<&str> = j.stages.iter().map(|s| s.id.as_str()).collect();
    let labels = extreme_labels(&ids, &curves);
    let mut labels_h: f64 = 0.0;
    for (i, col) in labels.iter().enumerate() {
        let x = left + col_w * count_f64(i);
        labels_h = labels_h.max(draw_labels(&mut c, x + 4.0, y, col_w - 8.0, col));
    }
    y += labels_h + margin;
    let desc = curve_description(j, &curves);
    c.finish(width, y, &format!("Emotion curve: {}", j.name), &desc)
}

/// A legend of persona markers, flowing over lines; returns the height used.
pub(crate) fn legend(
    c: &mut Canvas,
    x0: f64,
    top: f64,
    width: f64,
    styles: &[PersonaStyle],
) -> f64 {
    let font = Font::new(12.0, palette::INK);
    let lh = font.line_height() + 4.0;
    let (mut x, mut y) = (x0, top);
    for style in styles {
        let w = super::text::text_width(&style.name, font.size, true) + 30.0;
        if x > x0 && x + w > x0 + width {
            x = x0;
            y += lh;
        }
        c.marker(style.index, x + 6.0, y + 8.0, 5.0, style.colour);
        c.line(
            x + 14.0,
            y + 8.0,
            x + 22.0,
            y + 8.0,
            style.colour,
            2.5,
            None,
        );
        c.text(
            x + 26.0,
            y + 12.0,
            &style.name,
            Font::new(12.0, style.colour).bold(),
            Anchor::Start,
        );
        x += w + 12.0;
    }
    if styles.is_empty() {
        0.0
    } else {
        y + lh - top
    }
}

/// A text description of the curves, for the SVG `<desc>` (screen readers).
pub(crate) fn curve_description(
    j: &crate::model::Journey,
    curves: &[(PersonaStyle, EmotionCurve)],
) -> String {
    let mut parts = Vec::new();
    for (style, curve) in curves {
        let values: Vec<String> = curve
            .stages
            .iter()
            .zip(&j.stages)
            .map(|(p, s)| match p.value {
                Some(v) => format!("{} {}", s.name, signed(v)),
                None => format!("{} no data", s.name),
            })
            .collect();
        parts.push(format!("{}: {}", style.name, values.join(", ")));
    }
    if parts.is_empty() {
        "No persona emotion data.".to_owned()
    } else {
        format!(
            "Normalised emotion (\u{2212}1..1) per stage. {}.",
            parts.join("; ")
        )
    }
}
