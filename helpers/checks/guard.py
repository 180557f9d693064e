"""Child side of the checks: run a learner's function and report how it ended.

Every child a check starts (or that a learner's answer starts through the check's context) runs
``run_guarded``, which calls the real target and sends one short report back to the check:
what it returned, or which exception it raised and where. An exception then ends the child
with exit code 1, as an uncaught one would, but without a traceback on the kernel's stderr.
This module is imported by every such child, so it stays small and imports only the
standard library.
"""

from __future__ import annotations

import linecache
import os
import re
import reprlib
import sys
import threading
import traceback
from typing import Any

WATCH_EVERY_S = 1.0
"""How often a guarded child that is still running tells the check where it waits."""
WATCH_REPORTS = 50
"""At most this many of those reports (a changed place only), so the pipe never fills."""

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


BLOCKING_CALLS = {
    ("process.py", "join"): "join",
    ("popen_fork.py", "wait"): "join",
    ("queues.py", "get"): "get",
    ("queues.py", "join"): "join",
    ("connection.py", "recv"): "recv",
    ("connection.py", "recv_bytes"): "recv",
    ("connection.py", "recv_bytes_into"): "recv",
    ("connection.py", "wait"): "wait",
    ("connection.py", "poll"): "poll",
    ("synchronize.py", "wait"): "wait",
    ("synchronize.py", "acquire"): "acquire",
    ("synchronize.py", "__enter__"): "acquire",
    ("managers.py", "_callmethod"): "manager",
    ("managers.py", "start"): "manager",
    ("pool.py", "get"): "get",
    ("pool.py", "next"): "get",
    ("pool.py", "wait"): "wait",
    ("pool.py", "join"): "join",
    ("connection.py", "accept"): "accept",
}
"""The library functions a stuck process waits in, by (file, function), and the call each is."""

# A lock's acquire() is C code, so no frame of the library shows it: the learner's line does.
_CALL_IN_CODE = re.compile(r"\.(acquire|recv|get|join|wait|accept|poll)\(")


def waiting_at(frame: Any, guess_from_code: bool = False) -> tuple[str, str, str]:
    """Where a stack (its innermost ``frame``) waits: the blocking call's kind ("join",
    "get", "recv", "acquire", ... or ""), the learner's line of code, and its place
    ("exercise_01_2.py, line 3, in add_many"). With ``guess_from_code``, a wait that left no
    library frame is named after the call on the learner's line."""
    kind, mine = "", None
    while frame is not None:  # from the innermost frame outwards
        filename = frame.f_code.co_filename
        key = (os.path.basename(filename), frame.f_code.co_name)
        if "multiprocessing" in filename and key in BLOCKING_CALLS:
            kind = BLOCKING_CALLS[key]  # keep the outermost: the call the learner's code made
        if mine is None and not _is_library(filename):
            mine = frame
        frame = frame.f_back
    if mine is None:
        return kind, "", ""
    code = linecache.getline(mine.f_code.co_filename, mine.f_lineno).strip()
    if guess_from_code and kind in ("", "manager"):  # a manager's Lock waits in _callmethod
        called = _CALL_IN_CODE.search(code)
        kind = called.group(1) if called else kind
    base = os.path.basename(mine.f_code.co_filename)
    prefix = f"{base}, " if base.startswith("exercise_") else ""
    return kind, code, f"{prefix}line {mine.f_lineno}, in {mine.f_code.co_name}"


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


class _Watch:
    """A thread that, every ``WATCH_EVERY_S`` while the target runs, sends ("waiting", kind,
    code, place) when the place changed; ``last`` sends the final report, and no "waiting"
    ever follows it. One lock, so the two threads never write to the pipe at once."""

    def __init__(self, report: Any) -> None:
        self.report = report
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.target_thread = threading.get_ident()
        threading.Thread(target=self._run, name="check-watch", daemon=True).start()

    def _run(self) -> None:
        told, sent = None, 0
        while sent < WATCH_REPORTS and not self.done.wait(WATCH_EVERY_S):
            frame = sys._current_frames().get(self.target_thread)  # noqa: SLF001
            place = waiting_at(frame, guess_from_code=True)
            del frame
            if place != told:
                with self.lock:
                    if self.done.is_set():
                        return
                    _send(self.report, ("waiting", *place))
                told, sent = place, sent + 1

    def last(self, message: tuple) -> None:
        with self.lock:
            self.done.set()
            _send(self.report, message)


def run_guarded(report: Any, target: Any, args: tuple, kwargs: dict, barrier: Any = None) -> None:
    """Call ``target(*args, **kwargs)`` and send ("returned", description or None),
    ("raised", type name, message, where) or ("exited", code) through ``report``; while it
    runs, ("waiting", kind, code, place) now and then (see _Watch)."""
    watch = _Watch(report)
    try:
        if barrier is not None:
            barrier.wait(timeout=30)
        returned = target(*args, **kwargs)
    except SystemExit as stop:
        watch.last(("exited", stop.code if isinstance(stop.code, int) else 1))
        raise
    except BaseException as error:  # report it, then end as an uncaught exception would: code 1
        watch.last(
            ("raised", type(error).__name__, exception_message(error), where(error.__traceback__))
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
        watch.last(("returned", None if returned is None else describe(returned)))
    try:
        report.close()
    except Exception:
        pass
