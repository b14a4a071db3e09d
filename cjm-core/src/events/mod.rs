//! Event-log analytics (docs/events.md): ingestion with a full account of every
//! row, binding to the map, funnels, retention cohorts, trends, paths, journey state, conversion
//! drivers, and mergeable states.
//!
//! # Design
//!
//! An [`EventLog`] is columnar: customer ids, event names, channels, sessions and extra
//! string columns are interned into sorted dictionaries (`u32` ids), timestamps are `i64`
//! nanoseconds since the epoch (see [`time`]), and the events are sorted once by
//! (customer, timestamp, input row). Every analysis is then a linear scan over each
//! customer's contiguous slice, with buffers reused between customers.
//!
//! Events of one customer are ordered by (timestamp, input order): equal timestamps keep
//! the order in which the rows were given. With partitions, "input order" is the global
//! row index ([`IngestOptions::row_offset`] + the row's index in the partition).

mod bind;
mod checks;
pub mod columns;
mod csv_in;
mod funnel;
mod log;
mod loose;
mod mapping;
mod ops;
mod order;
mod paths;
mod report;
mod retention;
mod seq;
mod spec;
mod state;
pub mod synth;
pub mod time;
mod trends;

pub use bind::{
    Conformance, CustomerState, Driver, DriverOptions, Drivers, JourneyStateOptions, JourneyStates,
    MapLevel, StageCount, StageTraffic, TouchpointTraffic, Traffic,
};
pub use checks::{check_column_present, check_events_present, closest_names};
pub use csv_in::{
    read_csv, read_csv_str, ColumnChoice, ColumnNames, Preset, USUAL_CUSTOMER_COLUMNS,
    USUAL_EVENT_COLUMNS, USUAL_TIMESTAMP_COLUMNS,
};
pub use funnel::{
    BreakdownAttribution, DurationStats, Exclusion, Funnel, FunnelGroup, FunnelOptions,
    FunnelOrder, FunnelResult, FunnelStepResult, Percentile, StepSpec, TimeBin, MAX_STEPS,
};
pub(crate) use log::sort_dict;
pub use log::{
    Columns, ConsentRule, CustomerId, CustomerIds, EventLog, EventLogBuilder, EventRef,
    IngestOptions, IngestReport, NameCount, Pseudonymiser, RawEvent, Rejection, TimeValue,
};
pub use loose::{LooseCell, LooseColumns, LooseIds, LooseTime, LooseTimes};
pub use mapping::{ColumnMapping, TimestampFormat};
pub use ops::{
    sample_hash, AnalysisUnit, Coded, CustomerKey, FilterOptions, LogExport, LogOperation,
    RelabelOptions, SampleOptions, SessionOptions, NO_VALUE,
};
pub(crate) use order::{both, PARALLEL, PARALLEL_ROWS};
pub use paths::{
    DfgEdge, DfgNode, DirectlyFollows, DirectlyFollowsOptions, FlowLink, FlowNode, FlowOptions,
    Flows, Variant, VariantOptions, Variants, END, OTHER, START,
};
pub use report::{AppliedOperation, IngestWarning, RejectReason};
pub use retention::{
    CohortType, EventMatch, RetentionCohort, RetentionGroup, RetentionMean, RetentionMode,
    RetentionOptions, RetentionPeriod, RetentionResult, MAX_RETENTION_PERIODS,
};
pub use spec::{CsvReader, IngestSpec, SecretKey};
pub(crate) use state::customers_only;
pub use state::{
    DirectlyFollowsCounts, FlowCounts, FunnelCounts, FunnelState, Mergeable, RetentionCounts,
    SequenceState, TrafficCounts, TrendsCounts, VariantCounts, STATE_FORMAT_VERSION,
};
pub use time::TimeUnit;
pub use trends::{
    FunnelTrendsGroup, FunnelTrendsOptions, FunnelTrendsResult, TrendsGroup, TrendsOptions,
    TrendsResult, TrendsSeries, TrendsTotal, MAX_TREND_PERIODS,
};
