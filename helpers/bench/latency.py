"""Round trip of one small result from an already-running child, per way back.

The clock starts when the parent asks and stops when it holds the float. The child is started
(and warmed up) before the first timed round trip, so no start-up cost is counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from multiprocessing.context import BaseContext

from helpers.bench import child_latency
from helpers.bench.child_latency import answer, simplequeue_poll
from helpers.bench.lifecycle import (
    TIMEOUT_S,
    BenchTimeout,
    executor,
    manager,
    pool,
    running,
    wait_reply,
)
from helpers.bench.timing import Budget, repeat

WARMUP_FRACTION = 20
"""One warm-up round trip per this many timed ones (at least 20)."""


def _budget(samples: int) -> Budget:
    return Budget(0.0, samples, samples, warmup=max(20, samples // WARMUP_FRACTION))


def _check(got: float, tag: int, method: str) -> None:
    if got != answer(tag):
        raise RuntimeError(f"{method}: got {got!r} for request {tag}, expected {answer(tag)!r}")


def _value_round_trips(ctx: BaseContext, value, samples: int, method: str) -> list[float]:
    """The Value protocol: set ``request``, wait for ``done``, read ``value``."""
    request, done, stop = ctx.Event(), ctx.Event(), ctx.Event()
    tag = 0
    with running(ctx, child_latency.answer_in_value, value, request, done, stop):

        def once() -> float:
            nonlocal tag
            began = time.perf_counter()
            request.set()
            if not done.wait(TIMEOUT_S):
                raise BenchTimeout(f"no answer from the {method} child")
            done.clear()
            got = value.value
            elapsed = time.perf_counter() - began
            _check(got, tag, method)
            tag += 1
            return elapsed

        times = repeat(once, _budget(samples))
        stop.set()
        request.set()
    return times


def latency_value(ctx: BaseContext, samples: int) -> list[float]:
    """``Value('d')`` written by the child; two ``Event``s say "please" and "done"."""
    return _value_round_trips(ctx, ctx.Value("d", -1.0), samples, "value")


def latency_manager(ctx: BaseContext, samples: int) -> list[float]:
    """The same protocol, but the number lives in a Manager (each access is a message to it)."""
    with manager(ctx) as mgr:
        return _value_round_trips(ctx, mgr.Value("d", -1.0), samples, "manager")


def latency_pipe(ctx: BaseContext, samples: int) -> list[float]:
    """``conn.send(tag)`` to the child, ``conn.recv()`` its answer."""
    here, there = ctx.Pipe()
    tag = 0
    try:
        with running(ctx, child_latency.answer_on_pipe, there):
            there.close()

            def once() -> float:
                nonlocal tag
                began = time.perf_counter()
                here.send(tag)
                got = wait_reply(here, "pipe")
                elapsed = time.perf_counter() - began
                _check(got, tag, "pipe")
                tag += 1
                return elapsed

            times = repeat(once, _budget(samples))
            here.send(None)
    finally:
        here.close()
        there.close()
    return times


def latency_queue(ctx: BaseContext, samples: int) -> list[float]:
    """``put`` on one ``Queue``, ``get`` the answer from another."""
    asks, answers = ctx.Queue(), ctx.Queue()
    tag = 0
    try:
        with running(ctx, child_latency.answer_on_queue, asks, answers):

            def once() -> float:
                nonlocal tag
                began = time.perf_counter()
                asks.put(tag)
                got = answers.get(timeout=TIMEOUT_S)
                elapsed = time.perf_counter() - began
                _check(got, tag, "queue")
                tag += 1
                return elapsed

            times = repeat(once, _budget(samples))
            asks.put(None)
    finally:
        for q in (asks, answers):
            q.close()
            q.join_thread()
    return times


def latency_simplequeue(ctx: BaseContext, samples: int) -> list[float]:
    """``put`` on one ``SimpleQueue``, ``get`` the answer from another (no feeder thread)."""
    asks, answers = ctx.SimpleQueue(), ctx.SimpleQueue()
    tag = 0
    try:
        with running(ctx, child_latency.answer_on_simplequeue, asks, answers):

            def once() -> float:
                nonlocal tag
                began = time.perf_counter()
                asks.put(tag)
                if not simplequeue_poll(answers, TIMEOUT_S):
                    raise BenchTimeout("no answer from the simplequeue child")
                got = answers.get()
                elapsed = time.perf_counter() - began
                _check(got, tag, "simplequeue")
                tag += 1
                return elapsed

            times = repeat(once, _budget(samples))
            asks.put(None)
    finally:
        asks.close()
        answers.close()
    return times


def latency_pool(ctx: BaseContext, samples: int) -> list[float]:
    """``pool.apply_async(answer, (tag,)).get(timeout)`` on a one-worker ``Pool``."""
    tag = 0
    with pool(ctx) as workers:

        def once() -> float:
            nonlocal tag
            began = time.perf_counter()
            got = workers.apply_async(answer, (tag,)).get(timeout=TIMEOUT_S)
            elapsed = time.perf_counter() - began
            _check(got, tag, "pool")
            tag += 1
            return elapsed

        return repeat(once, _budget(samples))


def latency_executor(ctx: BaseContext, samples: int) -> list[float]:
    """``executor.submit(answer, tag).result(timeout)`` on a one-worker ``ProcessPoolExecutor``."""
    tag = 0
    with executor(ctx) as workers:

        def once() -> float:
            nonlocal tag
            began = time.perf_counter()
            got = workers.submit(answer, tag).result(timeout=TIMEOUT_S)
            elapsed = time.perf_counter() - began
            _check(got, tag, "executor")
            tag += 1
            return elapsed

        return repeat(once, _budget(samples))


LATENCY: dict[str, Callable[[BaseContext, int], list[float]]] = {
    "value": latency_value,
    "pipe": latency_pipe,
    "queue": latency_queue,
    "simplequeue": latency_simplequeue,
    "manager": latency_manager,
    "pool": latency_pool,
    "executor": latency_executor,
}
