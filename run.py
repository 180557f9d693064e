#!/usr/bin/env python3
"""The course's commands without make, for Windows (and anywhere else): ``python run.py COMMAND``.

    python run.py lab              open the course in JupyterLab (sets up .venv on first use)
    python run.py test             the whole test suite (see "On Windows" below)
    python run.py check [NAME ...] the quick loop: ruff, quick unit tests, changed notebooks, spawn
    python run.py notebooks        re-execute every notebook in place (makes committed outputs)
    python run.py browser-test     every notebook run in JupyterLab in headless Chromium
    python run.py check-notebooks  run a copy of every notebook under spawn; fail on any error
    python run.py test-pythons     the suite on every Python 3.11-3.15 found, each in .venv-3.X

Every command first builds the virtual environment from requirements.txt when it is missing
or older than requirements.txt / pyproject.toml, exactly as ``make`` does, then runs inside it.
Only the standard library is used here, so any Python 3.11+ can start it.

The committed outputs are made on Linux, where all three start methods exist. On Windows only
spawn exists, and notebooks print results for every start method, so comparing outputs strictly
cannot pass there; macOS differs from Linux in small, honest ways (no /dev/shm, other pipe and
socket buffer sizes). So outside Linux ``test`` runs the unit tests and then
``check-notebooks``: every notebook executes top to bottom under spawn (the default of both),
in a temporary copy, and any error outside a ``raises-exception`` cell fails.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_VENV = ROOT / ".venv"
SUPPORTED = ("3.11", "3.12", "3.13", "3.14", "3.15")
WINDOWS = sys.platform == "win32"
LINUX = sys.platform.startswith("linux")
# Two notebooks at a time, each with a JupyterLab and a browser of its own.
# Four pytest workers on the course's 2-core machine: many tests wait (for a timeout, a child,
# a kernel), so a fourth keeps the cores busy (suite 211-227 s against 238 s with three).
SUITE_WORKERS = 4
BROWSER_TEST = ["-n", "2", "tests/browser/notebooks_in_browser.py"]
LOG_DIR = ROOT / "build" / "test-pythons"


# --- the virtual environment ------------------------------------------------------------------


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if WINDOWS else "bin/python")


def inside(venv: Path) -> bool:
    return Path(sys.prefix).resolve() == venv.resolve()


def ensure_venv(venv: Path, python: str) -> Path:
    """Create ``venv`` with ``python`` and install requirements.txt and helpers, if out of date."""
    stamp = venv / ".installed"
    inputs = [ROOT / "requirements.txt", ROOT / "pyproject.toml"]
    if stamp.exists() and all(stamp.stat().st_mtime >= p.stat().st_mtime for p in inputs):
        return venv_python(venv)
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if tuple(int(x) for x in version.split(".")) < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; {python} is {version}")
    print(
        f"setting up {venv.name} with Python {version} (first use, or requirements changed) ...",
        flush=True,
    )
    run([python, "-m", "venv", str(venv)])
    py = str(venv_python(venv))
    run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([py, "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements.txt")])
    run([py, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(ROOT)])
    stamp.touch()
    return venv_python(venv)


def run(command: list[str], **kwargs) -> None:
    """Run a command from the repository root; stop with its exit code if it fails."""
    done = subprocess.run(command, cwd=ROOT, **kwargs)
    if done.returncode:
        sys.exit(done.returncode)


def reexec_in(venv: Path, python: str, argv: list[str]) -> None:
    """Run this same command again with the venv's Python (built first when needed)."""
    py = ensure_venv(venv, python)
    sys.exit(subprocess.run([str(py), str(Path(__file__).resolve()), *argv], cwd=ROOT).returncode)


# --- commands that run inside the venv ---------------------------------------------------------


def cmd_lab(args) -> None:
    root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # as make lab
    run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--notebook-dir=.",
            *root,
            "notebooks/00-start-here.ipynb",
        ]
    )


