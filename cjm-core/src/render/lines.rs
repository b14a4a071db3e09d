//! Line charts over periods: the picture of event trends and funnel trends.
//!
//! One line per series, each with its own colour and marker shape (so that colour never
//! carries meaning alone) and its name in a legend above the plot; a series keeps its
//! colour from chart to chart as long as its position among the series does (the results
//! list series by name). Period labels are written for people (`6 Jan`, `Jan 2025`, the
//! year where it changes) and thinned out so that no two overlap; counts have thousands
//! separators, shares are percentages. A missing value (a rate of nobody) breaks the line;
//! it is never drawn as 0.

use super::palette;
use super::svg::{count_f64, Anchor, Canvas, Font};
use super::text::{count, num, percent, text_width, wrap_text};
use crate::error::{Error, Result};
use crate::events::{FunnelTrendsResult, RetentionPeriod, TrendsResult};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

const MARGIN: f64 = 16.0;

/// The most series one chart draws (the largest by sum); the others are named in the
/// caption.
pub const MAX_LINES: usize = 12;

/// What the values of a [`LineChart`] are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineValues {
    /// Counts (axis labels with thousands separators).
    #[default]
    Count,
    /// Shares from 0 to 1 (axis labels as percentages, the axis from 0 to at most 100 %).
    Share,
}

/// A line chart to draw: values per period, one line per series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineChart {
    /// Title drawn above the chart.
    #[serde(default)]
    pub title: Option<String>,
    /// The label of each period, left to right (already written for people).
    pub periods: Vec<String>,
    /// The series; `values[i]` belongs to `periods[i]`.
    pub series: Vec<LineSeries>,
    /// Counts (default) or shares.
    #[serde(default)]
    pub values: LineValues,
    /// The caption under the period axis (`Week starting, UTC+02:00`).
    #[serde(default)]
    pub x_caption: Option<String>,
    /// Width in px (default 900, at least 480).
    #[serde(default)]
    pub width: Option<u32>,
}

/// One line of a [`LineChart`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineSeries {
    /// The series name, in the legend.
    pub name: String,
    /// One value per period; missing or non-finite values break the line.
    pub values: Vec<Option<f64>>,
}

/// What a trends chart counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrendsMeasure {
    /// The number of events (default).
    #[default]
    Volume,
    /// The distinct customers.
    Customers,
}

/// Which lines a trends chart draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrendsLines {
    /// One line per event (default; per event for event trends).
    #[default]
    Event,
    /// One line: the total of the selected events (for funnel trends, the conversion).
    Total,
    /// One line per breakdown value (of its total, or its conversion).
    Breakdown,
}

/// How to draw trends as a line chart ([`trends_chart`], [`funnel_trends_chart`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TrendsChartOptions {
    /// `volume` (default) or `customers`; funnel trends always draw the conversion rate.
    pub measure: TrendsMeasure,
    /// `event` (default: one line per event; for funnel trends, the same as `total`),
    /// `total` or `breakdown`.
    pub by: TrendsLines,
    /// The title (default: what is drawn, per which period).
    pub title: Option<String>,
    /// Width in px (default 900, at least 480).
    pub width: Option<u32>,
}

