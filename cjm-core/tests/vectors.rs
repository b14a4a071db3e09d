//! Runs the language-neutral golden vectors in `tests/vectors/documents/` (the same files
//! the Python and JS suites run): each names an input and the exact set of problems, as
//! (code, path) pairs, that validation must report, or that the input is valid.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use serde_json::Value;
use std::path::PathBuf;

fn vector_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/documents");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn problems(result: &cjm_core::Result<cjm_core::ValidJourney>) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = match result {
        Ok(_) => Vec::new(),
        Err(err) => {
            assert!(
                !err.problems().is_empty(),
                "an error must list problems: {err}"
            );
            err.problems()
                .iter()
                .map(|p| (p.code.as_str().to_owned(), p.path.clone()))
                .collect()
        }
    };
    found.sort();
    found
}

#[test]
fn document_vectors() {
    let files = vector_files();
    assert!(
        files.len() >= 20,
        "expected the vector suite, found {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for file in files {
        let vector: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let mut expected: Vec<(String, String)> = if vector["expect"]["valid"] == Value::Bool(true)
        {
            Vec::new()
        } else {
            vector["expect"]["problems"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["code"].as_str().unwrap().to_owned(),
                        p["path"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        };
        expected.sort();
        let mut runs = Vec::new();
        if let Some(text) = vector["input_text"].as_str() {
            runs.push(("text", cjm_core::load_str(text)));
        }
        if let Some(input) = vector.get("input") {
            runs.push(("text", cjm_core::load_str(&input.to_string())));
            runs.push(("value", cjm_core::load_from(input.clone())));
        }
        for (how, result) in runs {
            let found = problems(&result);
            if found != expected {
                failures.push(format!(
                    "{name} ({how}): expected {expected:?}, found {found:?}"
                ));
            }
            if let Ok(journey) = result {
                // A valid document round-trips: its JSON loads again to an equal journey.
                let again = cjm_core::load_str(&journey.to_json()).unwrap();
                assert_eq!(again, journey, "{name}: round trip");
            }
        }
    }
    assert!(
        failures.is_empty(),
        "vector failures:\n{}",
        failures.join("\n")
    );
}
