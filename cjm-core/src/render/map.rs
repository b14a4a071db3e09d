//! The journey map: stages as columns, lanes as rows.

use super::emotion::{
    draw_labels, draw_plot, extreme_labels, labels_height, persona_styles, selected_curves,
    PersonaStyle, PlotArea,
};
use super::palette;
use super::svg::{count_f64, Anchor, Canvas, Font};
use super::text::{num, percent, text_width, wrap_text};
pub(crate) use crate::format::kpi_value;
use crate::model::{ChannelKind, Journey, Kpi, Opportunity, PainPoint, Side};
use crate::ValidJourney;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A row of the journey map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    /// Touchpoints, one sub-row per channel (channel kind shown by glyph, label and
    /// colour; backstage touchpoints dashed and labelled).
    Touchpoints,
    /// What the personas do.
    Actions,
    /// What the personas think or say.
    Thoughts,
    /// The emotion curve per persona on a −1..1 axis.
    Emotion,
    /// Pain points, with a severity badge (number, size and colour).
    PainPoints,
    /// Opportunities, in the stages of the pain points they address.
    Opportunities,
    /// KPIs with target and actual.
    Kpis,
}

impl Lane {
    /// Every lane, in the default order.
    pub const ALL: [Self; 7] = [
        Self::Touchpoints,
        Self::Actions,
        Self::Thoughts,
        Self::Emotion,
        Self::PainPoints,
        Self::Opportunities,
        Self::Kpis,
    ];

    fn title(self) -> &'static str {
        match self {
            Self::Touchpoints => "Touchpoints",
            Self::Actions => "Actions",
            Self::Thoughts => "Thoughts",
            Self::Emotion => "Emotion",
            Self::PainPoints => "Pain points",
            Self::Opportunities => "Opportunities",
            Self::Kpis => "KPIs",
        }
    }

    fn caption(self) -> &'static str {
        match self {
            Self::Touchpoints => "by channel",
            Self::Actions => "what they do",
            Self::Thoughts => "what they think",
            Self::Emotion => "normalised, \u{2212}1..+1",
            Self::PainPoints => "badge = severity 1\u{2013}5",
            Self::Opportunities => "impact, effort, confidence",
            Self::Kpis => "target vs actual",
        }
    }
}

/// Options of [`journey_map_svg`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MapOptions {
    /// The lanes to draw, in this order (repeats are drawn once); every lane by default.
    pub lanes: Vec<Lane>,
    /// The personas whose actions, thoughts, emotions and pain points to show (ids), in
    /// this order; all personas when absent. Unknown ids are ignored. Pain points without
    /// a persona are always shown.
    pub personas: Option<Vec<String>>,
    /// Minimum width in px (default 1300, which fits the report on a 1,366 px screen);
    /// the map grows wider when the stages need it (each column is at least 150 px, so
    /// six stages and the whole-journey column fit the default).
    pub width: u32,
    /// Whether to draw the title block (name, counts, description).
    pub title: bool,
    /// Whether to draw the legend.
    pub legend: bool,
    /// Lines of text per item before it is cut with an ellipsis (at least 1; default 3).
    /// The full text stays available as a tooltip.
    pub max_lines: u8,
    /// Measured KPI values by KPI id (`MeasuredKpis::values`): a KPI card shows the
    /// measured value beside the designed one, and is judged on target or off on it.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub measured: BTreeMap<String, f64>,
}

impl Default for MapOptions {
    fn default() -> Self {
        Self {
            lanes: Lane::ALL.to_vec(),
            personas: None,
            width: 1300,
            title: true,
            legend: true,
            max_lines: 3,
            measured: BTreeMap::new(),
        }
    }
}

const MARGIN: f64 = 16.0;
const LABEL_W: f64 = 160.0;
const MIN_COL: f64 = 150.0;
const PAD: f64 = 8.0;
const CARD_GAP: f64 = 6.0;

const BODY: Font = Font::new(12.0, palette::INK);
const SMALL: Font = Font::new(11.0, palette::MUTED);

/// A piece drawn at (0, 0) with a known height.
struct Cell {
    height: f64,
    canvas: Canvas,
}

impl Cell {
    fn empty() -> Self {
        Self {
            height: 0.0,
            canvas: Canvas::new(),
        }
    }
}

/// Stacks cards vertically.
struct Stack {
    cell: Cell,
}

impl Stack {
    fn new() -> Self {
        Self {
            cell: Cell::empty(),
        }
    }

    fn push(&mut self, card: Cell) {
        if self.cell.height > 0.0 {
            self.cell.height += CARD_GAP;
        }
        self.cell.canvas.open_translated(0.0, self.cell.height);
        self.cell.canvas.raw(&card.canvas.out);
        self.cell.canvas.close_group();
        self.cell.height += card.height;
    }
}

/// The column geometry.
struct Grid {
    stages: usize,
    overall: bool,
    col_w: f64,
    width: f64,
}

impl Grid {
    fn columns(&self) -> usize {
        self.stages + usize::from(self.overall)
    }

    fn x(&self, column: usize) -> f64 {
        MARGIN + LABEL_W + self.col_w * count_f64(column)
    }

