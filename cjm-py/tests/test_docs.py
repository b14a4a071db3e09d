"""The examples in the package docstring and the README run."""

from __future__ import annotations

import doctest
import re

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
