"""Executes docs/examples/analysis.ipynb headlessly with a fresh kernel from this Python
environment and fails on any cell error (`make test-notebook`).

Usage: .venv/bin/python docs/examples/run_notebook.py [notebook.ipynb ...]

The notebook is committed without outputs; this runs a copy in memory and writes nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    if any(c.get("outputs") or c.get("execution_count") for c in nb.cells if c.cell_type == "code"):
        raise SystemExit(f"{path}: commit the notebook without outputs (clear them first)")
    # The kernel runs on this interpreter (jupyter_client maps `python` to sys.executable;
    # PATH is set too, for kernel specs that name another python).
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    if errors:
        raise SystemExit(f"{path}: {len(errors)} cell error(s)")
    rich = sum(
        1
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if {"text/html", "image/svg+xml"} & set(o.get("data", {}))
    )
    print(f"{path.name}: {len(nb.cells)} cells ran, {rich} rich outputs (tables, SVG)")


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [HERE / "analysis.ipynb"]
    for path in paths:
        try:
            run(path)
        except CellExecutionError as err:
            print(err, file=sys.stderr)
            raise SystemExit(f"{path}: a cell failed") from None


if __name__ == "__main__":
    main()
