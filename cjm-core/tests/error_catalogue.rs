//! Every problem code is documented in `docs/errors.md` and has a golden vector; every
//! input-error code the sources (core, Python and JS bindings, the Python package) can
//! produce is in its "Input problems" table, and the table names no code nothing emits.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

#[test]
fn every_code_is_documented_and_exercised() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = std::fs::read_to_string(root.join("docs/errors.md")).unwrap();
    let mut vectors = String::new();
    for entry in std::fs::read_dir(root.join("tests/vectors/documents")).unwrap() {
        vectors.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    // The schema of ProblemCode lists every variant as a `const`.
    let schema = serde_json::to_value(schemars::schema_for!(cjm_core::ProblemCode)).unwrap();
    let codes: Vec<String> = schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["const"].as_str().unwrap().to_owned())
        .collect();
    assert!(codes.len() >= 20);
    for code in codes {
        assert!(
            catalogue.contains(&format!("`{code}`")),
            "{code} missing from docs/errors.md"
        );
        // Limits that need megabytes of input are exercised in tests/limits.rs instead.
        if ![
            "document_too_large",
            "string_too_long",
            "too_many_items",
            "not_finite",
        ]
        .contains(&code.as_str())
        {
            assert!(
                vectors.contains(&format!("\"{code}\"")),
                "{code} has no golden vector"
            );
        }
    }
}

/// Every file under `dir` whose name ends in `.{ext}`, as (path, text).
fn sources(dir: &std::path::Path, ext: &str, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
}

/// The top-level arguments of a call whose text starts just after its `(`, as written
/// (trimmed), honouring nested brackets and string literals.
fn call_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                current.push(c);
                while let Some(s) = chars.next() {
                    current.push(s);
                    if s == '\\' {
                        current.extend(chars.next());
                    } else if s == '"' {
                        break;
                    }
                }
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                args.push(current.trim().to_owned());
                return args;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(std::mem::take(&mut current).trim().to_owned());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    panic!("unclosed call: {}", &text[..text.len().min(200)]);
}

/// `"snake_case"` → `snake_case`; anything else → None.
fn code_literal(arg: &str) -> Option<String> {
    let inner = arg.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.is_empty() && inner.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .then(|| inner.to_owned())
}

/// Every input-error code the sources can produce, with where: `code: "…"` (an
/// `Error::Input`, an ingest warning), the code argument of every function that takes
/// `code: &'static str` (found by scanning, so a new helper is seen), the ingest report's
/// reject reasons (strict mode raises them), and the Python package's `InputError(…, "…")`.
fn emitted_input_codes(root: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let mut rust = Vec::new();
    for dir in ["cjm-core/src", "cjm-py/src", "cjm-wasm/src"] {
        sources(&root.join(dir), "rs", &mut rust);
    }
    // A helper is called in its file (private) or its crate (`pub`, `pub(crate)`).
    let crate_of = |path: &str| path.split("/src/").next().unwrap().to_owned();
    let mut python = Vec::new();
    sources(&root.join("cjm-py/python/cjm"), "py", &mut python);
    let mut codes = std::collections::BTreeMap::new();
    // 1. `code: "…"` literals.
    for (path, text) in &rust {
        for (at, _) in text.match_indices("code: \"") {
            let arg = text[at + 6..].split(['"']).nth(1).unwrap();
            let code = code_literal(&format!("\"{arg}\"")).unwrap();
            codes.entry(code).or_insert_with(|| path.clone());
        }
    }
    // 2. Helpers with a `code: &'static str` parameter, and their calls.
    let mut helpers = Vec::new();
    for (path, text) in &rust {
        for (at, _) in text.match_indices("fn ") {
            let rest = &text[at + 3..];
            let Some(open) = rest.find('(') else { continue };
            let name = &rest[..open];
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let params = call_args(&rest[open + 1..]);
            if let Some(i) = params.iter().position(|p| p == "code: &'static str") {
                let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
                let scope = if text[line_start..at].trim_start().starts_with("pub") {
                    crate_of(path)
                } else {
                    path.clone()
                };
                helpers.push((name.to_owned(), i, scope, path.clone()));
            }
        }
    }
    assert!(helpers.len() >= 5, "helpers found: {helpers:?}");
    for (name, index, scope, _) in &helpers {
        let call = format!("{name}(");
        for (path, text) in rust
            .iter()
            .filter(|(p, _)| p == scope || crate_of(p) == *scope)
        {
            for (at, _) in text.match_indices(&call) {
                let before = &text[..at];
                if before.ends_with("fn ")
                    || before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                {
                    continue;
                }
                let args = call_args(&text[at + call.len()..]);
                let arg = &args[*index];
                match code_literal(arg) {
                    Some(code) => {
                        codes.entry(code).or_insert_with(|| path.clone());
                    }
                    // A helper passing its own `code` parameter on (`check_keys`).
                    None if arg == "code" && helpers.iter().any(|h| h.3 == *path) => {}
                    None => panic!(
                        "{path}: `{name}` is called with code `{arg}`, which this test cannot \
                         read; pass a literal or teach the test the new form"
                    ),
                }
            }
        }
    }
    // 3. Reject reasons, raised in strict mode with their code.
    let schema =
        serde_json::to_value(schemars::schema_for!(cjm_core::events::RejectReason)).unwrap();
    for v in schema["oneOf"].as_array().unwrap() {
        let code = v["const"].as_str().unwrap().to_owned();
        codes
            .entry(code)
            .or_insert_with(|| "RejectReason".to_owned());
    }
    // 4. The Python package's own input errors: `InputError(message, "code")`.
    for (path, text) in &python {
        for (at, _) in text.match_indices("InputError(") {
            if text[..at].ends_with("class ") {
                continue;
            }
            let args = call_args(&text[at + "InputError(".len()..]);
            let code = args
                .get(1)
                .and_then(|a| code_literal(a))
                .unwrap_or_else(|| panic!("{path}: InputError without a literal code: {args:?}"));
            codes.entry(code).or_insert_with(|| path.clone());
        }
    }
    codes
}

/// The codes of the "Input problems" table of `docs/errors.md` (a row may name several:
/// `` `missing_column` / `unknown_column` ``).
fn documented_input_codes(catalogue: &str) -> std::collections::BTreeSet<String> {
    let start = catalogue.find("## Input problems").unwrap();
    let section = &catalogue[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
    let mut codes = std::collections::BTreeSet::new();
    for line in section[..end].lines() {
        let Some(first) = line.strip_prefix("| `") else {
            continue;
        };
        let cell = first.split(" |").next().unwrap();
        for (i, part) in format!("`{cell}").split('`').enumerate() {
            if i % 2 == 1 {
                codes.insert(part.to_owned());
            }
        }
    }
    codes
}

#[test]
fn every_input_code_is_documented_and_every_documented_one_emitted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = std::fs::read_to_string(root.join("docs/errors.md")).unwrap();
    let documented = documented_input_codes(&catalogue);
    let emitted = emitted_input_codes(&root);
    assert!(documented.len() >= 30, "{documented:?}");
    let undocumented: Vec<_> = emitted
        .iter()
        .filter(|(code, _)| !documented.contains(*code))
        .map(|(code, path)| format!("{code} ({path})"))
        .collect();
    assert!(
        undocumented.is_empty(),
        "input codes missing from docs/errors.md (Input problems): {undocumented:?}"
    );
    let stale: Vec<_> = documented
        .iter()
        .filter(|code| !emitted.contains_key(*code))
        .collect();
    assert!(
        stale.is_empty(),
        "docs/errors.md documents input codes no source emits: {stale:?}"
    );
}
