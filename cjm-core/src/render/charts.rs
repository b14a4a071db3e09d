//! Funnel, flow (Sankey) and bar charts from small plain inputs, so that the analytics
//! (funnels, paths, attribution) and the bindings can hand their results over as data.

use super::palette;
use super::svg::{count_f64, Anchor, Canvas, Font};
use super::text::{count, num, percent, text_width, wrap_text};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

const MARGIN: f64 = 16.0;

/// Colours of chart series and flow nodes, used in turn; each is dark enough for text on
/// white (they are [`palette::PERSONAS`]).
fn series_colour(i: usize) -> &'static str {
    palette::PERSONAS
        .get(i % palette::PERSONAS.len())
        .copied()
        .unwrap_or(palette::INK)
}

fn title_line(c: &mut Canvas, title: Option<&str>, width: f64, y: &mut f64) {
    if let Some(title) = title {
        let font = Font::new(16.0, palette::INK).bold();
        let t = wrap_text(title, width - 2.0 * MARGIN, font.size, true, 2);
        *y += c.lines(MARGIN, *y, &t.lines, font, Anchor::Start) + 8.0;
    }
}

/// A funnel to draw: steps in order with the customers who reached each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelChart {
    /// Title drawn above the chart.
    #[serde(default)]
    pub title: Option<String>,
    /// The steps, first to last.
    pub steps: Vec<FunnelStep>,
    /// Width in px (default 900, at least 560).
    #[serde(default)]
    pub width: Option<u32>,
}

/// One funnel step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelStep {
    /// Step name.
    pub label: String,
    /// Unique customers who reached the step.
    pub customers: u64,
}

#[allow(
    clippy::cast_precision_loss,
    reason = "customer counts far below 2^52 are exact"
)]
fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Draws a funnel: one centred bar per step, as wide as the step's share of the first
/// step, labelled with customers and conversion from the start; between steps, the
/// conversion from the previous step and the drop-off (customers and share). A share of
/// zero customers is shown as `–` (undefined), never as NaN.
#[must_use]
pub fn funnel_svg(chart: &FunnelChart) -> String {
    let width = f64::from(chart.width.unwrap_or(900).max(560));
    let label_w = 190.0;
    let value_w = 200.0;
    let bar_area = width - 2.0 * MARGIN - label_w - value_w;
    let bar_h = 34.0;
    let gap = 30.0;
    let mut c = Canvas::new();
    let mut y = MARGIN;
    title_line(&mut c, chart.title.as_deref(), width, &mut y);
    let first = chart.steps.first().map_or(0, |s| s.customers);
    let mut previous: Option<u64> = None;
    let mut desc = Vec::new();
    for (i, step) in chart.steps.iter().enumerate() {
        if let Some(prev) = previous {
            let dropped = prev.saturating_sub(step.customers);
            let text = match (share(step.customers, prev), share(dropped, prev)) {
                (Some(conv), Some(drop)) => format!(
                    "\u{2193} {} of previous step \u{b7} {} dropped off ({})",
                    percent(conv),
                    count(dropped),
                    percent(drop)
                ),
                _ => "\u{2193} \u{2013} of previous step (no customers)".to_owned(),
            };
            let font = Font::new(11.0, palette::MUTED);
            c.text(
                MARGIN + label_w + bar_area / 2.0,
                y + gap / 2.0 + 4.0,
                &text,
                font,
                Anchor::Middle,
            );
            y += gap;
        }
        let frac = share(step.customers, first).unwrap_or(0.0).clamp(0.0, 1.0);
        let w = if step.customers > 0 {
            (bar_area * frac).max(2.0)
        } else {
            0.0
        };
        let x = MARGIN + label_w + (bar_area - w) / 2.0;
        c.rect(
            MARGIN + label_w,
            y,
            bar_area,
            bar_h,
            3.0,
            palette::BAND,
            None,
        );
        c.rect(
            x,
            y,
            w,
            bar_h,
            3.0,
            palette::channel_kind(crate::model::ChannelKind::Online).0,
            None,
        );
        let font = Font::new(12.0, palette::INK).bold();
        let label = wrap_text(
            &format!("{}. {}", i + 1, step.label),
            label_w - 10.0,
            font.size,
            true,
            2,
        );
        c.open_group(label.truncated.then_some(step.label.as_str()));
        let lh = font.line_height() * count_f64(label.lines.len());
        c.lines(
            MARGIN,
            y + (bar_h - lh) / 2.0,
            &label.lines,
            font,
            Anchor::Start,
        );
        c.close_group();
        let from_start =
            share(step.customers, first).map_or_else(|| "\u{2013}".to_owned(), percent);
        c.text(
            width - MARGIN - value_w + 10.0,
            y + 15.0,
            &format!("{} customers", count(step.customers)),
            Font::new(12.0, palette::INK).bold(),
            Anchor::Start,
        );
        c.text(
            width - MARGIN - value_w + 10.0,
            y + 29.0,
            &format!("{from_start} of step 1"),
            Font::new(11.0, palette::MUTED),
            Anchor::Start,
        );
        desc.push(format!(
            "{}: {} ({from_start})",
            step.label,
            count(step.customers)
        ));
        y += bar_h;
        previous = Some(step.customers);
    }
    if chart.steps.is_empty() {
        c.text(
            MARGIN,
            y + 14.0,
            "no funnel steps",
            Font::new(12.0, palette::MUTED),
            Anchor::Start,
        );
        y += 20.0;
    }
    y += MARGIN;
    let title = chart.title.clone().unwrap_or_else(|| "Funnel".to_owned());
    c.finish(width, y, &title, &format!("Funnel. {}.", desc.join("; ")))
}

