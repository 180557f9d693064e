"""Child-side code for notebook 02 (a result back through a Pipe).

Every function here runs in a child process and hands its result back through a
``multiprocessing`` Connection; none of them prints. Each closes its end when done, so the
parent sees end-of-file once the child has nothing more to say.
"""

from __future__ import annotations

import os
import random
import time
from array import array
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event

WORK_SCALE_S = 0.2
"""A child "works" for its random number times this many seconds (so at most 0.2 s)."""


def draw_and_send(conn: Connection, seed: int) -> None:
    """Draw a seeded random number in [0, 1), work a moment, then send it back."""
    x = random.Random(seed).random()
    time.sleep(x * WORK_SCALE_S)
    conn.send(x)
    conn.close()


def reply_to_request(conn: Connection, timeout: float = 10.0) -> None:
    """Wait for a seed from the parent, answer with the number it draws, then hang up."""
    if conn.poll(timeout):
        seed = conn.recv()
        conn.send(random.Random(seed).random())
    conn.close()


def send_when_told(conn: Connection, go: Event, value: float, timeout: float = 10.0) -> None:
    """Send ``value`` only once the parent sets ``go`` (give up after ``timeout`` seconds)."""
    if go.wait(timeout):
        conn.send(value)
    conn.close()


def exit_without_sending(conn: Connection, code: int) -> None:
    """Die at once with exit code ``code``, sending nothing (like a crash)."""
    os._exit(code)


def send_squares_as_bytes(conn: Connection, count: int) -> None:
    """Send the squares 0, 1, 4, ... as one raw message of 8-byte floats (no pickle)."""
    squares = array("d", (float(i * i) for i in range(count)))
    conn.send_bytes(squares)
    conn.close()


def timed_draw(conn: Connection, child_id: int, seed: int) -> None:
    """Like ``draw_and_send``, but also send when the work started and finished.

    Sends ``(child_id, x, started, finished)``; the times come from ``time.time()``,
    a clock every process on the machine shares.
    """
    started = time.time()
    x = random.Random(seed).random()
    time.sleep(x * WORK_SCALE_S)
    finished = time.time()
    conn.send((child_id, x, started, finished))
    conn.close()


def make_payload(nbytes: int, seed: int) -> bytes:
    """Return ``nbytes`` seeded random bytes (the same seed gives the same bytes anywhere)."""
    return random.Random(seed).randbytes(nbytes)


def send_payload(conn: Connection, nbytes: int, seed: int, ready: Event) -> None:
    """Build a payload of ``nbytes`` bytes, set ``ready``, then send it as one message."""
    payload = make_payload(nbytes, seed)
    ready.set()
    conn.send_bytes(payload)
    conn.close()