fn invalid(message: String) -> Error {
    Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `YYYY-MM-DD` labels as people read them: `6 Jan` (by day and week) or `Jan` (by month),
/// with the year on the first label and wherever it changes.
fn period_labels(starts: &[String], period: RetentionPeriod) -> Vec<String> {
    let mut last_year: Option<&str> = None;
    starts
        .iter()
        .map(|s| {
            let (year, rest) = s.split_at(s.len().min(4));
            let month = rest
                .get(1..3)
                .and_then(|m| m.parse::<usize>().ok())
                .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
            let day = rest.get(4..6).and_then(|d| d.parse::<u32>().ok());
            let (Some(month), Some(day)) = (month, day) else {
                return s.clone();
            };
            let base = match period {
                RetentionPeriod::Month => (*month).to_owned(),
                _ => format!("{day} {month}"),
            };
            let label = if last_year == Some(year) {
                base
            } else {
                format!("{base} {year}")
            };
            last_year = Some(year);
            label
        })
        .collect()
}

fn x_caption(period: RetentionPeriod, time_zone: &str) -> String {
    let what = match period {
        RetentionPeriod::Day => "Day",
        RetentionPeriod::Week => "Week starting (Monday)",
        RetentionPeriod::Month => "Month",
    };
    format!("{what}, UTC{time_zone}")
}

/// The period and time zone of a trends definition (its `options`).
fn period_of(params: &serde_json::Value) -> (RetentionPeriod, String) {
    let options = params.get("options");
    let period = options
        .and_then(|o| o.get("period"))
        .and_then(|p| serde_json::from_value(p.clone()).ok())
        .unwrap_or_default();
    let zone = options
        .and_then(|o| o.get("time_zone"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("+00:00")
        .to_owned();
    (period, zone)
}

#[allow(
    clippy::cast_precision_loss,
    reason = "counts far below 2^52 are exact"
)]
fn line(name: &str, values: &[u64]) -> LineSeries {
    LineSeries {
        name: name.to_owned(),
        values: values.iter().map(|&v| Some(v as f64)).collect(),
    }
}

/// The line chart of event trends: the `measure` (events or distinct customers) of one
/// line per event, of the total, or of each breakdown value's total.
///
/// # Errors
/// `invalid_option` for `by: breakdown` on trends without a breakdown.
pub fn trends_chart(result: &TrendsResult, options: &TrendsChartOptions) -> Result<LineChart> {
    let customers = options.measure == TrendsMeasure::Customers;
    let pick = |v: &[u64], c: &[u64]| if customers { c.to_vec() } else { v.to_vec() };
    let series: Vec<LineSeries> = match options.by {
        TrendsLines::Event => result
            .events
            .iter()
            .map(|s| line(&s.event, &pick(&s.volume, &s.customers)))
            .collect(),
        TrendsLines::Total => vec![line(
            "All selected events",
            &pick(&result.total.volume, &result.total.customers),
        )],
        TrendsLines::Breakdown if result.breakdown.is_empty() => {
            return Err(invalid(
                "`by: breakdown` needs trends computed with a `breakdown` column".to_owned(),
            ))
        }
        TrendsLines::Breakdown => result
            .breakdown
            .iter()
            .map(|g| {
                line(
                    g.value.as_deref().unwrap_or("(none)"),
                    &pick(&g.total.volume, &g.total.customers),
                )
            })
            .collect(),
    };
    let (period, zone) = period_of(&result.definition.params);
    let what = if customers {
        "Unique customers"
    } else {
        "Events"
    };
    let by_column = result
        .definition
        .params
        .get("options")
        .and_then(|o| o.get("breakdown"))
        .and_then(serde_json::Value::as_str)
        .filter(|_| options.by == TrendsLines::Breakdown)
        .map_or(String::new(), |c| format!(", by {c}"));
    Ok(LineChart {
        title: Some(
            options
                .title
                .clone()
                .unwrap_or_else(|| format!("{what} per {}{by_column}", period_word(period))),
        ),
        periods: period_labels(&result.periods, period),
        series,
        values: LineValues::Count,
        x_caption: Some(x_caption(period, &zone)),
        width: options.width,
    })
}

fn period_word(period: RetentionPeriod) -> &'static str {
    match period {
        RetentionPeriod::Day => "day",
        RetentionPeriod::Week => "week",
        RetentionPeriod::Month => "month",
    }
}