/// A flow (Sankey) to draw: nodes placed in columns (steps) and weighted links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowChart {
    /// Title drawn above the chart.
    #[serde(default)]
    pub title: Option<String>,
    /// Labels of the columns (`step 1`, `step 2`…), drawn on top; optional.
    #[serde(default)]
    pub columns: Vec<String>,
    /// The nodes; order within a column is drawing order, top to bottom.
    pub nodes: Vec<FlowChartNode>,
    /// The links; links naming unknown nodes, or with a value that is not a positive
    /// finite number, are left out (and counted in the picture's description).
    pub links: Vec<FlowChartLink>,
    /// Least width in px (default 960, at least 480): the picture widens, up to 1,300,
    /// when its labels need it.
    #[serde(default)]
    pub width: Option<u32>,
    /// Height in px of the flow area (default 400, at least 160); grows when a column has
    /// many nodes.
    #[serde(default)]
    pub height: Option<u32>,
}

/// A node of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowChartNode {
    /// Identifier the links refer to.
    pub id: String,
    /// Displayed name.
    pub label: String,
    /// Column (step) index, from 0.
    pub column: u32,
}

/// A weighted link between two nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowChartLink {
    /// Source node id.
    pub source: String,
    /// Target node id.
    pub target: String,
    /// Weight (customers, transitions…), positive.
    pub value: f64,
}

/// The widest a picture grows by itself to fit its labels: it then still fits the report
/// at a 1,366 px screen (1,366 − 2 × 24 px page padding − scroll bar and border).
pub(crate) const FIT_WIDTH: f64 = 1300.0;

/// Labels drawn in grey, not in a colour of their own: the fold of rare nodes and the
/// customers who have no further step.
fn is_grey_label(label: &str) -> bool {
    label == crate::events::OTHER || label == FLOW_EXIT
}

/// The label of a flow's exit nodes: customers whose path ends before the next column.
pub(crate) const FLOW_EXIT: &str = "(exit)";

/// One colour per distinct node label, the same in every column: labels take the
/// categorical colours from the most customers (summed over the columns) to the fewest,
/// ties by label, so that the commonest labels never share a colour; `(other)` and
/// `(exit)` are grey.
fn label_colours(nodes: &[FlowChartNode], totals: &[f64]) -> Vec<&'static str> {
    let mut labels: Vec<(&str, f64)> = Vec::new();
    for (n, t) in nodes.iter().zip(totals) {
        if is_grey_label(&n.label) {
            continue;
        }
        match labels.iter_mut().find(|(l, _)| *l == n.label) {
            Some((_, sum)) => *sum += t,
            None => labels.push((&n.label, *t)),
        }
    }
    labels.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    nodes
        .iter()
        .map(|n| {
            if is_grey_label(&n.label) {
                return palette::MUTED;
            }
            let k = labels.iter().position(|(l, _)| *l == n.label).unwrap_or(0);
            palette::CATEGORICAL
                .get(k % palette::CATEGORICAL.len())
                .copied()
                .unwrap_or(palette::INK)
        })
        .collect()
}

