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
        ' ' | '\u{a0}' | '\u{202f}' => 0.32,
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
    em_width(em, size, bold)
}

/// Width in pixels of text whose advances (from [`char_em`], added left to right) sum to
/// `em`. [`text_width`] and [`wrap_text`] both go through here, so that a width measured
/// while wrapping is the same number, bit for bit, as `text_width` of that text.
fn em_width(em: f64, size: f64, bold: bool) -> f64 {
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

/// The words of `text`: split at whitespace, but not at no-break spaces (`12\u{a0}%`,
/// `2\u{a0}h` join a number to its unit).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}'))
        .filter(|w| !w.is_empty())
}

/// Breaks `text` into lines no wider than `max_width` px at `size` px (estimated with
/// [`text_width`]), at spaces, splitting words longer than a line. After `max_lines` lines
/// (at least one) the text is cut and the last line ends with an ellipsis `…`.
///
/// Words are put on a line while the line (words joined by one space) fits; a word that
/// fits no line alone is hard-broken into pieces, each the longest prefix that fits (at
/// least one character). The time is linear in the text read: widths are added up
/// character by character as the lines grow (never measured again from the start of a
/// line), and reading stops once a line past `max_lines` is known to exist.
#[must_use]
pub fn wrap_text(text: &str, max_width: f64, size: f64, bold: bool, max_lines: usize) -> Wrapped {
    let max_lines = max_lines.max(1);
    let fits = |em: f64| em_width(em, size, bold) <= max_width;
    // With a size of zero or more (or NaN), a longer text is never narrower, so a text
    // whose prefix does not fit does not fit either and measuring can stop there. A
    // negative size (not a real font) makes longer text narrower: then texts are measured
    // whole, as before (quadratic in a long word, but over `max_lines + 1` lines at most).
    let monotone = size >= 0.0 || size.is_nan();
    // `start` plus the advances of `s`, if that fits; `None` if it does not.
    let measure = |s: &str, start: f64| -> Option<f64> {
        let mut em = start;
        for c in s.chars() {
            em += char_em(c);
            if monotone && !fits(em) {
                return None;
            }
        }
        fits(em).then_some(em)
    };
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    // The advances of `current`, added from its first character (as `text_width` adds).
    let mut current_em = 0.0;
    'words: for word in words(text) {
        let start = if current.is_empty() {
            0.0
        } else {
            current_em + char_em(' ')
        };
        if let Some(em) = measure(word, start) {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
            current_em = em;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
            if lines.len() > max_lines {
                break;
            }
        }
        let mut rest = word;
        loop {
            if let Some(em) = measure(rest, 0.0) {
                current = rest.to_owned();
                current_em = em;
                break;
            }
            // Hard-break a word longer than a line: keep as many characters as fit (at
            // least one, so that the loop ends).
            let mut head_em = 0.0;
            let mut cut = 0;
            for (count, (i, c)) in rest.char_indices().enumerate() {
                head_em += char_em(c);
                if !fits(head_em) && count > 0 {
                    break;
                }
                cut = i + c.len_utf8();
            }
            let (head, tail) = rest.split_at(cut);
            lines.push(head.to_owned());
            if lines.len() > max_lines {
                break 'words;
            }
            rest = tail;
            if rest.is_empty() {
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
            // Keep the longest prefix that fits with the ellipsis after it (none if no
            // prefix does), as popping characters from the end until it fits would.
            let ellipsis = char_em('…');
            let mut em = 0.0;
            let mut keep = 0;
            for (i, c) in last.char_indices() {
                em += char_em(c);
                if fits(em + ellipsis) {
                    keep = i + c.len_utf8();
                }
            }
            last.truncate(keep);
            let trimmed = last.trim_end().len();
            last.truncate(trimmed);
            last.push('…');
        }
    }
    Wrapped { lines, truncated }
}

