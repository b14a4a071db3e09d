//! Arrow data into cjm-core through cjm-arrow, with expected values worked out by hand
//! from the six-event log below.
#![allow(
    clippy::indexing_slicing,
    clippy::err_expect,
    clippy::panic,
    reason = "test code"
)]

use std::sync::Arc;

use arrow_array::types::Int8Type;
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Float64Array, Int64Array, Int8Array, RecordBatch,
    RecordBatchIterator, RecordBatchReader, StringArray, TimestampMillisecondArray, UInt64Array,
};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use cjm_arrow::{Error, EventIngest};
use cjm_core::events::{EventLog, Funnel, IngestSpec};
use cjm_core::scoring::{GroupLevel, SurveyColumnNames, SurveyOptions};

/// Customers 7, 9 and 11 (integer ids), in time order:
///
/// | row | customer | t (s) | event |
/// |---|---|---|---|
/// | 0 | 7 | 1 | view |
/// | 1 | 9 | 2 | view |
/// | 2 | 7 | 3 | cart |
/// | 3 | 11 | 4 | view |
/// | 4 | 9 | 5 | cart |
/// | 5 | 7 | 6 | buy |
///
/// in two batches of three rows, the event column dictionary-encoded.
fn batches(zone: Option<&str>) -> Vec<RecordBatch> {
    let customers = [7_i64, 9, 7, 11, 9, 7];
    let times = [1000_i64, 2000, 3000, 4000, 5000, 6000];
    let events = ["view", "view", "cart", "view", "cart", "buy"];
    (0..2)
        .map(|b| {
            let r = b * 3..b * 3 + 3;
            let ts = TimestampMillisecondArray::from(times[r.clone()].to_vec());
            let ts = match zone {
                Some(z) => ts.with_timezone(z),
                None => ts,
            };
            let event: DictionaryArray<Int8Type> = events[r.clone()].iter().copied().collect();
            RecordBatch::try_from_iter([
                (
                    "customer",
                    Arc::new(Int64Array::from(customers[r].to_vec())) as ArrayRef,
                ),
                ("timestamp", Arc::new(ts) as ArrayRef),
                ("event", Arc::new(event) as ArrayRef),
            ])
            .expect("a valid batch")
        })
        .collect()
}

fn reader(batches: Vec<RecordBatch>) -> impl RecordBatchReader {
    let schema = batches[0].schema();
    RecordBatchIterator::new(batches.into_iter().map(Ok), schema)
}

fn names(schema: &Schema) -> Vec<String> {
    schema.fields().iter().map(|f| f.name().clone()).collect()
}

fn ingest(batches: Vec<RecordBatch>, spec: &IngestSpec) -> Result<EventLog, Error> {
    let r = reader(batches);
    let schema = r.schema();
    let plan = EventIngest::new(spec, &schema, &names(&schema), None)?;
    Ok(plan.read(r, |_| Ok(()))?.0)
}

/// view → cart → buy: 3, then 7 and 9, then 7 (5 s after its view).
fn check_funnel(log: &EventLog) {
    assert_eq!(log.len(), 6);
    assert_eq!(log.customers().len(), 3);
    let f = Funnel::events(&["view", "cart", "buy"])
        .run(log, None)
        .expect("the funnel runs");
    let counts: Vec<u64> = f.steps.iter().map(|s| s.customers).collect();
    assert_eq!(counts, [3, 2, 1]);
    let last = f.steps[2].time_from_first.as_ref().expect("one conversion");
    assert_eq!(last.median_seconds, 5.0);
}

#[test]
fn integer_ids_and_dictionary_events_read_in_batches() {
    let log = ingest(batches(Some("UTC")), &IngestSpec::default()).expect("the log builds");
    check_funnel(&log);
}

