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
    ("pages", 1),
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

/// The names of the top-level items `text` defines as `pub` (`pub(crate)`…): structs,
/// enums, functions, traits, types, constants and statics.
fn defined(text: &str) -> Vec<String> {
    const KINDS: &[&str] = &["struct", "enum", "fn", "trait", "type", "const", "static"];
    let mut names = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("pub")) {
        let mut words = line.split_whitespace();
        if words.any(|w| KINDS.contains(&w)) {
            let name: String = words
                .next()
                .unwrap_or_default()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
    }
    names
}

/// The first identifier of `text`.
fn ident(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The sibling files that the code of `text` names (`super::x` or `crate::<folder>::x`,
/// where `x.rs` is a sibling, or `x` an item a sibling defines and `mod.rs` hands on;
/// `super::{a::B, C}` item by item), its unit-test module left out. `siblings` pairs each
/// sibling's name with the items it defines.
fn siblings_named(text: &str, folder: &str, siblings: &[(String, Vec<String>)]) -> Vec<String> {
    let tests = text
        .match_indices("#[cfg(test)]")
        .map(|(i, _)| i)
        .find(|&i| text[i + 12..].trim_start().starts_with("mod "));
    let text = &text[..tests.unwrap_or(text.len())];
    let owner = |name: &str| {
        siblings
            .iter()
            .filter(|(s, defs)| s == name || defs.iter().any(|d| d == name))
            .map(|(s, _)| s.clone())
            .collect::<Vec<_>>()
    };
    let mut named = Vec::new();
    for prefix in ["super::".to_owned(), format!("crate::{folder}::")] {
        for (i, _) in text.match_indices(&prefix) {
            let rest = &text[i + prefix.len()..];
            let items: Vec<String> = match rest.strip_prefix('{') {
                // The group's items, each by its first name (nested groups: their path).
                Some(group) => group
                    .split('}')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(ident)
                    .collect(),
                None => vec![ident(rest)],
            };
            for item in items {
                for s in owner(&item) {
                    if !named.contains(&s) {
                        named.push(s);
                    }
                }
            }
        }
    }
    named
}

/// A circle among `edges` (file → files it names), as the files in it, if any.
fn circle(edges: &[(String, Vec<String>)]) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &[(String, Vec<String>)],
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            return path.get(at..).map(<[String]>::to_vec);
        }
        if done.iter().any(|d| d == node) {
            return None;
        }
        path.push(node.to_owned());
        let next = edges
            .iter()
            .find(|(f, _)| f == node)
            .map(|(_, n)| n.clone());
        for n in next.unwrap_or_default() {
            if let Some(found) = visit(&n, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.push(node.to_owned());
        None
    }
    let mut done = Vec::new();
    edges
        .iter()
        .find_map(|(f, _)| visit(f, edges, &mut Vec::new(), &mut done))
}

/// Inside a module folder the files stand in layers too: no two files of one folder name
/// each other, directly or through others (the owner of a shared type is a file both
/// import, as `render/blocks.rs` is for the report's sections and its page).
#[test]
fn no_circle_between_the_files_of_a_folder() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut folders = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let folder = dir.file_name().unwrap().to_str().unwrap().to_owned();
        let mut stems: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .map(|p| p.file_stem().unwrap().to_str().unwrap().to_owned())
            .filter(|s| s != "mod")
            .collect();
        stems.sort();
        let texts: Vec<String> = stems
            .iter()
            .map(|s| code(&std::fs::read_to_string(dir.join(format!("{s}.rs"))).unwrap()))
            .collect();
        let siblings: Vec<(String, Vec<String>)> = stems
            .iter()
            .zip(&texts)
            .map(|(s, text)| (s.clone(), defined(text)))
            .collect();
        let edges: Vec<(String, Vec<String>)> = stems
            .iter()
            .zip(&texts)
            .map(|(s, text)| {
                let mut named = siblings_named(text, &folder, &siblings);
                named.retain(|n| n != s);
                (s.clone(), named)
            })
            .collect();
        assert!(
            circle(&edges).is_none(),
            "{folder}/: files importing each other in a circle: {:?}",
            circle(&edges)
        );
        folders += 1;
    }
    assert!(folders >= 6, "only {folders} module folders seen");
}

#[test]
fn a_circle_is_found() {
    let e = |f: &str, n: &[&str]| (f.to_owned(), n.iter().map(|s| (*s).to_owned()).collect());
    let ring = [
        e("a", &["b"]),
        e("b", &["c"]),
        e("c", &["a"]),
        e("d", &["a"]),
    ];
    assert_eq!(
        circle(&ring),
        Some(vec!["a".into(), "b".into(), "c".into()])
    );
    assert_eq!(
        circle(&[e("a", &["b"]), e("b", &[]), e("c", &["a", "b"])]),
        None
    );
    let text = "use super::log::EventLog;\nuse super::Thing;\n#[cfg(test)]\nfn f() {}\n\
                x = crate::events::ops::f();\nuse super::{Mapping, Other};\n\
                #[cfg(test)]\nmod tests { use super::seq; }";
    let sibling = |name: &str, defs: &[&str]| {
        let defs = defined(
            &defs
                .iter()
                .map(|d| format!("pub struct {d} {{}}\n"))
                .collect::<String>(),
        );
        (name.to_owned(), defs)
    };
    let siblings = [
        sibling("log", &[]),
        sibling("ops", &[]),
        sibling("seq", &[]),
        sibling("mapping", &["Mapping"]),
    ];
    assert_eq!(
        siblings_named(text, "events", &siblings),
        ["log", "mapping", "ops"]
    );
    let defs = defined("pub(crate) fn read_it<T>() {}\n    pub fn method() {}\npub enum Kind {}");
    assert_eq!(defs, ["read_it", "Kind"]);
}

/// The workspace denies unsafe code; the one file allowed it is `cjm-core/src/pages.rs`
/// (advice to the kernel about a buffer's pages, see that file), in every crate of the
/// workspace.
#[test]
fn one_file_only_may_use_unsafe() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    // The members, as the workspace lists them.
    let members = workspace
        .lines()
        .find_map(|l| l.strip_prefix("members = ["))
        .unwrap()
        .trim_end_matches(']')
        .split(',')
        .map(|m| m.trim().trim_matches('"').to_owned())
        .collect::<Vec<_>>();
    assert!(members.len() >= 4, "{members:?}");
    let mut all = Vec::new();
    for krate in &members {
        // Each member takes the workspace's lints (a `[lints]` table of its own would not).
        let manifest = std::fs::read_to_string(root.join(krate).join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains("[lints]\nworkspace = true"),
            "{krate}/Cargo.toml must take the workspace's lints"
        );
        for dir in ["src", "tests", "benches", "examples"] {
            let dir = root.join(krate).join(dir);
            if dir.is_dir() {
                files(&dir, &mut all);
            }
        }
        let build = root.join(krate).join("build.rs");
        if build.is_file() {
            all.push(build);
        }
    }
    assert!(all.len() > 100, "only {} files seen", all.len());
    // Built from parts, so that this file does not match.
    let (lint, keyword) = (["unsafe", "_code"].concat(), ["unsafe", " "].concat());
    let allowing: Vec<String> = all
        .iter()
        .filter(|p| {
            let text = code(&std::fs::read_to_string(p).unwrap());
            text.contains(&lint) || text.contains(&keyword)
        })
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .collect();
    assert_eq!(allowing, ["cjm-core/src/pages.rs"]);
    assert!(workspace.contains(&format!("{lint} = \"deny\"")));
}