    fn inner(&self) -> f64 {
        self.col_w - 2.0 * PAD
    }
}

/// Where an item sits: in a stage column (by index) or the whole-journey column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Stage(usize),
    Overall,
}

/// Draws a journey map as SVG: one column per stage in order, one lane (row) per
/// [`Lane`] asked for. Long text wraps and is cut after `max_lines` lines; KPIs and
/// opportunities that belong to no stage go in a final "Whole journey" column. The output
/// depends only on the journey and the options (same input, same bytes).
#[must_use]
pub fn journey_map_svg(journey: &ValidJourney, options: &MapOptions) -> String {
    draw_map(journey, options, false)
}

/// The id of a map item's anchor in the report (`map-touchpoint-tp-checkout`); `kind` is
/// `stage`, `touchpoint`, `pain-point`, `opportunity` or `kpi`.
pub(crate) fn map_anchor(kind: &str, id: &str) -> String {
    format!("map-{kind}-{id}")
}

/// [`journey_map_svg`] with an `id` on each stage heading and on the card of each
/// touchpoint, pain point, opportunity (its first card) and KPI, for the report's links.
pub(crate) fn journey_map_svg_anchored(journey: &ValidJourney, options: &MapOptions) -> String {
    draw_map(journey, options, true)
}

fn draw_map(journey: &ValidJourney, options: &MapOptions, anchors: bool) -> String {
    let j = journey.journey();
    let styles = persona_styles(journey, options.personas.as_deref());
    let mut lanes: Vec<Lane> = Vec::new();
    for lane in &options.lanes {
        if !lanes.contains(lane) {
            lanes.push(*lane);
        }
    }
    let max_lines = usize::from(options.max_lines.max(1));
    let overall = (lanes.contains(&Lane::Kpis)
        && j.kpis.iter().any(|k| kpi_place(j, k) == Place::Overall))
        || (lanes.contains(&Lane::Opportunities)
            && j.opportunities
                .iter()
                .any(|o| opportunity_places(j, o).is_empty()));
    let columns = j.stages.len().max(1) + usize::from(overall);
    let min_width = f64::from(options.width);
    let col_w = ((min_width - 2.0 * MARGIN - LABEL_W) / count_f64(columns))
        .max(MIN_COL)
        .floor();
    let grid = Grid {
        stages: j.stages.len(),
        overall,
        col_w,
        width: 2.0 * MARGIN + LABEL_W + col_w * count_f64(columns),
    };

    let mut c = Canvas::new();
    let mut y = MARGIN;
    if options.title {
        y += title_block(&mut c, j, grid.width) + 10.0;
    }
    if options.legend {
        y += legend_block(&mut c, &lanes, &styles, y, grid.width) + 10.0;
    }
    let grid_top = y;
    y += header_row(&mut c, j, &grid, y, anchors);
    for (n, lane) in lanes.iter().enumerate() {
        let band = if n % 2 == 0 {
            palette::BACKGROUND
        } else {
            palette::BAND
        };
        y += match lane {
            Lane::Touchpoints => touchpoint_lane(&mut c, j, &grid, y, band, max_lines, anchors),
            Lane::Emotion => emotion_lane(&mut c, journey, &styles, &grid, y, band),
            Lane::Actions | Lane::Thoughts => {
                let cells = observation_cells(j, &styles, &grid, *lane, max_lines);
                row(&mut c, &grid, y, band, lane.title(), lane.caption(), cells)
            }
            Lane::PainPoints => {
                let cells = pain_cells(j, &styles, &grid, max_lines, anchors);
                row(&mut c, &grid, y, band, lane.title(), lane.caption(), cells)
            }
            Lane::Opportunities => {
                let cells = opportunity_cells(j, &grid, max_lines, anchors);
                row(&mut c, &grid, y, band, lane.title(), lane.caption(), cells)
            }
            Lane::Kpis => {
                let cells = kpi_cells(j, &grid, max_lines, &options.measured, anchors);
                row(&mut c, &grid, y, band, lane.title(), lane.caption(), cells)
            }
        };
    }
    // Column separators over the whole grid, then a frame.
    for i in 0..grid.columns() {
        let x = grid.x(i);
        c.line(x, grid_top, x, y, palette::RULE, 1.0, None);
    }
    c.rect(
        MARGIN,
        grid_top,
        grid.width - 2.0 * MARGIN,
        y - grid_top,
        0.0,
        "none",
        Some((palette::RULE, 1.0, false)),
    );
    let height = y + MARGIN;
    c.finish(
        grid.width,
        height,
        &format!("Journey map: {}", j.name),
        &description(j),
    )
}

fn description(j: &Journey) -> String {
    let stages: Vec<&str> = j.stages.iter().map(|s| s.name.as_str()).collect();
    format!(
        "{} stages ({}), {} touchpoints on {} channels, {} pain points, {} opportunities, {} KPIs.",
        j.stages.len(),
        stages.join(", "),
        j.touchpoints.len(),
        j.channels.len(),
        j.pain_points.len(),
        j.opportunities.len(),
        j.kpis.len()
    )
}

