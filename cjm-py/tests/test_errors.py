"""Bad documents: codes and paths (never message wording), the exception hierarchy, and
that no Rust panic reaches Python."""

from __future__ import annotations

import json
import pickle
from typing import Any, Dict, List, Tuple

import pytest

import cjm
from cjm import CjmError, DocumentError, Journey, Problem, TemplateError


def pairs(problems: List[Problem]) -> List[Tuple[str, str]]:
    return sorted((p.code, p.path) for p in problems)


def check(source: Any, code: str, path: str) -> DocumentError:
    """`source` is refused by load and validate alike, with (code, path) among its
    problems; returns the exception."""
    problems = cjm.validate(source)
    assert (code, path) in pairs(problems), problems
    with pytest.raises(DocumentError) as info:
        cjm.load(source)
    err = info.value
    assert err.problems == problems
    assert (err.code, err.path) == (problems[0].code, problems[0].path)
    return err


def test_hierarchy() -> None:
    assert issubclass(CjmError, ValueError)
    assert issubclass(DocumentError, CjmError)
    assert issubclass(TemplateError, CjmError)
    assert not issubclass(TemplateError, DocumentError)


def test_broken_json() -> None:
    err = check('{"schema_version": 1, "id": "x",', "invalid_json", "")
    assert len(err.problems) == 1
    assert str(err)  # the core's Display, wording not checked
    assert err.problems[0].message


def test_broken_json_via_loads() -> None:
    with pytest.raises(DocumentError) as info:
        cjm.loads("{nope}")
    assert info.value.code == "invalid_json"
    with pytest.raises(DocumentError) as info:
        Journey.from_json("")
    assert info.value.code == "invalid_json"


def test_wrong_types(doc: Dict[str, Any]) -> None:
    doc["name"] = 5
    doc["stages"][1]["name"] = ["Buy"]
    doc["personas"][0]["share"] = "half"
    problems = pairs(cjm.validate(doc))
    assert ("wrong_type", "name") in problems
    assert ("wrong_type", "stages[1].name") in problems
    assert ("wrong_type", "personas[0].share") in problems


def test_root_not_an_object() -> None:
    check("{}", "missing_field", "schema_version")
    assert pairs(cjm.validate(" {} ")) == pairs(cjm.validate({}))


def test_dangling_reference(doc: Dict[str, Any]) -> None:
    doc["touchpoints"][0]["stage"] = "nowhere"
    err = check(doc, "dangling_reference", "touchpoints[0].stage")
    assert err.code == "dangling_reference"
    assert err.path == "touchpoints[0].stage"


def test_duplicate_id(doc: Dict[str, Any]) -> None:
    doc["stages"][1]["id"] = "find"
    doc["touchpoints"][1]["stage"] = "find"
    check(doc, "duplicate_id", "stages[1].id")


def test_all_problems_at_once(doc: Dict[str, Any]) -> None:
    doc["touchpoints"][0]["stage"] = "nowhere"
    doc["pain_points"][0]["severity"] = 9
    doc["stages"][0]["colour"] = "red"
    problems = pairs(cjm.validate(doc))
    assert ("dangling_reference", "touchpoints[0].stage") in problems
    assert ("out_of_range", "pain_points[0].severity") in problems
    assert ("unknown_field", "stages[0].colour") in problems
    with pytest.raises(DocumentError) as info:
        cjm.load(doc)
    assert len(info.value.problems) >= 3


def test_nan_in_dict(doc: Dict[str, Any]) -> None:
    doc["personas"][0]["share"] = float("nan")
    check(doc, "not_finite", "personas[0].share")


@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_infinity_in_dict(doc: Dict[str, Any], value: float) -> None:
    doc["pain_points"][0]["frequency"] = value
    check(doc, "not_finite", "pain_points[0].frequency")


def test_nan_in_extensions_is_still_refused(doc: Dict[str, Any]) -> None:
    # JSON has no NaN: kept verbatim would mean written out as invalid JSON.
    doc["extensions"]["score"] = float("nan")
    check(doc, "not_finite", "extensions.score")


def test_out_of_range(doc: Dict[str, Any]) -> None:
    doc["pain_points"][0]["severity"] = 9
    doc["personas"][0]["share"] = 1.5
    check(doc, "out_of_range", "pain_points[0].severity")
    check(doc, "out_of_range", "personas[0].share")


def test_unknown_field(doc: Dict[str, Any]) -> None:
    doc["stages"][0]["colour"] = "red"
    check(doc, "unknown_field", "stages[0].colour")
    check(json.dumps(doc), "unknown_field", "stages[0].colour")


def test_own_data_belongs_in_extensions(doc: Dict[str, Any]) -> None:
    doc["stages"][0]["extensions"] = {"colour": "red", "nested": {"a": [1, 2.5, None]}}
    j = cjm.load(doc)
    assert j.to_dict()["stages"][0]["extensions"] == doc["stages"][0]["extensions"]


def nested(depth: int) -> Dict[str, Any]:
    inner: Dict[str, Any] = {}
    root = inner
    for _ in range(depth - 1):
        child: Dict[str, Any] = {}
        inner["a"] = child
        inner = child
    return root


