"""The examples in the package docstring and the README run; the install instructions name
the distribution the package is published as."""

from __future__ import annotations

import doctest
import importlib.metadata
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

import cjm

from conftest import REPO


def test_package_doctests() -> None:
    result = doctest.testmod(cjm, raise_on_error=False, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_readme_example_runs() -> None:
    readme = (REPO / "cjm-py" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def distribution_name() -> str:
    text = (REPO / "cjm-py" / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^name = "([^"]+)"$', project, flags=re.MULTILINE)
    assert match, "no [project] name in cjm-py/pyproject.toml"
    return match.group(1)


def install_texts() -> List[Path]:
    """Everything a user reads install instructions in."""
    return [
        REPO / "README.md",
        REPO / "cjm-py" / "README.md",
        REPO / "cjm-wasm" / "README.md",
        *sorted((REPO / "docs").glob("*.md")),
        *sorted((REPO / "cjm-py" / "python" / "cjm").glob("*.py")),
        REPO / "docs" / "examples" / "analysis.ipynb",
        REPO / "examples" / "demo.py",
    ]


def test_the_distribution_is_not_pypis_cjm() -> None:
    # PyPI's `cjm` is an unrelated project; ours is published as `cjm-journeys` and
    # imported as `cjm`.
    name = distribution_name()
    assert name == "cjm-journeys"
    pyproject = (REPO / "cjm-py" / "pyproject.toml").read_text(encoding="utf-8")
    assert 'module-name = "cjm._cjm"' in pyproject
    # Every install line names it: `pip install cjm`, `cjm[spark]` and wheels called
    # `cjm-…whl` would fetch or name the other project.
    wrong = [
        re.compile(r"pip install\s+(?:-\S+\s+)*[\"']?cjm(?![-\w])"),
        re.compile(r"(?<![\w-])cjm\[(?:pandas|polars|pyarrow|spark)\]"),
        re.compile(r"(?<![\w/-])cjm-(?:…|\*|[0-9])[^\s`]*\.?whl"),
    ]
    for path in install_texts():
        text = path.read_text(encoding="utf-8")
        for pattern in wrong:
            found = pattern.findall(text)
            assert not found, f"{path.relative_to(REPO)}: {found}"
    for path in (REPO / "README.md", REPO / "cjm-py" / "README.md", REPO / "docs" / "getting-started.md"):
        text = path.read_text(encoding="utf-8")
        assert f"pip install {name}" in text, path
        # How to install before it is published: from the repository.
        assert "pip install ./cjm-py" in text, path


def test_the_environment_holds_the_distribution_under_its_name() -> None:
    # The develop script installs `cjm-journeys` (and removes a `cjm` distribution, which
    # would own the same module).
    dist = importlib.metadata.distribution(distribution_name())
    assert dist.metadata["Name"] == "cjm-journeys"
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("cjm")


def test_getting_started_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Python snippet of docs/getting-started.md runs, in order, in one namespace
    (as a reader pastes them into one notebook), from the repository's root where the
    sample log `examples/events.csv` lives; any error fails the test."""
    page = (REPO / "docs" / "getting-started.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    assert len(blocks) >= 6
    monkeypatch.chdir(REPO)
    namespace: Dict[str, Any] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"getting-started.md, python block {i + 1}", "exec"), namespace)
    # What the page says it shows.
    assert namespace["funnel"].customers == [78, 19, 9, 5]
    columns = namespace["log"].ingest_report.columns
    assert columns["customer"] == ["user_id"] and columns["timestamp"] == "timestamp"
    assert str(namespace["log"]).startswith("<EventLog: 1252 events, 100 customers")
