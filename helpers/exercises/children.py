"""Child functions the exercises hand to learners (and to the checks) ready-made.

Like everything a child runs, they are top level, small and silent. Some fail on purpose, so
that a learner's parent code can be tried on a child that dies: they leave with ``os._exit``,
which prints nothing.
"""

from __future__ import annotations

import os
import time
from array import array
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory
from typing import Any


def put_payload(results: Any, index: int, size: int) -> None:
    """Put ``(index, payload)`` on ``results``, the payload being ``size`` zero bytes."""
    results.put((index, bytes(size)))


def send_after(conn: Connection, seconds: float, value: Any) -> None:
    """Wait ``seconds``, then send ``value`` and close ``conn`` (a slow, or silent, child)."""
    time.sleep(seconds)
    conn.send(value)
    conn.close()


def exit_silently(conn: Connection, code: int) -> None:
    """Die at once with exit code ``code``, sending nothing, as a crashed child would."""
    os._exit(code)


def offer_scores(best: Any, scores: list[tuple[float, str]]) -> None:
    """Offer every ``(score, name)`` to ``best`` (a proxy with an ``offer`` method), in order."""
    for score, name in scores:
        best.offer(score, name)


def make_result(name: str, n: int) -> None:
    """Create the segment ``name`` holding the float64 numbers 0 .. n-1; close, don't unlink.

    Whoever receives the name owns the segment from then on, and unlinks it.
    """
    shm = SharedMemory(name=name, create=True, size=n * 8)
    shm.buf[: n * 8] = array("d", range(n)).tobytes()
    shm.close()


def crash_after_create(name: str, n: int) -> None:
    """Create the segment ``name``, then die (exit code 5) before filling or closing it."""
    SharedMemory(name=name, create=True, size=n * 8)
    os._exit(5)


def crash_before_create(name: str, n: int) -> None:
    """Die at once (exit code 4), before creating any segment."""
    os._exit(4)
