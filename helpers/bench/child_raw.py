"""Child side of the physical references: raw bytes on the file descriptor, no pickling.

These children use the operating-system descriptor under a ``Connection`` (``fileno()``) and
plain ``os.read``/``os.write``, so they measure what the pipe or socket itself can do.
"""

from __future__ import annotations

import os
import select
from multiprocessing.connection import Connection

from helpers.bench.child_common import (
    POLL_S,
    leave_signals_to_parent,
    parent_alive,
    requests,
)

CHUNK = 1 << 20
"""Bytes per write when streaming: 1 MiB, like a large message."""

QUIT = b"q"
"""The byte that stops ``echo_byte``."""


def readable(fd: int, timeout: float) -> bool:
    """True when ``fd`` has something to read within ``timeout`` seconds."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(timeout * 1000))


def write_all(fd: int, data: memoryview) -> None:
    """Write every byte of ``data`` to ``fd`` (a write may take only part of it)."""
    while data:
        data = data[os.write(fd, data) :]


def echo_byte(conn: Connection) -> None:
    """Send back every byte that arrives on ``conn``'s descriptor, until ``QUIT``."""
    leave_signals_to_parent()
    fd = conn.fileno()
    while True:
        if not readable(fd, POLL_S):
            if not parent_alive():
                return
            continue
        byte = os.read(fd, 1)
        if not byte or byte == QUIT:
            return
        os.write(fd, byte)


def stream(control: Connection, data: Connection) -> None:
    """For each byte count received on ``control``, write that many bytes to ``data``'s
    descriptor in 1 MiB writes."""
    leave_signals_to_parent()
    chunk = memoryview(bytes(range(256)) * (CHUNK // 256))
    fd = data.fileno()
    for total in requests(control):
        while total > 0:
            step = min(total, CHUNK)
            write_all(fd, chunk[:step])
            total -= step
