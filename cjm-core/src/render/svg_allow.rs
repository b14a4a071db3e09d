//! The allow-list for ready-made SVG in the HTML report ([`super::ReportBlock::Svg`]).
//!
//! The markup is parsed as XML (well-formed, one root `<svg>`, no DTD, nothing after the
//! root element), every element and attribute is checked against an allow-list, and the
//! picture is then written out again from the parsed tree: element and attribute names
//! from the list, every text and attribute value escaped. So the page gets exactly what
//! was checked, and the HTML parser of the browser cannot read it differently from the
//! XML parser that checked it (no comments, processing instructions, CDATA or raw text
//! reach the page). No script, no event handler (no attribute outside the list, and none
//! of the list starts with `on`), no `foreignObject`, no link or reference other than a
//! fragment of the same picture (`#id`, checked after entity decoding and with whitespace
//! and control characters removed), no `url(...)` other than `url(#id)`, no `@import`.

use super::text::escape_xml;
use std::fmt::Write as _;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// At most this many XML nodes in one picture (a large cjm map has a few thousand).
const NODES_LIMIT: u32 = 1_000_000;

/// SVG elements that draw, group, describe or define paint: no script, `foreignObject`,
/// `image`, `use` of other documents, animation (which can set `href`) or `iframe`.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "title",
    "desc",
    "metadata",
    "a",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "linearGradient",
    "radialGradient",
    "stop",
    "pattern",
    "clipPath",
    "mask",
    "marker",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComposite",
    "feFlood",
    "feGaussianBlur",
    "feMerge",
    "feMergeNode",
    "feOffset",
    "feDropShadow",
    "style",
];

/// Attributes (without namespace), all inert: geometry, presentation, text layout,
/// accessibility. Nothing starting with `on`; `href` is checked on its own.
const ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "style",
    "lang",
    "role",
    "tabindex",
    "transform",
    "viewBox",
    "preserveAspectRatio",
    "version",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "d",
    "points",
    "pathLength",
    "dx",
    "dy",
    "rotate",
    "textLength",
    "lengthAdjust",
    "text-anchor",
    "dominant-baseline",
    "alignment-baseline",
    "baseline-shift",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "font-variant",
    "letter-spacing",
    "word-spacing",
    "text-decoration",
    "writing-mode",
    "white-space",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "color",
    "display",
    "visibility",
    "overflow",
    "clip-path",
    "clip-rule",
    "mask",
    "filter",
    "marker-start",
    "marker-mid",
    "marker-end",
    "shape-rendering",
    "text-rendering",
    "vector-effect",
    "paint-order",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "patternUnits",
    "patternContentUnits",
    "patternTransform",
    "clipPathUnits",
    "maskUnits",
    "maskContentUnits",
    "markerWidth",
    "markerHeight",
    "markerUnits",
    "refX",
    "refY",
    "orient",
    "filterUnits",
    "primitiveUnits",
    "in",
    "in2",
    "result",
    "mode",
    "operator",
    "k1",
    "k2",
    "k3",
    "k4",
    "values",
    "type",
    "stdDeviation",
    "flood-color",
    "flood-opacity",
    "startOffset",
    "method",
    "spacing",
    "side",
    "media",
    "aria-label",
    "aria-labelledby",
    "aria-describedby",
    "aria-hidden",
    "focusable",
];

/// Checks ready-made SVG markup against the allow-list and writes it out again from the
/// parsed tree; the error says why it was refused.
pub(crate) fn allow_listed_svg(svg: &str) -> Result<String, String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(svg, options)
        .map_err(|e| format!("it is not well-formed XML with one root element ({e})"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err("its root element is not `svg`".to_owned());
    }
    let mut out = String::with_capacity(svg.len());
    // Depth-first with an explicit stack (no recursion, however deep the nesting).
    let mut stack = vec![(root, false)];
    while let Some((node, close)) = stack.pop() {
        if close {
            let _ = write!(out, "</{}>", node.tag_name().name());
        } else if node.is_element() {
            open_element(&mut out, node, node == root)?;
            if node.has_children() {
                stack.push((node, true));
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|c| (c, false)));
            }
        } else if node.is_text() {
            let text = node.text().unwrap_or_default();
            if node.parent_element().map(|p| p.tag_name().name()) == Some("style") {
                check_css(text)?;
            }
            out.push_str(&escape_xml(text));
        }
        // Comments and processing instructions are dropped.
    }
    Ok(out)
}

