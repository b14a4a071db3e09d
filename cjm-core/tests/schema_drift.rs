//! The committed JSON Schemas (`docs/schema/`) must be exactly what the code generates.
//! Run with `CJM_BLESS=1` to rewrite the committed files after changing the types.

#![allow(clippy::panic, reason = "test code")]

#[test]
fn committed_schemas_match_the_code() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/schema");
    let bless = std::env::var_os("CJM_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, generated) in cjm_core::schema::published_schemas() {
        let path = dir.join(name);
        if bless {
            std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        if std::fs::read_to_string(&path).unwrap_or_default() != generated {
            stale.push(name);
        }
    }
    let embedded =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/journey-1.schema.json");
    let compact = cjm_core::schema::embedded_journey_schema_json();
    if bless {
        std::fs::write(&embedded, &compact).unwrap_or_else(|e| panic!("embedded schema: {e}"));
    }
    if std::fs::read_to_string(&embedded).unwrap_or_default() != compact {
        stale.push("cjm-core/src/journey-1.schema.json");
    }
    // The schema validation runs on (embedded) is the one the model generates.
    assert_eq!(
        cjm_core::schema::journey_schema(),
        &cjm_core::schema::generated_journey_schema(),
        "the embedded journey schema is stale; run `make schema`"
    );
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; run `make schema` (CJM_BLESS=1 cargo test -p cjm-core --test schema_drift) and commit"
    );
}
