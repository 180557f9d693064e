"""Waiting for children without hanging, and noticing when one failed.

``Process.join(timeout)`` returns quietly whether the child finished, is still running
or crashed. ``join_or_fail`` turns the last two into an exception, so a broken child
stops the notebook cell instead of passing unnoticed.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from multiprocessing.process import BaseProcess


class ChildFailed(RuntimeError):
    """A child process crashed, exited with a non-zero code, or did not finish in time."""


def describe_exit(exitcode: int | None) -> str:
    """Say in words what a ``Process.exitcode`` means."""
    if exitcode is None:
        return "still running"
    if exitcode == 0:
        return "exited normally (code 0)"
    if exitcode > 0:
        return f"exited with code {exitcode} (an uncaught exception gives 1)"
    return f"was killed by signal {-exitcode} (a negative exit code is the signal number)"


def process_exists(pid: int) -> bool:
    """Whether a process with this ``pid`` is running: any process, not only a child of ours.

    On Linux and macOS signal 0 asks the system, and sends nothing. On Windows ``os.kill``
    would *end* the process whatever the signal, so the process is opened and asked instead.
    """
    if sys.platform == "win32":
        import _winapi

        synchronize, query_limited_information = 0x00100000, 0x1000
        try:
            handle = _winapi.OpenProcess(synchronize | query_limited_information, False, pid)
        except PermissionError:  # it exists, but we may not look at it
            return True
        except OSError:  # no such process (any more)
            return False
        try:
            return _winapi.WaitForSingleObject(handle, 0) != _winapi.WAIT_OBJECT_0
        finally:
            _winapi.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, but belongs to another user
        return True
    return True


def join_or_fail(*processes: BaseProcess, timeout: float = 10.0) -> None:
    """Join every process within ``timeout`` seconds in total, or raise ``ChildFailed``.

    A child still running at the deadline is terminated (and reported), so nothing is left
    behind. A child that exited with a non-zero code is reported with what the code means.
    """
    if not processes:
        raise TypeError("join_or_fail() needs at least one process")
    for process in processes:
        if not isinstance(process, BaseProcess):
            raise TypeError(f"processes must be Process objects, not {type(process).__name__}")
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")

    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))

    problems = []
    for process in processes:
        if process.exitcode is None:
            process.terminate()
            process.join(5)
            if process.exitcode is None:
                process.kill()
                process.join(5)
            problems.append(f"{process.name} did not finish within {timeout} s and was terminated")
        elif process.exitcode != 0:
            problems.append(f"{process.name} {describe_exit(process.exitcode)}")
    if problems:
        raise ChildFailed("; ".join(problems))


def wait_for_children(timeout: float = 10.0) -> int:
    """Wait up to ``timeout`` s until this process has no running children; return how many remain.

    Joining each child once is not enough when a pool's own thread is reaping the same
    workers: a ``join`` that loses that race returns while the child still counts as running.
    Asking ``active_children()`` again until it is empty lets the winner finish its work.
    """
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    deadline = time.monotonic() + timeout
    while children := multiprocessing.active_children():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return len(children)
        children[0].join(min(0.05, remaining))
        time.sleep(0.01)  # a join that lost the race returns at once: do not spin
    return 0
