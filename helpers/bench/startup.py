"""Start + join cost of one child per start method (an empty target, so only the start counts)."""

from __future__ import annotations

import multiprocessing
import time

from helpers.bench import child_start
from helpers.bench.lifecycle import TIMEOUT_S, BenchTimeout, sigint_blocked, stop_process
from helpers.bench.stats import summary
from helpers.context import START_METHODS, get_context


def available_start_methods() -> list[str]:
    """The course's start methods that this platform offers, in the course's order."""
    return [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]


def start_join_seconds(method: str) -> float:
    """Seconds to start one child with ``method`` and join it."""
    ctx = get_context(method)
    process = ctx.Process(target=child_start.do_nothing, daemon=True)
    try:
        began = time.perf_counter()
        with sigint_blocked():
            process.start()
        process.join(TIMEOUT_S)
        elapsed = time.perf_counter() - began
        if process.exitcode != 0:
            raise BenchTimeout(
                f"a {method} child did not exit cleanly (exit code {process.exitcode})"
            )
        return elapsed
    finally:
        stop_process(process, 0.0)


def measure_start(method: str, repeats: int) -> dict[str, float | int | str]:
    """Median start + join of ``repeats`` children; the first one (which may also start a
    forkserver or import modules for the first time) is reported apart as ``first_ms``."""
    first = start_join_seconds(method)
    times = [start_join_seconds(method) for _ in range(repeats)]
    stats = summary(times, scale=1000.0)
    return {
        "start_method": method,
        "median_ms": stats["median"],
        "q1_ms": stats["q1"],
        "q3_ms": stats["q3"],
        "first_ms": first * 1000.0,
        "repeats": repeats,
    }
