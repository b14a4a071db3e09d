//! The directly-follows graph as a picture: events in layers, edges labelled with their
//! transitions and the median time between the two events, rare edges folded.
//!
//! ## Layout
//!
//! - **Folding**: an edge `a → b` is drawn when it carries at least `min_share` (default
//!   10 %) of the transitions out of `a`; the commonest edge out of every node is always
//!   drawn, so that no node is left without a way on. The other edges out of `a` are
//!   folded: `a`'s box says how many transitions (and edges) went elsewhere (`+95 to 1
//!   other`). Edges to `END` are not drawn either: the box says how many customers' last
//!   event it is (`216 end here`), so that no long edge crosses the graph to one node.
//! - **Layers**: `START` is layer 0; every other node sits one layer after the nearest
//!   node (fewest drawn edges from `START`, breadth first) that leads to it; nodes that no
//!   drawn edge reaches start new layers after the last. Within a layer, nodes go from
//!   most to fewest events (ties by name). Layers go left to right when that fits 1,300
//!   px (the report at a 1,366 px screen), else top to bottom (`direction` chooses).
//! - **Edges**: to a later layer, a curve from one box to the next; within a layer, a
//!   short bow beside the boxes; to an earlier layer (a step back), a route out into the
//!   gap after the source's layer, along the far side of the graph (under it, or right of
//!   it) and in from the gap before the target's layer, so that it crosses no box; to itself (a repeat), a loop beside its box. Edge
//!   width grows with the square root of the transitions.
//! - **Labels**: `transitions · median time` near the middle of the edge, at the first of
//!   a few places along it (on it, just above or below it, or beside it) that overlaps
//!   neither a box nor another label; an edge whose
//!   label finds no such place is listed under the graph instead (its tooltip has it too).
//!   Times are medians of the seconds between the two events (the mean of the two middle
//!   values for an even count); edges from `START` have no time.

use super::charts::FIT_WIDTH;
use super::palette;
use super::svg::{count_f64, Anchor, Canvas, Font};
use super::text::{count, escape_xml, num, text_width, wrap_text};
use crate::error::Error;
use crate::events::{DirectlyFollowsOptions, EventLog, END, START};
use crate::Result;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

const MARGIN: f64 = 16.0;
const NODE_H: f64 = 40.0;
const NODE_GAP: f64 = 26.0;
const LABEL: Font = Font::new(11.0, palette::INK);

/// Options of [`directly_follows_svg`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DfgChartOptions {
    /// Edges carrying less than this share of their source's transitions are folded
    /// (default 0.1; from 0 to 1). The commonest edge out of each node is always drawn.
    pub min_share: f64,
    /// Draw `START` and `END` nodes (default true).
    pub start_end: bool,
    /// Title drawn above the graph.
    pub title: Option<String>,
    /// Which way the layers go (default `auto`: left to right when that fits 1,300 px,
    /// else top to bottom).
    pub direction: DfgDirection,
}

/// Which way the layers of a directly-follows graph go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DfgDirection {
    /// Left to right when that fits 1,300 px (the report at a 1,366 px screen), else top
    /// to bottom.
    #[default]
    Auto,
    /// Left to right, however wide.
    LeftRight,
    /// Top to bottom.
    TopDown,
}

/// Which way an arrowhead points.
#[derive(Clone, Copy)]
enum Dir {
    Right,
    Left,
    Down,
    Up,
}

impl Default for DfgChartOptions {
    fn default() -> Self {
        Self {
            min_share: 0.1,
            start_end: true,
            title: None,
            direction: DfgDirection::Auto,
        }
    }
}

/// A drawn edge.
struct Edge {
    from: usize,
    to: usize,
    transitions: u64,
    median_seconds: Option<f64>,
}

pub(crate) use crate::format::duration;

/// The median of `values` (sorted here): the middle value, or the mean of the two middle
/// values for an even count.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => values.get(n / 2).copied(),
        _ => Some((values.get(n / 2 - 1)? + values.get(n / 2)?) / 2.0),
    }
}

