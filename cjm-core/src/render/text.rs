//! Text for pictures: XML escaping, width estimates and word wrapping.

/// Escapes text for XML and HTML content and attribute values: `&`, `<`, `>`, `"` and `'`
/// become entities, and characters XML 1.0 cannot hold (NUL and other C0 controls except
/// tab, line feed and carriage return; U+FFFE and U+FFFF) become U+FFFD, so that every
/// picture stays well-formed whatever the document says.
#[must_use]
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    out
}

/// Estimated advance of one character in a proportional sans-serif font, in em.
///
/// The numbers follow DejaVu Sans, the widest of the common system sans-serif fonts
/// (Helvetica, Arial and Segoe UI are narrower), so that text stays inside its box.
fn char_em(c: char) -> f64 {
    match c {
        ' ' => 0.32,
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'I' => 0.30,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.43,
        'm' => 0.98,
        'w' => 0.83,
        'M' | 'W' | '@' | '%' => 0.98,
        'A'..='Z' => 0.74,
        '0'..='9' => 0.64,
        'a'..='z' => 0.63,
        c if u32::from(c) >= 0x2E80 => 1.0,
        _ => 0.64,
    }
}

/// Estimated width of `text` in pixels at `size` px; bold text is 15 % wider.
#[must_use]
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text.chars().map(char_em).sum();
    em * size * if bold { 1.15 } else { 1.0 }
}

/// Text broken into lines by [`wrap_text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapped {
    /// The lines, at most the number asked for; the last ends with `…` when text was cut.
    pub lines: Vec<String>,
    /// Whether text was cut off.
    pub truncated: bool,
}

/// Breaks `text` into lines no wider than `max_width` px at `size` px (estimated with
/// [`text_width`]), at spaces, splitting words longer than a line. After `max_lines` lines
/// (at least one) the text is cut and the last line ends with an ellipsis `…`.
#[must_use]
pub fn wrap_text(text: &str, max_width: f64, size: f64, bold: bool, max_lines: usize) -> Wrapped {
    let max_lines = max_lines.max(1);
    let fits = |s: &str| text_width(s, size, bold) <= max_width;
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if fits(&candidate) {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        current = word.to_owned();
        while !fits(&current) {
            // Hard-break a word longer than a line: keep as many characters as fit (at
            // least one, so that the loop ends).
            let mut head = String::new();
            let mut rest = current.chars();
            for c in rest.by_ref() {
                head.push(c);
                if !fits(&head) && head.chars().count() > 1 {
                    head.pop();
                    break;
                }
            }
            let taken = head.chars().count();
            let tail: String = current.chars().skip(taken).collect();
            lines.push(head);
            current = tail;
            if current.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    let truncated = lines.len() > max_lines;
    if truncated {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && !fits(&format!("{last}…")) {
                last.pop();
            }
            let trimmed = last.trim_end().len();
            last.truncate(trimmed);
            last.push('…');
        }
    }
    Wrapped { lines, truncated }
}

/// Formats a coordinate or value with at most two decimals, without trailing zeros and
/// never as `-0`, so that output is the same on every platform.
#[must_use]
pub fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let mut s = format!("{value:.2}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_owned();
    }
    s
}

/// Formats a signed value in [−1, 1] with two decimals and an explicit sign (`+0.50`,
/// `−0.75` with a true minus sign, `0.00`).
#[must_use]
pub fn signed(value: f64) -> String {
    let s = format!("{:.2}", value.abs());
    if s == "0.00" {
        s
    } else if value < 0.0 {
        format!("\u{2212}{s}")
    } else {
        format!("+{s}")
    }
}

/// Formats a count with thousands separators (`12,345`).
#[must_use]
pub fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats a share (0–1) as a percentage with at most one decimal (`45.6 %`).
#[must_use]
pub fn percent(share: f64) -> String {
    let s = format!("{:.1}", share * 100.0);
    let s = s.strip_suffix(".0").unwrap_or(&s);
    let s = if s == "-0" { "0" } else { s };
    format!("{s}\u{a0}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape_xml("<a href=\"x\">'&'</a>\u{0}"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\u{FFFD}"
        );
    }

    #[test]
    fn wraps_and_truncates() {
        let w = wrap_text("one two three four five six seven", 60.0, 12.0, false, 2);
        assert_eq!(w.lines.len(), 2);
        assert!(w.truncated);
        assert!(w.lines[1].ends_with('…'));
        let w = wrap_text("short", 100.0, 12.0, false, 2);
        assert_eq!(w.lines, ["short"]);
        assert!(!w.truncated);
        let w = wrap_text("abcdefghijklmnopqrstuvwxyz", 40.0, 12.0, false, 10);
        assert!(w.lines.len() > 2);
        assert_eq!(w.lines.concat(), "abcdefghijklmnopqrstuvwxyz");
    }

    #[test]
    fn numbers_are_stable() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.256), "1.26");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(signed(-0.75), "\u{2212}0.75");
        assert_eq!(signed(0.5), "+0.50");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(percent(0.456), "45.6\u{a0}%");
        assert_eq!(percent(1.0), "100\u{a0}%");
    }
}