def cmd_notebooks(args) -> None:
    run([sys.executable, "-m", "tests.execute_notebooks", *args.names])


def browser_environment() -> dict[str, str]:
    """This environment plus BROWSER_TEST_CHROMIUM: a browser found, or installed, for the test."""
    sys.path.insert(0, str(ROOT))
    from tests.browser.find_browser import NoBrowser, find_browser

    try:
        browser = find_browser(install=True)
    except NoBrowser as problem:
        print(problem, file=sys.stderr, flush=True)
        sys.exit(1)
    print(browser.describe(), flush=True)
    return dict(os.environ, BROWSER_TEST_CHROMIUM=browser.path)


def cmd_browser_test(args) -> None:
    run([sys.executable, "-m", "pytest", *BROWSER_TEST], env=browser_environment())


def cmd_check_notebooks(args) -> None:
    """Execute a temporary copy of every notebook under spawn; fail on unexpected errors.

    Outputs are not compared (see the module docstring); the committed notebooks are untouched.
    """
    os.environ["MP_START_METHOD"] = "spawn"
    sys.path.insert(0, str(ROOT))
    from tests.execute_notebooks import execute
    from tests.notebook_matrix import notebook_paths

    problems: list[str] = []
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="check-notebooks-") as folder:
        copies = Path(folder) / "notebooks"  # with any data files the notebooks read
        shutil.copytree(
            ROOT / "notebooks", copies, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
        for path in notebook_paths():
            copy = copies / path.name
            began = time.monotonic()
            found = execute(copy)
            verdict = "errors" if found else "ok"
            print(f"{path.name:40} {verdict:7} {time.monotonic() - began:5.1f} s", flush=True)
            problems += found
            failed, passed = failed + bool(found), passed + (not found)
    for line in problems:
        print("error:", line)
    print(f"check-notebooks: {passed} passed, {failed} failed")
    sys.exit(1 if problems else 0)


def cmd_test(args) -> None:
    workers = str(args.workers)
    if not LINUX:
        print(
            f"{sys.platform}: unit tests, then every notebook executed under spawn without "
            "comparing outputs (see run.py's docstring); the browser test is not run.",
            flush=True,
        )
        run([sys.executable, "-m", "pytest", "-n", workers, "--dist", "loadscope", "tests"])
        cmd_check_notebooks(args)
        return
    # Both parts run, so one run reports both; either failing fails the command.
    status = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", workers, "--dist", "loadscope"], cwd=ROOT
    ).returncode
    if args.no_browser:
        print("browser test not run (--no-browser)")
    else:
        env = browser_environment()  # no browser: it says why, and the run fails
        browser = subprocess.run([sys.executable, "-m", "pytest", *BROWSER_TEST], cwd=ROOT, env=env)
        status = browser.returncode or status
    sys.exit(1 if status else 0)


# The quick loop leaves out the slow unit tests (the checks' tables of answers, the benchmark,
# the runner's own kernels): `make test` runs them.
SLOW_TESTS = (
    "test_bench.py",
    "test_checks.py",
    "test_checks_student.py",
    "test_checks_wrong_answers.py",
    "test_notebook_runner.py",
)


def notebook_names(wanted: list[str]) -> list[str]:
    """Files for names like "03-queue" or "03-queue.ipynb"; an unknown name stops with a list."""
    known = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    chosen, unknown = [], []
    for name in (n for part in wanted for n in part.replace(",", " ").split()):
        file = name if name.endswith(".ipynb") else f"{name}.ipynb"
        (chosen if file in known else unknown).append(file)
    if unknown:
        sys.exit(
            f"NOTEBOOKS: {', '.join(unknown)} is not a course notebook; "
            f"use one or more of: {', '.join(n.removesuffix('.ipynb') for n in known)}"
        )
    return chosen