#[test]
fn progress_is_called_per_batch_and_its_error_stops_the_read() {
    let r = reader(batches(Some("UTC")));
    let schema = r.schema();
    let plan =
        EventIngest::new(&IngestSpec::default(), &schema, &names(&schema), None).expect("a plan");
    let mut seen = Vec::new();
    plan.read(r, |rows| {
        seen.push(rows);
        Ok(())
    })
    .expect("the log builds");
    assert_eq!(seen, [3, 3]);

    let r = reader(batches(Some("UTC")));
    let plan =
        EventIngest::new(&IngestSpec::default(), &schema, &names(&schema), None).expect("a plan");
    let err = plan
        .read(r, |_| Err("interrupted".into()))
        .err()
        .expect("the callback's error stops the read");
    assert!(matches!(&err, Error::Stopped(e) if e.to_string() == "interrupted"));
}

fn code(err: &Error) -> &'static str {
    match err {
        Error::Core(e) => e.code(),
        _ => "not a core error",
    }
}

#[test]
fn naive_timestamps_need_assume_utc() {
    let err = ingest(batches(None), &IngestSpec::default())
        .err()
        .expect("refused");
    assert_eq!(code(&err), "naive_timestamp");
    assert!(err.to_string().contains("`timestamp`"), "{err}");
    let spec = IngestSpec {
        assume_utc: true,
        ..IngestSpec::default()
    };
    check_funnel(&ingest(batches(None), &spec).expect("read as UTC"));
}

#[test]
fn a_column_of_the_wrong_type_or_missing_is_named() {
    let batch = RecordBatch::try_from_iter([
        (
            "customer",
            Arc::new(Int64Array::from(vec![1_i64])) as ArrayRef,
        ),
        (
            "timestamp",
            Arc::new(TimestampMillisecondArray::from(vec![0_i64]).with_timezone("UTC")) as ArrayRef,
        ),
        ("event", Arc::new(Float64Array::from(vec![1.5])) as ArrayRef),
    ])
    .expect("a batch");
    let err = ingest(vec![batch.clone()], &IngestSpec::default())
        .err()
        .expect("refused");
    assert_eq!(code(&err), "wrong_type");
    assert!(
        err.to_string()
            .contains("column `event` has Arrow type `Float64`"),
        "{err}"
    );

    let spec = IngestSpec {
        channel: Some("channel".to_owned()),
        ..IngestSpec::default()
    };
    let err = ingest(vec![batch], &spec).err().expect("refused");
    assert_eq!(code(&err), "missing_column");
    assert!(err.to_string().contains("`channel`"), "{err}");
}

#[test]
fn uint64_ids_past_i64_are_read_as_text() {
    let big = u64::MAX;
    let batch = RecordBatch::try_from_iter([
        (
            "customer",
            Arc::new(UInt64Array::from(vec![big, 1])) as ArrayRef,
        ),
        (
            "timestamp",
            Arc::new(TimestampMillisecondArray::from(vec![0_i64, 1]).with_timezone("UTC"))
                as ArrayRef,
        ),
        (
            "event",
            Arc::new(StringArray::from(vec!["a", "a"])) as ArrayRef,
        ),
    ])
    .expect("a batch");
    let log = ingest(vec![batch], &IngestSpec::default()).expect("read");
    let mut ids: Vec<String> = match log.export().customers {
        cjm_core::events::CustomerIds::Str(ids) => ids.to_vec(),
        cjm_core::events::CustomerIds::Int(ids) => ids.iter().map(i64::to_string).collect(),
    };
    ids.sort();
    assert_eq!(ids, ["1", "18446744073709551615"]);
}

#[test]
fn a_log_written_as_arrow_reads_back_with_the_same_events() {
    let log = ingest(batches(Some("UTC")), &IngestSpec::default()).expect("read");
    let batch = cjm_arrow::log_batch(&log).expect("written");
    assert_eq!(batch.num_rows(), 6);
    assert_eq!(batch.schema().field(0).data_type(), &DataType::Int64);
    assert_eq!(
        batch.schema().field(1).data_type(),
        &DataType::Timestamp(arrow_schema::TimeUnit::Nanosecond, Some("UTC".into()))
    );
    let again = ingest(vec![batch], &IngestSpec::default()).expect("read back");
    check_funnel(&again);
    assert_eq!(again.export().timestamp_ns, log.export().timestamp_ns);
}