def test_too_deep_dict(doc: Dict[str, Any]) -> None:
    doc["extensions"] = nested(200)
    problems = cjm.validate(doc)
    assert [p.code for p in problems] == ["too_deep"]
    assert problems[0].path.startswith("extensions.a.a")
    with pytest.raises(DocumentError) as info:
        cjm.load(doc)
    assert info.value.code == "too_deep"


def test_too_deep_text() -> None:
    text = '{"extensions": ' + '{"a": ' * 199 + "{}" + "}" * 199 + "}"
    problems = cjm.validate(text)
    assert [p.code for p in problems] == ["too_deep"]
    assert problems[0].path.startswith("extensions.a.a")


def test_very_deep_input_does_not_crash() -> None:
    # Far deeper than Python's or Rust's stack would allow if read recursively.
    assert [p.code for p in cjm.validate("{\"a\": " + "[" * 100_000)] == ["too_deep"]
    deep: List[Any] = []
    for _ in range(100_000):
        deep = [deep]
    assert [p.code for p in cjm.validate({"a": deep})] == ["too_deep"]


def test_self_referencing_dict() -> None:
    d: Dict[str, Any] = {"schema_version": 1, "id": "x", "name": "x"}
    d["extensions"] = d
    assert [p.code for p in cjm.validate(d)] == ["too_deep"]


def test_50_mb_string_in_dict(doc: Dict[str, Any]) -> None:
    doc["description"] = "x" * (50 * 1024 * 1024)
    problems = cjm.validate(doc)
    assert len(problems) == 1
    assert problems[0].code in ("string_too_long", "document_too_large")
    if problems[0].code == "string_too_long":
        assert problems[0].path == "description"


def test_50_mb_string_in_text(doc: Dict[str, Any]) -> None:
    doc["description"] = "x" * (50 * 1024 * 1024)
    problems = cjm.validate(json.dumps(doc))
    assert [(p.code, p.path) for p in problems] in (
        [("document_too_large", "")],
        [("string_too_long", "description")],
    )


def test_non_json_values_in_dict(doc: Dict[str, Any]) -> None:
    doc["extensions"] = {"when": object()}
    check(doc, "wrong_type", "extensions.when")


def test_non_string_key(doc: Dict[str, Any]) -> None:
    doc["extensions"] = {1: "one"}
    problems = cjm.validate(doc)
    assert [p.code for p in problems] == ["wrong_type"]


def test_newer_schema_version(doc: Dict[str, Any]) -> None:
    doc["schema_version"] = 99
    check(doc, "unsupported_schema_version", "schema_version")


def test_unknown_template() -> None:
    with pytest.raises(TemplateError) as info:
        cjm.template("no-such-template")
    err = info.value
    assert isinstance(err, CjmError) and isinstance(err, ValueError)
    assert err.code == "unknown_template"
    assert err.path == ""
    assert isinstance(err.problems, list)
    assert "no-such-template" in str(err)


def test_problem_is_a_named_tuple(doc: Dict[str, Any]) -> None:
    doc["touchpoints"][0]["stage"] = "nowhere"
    problem = next(p for p in cjm.validate(doc) if p.code == "dangling_reference")
    code, path, message = problem
    assert (code, path) == ("dangling_reference", "touchpoints[0].stage")
    assert isinstance(message, str) and message
    assert problem == Problem(code, path, message)
    assert hash(problem) == hash(Problem(code, path, message))
    assert str(problem).startswith("dangling_reference at `touchpoints[0].stage`")


def test_errors_pickle() -> None:
    with pytest.raises(DocumentError) as info:
        cjm.loads("{")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is DocumentError
    assert (again.code, again.path, again.problems, str(again)) == (
        info.value.code,
        info.value.path,
        info.value.problems,
        str(info.value),
    )


def test_errors_constructible_from_python() -> None:
    err = DocumentError("bad", "wrong_type", "name", [Problem("wrong_type", "name", "m")])
    assert (err.code, err.path, str(err)) == ("wrong_type", "name", "bad")
    assert CjmError("x", "internal_error").problems == []


def test_panic_becomes_cjm_error() -> None:
    from cjm import _cjm

    with pytest.raises(CjmError) as info:
        _cjm._panic_for_tests("boom")
    assert info.value.code == "internal_error"
    assert info.value.path == ""
    assert "boom" in str(info.value)
    # The module still works afterwards.
    assert cjm.template("b2c-ecommerce").id == "b2c-ecommerce"


def test_lone_surrogate_in_text() -> None:
    text = '{"schema_version": 1, "id": "x", "name": "\ud800"}'
    assert [(p.code, p.path) for p in cjm.validate(text)] == [("invalid_json", "")]
    with pytest.raises(DocumentError) as info:
        cjm.loads(text)
    assert info.value.code == "invalid_json"


def test_lone_surrogate_in_dict(doc: Dict[str, Any]) -> None:
    doc["name"] = "\ud800"
    assert [p.code for p in cjm.validate(doc)] == ["wrong_type"]


def test_loads_needs_str() -> None:
    with pytest.raises(TypeError):
        cjm.loads(b"{}")  # type: ignore[arg-type]