/// Seconds between consecutive events of each customer, per (from, to) event name.
fn edge_times(log: &EventLog) -> BTreeMap<(&str, &str), Vec<f64>> {
    let mut times: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    for c in 0..log.customers().len() {
        let mut prev: Option<(&str, i64)> = None;
        for i in log.customer_range(c) {
            let Some(e) = log.get(i) else { continue };
            if let Some((name, t)) = prev {
                #[allow(
                    clippy::cast_precision_loss,
                    reason = "nanosecond gaps: seconds to well under a microsecond"
                )]
                let seconds = e.timestamp.saturating_sub(t) as f64 / 1e9;
                times.entry((name, e.event)).or_default().push(seconds);
            }
            prev = Some((e.event, e.timestamp));
        }
    }
    times
}

/// A box on the picture: left, top, right, bottom.
type Rect = (f64, f64, f64, f64);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Draws the directly-follows graph of a log (see the [module documentation](self)).
///
/// # Errors
/// `invalid_option` for a `min_share` outside 0–1 (or NaN).
pub fn directly_follows_svg(log: &EventLog, options: &DfgChartOptions) -> Result<String> {
    if !(0.0..=1.0).contains(&options.min_share) {
        return Err(Error::Input {
            code: crate::InputCode::InvalidOption,
            row: None,
            message: format!(
                "`min_share` must be from 0 to 1, not `{}`: edges with a smaller share of their source's transitions are folded",
                options.min_share
            ),
        });
    }
    let dfg = log.directly_follows(&DirectlyFollowsOptions {
        start_end: options.start_end,
        ..DirectlyFollowsOptions::default()
    })?;
    let mut times = edge_times(log);
    let names: Vec<&str> = dfg.nodes.iter().map(|n| n.name.as_str()).collect();
    let index = |name: &str| names.iter().position(|n| *n == name);
    let is_special =
        |i: usize| options.start_end && names.get(i).is_some_and(|n| *n == START || *n == END);
    // Drawn and folded edges.
    let mut edges: Vec<Edge> = Vec::new();
    let mut folded: Vec<(u64, usize)> = vec![(0, 0); names.len()];
    // Customers whose last event a node is (its edge to END, written in its box).
    let end = options.start_end.then(|| index(END)).flatten();
    let mut ends: Vec<u64> = vec![0; names.len()];
    for (from, name) in names.iter().enumerate() {
        let mut out: Vec<&crate::events::DfgEdge> =
            dfg.edges.iter().filter(|e| e.from == *name).collect();
        out.sort_by(|a, b| b.transitions.cmp(&a.transitions).then(a.to.cmp(&b.to)));
        let total: u64 = out.iter().map(|e| e.transitions).sum();
        let mut drawn_any = false;
        for e in &out {
            #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            let share = e.transitions as f64 / total.max(1) as f64;
            let Some(to) = index(&e.to) else { continue };
            if Some(to) == end {
                if let Some(x) = ends.get_mut(from) {
                    *x = e.transitions;
                }
                continue;
            }
            if !drawn_any || share >= options.min_share {
                drawn_any = true;
                let timed = !(is_special(from) || is_special(to));
                let median_seconds = if timed {
                    times
                        .get_mut(&(e.from.as_str(), e.to.as_str()))
                        .and_then(|v| median(v))
                } else {
                    None
                };
                edges.push(Edge {
                    from,
                    to,
                    transitions: e.transitions,
                    median_seconds,
                });
            } else if let Some(f) = folded.get_mut(from) {
                f.0 += e.transitions;
                f.1 += 1;
            }
        }
    }
    // Layers, breadth first over the drawn edges.
    let mut layer: Vec<Option<usize>> = vec![None; names.len()];
    let mut next_layer = 0;
    let mut order: Vec<usize> = (0..names.len()).filter(|&i| Some(i) != end).collect();
    // START first, then the others by most events.
    order.sort_by(|&a, &b| {
        let key = |i: usize| {
            (
                names.get(i).is_none_or(|n| *n != START),
                std::cmp::Reverse(dfg.nodes.get(i).map_or(0, |n| n.events)),
                names.get(i).copied(),
            )
        };
        key(a).cmp(&key(b))
    });
    for &root in &order {
        if layer.get(root).is_some_and(Option::is_some) {
            continue;
        }
        if let Some(l) = layer.get_mut(root) {
            *l = Some(next_layer);
        }
        let mut queue = VecDeque::from([root]);
        while let Some(u) = queue.pop_front() {
            let lu = layer.get(u).copied().flatten().unwrap_or(0);
            next_layer = next_layer.max(lu + 1);
            for e in edges.iter().filter(|e| e.from == u) {
                if Some(e.to) == end {
                    continue;
                }
                if let Some(l) = layer.get_mut(e.to) {
                    if l.is_none() {
                        *l = Some(lu + 1);
                        queue.push_back(e.to);
                    }
                }
            }
        }
    }
    let layers = layer.iter().flatten().max().map_or(0, |m| m + 1);
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (i, l) in layer.iter().enumerate() {
        if let Some(col) = l.and_then(|l| columns.get_mut(l)) {
            col.push(i);
        }
    }
    for col in &mut columns {
        col.sort_by(|&a, &b| {
            let key = |i: usize| {
                (
                    std::cmp::Reverse(dfg.nodes.get(i).map_or(0, |n| n.events)),
                    names.get(i).copied(),
                )
            };
            key(a).cmp(&key(b))
        });
    }
    // Node texts and widths.
    let name_font = Font::new(12.0, palette::INK).bold();
    let small = Font::new(11.0, palette::MUTED);
    let node_lines: Vec<Vec<String>> = (0..names.len())
        .map(|i| {
            let node = dfg.nodes.get(i);
            let mut lines = vec![names.get(i).copied().unwrap_or("").to_owned()];
            let events = node.map_or(0, |n| n.events);
            lines.push(if is_special(i) {
                format!("{} customers", count(events))
            } else {
                format!("{} events", count(events))
            });
            if let Some(&n) = ends.get(i).filter(|n| **n > 0) {
                lines.push(format!("{} end here", count(n)));
            }
            if let Some(&(t, k)) = folded.get(i).filter(|f| f.1 > 0) {
                lines.push(format!(
                    "+{} to {} other{}",
                    count(t),
                    k,
                    if k == 1 { "" } else { "s" }
                ));
            }
            lines
        })
        .collect();
    let node_w: Vec<f64> = node_lines
        .iter()
        .map(|lines| {
            lines
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    if k == 0 {
                        text_width(l, name_font.size, true)
                    } else {
                        text_width(l, small.size, false)
                    }
                })
                .fold(60.0, f64::max)
                .ceil()
                + 16.0
        })
        .collect();
    let node_h: Vec<f64> = node_lines
        .iter()
        .map(|l| NODE_H + 14.0 * count_f64(l.len().saturating_sub(2)))
        .collect();
    let label_text = |e: &Edge| match e.median_seconds {
        Some(s) => format!("{} \u{b7} {}", count(e.transitions), duration(s)),
        None => count(e.transitions),
    };
    let widest_label = edges
        .iter()
        .map(|e| text_width(&label_text(e), LABEL.size, false))
        .fold(0.0, f64::max)
        .ceil();
    // Along the layers (main axis) and across them: left to right when that fits
    // FIT_WIDTH, else top to bottom.
    let extent = |i: usize, across: bool, down: bool| -> f64 {
        let (w, h) = (
            node_w.get(i).copied().unwrap_or(60.0),
            node_h.get(i).copied().unwrap_or(NODE_H),
        );
        if across == down {
            w
        } else {
            h
        }
    };
    let lr_gap = (widest_label + 40.0).max(90.0);
    let lr_width = 2.0 * MARGIN
        + columns
            .iter()
            .map(|c| {
                c.iter()
                    .map(|&i| extent(i, false, false))
                    .fold(0.0, f64::max)
            })
            .sum::<f64>()
        + lr_gap * count_f64(layers.saturating_sub(1));
    let down = match options.direction {
        DfgDirection::LeftRight => false,
        DfgDirection::TopDown => true,
        DfgDirection::Auto => lr_width > FIT_WIDTH,
    };
    let gap = if down { 64.0 } else { lr_gap };
    let cross_gap = if down { 40.0 } else { NODE_GAP };
    let layer_main: Vec<f64> = columns
        .iter()
        .map(|c| {
            c.iter()
                .map(|&i| extent(i, false, down))
                .fold(0.0, f64::max)
        })
        .collect();
    let layer_cross: Vec<f64> = columns
        .iter()
        .map(|c| {
            c.iter().map(|&i| extent(i, true, down)).sum::<f64>()
                + cross_gap * count_f64(c.len().saturating_sub(1))
        })
        .collect();
    let graph_cross = layer_cross.iter().copied().fold(0.0, f64::max);
    let graph_main = layer_main.iter().sum::<f64>() + gap * count_f64(layers.saturating_sub(1));
    // Steps back are arcs beyond the graph's far side (under it, or right of it).
    let backs = edges
        .iter()
        .filter(|e| layer.get(e.to).copied().flatten() < layer.get(e.from).copied().flatten())
        .count();
    let arcs_room = if backs > 0 {
        24.0 + 16.0 * count_f64(backs) + 24.0
    } else {
        0.0
    };
    let loops = edges.iter().any(|e| e.from == e.to);
    let loop_room = if loops { 34.0 } else { 4.0 };
    let width = if down {
        2.0 * MARGIN + loop_room + graph_cross + arcs_room + widest_label
    } else {
        2.0 * MARGIN + graph_main
    }
    .max(480.0)
    .ceil();
    let mut c = Canvas::new();
    let mut y = MARGIN;
    if let Some(title) = &options.title {
        let font = Font::new(16.0, palette::INK).bold();
        let t = wrap_text(title, width - 2.0 * MARGIN, font.size, true, 2);
        y += c.lines(MARGIN, y, &t.lines, font, Anchor::Start) + 8.0;
    }
    let graph_top = y;
    // The graph's origin: loops go over the boxes (left to right) or left of them (top
    // to bottom).
    let (ox, oy) = if down {
        (MARGIN + loop_room, y + 4.0)
    } else {
        (MARGIN, y + loop_room)
    };
    let mut boxes: Vec<Rect> = vec![(0.0, 0.0, 0.0, 0.0); names.len()];
    let mut main = 0.0;
    for (k, col) in columns.iter().enumerate() {
        let lm = layer_main.get(k).copied().unwrap_or(0.0);
        let mut cross = (graph_cross - layer_cross.get(k).copied().unwrap_or(0.0)) / 2.0;
        for &i in col {
            let (em, ec) = (extent(i, false, down), extent(i, true, down));
            let m0 = main + (lm - em) / 2.0;
            let r = if down {
                (ox + cross, oy + m0, ox + cross + ec, oy + m0 + em)
            } else {
                (ox + m0, oy + cross, ox + m0 + em, oy + cross + ec)
            };
            if let Some(b) = boxes.get_mut(i) {
                *b = r;
            }
            cross += ec + cross_gap;
        }
        main += lm + gap;
    }
    let (graph_right, graph_bottom) = if down {
        (ox + graph_cross, oy + graph_main)
    } else {
        (ox + graph_main, oy + graph_cross)
    };
    let max_t = edges
        .iter()
        .map(|e| e.transitions)
        .max()
        .unwrap_or(1)
        .max(1);
    let stroke_w = |t: u64| {
        #[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
        let r = (t as f64 / max_t as f64).sqrt();
        1.0 + 5.0 * r
    };
    let mut placed: Vec<Rect> = boxes.clone();
    let mut unlabelled: Vec<String> = Vec::new();
    let mut labels: Vec<(f64, f64, String)> = Vec::new();
    let mut back = 0usize;
    let mut paths = String::new();
    for e in &edges {
        let (Some(&a), Some(&b)) = (boxes.get(e.from), boxes.get(e.to)) else {
            continue;
        };
        let (la, lb) = (
            layer.get(e.from).copied().flatten().unwrap_or(0),
            layer.get(e.to).copied().flatten().unwrap_or(0),
        );
        let sw = stroke_w(e.transitions);
        let (ma, mb) = (
            ((a.0 + a.2) / 2.0, (a.1 + a.3) / 2.0),
            ((b.0 + b.2) / 2.0, (b.1 + b.3) / 2.0),
        );
        // The curve as cubic Bézier points (or, for a step back, a route of straight
        // segments), the arrowhead's tip and its direction.
        let mut poly: Option<Vec<(f64, f64)>> = None;
        let (p0, p1, p2, p3, tip, dir) = if e.from == e.to {
            if down {
                let cy = ma.1;
                (
                    (a.0, cy - 10.0),
                    (a.0 - 34.0, cy - 24.0),
                    (a.0 - 34.0, cy + 24.0),
                    (a.0 - 7.0, cy + 10.0),
                    (a.0, cy + 10.0),
                    Dir::Right,
                )
            } else {
                let cx = ma.0;
                (
                    (cx - 12.0, a.1),
                    (cx - 26.0, a.1 - 34.0),
                    (cx + 26.0, a.1 - 34.0),
                    (cx + 12.0, a.1 - 7.0),
                    (cx + 12.0, a.1),
                    Dir::Down,
                )
            }
        } else if lb > la {
            if down {
                let (x0, y0, x1, y1) = (ma.0, a.3, mb.0, b.1);
                let my = (y0 + y1) / 2.0;
                (
                    (x0, y0),
                    (x0, my),
                    (x1, my),
                    (x1, y1 - 7.0),
                    (x1, y1),
                    Dir::Down,
                )
            } else {
                let (x0, y0, x1, y1) = (a.2, ma.1, b.0, mb.1);
                let mx = (x0 + x1) / 2.0;
                (
                    (x0, y0),
                    (mx, y0),
                    (mx, y1),
                    (x1 - 7.0, y1),
                    (x1, y1),
                    Dir::Right,
                )
            }
        } else if lb == la {
            // Within a layer: a short bow into the gap after it.
            if down {
                (
                    (ma.0 + 4.0, a.3),
                    (ma.0 + 4.0, a.3 + 22.0),
                    (mb.0 - 4.0, b.3 + 22.0),
                    (mb.0 - 4.0, b.3 + 7.0),
                    (mb.0 - 4.0, b.3),
                    Dir::Up,
                )
            } else {
                (
                    (a.2, ma.1 + 4.0),
                    (a.2 + 22.0, ma.1 + 4.0),
                    (b.2 + 22.0, mb.1 - 4.0),
                    (b.2 + 7.0, mb.1 - 4.0),
                    (b.2, mb.1 - 4.0),
                    Dir::Left,
                )
            }
        } else {
            back += 1;
            let depth = 24.0 + 16.0 * count_f64(back);
            // Out of the source into the gap after its layer, along the far side of the
            // graph, and into the target from the gap before its layer: never across
            // another box of either layer.
            let lane = 8.0 + 4.0 * count_f64(back % 4);
            let points = if down {
                let d = graph_right + depth;
                vec![
                    (ma.0 + 10.0, a.3),
                    (ma.0 + 10.0, a.3 + lane),
                    (d, a.3 + lane),
                    (d, b.1 - lane),
                    (mb.0 + 10.0, b.1 - lane),
                    (mb.0 + 10.0, b.1 - 7.0),
                ]
            } else {
                let d = graph_bottom + depth;
                vec![
                    (a.2, ma.1 + 6.0),
                    (a.2 + lane, ma.1 + 6.0),
                    (a.2 + lane, d),
                    (b.0 - lane, d),
                    (b.0 - lane, mb.1 + 6.0),
                    (b.0 - 7.0, mb.1 + 6.0),
                ]
            };
            let (far0, far1) = (
                points.get(2).copied().unwrap_or_default(),
                points.get(3).copied().unwrap_or_default(),
            );
            let last = points.last().copied().unwrap_or_default();
            let (tip, dir) = if down {
                ((last.0, last.1 + 7.0), Dir::Down)
            } else {
                ((last.0 + 7.0, last.1), Dir::Right)
            };
            poly = Some(points);
            // The label goes along the far segment.
            (far0, far0, far1, far1, tip, dir)
        };
        let bez = |t: f64| {
            let u = 1.0 - t;
            (
                u * u * u * p0.0
                    + 3.0 * u * u * t * p1.0
                    + 3.0 * u * t * t * p2.0
                    + t * t * t * p3.0,
                u * u * u * p0.1
                    + 3.0 * u * u * t * p1.1
                    + 3.0 * u * t * t * p2.1
                    + t * t * t * p3.1,
            )
        };
        let from_name = names.get(e.from).copied().unwrap_or("");
        let to_name = names.get(e.to).copied().unwrap_or("");
        let text = label_text(e);
        let tooltip = format!("{from_name} \u{2192} {to_name}: {text}");
        let (tx, ty) = tip;
        let head = match dir {
            Dir::Right => [(tx, ty), (tx - 8.0, ty - 5.0), (tx - 8.0, ty + 5.0)],
            Dir::Left => [(tx, ty), (tx + 8.0, ty - 5.0), (tx + 8.0, ty + 5.0)],
            Dir::Down => [(tx, ty), (tx - 5.0, ty - 8.0), (tx + 5.0, ty - 8.0)],
            Dir::Up => [(tx, ty), (tx - 5.0, ty + 8.0), (tx + 5.0, ty + 8.0)],
        };
        let head: Vec<String> = head
            .iter()
            .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
            .collect();
        let d = match &poly {
            Some(points) => points
                .iter()
                .enumerate()
                .map(|(k, (x, y))| {
                    format!("{}{},{}", if k == 0 { "M" } else { "L" }, num(*x), num(*y))
                })
                .collect::<String>(),
            None => format!(
                "M{},{}C{},{} {},{} {},{}",
                num(p0.0),
                num(p0.1),
                num(p1.0),
                num(p1.1),
                num(p2.0),
                num(p2.1),
                num(p3.0),
                num(p3.1)
            ),
        };
        paths.push_str(&format!(
            "<g><title>{}</title><path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-opacity=\"0.55\" stroke-width=\"{}\" stroke-linejoin=\"round\"/><polygon points=\"{}\" fill=\"{}\"/></g>",
            escape_xml(&tooltip),
            palette::MUTED,
            num(sw),
            head.join(" "),
            palette::MUTED
        ));
        // The label: the first free place along the curve.
        let w = text_width(&text, LABEL.size, false);
        let spot = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]
            .iter()
            .flat_map(|&t| {
                let side = w / 2.0 + 8.0;
                [
                    (t, 0.0, 0.0),
                    (t, 0.0, -12.0),
                    (t, 0.0, 12.0),
                    (t, side, 4.0),
                    (t, -side, 4.0),
                ]
            })
            .map(|(t, dx, dy)| {
                let (px, py) = bez(t);
                let (px, py) = (px + dx, py + dy);
                let r: Rect = (px - w / 2.0 - 2.0, py - 10.0, px + w / 2.0 + 2.0, py + 5.0);
                (px, py, r)
            })
            .find(|(_, _, r)| {
                r.0 >= MARGIN / 2.0
                    && r.1 >= graph_top
                    && r.2 <= width - MARGIN / 2.0
                    && !placed.iter().any(|p| overlaps(*p, *r))
            });
        match spot {
            Some((px, py, r)) => {
                placed.push(r);
                labels.push((px, py, text));
            }
            None => unlabelled.push(tooltip),
        }
    }
    let deepest = if down {
        graph_bottom
    } else {
        graph_bottom + arcs_room - 24.0
    };
    c.raw(&paths);
    for (i, lines) in node_lines.iter().enumerate() {
        let (Some(&(x0, y0, x1, y1)), Some(Some(_))) = (boxes.get(i), layer.get(i)) else {
            continue;
        };
        let special = is_special(i);
        let (fill, border) = if special {
            (palette::BAND, palette::MUTED)
        } else {
            ("#ddf4ff", "#0550ae")
        };
        c.rect(
            x0,
            y0,
            x1 - x0,
            y1 - y0,
            6.0,
            fill,
            Some((border, 1.2, special)),
        );
        let cx = (x0 + x1) / 2.0;
        for (k, line) in lines.iter().enumerate() {
            let font = if k == 0 { name_font } else { small };
            c.text(
                cx,
                y0 + 17.0 + 14.0 * count_f64(k),
                line,
                font,
                Anchor::Middle,
            );
        }
    }
    for (px, py, text) in &labels {
        c.raw(&format!(
            r#"<text x="{}" y="{}" font-size="11" fill="{}" stroke="{}" stroke-width="3" paint-order="stroke" text-anchor="middle">{}</text>"#,
            num(*px),
            num(*py),
            palette::INK,
            palette::BACKGROUND,
            escape_xml(text)
        ));
    }
    let mut bottom = deepest + 24.0;
    let _ = graph_right;
    if !unlabelled.is_empty() {
        let head = format!("Edges without room for their label ({}):", unlabelled.len());
        bottom += c.lines(MARGIN, bottom, &[head], small, Anchor::Start);
        for tip in &unlabelled {
            let t = wrap_text(tip, width - 2.0 * MARGIN, small.size, false, 2);
            bottom += c.lines(MARGIN, bottom, &t.lines, small, Anchor::Start);
        }
    }
    let folded_edges: usize = folded.iter().map(|f| f.1).sum();
    let desc = format!(
        "Directly-follows graph: {} nodes in {layers} layers, {} edges drawn, {folded_edges} rare edges folded (under {} of their source's transitions).",
        layer.iter().flatten().count(),
        edges.len(),
        super::text::percent(options.min_share)
    );
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| "Directly-follows graph".to_owned());
    Ok(c.finish(width, bottom + MARGIN, &title, &desc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
