"""helpers.student: student versions keep nbgrader's conventions, and every student notebook
runs to the end under spawn with each check saying "not attempted yet" and no error."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.student import (
    CODE_STUB,
    MarkerError,
    clear_solution,
    main,
    replace_regions,
    student_version,
    write_student_versions,
)
from tests.checks_support import exercise_cells, notebooks_with_exercises
from tests.notebook_matrix import KERNEL_ARGUMENTS, notebook_paths, python_too_old

NOTEBOOKS = notebooks_with_exercises()
STUDENT_CELL_TIMEOUT_S = 120


def test_a_region_becomes_the_indented_placeholder():
    source = (
        "def f():\n    '''Doc.'''\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
    )
    new, count = replace_regions(source, "BEGIN SOLUTION", "END SOLUTION", CODE_STUB)
    assert count == 1
    assert (
        new == "def f():\n    '''Doc.'''\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    )


@pytest.mark.parametrize(
    "source",
    [
        "### BEGIN SOLUTION\nx = 1\n",
        "x = 1\n### END SOLUTION\n",
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
    ],
)
def test_broken_markers_are_refused(source):
    with pytest.raises(MarkerError):
        replace_regions(source, "BEGIN SOLUTION", "END SOLUTION", CODE_STUB)


def test_nbgrader_rules_for_cells():
    meta = {
        "nbgrader": {
            "solution": True,
            "grade": False,
            "grade_id": "x",
            "locked": False,
            "schema_version": 3,
            "task": False,
        }
    }
    whole = clear_solution({"cell_type": "code", "source": "x = 1", "metadata": meta})
    assert whole["source"] == CODE_STUB
    text = clear_solution(
        {
            "cell_type": "markdown",
            "metadata": meta,
            "source": "Answer:\n### BEGIN SOLUTION\nforty-two\n### END SOLUTION",
        }
    )
    assert text["source"] == "Answer:\nYOUR ANSWER HERE"
    hidden = clear_solution(
        {
            "cell_type": "code",
            "metadata": {},
            "source": "a = 1\n### BEGIN HIDDEN TESTS\nassert a\n### END HIDDEN TESTS\nb = 2",
        }
    )
    assert hidden["source"] == "a = 1\nb = 2"
    with pytest.raises(MarkerError, match="metadata"):
        clear_solution(
            {
                "cell_type": "code",
                "metadata": {},
                "source": "### BEGIN SOLUTION\nx\n### END SOLUTION",
            }
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_student_version_hides_every_solution_and_exercise_output(path: Path):
    original = nbformat.read(path, as_version=4)
    student, cleared = student_version(original)
    assert cleared >= 2
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    for before, after in zip(original.cells, student.cells, strict=True):
        if before.metadata.get("nbgrader", {}).get("solution"):
            assert "raise NotImplementedError()" in after.source
            assert after.metadata["nbgrader"] == before.metadata["nbgrader"]
    in_exercises = [c for c in exercise_cells(student)]
    assert in_exercises
    exercise_code = [c for c in student.cells if c.cell_type == "code" and c.source in in_exercises]
    assert all(c.outputs == [] and c.execution_count is None for c in exercise_code)
    lessons = [c for c in student.cells if c.cell_type == "code" and c.source not in in_exercises]
    assert any(c.outputs for c in lessons), "the lessons keep their outputs"


def test_main_writes_every_notebook(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "student")]) == 0
    written = sorted(p.name for p in (tmp_path / "student").glob("*.ipynb"))
    assert written == [p.name for p in notebook_paths()]
    assert "solution cell(s) replaced by placeholders" in capsys.readouterr().out
    assert main(["--out", str(tmp_path), "no-such.ipynb"]) == 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_student_notebook_runs_to_the_end_with_nothing_attempted(
    path: Path, tmp_path, monkeypatch
):
    too_old = python_too_old(path.name, nbformat.read(path, as_version=4).metadata)
    if too_old:
        pytest.skip(too_old)
    monkeypatch.setenv("MP_START_METHOD", "spawn")
    (target,) = write_student_versions(tmp_path, [path.name], quiet=True)
    nb = nbformat.read(target, as_version=4)
    NotebookClient(
        nb,
        timeout=STUDENT_CELL_TIMEOUT_S,
        kernel_name="python3",
        extra_arguments=KERNEL_ARGUMENTS,
        allow_errors=True,
        shutdown_kernel="immediate",  # a graceful shutdown adds seconds and proves nothing here
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    checks = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        expected = "raises-exception" in cell.metadata.get("tags", [])
        assert bool(errors) == expected, (
            f"cell {index}: {errors[0].ename if errors else 'no error'}"
        )
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        if "check_exercise(" in cell.source:
            checks += 1
            assert "not attempted yet" in text, f"cell {index}: {text}"
        if cell.source.startswith("%%child_module"):
            assert text.startswith("Saved exercise_"), f"cell {index}: {text}"
    assert checks >= 2
    if any(c.source.startswith("%%child_module") for c in nb.cells if c.cell_type == "code"):
        (removal,) = [
            c for c in nb.cells if c.cell_type == "code" and c.source == "remove_child_modules()"
        ]
        # Joined: under load the kernel may send one print() as two stream messages.
        said = "".join(o.get("text", "") for o in removal.outputs if o.output_type == "stream")
        assert said == "Removed the exercise modules' folder.\n"
    assert list(tmp_path.glob("exercise_*.py")) == [], "no module file is left in the folder"
    assert multiprocessing.active_children() == []