fn title_block(c: &mut Canvas, j: &Journey, width: f64) -> f64 {
    let mut y = MARGIN;
    let text_w = (width - 2.0 * MARGIN).min(1200.0);
    let font = Font::new(20.0, palette::INK).bold();
    let t = wrap_text(&j.name, width - 2.0 * MARGIN, font.size, true, 2);
    y += c.lines(MARGIN, y, &t.lines, font, Anchor::Start) + 2.0;
    let state = match j.state {
        crate::model::JourneyState::AsIs => "As-is map",
        crate::model::JourneyState::ToBe => "To-be map",
    };
    let meta = format!(
        "{state} \u{b7} {} personas \u{b7} {} stages \u{b7} {} touchpoints on {} channels \u{b7} {} pain points \u{b7} {} opportunities \u{b7} {} KPIs",
        j.personas.len(),
        j.stages.len(),
        j.touchpoints.len(),
        j.channels.len(),
        j.pain_points.len(),
        j.opportunities.len(),
        j.kpis.len()
    );
    let m = wrap_text(&meta, text_w, 12.0, false, 2);
    y += c.lines(
        MARGIN,
        y,
        &m.lines,
        Font::new(12.0, palette::MUTED),
        Anchor::Start,
    );
    if let Some(desc) = &j.description {
        y += 4.0;
        let d = wrap_text(desc, text_w, BODY.size, false, 3);
        c.open_group(d.truncated.then_some(desc.as_str()));
        y += c.lines(MARGIN, y, &d.lines, BODY, Anchor::Start);
        c.close_group();
    }
    y - MARGIN
}

enum LegendItem<'a> {
    Heading(&'static str),
    Kind(ChannelKind),
    Side(Side),
    Severity(u8),
    Persona(&'a PersonaStyle),
}

impl LegendItem<'_> {
    fn label(&self) -> String {
        match self {
            Self::Heading(text) => (*text).to_owned(),
            Self::Kind(kind) => kind_label(*kind).to_owned(),
            Self::Side(Side::Frontstage) => "frontstage".to_owned(),
            Self::Side(Side::Backstage) => "backstage (unseen by the customer)".to_owned(),
            Self::Severity(_) => String::new(),
            Self::Persona(style) => style.name.clone(),
        }
    }

    fn width(&self) -> f64 {
        match self {
            Self::Heading(_) => text_width(&self.label(), 12.0, true) + 4.0,
            Self::Severity(_) => 22.0,
            Self::Persona(_) => text_width(&self.label(), 12.0, true) + 22.0,
            _ => text_width(&self.label(), 12.0, false) + 24.0,
        }
    }

    fn draw(&self, c: &mut Canvas, x: f64, y: f64) {
        let base = y + 13.0;
        match self {
            Self::Heading(text) => c.text(
                x,
                base,
                text,
                Font::new(12.0, palette::INK).bold(),
                Anchor::Start,
            ),
            Self::Kind(kind) => {
                let (colour, _) = palette::channel_kind(*kind);
                c.kind_glyph(*kind, x, y + 3.0, 13.0);
                c.text(
                    x + 18.0,
                    base,
                    kind_label(*kind),
                    Font::new(12.0, colour).bold(),
                    Anchor::Start,
                );
            }
            Self::Side(side) => {
                c.rect(
                    x,
                    y + 3.0,
                    14.0,
                    12.0,
                    2.0,
                    palette::BAND,
                    Some((palette::MUTED, 1.2, *side == Side::Backstage)),
                );
                c.text(
                    x + 18.0,
                    base,
                    &self.label(),
                    Font::new(12.0, palette::INK),
                    Anchor::Start,
                );
            }
            Self::Severity(s) => severity_badge(c, *s, x + 9.0, y + 9.0),
            Self::Persona(style) => {
                c.marker(style.index, x + 6.0, y + 9.0, 5.0, style.colour);
                c.text(
                    x + 16.0,
                    base,
                    &style.name,
                    Font::new(12.0, style.colour).bold(),
                    Anchor::Start,
                );
            }
        }
    }
}

fn legend_block(
    c: &mut Canvas,
    lanes: &[Lane],
    styles: &[PersonaStyle],
    top: f64,
    width: f64,
) -> f64 {
    let mut items: Vec<Vec<LegendItem<'_>>> = Vec::new();
    if lanes.contains(&Lane::Touchpoints) {
        items.push(vec![
            LegendItem::Heading("Channel kind"),
            LegendItem::Kind(ChannelKind::Online),
            LegendItem::Kind(ChannelKind::Offline),
            LegendItem::Kind(ChannelKind::Assisted),
        ]);
        items.push(vec![
            LegendItem::Heading("Touchpoint"),
            LegendItem::Side(Side::Frontstage),
            LegendItem::Side(Side::Backstage),
        ]);
    }
    if lanes.contains(&Lane::PainPoints) {
        let mut group = vec![LegendItem::Heading("Severity")];
        group.extend((1..=5).map(LegendItem::Severity));
        items.push(group);
    }
    if !styles.is_empty()
        && lanes
            .iter()
            .any(|l| matches!(l, Lane::Actions | Lane::Thoughts | Lane::Emotion))
    {
        let mut group = vec![LegendItem::Heading("Personas")];
        group.extend(styles.iter().map(LegendItem::Persona));
        items.push(group);
    }
    let line_h = 22.0;
    let (mut x, mut y) = (MARGIN, top);
    for group in &items {
        let group_w: f64 = group.iter().map(|i| i.width() + 8.0).sum();
        if x > MARGIN && x + group_w > width - MARGIN {
            x = MARGIN;
            y += line_h;
        }
        for item in group {
            let w = item.width();
            if x > MARGIN && x + w > width - MARGIN {
                x = MARGIN;
                y += line_h;
            }
            item.draw(c, x, y);
            x += w + 8.0;
        }
        x += 18.0;
    }
    if items.is_empty() {
        0.0
    } else {
        y + line_h - top
    }
}