/// The line chart of funnel trends: the conversion rate per period of entry, one line
/// (`by` `event` or `total`) or one per breakdown value (`breakdown`); `measure` is not
/// read.
///
/// # Errors
/// `invalid_option` for `by: breakdown` on a funnel without a breakdown.
pub fn funnel_trends_chart(
    result: &FunnelTrendsResult,
    options: &TrendsChartOptions,
) -> Result<LineChart> {
    let series = match options.by {
        TrendsLines::Event | TrendsLines::Total => vec![LineSeries {
            name: "Conversion".to_owned(),
            values: result.rates.clone(),
        }],
        TrendsLines::Breakdown if result.breakdown.is_empty() => {
            return Err(invalid(
                "`by: breakdown` needs a funnel with a `breakdown` column".to_owned(),
            ))
        }
        TrendsLines::Breakdown => result
            .breakdown
            .iter()
            .map(|g| LineSeries {
                name: g.value.clone().unwrap_or_else(|| "(none)".to_owned()),
                values: g.rates.clone(),
            })
            .collect(),
    };
    let (period, zone) = period_of(&result.definition.params);
    Ok(LineChart {
        title: Some(
            options.title.clone().unwrap_or_else(|| {
                format!("Funnel conversion by {} of entry", period_word(period))
            }),
        ),
        periods: period_labels(&result.periods, period),
        series,
        values: LineValues::Share,
        x_caption: Some(x_caption(period, &zone)),
        width: options.width,
    })
}

/// The SVG picture of event trends: [`trends_chart`] drawn by [`line_chart_svg`] (Python's
/// `TrendsResult.to_svg`, JavaScript's `log.trendsSvg`).
///
/// # Errors
/// As [`trends_chart`].
pub fn trends_svg(result: &TrendsResult, options: &TrendsChartOptions) -> Result<String> {
    trends_chart(result, options).map(|c| line_chart_svg(&c))
}

/// The SVG picture of funnel trends: [`funnel_trends_chart`] drawn by [`line_chart_svg`]
/// (Python's `FunnelTrendsResult.to_svg`, JavaScript's `log.funnelTrendsSvg`).
///
/// # Errors
/// As [`funnel_trends_chart`].
pub fn funnel_trends_svg(
    result: &FunnelTrendsResult,
    options: &TrendsChartOptions,
) -> Result<String> {
    funnel_trends_chart(result, options).map(|c| line_chart_svg(&c))
}

#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a non-negative tick value rounded to a whole count"
)]
fn tick_label(v: f64, values: LineValues) -> String {
    match values {
        LineValues::Share => percent(v),
        LineValues::Count => count(v.round().max(0.0) as u64),
    }
}

fn value_label(v: f64, values: LineValues) -> String {
    tick_label(v, values)
}

