"""Re-execute course notebooks in place: ``python -m tests.execute_notebooks [NAME ...]``.

Committed outputs come only from here, so strict nbval compares against what a clean
top-to-bottom run produces. Runs under spawn unless MP_START_METHOD says otherwise.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tests.notebook_matrix import (
    CELL_TIMEOUT_S,
    KERNEL_ARGUMENTS,
    NOTEBOOK_DIR,
    notebook_paths,
    python_too_old,
)

EXPECTED_ERROR_TAG = "raises-exception"


def execute(path: Path) -> list[str]:
    """Run one notebook top to bottom, write it back, and return any unexpected errors."""
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("MP_START_METHOD", "spawn")
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        extra_arguments=KERNEL_ARGUMENTS,
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        expected = EXPECTED_ERROR_TAG in cell.metadata.get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors and not expected:
            problems.append(f"{path.name} cell {index}: {errors[0].ename}: {errors[0].evalue}")
        if expected and not errors:
            problems.append(
                f"{path.name} cell {index}: tagged {EXPECTED_ERROR_TAG} but raised nothing"
            )
    nbformat.write(nb, path)
    return problems


def main(names: list[str]) -> int:
    paths = [NOTEBOOK_DIR / n for n in names] if names else notebook_paths()
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        print(
            f"no such notebook: {', '.join(missing)}; choose from "
            f"{', '.join(p.name for p in notebook_paths())}",
            file=sys.stderr,
        )
        return 2
    too_old = {}
    for path in paths:
        reason = python_too_old(path.name, nbformat.read(path, as_version=4).metadata)
        if reason:
            too_old[path] = reason
    if too_old and names:  # asked for by name: refuse rather than overwrite its outputs
        for reason in too_old.values():
            print(f"refusing to execute: {reason}; its outputs stay as committed", file=sys.stderr)
        return 2
    failed = []
    for path in paths:
        if path in too_old:
            print(f"skipping {path.name}: {too_old[path]}; its outputs stay as committed")
            continue
        print(f"executing {path.name} ...", flush=True)
        failed += execute(path)
    for line in failed:
        print("error:", line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