def changed_notebook_names(base: str = "main") -> list[str]:
    """Notebooks that differ from ``base`` (committed since, or not yet committed), or are new."""
    asks = (
        ["git", "diff", "--name-only", base, "--", "notebooks"],
        ["git", "ls-files", "--others", "--exclude-standard", "--", "notebooks"],
    )
    names: set[str] = set()
    for ask in asks:
        done = subprocess.run(ask, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"check: could not ask git ({' '.join(ask)}): {done.stderr.strip()}")
            return []
        names |= {Path(line).name for line in done.stdout.split() if line.endswith(".ipynb")}
    return sorted(n for n in names if (ROOT / "notebooks" / n).exists())


def cmd_check(args) -> None:
    """ruff, the quick unit tests, and the changed (or named) notebooks under spawn only."""
    notebooks = notebook_names(args.names) if args.names else changed_notebook_names()
    unit = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").glob("test_*.py")
        if p.name not in SLOW_TESTS
    )
    workers = str(args.workers)
    steps = [
        ("ruff check", [sys.executable, "-m", "ruff", "check", "."]),
        ("ruff format", [sys.executable, "-m", "ruff", "format", "--check", "--quiet", "."]),
        ("unit tests", [sys.executable, "-m", "pytest", "-q", "-n", workers, *unit]),
    ]
    if notebooks:
        paths = [f"notebooks/{name}" for name in notebooks]
        command = [sys.executable, "-m", "pytest", "-q", "-n", workers, "--dist", "loadscope"]
        steps.append(
            (
                f"notebooks under spawn: {', '.join(notebooks)}",
                [*command, "--start-methods", "spawn", *paths],
            )
        )
    else:
        print("check: no notebook differs from main (NOTEBOOKS=03-queue names one)", flush=True)
    began, failed = time.monotonic(), []
    for title, command in steps:
        print(f"--- {title}", flush=True)
        step_began = time.monotonic()
        code = subprocess.run(command, cwd=ROOT).returncode
        verdict = "ok" if code == 0 else "FAILED"
        print(f"--- {title}: {verdict} in {time.monotonic() - step_began:.0f} s", flush=True)
        if code:
            failed.append(title)
    total = time.monotonic() - began
    print(f"check: {'passed' if not failed else 'FAILED: ' + '; '.join(failed)} in {total:.0f} s")
    sys.exit(1 if failed else 0)


# --- every Python ------------------------------------------------------------------------------


def find_python(version: str) -> str | None:
    """An interpreter for ``version`` (e.g. "3.14"): pyenv's, the py launcher's, or on PATH."""
    candidates: list[str] = []
    if shutil.which("pyenv"):
        prefix = subprocess.run(["pyenv", "prefix", version], capture_output=True, text=True)
        if prefix.returncode == 0 and prefix.stdout.strip():
            candidates.append(str(Path(prefix.stdout.split()[-1]) / "bin" / f"python{version}"))
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for folder in sorted(pyenv_root.glob(f"versions/{version}.*"), reverse=True):
        candidates.append(str(folder / "bin" / f"python{version}"))
    if WINDOWS and shutil.which("py"):
        found = subprocess.run(
            ["py", f"-{version}", "-c", "import sys; print(sys.executable)"],
            capture_output=True,
            text=True,
        )
        if found.returncode == 0:
            candidates.append(found.stdout.strip())
    for name in (f"python{version}",):
        if shutil.which(name):
            candidates.append(shutil.which(name))
    for candidate in candidates:
        check = (
            subprocess.run(
                [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
            )
            if Path(candidate).exists()
            else None
        )
        if check and check.returncode == 0 and check.stdout.strip() == version:
            return candidate
    return None


def cmd_test_pythons(args) -> None:
    """The suite once per supported Python found here, each in its own .venv-3.X.

    The browser test runs only for the Python that runs this command (the default one);
    the others run everything else. One line per version says how it went; logs are kept in
    build/test-pythons/.
    """
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    default = "{}.{}".format(*sys.version_info[:2])
    lines, failures = [], 0
    for version in args.versions or SUPPORTED:
        python = find_python(version)
        if python is None:
            lines.append(f"Python {version:5}  not found on this machine")
            print(lines[-1], flush=True)
            continue
        browser = version == default and not args.no_browser
        log = LOG_DIR / f"{version}.log"
        venv = ROOT / f".venv-{version}"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--venv",
            str(venv),
            "--python",
            python,
            "test",
            "--workers",
            str(args.workers),
        ]
        if not browser:
            command.append("--no-browser")
        print(f"Python {version}: {python} ... (log: {log.relative_to(ROOT)})", flush=True)
        began = time.monotonic()
        with open(log, "w") as out:
            done = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        code = done.returncode
        minutes, seconds = divmod(round(time.monotonic() - began), 60)
        text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace"))  # no colours
        summary = [
            s.strip("= ") for s in re.findall(r"^=+ .*(?:passed|failed|error).* =+$", text, re.M)
        ]
        verdict = "passed" if code == 0 else f"FAILED (exit {code})"
        browser_note = "with browser test" if browser else "no browser test"
        lines.append(
            f"Python {version:5}  {verdict:17} {minutes:3d} min {seconds:02d} s  "
            f"({browser_note}; {' | '.join(summary) or 'no pytest summary'})"
        )
        print(lines[-1], flush=True)
        if code:
            failures += 1
            for failure in re.findall(r"^(?:FAILED|ERROR) .*$", text, re.M)[:20]:
                lines.append("    " + failure)
                print(lines[-1], flush=True)
    print("\ntest-pythons:")
    print("\n".join(lines))
    sys.exit(1 if failures else 0)