#[test]
fn a_result_table_becomes_a_batch_of_its_columns() {
    let log = ingest(batches(Some("UTC")), &IngestSpec::default()).expect("read");
    let f = Funnel::events(&["view", "cart", "buy"])
        .run(&log, None)
        .expect("runs");
    let table = cjm_core::tables::Tabular::default_table(&f).expect("a table");
    let batch = cjm_arrow::table_batch(&table).expect("a batch");
    assert_eq!(batch.num_rows(), 3);
    assert_eq!(batch.num_columns(), table.columns.len());
    let customers = batch
        .column_by_name("customers")
        .expect("a customers column");
    let customers = customers
        .as_any()
        .downcast_ref::<UInt64Array>()
        .expect("counts are uint64");
    assert_eq!(customers.values().to_vec(), [3, 2, 1]);
}

#[test]
fn named_columns_read_as_null() {
    // A channel column sent as booleans (as polars' `Null` columns are) is read as an
    // all-null channel: every event has no channel.
    let mut with_channel = Vec::new();
    for b in batches(Some("UTC")) {
        let n = b.num_rows();
        let mut fields: Vec<Field> = b
            .schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        fields.push(Field::new("channel", DataType::Boolean, true));
        let mut columns = b.columns().to_vec();
        columns.push(Arc::new(arrow_array::BooleanArray::new_null(n)));
        with_channel
            .push(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("ok"));
    }
    let inner: cjm_arrow::Reader = Box::new(reader(with_channel));
    let r = cjm_arrow::NullColumns::new(inner, &["channel".to_owned()]);
    let schema = r.schema();
    assert_eq!(
        schema.field_with_name("channel").expect("kept").data_type(),
        &DataType::Null
    );
    let spec = IngestSpec {
        channel: Some("channel".to_owned()),
        ..IngestSpec::default()
    };
    let plan = EventIngest::new(&spec, &schema, &names(&schema), None).expect("a plan");
    let (log, _) = plan.read(r, |_| Ok(())).expect("read");
    check_funnel(&log);
    let x = log.export();
    let channel = x.channel.expect("a channel column");
    assert!(channel
        .codes
        .iter()
        .all(|&c| c == cjm_core::events::NO_VALUE));
}

#[test]
fn partitions_take_row_order_from_an_order_key() {
    // The same six rows as one partition, numbered by an `order_key` column.
    let mut parts = Vec::new();
    for (b, batch) in batches(Some("UTC")).into_iter().enumerate() {
        let keys: Vec<i64> = (0..3).map(|i| (b * 3 + i) as i64 * 10).collect();
        let mut fields: Vec<Field> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        fields.push(Field::new("order_key", DataType::Int64, false));
        let mut columns = batch.columns().to_vec();
        columns.push(Arc::new(Int64Array::from(keys)));
        parts.push(RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("ok"));
    }
    let r = reader(parts.clone());
    let plan = EventIngest::partition(
        &IngestSpec::default(),
        &r.schema(),
        Some("order_key".to_owned()),
        None,
    )
    .expect("a plan");
    check_funnel(&plan.read(r, |_| Ok(())).expect("read").0);

    // Among equal timestamps the order keys decide, not the order read: rows a, b, c
    // of one customer at one time, keyed 30, 20, 10, are c, b, a in the log.
    let batch = RecordBatch::try_from_iter([
        (
            "customer",
            Arc::new(Int64Array::from(vec![1_i64; 3])) as ArrayRef,
        ),
        (
            "timestamp",
            Arc::new(TimestampMillisecondArray::from(vec![0_i64; 3]).with_timezone("UTC"))
                as ArrayRef,
        ),
        (
            "event",
            Arc::new(StringArray::from(vec!["a", "b", "c"])) as ArrayRef,
        ),
        (
            "order_key",
            Arc::new(Int64Array::from(vec![30_i64, 20, 10])) as ArrayRef,
        ),
    ])
    .expect("a batch");
    let order = |key: Option<&str>| {
        let r = reader(vec![batch.clone()]);
        let plan = EventIngest::partition(
            &IngestSpec::default(),
            &r.schema(),
            key.map(str::to_owned),
            None,
        )
        .expect("a plan");
        let log = plan.read(r, |_| Ok(())).expect("read").0;
        let x = log.export();
        let names: Vec<String> = x
            .event
            .codes
            .iter()
            .map(|&c| x.event.dict[c as usize].clone())
            .collect();
        names
    };
    assert_eq!(order(Some("order_key")), ["c", "b", "a"]);
    assert_eq!(order(None), ["a", "b", "c"]);

    // A partition refuses what only a whole log can do.
    let spec = IngestSpec {
        dedup: true,
        ..IngestSpec::default()
    };
    let err = EventIngest::partition(&spec, &reader(parts).schema(), None, None)
        .err()
        .expect("refused");
    assert_eq!(code(&err), "invalid_option");
}

