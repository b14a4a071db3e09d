"""Helpers the extension calls while reading an event log (``cjm.EventLog.from_arrow``).

Every rule lives in the Rust core; how the columns reach it is ``cjm._arrow``. This module
only shows progress: a tqdm progress bar over batches, when tqdm is installed and the
input is large enough to wait for.
"""

from __future__ import annotations

from typing import Any, Optional

__all__: list[str] = []


#: Inputs of fewer rows than this read without a bar unless one is asked for: they take
#: well under a second.
PROGRESS_MIN_ROWS = 1_000_000


def _progress(total: Optional[int], force: bool = False) -> Any:
    """A tqdm bar counting rows, or ``None``: when tqdm is not installed, or when the
    input has fewer than ``PROGRESS_MIN_ROWS`` rows (an input of unknown size gets a bar)
    and ``force`` is false."""
    if not force and total is not None and total < PROGRESS_MIN_ROWS:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="rows", unit_scale=True, desc="cjm: reading events")
