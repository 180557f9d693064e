"""Run a short Python script in a fresh interpreter, bounded, and keep what it printed.

Used where a lesson needs to show what a *separate* program prints (a child's traceback,
a resource-tracker warning) without letting it touch the notebook's own kernel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path


def run_python(
    code: str, timeout: float = 30.0, args: Sequence[str] = (), as_file: bool = False
) -> subprocess.CompletedProcess:
    """Run ``code`` with this kernel's Python and return the finished process (text output).

    ``args`` become the program's ``sys.argv[1:]``. By default the code is given with
    ``python -c``, so its ``__main__`` has no file behind it, like a notebook's. With
    ``as_file=True`` it is saved as ``script.py`` in a temporary folder and run as
    ``python script.py``, the way a script on disk runs (and a spawned child can re-import it).
    """
    if not isinstance(code, str) or not code.strip():
        raise ValueError("code must be a non-empty string of Python source")
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    if isinstance(args, str) or not all(isinstance(arg, str) for arg in args):
        raise ValueError(f"args must be a sequence of strings, not {args!r}")
    if not isinstance(as_file, bool):
        raise ValueError(f"as_file must be True or False, not {as_file!r}")
    if not as_file:
        return _run([sys.executable, "-c", code, *args], timeout)
    with tempfile.TemporaryDirectory(prefix="process-returns-script-") as folder:
        script = Path(folder) / "script.py"
        script.write_text(code, encoding="utf-8")
        return _run([sys.executable, str(script), *args], timeout)


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    # Plain text: Jupyter sets FORCE_COLOR, and from Python 3.13 tracebacks would be coloured.
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env.update(PYTHON_COLORS="0", NO_COLOR="1")
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False, env=env
    )


def last_line(text: str) -> str:
    """The last non-empty line of ``text`` (for a traceback: the exception itself)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
