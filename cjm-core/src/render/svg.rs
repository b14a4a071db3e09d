//! A small SVG writer: the pictures are strings built with these helpers, so cjm-core
//! needs no drawing dependency and the output is byte-for-byte deterministic.

use super::palette;
use super::text::{escape_xml, num};
use crate::model::ChannelKind;
use std::fmt::Write as _;

/// The font stack of every picture.
pub(crate) const FONT_FAMILY: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/// How a run of text looks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Font {
    pub size: f64,
    pub bold: bool,
    pub italic: bool,
    pub fill: &'static str,
}

impl Font {
    pub(crate) const fn new(size: f64, fill: &'static str) -> Self {
        Self {
            size,
            bold: false,
            italic: false,
            fill,
        }
    }

    pub(crate) const fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    pub(crate) const fn italic(mut self) -> Self {
        self.italic = true;
        self
    }

    /// Distance between baselines.
    pub(crate) fn line_height(self) -> f64 {
        (self.size * 1.3).round()
    }
}

/// Horizontal alignment of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// An SVG body being written.
#[derive(Debug, Default)]
pub(crate) struct Canvas {
    pub out: String,
}

impl Canvas {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// One line of text with its baseline at `y`.
    pub(crate) fn text(&mut self, x: f64, y: f64, text: &str, font: Font, anchor: Anchor) {
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" font-size="{}" fill="{}""#,
            num(x),
            num(y),
            num(font.size),
            font.fill
        );
        if font.bold {
            self.out.push_str(r#" font-weight="bold""#);
        }
        if font.italic {
            self.out.push_str(r#" font-style="italic""#);
        }
        match anchor {
            Anchor::Start => {}
            Anchor::Middle => self.out.push_str(r#" text-anchor="middle""#),
            Anchor::End => self.out.push_str(r#" text-anchor="end""#),
        }
        let _ = write!(self.out, ">{}</text>", escape_xml(text));
    }

    /// Lines of text whose first line's top is at `top`; returns the height used.
    pub(crate) fn lines(
        &mut self,
        x: f64,
        top: f64,
        lines: &[String],
        font: Font,
        anchor: Anchor,
    ) -> f64 {
        let lh = font.line_height();
        let mut y = top + font.size;
        for line in lines {
            self.text(x, y, line, font, anchor);
            y += lh;
        }
        lh * count_f64(lines.len())
    }

    /// A rectangle; `stroke` is `(colour, width, dashed)`.
    #[allow(
        clippy::too_many_arguments,
        reason = "a drawing primitive: every argument is one attribute"
    )]
    pub(crate) fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        rx: f64,
        fill: &str,
        stroke: Option<(&str, f64, bool)>,
    ) {
        let _ = write!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}""#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
        if rx > 0.0 {
            let _ = write!(self.out, r#" rx="{}""#, num(rx));
        }
        let _ = write!(self.out, r#" fill="{fill}""#);
        if let Some((colour, width, dashed)) = stroke {
            let _ = write!(
                self.out,
                r#" stroke="{colour}" stroke-width="{}""#,
                num(width)
            );
            if dashed {
                self.out.push_str(r#" stroke-dasharray="5 3""#);
            }
        }
        self.out.push_str("/>");
    }

    /// A straight line.
    #[allow(
        clippy::too_many_arguments,
        reason = "a drawing primitive: every argument is one attribute"
    )]
    pub(crate) fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let _ = write!(
            self.out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}" stroke-width="{}""#,
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            num(width)
        );
        if let Some(dash) = dash {
            let _ = write!(self.out, r#" stroke-dasharray="{dash}""#);
        }
        self.out.push_str("/>");
    }

    /// Opens a group; with a tooltip, the full (untruncated) text is its `<title>`.
    pub(crate) fn open_group(&mut self, tooltip: Option<&str>) {
        self.out.push_str("<g>");
        if let Some(tip) = tooltip {
            let _ = write!(self.out, "<title>{}</title>", escape_xml(tip));
        }
    }

    /// Opens a group that is a map item: with `id` an anchor the report links to, with
    /// `tooltip` a `<title>`.
    pub(crate) fn open_item(&mut self, id: Option<&str>, tooltip: Option<&str>) {
        match id {
            Some(id) => {
                let _ = write!(self.out, "<g id=\"{}\">", escape_xml(id));
            }
            None => self.out.push_str("<g>"),
        }
        if let Some(tip) = tooltip {
            let _ = write!(self.out, "<title>{}</title>", escape_xml(tip));
        }
    }

    /// Opens a group moved by `(dx, dy)`.
    pub(crate) fn open_translated(&mut self, dx: f64, dy: f64) {
        let _ = write!(
            self.out,
            r#"<g transform="translate({},{})">"#,
            num(dx),
            num(dy)
        );
    }

    pub(crate) fn close_group(&mut self) {
        self.out.push_str("</g>");
    }

    /// Appends ready-made SVG markup.
    pub(crate) fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// A persona marker: shape `index % 6` (circle, square, diamond, triangle up, triangle
    /// down, cross) of radius `r` centred on `(cx, cy)`.
    pub(crate) fn marker(&mut self, index: usize, cx: f64, cy: f64, r: f64, colour: &str) {
        let p = |dx: f64, dy: f64| format!("{},{}", num(cx + dx), num(cy + dy));
        let polygon = |points: Vec<String>| {
            format!(
                r#"<polygon points="{}" fill="{colour}" stroke="{}" stroke-width="1"/>"#,
                points.join(" "),
                palette::BACKGROUND
            )
        };
        let markup = match index % 6 {
            0 => format!(
                r#"<circle cx="{}" cy="{}" r="{}" fill="{colour}" stroke="{}" stroke-width="1"/>"#,
                num(cx),
                num(cy),
                num(r),
                palette::BACKGROUND
            ),
            1 => {
                let s = r * 0.85;
                polygon(vec![p(-s, -s), p(s, -s), p(s, s), p(-s, s)])
            }
            2 => {
                let s = r * 1.15;
                polygon(vec![p(0.0, -s), p(s, 0.0), p(0.0, s), p(-s, 0.0)])
            }
            3 => polygon(vec![p(0.0, -r * 1.1), p(r, r * 0.8), p(-r, r * 0.8)]),
            4 => polygon(vec![p(0.0, r * 1.1), p(r, -r * 0.8), p(-r, -r * 0.8)]),
            _ => {
                let s = r * 0.9;
                format!(
                    r#"<path d="M{}L{}M{}L{}" stroke="{colour}" stroke-width="{}" stroke-linecap="round"/>"#,
                    p(-s, -s),
                    p(s, s),
                    p(s, -s),
                    p(-s, s),
                    num(r * 0.7)
                )
            }
        };
        self.out.push_str(&markup);
    }

    /// A channel-kind glyph in a `size`×`size` box with its top-left at `(x, y)`: a screen
    /// for online, a parcel for offline, a person for assisted.
    pub(crate) fn kind_glyph(&mut self, kind: ChannelKind, x: f64, y: f64, size: f64) {
        let (colour, _) = palette::channel_kind(kind);
        let s = size;
        let n = |v: f64| num(v);
        let markup = match kind {
            ChannelKind::Online => format!(
                r#"<path d="M{} {}h{}v{}h{}z M{} {}h{}" fill="none" stroke="{colour}" stroke-width="1.5"/>"#,
                n(x + 0.5),
                n(y + 1.0),
                n(s - 1.0),
                n(s * 0.62),
                n(-(s - 1.0)),
                n(x + s * 0.3),
                n(y + s - 1.0),
                n(s * 0.4)
            ),
            ChannelKind::Offline => format!(
                r#"<path d="M{} {}h{}v{}h{}z M{} {}h{} M{} {}v{}" fill="none" stroke="{colour}" stroke-width="1.5"/>"#,
                n(x + 0.75),
                n(y + 0.75),
                n(s - 1.5),
                n(s - 1.5),
                n(-(s - 1.5)),
                n(x + 0.75),
                n(y + s * 0.4),
                n(s - 1.5),
                n(x + s / 2.0),
                n(y + 0.75),
                n(s * 0.4 - 0.75)
            ),
            ChannelKind::Assisted => format!(
                r#"<circle cx="{}" cy="{}" r="{}" fill="{colour}"/><path d="M{} {}a{} {} 0 0 1 {} 0z" fill="{colour}"/>"#,
                n(x + s / 2.0),
                n(y + s * 0.28),
                n(s * 0.24),
                n(x + s * 0.1),
                n(y + s),
                n(s * 0.4),
                n(s * 0.45),
                n(s * 0.8)
            ),
        };
        self.out.push_str(&markup);
    }

    /// Wraps the body into a complete SVG document of `width`×`height` with an
    /// accessible title and description.
    pub(crate) fn finish(self, width: f64, height: f64, title: &str, desc: &str) -> String {
        let mut svg = String::with_capacity(self.out.len() + 512);
        let _ = write!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}" role="img"><title>{}</title><desc>{}</desc>"#,
            escape_xml(title),
            escape_xml(desc),
            w = num(width),
            h = num(height),
        );
        let _ = write!(
            svg,
            r#"<rect width="{}" height="{}" fill="{}"/>"#,
            num(width),
            num(height),
            palette::BACKGROUND
        );
        svg.push_str(&self.out);
        svg.push_str("</svg>\n");
        // One element per line, so that pictures diff well. User text is escaped, so
        // `><` only ever occurs between tags.
        svg.replace("><", ">\n<")
    }
}

/// `usize` → `f64` for layout arithmetic (counts far below 2^52).
#[allow(
    clippy::cast_precision_loss,
    reason = "layout counts are far below 2^52"
)]
pub(crate) fn count_f64(n: usize) -> f64 {
    n as f64
}
