"""Child-side code for notebook 01: handing results back through shared ``Value`` and ``Array``.

Children stay silent: they write into the shared memory they were given at start, and the
parent reads and prints. Every random number comes from a seed the parent passes in, so the
parent can recompute what a child drew and compare.
"""

from __future__ import annotations

import random
import time
from collections.abc import MutableSequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

START_WAIT_S = 10.0  # how long a counting child waits at the starting line before giving up


class HasValue(Protocol):
    """Anything with a ``.value`` attribute: a ``Value``, a ``RawValue``, a ctypes number."""

    value: Any


class StartingLine(Protocol):
    """What a counting child needs to start together with the others: a ``ctx.Barrier``."""

    def wait(self, timeout: float | None = None) -> int: ...


def draw(seed: int) -> float:
    """Return the first random number in [0, 1) of a generator seeded with ``seed``."""
    return random.Random(seed).random()


def draws(seed: int, count: int) -> list[float]:
    """Return the first ``count`` random numbers in [0, 1) of a generator seeded with ``seed``."""
    rng = random.Random(seed)
    return [rng.random() for _ in range(count)]


def draw_and_store(out: HasValue, seed: int) -> None:
    """Draw a seeded number, work for a tenth of it in seconds, then store it in ``out.value``."""
    number = draw(seed)
    time.sleep(number / 10)
    out.value = number


def fill_with_draws(out: MutableSequence[float], seed: int) -> None:
    """Fill the whole shared array ``out`` with seeded random numbers, in one slice assignment."""
    out[:] = draws(seed, len(out))


def draw_into_slot(results: MutableSequence[float], index: int, seed: int) -> None:
    """Draw a seeded number, work a tenth of it in seconds, then write it to ``results[index]``."""
    number = draw(seed)
    time.sleep(number / 10)
    results[index] = number


def count_unlocked(counter: HasValue, times: int, start: StartingLine) -> None:
    """Wait until everyone is at ``start``, then add 1 ``times`` times, with no lock held."""
    start.wait(START_WAIT_S)
    for _ in range(times):
        counter.value += 1


def count_locked(counter: Any, times: int, start: StartingLine) -> None:
    """Wait until everyone is at ``start``, then add 1 ``times`` times, holding the Value's lock."""
    start.wait(START_WAIT_S)
    for _ in range(times):
        with counter.get_lock():
            counter.value += 1


def count_with_lock(
    counter: HasValue, lock: AbstractContextManager, times: int, start: StartingLine
) -> None:
    """Wait until everyone is at ``start``, then add 1 ``times`` times, holding ``lock``."""
    start.wait(START_WAIT_S)
    for _ in range(times):
        with lock:
            counter.value += 1


_pool_counter: Any = None
"""The shared counter a pool worker was handed by ``keep_counter`` when it started."""


def keep_counter(counter: Any) -> None:
    """Pool initializer: keep the ``Value`` this worker was given at start, for its tasks."""
    global _pool_counter
    _pool_counter = counter


def add_to_kept_counter(amount: int) -> int:
    """Pool task: add ``amount`` to the counter ``keep_counter`` kept, holding its lock."""
    if _pool_counter is None:
        raise RuntimeError("no counter: start the pool with initializer=keep_counter")
    with _pool_counter.get_lock():
        _pool_counter.value += amount
    return amount


def add_to_counter(counter: Any, amount: int) -> int:
    """Add ``amount`` to ``counter`` holding its lock (a task that is handed the Value itself)."""
    with counter.get_lock():
        counter.value += amount
    return amount


class RecordingLock:
    """A lock that writes "acquire" and "release" to ``log`` each time, then passes the call on.

    Give it to ``ctx.Value(..., lock=RecordingLock(ctx.RLock(), log))`` to see how often a
    line of code takes the Value's lock. It is for looking inside the parent, not for children.
    """

    def __init__(self, lock: Any, log: list[str]) -> None:
        self._lock = lock
        self.log = log

    def acquire(self, *args: Any, **kwargs: Any) -> bool:
        self.log.append("acquire")
        return self._lock.acquire(*args, **kwargs)

    def release(self) -> None:
        self.log.append("release")
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