#[test]
fn a_stream_error_is_the_arrows_own() {
    let good = batches(Some("UTC"));
    let schema = good[0].schema();
    let items: Vec<Result<RecordBatch, ArrowError>> = vec![
        Ok(good[0].clone()),
        Err(ArrowError::ComputeError("the producer failed".to_owned())),
    ];
    let r = RecordBatchIterator::new(items, schema.clone());
    let plan =
        EventIngest::new(&IngestSpec::default(), &schema, &names(&schema), None).expect("a plan");
    let err = plan.read(r, |_| Ok(())).err().expect("an error");
    assert!(matches!(err, Error::Arrow(_)), "{err:?}");
    assert!(err.to_string().contains("the producer failed"));
}

/// NPS answers 10, 0, 9, 7: two promoters, one detractor, one passive of four, so NPS
/// = (2 − 1) / 4 × 100 = 25; scope `web` (10, 0) = 0, `app` (9, 7) = 50.
#[test]
fn survey_answers_read_in_their_own_type() {
    let scope: DictionaryArray<Int8Type> = ["web", "web", "app", "app"].into_iter().collect();
    let batch = RecordBatch::try_from_iter([
        ("touchpoint", Arc::new(scope) as ArrayRef),
        (
            "nps",
            Arc::new(Int8Array::from(vec![10_i8, 0, 9, 7])) as ArrayRef,
        ),
    ])
    .expect("a batch");
    let columns = SurveyColumnNames {
        scope: Some("touchpoint".to_owned()),
        segment: None,
        nps: Some("nps".to_owned()),
        csat: None,
        ces: None,
    };
    let options = SurveyOptions::default();
    let state =
        cjm_arrow::survey_state(reader(vec![batch.clone()]), &columns, &options).expect("counted");
    let report = state.report(columns.metrics(), &options);
    let nps = |level: GroupLevel, scope: Option<&str>| {
        report
            .groups
            .iter()
            .find(|g| g.level == level && g.scope.as_deref() == scope)
            .and_then(|g| g.nps.as_ref())
            .and_then(|n| n.value)
    };
    assert_eq!(nps(GroupLevel::Overall, None), Some(25.0));
    assert_eq!(nps(GroupLevel::Scope, Some("web")), Some(0.0));
    assert_eq!(nps(GroupLevel::Scope, Some("app")), Some(50.0));

    let wrong = SurveyColumnNames {
        scope: Some("nps".to_owned()),
        ..columns.clone()
    };
    let err = cjm_arrow::survey_state(reader(vec![batch.clone()]), &wrong, &options)
        .err()
        .expect("refused");
    assert_eq!(code(&err), "wrong_type");
    let missing = SurveyColumnNames {
        csat: Some("csat".to_owned()),
        ..columns
    };
    let err = cjm_arrow::survey_state(reader(vec![batch]), &missing, &options)
        .err()
        .expect("refused");
    assert_eq!(code(&err), "missing_column");
}

#[cfg(feature = "parquet")]
mod parquet {
    use super::*;