/// Draws a flow (Sankey) chart: nodes as bars in their columns, as tall as the larger of
/// their incoming and outgoing totals, links as bands as thick as their value, coloured
/// by source node. Each node label has one colour in every column (`(other)` and
/// `(exit)` grey) and is written whole, with its total, right of its node: the picture
/// grows (up to 1,300 px) to make room, and wraps a label (up to three lines) beyond
/// that. Within a node, links are stacked in the order of the nodes at their other end,
/// so that they do not cross there.
#[must_use]
pub fn flow_svg(chart: &FlowChart) -> String {
    let min_width = f64::from(chart.width.unwrap_or(960).max(480));
    let links: Vec<(usize, usize, f64)> = chart
        .links
        .iter()
        .filter(|l| l.value.is_finite() && l.value > 0.0)
        .filter_map(|l| {
            let s = chart.nodes.iter().position(|n| n.id == l.source)?;
            let t = chart.nodes.iter().position(|n| n.id == l.target)?;
            Some((s, t, l.value))
        })
        .collect();
    let skipped = chart.links.len() - links.len();
    let columns = chart
        .nodes
        .iter()
        .map(|n| n.column)
        .max()
        .map_or(0, |m| m as usize + 1);
    let totals: Vec<f64> = (0..chart.nodes.len())
        .map(|i| {
            let out: f64 = links.iter().filter(|l| l.0 == i).map(|l| l.2).sum();
            let inn: f64 = links.iter().filter(|l| l.1 == i).map(|l| l.2).sum();
            out.max(inn)
        })
        .collect();
    let font = Font::new(12.0, palette::INK);
    let texts: Vec<String> = chart
        .nodes
        .iter()
        .zip(&totals)
        .map(|(n, t)| format!("{} ({})", n.label, num(*t)))
        .collect();
    let node_w = 14.0;
    // Each column is a node, 6 px, its label, and 14 px before the next column; the last
    // column needs no room after its labels, so the others share what it leaves.
    let chrome = node_w + 6.0 + 14.0;
    let widest_in = |last: bool| {
        chart
            .nodes
            .iter()
            .zip(&texts)
            .filter(|(n, _)| (n.column as usize + 1 == columns) == last)
            .map(|(_, t)| text_width(t, font.size, false).ceil())
            .fold(0.0, f64::max)
    };
    let (widest, widest_last) = (widest_in(false), widest_in(true));
    let cols = count_f64(columns.max(1));
    let last_need = node_w + 6.0 + widest_last;
    let wanted = 2.0 * MARGIN + (cols - 1.0) * (chrome + widest) + last_need;
    let width = min_width.max(wanted.min(FIT_WIDTH)).ceil();
    let inner = width - 2.0 * MARGIN;
    let pitch = if columns > 1 && last_need < inner / cols {
        (inner - last_need) / (cols - 1.0)
    } else {
        inner / cols
    };
    let column_x = |col: usize| MARGIN + pitch * count_f64(col);
    let wrapped: Vec<super::text::Wrapped> = chart
        .nodes
        .iter()
        .zip(&texts)
        .map(|(n, t)| {
            let col = n.column as usize;
            let room = if col + 1 == columns {
                width - MARGIN - column_x(col) - node_w - 6.0
            } else {
                pitch - chrome
            };
            wrap_text(t, room, font.size, false, 3)
        })
        .collect();
    let lh = font.line_height();
    let min_slots: Vec<f64> = wrapped
        .iter()
        .map(|w| (lh * count_f64(w.lines.len())).max(18.0))
        .collect();
    let node_gap = 10.0;
    let colours = label_colours(&chart.nodes, &totals);
    let mut c = Canvas::new();
    let mut y = MARGIN;
    title_line(&mut c, chart.title.as_deref(), width, &mut y);
    let column_nodes: Vec<Vec<usize>> = (0..columns)
        .map(|col| {
            (0..chart.nodes.len())
                .filter(|&i| chart.nodes.get(i).is_some_and(|n| n.column as usize == col))
                .collect()
        })
        .collect();
    // The flow area is as tall as asked for, or as the labels of the fullest column
    // need; the scale makes every column fit it with its gaps.
    let slots_h = |ids: &Vec<usize>| -> f64 {
        ids.iter()
            .map(|&i| min_slots.get(i).copied().unwrap_or(18.0) + node_gap)
            .sum()
    };
    let area_h = column_nodes
        .iter()
        .map(slots_h)
        .fold(f64::from(chart.height.unwrap_or(400).max(160)), f64::max);
    let scale = column_nodes
        .iter()
        .map(|ids| {
            let sum: f64 = ids.iter().filter_map(|&i| totals.get(i)).sum();
            let room = area_h - count_f64(ids.len()) * node_gap;
            if sum > 0.0 {
                room / sum
            } else {
                f64::INFINITY
            }
        })
        .fold(f64::INFINITY, f64::min);
    let scale = if scale.is_finite() { scale } else { 1.0 };
    if !chart.columns.is_empty() {
        for col in 0..columns.max(chart.columns.len()) {
            if let Some(label) = chart.columns.get(col) {
                let head = Font::new(12.0, palette::MUTED).bold();
                let t = wrap_text(label, pitch - 14.0, head.size, true, 1);
                c.open_group(t.truncated.then_some(label.as_str()));
                c.text(
                    column_x(col),
                    y + 12.0,
                    t.lines.first().map_or("", String::as_str),
                    head,
                    Anchor::Start,
                );
                c.close_group();
            }
        }
        y += 22.0;
    }
    let top = y;
    // Node boxes: (x, y, height, slot height); rank: position within its column.
    let mut boxes: Vec<(f64, f64, f64, f64)> = vec![(0.0, 0.0, 0.0, 0.0); chart.nodes.len()];
    let mut rank: Vec<usize> = vec![0; chart.nodes.len()];
    for (col, ids) in column_nodes.iter().enumerate() {
        let x = column_x(col);
        let mut ny = top;
        for (r, &i) in ids.iter().enumerate() {
            let h = (totals.get(i).copied().unwrap_or(0.0) * scale).max(2.0);
            let slot = h.max(min_slots.get(i).copied().unwrap_or(18.0));
            if let Some(b) = boxes.get_mut(i) {
                *b = (x, ny, h, slot);
            }
            if let Some(k) = rank.get_mut(i) {
                *k = r;
            }
            ny += slot + node_gap;
        }
    }
    let bottom = boxes.iter().map(|b| b.1 + b.3).fold(top, f64::max);
    // Where each link leaves its source and enters its target: stacked at the source in
    // the order of the targets, at the target in the order of the sources.
    let rank_of = |i: usize| rank.get(i).copied().unwrap_or(0);
    let mut by_target: Vec<usize> = (0..links.len()).collect();
    by_target.sort_by_key(|&k| links.get(k).map(|l| (l.0, rank_of(l.1))));
    let mut by_source: Vec<usize> = (0..links.len()).collect();
    by_source.sort_by_key(|&k| links.get(k).map(|l| (l.1, rank_of(l.0))));
    let mut starts = vec![0.0; links.len()];
    let mut ends = vec![0.0; links.len()];
    let mut offset = vec![0.0; chart.nodes.len()];
    for &k in &by_target {
        if let (Some(&(s, _, v)), Some(st)) = (links.get(k), starts.get_mut(k)) {
            if let Some(o) = offset.get_mut(s) {
                *st = *o;
                *o += v * scale;
            }
        }
    }
    offset.iter_mut().for_each(|o| *o = 0.0);
    for &k in &by_source {
        if let (Some(&(_, t, v)), Some(en)) = (links.get(k), ends.get_mut(k)) {
            if let Some(o) = offset.get_mut(t) {
                *en = *o;
                *o += v * scale;
            }
        }
    }
    for (k, &(s, t, v)) in links.iter().enumerate() {
        let (Some(&(sx, sy, _, _)), Some(&(tx, ty, _, _))) = (boxes.get(s), boxes.get(t)) else {
            continue;
        };
        let th = v * scale;
        let (x0, x1) = (sx + node_w, tx);
        let y0 = sy + starts.get(k).copied().unwrap_or(0.0);
        let y1 = ty + ends.get(k).copied().unwrap_or(0.0);
        let mx = (x0 + x1) / 2.0;
        let colour = colours.get(s).copied().unwrap_or(palette::MUTED);
        let label = format!(
            "{} \u{2192} {}: {}",
            chart.nodes.get(s).map_or("", |n| n.label.as_str()),
            chart.nodes.get(t).map_or("", |n| n.label.as_str()),
            num(v)
        );
        c.open_group(Some(&label));
        c.raw(&format!(
            r#"<path d="M{x0},{y0}C{mx},{y0} {mx},{y1} {x1},{y1}L{x1},{y1b}C{mx},{y1b} {mx},{y0b} {x0},{y0b}Z" fill="{colour}" fill-opacity="0.28"/>"#,
            x0 = num(x0),
            y0 = num(y0),
            mx = num(mx),
            x1 = num(x1),
            y1 = num(y1),
            y1b = num(y1 + th),
            y0b = num(y0 + th),
        ));
        c.close_group();
    }
    for i in 0..chart.nodes.len() {
        let (Some(&(x, ny, h, slot)), Some(t), Some(text)) =
            (boxes.get(i), wrapped.get(i), texts.get(i))
        else {
            continue;
        };
        let colour = colours.get(i).copied().unwrap_or(palette::MUTED);
        c.rect(x, ny, node_w, h, 2.0, colour, None);
        c.open_group(t.truncated.then_some(text.as_str()));
        let lines_h = lh * count_f64(t.lines.len());
        let mut baseline = ny + (slot - lines_h) / 2.0 + font.size;
        for line in &t.lines {
            c.raw(&format!(
                r#"<text x="{}" y="{}" font-size="12" fill="{}" stroke="{}" stroke-width="3" paint-order="stroke">{}</text>"#,
                num(x + node_w + 6.0),
                num(baseline),
                palette::INK,
                palette::BACKGROUND,
                super::text::escape_xml(line)
            ));
            baseline += lh;
        }
        c.close_group();
    }
    let height = bottom + MARGIN;
    let title = chart.title.clone().unwrap_or_else(|| "Flow".to_owned());
    let mut desc = format!(
        "Flow with {} nodes in {columns} columns and {} links.",
        chart.nodes.len(),
        links.len()
    );
    if skipped > 0 {
        desc.push_str(&format!(
            " {skipped} links left out (unknown node or value not positive)."
        ));
    }
    c.finish(width, height, &title, &desc)
}