fn header_row(c: &mut Canvas, j: &Journey, grid: &Grid, top: f64, anchors: bool) -> f64 {
    let font = Font::new(14.0, palette::HEADER_TEXT).bold();
    let small = Font::new(11.0, palette::HEADER_TEXT);
    let mut cells = Vec::new();
    for (i, stage) in j.stages.iter().enumerate() {
        let label = format!("{}. {}", i + 1, stage.name);
        let t = wrap_text(&label, grid.inner(), font.size, true, 2);
        let sub = stage
            .expected_duration
            .as_ref()
            .map(|d| format!("expected {d}"));
        let id = anchors.then(|| map_anchor("stage", &stage.id));
        cells.push((t, sub, stage.name.clone(), id));
    }
    if grid.overall {
        let t = wrap_text("Whole journey", grid.inner(), font.size, true, 2);
        cells.push((
            t,
            Some("not tied to one stage".to_owned()),
            String::new(),
            None,
        ));
    }
    let height = cells
        .iter()
        .map(|(t, sub, _, _)| {
            font.line_height() * count_f64(t.lines.len())
                + if sub.is_some() {
                    small.line_height()
                } else {
                    0.0
                }
        })
        .fold(0.0, f64::max)
        + 2.0 * PAD;
    c.rect(
        MARGIN,
        top,
        grid.width - 2.0 * MARGIN,
        height,
        0.0,
        palette::HEADER,
        None,
    );
    c.text(
        MARGIN + PAD,
        top + PAD + font.size,
        "Stage",
        font,
        Anchor::Start,
    );
    for (i, (t, sub, full, id)) in cells.iter().enumerate() {
        let x = grid.x(i) + PAD;
        c.open_item(id.as_deref(), t.truncated.then_some(full.as_str()));
        let h = c.lines(x, top + PAD, &t.lines, font, Anchor::Start);
        c.close_group();
        if let Some(sub) = sub {
            c.lines(
                x,
                top + PAD + h,
                std::slice::from_ref(sub),
                small,
                Anchor::Start,
            );
        }
    }
    height
}

/// Draws one row: a band, the label, the cells; returns its height.
#[allow(clippy::too_many_arguments, reason = "internal layout helper")]
fn row(
    c: &mut Canvas,
    grid: &Grid,
    top: f64,
    band: &str,
    title: &str,
    caption: &str,
    cells: Vec<(Place, Cell)>,
) -> f64 {
    let label = wrap_text(title, LABEL_W - 2.0 * PAD, 12.0, true, 2);
    let cap = wrap_text(caption, LABEL_W - 2.0 * PAD, SMALL.size, false, 2);
    let label_h = Font::new(12.0, palette::INK).line_height() * count_f64(label.lines.len())
        + SMALL.line_height() * count_f64(cap.lines.len());
    let content_h = cells
        .iter()
        .map(|(_, cell)| cell.height)
        .fold(label_h, f64::max);
    let height = (content_h + 2.0 * PAD).max(40.0);
    c.rect(
        MARGIN,
        top,
        grid.width - 2.0 * MARGIN,
        height,
        0.0,
        band,
        None,
    );
    c.line(
        MARGIN,
        top,
        grid.width - MARGIN,
        top,
        palette::RULE,
        1.0,
        None,
    );
    let h = c.lines(
        MARGIN + PAD,
        top + PAD,
        &label.lines,
        Font::new(12.0, palette::INK).bold(),
        Anchor::Start,
    );
    c.lines(
        MARGIN + PAD,
        top + PAD + h,
        &cap.lines,
        SMALL,
        Anchor::Start,
    );
    for (place, cell) in cells {
        let column = match place {
            Place::Stage(i) => i,
            Place::Overall => grid.stages,
        };
        c.open_translated(grid.x(column) + PAD, top + PAD);
        c.raw(&cell.canvas.out);
        c.close_group();
    }
    height
}

fn kind_label(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Online => "online",
        ChannelKind::Offline => "offline",
        ChannelKind::Assisted => "assisted",
    }
}

