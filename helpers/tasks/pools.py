"""Child code for 06-pools-and-futures: tasks that simply *return* their result.

A pool worker sends a task's return value (or its exception) back to the parent for us,
so none of these functions touches a Value, Pipe or Queue. They stay silent: the parent
prints what comes back.
"""

from __future__ import annotations

import math
import os
import random
import time

# Set in each worker by ``set_offset`` (a pool initializer); the parent's copy stays None.
_offset: int | None = None


def draw(seed: int) -> float:
    """The classic task: draw a seeded random number, 'work' for a moment, return the number."""
    value = random.Random(seed).random()
    time.sleep(value / 10)  # at most 0.1 s of simulated work
    return value


def timed_draw(seed: int) -> tuple[int, int, float, float]:
    """Like ``draw``, but report who did the work and when: ``(seed, worker pid, start, finish)``.

    Times come from ``time.time()``, a clock that every process on the machine shares.
    """
    started = time.time()
    draw(seed)
    return seed, os.getpid(), started, time.time()


def nap(seconds: float) -> float:
    """Sleep for ``seconds`` and return it: a task whose duration we choose."""
    time.sleep(seconds)
    return seconds


def worker_pid(_ignored: object = None) -> int:
    """Return the pid of the process that runs this task (the argument lets ``map`` call it)."""
    return os.getpid()


def square_root(x: float) -> float:
    """Return the square root of ``x``; a negative ``x`` raises ValueError in the worker."""
    if x < 0:
        raise ValueError(f"cannot take the square root of {x}")
    return math.sqrt(x)


def exit_abruptly(code: int = 1) -> None:
    """End the worker process at once with ``os._exit``: no result, no exception, no output."""
    os._exit(code)


def set_offset(offset: int) -> None:
    """Pool initializer: store ``offset`` in this worker's module, once, before any task runs."""
    global _offset
    _offset = offset


def add_offset(x: int) -> tuple[int, int]:
    """Return ``(x + offset, worker pid)`` using the offset this worker's initializer stored."""
    if _offset is None:
        raise RuntimeError("set_offset() has not run in this process")
    return x + _offset, os.getpid()
