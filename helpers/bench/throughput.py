"""Handing back one float64 array from an already-running child, per way back.

**What "return" means here.** The child holds a result that is already computed (its *ready*
array). The clock starts when the parent asks for it and stops when the parent holds a numpy
array with the child's numbers that it can read:

- the copying ways (Pipe, Queue, Manager, Pool, executor): the array the parent receives;
- ``pipe-bytes``: a read-only array over the received ``bytes``; ``pipe-bytes-into``: the
  parent's own warm buffer, filled by ``recv_bytes_into``;
- ``shm-new``: the child creates a fresh segment (name chosen by the parent), copies the result
  in and reports; the parent attaches and wraps it. Closing and unlinking come after the clock;
- ``shm-reused`` and ``rawarray`` (copy-free): the parent made one buffer before the first
  request; the child copies its result into it and reports; the parent wraps the same memory.
  That array stays valid until the parent asks for the next result, which overwrites it.

Every way is verified outside the clock: shape, dtype, first item (the request number), last item.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from multiprocessing.context import BaseContext
from multiprocessing.shared_memory import SharedMemory

import numpy as np

from helpers.bench import child_arrays
from helpers.bench.child_arrays import FILL
from helpers.bench.lifecycle import (
    TIMEOUT_S,
    BenchTimeout,
    ensure_resource_tracker,
    executor,
    manager,
    pool,
    running,
    segments,
    wait_reply,
)

Fetch = Callable[[int], float]
"""Ask for a result of ``n`` float64 items; return the seconds it took (after checking it)."""


class _Tags:
    """Numbers the requests, so each result can be checked against its request."""

    def __init__(self) -> None:
        self.next = 0

    def take(self) -> int:
        self.next += 1
        return self.next


def check(array: np.ndarray, n: int, tag: int, method: str) -> None:
    """Raise unless ``array`` is the result asked for: n float64 items, ``tag`` first."""
    if array.dtype != np.float64 or array.shape != (n,):
        raise RuntimeError(f"{method}: got {array.dtype} {array.shape}, expected float64 ({n},)")
    if array[0] != tag or (n > 1 and array[-1] != FILL):
        raise RuntimeError(f"{method}: the array does not hold the answer to request {tag}")


@contextmanager
def _pipe_session(ctx: BaseContext, target, *extra) -> Iterator:
    """A child running ``target(conn, *extra)``, with the parent's end of the Pipe."""
    here, there = ctx.Pipe()
    try:
        with running(ctx, target, there, *extra):
            there.close()
            yield here
            here.send(None)
    finally:
        here.close()
        there.close()


