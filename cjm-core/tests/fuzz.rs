//! The bounded fuzz run of `make test` (issue 14, item 10), for the text inputs not
//! covered elsewhere: Mermaid import and CSV event logs. Random and mutated inputs must
//! give a result or an error with a code — never a panic (`make test` runs this file with
//! overflow checks on) — and an accepted CSV log accounts for
//! every row. The other inputs are fuzzed beside their laws: documents in
//! `properties.rs`, every state decoder in `events_state.rs`, path tables in
//! `attribution_props.rs`, column ingest with timestamps over the whole range in
//! `events_columnar.rs` and `events_time_range.rs`. `docs/security.md` lists them.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::events::{read_csv_str, EventLogBuilder, IngestOptions, IngestReport, Preset};
use cjm_core::render::from_mermaid;
use proptest::prelude::*;

/// Lines that look like a Mermaid journey, mixed with noise.
fn mermaid_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("journey".to_owned()),
        Just("  title A journey".to_owned()),
        "  section [A-Za-z :%-]{0,12}",
        "    [A-Za-z ]{0,10}: [0-9-]{0,3}: [A-Za-z, ]{0,12}",
        "    [A-Za-z]{1,3}: [0-9]{1,20}",
        "    [^\n]{0,20}:[^\n]{0,10}:[^\n]{0,10}",
        "%%[^\n]{0,20}",
        "[^\n]{0,30}",
    ]
}

/// One CSV field: ids, names, timestamps of every shape, numbers, quotes and noise.
fn csv_field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z]{1,4}",
        Just(" ".to_owned()),
        Just("\"a,b\"".to_owned()),
        Just("\"".to_owned()),
        any::<i64>().prop_map(|x| x.to_string()),
        any::<u64>().prop_map(|x| x.to_string()),
        any::<f64>().prop_map(|x| x.to_string()),
        Just("2024-01-01T00:00:00Z".to_owned()),
        Just("2024-01-01T00:00:00".to_owned()),
        Just("-9999-01-01T00:00:00+25:00".to_owned()),
        Just("9999-12-31T23:59:59.999999999Z".to_owned()),
        Just("NaN".to_owned()),
        Just("true".to_owned()),
        "[^\n]{0,8}",
    ]
}

/// Every row is accounted for: read = used + rejected + consent-filtered.
fn accounted(report: &IngestReport) -> bool {
    report.rows_read == report.rows_used + report.rejected_total + report.consent_filtered
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn mermaid_import_never_panics(lines in prop::collection::vec(mermaid_line(), 0..30)) {
        let text = lines.join("\n");
        match from_mermaid(&text) {
            // What is imported validates or reports problems; it never panics either.
            Ok((journey, _notes)) => {
                let _ = cjm_core::validate(&journey);
            }
            Err(e) => prop_assert!(!e.code().is_empty()),
        }
    }

    #[test]
    fn mermaid_import_never_panics_on_any_text(text in "\\PC{0,300}") {
        let _ = from_mermaid(&text);
    }

    #[test]
    fn csv_ingest_never_panics(
        preset in prop_oneof![Just(Preset::Ga4), Just(Preset::Segment), Just(Preset::Snowplow)],
        shuffle in any::<u64>(),
        rows in prop::collection::vec(prop::collection::vec(csv_field(), 0..12), 0..12),
        dedup in any::<bool>(),
        strict in any::<bool>(),
        assume_utc in any::<bool>(),
    ) {
        let mapping = preset.mapping();
        // The preset's own columns (in a shuffled order) plus one unknown column, so
        // rows reach the readers of every field.
        let mut header: Vec<String> = mapping.customer.clone();
        header.extend([mapping.timestamp.clone(), mapping.event.clone()]);
        header.extend(mapping.channel.iter().chain(&mapping.session).chain(&mapping.value).cloned());
        header.push("other".into());
        let n = header.len();
        header.rotate_left(usize::try_from(shuffle % n as u64).unwrap());
        let mut text = header.join(",");
        for row in &rows {
            text.push('\n');
            text.push_str(&row.join(","));
        }
        let builder = EventLogBuilder::new(IngestOptions { dedup, strict, assume_utc, ..IngestOptions::default() });
        match read_csv_str(&text, &mapping, builder) {
            Ok((log, report)) => {
                prop_assert!(accounted(&report), "{:?}", report);
                prop_assert_eq!(u64::try_from(log.len()).unwrap(), report.rows_used);
            }
            Err(e) => prop_assert!(!e.code().is_empty()),
        }
    }

    #[test]
    fn csv_ingest_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = read_csv_str(&text, Preset::Ga4, EventLogBuilder::new(IngestOptions::default()));
        let mut with_header = "user_pseudo_id,event_name,event_timestamp,event_value_in_usd\n".to_owned();
        with_header.push_str(&text);
        let _ = read_csv_str(&with_header, Preset::Ga4, EventLogBuilder::new(IngestOptions::default()));
    }
}