pub use crate::format::{count, num, percent, signed};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `wrap_text` as it was before it was made linear (issue 14): every fit measured
    /// again on the whole candidate, quadratic in the length of a long word. The new code
    /// must give the same lines.
    fn reference_wrap(
        text: &str,
        max_width: f64,
        size: f64,
        bold: bool,
        max_lines: usize,
    ) -> Wrapped {
        let max_lines = max_lines.max(1);
        let fits = |s: &str| text_width(s, size, bold) <= max_width;
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in words(text) {
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

    /// Characters of every width class, spaces of several kinds and a wide character.
    fn text_strategy() -> impl Strategy<Value = String> {
        let chars = prop::sample::select(vec![
            'a', 'i', 'm', 'w', 'M', 'W', 'T', '7', '.', '-', 'é', '\u{4e2d}', '…', ' ', ' ', ' ',
            '\t', '\n', '\u{3000}', '\u{a0}',
        ]);
        prop::collection::vec(chars, 0..160).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        /// Same lines and cut as the quadratic code, for ordinary and odd widths and sizes
        /// (zero, negative, NaN: the rules are kept whatever the numbers).
        #[test]
        fn wraps_as_the_quadratic_reference(
            text in text_strategy(),
            max_width in prop_oneof![
                4 => 0.0f64..200.0,
                1 => prop::sample::select(vec![-5.0, 0.0, 7.5, 1e9, f64::NAN, f64::INFINITY]),
            ],
            size in prop_oneof![
                4 => prop::sample::select(vec![11.0, 12.0, 13.0, 20.0]),
                1 => prop::sample::select(vec![0.0, -0.0, -12.0, f64::NAN, f64::INFINITY]),
            ],
            bold in any::<bool>(),
            max_lines in 0usize..6,
        ) {
            prop_assert_eq!(
                wrap_text(&text, max_width, size, bold, max_lines),
                reference_wrap(&text, max_width, size, bold, max_lines)
            );
        }

        /// A negative size makes longer text narrower, so that fits are not measured on
        /// prefixes alone; still the same lines.
        #[test]
        fn wraps_as_the_reference_with_negative_sizes(
            text in text_strategy(),
            max_width in -20.0f64..5.0,
            size in -15.0f64..0.0,
            bold in any::<bool>(),
            max_lines in 0usize..6,
        ) {
            prop_assert_eq!(
                wrap_text(&text, max_width, size, bold, max_lines),
                reference_wrap(&text, max_width, size, bold, max_lines)
            );
        }
    }

    /// A 64 KiB name without spaces: every character kept, in order, in lines that each
    /// fit and are as long as they can be (the next character would not fit).
    #[test]
    fn a_number_stays_with_its_unit() {
        // `17\u{a0}%` is one word: a line may break before it, never inside it.
        let text = "target 12\u{a0}% \u{b7} actual 17\u{a0}%";
        for width in [40.0, 60.0, 90.0, 110.0, 130.0, 150.0] {
            let w = wrap_text(text, width, 12.0, false, 9);
            assert!(!w.truncated && w.lines.len() > 1, "{width}: {w:?}");
            for line in &w.lines {
                assert!(!line.starts_with('%'), "{width}: {w:?}");
                assert!(
                    !line.ends_with(|c: char| c.is_ascii_digit()),
                    "{width}: {w:?}"
                );
            }
        }
        // Ordinary spaces of every kind still break.
        let w = wrap_text("aaaa\u{3000}bbbb\tcccc", 30.0, 12.0, false, 3);
        assert_eq!(w.lines.len(), 3, "{w:?}");
    }

    #[test]
    fn sixty_four_kib_word_is_hard_broken_into_full_lines() {
        let name: String = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789Mi"
            .chars()
            .cycle()
            .take(64 * 1024)
            .collect();
        let (width, size) = (180.0, 13.0);
        let w = wrap_text(&name, width, size, true, usize::MAX);
        assert!(!w.truncated);
        assert_eq!(w.lines.concat(), name);
        assert!(w.lines.len() > 3_000);
        let mut rest = name.as_str();
        for line in &w.lines {
            assert!(text_width(line, size, true) <= width, "{line}");
            rest = rest.strip_prefix(line.as_str()).unwrap();
            if let Some(next) = rest.chars().next() {
                assert!(text_width(&format!("{line}{next}"), size, true) > width);
            }
        }
        // Cut after three lines: the first two as above, the third shortened for `…`.
        let cut = wrap_text(&name, width, size, true, 3);
        assert!(cut.truncated);
        assert_eq!(cut.lines[..2], w.lines[..2]);
        let third = cut.lines[2].strip_suffix('…').unwrap();
        assert!(w.lines[2].starts_with(third));
        assert!(text_width(&cut.lines[2], size, true) <= width);
        // Narrower than any character: one character a line.
        let narrow = wrap_text(&name, 1.0, size, false, usize::MAX);
        assert_eq!(narrow.lines.len(), name.chars().count());
        assert_eq!(narrow.lines.concat(), name);
    }

    /// Long text of short words with one 20,000-character word inside: lines fit, words
    /// shorter than a line stay whole and in order, the long word is split across lines.
    #[test]
    fn long_text_keeps_every_word_in_order() {
        let long_word = "W".repeat(20_000);
        let mut words: Vec<String> = Vec::new();
        for i in 0..8_000 {
            let len = [3, 7, 1, 12, 5, 30, 2, 9][i % 8];
            words.push("wordsmithing".chars().cycle().take(len).collect());
            if i == 4_000 {
                words.push(long_word.clone());
            }
        }
        let text = words.join(" ");
        let (width, size) = (400.0, 12.0);
        let w = wrap_text(&text, width, size, false, usize::MAX);
        assert!(!w.truncated);
        for line in &w.lines {
            assert!(text_width(line, size, false) <= width, "{line}");
        }
        // Tokens of the lines, with the pieces of the long word joined again.
        let mut got: Vec<String> = Vec::new();
        let mut pieces = 0;
        for line in &w.lines {
            for token in line.split(' ') {
                match got.last_mut() {
                    Some(last) if last.starts_with('W') && token.starts_with('W') => {
                        last.push_str(token);
                        pieces += 1;
                    }
                    _ => got.push(token.to_owned()),
                }
            }
        }
        assert_eq!(got, words);
        assert!(pieces > 100);
        // Greedy: the first word of the next line would not have fitted on this one.
        for pair in w.lines.windows(2) {
            let next = pair[1].split(' ').next().unwrap();
            if !next.starts_with('W') {
                assert!(text_width(&format!("{} {next}", pair[0]), size, false) > width);
            }
        }
        // Cut after two lines.
        let cut = wrap_text(&text, width, size, false, 2);
        assert!(cut.truncated);
        assert_eq!(cut.lines[0], w.lines[0]);
        assert!(cut.lines[1].ends_with('…'));
    }

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
