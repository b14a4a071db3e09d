//! Writes the docstrings of the stubs (`python/cjm/_cjm.pyi`) to `$OUT_DIR/pydoc/`, one
//! file per documented item (`EventLog.funnel.txt`, `Journey.txt`, `load.txt`…), so that
//! the compiled module's docstrings are the stubs' own text: each pyo3 item takes its
//! documentation with `#[doc = stub_doc!("EventLog.funnel")]`, and `help()` at run time
//! shows what the stubs (and so editors and the API docs) show. One source for both; an
//! item the Rust code names that the stubs do not document fails the build, and
//! `tests/test_docstrings.py` checks every stub docstring against the runtime one.
//!
//! Hand-written rather than a Python parser: the stubs are our own file, in one layout
//! (top-level `class` and `def`, methods indented four spaces, `"""` docstrings without
//! escapes), and the test above compares the result with Python's own `ast` reading.

use std::error::Error;
use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn Error>> {
    let stubs = Path::new("python/cjm/_cjm.pyi");
    println!("cargo:rerun-if-changed={}", stubs.display());
    let text = std::fs::read_to_string(stubs)?;
    let out = Path::new(&std::env::var("OUT_DIR")?).join("pydoc");
    std::fs::create_dir_all(&out)?;
    for item in docstrings(&text)? {
        let name = &item.name;
        std::fs::write(out.join(format!("{name}.txt")), &item.doc)?;
        if let Some(signature) = &item.signature {
            // CPython reads a builtin's `__text_signature__` from the head of its
            // docstring: `name(params)`, then a line `--` and a blank line.
            let ident = name.rsplit('.').next().unwrap_or(name);
            let doc = format!("{ident}{signature}\n--\n\n{}", item.doc);
            std::fs::write(out.join(format!("{name}.sig.txt")), doc)?;
        }
    }
    Ok(())
}

/// A documented item of the stubs.
struct Item {
    /// Dotted name (`EventLog.funnel`).
    name: String,
    /// Its docstring as `inspect.cleandoc` gives it.
    doc: String,
    /// A function's or method's parameters as a text signature, defaults as the stubs
    /// write them and annotations dropped (`($self, k=10, *, max_length=None)`).
    signature: Option<String>,
}

/// Every documented class, method, property and function.
fn docstrings(text: &str) -> Result<Vec<Item>, Box<dyn Error>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut class: Option<String> = None;
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        let item = ["class ", "def "]
            .iter()
            .find_map(|kw| body.strip_prefix(kw).map(|rest| (*kw, rest)));
        let Some((kw, rest)) = item.filter(|_| indent == 0 || indent == 4) else {
            if indent == 0 && !body.is_empty() && !body.starts_with('@') {
                class = None;
            }
            i += 1;
            continue;
        };
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let name = match (indent, &class) {
            (0, _) => ident.clone(),
            (_, Some(c)) => format!("{c}.{ident}"),
            (_, None) => {
                i += 1;
                continue;
            }
        };
        if indent == 0 {
            class = (kw == "class ").then(|| ident.clone());
        }
        // The header ends at the `:` after the closing parenthesis (it may span lines).
        let (end, tail) = header_end(&lines, i)?;
        let signature = if kw == "def " {
            // The header's lines, the last one to its `:` (a one-line body is not read).
            let mut head: Vec<&str> = lines.get(i..=end).unwrap_or_default().to_vec();
            if let Some(last) = head.last_mut() {
                *last = last
                    .get(..last.len().saturating_sub(tail.len()))
                    .unwrap_or(last);
            }
            let header = header_code(&head, &name)?;
            Some(text_signature(&header, indent > 0)?)
        } else {
            None
        };
        i = end + 1;
        if !tail.trim().is_empty() {
            continue; // `def f(): ...` on one line: no docstring
        }
        while lines.get(i).is_some_and(|l| l.trim().is_empty()) {
            i += 1;
        }
        let Some(first) = lines.get(i).map(|l| l.trim_start()) else {
            break;
        };
        let Some(open) = first.strip_prefix("\"\"\"") else {
            continue;
        };
        let mut raw = String::new();
        if let Some(close) = open.find("\"\"\"") {
            raw.push_str(open.get(..close).unwrap_or_default());
        } else {
            raw.push_str(open);
            loop {
                i += 1;
                let Some(l) = lines.get(i) else {
                    return Err(format!("unclosed docstring of `{name}`").into());
                };
                raw.push('\n');
                if let Some(close) = l.find("\"\"\"") {
                    raw.push_str(l.get(..close).unwrap_or_default());
                    break;
                }
                raw.push_str(l);
            }
        }
        if raw.contains('\\') {
            return Err(format!("the docstring of `{name}` holds a backslash escape").into());
        }
        out.push(Item {
            name,
            doc: cleandoc(&raw),
            signature,
        });
        i += 1;
    }
    Ok(out)
}

/// Brackets and strings met so far in Python source, character by character.
#[derive(Default)]
struct Nesting {
    depth: i32,
    quote: Option<char>,
}

