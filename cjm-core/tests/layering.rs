//! The layers of `cjm-core` (see the crate documentation): no source file names a module
//! of a higher layer. Read from the source text, comments left out, so that a `use` or a
//! path such as `crate::insights::…` in code fails the test.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use std::path::Path;

/// Each top-level module (a file or folder of `src/`) and its layer.
const LAYERS: &[(&str, u8)] = &[
    ("model", 1),
    ("error", 1),
    ("definition", 1),
    ("sort", 1),
    ("format", 1),
    ("stats", 1),
    ("validate", 2),
    ("state_bytes", 2),
    ("events", 3),
    ("scoring", 4),
    ("attribution", 4),
    ("templates", 4),
    ("insights", 5),
    ("states", 5),
    ("maps", 6),
    ("render", 6),
    ("tables", 6),
    ("schema", 7),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|&(_, l)| l)
}

/// Code of a Rust file without its comments (line comments and doc comments).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_names_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut against = Vec::new();
    let mut checked = 0;
    for path in &all {
        let rel = path.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap();
        let module = top.trim_end_matches(".rs");
        if module == "lib" {
            continue;
        }
        let own = layer(module).unwrap_or_else(|| panic!("`{module}` has no layer here"));
        let text = code(&std::fs::read_to_string(path).unwrap());
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if let Some(theirs) = layer(&name) {
                checked += 1;
                if theirs > own {
                    against.push(format!(
                        "{} (layer {own}) names crate::{name} (layer {theirs})",
                        rel.display()
                    ));
                }
            }
        }
        // `super::super::x` reaches a sibling top-level module too.
        assert!(
            !text.contains("super::super::"),
            "{}: use crate:: paths",
            rel.display()
        );
    }
    assert!(checked > 100, "only {checked} crate:: paths seen");
    assert!(against.is_empty(), "{}", against.join("\n"));
}