fn touchpoint_lane(
    c: &mut Canvas,
    j: &Journey,
    grid: &Grid,
    top: f64,
    band: &str,
    max_lines: usize,
    anchors: bool,
) -> f64 {
    let mut y = top;
    // A strip naming the lane, then one row per channel that has touchpoints.
    let strip = 24.0;
    c.rect(MARGIN, y, grid.width - 2.0 * MARGIN, strip, 0.0, band, None);
    c.line(MARGIN, y, grid.width - MARGIN, y, palette::RULE, 1.0, None);
    c.text(
        MARGIN + PAD,
        y + 16.0,
        "Touchpoints",
        Font::new(12.0, palette::INK).bold(),
        Anchor::Start,
    );
    y += strip;
    let inner = grid.inner();
    for channel in &j.channels {
        let tps: Vec<_> = j
            .touchpoints
            .iter()
            .filter(|t| t.channel == channel.id)
            .collect();
        if tps.is_empty() {
            continue;
        }
        let (colour, fill) = palette::channel_kind(channel.kind);
        let mut cells = Vec::new();
        for (i, stage) in j.stages.iter().enumerate() {
            let mut stack = Stack::new();
            for tp in tps.iter().filter(|t| t.stage == stage.id) {
                let mut card = Canvas::new();
                let name = wrap_text(&tp.name, inner - 30.0, BODY.size, true, max_lines);
                let owner = tp.owner.as_ref().map(|o| {
                    j.teams
                        .iter()
                        .find(|t| &t.id == o)
                        .map_or(o.as_str(), |t| t.name.as_str())
                });
                let caption = match (tp.side, owner) {
                    (Side::Backstage, Some(o)) => format!("backstage \u{b7} {o}"),
                    (Side::Backstage, None) => "backstage".to_owned(),
                    (Side::Frontstage, Some(o)) => o.to_owned(),
                    (Side::Frontstage, None) => String::new(),
                };
                let cap = wrap_text(&caption, inner - 30.0, SMALL.size, false, 1);
                let h = BODY.line_height() * count_f64(name.lines.len())
                    + SMALL.line_height() * count_f64(cap.lines.len())
                    + 12.0;
                let h = h.max(30.0);
                let full = tp
                    .description
                    .as_ref()
                    .map_or_else(|| tp.name.clone(), |d| format!("{}: {d}", tp.name));
                let id = anchors.then(|| map_anchor("touchpoint", &tp.id));
                card.open_item(id.as_deref(), Some(&full));
                card.rect(
                    0.5,
                    0.5,
                    inner - 1.0,
                    h - 1.0,
                    4.0,
                    fill,
                    Some((colour, 1.3, tp.side == Side::Backstage)),
                );
                card.kind_glyph(channel.kind, 7.0, 8.0, 13.0);
                let nh = card.lines(
                    26.0,
                    6.0,
                    &name.lines,
                    Font::new(12.0, palette::INK).bold(),
                    Anchor::Start,
                );
                card.lines(26.0, 6.0 + nh, &cap.lines, SMALL, Anchor::Start);
                card.close_group();
                stack.push(Cell {
                    height: h,
                    canvas: card,
                });
            }
            cells.push((Place::Stage(i), stack.cell));
        }
        let label = format!("{} ({})", channel.name, kind_label(channel.kind));
        y += channel_row(c, grid, y, band, &label, channel.kind, cells);
    }
    y - top
}

fn channel_row(
    c: &mut Canvas,
    grid: &Grid,
    top: f64,
    band: &str,
    label: &str,
    kind: ChannelKind,
    cells: Vec<(Place, Cell)>,
) -> f64 {
    let (colour, _) = palette::channel_kind(kind);
    let font = Font::new(12.0, colour).bold();
    let t = wrap_text(label, LABEL_W - 2.0 * PAD - 18.0, font.size, true, 3);
    let label_h = font.line_height() * count_f64(t.lines.len());
    let content_h = cells
        .iter()
        .map(|(_, cell)| cell.height)
        .fold(label_h, f64::max);
    let height = (content_h + 2.0 * PAD).max(40.0);
    c.rect(
        MARGIN,
        top,
        grid.width - 2.0 * MARGIN,
        height,
        0.0,
        band,
        None,
    );
    c.line(
        MARGIN,
        top,
        grid.width - MARGIN,
        top,
        palette::RULE,
        0.8,
        Some("1 2"),
    );
    c.kind_glyph(kind, MARGIN + PAD, top + PAD + 1.0, 13.0);
    c.open_group(t.truncated.then_some(label));
    c.lines(
        MARGIN + PAD + 18.0,
        top + PAD,
        &t.lines,
        font,
        Anchor::Start,
    );
    c.close_group();
    for (place, cell) in cells {
        let column = match place {
            Place::Stage(i) => i,
            Place::Overall => grid.stages,
        };
        c.open_translated(grid.x(column) + PAD, top + PAD);
        c.raw(&cell.canvas.out);
        c.close_group();
    }
    height
}