/// Draws a line chart: a legend (marker and name per series), a value axis from 0 with
/// "nice" ticks, the lines with a marker per point (when there are few enough points),
/// period labels thinned so that none overlaps, and a caption.
#[must_use]
#[allow(clippy::too_many_lines, reason = "one picture, laid out top to bottom")]
pub fn line_chart_svg(chart: &LineChart) -> String {
    let width = f64::from(chart.width.unwrap_or(900).max(480));
    let n = chart.periods.len();
    // The largest series by sum first, at most MAX_LINES; the others named in the caption.
    let mut order: Vec<(usize, f64)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let sum = s.values.iter().flatten().filter(|v| v.is_finite()).sum();
            (i, sum)
        })
        .collect();
    // Insertion sorts: a chart has few series, and sorts would weigh on the browser module.
    for i in 1..order.len() {
        let mut j = i;
        while j > 0 {
            let (Some(a), Some(b)) = (order.get(j - 1), order.get(j)) else {
                break;
            };
            // `b` before `a`: a larger sum, or an equal sum and an earlier series.
            if a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)).is_lt() {
                order.swap(j - 1, j);
                j -= 1;
            } else {
                break;
            }
        }
    }
    let mut drawn: Vec<usize> = Vec::new();
    for i in order.iter().take(MAX_LINES).map(|x| x.0) {
        if let Err(at) = drawn.binary_search(&i) {
            drawn.insert(at, i);
        }
    }
    let left_out: Vec<&str> = order
        .iter()
        .skip(MAX_LINES)
        .filter_map(|x| chart.series.get(x.0).map(|s| s.name.as_str()))
        .collect();
    let finite = |s: &LineSeries| {
        s.values
            .iter()
            .map(|v| v.filter(|x| x.is_finite()))
            .collect::<Vec<_>>()
    };
    let max = drawn
        .iter()
        .filter_map(|&i| chart.series.get(i))
        .flat_map(|s| finite(s).into_iter().flatten())
        .fold(0.0, f64::max);
    let (step, hi) = match chart.values {
        LineValues::Share => {
            let top = if max > 0.5 {
                1.0
            } else {
                (max * 1.1).max(0.05)
            };
            let step = super::charts::nice_step(top);
            (step, ((top / step).ceil() * step).min(1.0).max(step))
        }
        LineValues::Count => {
            let step = super::charts::nice_step(max).max(1.0);
            (step, ((max / step).ceil() * step).max(step))
        }
    };
    let mut c = Canvas::new();
    let mut y = MARGIN;
    if let Some(title) = &chart.title {
        let font = Font::new(16.0, palette::INK).bold();
        let t = wrap_text(title, width - 2.0 * MARGIN, font.size, true, 2);
        y += c.lines(MARGIN, y, &t.lines, font, Anchor::Start) + 8.0;
    }
    // Legend: marker and name per drawn series, in rows.
    let legend_font = Font::new(12.0, palette::INK);
    let mut lx = MARGIN;
    let row_h = 20.0;
    for (k, &i) in drawn.iter().enumerate() {
        let Some(s) = chart.series.get(i) else {
            continue;
        };
        let name = wrap_text(&s.name, 220.0, legend_font.size, false, 1);
        let label = name.lines.first().cloned().unwrap_or_default();
        let w = 22.0 + text_width(&label, legend_font.size, false) + 18.0;
        if lx + w > width - MARGIN && lx > MARGIN {
            lx = MARGIN;
            y += row_h;
        }
        let (colour, shape) = style(k);
        c.line(lx, y + 8.0, lx + 16.0, y + 8.0, colour, 2.0, None);
        c.marker(shape, lx + 8.0, y + 8.0, 4.0, colour);
        c.open_group(name.truncated.then_some(s.name.as_str()));
        c.text(lx + 22.0, y + 12.0, &label, legend_font, Anchor::Start);
        c.close_group();
        lx += w;
    }
    y += row_h + 10.0;
    // Plot area: value labels on the left.
    let axis_font = Font::new(11.0, palette::MUTED);
    let mut ticks = Vec::new();
    let mut t = 0.0;
    let mut guard = 0;
    while t <= hi + step / 2.0 && guard < 50 {
        ticks.push(t);
        t += step;
        guard += 1;
    }
    let label_w = ticks
        .iter()
        .map(|&t| text_width(&tick_label(t, chart.values), axis_font.size, false))
        .fold(0.0, f64::max);
    let plot_x = MARGIN + label_w + 8.0;
    let plot_w = width - plot_x - MARGIN - 8.0;
    let plot_top = y + 6.0;
    let plot_h = 260.0;
    let plot_bottom = plot_top + plot_h;
    let sy = |v: f64| plot_bottom - (v / hi).clamp(0.0, 1.0) * plot_h;
    let slot = if n > 0 { plot_w / count_f64(n) } else { plot_w };
    let sx = |i: usize| plot_x + slot * (count_f64(i) + 0.5);
    for &t in &ticks {
        let ty = sy(t);
        let zero = t == 0.0;
        c.line(
            plot_x,
            ty,
            plot_x + plot_w,
            ty,
            if zero { palette::MUTED } else { palette::RULE },
            if zero { 1.2 } else { 0.8 },
            None,
        );
        c.text(
            plot_x - 6.0,
            ty + 4.0,
            &tick_label(t, chart.values),
            axis_font,
            Anchor::End,
        );
    }
    // Period labels: every k-th, k the smallest that keeps them apart.
    let widest = chart
        .periods
        .iter()
        .map(|p| text_width(p, axis_font.size, false))
        .fold(0.0, f64::max);
    let every = if slot > 0.0 {
        ((widest + 10.0) / slot).ceil().max(1.0)
    } else {
        1.0
    };
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small positive whole number"
    )]
    let every = every as usize;
    for (i, label) in chart.periods.iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        let x = sx(i);
        c.line(
            x,
            plot_bottom,
            x,
            plot_bottom + 4.0,
            palette::MUTED,
            1.0,
            None,
        );
        c.text(x, plot_bottom + 17.0, label, axis_font, Anchor::Middle);
    }
    // Lines: a path per run of values, markers when points are not crowded.
    let markers = slot >= 10.0;
    for (k, &i) in drawn.iter().enumerate() {
        let Some(s) = chart.series.get(i) else {
            continue;
        };
        let (colour, shape) = style(k);
        let values = finite(s);
        let mut d = String::new();
        let mut pen_down = false;
        for (j, v) in values.iter().enumerate().take(n) {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{},{}",
                        if pen_down { "L" } else { "M" },
                        num(sx(j)),
                        num(sy(*v))
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        c.open_group(Some(&s.name));
        if !d.is_empty() {
            c.raw(&format!(
                r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>"#
            ));
        }
        if markers {
            for (j, v) in values.iter().enumerate().take(n) {
                if let Some(v) = v {
                    let period = chart.periods.get(j).map_or("", String::as_str);
                    c.open_group(Some(&format!(
                        "{} \u{b7} {period}: {}",
                        s.name,
                        value_label(*v, chart.values)
                    )));
                    c.marker(shape, sx(j), sy(*v), 3.5, colour);
                    c.close_group();
                }
            }
        }
        c.close_group();
    }
    let mut y = plot_bottom + 36.0;
    if let Some(caption) = &chart.x_caption {
        c.text(
            plot_x + plot_w / 2.0,
            y,
            caption,
            Font::new(12.0, palette::MUTED),
            Anchor::Middle,
        );
        y += 18.0;
    }
    if !left_out.is_empty() {
        let note = format!(
            "{} more series not drawn: {}",
            left_out.len(),
            left_out.join(", ")
        );
        let t = wrap_text(&note, width - 2.0 * MARGIN, 11.0, false, 2);
        y += c.lines(MARGIN, y - 8.0, &t.lines, axis_font, Anchor::Start);
    }
    if n == 0 {
        c.text(
            plot_x + plot_w / 2.0,
            plot_top + plot_h / 2.0,
            "No period to show",
            Font::new(13.0, palette::MUTED),
            Anchor::Middle,
        );
    }
    let height = y + MARGIN;
    let title = chart
        .title
        .clone()
        .unwrap_or_else(|| "Line chart".to_owned());
    let names: Vec<&str> = drawn
        .iter()
        .filter_map(|&i| chart.series.get(i).map(|s| s.name.as_str()))
        .collect();
    let desc = format!(
        "{} periods from {} to {}; lines: {}.",
        n,
        chart.periods.first().map_or("", String::as_str),
        chart.periods.last().map_or("", String::as_str),
        names.join(", ")
    );
    c.finish(width, height, &title, &desc)
}