    /// A file path in a directory of this test's own, removed when dropped.
    struct Temp(std::path::PathBuf);

    impl Temp {
        fn new(test: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("cjm-arrow-{test}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("a temp dir");
            Self(dir)
        }

        fn file(&self, name: &str) -> std::path::PathBuf {
            self.0.join(name)
        }
    }

    impl Drop for Temp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn write(path: &std::path::Path, data: &[RecordBatch]) {
        let file = std::fs::File::create(path).expect("created");
        let mut w =
            ::parquet::arrow::ArrowWriter::try_new(file, data[0].schema(), None).expect("a writer");
        for b in data {
            w.write(b).expect("written");
        }
        w.close().expect("closed");
    }

    /// The log of the Parquet file at `path`, read with the default spec.
    fn ingest_file(path: &std::path::Path) -> Result<EventLog, Error> {
        let stream = cjm_arrow::parquet_reader(path, None)?;
        let schema = stream.reader.schema();
        let plan = EventIngest::new(&IngestSpec::default(), &schema, &stream.columns, None)?;
        Ok(plan.read(stream.reader, |_| Ok(()))?.0)
    }

    /// A file whose footer reads but whose pages do not: every byte of its data pages
    /// overwritten. The batches end with `invalid_parquet`, never a shorter log.
    #[test]
    fn a_file_that_fails_past_its_footer_is_invalid_parquet() {
        let dir = Temp::new("pages");
        let path = dir.file("broken.parquet");
        write(&path, &batches(Some("UTC")));
        let mut bytes = std::fs::read(&path).expect("read");
        // "PAR1", then the column chunks; the footer is at the end.
        let footer = u32::from_le_bytes(
            bytes[bytes.len() - 8..bytes.len() - 4]
                .try_into()
                .expect("4 bytes"),
        ) as usize;
        let data_end = bytes.len() - 8 - footer;
        for b in &mut bytes[4..data_end] {
            *b = 0xFF;
        }
        std::fs::write(&path, &bytes).expect("written");
        cjm_arrow::parquet_reader(&path, None).expect("the footer reads");
        let err = ingest_file(&path).err().expect("refused");
        assert_eq!(code(&err), "invalid_parquet", "{err}");
        assert!(err.to_string().contains("cannot be read"), "{err}");
    }

    #[test]
    fn a_parquet_file_reads_as_its_batches() {
        let dir = Temp::new("read");
        let path = dir.file("events.parquet");
        write(&path, &batches(Some("UTC")));

        let stream = cjm_arrow::parquet_reader(&path, None).expect("opened");
        assert_eq!(stream.rows, Some(6));
        assert_eq!(stream.columns, ["customer", "timestamp", "event"]);
        let schema = stream.reader.schema();
        let plan = EventIngest::new(&IngestSpec::default(), &schema, &stream.columns, None)
            .expect("a plan");
        check_funnel(&plan.read(stream.reader, |_| Ok(())).expect("read").0);

        // Only the columns asked for are decoded.
        let only = ["customer".to_owned()];
        let only: Vec<&String> = only.iter().collect();
        let stream = cjm_arrow::parquet_reader(&path, Some(&only)).expect("opened");
        assert_eq!(stream.reader.schema().fields().len(), 1);
    }

