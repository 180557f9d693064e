"""Where the time of the slower ways goes: each step they take, timed alone in this process.

- ``memcpy (warm)``: the one copy the copy-free ways make;
- ``first touch of fresh pages``: writing memory the operating system has just handed out
  (a private anonymous ``mmap``, as ``malloc`` gets for big blocks): every 4 KB page costs a
  page fault the first time;
- ``first touch of fresh huge pages``: the same after ``madvise(MADV_HUGEPAGE)`` (Linux), which
  numpy asks for on its arrays of 4 MB and more: one fault per 2 MB page instead of per 4 KB;
- ``copy into a fresh buffer``: a copy into an array just allocated with ``np.empty``, as every
  copying way ends; the allocator reuses freed memory up to a few tens of MB (no faults), but
  above that every new array is fresh pages;
- ``new segment: create + first copy``: what ``shm-new`` pays for each result;
- ``pickle.dumps``: what ``Connection.send``, ``Queue.put`` and pools do first
  (``ForkingPickler``, with multiprocessing's default protocol);
- ``pickle.loads``: what the receiving side does last;
- ``BytesIO assembly``: ``Connection`` reads a message in chunks and writes them into an
  ``io.BytesIO`` (CPython gh-96059): one more copy, into a buffer that keeps growing.
"""

from __future__ import annotations

import io
import mmap
import time
from collections.abc import Callable
from multiprocessing.reduction import ForkingPickler

import numpy as np

from helpers.bench.lifecycle import segments
from helpers.bench.references import throughput_summary
from helpers.bench.timing import Budget, repeat

SOCKET_CHUNK = 212_992
"""About what one read from a Unix socket returns (its default buffer on Linux, 208 KB)."""

PRIVATE = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
"""Private anonymous memory, what ``malloc`` gets for a big block (``mmap``'s default, shared
memory, would be backed like a /dev/shm segment instead)."""

HUGE_PAGES = hasattr(mmap, "MADV_HUGEPAGE")
"""Linux only: elsewhere the huge-page step is left out."""

STEPS = tuple(
    s
    for s in (
        "memcpy (warm)",
        "first touch of fresh pages",
        "first touch of fresh huge pages",
        "copy into a fresh buffer",
        "new segment: create + first copy",
        "pickle.dumps",
        "pickle.loads",
        "BytesIO assembly",
    )
    if HUGE_PAGES or "huge" not in s
)


def _timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def step_seconds(step: str, nbytes: int, budget: Budget) -> list[float]:
    """Seconds per run of one ``step`` on ``nbytes`` of float64 data."""
    n = nbytes // 8
    source = np.full(n, 0.5)
    if step == "memcpy (warm)":
        target = np.zeros(n)
        return repeat(lambda: _timed(lambda: np.copyto(target, source)), budget)
    if step in ("first touch of fresh pages", "first touch of fresh huge pages"):
        huge = step.endswith("huge pages")

        def touch() -> None:
            pages = mmap.mmap(-1, nbytes, flags=PRIVATE)
            if huge:
                pages.madvise(mmap.MADV_HUGEPAGE)
            np.frombuffer(pages, dtype=np.float64, count=n)[:] = 0.5
            pages.close()

        return repeat(lambda: _timed(touch), budget)
    if step == "copy into a fresh buffer":
        return repeat(lambda: _timed(lambda: np.copyto(np.empty(n), source)), budget)
    if step == "new segment: create + first copy":
        with segments() as made:

            def once() -> float:
                began = time.perf_counter()
                shm = made.create(nbytes)
                view = np.frombuffer(shm.buf, dtype=np.float64, count=n)
                np.copyto(view, source)
                elapsed = time.perf_counter() - began
                del view
                made.release(shm)
                return elapsed

            return repeat(once, budget)
    if step == "pickle.dumps":
        return repeat(lambda: _timed(lambda: ForkingPickler.dumps(source)), budget)
    if step == "pickle.loads":
        data = ForkingPickler.dumps(source)
        return repeat(lambda: _timed(lambda: ForkingPickler.loads(data)), budget)
    if step == "BytesIO assembly":
        raw = memoryview(source).cast("B")
        chunks = [bytes(raw[i : i + SOCKET_CHUNK]) for i in range(0, nbytes, SOCKET_CHUNK)]

        def assemble() -> None:
            buffer = io.BytesIO()
            for chunk in chunks:
                buffer.write(chunk)
            buffer.getvalue()

        return repeat(lambda: _timed(assemble), budget)
    raise ValueError(f"unknown step {step!r}; choose from {', '.join(STEPS)}")


def measure_step(step: str, nbytes: int, budget: Budget) -> dict[str, float | int | str]:
    """Median seconds and GB/s of one step."""
    return {"step": step, **throughput_summary(nbytes, step_seconds(step, nbytes, budget))}
