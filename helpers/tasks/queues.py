"""Child code for 03-queue: producers that hand results back through a queue.

The ``results`` argument is anything with a ``put`` method: a ``Queue``, a ``SimpleQueue``
or a ``JoinableQueue`` made from the parent's context.
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

WORK_SCALE_S = 0.2  # a draw of 1.0 means this many seconds of pretend work


def draw_and_put(results: Any, seed: int) -> None:
    """The classic task: draw x in [0, 1), work for x * WORK_SCALE_S seconds, put x."""
    x = random.Random(seed).random()
    time.sleep(x * WORK_SCALE_S)
    results.put(x)


def draw_tagged(results: Any, child_id: int, seed: int, starting_line: Any = None) -> None:
    """Put ``(child_id, x, started, finished)``: the draw, tagged, with wall-clock times.

    With a ``Barrier`` as ``starting_line`` every child waits for the others before it
    starts work, so start-up costs do not blur when each one finishes.
    """
    if starting_line is not None:
        starting_line.wait(timeout=30)
    started = time.time()
    x = random.Random(seed).random()
    time.sleep(x * WORK_SCALE_S)
    results.put((child_id, x, started, time.time()))


def produce_several(results: Any, producer_id: int, seed: int) -> None:
    """Put 1 to 4 results ``(producer_id, index, x)``, then ``None`` to say "I'm done"."""
    rng = random.Random(seed)
    for index in range(rng.randint(1, 4)):
        results.put((producer_id, index, rng.random()))
    results.put(None)


def exit_without_result(results: Any, code: int) -> None:
    """Die at once with exit code ``code``, putting nothing (no traceback is printed)."""
    os._exit(code)


def parse_reading(results: Any, child_id: int, text: str) -> None:
    """Put ``(child_id, float(text))``, or ``(child_id, the exception)`` if parsing fails."""
    try:
        outcome: float | Exception = float(text)
    except ValueError as error:
        outcome = error
    results.put((child_id, outcome))


def put_big(results: Any, size: int, put_returned: Any) -> None:
    """Put ``size`` zero bytes in one item, then set the ``put_returned`` Event and return."""
    results.put(bytes(size))
    put_returned.set()


def square_tasks(tasks: Any, results: Any) -> None:
    """Worker for a ``JoinableQueue``: square numbers until ``None``, marking each item done.

    Every item taken from ``tasks`` (the ``None`` too) gets its ``task_done()``.
    """
    while True:
        number = tasks.get(timeout=30)
        if number is None:
            tasks.task_done()
            return
        results.put((number, number * number))
        tasks.task_done()
