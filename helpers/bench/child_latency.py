"""Child side of the latency benchmark: answer each request with one small float.

Each child runs until told to stop, so a round trip measures the way back only, not a start.
The request and the answer travel through the same kind of channel, except where the method
has a natural request of its own (an ``Event`` for ``Value``; ``apply_async``/``submit`` for pools).
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from multiprocessing.queues import Queue, SimpleQueue
from queue import Empty
from typing import Any, Protocol

from helpers.bench.child_common import (
    POLL_S,
    leave_signals_to_parent,
    parent_alive,
    requests,
)


class EventLike(Protocol):
    def set(self) -> None: ...
    def clear(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


def answer(tag: int) -> float:
    """The small result for request number ``tag`` (what every child hands back)."""
    return tag + 0.5


def answer_in_value(value: Any, request: EventLike, done: EventLike, stop: EventLike) -> None:
    """On each ``request``: write the next answer into ``value`` (a ``Value``, or a Manager's
    ``Value`` proxy) and set ``done``. Request number k (from 0) gets ``answer(k)``."""
    leave_signals_to_parent()
    tag = 0
    while True:
        if not request.wait(POLL_S):
            if not parent_alive():
                return
            continue
        request.clear()
        if stop.is_set():
            return
        value.value = answer(tag)
        tag += 1
        done.set()


def answer_on_pipe(conn: Connection) -> None:
    """Reply to each request number received on ``conn`` with its answer, on ``conn``."""
    leave_signals_to_parent()
    for tag in requests(conn):
        conn.send(answer(tag))


def answer_on_queue(requests_in: Queue, results: Queue) -> None:
    """Take request numbers from one ``Queue`` and put the answers on another."""
    leave_signals_to_parent()
    while True:
        try:
            tag = requests_in.get(timeout=POLL_S)
        except Empty:
            if not parent_alive():
                return
            continue
        if tag is None:
            return
        results.put(answer(tag))


def simplequeue_poll(queue: SimpleQueue, timeout: float) -> bool:
    """Wait up to ``timeout`` s for something to read on ``queue``.

    ``SimpleQueue.get`` takes no timeout; its reading end is a ``Connection`` that can poll.
    """
    return queue._reader.poll(timeout)


def answer_on_simplequeue(requests_in: SimpleQueue, results: SimpleQueue) -> None:
    """Take request numbers from one ``SimpleQueue`` and put the answers on another."""
    leave_signals_to_parent()
    while True:
        if not simplequeue_poll(requests_in, POLL_S):
            if not parent_alive():
                return
            continue
        tag = requests_in.get()
        if tag is None:
            return
        results.put(answer(tag))