fn observation_cells(
    j: &Journey,
    styles: &[PersonaStyle],
    grid: &Grid,
    lane: Lane,
    max_lines: usize,
) -> Vec<(Place, Cell)> {
    let inner = grid.inner();
    let mut cells = Vec::new();
    for (i, stage) in j.stages.iter().enumerate() {
        let mut canvas = Canvas::new();
        let mut y = 0.0;
        for style in styles {
            let items: Vec<&String> = j
                .observations
                .iter()
                .filter(|o| o.persona == style.id && o.stage == stage.id)
                .flat_map(|o| {
                    if lane == Lane::Actions {
                        o.actions.iter()
                    } else {
                        o.thoughts.iter()
                    }
                })
                .collect();
            if items.is_empty() {
                continue;
            }
            if y > 0.0 {
                y += 4.0;
            }
            if styles.len() > 1 {
                let font = Font::new(11.0, style.colour).bold();
                let t = wrap_text(&style.name, inner - 14.0, font.size, true, 2);
                canvas.marker(style.index, 4.0, y + 7.0, 4.0, style.colour);
                y += canvas.lines(12.0, y, &t.lines, font, Anchor::Start) + 1.0;
            }
            for item in items {
                let (text, font) = if lane == Lane::Thoughts {
                    (format!("\u{201c}{item}\u{201d}"), BODY.italic())
                } else {
                    (item.clone(), BODY)
                };
                let t = wrap_text(&text, inner - 12.0, font.size, false, max_lines);
                canvas.open_group(t.truncated.then_some(item.as_str()));
                if lane == Lane::Actions {
                    canvas.text(2.0, y + font.size, "\u{2022}", font, Anchor::Start);
                }
                y += canvas.lines(12.0, y, &t.lines, font, Anchor::Start) + 3.0;
                canvas.close_group();
            }
        }
        cells.push((Place::Stage(i), Cell { height: y, canvas }));
    }
    cells
}

fn emotion_lane(
    c: &mut Canvas,
    journey: &ValidJourney,
    styles: &[PersonaStyle],
    grid: &Grid,
    top: f64,
    band: &str,
) -> f64 {
    let j = journey.journey();
    let curves = selected_curves(journey, styles);
    let xs: Vec<f64> = (0..grid.stages)
        .map(|i| grid.x(i) + grid.col_w / 2.0)
        .collect();
    let ids: Vec<&str> = j.stages.iter().map(|s| s.id.as_str()).collect();
    let labels = extreme_labels(&ids, &curves);
    let labels_h = labels
        .iter()
        .map(|l| labels_height(grid.inner(), l))
        .fold(0.0, f64::max);
    let plot_h = 170.0;
    let height = PAD + plot_h + 6.0 + labels_h + PAD;
    c.rect(
        MARGIN,
        top,
        grid.width - 2.0 * MARGIN,
        height,
        0.0,
        band,
        None,
    );
    c.line(
        MARGIN,
        top,
        grid.width - MARGIN,
        top,
        palette::RULE,
        1.0,
        None,
    );
    let h = c.lines(
        MARGIN + PAD,
        top + PAD,
        &[Lane::Emotion.title().to_owned()],
        Font::new(12.0, palette::INK).bold(),
        Anchor::Start,
    );
    let cap = wrap_text(Lane::Emotion.caption(), 80.0, SMALL.size, false, 3);
    c.lines(
        MARGIN + PAD,
        top + PAD + h,
        &cap.lines,
        SMALL,
        Anchor::Start,
    );
    let area = PlotArea {
        xs: &xs,
        left: grid.x(0),
        right: grid.x(grid.stages),
        top: top + PAD,
        height: plot_h,
    };
    if curves
        .iter()
        .all(|(_, curve)| curve.stages.iter().all(|p| p.value.is_none()))
    {
        c.text(
            grid.x(0) + PAD,
            top + PAD + plot_h / 2.0,
            "no emotion data for the selected personas",
            SMALL,
            Anchor::Start,
        );
    } else {
        draw_plot(c, &area, &curves);
    }
    for (i, column) in labels.iter().enumerate() {
        draw_labels(
            c,
            grid.x(i) + PAD,
            top + PAD + plot_h + 6.0,
            grid.inner(),
            column,
        );
    }
    height
}

/// The stage index of a pain point (its own stage, else its touchpoint's).
fn pain_stage(j: &Journey, p: &PainPoint) -> Option<usize> {
    let stage = p.stage.as_deref().or_else(|| {
        p.touchpoint
            .as_deref()
            .and_then(|tp| j.touchpoints.iter().find(|t| t.id == tp))
            .map(|t| t.stage.as_str())
    })?;
    j.stages.iter().position(|s| s.id == stage)
}

fn severity_badge(c: &mut Canvas, severity: u8, cx: f64, cy: f64) {
    let (fill, text) = palette::severity(severity);
    let r = 6.5 + f64::from(severity.min(5)) * 1.5;
    let stroke = if text == palette::HEADER_TEXT {
        fill
    } else {
        text
    };
    c.raw(&format!(
        r#"<circle cx="{}" cy="{}" r="{}" fill="{fill}" stroke="{stroke}" stroke-width="1"/>"#,
        num(cx),
        num(cy),
        num(r)
    ));
    c.text(
        cx,
        cy + 4.0,
        &severity.to_string(),
        Font::new(11.0, text).bold(),
        Anchor::Middle,
    );
}

