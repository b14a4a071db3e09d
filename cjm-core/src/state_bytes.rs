//! The byte format shared by every mergeable state (survey counts, event sequences and
//! funnels, counts of funnels, retention tables, trends, directly-follows graphs, variants, flows
//! and traffic, attribution paths and transitions), written once.
//!
//! A state's bytes are the magic `CJMS`, the format version ([`STATE_FORMAT_VERSION`],
//! u16 little-endian), a kind byte naming the state type, then the state's own fields:
//! integers little-endian, strings and lists prefixed by their u64 length, and last the
//! CRC-32 (IEEE, as zlib and PNG; u32 little-endian) of every byte before it. Reading
//! checks the checksum before any field, so a state damaged in storage or transit is
//! refused whole; it never trusts a length before checking it against the bytes left,
//! and each state checks its counts against each other, so garbage gives `invalid_state`
//! (or `unsupported_state_version`), never a panic or a huge allocation.
//!
//! Version 1 (no checksum) is refused with `unsupported_state_version`: states are
//! partial results of one analysis, made and merged in one run, not an archive format.

use crate::error::{Error, Result};

/// The magic that starts every state.
pub(crate) const MAGIC: &[u8; 4] = b"CJMS";

/// The version of the state byte format this build writes and reads.
pub const STATE_FORMAT_VERSION: u16 = 2;

/// The bytes of the trailing checksum.
const CHECKSUM_BYTES: usize = 4;

/// Kind bytes, one per state type (never reused).
pub(crate) mod kind {
    /// `events::SequenceState`.
    pub(crate) const SEQUENCE: u8 = 1;
    /// `events::FunnelState`.
    pub(crate) const FUNNEL: u8 = 2;
    /// `events::FunnelCounts` (a funnel's counts over whole customers).
    pub(crate) const FUNNEL_COUNTS: u8 = 3;
    /// `events::DirectlyFollowsCounts` (a directly-follows graph's counts over whole
    /// customers).
    pub(crate) const DFG_COUNTS: u8 = 4;
    /// `events::VariantCounts` (customers per variant, over whole customers).
    pub(crate) const VARIANT_COUNTS: u8 = 5;
    /// `events::FlowCounts` (flow node and link counts, over whole customers).
    pub(crate) const FLOW_COUNTS: u8 = 6;
    /// `events::TrafficCounts` (touchpoint and stage traffic, over whole customers).
    pub(crate) const TRAFFIC_COUNTS: u8 = 7;
    /// `scoring::NpsState`.
    pub(crate) const NPS: u8 = 8;
    /// `scoring::ScaleState`.
    pub(crate) const SCALE: u8 = 9;
    /// `scoring::SurveyState`.
    pub(crate) const SURVEY: u8 = 10;
    /// `events::RetentionCounts` (a retention table's counts over whole customers).
    pub(crate) const RETENTION_COUNTS: u8 = 11;
    /// `events::TrendsCounts` (event trends' counts over whole customers).
    pub(crate) const TRENDS_COUNTS: u8 = 12;
    /// `attribution::PathCounts`.
    pub(crate) const PATHS: u8 = 16;
    /// `attribution::TransitionCounts`.
    pub(crate) const TRANSITIONS: u8 = 17;
}

/// The error for bytes that are not a valid state.
pub(crate) fn invalid_state(why: &str) -> Error {
    Error::Input {
        code: crate::error::InputCode::InvalidState,
        row: None,
        message: format!("not a valid cjm state: {why}"),
    }
}

/// The kind byte of a state's bytes, read as every state's reader reads it
/// ([`Reader::header`]): after the magic, the format version and the checksum, so that a
/// damaged kind byte is refused as damage (`invalid_state`), not taken for a state of
/// another kind. The state's own reader hashes the bytes again: CRC-32 runs at many GB/s,
/// far faster than any state's fields are read, so the header is written once instead.
pub(crate) fn kind_of(bytes: &[u8]) -> Result<u8> {
    Reader::new(bytes).any_header()
}

fn check_version(version: u16) -> Result<()> {
    if version == STATE_FORMAT_VERSION {
        return Ok(());
    }
    Err(Error::Input {
        code: crate::error::InputCode::UnsupportedStateVersion,
        row: None,
        message: format!(
            "state format version `{version}` is not `{STATE_FORMAT_VERSION}`, the one this build reads"
        ),
    })
}

/// The header of a state of `kind`, to which the state appends its fields.
pub(crate) fn header(kind: u8) -> Vec<u8> {
    let mut w = MAGIC.to_vec();
    w.extend_from_slice(&STATE_FORMAT_VERSION.to_le_bytes());
    w.push(kind);
    w
}

