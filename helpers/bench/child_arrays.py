"""Child side of the throughput benchmark: hand back a float64 array that is already computed.

Every child keeps one *ready* result (``ready_array``): made and touched once, before the
clock matters, so what is timed is handing the result back, not computing it. Request number
``tag`` gets the ready array with ``tag`` in its first item, so the parent can check that the
array it holds is the one it asked for.

Requests always arrive on a ``Pipe`` as ``(n, tag)`` (``n`` float64 items); the result goes
back through the method under test.
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from multiprocessing.shared_memory import SharedMemory
from typing import Any

import numpy as np

from helpers.bench.child_common import leave_signals_to_parent, requests

FILL = 0.5
"""Every item of a ready array but the first."""

_ready: np.ndarray | None = None


def ready_array(n: int, tag: int) -> np.ndarray:
    """This process's ready result of ``n`` float64 items, first item ``tag``.

    Only one is kept (the last size asked for), so a 1 GB run holds one 1 GB array, not many.
    """
    global _ready
    if _ready is None or _ready.size != n:
        _ready = None
        _ready = np.full(n, FILL)
    _ready[0] = tag
    return _ready


def send_pickled(conn: Connection) -> None:
    """``conn.send(array)``: the array is pickled, sent, and unpickled by the parent."""
    leave_signals_to_parent()
    for n, tag in requests(conn):
        conn.send(ready_array(n, tag))


def send_raw_bytes(conn: Connection) -> None:
    """``conn.send_bytes(array)``: the array's bytes go as they are, with no pickling."""
    leave_signals_to_parent()
    for n, tag in requests(conn):
        conn.send_bytes(ready_array(n, tag))


def put_on_queue(conn: Connection, results: Queue) -> None:
    """``results.put(array)``: the queue's feeder thread pickles it into a pipe."""
    leave_signals_to_parent()
    for n, tag in requests(conn):
        results.put(ready_array(n, tag))


def copy_into_new_segment(conn: Connection) -> None:
    """Create the segment the parent named, copy the result into it, report, and close it
    once the parent has attached.

    The parent chooses the name, so it can remove the segment even if this child is killed.
    The child keeps its handle until the parent's "attached" arrives (or the parent is gone):
    on Windows a segment disappears with its last handle, so closing first would lose it.
    """
    leave_signals_to_parent()
    for n, tag, name in requests(conn):
        shm = SharedMemory(name=name, create=True, size=n * 8)
        try:
            view = np.frombuffer(shm.buf, dtype=np.float64, count=n)
            np.copyto(view, ready_array(n, tag))
            del view
            conn.send(tag)
            next(requests(conn), None)  # the parent's "attached" (or its leaving)
        finally:
            shm.close()


def copy_into_buffer(conn: Connection, buffer: Any) -> None:
    """Copy each result into ``buffer`` (the parent's ``RawArray``, or the name of its segment),
    then report. This is the copy-free way back: the parent reads the numbers where they lie."""
    leave_signals_to_parent()
    shm = SharedMemory(name=buffer) if isinstance(buffer, str) else None
    memory = shm.buf if shm is not None else buffer
    try:
        for n, tag in requests(conn):
            view = np.frombuffer(memory, dtype=np.float64, count=n)
            np.copyto(view, ready_array(n, tag))
            del view
            conn.send(tag)
    finally:
        del memory
        if shm is not None:
            shm.close()


def store_in_manager(conn: Connection, shared: Any) -> None:
    """``shared["result"] = array`` on a Manager's dict proxy: pickled to the manager's process."""
    leave_signals_to_parent()
    for n, tag in requests(conn):
        shared["result"] = ready_array(n, tag)
        conn.send(tag)


def return_ready(n: int, tag: int) -> np.ndarray:
    """A pool task: return the ready array (the pool pickles it back to the parent)."""
    return ready_array(n, tag)
