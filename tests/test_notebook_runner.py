"""The notebook runner itself: a hang, a leftover child or leaked shared memory fails the run,
and says which notebook and what. Each case runs pytest on a notebook made here."""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests import execute_notebooks
from tests.notebook_matrix import python_too_old

ROOT = Path(__file__).resolve().parent.parent


def make_notebook(folder: Path, name: str, *sources: str) -> Path:
    """Write an executed-looking notebook whose cells expect no output."""
    (folder / "notebooks").mkdir(exist_ok=True)
    cells = [new_markdown_cell("# runner check")]
    for count, source in enumerate(sources, start=1):
        cell = new_code_cell(source)
        cell.execution_count = count
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "notebooks" / name
    nbformat.write(nb, path)
    return path


def run_pytest(
    path: Path, *options: str, timeout: float = 120
) -> tuple[subprocess.CompletedProcess, float]:
    began = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(ROOT),
            "-c",
            str(ROOT / "pyproject.toml"),
            "--start-methods",
            "spawn",
            *options,
            str(path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done, time.monotonic() - began


def test_a_clean_notebook_passes(tmp_path):
    path = make_notebook(
        tmp_path, "clean.ipynb", "from helpers import get_context\nctx = get_context()"
    )
    done, _ = run_pytest(path)
    assert done.returncode == 0, done.stdout[-2000:]


def test_a_hung_child_fails_its_cell_within_the_timeout_plus_10_s(tmp_path):
    cell_timeout = 5
    path = make_notebook(
        tmp_path,
        "hung.ipynb",
        "from helpers import get_context\nctx = get_context()\nq = ctx.Queue()\n"
        "child = ctx.Process(target=q.qsize)\nchild.start()\nq.get()  # never arrives",
    )
    report = tmp_path / "report.xml"
    done, _ = run_pytest(path, "--cell-timeout", str(cell_timeout), f"--junitxml={report}")
    assert done.returncode == 1, done.stdout[-2000:]
    assert "Timeout of 5 seconds exceeded" in done.stdout
    cases = ET.parse(report).getroot().iter("testcase")
    hung = [c for c in cases if c.get("name") == "Cell 0"]
    assert hung and float(hung[0].get("time")) <= cell_timeout + 10


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc and /dev/shm")
def test_a_left_child_and_leaked_memory_fail_naming_notebook_and_what(tmp_path):
    path = make_notebook(
        tmp_path,
        "leaky.ipynb",
        "import time\nfrom multiprocessing import shared_memory\nfrom helpers import get_context\n"
        "child = get_context().Process(target=time.sleep, args=(4,))\nchild.start()\n"
        "segment = shared_memory.SharedMemory(create=True, size=64)\nsegment.close()",
    )
    done, _ = run_pytest(path)
    assert done.returncode == 1
    assert "leaky.ipynb under spawn" in done.stdout
    assert "child process left behind" in done.stdout
    assert "leaked shared_memory objects" in done.stdout


def test_bad_runner_options_are_refused(tmp_path):
    path = make_notebook(tmp_path, "clean.ipynb", "pass")
    done, _ = run_pytest(path, "--start-methods", "threads")
    assert done.returncode != 0 and "--start-methods: threads is not allowed" in done.stderr
    done, _ = run_pytest(path, "--cell-timeout", "0")
    assert done.returncode != 0 and "--cell-timeout must be a positive number" in done.stderr
    done, _ = run_pytest(path, "-n", "2", "--dist", "load")
    assert done.returncode != 0 and "--dist load would split a notebook's cells" in done.stderr


def test_the_python_a_notebook_needs_is_read_from_its_metadata():
    needs = {"process_returns": {"requires_python": "3.14"}}
    assert (
        python_too_old("n.ipynb", needs, (3, 11, 7)) == "n.ipynb needs Python 3.14+ (this is 3.11)"
    )
    assert python_too_old("n.ipynb", needs, (3, 14, 0)) is None
    assert python_too_old("n.ipynb", needs, (3, 15, 0)) is None
    assert python_too_old("n.ipynb", {}, (3, 11, 7)) is None


def test_a_notebook_for_a_newer_python_is_skipped_with_its_reason(tmp_path):
    path = make_notebook(tmp_path, "future.ipynb", "raise SystemExit('must not run')")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["process_returns"] = {"requires_python": "99.0"}
    nbformat.write(nb, path)
    done, _ = run_pytest(path, "-rs")
    assert done.returncode == 0, done.stdout[-2000:]
    this = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"future.ipynb needs Python 99.0+ (this is {this})" in done.stdout
    assert " passed" not in done.stdout


def test_execute_notebooks_refuses_a_notebook_for_a_newer_python(tmp_path, monkeypatch, capsys):
    path = make_notebook(tmp_path, "future.ipynb", "pass")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["process_returns"] = {"requires_python": "99.0"}
    nbformat.write(nb, path)
    before = path.read_bytes()
    monkeypatch.setattr(execute_notebooks, "NOTEBOOK_DIR", path.parent)
    monkeypatch.setattr(execute_notebooks, "notebook_paths", lambda: [path])
    assert execute_notebooks.main(["future.ipynb"]) == 2
    assert "refusing to execute: future.ipynb needs Python 99.0+" in capsys.readouterr().err
    assert execute_notebooks.main([]) == 0
    assert "skipping future.ipynb: future.ipynb needs Python 99.0+" in capsys.readouterr().out
    assert path.read_bytes() == before, "its outputs stay as they were"
