"""Child-side code for notebook 04: handing results back through a manager process.

A manager is a server process that owns ordinary Python objects; parent and children hold
proxies to them, and every proxy access is a message to the manager and a reply. Children
stay silent: they write through the proxies they were given and the parent prints.

``Tally`` and ``TallyManager`` live here, not in the notebook, because a manager started
with spawn or forkserver must import the classes it serves by name.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
from collections.abc import MutableMapping, MutableSequence
from contextlib import AbstractContextManager
from multiprocessing import current_process
from multiprocessing.managers import BaseManager
from typing import Any, Protocol

WAIT_S = 10.0  # how long a child waits for a barrier or a signal before giving up
FAILED_EXIT_CODE = 1  # a child that caught its own exception exits with this code
MANAGER_GONE_EXIT_CODE = 3  # a child whose proxy call failed because the manager went away


class HasValue(Protocol):
    """Anything with a ``.value`` attribute, such as a manager's ``Value`` proxy."""

    value: Any


class Signal(Protocol):
    """What a child needs from an Event: ``set`` and ``wait`` with a timeout."""

    def set(self) -> None: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class Waitable(Protocol):
    """What a child needs from a Barrier: ``wait`` with a timeout."""

    def wait(self, timeout: float | None = None) -> int: ...


def draw(seed: int) -> float:
    """Return the first random number in [0, 1) of a generator seeded with ``seed``."""
    return random.Random(seed).random()


# ---- 1. four return channels -------------------------------------------------------------


def put_in_value(box: HasValue, seed: int) -> None:
    """Draw a seeded number and store it as ``box.value`` (one round trip to the manager)."""
    box.value = draw(seed)


def append_to_list(results: MutableSequence[tuple[int, float]], seed: int) -> None:
    """Draw a seeded number and append ``(seed, number)`` to a shared list."""
    results.append((seed, draw(seed)))


def store_in_dict(results: MutableMapping[int, float], seed: int) -> None:
    """Draw a seeded number and store it under its seed in a shared dict."""
    results[seed] = draw(seed)


def set_on_namespace(namespace: Any, seed: int) -> None:
    """Draw a seeded number and set it as the attribute ``seed_<seed>`` of a shared Namespace."""
    setattr(namespace, f"seed_{seed}", draw(seed))


# ---- 2. lost updates and their fixes -----------------------------------------------------


def read_wait_write(counter: HasValue, barrier: Waitable, timeout: float = WAIT_S) -> None:
    """Read ``counter.value``, wait until every child has read it, then write it back plus one.

    The barrier forces the unlucky interleaving that ``counter.value += 1`` allows anyway:
    every child reads the same old value, so all but one of the increments are lost.
    """
    seen = counter.value
    barrier.wait(timeout)
    counter.value = seen + 1


def add_unlocked(
    results: MutableMapping[str, int], key: str, times: int, start: Waitable | None = None
) -> None:
    """Wait at ``start`` (a Barrier), then do ``results[key] += 1`` ``times`` times.

    Each ``+=`` is a read and a write, two separate round trips; the barrier makes the
    children count at the same time, so their reads and writes interleave.
    """
    if start is not None:
        start.wait(WAIT_S)
    for _ in range(times):
        results[key] += 1


def add_locked(
    results: MutableMapping[str, int],
    key: str,
    times: int,
    lock: AbstractContextManager,
    start: Waitable | None = None,
) -> None:
    """Wait at ``start``, then do ``results[key] += 1`` ``times`` times, holding ``lock``."""
    if start is not None:
        start.wait(WAIT_S)
    for _ in range(times):
        with lock:
            results[key] += 1


# ---- 3. your own type in a manager -------------------------------------------------------


class Tally:
    """Named counts that live in a manager process and are updated by one method call.

    The manager serves every connected process from its own thread, so two calls can run at
    the same time; a ``threading.Lock`` (which never leaves the manager) makes ``add`` whole.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._served_by: set[str] = set()

    def add(self, key: str, amount: int = 1) -> int:
        """Add ``amount`` to the count of ``key`` and return the new count."""
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + amount
            self._served_by.add(threading.current_thread().name)
            return self._counts[key]

    def counts(self) -> dict[str, int]:
        """Return a copy of all counts."""
        with self._lock:
            return dict(self._counts)

    def served_by(self) -> list[str]:
        """Return the sorted names of the manager threads that ran ``add``."""
        with self._lock:
            return sorted(self._served_by)

    def pid(self) -> int:
        """Return the process id of the process the tally lives in."""
        return os.getpid()


class TallyManager(BaseManager):
    """A manager that serves ``Tally`` objects: ``TallyManager(ctx=ctx).Tally()``."""


TallyManager.register("Tally", Tally)


def tally_many(tally: Any, key: str, times: int) -> None:
    """Call ``tally.add(key)`` ``times`` times: each call is one round trip, done whole."""
    for _ in range(times):
        tally.add(key)


# ---- 4. authkey --------------------------------------------------------------------------


def authkey_fingerprint() -> str:
    """Return the first 16 hex digits of a SHA-256 of this process's authkey (not the key)."""
    return hashlib.sha256(bytes(current_process().authkey)).hexdigest()[:16]


def report_authkey(results: MutableMapping[str, str], name: str) -> None:
    """Store this process's authkey fingerprint under ``name`` in a shared dict."""
    results[name] = authkey_fingerprint()


# ---- 5. failures -------------------------------------------------------------------------


def reciprocals_until_failure(
    items: list[int], results: MutableMapping[int, float], errors: MutableSequence[str]
) -> None:
    """Store ``1 / item`` for each item; on the first failure record it and exit with code 1.

    Every proxy call has finished when it returns, so what was stored before the failure
    stays in the manager. ``os._exit`` ends the child at once and prints nothing.
    """
    try:
        for item in items:
            results[item] = 1 / item
    except Exception as exc:
        errors.append(f"{type(exc).__name__} at item {item}")
        os._exit(FAILED_EXIT_CODE)


def write_after_signal(
    results: MutableSequence[str], wrote: Signal, go_on: Signal, timeout: float = WAIT_S
) -> None:
    """Append once, signal ``wrote``, wait for ``go_on``, then append again.

    If the second append fails because the manager has gone away, exit with
    ``MANAGER_GONE_EXIT_CODE`` (a proxy call then raises an OSError such as
    BrokenPipeError, or EOFError, depending on where the connection broke).
    """
    results.append("before")
    wrote.set()
    go_on.wait(timeout)
    try:
        results.append("after")
    except (OSError, EOFError):
        os._exit(MANAGER_GONE_EXIT_CODE)
