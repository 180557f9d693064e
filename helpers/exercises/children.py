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

from helpers.tasks.sharedmem import wait_for_ack

ACK_WAIT_S = 30.0
"""How long ``make_result`` keeps its segment open waiting for the parent's answer."""


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


def make_result(name: str, n: int, conn: Connection | None = None) -> None:
    """Create the segment ``name`` holding the float64 numbers 0 .. n-1; close, don't unlink.

    With ``conn``, report "ready" on it and keep the handle until the parent answers (at most
    ``ACK_WAIT_S``): on Windows a segment disappears with its last handle, so the parent must
    attach before this child closes. Whoever receives the segment owns it, and unlinks it.
    """
    shm = SharedMemory(name=name, create=True, size=n * 8)
    try:
        shm.buf[: n * 8] = array("d", range(n)).tobytes()
        if conn is not None:
            conn.send("ready")
            wait_for_ack(conn, ACK_WAIT_S)
    finally:
        shm.close()


def crash_after_create(name: str, n: int, conn: Connection | None = None) -> None:
    """Create the segment ``name``, then die (exit code 5) before filling, reporting or closing."""
    SharedMemory(name=name, create=True, size=n * 8)
    os._exit(5)


def crash_before_create(name: str, n: int, conn: Connection | None = None) -> None:
    """Die at once (exit code 4), before creating any segment or reporting."""
    os._exit(4)