impl Nesting {
    /// Takes the next character; true when it stands outside strings and brackets
    /// (a quote or an opening bracket itself is not, and neither is a closing bracket
    /// unless it has no opening one: the `)` that closes the list being scanned).
    fn top(&mut self, c: char) -> bool {
        let top = self.quote.is_none() && self.depth == 0;
        match (self.quote, c) {
            (Some(q), c) if c == q => self.quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => self.quote = Some(c),
            (None, '(' | '[' | '{') => self.depth += 1,
            (None, ')' | ']' | '}') => self.depth -= 1,
            _ => return top,
        }
        top && matches!(c, ')' | ']' | '}')
    }
}

/// The line where the header starting at line `start` ends (its `:` outside brackets and
/// strings) and what follows that `:` on the line.
fn header_end<'a>(lines: &[&'a str], start: usize) -> Result<(usize, &'a str), Box<dyn Error>> {
    let mut nesting = Nesting::default();
    for (n, line) in lines.iter().enumerate().skip(start) {
        for (at, c) in line.char_indices() {
            if c == '#' && nesting.quote.is_none() {
                break; // a comment, to the end of the line
            }
            if nesting.top(c) && c == ':' {
                return Ok((n, line.get(at + 1..).unwrap_or("")));
            }
        }
    }
    Err(format!("no end to the header on line {}", start + 1).into())
}

/// The code of a `def` header's lines, its comments dropped (a `#` outside strings to the
/// end of its line). A backslash or a triple quote in a header is refused: the scanner
/// reads neither escapes nor triple-quoted strings, and would misread what follows.
fn header_code(lines: &[&str], name: &str) -> Result<String, Box<dyn Error>> {
    let mut nesting = Nesting::default();
    let mut code = Vec::with_capacity(lines.len());
    for line in lines {
        if line.contains('\\') || line.contains("\"\"\"") || line.contains("'''") {
            return Err(format!(
                "the header of `{name}` holds a backslash or a triple quote, which the \
                 signature scanner does not read"
            )
            .into());
        }
        let mut end = line.len();
        for (at, c) in line.char_indices() {
            if c == '#' && nesting.quote.is_none() {
                end = at;
                break;
            }
            nesting.top(c);
        }
        code.push(line.get(..end).unwrap_or(line));
    }
    Ok(code.join("\n"))
}

/// The text signature of the `def` header `header`: its parameters without their
/// annotations, `self` written `$self` in a method (`method`).
fn text_signature(header: &str, method: bool) -> Result<String, Box<dyn Error>> {
    let open = header.find('(').ok_or("a `def` header without `(`")?;
    let mut params: Vec<String> = vec![String::new()];
    let mut nesting = Nesting::default();
    for c in header.get(open + 1..).unwrap_or("").chars() {
        match (nesting.top(c), c) {
            (true, ')') => break,
            (true, ',') => params.push(String::new()),
            _ => params.last_mut().into_iter().for_each(|p| p.push(c)),
        }
    }
    let mut shown = Vec::new();
    for param in params.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let (name, default) = match top_level(param, '=') {
            Some(at) => (
                param.get(..at).unwrap_or(""),
                param.get(at + 1..).map(str::trim),
            ),
            None => (param, None),
        };
        let name = match top_level(name, ':') {
            Some(at) => name.get(..at).unwrap_or("").trim(),
            None => name.trim(),
        };
        let name = if method && shown.is_empty() && name == "self" {
            "$self"
        } else {
            name
        };
        shown.push(match default {
            Some(d) => format!("{name}={d}"),
            None => name.to_owned(),
        });
    }
    Ok(format!("({})", shown.join(", ")))
}

/// Where `c` first occurs in `text` outside brackets and strings.
fn top_level(text: &str, c: char) -> Option<usize> {
    let mut nesting = Nesting::default();
    text.char_indices()
        .find(|&(_, ch)| nesting.top(ch) && ch == c)
        .map(|(at, _)| at)
}

/// Python's `inspect.cleandoc`: the first line stripped, the common indentation of the
/// others removed, blank lines at both ends dropped.
fn cleandoc(raw: &str) -> String {
    let lines: Vec<&str> = raw.lines().collect();
    let margin = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut cleaned: Vec<String> = Vec::with_capacity(lines.len());
    for (k, l) in lines.iter().enumerate() {
        cleaned.push(if k == 0 {
            l.trim_start().to_owned()
        } else {
            l.get(margin..).unwrap_or("").to_owned()
        });
    }
    while cleaned.last().is_some_and(|l| l.trim().is_empty()) {
        cleaned.pop();
    }
    while cleaned.first().is_some_and(|l| l.trim().is_empty()) {
        cleaned.remove(0);
    }
    let mut doc = String::new();
    for (k, l) in cleaned.iter().enumerate() {
        if k > 0 {
            doc.push('\n');
        }
        let _ = write!(doc, "{l}");
    }
    doc
}
