"""Child side of the checks: run a learner's function and report how it ended.

Every child a check starts (or that a learner's answer starts through the check's context) runs
``run_guarded``, which calls the real target and sends one short report back to the check:
what it returned, or which exception it raised and where. An exception then ends the child
with exit code 1, as an uncaught one would, but without a traceback on the kernel's stderr.
This module is imported by every such child, so it stays small and imports only the
standard library.
"""

from __future__ import annotations

import os
import reprlib
import sys
import traceback
from typing import Any

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60


def exception_message(error: BaseException) -> str:
    """The useful line of an exception's message (a manager's RemoteError carries a whole
    traceback: its last line names the real error)."""
    lines = [line.strip() for line in str(error).splitlines()]
    lines = [line for line in lines if line and set(line) != {"-"}]
    text = lines[-1] if lines else ""
    return text if len(text) <= 200 else text[:197] + "..."


def _is_library(filename: str) -> bool:
    """Frames of the standard library, installed packages and the course's own helpers."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # helpers/
    path = os.path.abspath(filename)
    if path.startswith(here + os.sep):
        return True
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    # "<string>" and "<frozen ...>": code the library generates or freezes, not the learner's.
    return filename.startswith("<") or any(
        path.startswith(os.path.abspath(p) + os.sep) for p in prefixes
    )


def where(tb: Any) -> str:
    """ "exercise_03_1.py, line 6, in slow_square" for the last frame of the learner's own code."""
    frames = [f for f in traceback.extract_tb(tb) if not _is_library(f.filename)]
    if not frames:
        return ""
    frame = frames[-1]
    base = os.path.basename(frame.filename)
    place = (
        f"{base}, line {frame.lineno}" if base.startswith("exercise_") else f"line {frame.lineno}"
    )
    return f"{place}, in {frame.name}"


def describe(value: Any) -> str:
    """A short, type-tagged description of a value, for reports (never the whole value)."""
    if value is None:
        return "None"
    return f"{type(value).__name__} {_short.repr(value)}"


def _send(report: Any, message: tuple) -> None:
    try:
        report.send(message)
    except Exception:  # the check is gone or stopped listening: nothing left to tell
        pass


def run_guarded(report: Any, target: Any, args: tuple, kwargs: dict, barrier: Any = None) -> None:
    """Call ``target(*args, **kwargs)`` and send ("returned", description or None),
    ("raised", type name, message, where) or ("exited", code) through ``report``."""
    try:
        if barrier is not None:
            barrier.wait(timeout=30)
        returned = target(*args, **kwargs)
    except SystemExit as stop:
        _send(report, ("exited", stop.code if isinstance(stop.code, int) else 1))
        raise
    except BaseException as error:  # report it, then end as an uncaught exception would: code 1
        _send(
            report,
            ("raised", type(error).__name__, exception_message(error), where(error.__traceback__)),
        )
        try:
            report.close()
        except Exception:
            pass
        # What the failed code left behind (a segment's handle with a view still on it, say)
        # may raise again while the child shuts down: the report has said what matters.
        sys.unraisablehook = lambda unraisable: None
        sys.exit(1)
    else:
        _send(report, ("returned", None if returned is None else describe(returned)))
    try:
        report.close()
    except Exception:
        pass