/// Ends a state's bytes: appends the CRC-32 of everything written so far.
pub(crate) fn seal(mut w: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&w);
    w.extend_from_slice(&crc.to_le_bytes());
    w
}

/// Appends a u64.
pub(crate) fn put_u64(w: &mut Vec<u8>, x: u64) {
    w.extend_from_slice(&x.to_le_bytes());
}

/// Appends a length (a `usize`, written as u64).
pub(crate) fn put_len(w: &mut Vec<u8>, n: usize) {
    put_u64(w, u64::try_from(n).unwrap_or(u64::MAX));
}

/// Appends a length-prefixed UTF-8 string.
pub(crate) fn put_str(w: &mut Vec<u8>, s: &str) {
    put_len(w, s.len());
    w.extend_from_slice(s.as_bytes());
}

/// Appends a length-prefixed list of strings.
pub(crate) fn put_strings(w: &mut Vec<u8>, strings: &[String]) {
    put_len(w, strings.len());
    for s in strings {
        put_str(w, s);
    }
}

/// Reads a state's bytes, checking every length against what is left.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// Fails unless at least `n` bytes are left.
    pub(crate) fn need(&self, n: usize) -> Result<()> {
        if n > self.remaining() {
            Err(invalid_state("truncated"))
        } else {
            Ok(())
        }
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| invalid_state("truncated"))?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| invalid_state("truncated"))?;
        self.pos = end;
        Ok(s)
    }

    /// Everything left.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let s = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos = self.bytes.len();
        s
    }

    /// The next `N` bytes as an array.
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        <[u8; N]>::try_from(self.take(N)?).map_err(|_| invalid_state("truncated"))
    }

    /// A u8.
    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(u8::from_le_bytes(self.array::<1>()?))
    }

    /// A u16.
    pub(crate) fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array::<2>()?))
    }

    /// A u32.
    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array::<4>()?))
    }

    /// A u64.
    pub(crate) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array::<8>()?))
    }

    /// An i64.
    pub(crate) fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array::<8>()?))
    }

    /// A count of items each taking at least `min_bytes`, checked against what is left.
    pub(crate) fn len(&mut self, min_bytes: usize) -> Result<usize> {
        let n = usize::try_from(self.u64()?).map_err(|_| invalid_state("bad length"))?;
        self.need(n.saturating_mul(min_bytes))?;
        Ok(n)
    }

    /// A length-prefixed UTF-8 string.
    pub(crate) fn string(&mut self) -> Result<String> {
        let n = self.len(1)?;
        String::from_utf8(self.take(n)?.to_vec())
            .map_err(|_| invalid_state("a string is not UTF-8"))
    }

    /// A length-prefixed list of strings.
    pub(crate) fn strings(&mut self) -> Result<Vec<String>> {
        // Each string takes at least its 8-byte length.
        let n = self.len(8)?;
        (0..n).map(|_| self.string()).collect()
    }

    /// Checks the magic, the format version, the checksum and the kind; from here on the
    /// reader sees only the fields (the checksum is cut off).
    pub(crate) fn header(&mut self, kind: u8) -> Result<()> {
        let found = self.any_header()?;
        if found != kind {
            return Err(invalid_state(&format!(
                "a state of kind `{found}` where kind `{kind}` was expected"
            )));
        }
        Ok(())
    }

    /// Checks the magic, the format version and the checksum, and reads the kind byte.
    fn any_header(&mut self) -> Result<u8> {
        if self.take(4)? != MAGIC {
            return Err(invalid_state("the bytes do not start with `CJMS`"));
        }
        check_version(self.u16()?)?;
        let body = self
            .bytes
            .len()
            .checked_sub(CHECKSUM_BYTES)
            .filter(|&n| n > self.pos)
            .ok_or_else(|| invalid_state("truncated"))?;
        let (fields, stored) = self.bytes.split_at(body);
        let stored =
            <[u8; CHECKSUM_BYTES]>::try_from(stored).map_err(|_| invalid_state("truncated"))?;
        if crc32fast::hash(fields) != u32::from_le_bytes(stored) {
            return Err(invalid_state(
                "the checksum does not match (the bytes were damaged or cut); make the state again from its data",
            ));
        }
        self.bytes = fields;
        self.u8()
    }

    /// Fails unless every byte was read.
    pub(crate) fn end(&self) -> Result<()> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(invalid_state("trailing bytes"))
        }
    }
}
