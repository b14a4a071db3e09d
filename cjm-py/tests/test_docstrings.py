"""The runtime docstrings are the stubs' (issue 15, item 3): ``help(log.funnel)`` shows the
paragraph an editor shows from ``_cjm.pyi``, because the build copies each stub docstring
into the compiled module (``cjm-py/build.rs``). This reads the stubs with Python's own
``ast`` and compares every documented item with the object at run time."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any, Iterator

import cjm._cjm as native

STUBS = Path(native.__file__).with_name("_cjm.pyi")


def stub_items() -> Iterator[tuple[str, str, Any]]:
    """(dotted name, cleaned docstring, runtime object) of every documented stub item; a
    method of the stub-only base ``_Report`` is checked on every class deriving from it."""
    tree = ast.parse(STUBS.read_text(encoding="utf-8"))
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}

    def members(node: ast.ClassDef) -> Iterator[ast.FunctionDef]:
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in classes:
                yield from members(classes[base.id])
        yield from (m for m in node.body if isinstance(m, ast.FunctionDef))

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            doc = ast.get_docstring(node, clean=True)
            if doc is not None:
                yield node.name, doc, getattr(native, node.name)
        elif isinstance(node, ast.ClassDef) and hasattr(native, node.name):
            cls = getattr(native, node.name)
            doc = ast.get_docstring(node, clean=True)
            if doc is not None:
                yield node.name, doc, cls
            for m in members(node):
                doc = ast.get_docstring(m, clean=True)
                if doc is not None and m.name in vars(cls):
                    # Through the class, so that a staticmethod gives its function.
                    yield f"{node.name}.{m.name}", doc, getattr(cls, m.name)


def runtime_doc(obj: Any) -> str:
    return inspect.cleandoc(getattr(obj, "__doc__", None) or "")


def test_every_stub_docstring_is_the_runtime_docstring() -> None:
    items = list(stub_items())
    assert len(items) > 150, len(items)
    differ = [name for name, doc, obj in items if runtime_doc(obj) != doc]
    assert not differ, f"{len(differ)} of {len(items)} differ: {differ}"


def test_every_public_runtime_item_is_documented_in_the_stubs() -> None:
    documented = {name for name, _, _ in stub_items()}
    missing = []
    for name, obj in vars(native).items():
        if name.startswith("_") or not (inspect.isclass(obj) or callable(obj)):
            continue
        if name not in documented and not issubclass_exception(obj):
            missing.append(name)
        if inspect.isclass(obj) and not issubclass_exception(obj):
            for attr in vars(obj):
                if not attr.startswith("_") and f"{name}.{attr}" not in documented:
                    missing.append(f"{name}.{attr}")
    assert not missing, missing


def issubclass_exception(obj: Any) -> bool:
    return inspect.isclass(obj) and issubclass(obj, BaseException)