    /// Nine events at one instant, customers 1 and 2 taking turns (row `i`: customer 1
    /// when `i` is even, event `e{8 - i}`, so that the file's order is not the names'),
    /// written in row groups of two rows: five groups.
    fn nine_ties(path: &std::path::Path) {
        let rows = 0..9_i64;
        let ts = TimestampMillisecondArray::from(vec![5_000_i64; 9]).with_timezone("UTC");
        let batch = RecordBatch::try_from_iter([
            (
                "customer",
                Arc::new(Int64Array::from_iter_values(
                    rows.clone().map(|i| 1 + i % 2),
                )) as ArrayRef,
            ),
            ("timestamp", Arc::new(ts) as ArrayRef),
            (
                "event",
                Arc::new(StringArray::from_iter_values(
                    rows.map(|i| format!("e{}", 8 - i)),
                )) as ArrayRef,
            ),
        ])
        .expect("a valid batch");
        let props = ::parquet::file::properties::WriterProperties::builder()
            .set_max_row_group_row_count(Some(2))
            .build();
        let file = std::fs::File::create(path).expect("created");
        let mut w = ::parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props))
            .expect("a writer");
        w.write(&batch).expect("written");
        w.close().expect("closed");
    }

    /// The row groups of the Parquet file at `path`, from its footer.
    fn row_groups(path: &std::path::Path) -> Vec<::parquet::file::metadata::RowGroupMetaData> {
        let file = ::parquet::file::serialized_reader::SerializedFileReader::new(
            std::fs::File::open(path).expect("opened"),
        )
        .expect("a reader");
        ::parquet::file::reader::FileReader::metadata(&file)
            .row_groups()
            .to_vec()
    }

    /// Rows read across row groups keep the file's order: ties in time keep the input
    /// order (customer 1, rows 0, 2, 4, 6, 8: e8, e6, e4, e2, e0; customer 2, rows 1, 3,
    /// 5, 7: e7, e5, e3, e1).
    #[test]
    fn ties_across_row_groups_keep_the_file_order() {
        let dir = Temp::new("groups");
        let path = dir.file("ties.parquet");
        nine_ties(&path);
        assert_eq!(row_groups(&path).len(), 5);
        let stream = cjm_arrow::parquet_reader(&path, None).expect("opened");
        assert_eq!(stream.rows, Some(9));
        let log = ingest_file(&path).expect("read");
        let x = log.export();
        let events: Vec<&str> = x
            .event
            .codes
            .iter()
            .map(|&c| x.event.dict[c as usize].as_str())
            .collect();
        assert_eq!(
            events,
            ["e8", "e6", "e4", "e2", "e0", "e7", "e5", "e3", "e1"]
        );
    }

    /// A file whose fourth row group (of five) cannot be decoded: the batches end with
    /// an error before all nine rows are read, and the read fails with `invalid_parquet`,
    /// never a shorter log.
    #[test]
    fn a_later_row_group_that_fails_fails_the_read() {
        let dir = Temp::new("group-fails");
        let path = dir.file("ties.parquet");
        nine_ties(&path);
        let group = row_groups(&path).swap_remove(3);
        let mut bytes = std::fs::read(&path).expect("read");
        for column in group.columns() {
            let (start, length) = column.byte_range();
            for b in &mut bytes[start as usize..(start + length) as usize] {
                *b = 0xFF;
            }
        }
        std::fs::write(&path, &bytes).expect("written");

        let stream = cjm_arrow::parquet_reader(&path, None).expect("the footer reads");
        let mut read = 0;
        let mut failed = false;
        for batch in stream.reader {
            match batch {
                Ok(b) => read += b.num_rows(),
                Err(_) => failed = true,
            }
        }
        assert!(failed && read < 9, "{read} rows read, failed: {failed}");

        let err = ingest_file(&path).err().expect("refused");
        assert_eq!(code(&err), "invalid_parquet", "{err}");
    }

    #[test]
    fn what_is_not_parquet_is_said_so() {
        let dir = Temp::new("not");
        let path = dir.file("not.parquet");
        std::fs::write(&path, "customer,timestamp,event\n1,2,a\n").expect("written");
        let err = cjm_arrow::parquet_reader(&path, None)
            .err()
            .expect("refused");
        assert_eq!(code(&err), "invalid_parquet");
        assert!(err.to_string().contains("not.parquet"), "{err}");

        let dir = path.parent().expect("a parent").to_owned();
        let err = cjm_arrow::parquet_reader(&dir, None)
            .err()
            .expect("refused");
        assert!(
            matches!(&err, Error::Io(e) if e.raw_os_error() == Some(21)),
            "{err:?}"
        );
        let err = cjm_arrow::parquet_reader(&dir.join("absent.parquet"), None)
            .err()
            .expect("refused");
        assert!(matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::NotFound));
    }
}
