//! The health breakdown: one bar per scope (the journey, then each stage), 0–100, split
//! into the contributions of its components, with the score and its band in words.

use super::palette;
use super::svg::{count_f64, Anchor, Canvas, Font};
use super::text::{num, wrap_text};
use crate::scoring::{Band, HealthReport, HealthScore};
use crate::ValidJourney;

/// The components in drawing order, each with its own colour: all dark enough for white
/// text (≥ 4.5:1, checked in the tests), and the name is written inside every segment
/// wide enough, so colour is never the only cue.
pub const COMPONENT_COLOURS: [(&str, &str); 9] = [
    ("nps", "#0550ae"),
    ("csat", "#8250df"),
    ("ces", "#1a7f37"),
    ("kpi", "#7d4e00"),
    ("conversion", "#cf222e"),
    ("emotion", "#0b6e74"),
    ("pain", "#953800"),
    ("touchpoints", "#57606a"),
    ("stages", "#24292f"),
];

fn colour(name: &str) -> &'static str {
    COMPONENT_COLOURS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(palette::INK, |(_, c)| c)
}

fn band_word(band: Option<Band>) -> &'static str {
    match band {
        Some(Band::Good) => "good",
        Some(Band::Fair) => "fair",
        Some(Band::Poor) => "poor",
        None => "no data",
    }
}

/// Draws the health breakdown of a report: the journey, then every stage.
#[must_use]
pub fn health_svg(report: &HealthReport, journey: &ValidJourney) -> String {
    const WIDTH: f64 = 900.0;
    const LABEL_W: f64 = 190.0;
    const BAR_W: f64 = 520.0;
    const ROW: f64 = 46.0;
    let j = journey.journey();
    let name_of = |score: &HealthScore| match score.kind {
        crate::scoring::ScopeKind::Journey => format!("Journey: {}", j.name),
        _ => j
            .stages
            .iter()
            .find(|s| s.id == score.id)
            .map_or_else(|| score.id.clone(), |s| s.name.clone()),
    };
    let rows: Vec<&HealthScore> = std::iter::once(&report.journey)
        .chain(report.stages.iter())
        .collect();
    let mut c = Canvas::new();
    let title = Font::new(16.0, palette::INK).bold();
    let label = Font::new(12.0, palette::INK);
    let small = Font::new(11.0, palette::MUTED);
    c.text(16.0, 28.0, "Health breakdown (0–100)", title, Anchor::Start);
    let top = 48.0;
    // Scale ticks.
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let x = LABEL_W + BAR_W * tick / 100.0;
        c.line(
            x,
            top,
            x,
            top + ROW * count_f64(rows.len()),
            palette::RULE,
            1.0,
            None,
        );
        c.text(x, top - 4.0, &num(tick), small, Anchor::Middle);
    }
    for (i, score) in rows.iter().enumerate() {
        let y = top + ROW * count_f64(i);
        let name = wrap_text(&name_of(score), LABEL_W - 24.0, label.size, false, 2);
        c.lines(16.0, y + 6.0, &name.lines, label, Anchor::Start);
        let mut x = LABEL_W;
        c.open_group(Some(&format!(
            "{}: {}",
            name_of(score),
            score
                .components
                .iter()
                .map(|p| format!(
                    "{} {} × {:.2} = {}",
                    p.name,
                    num(p.normalised),
                    p.share,
                    num(p.contribution)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        )));
        c.rect(
            LABEL_W,
            y + 6.0,
            BAR_W,
            20.0,
            2.0,
            palette::BAND,
            Some((palette::RULE, 1.0, false)),
        );
        for part in &score.components {
            let w = BAR_W * part.contribution.clamp(0.0, 100.0) / 100.0;
            if w > 0.0 {
                c.rect(
                    x,
                    y + 6.0,
                    w,
                    20.0,
                    0.0,
                    colour(&part.name),
                    Some((palette::BACKGROUND, 1.0, false)),
                );
                let inside = Font::new(10.0, palette::BACKGROUND);
                if super::text::text_width(&part.name, inside.size, false) + 6.0 <= w {
                    c.text(x + w / 2.0, y + 20.0, &part.name, inside, Anchor::Middle);
                }
                x += w;
            }
        }
        c.close_group();
        let verdict = score.score.map_or_else(
            || "no data".to_owned(),
            |s| format!("{} {}", num(s.round()), band_word(score.band)),
        );
        c.text(
            LABEL_W + BAR_W + 12.0,
            y + 21.0,
            &verdict,
            label.bold(),
            Anchor::Start,
        );
        if !score.missing.is_empty() {
            c.text(
                LABEL_W,
                y + 40.0,
                &format!("no data: {}", score.missing.join(", ")),
                small,
                Anchor::Start,
            );
        }
    }
    // Legend: a swatch and the name of every component (colour is not the only cue: the
    // tooltip of each bar names its parts).
    let mut ly = top + ROW * count_f64(rows.len()) + 16.0;
    let mut lx = 16.0;
    for (name, _) in COMPONENT_COLOURS {
        let w = 26.0 + super::text::text_width(name, small.size, false);
        if lx + w > WIDTH - 16.0 {
            lx = 16.0;
            ly += 18.0;
        }
        c.rect(lx, ly - 10.0, 12.0, 12.0, 2.0, colour(name), None);
        c.text(lx + 16.0, ly, name, small, Anchor::Start);
        lx += w + 12.0;
    }
    let height = ly + 16.0;
    c.finish(
        WIDTH,
        height,
        "Health breakdown",
        &format!(
            "Health of the journey and its {} stages, each bar split into the contributions of its components",
            report.stages.len()
        ),
    )
}
