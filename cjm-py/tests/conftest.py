"""Shared fixtures: a small valid document and paths into the repository."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors" / "documents"
TEMPLATES_DIR = REPO / "cjm-core" / "src" / "templates"

SMALL: Dict[str, Any] = {
    "schema_version": 1,
    "id": "small",
    "name": "Small shop",
    "personas": [{"id": "p", "name": "Shopper", "share": 0.5}],
    "stages": [
        {"id": "find", "name": "Find"},
        {"id": "buy", "name": "Buy"},
    ],
    "channels": [{"id": "web", "name": "Website", "kind": "online"}],
    "teams": [{"id": "shop", "name": "Shop team"}],
    "touchpoints": [
        {"id": "search", "name": "Search", "stage": "find", "channel": "web", "owner": "shop"},
        {"id": "checkout", "name": "Checkout", "stage": "buy", "channel": "web"},
    ],
    "pain_points": [
        {
            "id": "slow",
            "name": "Slow checkout",
            "touchpoint": "checkout",
            "severity": 3,
            "frequency": 0.2,
        }
    ],
    "extensions": {"source": "tests"},
}


@pytest.fixture
def doc() -> Dict[str, Any]:
    """A fresh copy of a small valid document, to break in one place per test."""
    return copy.deepcopy(SMALL)
