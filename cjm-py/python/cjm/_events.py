"""Helpers the extension calls while reading an event log (``cjm.EventLog.from_arrow``).

Every rule lives in the Rust core; how the columns reach it is ``cjm._arrow``. This module
only shows progress: a tqdm progress bar over batches, when tqdm is installed.
"""

from __future__ import annotations

from typing import Any, Optional

__all__: list[str] = []


def _progress(total: Optional[int]) -> Any:
    """A tqdm bar counting rows, or ``None`` when tqdm is not installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="rows", unit_scale=True, desc="cjm: reading events")