/// Grouped bars, for comparisons such as credit per channel under several attribution
/// models: one group per row label, one bar per series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BarChart {
    /// Title drawn above the chart.
    #[serde(default)]
    pub title: Option<String>,
    /// The group labels (channels, for example), top to bottom.
    pub groups: Vec<String>,
    /// The series (attribution models, for example); `values[i]` belongs to `groups[i]`.
    pub series: Vec<BarSeries>,
    /// Unit shown after values (`%`, `EUR`, `conversions`…).
    #[serde(default)]
    pub unit: Option<String>,
    /// Width in px (default 900, or 1,200 for panels; at least 480).
    #[serde(default)]
    pub width: Option<u32>,
    /// How the bars are laid out (default `grouped`).
    #[serde(default)]
    pub layout: BarLayout,
}

/// The layout of a [`BarChart`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BarLayout {
    /// One block of bars per group, one bar per series, coloured by series.
    #[default]
    Grouped,
    /// Small multiples: one panel per series (side by side, wrapping to rows), one bar per
    /// group in every panel, coloured by group (the same colour in every panel), on one
    /// shared scale, so that panels compare at a glance.
    Panels,
}

/// One series of a [`BarChart`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BarSeries {
    /// Series name, written next to every bar (not only in colour).
    pub name: String,
    /// One value per group; missing or non-finite values are drawn as `–`.
    pub values: Vec<Option<f64>>,
}

