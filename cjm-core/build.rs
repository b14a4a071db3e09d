//! Embeds the built-in templates (`src/templates/*.json`, indented for readers) as compact
//! JSON: whitespace between tokens is dropped, everything else (key order, number and
//! string text) is kept byte for byte. This saves about a quarter of their size in every
//! build, the WebAssembly module included. Written by hand because it is a dozen lines and
//! a JSON crate as a build dependency would parse and re-print numbers.

use std::path::Path;

const TEMPLATES: &[&str] = &["b2c-ecommerce", "b2b-saas", "subscription-retention"];

fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = std::env::var("OUT_DIR")?;
    for name in TEMPLATES {
        let source = format!("src/templates/{name}.json");
        println!("cargo::rerun-if-changed={source}");
        let text = std::fs::read_to_string(&source)?;
        std::fs::write(
            Path::new(&out_dir).join(format!("{name}.json")),
            compact(&text),
        )?;
    }
    Ok(())
}
