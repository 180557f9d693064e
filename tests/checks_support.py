"""Run a notebook's exercise cells outside Jupyter, for the tests of helpers.checks.

The solutions are read from the committed notebooks themselves (not copied into the tests), so
the tests check exactly what learners and teachers see. Cells are run as the notebook would
run them: a ``%%child_module NAME`` cell is saved with helpers.exercises.save_module, other code
is compiled under a file name that ``inspect`` can read back (as IPython does), in a namespace
whose ``__name__`` is ``__main__``.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import re
import textwrap
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import nbformat

from helpers.exercises import save_module
from helpers.student import student_version
from tests.notebook_matrix import needs_newer_python

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
CHECK_CALL = re.compile(
    r'^check_exercise\(\s*"(?P<id>[\d.]+)"\s*,\s*(?P<answer>[^)]+?)\s*\)\s*$', re.M
)
MODULE_MAGIC = re.compile(r"^%%child_module\s+(?P<name>\w+)\s*\n")
_cell_numbers = count(1)


@dataclass
class CheckCall:
    """A check cell of a notebook: which exercise, and the expression passed as the answer."""

    exercise: str
    answer: str


def define(source: str, namespace: dict[str, Any]) -> None:
    """Run notebook-cell code in ``namespace``, keeping its source readable by ``inspect``."""
    source = textwrap.dedent(source)
    filename = f"/notebook-cells/cell-{next(_cell_numbers)}.py"  # never a real file
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


def run_cell(source: str, namespace: dict[str, Any]) -> CheckCall | None:
    """Run one code cell of an exercise section; return the check it asks for, if it is one."""
    found = MODULE_MAGIC.match(source)
    if found:
        name = found.group("name")
        module = save_module(name, source[found.end() :], quiet=True)
        assert module is not None, f"{name} did not import"
        namespace[name] = module
        return None
    call = CHECK_CALL.search(source)
    if call:
        define(source[: call.start()], namespace)  # the imports a check cell may start with
        return CheckCall(call.group("id"), call.group("answer"))
    lines = [line for line in source.splitlines() if not line.startswith("%load_ext")]
    if any(line.strip() == "remove_child_modules()" for line in lines):
        return None
    with contextlib.redirect_stdout(io.StringIO()):  # show_source() and the like print
        define("\n".join(lines), namespace)
    return None


def exercise_cells(nb: nbformat.NotebookNode) -> list[str]:
    """The sources of the code cells from "## Exercises" to the next "## " heading."""
    sources, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if re.search(r"^##\s+Exercises\b", cell.source, re.M):
                inside = True
            elif inside and re.search(r"^##\s+\S", cell.source, re.M):
                break
        elif inside:
            sources.append(cell.source)
    return sources


def notebooks_with_exercises() -> list[Path]:
    return [
        p
        for p in sorted(NOTEBOOK_DIR.glob("*.ipynb"))
        if exercise_cells(nbformat.read(p, as_version=4))
    ]


def imports_cell(nb: nbformat.NotebookNode) -> str:
    """The notebook's one imports cell: its first code cell."""
    return next(cell.source for cell in nb.cells if cell.cell_type == "code")


def load_exercises(path: Path, student: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run a notebook's imports cell and exercise cells (the student version's if ``student``);
    return the namespace and ``{exercise id: the answer object its check cell passes}``."""
    nb = nbformat.read(path, as_version=4)
    if student:
        nb, _ = student_version(nb)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    run_cell(imports_cell(nb), namespace)
    answers: dict[str, Any] = {}
    for source in exercise_cells(nb):
        call = run_cell(source, namespace)
        if call is not None:
            answers[call.exercise] = eval(call.answer, namespace)
    return namespace, answers


def setup_namespace(path: Path) -> dict[str, Any]:
    """A namespace with the notebook's imports cell and the exercises' setup cell run (the
    names the notebook's own code can use), for answers written in the tests."""
    nb = nbformat.read(path, as_version=4)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    run_cell(imports_cell(nb), namespace)
    run_cell(exercise_cells(nb)[0], namespace)
    return namespace


def check_calls(path: Path) -> list[CheckCall]:
    """Every check cell of a notebook, in order."""
    calls = []
    for source in exercise_cells(nbformat.read(path, as_version=4)):
        found = CHECK_CALL.search(source)
        if found:
            calls.append(CheckCall(found.group("id"), found.group("answer")))
    return calls


# Exercises whose checks need a newer Python than the course's oldest (subinterpreters: 3.14).
EXERCISE_NEEDS_PYTHON = {"10.2": (3, 14)}


def exercise_too_new(exercise: str) -> str | None:
    """Why this Python cannot run ``exercise``'s check (None if it can)."""
    return needs_newer_python(f"exercise {exercise}", EXERCISE_NEEDS_PYTHON.get(exercise))


def start_methods_in_turn(cases: list, every_method: bool) -> list[tuple]:
    """``(case, method)`` pairs: each case under one start method, the methods taken in turn
    down the list, or (``every_method``, ``--all-start-methods``) each case under every one.

    The notebooks run every solution's check under all three methods, and no hint depends on
    the method, so a third of the cases per method keeps every method exercised at a third of
    the cost."""
    from tests.test_context import AVAILABLE

    if every_method:
        return [(case, method) for case in cases for method in AVAILABLE]
    return [(case, AVAILABLE[index % len(AVAILABLE)]) for index, case in enumerate(cases)]