/// The colour and marker shape of the `k`-th series: 6 colours, and shapes that differ for
/// series of the same colour.
fn style(k: usize) -> (&'static str, usize) {
    let colours = palette::PERSONAS;
    let colour = colours
        .get(k % colours.len())
        .copied()
        .unwrap_or(palette::INK);
    (colour, (k + k / colours.len()) % 6)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn period_labels_for_people() {
        let days: Vec<String> = ["2024-12-30", "2024-12-31", "2025-01-01", "2025-01-02"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(
            period_labels(&days, RetentionPeriod::Day),
            ["30 Dec 2024", "31 Dec", "1 Jan 2025", "2 Jan"]
        );
        let months: Vec<String> = ["2024-11-01", "2024-12-01", "2025-01-01"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(
            period_labels(&months, RetentionPeriod::Month),
            ["Nov 2024", "Dec", "Jan 2025"]
        );
    }

    fn chart(n: usize, series: usize) -> LineChart {
        LineChart {
            title: Some("Events <per> day".to_owned()),
            periods: (0..n).map(|i| format!("{} Jan", i + 1)).collect(),
            series: (0..series)
                .map(|s| LineSeries {
                    name: format!("event & {s}"),
                    values: (0..n)
                        .map(|i| (i % 7 != 3).then(|| ((i * (s + 1) * 137) % 12_345) as f64))
                        .collect(),
                })
                .collect(),
            values: LineValues::Count,
            x_caption: Some("Day, UTC+00:00".to_owned()),
            width: None,
        }
    }

    /// The x positions of the period labels (the `text-anchor="middle"` texts under the
    /// plot) are at least their widths apart.
    #[test]
    fn labels_never_overlap_and_text_is_escaped() {
        for n in [1, 7, 31, 90, 365] {
            let c = chart(n, 3);
            let svg = line_chart_svg(&c);
            assert!(svg.contains("Events &lt;per&gt; day"));
            assert!(svg.contains("event &amp; 0"));
            assert!(!svg.contains("NaN"));
            let xs: Vec<f64> = svg
                .lines()
                .filter(|l| l.contains("Jan</text>") && l.contains("middle"))
                .map(|l| {
                    let x = l.split("x=\"").nth(1).unwrap();
                    x.split('"').next().unwrap().parse().unwrap()
                })
                .collect();
            assert!(!xs.is_empty());
            let widest = c
                .periods
                .iter()
                .map(|p| text_width(p, 11.0, false))
                .fold(0.0, f64::max);
            for w in xs.windows(2) {
                assert!(w[1] - w[0] >= widest, "{n} periods: {xs:?}");
            }
            // The value axis has thousands separators.
            if n >= 90 {
                assert!(svg.contains(",000</text>"), "{n}");
            }
        }
    }

    #[test]
    fn many_series_are_capped_and_named() {
        let svg = line_chart_svg(&chart(10, 15));
        assert!(svg.contains("3 more series not drawn"));
        assert_eq!(svg.matches("stroke-linejoin=\"round\"").count(), MAX_LINES);
    }

    #[test]
    fn the_largest_series_are_drawn() {
        // 14 series with sums 0, 1, 2, … 13 in a shuffled order: the two smallest (named
        // `s0` and `s1`) are left out, the others keep their order in the legend.
        let sums = [5, 0, 13, 7, 1, 12, 3, 9, 2, 11, 4, 10, 6, 8];
        let c = LineChart {
            title: None,
            periods: vec!["a".into(), "b".into()],
            series: sums
                .iter()
                .map(|&s| LineSeries {
                    name: format!("s{s}"),
                    values: vec![Some(f64::from(s)), Some(0.0)],
                })
                .collect(),
            values: LineValues::Count,
            x_caption: None,
            width: Some(1400),
        };
        let svg = line_chart_svg(&c);
        assert!(svg.contains("2 more series not drawn: s1, s0"), "{svg}");
        let legend: Vec<&str> = svg
            .lines()
            .filter_map(|l| l.strip_suffix("</text>"))
            .filter_map(|l| l.rsplit('>').next())
            .filter(|t| t.starts_with('s'))
            .collect();
        assert_eq!(
            legend,
            ["s5", "s13", "s7", "s12", "s3", "s9", "s2", "s11", "s4", "s10", "s6", "s8"]
        );
    }

    #[test]
    fn a_missing_share_breaks_the_line() {
        let c = LineChart {
            title: None,
            periods: vec!["a".into(), "b".into(), "c".into()],
            series: vec![LineSeries {
                name: "rate".into(),
                values: vec![Some(0.25), None, Some(0.5)],
            }],
            values: LineValues::Share,
            x_caption: None,
            width: None,
        };
        let svg = line_chart_svg(&c);
        // Two runs of one point each: two moves, no line through the gap.
        let d = svg.split("<path d=\"").nth(1).unwrap();
        let d = d.split('"').next().unwrap();
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert!(!d.contains('L'), "{d}");
        assert!(svg.contains("50\u{a0}%"));
    }
}
