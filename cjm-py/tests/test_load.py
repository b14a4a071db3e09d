"""Loading from every kind of source, and what a Journey offers."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict

import pytest

import cjm
from cjm import Journey

from conftest import TEMPLATES_DIR


def test_load_dict(doc: Dict[str, Any]) -> None:
    j = cjm.load(doc)
    assert isinstance(j, Journey)
    assert (j.id, j.name, j.schema_version) == ("small", "Small shop", 1)


def test_load_non_dict_mapping(doc: Dict[str, Any]) -> None:
    assert cjm.load(MappingProxyType(doc)) == cjm.load(doc)
    assert Journey.from_dict(MappingProxyType(doc)) == cjm.load(doc)


def test_load_str_json_text(doc: Dict[str, Any]) -> None:
    text = json.dumps(doc)
    assert cjm.load(text) == cjm.load(doc)
    assert cjm.load("  \n\t" + text) == cjm.load(doc)
    assert cjm.loads(text) == cjm.load(doc)
    assert Journey.from_json(text) == cjm.load(doc)


def test_load_file(tmp_path: Path, doc: Dict[str, Any]) -> None:
    path = tmp_path / "journey.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    expected = cjm.load(doc)
    assert cjm.load_file(str(path)) == expected
    assert cjm.load_file(path) == expected
    assert cjm.load(path) == expected
    assert Journey.from_file(path) == expected
    assert Journey.from_file(str(path)) == expected
    assert cjm.validate(path) == []
    assert cjm.validate_file(str(path)) == []


def test_load_file_with_bom(tmp_path: Path, doc: Dict[str, Any]) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc).encode())
    assert cjm.load(path) == cjm.load(doc)


def test_custom_pathlike(tmp_path: Path, doc: Dict[str, Any]) -> None:
    path = tmp_path / "journey.json"
    path.write_text(json.dumps(doc), encoding="utf-8")

    class Where(os.PathLike):  # type: ignore[type-arg]
        def __fspath__(self) -> str:
            return str(path)

    assert cjm.load(Where()) == cjm.load(doc)


def test_missing_file_raises_oserror(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(FileNotFoundError) as info:
        cjm.load(missing)
    # As `open(missing)` says it: the path's text.
    assert info.value.filename == str(missing)
    with pytest.raises(FileNotFoundError):
        cjm.load_file(str(missing))
    with pytest.raises(FileNotFoundError):
        cjm.validate_file(str(missing))
    with pytest.raises(IsADirectoryError):
        Journey.from_file(tmp_path)
    with pytest.raises(IsADirectoryError):
        cjm.load_file(tmp_path)


def test_str_not_starting_with_brace_is_text_not_a_path() -> None:
    with pytest.raises(cjm.DocumentError) as info:
        cjm.load('["not", "an", "object"]')
    assert info.value.code == "invalid_json" and "cjm.load_file" in str(info.value)
    # loads() reads the same text as JSON: an array where an object is needed.
    with pytest.raises(cjm.DocumentError) as info:
        cjm.loads('["not", "an", "object"]')
    assert info.value.code == "wrong_type"


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"schema_version": 1, "id": "x", "name": "caf\xe9"}')
    with pytest.raises(cjm.DocumentError) as info:
        cjm.load(path)
    assert info.value.code == "invalid_json"


@pytest.mark.parametrize("bad", [b"{}", bytearray(b"{}"), 42, None, ["a"], 1.5])
def test_wrong_source_type(bad: Any) -> None:
    with pytest.raises(TypeError):
        cjm.load(bad)
    with pytest.raises(TypeError):
        cjm.validate(bad)


def test_from_dict_needs_mapping() -> None:
    with pytest.raises(TypeError):
        Journey.from_dict([1, 2])  # type: ignore[arg-type]


def test_template_list() -> None:
    infos = cjm.templates()
    names = [t["name"] for t in infos]
    assert {"b2c-ecommerce", "b2b-saas", "subscription-retention"} <= set(names)
    for info in infos:
        assert set(info) == {"name", "title", "description"}
        assert info["title"] and info["description"]


@pytest.mark.parametrize("name", [t["name"] for t in cjm.templates()])
def test_template_round_trip(name: str) -> None:
    j = cjm.template(name)
    assert j.id == name
    as_dict = j.to_dict()
    assert Journey.from_dict(as_dict) == j
    assert cjm.loads(j.to_json()) == j
    assert cjm.loads(j.to_json(indent=2)) == j
    assert json.loads(j.to_json()) == as_dict
    assert json.loads(j.to_json(indent=4)) == as_dict
    assert j.to_json(indent=2) == json.dumps(as_dict, indent=2, ensure_ascii=False)
    # The shipped file comes back as written, except that fields at their default value
    # may be left out (loading both gives the same journey, so what was left out was a
    # default).
    shipped = TEMPLATES_DIR / f"{name}.json"
    if shipped.exists():
        original = json.loads(shipped.read_text(encoding="utf-8"))
        assert_subdocument(as_dict, original)
        assert cjm.load(original) == j


def assert_subdocument(out: Any, original: Any, path: str = "") -> None:
    """`out` equals `original` except for object fields that `out` leaves out."""
    if isinstance(original, dict):
        assert isinstance(out, dict), path
        for key, value in out.items():
            assert key in original, f"{path}.{key} added"
            assert_subdocument(value, original[key], f"{path}.{key}")
    elif isinstance(original, list):
        assert isinstance(out, list) and len(out) == len(original), path
        for i, (a, b) in enumerate(zip(out, original)):
            assert_subdocument(a, b, f"{path}[{i}]")
    else:
        assert out == original, path


def test_dict_round_trip_equals_input(doc: Dict[str, Any]) -> None:
    j = cjm.load(doc)
    assert j.to_dict() == doc
    assert json.loads(j.to_json()) == doc


def test_to_dict_is_a_fresh_copy(doc: Dict[str, Any]) -> None:
    j = cjm.load(doc)
    d = j.to_dict()
    d["name"] = "changed"
    assert j.name == "Small shop"


def test_summary() -> None:
    j = cjm.template("b2c-ecommerce")
    s = j.summary()
    assert s["id"] == "b2c-ecommerce"
    assert s["schema_version"] == 1
    assert s["state"] in ("as_is", "to_be")
    assert s["touchpoints"] == len(j.to_dict()["touchpoints"])
    assert [st["id"] for st in s["stages"]] == [st["id"] for st in j.to_dict()["stages"]]
    assert sum(st["touchpoints"] for st in s["stages"]) == s["touchpoints"]


def test_repr(doc: Dict[str, Any]) -> None:
    assert repr(cjm.load(doc)) == '<Journey \'small\' "Small shop": 2 stages, 2 touchpoints>'
    doc["stages"] = doc["stages"][:1]
    doc["touchpoints"] = doc["touchpoints"][:1]
    doc["pain_points"] = []
    doc["name"] = 'Say "hi"'
    assert repr(cjm.load(doc)) == '<Journey \'small\' "Say \\"hi\\"": 1 stage, 1 touchpoint>'


def test_equality_and_hash(doc: Dict[str, Any]) -> None:
    a, b = cjm.load(doc), cjm.load(json.dumps(doc))
    assert a == b
    assert not (a != b)
    doc["name"] = "Other"
    assert a != cjm.load(doc)
    assert a != "small"
    with pytest.raises(TypeError):
        hash(a)


def test_frozen(doc: Dict[str, Any]) -> None:
    j = cjm.load(doc)
    with pytest.raises(AttributeError):
        j.name = "x"  # type: ignore[misc]


def test_pickle(doc: Dict[str, Any]) -> None:
    j = cjm.load(doc)
    assert pickle.loads(pickle.dumps(j)) == j


def test_journey_schema() -> None:
    schema = cjm.journey_schema()
    assert isinstance(schema, dict)
    assert "2020-12" in schema["$schema"]
    assert "schema_version" in schema["properties"]
    # A fresh dict each time: callers may mutate it.
    schema["x"] = 1
    assert "x" not in cjm.journey_schema()


def test_version() -> None:
    assert isinstance(cjm.__version__, str) and cjm.__version__
    assert cjm.SCHEMA_VERSION == 1


def test_typed_dicts_match_runtime() -> None:
    """The TypedDicts in cjm._types follow the core's serde types; catch drift."""
    summary = cjm.template("b2c-ecommerce").summary()
    assert set(summary) == set(cjm.Summary.__annotations__)
    assert set(summary["stages"][0]) == set(cjm.StageSummary.__annotations__)
    assert set(cjm.templates()[0]) == set(cjm.TemplateInfo.__annotations__)
    schema_state = cjm.journey_schema()["$defs"]["JourneyState"]
    assert summary["state"] in json.dumps(schema_state)