fn open_element(
    out: &mut String,
    node: roxmltree::Node<'_, '_>,
    is_root: bool,
) -> Result<(), String> {
    let tag = node.tag_name();
    let name = tag.name();
    if !matches!(tag.namespace(), None | Some(SVG_NS)) {
        return Err(format!("element `{name}` is not in the SVG namespace"));
    }
    if !ELEMENTS.contains(&name) {
        return Err(format!("element `{name}` is not allowed"));
    }
    out.push('<');
    out.push_str(name);
    if is_root {
        let _ = write!(out, " xmlns=\"{SVG_NS}\"");
    }
    for attr in node.attributes() {
        let aname = attr.name();
        let value = attr.value();
        let allowed = match attr.namespace() {
            None => ATTRIBUTES.contains(&aname) || aname == "href",
            Some(XLINK_NS) => aname == "href" || aname == "title",
            Some(XML_NS) => aname == "lang" || aname == "space",
            Some(_) => false,
        };
        if !allowed {
            return Err(format!("attribute `{aname}` on `{name}` is not allowed"));
        }
        if aname == "href" {
            check_href(value)?;
        } else if !aname.starts_with("aria-") {
            check_css(value)?;
        }
        let written = match attr.namespace() {
            Some(XML_NS) => format!("xml:{aname}"),
            Some(XLINK_NS) if aname == "title" => "xlink:title".to_owned(),
            _ => aname.to_owned(),
        };
        // Double-quoted, so `'` may stay as it is (cjm's own pictures come out unchanged).
        let _ = write!(
            out,
            " {written}=\"{}\"",
            escape_xml(value).replace("&#39;", "'")
        );
    }
    out.push_str(if node.has_children() { ">" } else { "/>" });
    Ok(())
}

/// A value without whitespace and control characters, lower-cased: what a browser's URL
/// parser or CSS tokenizer could still read as a scheme or function.
fn squeezed(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '\u{FEFF}' && *c != '\u{AD}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Links and references point into the picture itself: `#id` only.
fn check_href(value: &str) -> Result<(), String> {
    let v = squeezed(value);
    if v.starts_with('#') && !v.contains(':') {
        Ok(())
    } else {
        Err("a link or reference points outside the picture (only `#id` is allowed)".to_owned())
    }
}

/// Attribute values and style sheets: `url(...)` only to `#id`, no `@import`, no
/// backslash escapes (which could spell either), no `expression(`.
fn check_css(value: &str) -> Result<(), String> {
    let v = squeezed(value);
    let banned = [
        "@import",
        "expression(",
        "image-set(",
        "cross-fade(",
        "image(",
    ];
    if v.contains('\\') || banned.iter().any(|b| v.contains(b)) {
        return Err("a style uses escapes, `@import` or a function that fetches".to_owned());
    }
    let mut rest = v.as_str();
    while let Some(i) = rest.find("url(") {
        rest = rest.get(i + 4..).unwrap_or_default();
        let target = rest.trim_start_matches(['"', '\'']);
        if !target.starts_with('#') {
            return Err("a `url(...)` points outside the picture".to_owned());
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::allow_listed_svg;

    #[test]
    fn keeps_a_plain_picture() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><!-- c --><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/><a href="#r"><text x="1" y="2">a &amp; &lt;b&gt;</text></a></svg>"##;
        let out = allow_listed_svg(svg).unwrap();
        assert_eq!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/><a href="#r"><text x="1" y="2">a &amp; &lt;b&gt;</text></a></svg>"##
        );
    }

    #[test]
    fn a_style_element_is_escaped_text() {
        // In HTML, `<style>` inside `<svg>` is foreign content whose text is parsed as
        // markup; escaping keeps it text.
        let out = allow_listed_svg(
            "<svg><style>.a{fill:red}</style><text>&lt;/style&gt;&lt;img&gt;</text></svg>",
        )
        .unwrap();
        assert!(!out.contains("<img"), "{out}");
    }
}
