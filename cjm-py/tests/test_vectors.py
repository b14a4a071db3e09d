"""The language-neutral golden vectors in tests/vectors/documents/, shared with the Rust
and JavaScript suites.

Each file holds ``description``, ``input`` (a document as a JSON value) or ``input_text``
(raw text), and ``expect``: ``{"valid": true}`` or ``{"valid": false, "problems":
[{"code", "path"}, ...]}``. Problems are compared as the sorted list of (code, path) pairs,
exactly. An ``input`` is loaded both as a dict and as JSON text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import cjm
from cjm import DocumentError, Journey

from conftest import VECTORS

FILES = sorted(VECTORS.glob("*.json"))


def sources(vector: Dict[str, Any]) -> List[Tuple[str, Any]]:
    if "input_text" in vector:
        return [("text", vector["input_text"])]
    doc = vector["input"]
    return [("dict", doc), ("text", json.dumps(doc))]


def load_as(kind: str, source: Any) -> Journey:
    return Journey.from_dict(source) if kind == "dict" else cjm.loads(source)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    expect = vector["expect"]
    assert ("input" in vector) != ("input_text" in vector), "exactly one of input, input_text"
    loaded = []
    for kind, source in sources(vector):
        if expect["valid"]:
            journey = load_as(kind, source)
            assert Journey.from_dict(journey.to_dict()) == journey
            assert cjm.loads(journey.to_json()) == journey
            if kind == "dict":
                assert cjm.validate(source) == []
            loaded.append(journey)
        else:
            expected = sorted((p["code"], p["path"]) for p in expect["problems"])
            with pytest.raises(DocumentError) as info:
                load_as(kind, source)
            got = sorted((p.code, p.path) for p in info.value.problems)
            assert got == expected, f"{path.name} as {kind}"
            if kind == "dict":
                assert sorted((p.code, p.path) for p in cjm.validate(source)) == expected
    # A document gives the same journey whether it arrives as a dict or as text.
    assert all(j == loaded[0] for j in loaded)


def test_vectors_exist() -> None:
    if not FILES:
        pytest.skip(f"no golden vectors in {VECTORS}")