fn pain_cells(
    j: &Journey,
    styles: &[PersonaStyle],
    grid: &Grid,
    max_lines: usize,
    anchors: bool,
) -> Vec<(Place, Cell)> {
    let inner = grid.inner();
    let mut cells = Vec::new();
    for i in 0..j.stages.len() {
        let mut pains: Vec<&PainPoint> = j
            .pain_points
            .iter()
            .filter(|p| pain_stage(j, p) == Some(i))
            .filter(|p| {
                p.persona
                    .as_ref()
                    .is_none_or(|id| styles.iter().any(|s| &s.id == id))
            })
            .collect();
        crate::sort::stable_by(&mut pains, |a, b| b.severity.cmp(&a.severity));
        let mut stack = Stack::new();
        for p in pains {
            let mut card = Canvas::new();
            let r = 6.5 + f64::from(p.severity.min(5)) * 1.5;
            let text_x = 8.0 + 2.0 * 14.0 + 4.0;
            let name = wrap_text(&p.name, inner - text_x - 6.0, BODY.size, true, max_lines);
            let mut caption = format!("severity {}/5", p.severity);
            if let Some(f) = p.frequency {
                caption.push_str(&format!(" \u{b7} {} affected", percent(f)));
            }
            if let Some(persona) = p
                .persona
                .as_ref()
                .and_then(|id| j.personas.iter().find(|x| &x.id == id))
            {
                caption.push_str(&format!(" \u{b7} {}", persona.name));
            }
            let cap = wrap_text(&caption, inner - text_x - 6.0, SMALL.size, false, 3);
            let text_h = BODY.line_height() * count_f64(name.lines.len())
                + SMALL.line_height() * count_f64(cap.lines.len());
            let h = (text_h + 12.0).max(2.0 * r + 12.0);
            let (fill, text) = palette::severity(p.severity);
            let border = if text == palette::HEADER_TEXT {
                fill
            } else {
                palette::SEVERITY_LOW_BORDER
            };
            let full = p
                .description
                .as_ref()
                .map_or_else(|| p.name.clone(), |d| format!("{}: {d}", p.name));
            let id = anchors.then(|| map_anchor("pain-point", &p.id));
            card.open_item(id.as_deref(), Some(&full));
            card.rect(
                0.5,
                0.5,
                inner - 1.0,
                h - 1.0,
                4.0,
                palette::PAIN_FILL,
                Some((border, 1.5, false)),
            );
            severity_badge(&mut card, p.severity, 8.0 + 14.0, 6.0 + r.max(10.0));
            let nh = card.lines(
                text_x,
                6.0,
                &name.lines,
                Font::new(12.0, palette::INK).bold(),
                Anchor::Start,
            );
            card.lines(text_x, 6.0 + nh, &cap.lines, SMALL, Anchor::Start);
            card.close_group();
            stack.push(Cell {
                height: h,
                canvas: card,
            });
        }
        cells.push((Place::Stage(i), stack.cell));
    }
    cells
}

/// The places of an opportunity: the stages of the pain points it addresses, in stage
/// order; empty when it addresses none that has a stage.
fn opportunity_places(j: &Journey, o: &Opportunity) -> Vec<usize> {
    let mut places: Vec<usize> = o
        .addresses
        .iter()
        .filter_map(|id| j.pain_points.iter().find(|p| &p.id == id))
        .filter_map(|p| pain_stage(j, p))
        .collect();
    places.sort_unstable();
    places.dedup();
    places
}

fn status_label<T: Serialize>(status: &T) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn opportunity_cells(
    j: &Journey,
    grid: &Grid,
    max_lines: usize,
    anchors: bool,
) -> Vec<(Place, Cell)> {
    let inner = grid.inner();
    let mut per_place: Vec<(Place, Stack)> = (0..j.stages.len())
        .map(|i| (Place::Stage(i), Stack::new()))
        .collect();
    if grid.overall {
        per_place.push((Place::Overall, Stack::new()));
    }
    for o in &j.opportunities {
        let places = opportunity_places(j, o);
        let targets: Vec<Place> = if places.is_empty() {
            vec![Place::Overall]
        } else {
            places.into_iter().map(Place::Stage).collect()
        };
        // The anchor goes on the opportunity's first card only (ids are unique).
        let mut anchor = anchors.then(|| map_anchor("opportunity", &o.id));
        for place in targets {
            let Some((_, stack)) = per_place.iter_mut().find(|(p, _)| *p == place) else {
                continue;
            };
            let mut card = Canvas::new();
            let name = wrap_text(&o.name, inner - 20.0, BODY.size, true, max_lines);
            let caption = format!(
                "impact {}/5 \u{b7} effort {}/5 \u{b7} confidence {}",
                o.impact,
                o.effort,
                percent(o.confidence)
            );
            let mut status = status_label(&o.status);
            if let Some(owner) = o.owner.as_ref().map(|id| {
                j.teams
                    .iter()
                    .find(|t| &t.id == id)
                    .map_or(id.as_str(), |t| t.name.as_str())
            }) {
                status.push_str(&format!(" \u{b7} {owner}"));
            }
            let cap = wrap_text(&caption, inner - 20.0, SMALL.size, false, 2);
            let st = wrap_text(&status, inner - 20.0, SMALL.size, true, 1);
            let h = BODY.line_height() * count_f64(name.lines.len())
                + SMALL.line_height() * count_f64(cap.lines.len() + st.lines.len())
                + 12.0;
            let full = o
                .description
                .as_ref()
                .map_or_else(|| o.name.clone(), |d| format!("{}: {d}", o.name));
            card.open_item(anchor.take().as_deref(), Some(&full));
            card.rect(
                0.5,
                0.5,
                inner - 1.0,
                h - 1.0,
                4.0,
                palette::OPPORTUNITY_FILL,
                Some((palette::OPPORTUNITY, 1.2, false)),
            );
            card.rect(0.5, 0.5, 5.0, h - 1.0, 0.0, palette::OPPORTUNITY, None);
            let mut y = 6.0;
            y += card.lines(
                14.0,
                y,
                &name.lines,
                Font::new(12.0, palette::INK).bold(),
                Anchor::Start,
            );
            y += card.lines(14.0, y, &cap.lines, SMALL, Anchor::Start);
            card.lines(
                14.0,
                y,
                &st.lines,
                Font::new(11.0, palette::OPPORTUNITY).bold(),
                Anchor::Start,
            );
            card.close_group();
            stack.push(Cell {
                height: h,
                canvas: card,
            });
        }
    }
    per_place.into_iter().map(|(p, s)| (p, s.cell)).collect()
}