/// A "nice" tick step (1, 2 or 5 × 10ⁿ) giving about five ticks over `range`.
pub(crate) fn nice_step(range: f64) -> f64 {
    if range <= 0.0 || !range.is_finite() {
        return 1.0;
    }
    let raw = range / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let m = raw / magnitude;
    let f = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    f * magnitude
}

/// The value axis of bar charts: the range from the smallest value (or 0) to the largest
/// (or 0), widened to "nice" ticks; `(low, high, step)`.
fn bar_range(chart: &BarChart) -> (f64, f64, f64) {
    let values: Vec<f64> = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .filter(|v| v.is_finite())
        .collect();
    let lo = values.iter().copied().fold(0.0, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let step = nice_step(hi - lo);
    let lo = (lo / step).floor() * step;
    let hi = ((hi / step).ceil() * step).max(lo + step);
    (lo, hi, step)
}

fn unit_suffix(chart: &BarChart) -> String {
    chart.unit.as_deref().map_or(String::new(), |u| {
        if u == "%" {
            "\u{a0}%".to_owned()
        } else {
            format!(" {u}")
        }
    })
}

/// Draws a bar chart: grouped horizontal bars (each preceded by its series name, so that
/// series are told apart by text as well as colour) or, with [`BarLayout::Panels`], small
/// multiples (one panel per series named above it, each bar preceded by its group name
/// and coloured by group). Both have a zero line, grid ticks and value labels.
#[must_use]
pub fn bar_chart_svg(chart: &BarChart) -> String {
    match chart.layout {
        BarLayout::Grouped => grouped_bars_svg(chart),
        BarLayout::Panels => bar_panels_svg(chart),
    }
}

/// Small multiples: panels of at least 260 px, 24 px apart, as many side by side as the
/// width (default 1,200 px: four panels) holds; in each, a bar per group (colour by group) on the scale all panels share,
/// ticks labelled at both ends.
fn bar_panels_svg(chart: &BarChart) -> String {
    let width = f64::from(chart.width.unwrap_or(1200).max(480));
    let gap = 24.0;
    let inner = width - 2.0 * MARGIN;
    let panels = chart.series.len().max(1);
    let fit = ((inner + gap) / (260.0 + gap)).floor().max(1.0);
    let per_row = count_f64(panels).min(fit);
    let panel_w = (inner - gap * (per_row - 1.0)) / per_row;
    let label = Font::new(11.0, palette::INK);
    let (lo, hi, step) = bar_range(chart);
    let unit = unit_suffix(chart);
    let value_text = |v: f64| format!("{}{unit}", num(v));
    let group_w = (chart
        .groups
        .iter()
        .map(|g| text_width(g, label.size, false))
        .fold(0.0, f64::max)
        .ceil()
        + 6.0)
        .min(panel_w * 0.4);
    let value_w = (chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .filter(|v| v.is_finite())
        .map(|v| text_width(&value_text(v), label.size, false))
        .fold(text_width("\u{2013}", label.size, false), f64::max)
        .ceil()
        + 6.0)
        .min(panel_w * 0.3);
    let plot_w = panel_w - group_w - value_w;
    let row_h = 18.0;
    let bar_h = 13.0;
    let head = Font::new(12.0, palette::INK).bold();
    let axis = Font::new(11.0, palette::MUTED);
    let panel_h = 18.0 + 16.0 + row_h * count_f64(chart.groups.len()) + 6.0;
    let mut c = Canvas::new();
    let mut y = MARGIN;
    title_line(&mut c, chart.title.as_deref(), width, &mut y);
    let top = y;
    let colour = |g: usize| {
        palette::CATEGORICAL
            .get(g % palette::CATEGORICAL.len())
            .copied()
            .unwrap_or(palette::INK)
    };
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small positive whole number of panels per row"
    )]
    let per_row_n = per_row as usize;
    for (k, series) in chart.series.iter().enumerate() {
        let px = MARGIN + count_f64(k % per_row_n) * (panel_w + gap);
        let py = top + count_f64(k / per_row_n) * (panel_h + gap / 2.0);
        let plot_x = px + group_w;
        let sx = |v: f64| plot_x + (v - lo) / (hi - lo) * plot_w;
        let name = wrap_text(&series.name, panel_w, head.size, true, 1);
        c.open_group(name.truncated.then_some(series.name.as_str()));
        c.text(
            px,
            py + 13.0,
            name.lines.first().map_or("", String::as_str),
            head,
            Anchor::Start,
        );
        c.close_group();
        let rows_top = py + 18.0 + 16.0;
        let rows_bottom = rows_top + row_h * count_f64(chart.groups.len());
        let mut tick = lo;
        let mut guard = 0;
        while tick <= hi + step / 2.0 && guard < 50 {
            let zero = tick.abs() < step / 1e6;
            let (stroke, w) = if zero {
                (palette::MUTED, 1.2)
            } else {
                (palette::RULE, 0.8)
            };
            c.line(
                sx(tick),
                rows_top - 3.0,
                sx(tick),
                rows_bottom,
                stroke,
                w,
                None,
            );
            tick += step;
            guard += 1;
        }
        c.text(sx(lo), py + 30.0, &num(lo), axis, Anchor::Start);
        c.text(sx(hi), py + 30.0, &num(hi), axis, Anchor::End);
        for (g, group) in chart.groups.iter().enumerate() {
            let ry = rows_top + row_h * count_f64(g);
            let t = wrap_text(group, group_w - 6.0, label.size, false, 1);
            c.open_group(t.truncated.then_some(group.as_str()));
            c.text(
                plot_x - 6.0,
                ry + 13.0,
                t.lines.first().map_or("", String::as_str),
                label,
                Anchor::End,
            );
            c.close_group();
            match series
                .values
                .get(g)
                .copied()
                .flatten()
                .filter(|v| v.is_finite())
            {
                Some(v) => {
                    let (a, b) = (sx(0.0), sx(v));
                    c.open_group(Some(&format!(
                        "{} \u{b7} {group}: {}",
                        series.name,
                        value_text(v)
                    )));
                    c.rect(
                        a.min(b),
                        ry + 3.0,
                        (b - a).abs(),
                        bar_h,
                        0.0,
                        colour(g),
                        None,
                    );
                    c.close_group();
                    c.text(
                        sx(hi) + 4.0,
                        ry + 13.0,
                        &value_text(v),
                        label,
                        Anchor::Start,
                    );
                }
                None => c.text(
                    sx(hi) + 4.0,
                    ry + 13.0,
                    "\u{2013}",
                    Font::new(11.0, palette::MUTED),
                    Anchor::Start,
                ),
            }
        }
    }
    let rows = count_f64(panels.div_ceil(per_row_n));
    let height = top + rows * panel_h + (rows - 1.0) * gap / 2.0 + MARGIN;
    let title = chart
        .title
        .clone()
        .unwrap_or_else(|| "Bar chart".to_owned());
    let series: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    let desc = format!(
        "{} panels ({}), {} bars each ({}), on one scale.",
        chart.series.len(),
        series.join(", "),
        chart.groups.len(),
        chart.groups.join(", ")
    );
    c.finish(width, height, &title, &desc)
}

