//! The ordering's rows backed by 2 MiB pages where the system gives them on request.
//!
//! Ordering a 10M-event log scatters its rows into a fresh 240 MB buffer
//! ([`crate::events`]' `order::scatter`, two threads). With 4 KiB pages the kernel takes
//! a fault and zeroes a page for every 4 KiB first written; Linux instead hands 2 MiB
//! pages (512 times fewer faults) to a region marked `MADV_HUGEPAGE` when transparent
//! huge pages are `madvise` (this machine's setting, and a common default) or `always`.
//! Measured on the export-shaped 10M-event Parquet file, file → funnel
//! (`cjm-arrow/examples/parquet_funnel.rs`, release, 16 pairs of runs alternated with
//! the build without it): wall time 0.84× (median of the pairs' ratios; of the medians
//! 0.85×), system time 0.43 s against 0.61 s; Python's `EventLog.from_parquet` 0.84×,
//! `EventLog.from_arrow` a tie (docs/benchmarks.md). The builder's columns were tried
//! too, advised both as they grow and reserved whole up front, and were slower (1.08×
//! wall): they are written on the ingest's one thread while the file is decoded on the
//! other, and a 2 MiB page is zeroed whole at its first write. Elsewhere (another
//! system, WebAssembly, huge pages `never`) this does nothing.
//!
//! The crate's one `unsafe` block: `madvise` with `MADV_HUGEPAGE` is advice about the
//! address range of the vector's allocation; it neither reads, writes nor frees memory,
//! and fails harmlessly (`EINVAL`) where the range is not eligible.
//! `cjm-core/tests/layering.rs` checks that no other file allows unsafe code.

/// Buffers smaller than this keep 4 KiB pages (a huge page is 2 MiB).
#[cfg(all(target_os = "linux", not(miri)))]
const MIN_BYTES: usize = 8 << 20;

/// Asks for 2 MiB pages for the whole 2 MiB-aligned part of `v`'s allocation (its
/// capacity, written or not): best effort, only on Linux and for buffers of 8 MiB or more.
fn huge<T>(v: &mut Vec<T>) {
    #[cfg(all(target_os = "linux", not(miri)))]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity().saturating_mul(std::mem::size_of::<T>());
        if bytes < MIN_BYTES {
            return;
        }
        let start = v.as_mut_ptr() as usize;
        let first = start.next_multiple_of(HUGE);
        let end = start.saturating_add(bytes) & !(HUGE - 1);
        if end > first {
            #[allow(unsafe_code, reason = "see the module's documentation")]
            // SAFETY: `first..end` lies inside `v`'s allocation, which `v` owns; the advice
            // changes how its pages are backed, never their contents.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(all(target_os = "linux", not(miri))))]
    let _ = v;
}

/// `vec![value; n]`, asked for 2 MiB pages ([`huge`]). For a zero `value` of an integer
/// type or a tuple of them (the ordering's rows) std asks the allocator for zeroed
/// memory, which for a buffer this large is fresh pages the kernel maps at their first
/// write, so the advice comes before any is written; memory served again from the heap
/// was written already, and keeps the pages it has.
pub(crate) fn filled<T: Clone>(value: T, n: usize) -> Vec<T> {
    let mut v = vec![value; n];
    huge(&mut v);
    v
}
