"""Physical references: how fast this machine copies memory, and how fast its pipes are.

- memcpy: ``np.copyto`` from one warm buffer into another warm buffer, in this process;
- pipe and socketpair: a child writes raw bytes (1 MiB writes) and the parent reads them into a
  warm buffer with ``readinto``; ``Pipe(duplex=False)`` is an ``os.pipe`` (what ``Queue``,
  ``SimpleQueue`` and pools use), ``Pipe()`` is a ``socketpair`` (what ``Pipe`` and managers use);
- round trip: the parent writes one byte, the child writes it back, on a ``socketpair``.

A shared machine's speed changes from second to second, so a run takes its memcpy and round-trip
references in bursts spread over the run (``runner``) and reports the median of all of them.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext

import numpy as np

from helpers.bench import child_raw
from helpers.bench.lifecycle import TIMEOUT_S, BenchTimeout, running
from helpers.bench.stats import summary
from helpers.bench.timing import Budget, repeat


class Memcpy:
    """Two warm float64 buffers of ``max_bytes``; ``once(n)`` times copying n items across."""

    def __init__(self, max_bytes: int) -> None:
        self.source = np.full(max_bytes // 8, 0.5)
        self.target = np.zeros(max_bytes // 8)
        np.copyto(self.target, self.source)  # every page of both touched once

    def once(self, n: int) -> float:
        source, target = self.source[:n], self.target[:n]
        began = time.perf_counter()
        np.copyto(target, source)
        return time.perf_counter() - began


def memcpy_seconds(nbytes: int, budget: Budget) -> list[float]:
    """Seconds per ``np.copyto`` of ``nbytes`` between two warm float64 buffers."""
    copier = Memcpy(nbytes)
    return repeat(lambda: copier.once(nbytes // 8), budget)


def read_exactly(fd: int, target: memoryview, timeout: float = TIMEOUT_S) -> None:
    """Fill ``target`` from ``fd``, reading straight into it."""
    reader = io.FileIO(fd, "rb", closefd=False)
    got = 0
    while got < len(target):
        if not child_raw.readable(fd, timeout):
            raise BenchTimeout(f"the streaming child sent nothing for {timeout:g} s")
        count = reader.readinto(target[got:])
        if not count:
            raise EOFError("the streaming child closed its end early")
        got += count


def stream_seconds(ctx: BaseContext, duplex: bool, nbytes: int, budget: Budget) -> list[float]:
    """Seconds to receive ``nbytes`` of raw bytes from a child over an os.pipe
    (``duplex=False``) or a socketpair (``duplex=True``)."""
    control_here, control_there = ctx.Pipe()
    if duplex:
        data_here, data_there = ctx.Pipe(duplex=True)
    else:
        data_here, data_there = ctx.Pipe(duplex=False)  # (reading end, writing end)
    target = memoryview(bytearray(nbytes))
    try:
        with running(ctx, child_raw.stream, control_there, data_there):
            control_there.close()
            data_there.close()

            def once() -> float:
                began = time.perf_counter()
                control_here.send(nbytes)
                read_exactly(data_here.fileno(), target)
                return time.perf_counter() - began

            samples = repeat(once, budget)
            control_here.send(None)
    finally:
        for conn in (control_here, control_there, data_here, data_there):
            conn.close()
    return samples


@contextmanager
def echo(ctx: BaseContext) -> Iterator[Callable[[int], list[float]]]:
    """A child that echoes bytes on a socketpair; yields ``round_trips(k)``, which returns the
    seconds of ``k`` 1-byte round trips (after a short warm-up)."""
    here, there = ctx.Pipe()
    fd = here.fileno()
    try:
        with running(ctx, child_raw.echo_byte, there):
            there.close()

            def once() -> float:
                began = time.perf_counter()
                os.write(fd, b"x")
                if not child_raw.readable(fd, TIMEOUT_S):
                    raise BenchTimeout("the echo child did not answer")
                os.read(fd, 1)
                return time.perf_counter() - began

            def round_trips(k: int) -> list[float]:
                return repeat(once, Budget(0.0, k, k, warmup=max(20, k // 20)))

            yield round_trips
            os.write(fd, child_raw.QUIT)
    finally:
        here.close()
        there.close()


def roundtrip_seconds(ctx: BaseContext, samples: int) -> list[float]:
    """Seconds per 1-byte round trip with a child over a socketpair, ``samples`` times."""
    with echo(ctx) as round_trips:
        return round_trips(samples)


def gbps(nbytes: int, seconds: float) -> float:
    """Decimal gigabytes per second."""
    return nbytes / seconds / 1e9


def throughput_summary(nbytes: int, samples: list[float]) -> dict[str, float]:
    """GB/s from the median, with the quartiles of the seconds."""
    stats = summary(samples)
    return {
        "bytes": nbytes,
        "median_s": stats["median"],
        "q1_s": stats["q1"],
        "q3_s": stats["q3"],
        "repeats": stats["samples"],
        "GBps": gbps(nbytes, stats["median"]),
    }