fn kpi_place(j: &Journey, k: &Kpi) -> Place {
    let stage = k.stage.as_deref().or_else(|| {
        k.touchpoint
            .as_deref()
            .and_then(|tp| j.touchpoints.iter().find(|t| t.id == tp))
            .map(|t| t.stage.as_str())
    });
    stage
        .and_then(|s| j.stages.iter().position(|x| x.id == s))
        .map_or(Place::Overall, Place::Stage)
}

/// Whether a KPI meets its target, judged on its measured value when there is one, else
/// on the document's `actual`: `Some(true)` on target, `Some(false)` off, `None` without
/// target or value.
pub(crate) fn kpi_status(k: &Kpi, measured: Option<f64>) -> Option<bool> {
    let (target, actual) = (k.target?, measured.or(k.actual)?);
    Some(match k.effective_direction() {
        crate::model::Direction::Higher => actual >= target,
        crate::model::Direction::Lower => actual <= target,
    })
}

fn kpi_cells(
    j: &Journey,
    grid: &Grid,
    max_lines: usize,
    measured: &BTreeMap<String, f64>,
    anchors: bool,
) -> Vec<(Place, Cell)> {
    let inner = grid.inner();
    let mut per_place: Vec<(Place, Stack)> = (0..j.stages.len())
        .map(|i| (Place::Stage(i), Stack::new()))
        .collect();
    if grid.overall {
        per_place.push((Place::Overall, Stack::new()));
    }
    for k in &j.kpis {
        let place = kpi_place(j, k);
        let Some((_, stack)) = per_place.iter_mut().find(|(p, _)| *p == place) else {
            continue;
        };
        let mut card = Canvas::new();
        let name = wrap_text(&k.name, inner - 20.0, BODY.size, true, max_lines);
        let target = k.target.map_or_else(
            || "no target".to_owned(),
            |t| format!("target {}", kpi_value(k, t)),
        );
        let m = measured.get(&k.id).copied();
        let actual = match (m, k.actual) {
            (Some(m), Some(a)) => format!(
                "measured {} (designed {})",
                kpi_value(k, m),
                kpi_value(k, a)
            ),
            (Some(m), None) => format!("measured {}", kpi_value(k, m)),
            // Beside measured cards, a designed value says it is one.
            (None, Some(a)) if !measured.is_empty() => format!("designed {}", kpi_value(k, a)),
            (None, Some(a)) => format!("actual {}", kpi_value(k, a)),
            (None, None) => "no actual".to_owned(),
        };
        let direction = match k.effective_direction() {
            crate::model::Direction::Higher => "higher is better",
            crate::model::Direction::Lower => "lower is better",
        };
        let values = wrap_text(
            &format!("{target} \u{b7} {actual}"),
            inner - 20.0,
            BODY.size,
            false,
            2,
        );
        let (status, colour) = match kpi_status(k, m) {
            Some(true) => ("on target", palette::GOOD),
            Some(false) => ("off target", palette::BAD),
            None => ("not measured", palette::MUTED),
        };
        let st = wrap_text(
            &format!("{status} ({direction})"),
            inner - 20.0,
            SMALL.size,
            true,
            2,
        );
        let h = BODY.line_height() * count_f64(name.lines.len() + values.lines.len())
            + SMALL.line_height() * count_f64(st.lines.len())
            + 12.0;
        let id = anchors.then(|| map_anchor("kpi", &k.id));
        card.open_item(id.as_deref(), Some(&k.name));
        card.rect(
            0.5,
            0.5,
            inner - 1.0,
            h - 1.0,
            4.0,
            palette::BACKGROUND,
            Some((colour, 1.2, false)),
        );
        card.rect(0.5, 0.5, 5.0, h - 1.0, 0.0, colour, None);
        let mut y = 6.0;
        y += card.lines(
            14.0,
            y,
            &name.lines,
            Font::new(12.0, palette::INK).bold(),
            Anchor::Start,
        );
        y += card.lines(14.0, y, &values.lines, BODY, Anchor::Start);
        card.lines(
            14.0,
            y,
            &st.lines,
            Font::new(11.0, colour).bold(),
            Anchor::Start,
        );
        card.close_group();
        stack.push(Cell {
            height: h,
            canvas: card,
        });
    }
    per_place.into_iter().map(|(p, s)| (p, s.cell)).collect()
}