@contextmanager
def fetch_pipe(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    tags = _Tags()
    with _pipe_session(ctx, child_arrays.send_pickled) as conn:

        def fetch(n: int) -> float:
            tag = tags.take()
            began = time.perf_counter()
            conn.send((n, tag))
            array = wait_reply(conn, "pipe")
            elapsed = time.perf_counter() - began
            check(array, n, tag, "pipe")
            return elapsed

        yield fetch


def _wait_bytes(conn, method: str) -> None:
    if not conn.poll(TIMEOUT_S):
        raise BenchTimeout(f"no reply from the {method} child within {TIMEOUT_S:g} s")


@contextmanager
def fetch_pipe_bytes(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    tags = _Tags()
    with _pipe_session(ctx, child_arrays.send_raw_bytes) as conn:

        def fetch(n: int) -> float:
            tag = tags.take()
            began = time.perf_counter()
            conn.send((n, tag))
            _wait_bytes(conn, "pipe-bytes")
            array = np.frombuffer(conn.recv_bytes(), dtype=np.float64)
            elapsed = time.perf_counter() - began
            check(array, n, tag, "pipe-bytes")
            return elapsed

        yield fetch


@contextmanager
def fetch_pipe_bytes_into(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    tags = _Tags()
    target = np.zeros(max_n)  # warm: every page touched once, before any clock runs
    with _pipe_session(ctx, child_arrays.send_raw_bytes) as conn:

        def fetch(n: int) -> float:
            tag = tags.take()
            began = time.perf_counter()
            conn.send((n, tag))
            _wait_bytes(conn, "pipe-bytes-into")
            conn.recv_bytes_into(target)
            array = target[:n]
            elapsed = time.perf_counter() - began
            check(array, n, tag, "pipe-bytes-into")
            return elapsed

        yield fetch


@contextmanager
def fetch_queue(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    tags = _Tags()
    results = ctx.Queue()
    try:
        with _pipe_session(ctx, child_arrays.put_on_queue, results) as conn:

            def fetch(n: int) -> float:
                tag = tags.take()
                began = time.perf_counter()
                conn.send((n, tag))
                array = results.get(timeout=TIMEOUT_S)
                elapsed = time.perf_counter() - began
                check(array, n, tag, "queue")
                return elapsed

            yield fetch
    finally:
        results.close()
        results.join_thread()


@contextmanager
def fetch_shm_new(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    tags = _Tags()
    ensure_resource_tracker()  # the child registers each segment it creates with it
    with segments() as made, _pipe_session(ctx, child_arrays.copy_into_new_segment) as conn:

        def fetch(n: int) -> float:
            tag = tags.take()
            name = made.new_name()
            began = time.perf_counter()
            conn.send((n, tag, name))
            wait_reply(conn, "shm-new")
            shm = SharedMemory(name=name)
            array = np.frombuffer(shm.buf, dtype=np.float64, count=n)
            elapsed = time.perf_counter() - began
            try:
                conn.send("attached")  # the child may close its handle now (Windows: not before)
                check(array, n, tag, "shm-new")
            finally:
                del array
                made.release(shm)
            return elapsed

        yield fetch


def _fetch_copy_free(conn, memory, method: str) -> Fetch:
    tags = _Tags()

    def fetch(n: int) -> float:
        tag = tags.take()
        began = time.perf_counter()
        conn.send((n, tag))
        wait_reply(conn, method)
        array = np.frombuffer(memory, dtype=np.float64, count=n)
        elapsed = time.perf_counter() - began
        check(array, n, tag, method)
        return elapsed

    return fetch


@contextmanager
def fetch_shm_reused(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    with segments() as made:
        shm = made.create(max_n * 8)
        try:
            np.frombuffer(shm.buf, dtype=np.float64, count=max_n)[:] = 0.0  # touch every page
            with _pipe_session(ctx, child_arrays.copy_into_buffer, shm.name) as conn:
                yield _fetch_copy_free(conn, shm.buf, "shm-reused")
        finally:
            made.release(shm)


@contextmanager
def fetch_rawarray(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    raw = ctx.RawArray("d", max_n)  # zero-filled when made, so every page is touched
    with _pipe_session(ctx, child_arrays.copy_into_buffer, raw) as conn:
        yield _fetch_copy_free(conn, raw, "rawarray")


@contextmanager
def fetch_manager(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    tags = _Tags()
    with manager(ctx) as mgr:
        shared = mgr.dict()
        with _pipe_session(ctx, child_arrays.store_in_manager, shared) as conn:

            def fetch(n: int) -> float:
                tag = tags.take()
                began = time.perf_counter()
                conn.send((n, tag))
                wait_reply(conn, "manager")
                array = shared["result"]
                elapsed = time.perf_counter() - began
                check(array, n, tag, "manager")
                return elapsed

            yield fetch


@contextmanager
def fetch_pool(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    tags = _Tags()
    with pool(ctx) as workers:

        def fetch(n: int) -> float:
            tag = tags.take()
            began = time.perf_counter()
            array = workers.apply_async(child_arrays.return_ready, (n, tag)).get(timeout=TIMEOUT_S)
            elapsed = time.perf_counter() - began
            check(array, n, tag, "pool")
            return elapsed

        yield fetch


@contextmanager
def fetch_executor(ctx: BaseContext, max_n: int) -> Iterator[Fetch]:
    tags = _Tags()
    with executor(ctx) as workers:

        def fetch(n: int) -> float:
            tag = tags.take()
            began = time.perf_counter()
            array = workers.submit(child_arrays.return_ready, n, tag).result(timeout=TIMEOUT_S)
            elapsed = time.perf_counter() - began
            check(array, n, tag, "executor")
            return elapsed

        yield fetch


THROUGHPUT: dict[str, Callable[[BaseContext, int], AbstractContextManager[Fetch]]] = {
    "pipe": fetch_pipe,
    "pipe-bytes": fetch_pipe_bytes,
    "pipe-bytes-into": fetch_pipe_bytes_into,
    "queue": fetch_queue,
    "shm-new": fetch_shm_new,
    "shm-reused": fetch_shm_reused,
    "rawarray": fetch_rawarray,
    "manager": fetch_manager,
    "pool": fetch_pool,
    "executor": fetch_executor,
}
