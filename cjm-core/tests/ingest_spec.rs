//! The ingest spec: what every binding's ingest options mean, decided once.

use cjm_core::events::{
    read_csv_str, ColumnNames, ConsentRule, IngestSpec, Preset, TimeUnit, TimestampFormat,
};
use cjm_core::{options_from, Error, InputCode};

fn spec(json: &str) -> cjm_core::Result<IngestSpec> {
    options_from(&mut serde_json::Deserializer::from_str(json), "options")
}

fn code(e: &Error) -> &'static str {
    e.code()
}

#[test]
fn names_one_by_one_or_as_a_mapping_read_the_same() {
    let flat = spec(r#"{"customer": "uid", "timestamp": "ts", "event": "name"}"#).unwrap();
    let listed = spec(r#"{"customer": ["uid"], "timestamp": "ts", "event": "name"}"#).unwrap();
    let mapped =
        spec(r#"{"mapping": {"customer": ["uid"], "timestamp": "ts", "event": "name"}}"#).unwrap();
    let choice = flat.choice().unwrap();
    assert_eq!(choice.names.customer, vec!["uid".to_owned()]);
    assert_eq!(choice.names.timestamp.as_deref(), Some("ts"));
    assert_eq!(choice.preset, None);
    assert_eq!(listed.choice().unwrap(), choice);
    assert_eq!(mapped.choice().unwrap(), choice);
    // Several customer columns keep their order.
    let two = spec(r#"{"customer": ["user_id", "anonymous_id"]}"#).unwrap();
    assert_eq!(two.customer, vec!["user_id", "anonymous_id"]);
}

#[test]
fn names_win_over_the_preset_and_unit_makes_ticks() {
    let s = spec(r#"{"preset": "xes", "event": "activity", "unit": "ms"}"#).unwrap();
    let choice = s.choice().unwrap();
    assert_eq!(choice.preset, Some(Preset::Xes));
    assert_eq!(choice.names.event.as_deref(), Some("activity"));
    assert_eq!(
        choice.names.timestamp_format,
        Some(TimestampFormat::Integer {
            unit: TimeUnit::Milliseconds
        })
    );
    // The XES header with the event column renamed: the preset gives the others.
    let csv = "case:concept:name,activity,time:timestamp\nc1,a,1000\nc1,b,2000\n";
    let (log, report) = read_csv_str(csv, choice, s.builder(s.options(), None).unwrap()).unwrap();
    assert_eq!(log.len(), 2);
    let columns = report.columns.unwrap();
    assert_eq!(columns.event, "activity");
    assert_eq!(columns.customer, vec!["case:concept:name"]);
    // `IngestSpec::read_csv` is that sequence, for every binding.
    let (again, again_report) = s.read_csv(csv.as_bytes(), None).unwrap();
    assert_eq!(
        (again.len(), again_report.columns.unwrap().event),
        (2, "activity".to_owned())
    );
    // Columns named both ways: the spec parses, and `read_csv` refuses it.
    let bad = spec(r#"{"preset": "xes", "mapping": {"customer": []}, "customer": "c"}"#).unwrap();
    let err = bad.read_csv(csv.as_bytes(), None).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(err.to_string().contains("not both"), "{err}");
    // In two steps, the spec's error comes before any input is read.
    assert_eq!(bad.csv_reader(None).unwrap_err().code(), "invalid_option");
    let (twice, _) = s.csv_reader(None).unwrap().read(csv.as_bytes()).unwrap();
    assert_eq!(twice.len(), 2);
}

#[test]
fn short_and_long_unit_names_are_one_unit() {
    for (short, long) in [
        ("s", "seconds"),
        ("ms", "milliseconds"),
        ("us", "microseconds"),
        ("ns", "nanoseconds"),
    ] {
        let a = spec(&format!(r#"{{"unit": "{short}"}}"#)).unwrap();
        let b = spec(&format!(r#"{{"unit": "{long}"}}"#)).unwrap();
        assert_eq!(a.unit, b.unit);
        assert!(a.unit.is_some());
    }
    let e = spec(r#"{"unit": "minutes"}"#).unwrap_err();
    assert_eq!(code(&e), "invalid_option");
    assert!(e.to_string().contains("unit"), "{e}");
}

#[test]
fn a_named_consent_column_filters_rows_in_either_form() {
    for json in [r#"{"consent": "ok"}"#, r#"{"mapping": {"consent": "ok"}}"#] {
        let s = spec(json).unwrap();
        assert_eq!(s.options().consent, ConsentRule::Require, "{json}");
        let csv = "customer,timestamp,event,ok\n\
                   c1,2025-01-01T00:00:00Z,a,yes\n\
                   c1,2025-01-01T00:01:00Z,b,no\n\
                   c2,2025-01-01T00:02:00Z,a,\n";
        let (log, report) = read_csv_str(
            csv,
            s.choice().unwrap(),
            s.builder(s.options(), None).unwrap(),
        )
        .unwrap();
        assert_eq!(log.len(), 1, "{json}");
        assert_eq!(report.consent_filtered, 2, "{json}");
    }
    // Not named: never guessed, nothing filtered.
    assert_eq!(spec("{}").unwrap().options().consent, ConsentRule::Ignore);
    assert_eq!(
        spec(r#"{"preset": "segment"}"#).unwrap().options().consent,
        ConsentRule::Ignore
    );
}

#[test]
fn options_carry_the_flags_and_extra_columns() {
    let s = spec(
        r#"{"dedup": true, "strict": true, "assume_utc": true, "extra": ["plan"],
            "unit": "s"}"#,
    )
    .unwrap();
    let o = s.options();
    assert!(o.dedup && o.strict && o.assume_utc);
    assert_eq!(o.extra_columns, vec!["plan"]);
    assert_eq!(o.time_unit, TimeUnit::Seconds);
    // The defaults are the core's ingest defaults.
    assert_eq!(spec("{}").unwrap().options(), Default::default());
}

#[test]
fn conflicting_or_unknown_options_are_refused() {
    let both = spec(r#"{"mapping": {"event": "e"}, "customer": "c"}"#).unwrap();
    let e = both.choice().unwrap_err();
    assert_eq!(code(&e), "invalid_option");
    assert!(e.to_string().contains("mapping"), "{e}");
    let unit_twice = spec(
        r#"{"unit": "s", "mapping": {"timestamp_format": {"kind": "integer", "unit": "ms"}}}"#,
    )
    .unwrap();
    assert_eq!(code(&unit_twice.choice().unwrap_err()), "invalid_option");
    let e = spec(r#"{"custmer": "c"}"#).unwrap_err();
    assert_eq!(code(&e), "invalid_option");
    assert!(e.to_string().contains("custmer"), "{e}");
    let e = spec(r#"{"customer": 5}"#).unwrap_err();
    assert!(e.to_string().contains("customer"), "{e}");
}

#[test]
fn bare_columns_need_a_unit_and_take_no_names() {
    let ok = spec(r#"{"unit": "seconds", "dedup": true}"#).unwrap();
    let o = ok.bare_columns_options().unwrap();
    assert_eq!(o.time_unit, TimeUnit::Seconds);
    assert!(o.dedup);
    for json in [
        "{}",
        r#"{"unit": "s", "preset": "ga4"}"#,
        r#"{"unit": "s", "customer": "c"}"#,
        r#"{"unit": "s", "mapping": {}}"#,
        r#"{"unit": "s", "extra": ["plan"]}"#,
    ] {
        let e = spec(json).unwrap().bare_columns_options().unwrap_err();
        assert_eq!(code(&e), "invalid_option", "{json}");
    }
}

#[test]
fn the_builder_takes_the_key_and_identifiers() {
    let s = spec(r#"{"pseudonymise_key": "secret", "extra": ["email"], "identifiers": ["email"]}"#)
        .unwrap();
    assert_eq!(
        s.pseudonymise_key.as_ref().map(|k| k.0.as_slice()),
        Some(b"secret".as_slice())
    );
    // The key never shows in a printed spec.
    assert!(!format!("{s:?}").contains("secret"), "{s:?}");
    let csv = "customer,timestamp,event,email\nc1,2025-01-01T00:00:00Z,a,x@y.z\n";
    let (log, _) = read_csv_str(
        csv,
        s.choice().unwrap(),
        s.builder(s.options(), None).unwrap(),
    )
    .unwrap();
    let id = log.customers().get(0).unwrap().to_string();
    assert_eq!(id.len(), 64, "a pseudonym, not `c1`: {id}");
    // Identifiers without a key, or outside `extra`; an empty key.
    let no_key = spec(r#"{"extra": ["email"], "identifiers": ["email"]}"#).unwrap();
    let e = no_key.builder(no_key.options(), None).err().unwrap();
    assert_eq!(e.code(), InputCode::InvalidOption.as_str());
    let outside = spec(r#"{"pseudonymise_key": "k", "identifiers": ["email"]}"#).unwrap();
    assert!(outside.builder(outside.options(), None).is_err());
    let empty = spec(r#"{"pseudonymise_key": ""}"#).unwrap();
    assert_eq!(
        empty.builder(empty.options(), None).err().unwrap().code(),
        "invalid_key"
    );
}

#[test]
fn a_mapping_is_column_names() {
    let s = spec(r#"{"mapping": {"customer": ["a", "b"], "channel": "medium"}}"#).unwrap();
    assert_eq!(
        s.mapping,
        Some(ColumnNames {
            customer: vec!["a".into(), "b".into()],
            channel: Some("medium".into()),
            ..ColumnNames::default()
        })
    );
}

#[test]
fn null_means_the_default_and_one_name_is_a_list_of_one() {
    // Python's `None` and JavaScript's `null`/`undefined` for an option: its default.
    let s = spec(
        r#"{"dedup": null, "strict": null, "assume_utc": null, "extra": null,
            "identifiers": null, "customer": null, "unit": null}"#,
    )
    .unwrap();
    assert_eq!(s, IngestSpec::default());
    // One column name is a list of one (never split into characters).
    let s = spec(r#"{"extra": "plan", "identifiers": "plan", "pseudonymise_key": "k"}"#).unwrap();
    assert_eq!(s.extra, vec!["plan"]);
    assert_eq!(s.identifiers, vec!["plan"]);
    assert!(spec(r#"{"dedup": "yes"}"#).is_err());
}

#[test]
fn a_partition_refuses_what_depends_on_the_other_partitions() {
    let ok = spec(r#"{"customer": "c", "unit": "ms", "assume_utc": true}"#).unwrap();
    assert_eq!(ok.partition_options().unwrap(), ok.options());
    for json in [
        r#"{"dedup": true}"#,
        r#"{"strict": true}"#,
        r#"{"consent": "ok"}"#,
        r#"{"mapping": {"consent": "ok"}}"#,
        r#"{"extra": ["plan"]}"#,
        r#"{"identifiers": ["email"], "extra": ["email"], "pseudonymise_key": "k"}"#,
    ] {
        let e = spec(json).unwrap().partition_options().unwrap_err();
        assert_eq!(code(&e), "invalid_option", "{json}");
    }
}
