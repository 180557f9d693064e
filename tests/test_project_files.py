"""The project's own files stay consistent: dependency lists, committed notebooks."""

import json
import re
from pathlib import Path

import pytest

from tests.notebook_matrix import NOTEBOOK_DIR, notebook_paths

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = notebook_paths()


def requirement_names() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            names.add(re.split(r"[=<>;! ]", line, maxsplit=1)[0].lower())
    return names


def environment_names() -> set[str]:
    names = set()
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        match = re.match(r"^  - ([A-Za-z0-9_.-]+)", line)
        if in_deps and match:
            names.add(match.group(1).lower())
    return names - {"python", "pip"}


def test_environment_yml_names_the_same_packages_as_requirements():
    assert environment_names() == requirement_names()


def test_there_are_notebooks_and_they_are_numbered():
    assert [p.name for p in NOTEBOOKS][:1] == ["00-start-here.ipynb"]
    for path in NOTEBOOKS:
        assert re.match(r"^\d\d-[a-z0-9-]+\.ipynb$", path.name), path.name
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert len(numbers) == len(set(numbers)), "notebook numbers are never reused"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebook_was_executed_top_to_bottom(path):
    nb = json.loads(path.read_text())
    counts = [c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..N; run `make notebooks`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebook_has_errors_only_where_tagged(path):
    nb = json.loads(path.read_text())
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        raised = any(o["output_type"] == "error" for o in cell.get("outputs", []))
        tagged = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        assert raised == tagged, f"{path.name} cell {index}: raised={raised} but tagged={tagged}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_the_course_bones(path):
    nb = json.loads(path.read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for heading in (
        "What you'll learn",
        "Prerequisites",
        "Time",
        "## Key points",
        "## What's next",
    ):
        assert heading in text, f"{path.name} lacks '{heading}'"
    assert nb["cells"][0]["cell_type"] == "markdown" and "".join(
        nb["cells"][0]["source"]
    ).startswith("# ")
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any("set_start_method" in c for c in code), f"{path.name} calls set_start_method"
    assert not any(re.search(r"^\s*[!%]pip install", c, re.M) for c in code), (
        f"{path.name} installs packages"
    )


def test_notebooks_are_found_by_glob_not_by_list():
    assert {p.name for p in NOTEBOOKS} == {p.name for p in NOTEBOOK_DIR.glob("*.ipynb")}