/// Grouped bars: a block per group, a bar per series preceded by the series name (no
/// name column when no series has a name).
fn grouped_bars_svg(chart: &BarChart) -> String {
    let width = f64::from(chart.width.unwrap_or(900).max(480));
    let group_w = 170.0;
    let named = chart.series.iter().any(|s| !s.name.is_empty());
    let series_w = if named {
        chart
            .series
            .iter()
            .map(|s| text_width(&s.name, 11.0, false))
            .fold(40.0, f64::max)
            .min(160.0)
            + 10.0
    } else {
        0.0
    };
    let value_w = 90.0;
    let plot_x = MARGIN + group_w + series_w;
    let plot_w = width - plot_x - MARGIN - value_w;
    let (lo, hi, step) = bar_range(chart);
    let sx = |v: f64| plot_x + (v - lo) / (hi - lo) * plot_w;
    let unit = unit_suffix(chart);
    let mut c = Canvas::new();
    let mut y = MARGIN;
    title_line(&mut c, chart.title.as_deref(), width, &mut y);
    let bar_h = 16.0;
    let row_h = 20.0;
    let group_gap = 14.0;
    let axis_top = y;
    y += 18.0;
    let plot_top = y;
    // Ticks and zero line first, under the bars.
    let rows = chart.series.len().max(1);
    let plot_bottom = plot_top
        + count_f64(chart.groups.len()) * (row_h * count_f64(rows) + group_gap)
        - group_gap / 2.0;
    let mut tick = lo;
    let mut guard = 0;
    while tick <= hi + step / 2.0 && guard < 50 {
        let x = sx(tick);
        let zero = tick.abs() < step / 1e6;
        let (colour, w) = if zero {
            (palette::MUTED, 1.2)
        } else {
            (palette::RULE, 0.8)
        };
        c.line(x, plot_top - 4.0, x, plot_bottom, colour, w, None);
        c.text(
            x,
            axis_top + 12.0,
            &num(if zero { 0.0 } else { tick }),
            Font::new(11.0, palette::MUTED),
            Anchor::Middle,
        );
        tick += step;
        guard += 1;
    }
    for (g, group) in chart.groups.iter().enumerate() {
        let block = row_h * count_f64(rows);
        let font = Font::new(12.0, palette::INK).bold();
        let t = wrap_text(group, group_w - 10.0, font.size, true, 2);
        let lh = font.line_height() * count_f64(t.lines.len());
        c.open_group(t.truncated.then_some(group.as_str()));
        c.lines(
            MARGIN,
            y + (block - lh) / 2.0,
            &t.lines,
            font,
            Anchor::Start,
        );
        c.close_group();
        for (s, series) in chart.series.iter().enumerate() {
            let ry = y + row_h * count_f64(s);
            let colour = series_colour(s);
            if !series.name.is_empty() {
                let name = wrap_text(&series.name, series_w - 10.0, 11.0, false, 1);
                c.text(
                    plot_x - 6.0,
                    ry + 14.0,
                    name.lines.first().map_or("", String::as_str),
                    Font::new(11.0, colour).bold(),
                    Anchor::End,
                );
            }
            match series
                .values
                .get(g)
                .copied()
                .flatten()
                .filter(|v| v.is_finite())
            {
                Some(v) => {
                    let (a, b) = (sx(0.0), sx(v));
                    let tip = if series.name.is_empty() {
                        format!("{group}: {}{unit}", num(v))
                    } else {
                        format!("{group} \u{b7} {}: {}{unit}", series.name, num(v))
                    };
                    c.open_group(Some(&tip));
                    c.rect(a.min(b), ry + 2.0, (b - a).abs(), bar_h, 0.0, colour, None);
                    c.close_group();
                    c.text(
                        a.max(b) + 5.0,
                        ry + 14.0,
                        &format!("{}{unit}", num(v)),
                        Font::new(11.0, palette::INK),
                        Anchor::Start,
                    );
                }
                None => c.text(
                    sx(0.0) + 5.0,
                    ry + 14.0,
                    "\u{2013}",
                    Font::new(11.0, palette::MUTED),
                    Anchor::Start,
                ),
            }
        }
        y += block + group_gap;
        if g + 1 < chart.groups.len() {
            c.line(
                MARGIN,
                y - group_gap / 2.0,
                width - MARGIN,
                y - group_gap / 2.0,
                palette::RULE,
                0.8,
                Some("1 2"),
            );
        }
    }
    let height = y + MARGIN;
    let title = chart
        .title
        .clone()
        .unwrap_or_else(|| "Bar chart".to_owned());
    let series: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    let desc = format!(
        "{} groups, series: {}.",
        chart.groups.len(),
        series.join(", ")
    );
    c.finish(width, height, &title, &desc)
}
