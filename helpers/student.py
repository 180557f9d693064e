"""Write student versions of the course notebooks.

Run it as ``make student`` or ``python -m helpers.student [--out DIR] [NAME ...]``.

The course's notebooks carry their exercises' solutions between nbgrader's markers, in cells
with nbgrader's metadata (``"solution": true``), so a teacher can use nbgrader as it is. This
module does what nbgrader's ``ClearSolutions`` does, without needing nbgrader installed:

- in every solution cell, each region from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` becomes
  ``# YOUR CODE HERE`` / ``raise NotImplementedError()``, indented like the BEGIN line (a
  Markdown solution region becomes ``YOUR ANSWER HERE``; a solution cell without markers is
  replaced whole, as nbgrader does);
- regions from ``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN TESTS`` are removed;
- the outputs and execution counts of the exercises' cells (from ``## Exercises`` to the next
  ``## `` heading) and of every solution cell are cleared. The lessons keep their outputs.

The placeholder makes each exercise's check say "not attempted yet". Every notebook under
``notebooks/`` is written (one without exercises is copied unchanged), so a notebook that gains
exercises later is covered with no change here. The files the notebooks read (``notebooks/data``,
such as 07's benchmark run) are copied next to them, so the student versions run where they are.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "student"

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
EXERCISES_HEADING = re.compile(r"^##\s+Exercises\b", re.M)
SECTION_HEADING = re.compile(r"^##\s+\S", re.M)


class MarkerError(ValueError):
    """A solution or hidden-tests region that is not properly opened and closed."""


def _marker(line: str, delimiter: str) -> bool:
    return line.strip().lstrip("#").strip().startswith(delimiter) and line.strip().startswith("#")


def replace_regions(source: str, begin: str, end: str, stub: str | None) -> tuple[str, int]:
    """Replace each begin..end region of ``source`` by ``stub`` (indented like its begin line),
    or remove it when ``stub`` is None. Return the new source and the number of regions."""
    out: list[str] = []
    inside, count = False, 0
    for number, line in enumerate(source.split("\n"), start=1):
        if _marker(line, begin):
            if inside:
                raise MarkerError(f"line {number}: '{begin}' inside another '{begin}' region")
            inside, count = True, count + 1
            if stub is not None:
                indent = re.match(r"\s*", line).group(0)
                out.extend(indent + stub_line for stub_line in stub.split("\n"))
        elif _marker(line, end):
            if not inside:
                raise MarkerError(f"line {number}: '{end}' without '{begin}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"'{begin}' is never closed by '{end}'")
    return "\n".join(out), count


def is_solution_cell(cell: dict) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def clear_solution(cell: dict) -> dict:
    """A student copy of one cell (solution regions replaced, hidden tests removed)."""
    cell = copy.deepcopy(cell)
    source = cell.get("source", "")
    source, _ = replace_regions(source, BEGIN_HIDDEN, END_HIDDEN, None)
    stub = CODE_STUB if cell.get("cell_type") == "code" else TEXT_STUB
    source, regions = replace_regions(source, BEGIN_SOLUTION, END_SOLUTION, stub)
    if is_solution_cell(cell):
        if regions == 0:
            source = stub  # nbgrader's rule: a solution cell without markers is all solution
    elif regions:
        raise MarkerError("a solution region in a cell without nbgrader's solution metadata")
    cell["source"] = source
    return cell


def _clear_outputs(cell: dict) -> None:
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None


def student_version(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """The student copy of a notebook and the number of solution cells it cleared."""
    nb = copy.deepcopy(nb)
    in_exercises, cleared = False, 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            if EXERCISES_HEADING.search(cell.source):
                in_exercises = True
            elif in_exercises and SECTION_HEADING.search(cell.source):
                in_exercises = False
        try:
            new = clear_solution(cell)
        except MarkerError as error:
            raise MarkerError(f"cell {index}: {error}") from None
        if is_solution_cell(cell):
            cleared += 1
        if in_exercises or is_solution_cell(cell):
            _clear_outputs(new)
        nb.cells[index] = nbformat.from_dict(new)
    return nb, cleared


def write_student_versions(
    out: Path = DEFAULT_OUT, names: list[str] | None = None, quiet: bool = False
) -> list[Path]:
    """Write the student version of each notebook (all of them by default) into ``out``."""
    paths = (
        [NOTEBOOK_DIR / name for name in names] if names else sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    )
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such notebook: {', '.join(missing)}")
    out.mkdir(parents=True, exist_ok=True)
    data = NOTEBOOK_DIR / "data"
    if data.is_dir() and (out / "data").resolve() != data.resolve():
        # The notebooks open data/... relative to their own folder.
        shutil.copytree(data, out / "data", dirs_exist_ok=True)
    written = []
    for path in paths:
        nb, cleared = student_version(nbformat.read(path, as_version=4))
        target = out / path.name
        nbformat.write(nb, target)
        written.append(target)
        if not quiet:
            what = (
                f"{cleared} solution cell(s) replaced by placeholders"
                if cleared
                else "no exercises"
            )
            print(f"{target.relative_to(out.parent)}: {what}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write student versions of the course notebooks.")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder to write them into (default: {DEFAULT_OUT.name}/)",
    )
    parser.add_argument("names", nargs="*", help="notebook file names (default: all)")
    args = parser.parse_args(argv)
    try:
        write_student_versions(args.out, args.names)
    except (FileNotFoundError, MarkerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