# --- the command line ---------------------------------------------------------------------------

COMMANDS = {
    "lab": cmd_lab,
    "test": cmd_test,
    "notebooks": cmd_notebooks,
    "browser-test": cmd_browser_test,
    "check-notebooks": cmd_check_notebooks,
    "check": cmd_check,
    "test-pythons": cmd_test_pythons,
}
OUTSIDE_VENV = {"test-pythons"}  # runs with any Python; it builds a venv per version


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--venv", type=Path, default=DEFAULT_VENV, help="virtual environment (default .venv)"
    )
    parser.add_argument(
        "--python", default=None, help="the Python that builds the venv (default: this one)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("lab", help="open the course in JupyterLab")
    test = sub.add_parser("test", help="run the whole test suite")
    test.add_argument("--no-browser", action="store_true", help="leave out the browser test")
    test.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", SUITE_WORKERS)))
    check = sub.add_parser(
        "check", help="the quick loop: ruff, quick unit tests, changed notebooks under spawn"
    )
    check.add_argument("names", nargs="*", help="notebooks (default: those that differ from main)")
    check.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 3)))
    notebooks = sub.add_parser("notebooks", help="re-execute notebooks in place")
    notebooks.add_argument("names", nargs="*", help="notebook file names (default: all)")
    sub.add_parser("browser-test", help="run every notebook in JupyterLab in headless Chromium")
    sub.add_parser("check-notebooks", help="execute a copy of every notebook; fail on errors")
    pythons = sub.add_parser("test-pythons", help="the suite on every supported Python found")
    pythons.add_argument("versions", nargs="*", help=f"default: {' '.join(SUPPORTED)}")
    pythons.add_argument("--no-browser", action="store_true", help="no browser test at all")
    pythons.add_argument(
        "--workers", type=int, default=int(os.environ.get("WORKERS", SUITE_WORKERS))
    )
    args = parser.parse_args(argv)
    if args.command not in OUTSIDE_VENV and not inside(args.venv):
        reexec_in(args.venv, args.python or sys.executable, strip_python_option(argv))
    COMMANDS[args.command](args)


def strip_python_option(argv: list[str]) -> list[str]:
    """The command line minus --python (the re-executed run already is that Python's venv)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--python":
            skip = True
        elif not arg.startswith("--python="):
            out.append(arg)
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
