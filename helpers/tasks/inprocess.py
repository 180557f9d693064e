"""Work for 10-without-a-child-process: what threads and subinterpreters run.

Subinterpreters find a function by importing its module, as spawn children do, so everything
an interpreter or an ``InterpreterPoolExecutor`` runs is defined here, at top level.
"""

from __future__ import annotations

import threading
from typing import Any


def count_primes(limit: int) -> int:
    """How many primes are below ``limit``: pure Python work for the CPU, no I/O."""
    count = 0
    for n in range(2, limit):
        if all(n % d for d in range(2, int(n**0.5) + 1)):
            count += 1
    return count


def square(x: int) -> int:
    """Return ``x * x``."""
    return x * x


def echo(value: Any) -> Any:
    """Return ``value`` unchanged: one round trip and nothing else."""
    return value


def nothing() -> None:
    """Do nothing: what is left of a call is the cost of making it."""


def make_result(label: str, numbers: list[int]) -> dict[str, Any]:
    """A result object: ``label`` and the sum of ``numbers``."""
    return {"label": label, "total": sum(numbers)}


def add_one_unsafely(counter: dict[str, int], everyone_has_read: threading.Barrier) -> None:
    """Read the count, wait until every thread has read it too, then write it plus one."""
    value = counter["count"]
    everyone_has_read.wait(timeout=10)  # every thread now holds the same old value
    counter["count"] = value + 1


def add_one_locked(counter: dict[str, int], lock: threading.Lock) -> None:
    """The same read-modify-write, with nobody else in between: the lock is held throughout."""
    with lock:
        value = counter["count"]
        counter["count"] = value + 1


def put_square(results: Any, x: int) -> None:
    """Put ``x * x`` on ``results``, a ``concurrent.interpreters`` queue."""
    results.put(x * x)


def square_and_interpreter(x: int) -> tuple[int, int]:
    """Return ``x * x`` and the id of the interpreter that computed it (Python 3.14+)."""
    from concurrent import interpreters

    return x * x, interpreters.get_current().id
