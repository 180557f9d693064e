"""Unit tests of helpers.tasks.pools, run in real pools under every start method."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import random
import sys
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from helpers.context import START_METHODS, get_context
from helpers.tasks import pools

METHODS = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]
WAIT_S = 30  # generous bound for every wait: the test machine is shared and slow


@pytest.fixture(params=METHODS)
def ctx(request):
    return get_context(request.param)


def test_draw_returns_the_seeded_number_in_the_parent_process():
    assert pools.draw(7) == random.Random(7).random()
    assert 0.0 <= pools.draw(8) < 1.0


def test_pool_returns_draws_in_order(ctx):
    seeds = [1, 2, 3, 4]
    with ctx.Pool(2) as pool:
        one = pool.apply_async(pools.draw, (5,)).get(timeout=WAIT_S)
        many = pool.map_async(pools.draw, seeds).get(timeout=WAIT_S)
        pool.close()
        pool.join()
    assert one == random.Random(5).random()
    assert many == [random.Random(s).random() for s in seeds]


def test_timed_draw_runs_in_a_worker_and_reports_its_times(ctx):
    with ctx.Pool(2) as pool:
        results = pool.map_async(pools.timed_draw, range(4), chunksize=1).get(timeout=WAIT_S)
        pool.close()
        pool.join()
    assert [r[0] for r in results] == [0, 1, 2, 3]
    for seed, pid, started, finished in results:
        assert pid != os.getpid()
        assert finished - started >= random.Random(seed).random() / 10 - 0.005
    assert len({r[1] for r in results}) <= 2


def test_nap_sleeps_at_least_as_long_as_asked():
    began = time.monotonic()
    assert pools.nap(0.05) == 0.05
    assert time.monotonic() - began >= 0.05


def test_pool_get_timeout_raises_multiprocessing_timeout_error(ctx):
    with ctx.Pool(1) as pool:
        pending = pool.apply_async(pools.nap, (0.2,))
        with pytest.raises(multiprocessing.TimeoutError):
            pending.get(timeout=0.05)
        assert pending.get(timeout=WAIT_S) == 0.2
        pool.close()
        pool.join()
    assert not issubclass(multiprocessing.TimeoutError, TimeoutError)


def test_executor_result_timeout_raises_futures_timeout_error(ctx):
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as executor:
        future = executor.submit(pools.nap, 0.2)
        with pytest.raises(cf.TimeoutError):
            future.result(timeout=0.05)
        assert future.result(timeout=WAIT_S) == 0.2
    assert (cf.TimeoutError is TimeoutError) == (sys.version_info >= (3, 11))


def test_executor_reraises_the_worker_exception_with_its_traceback(ctx):
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as executor:
        assert executor.submit(pools.square_root, 9.0).result(timeout=WAIT_S) == 3.0
        future = executor.submit(pools.square_root, -4.0)
        with pytest.raises(ValueError, match="cannot take the square root of -4.0") as caught:
            future.result(timeout=WAIT_S)
    remote = caught.value.__cause__
    assert type(remote).__name__ == "_RemoteTraceback"
    assert "in square_root" in str(remote)
    assert "ValueError: cannot take the square root of -4.0" in str(remote)


def test_pool_reraises_the_worker_exception_with_its_traceback(ctx):
    with ctx.Pool(1) as pool:
        pending = pool.apply_async(pools.square_root, (-1.0,))
        with pytest.raises(ValueError) as caught:
            pending.get(timeout=WAIT_S)
        pool.close()
        pool.join()
    assert type(caught.value.__cause__).__name__ == "RemoteTraceback"
    assert "in square_root" in str(caught.value.__cause__)


def test_exit_abruptly_breaks_the_executor(ctx):
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as executor:
        future = executor.submit(pools.exit_abruptly, 1)
        with pytest.raises(BrokenProcessPool):
            future.result(timeout=WAIT_S)
        with pytest.raises(BrokenProcessPool):
            executor.submit(pools.draw, 1)


def test_exit_abruptly_in_a_pool_loses_the_result_and_the_worker_is_replaced(ctx):
    with ctx.Pool(1) as pool:
        before = pool.apply_async(pools.worker_pid).get(timeout=WAIT_S)
        lost = pool.apply_async(pools.exit_abruptly, (1,))
        with pytest.raises(multiprocessing.TimeoutError):
            lost.get(timeout=1)
        after = pool.apply_async(pools.worker_pid).get(timeout=WAIT_S)
        pool.terminate()
    assert not lost.ready()
    assert before != after


def test_initializer_sets_the_offset_in_workers_only(ctx):
    with ctx.Pool(2, initializer=pools.set_offset, initargs=(100,)) as pool:
        results = pool.map_async(pools.add_offset, [1, 2, 3]).get(timeout=WAIT_S)
        pool.close()
        pool.join()
    assert [value for value, _ in results] == [101, 102, 103]
    assert all(pid != os.getpid() for _, pid in results)
    assert pools._offset is None
    with pytest.raises(RuntimeError):
        pools.add_offset(1)


def test_executor_initializer(ctx):
    with cf.ProcessPoolExecutor(
        2, mp_context=ctx, initializer=pools.set_offset, initargs=(5,)
    ) as executor:
        results = list(executor.map(pools.add_offset, [0, 1], timeout=WAIT_S))
    assert [value for value, _ in results] == [5, 6]


def test_maxtasksperchild_gives_every_task_a_fresh_worker(ctx):
    with ctx.Pool(2, maxtasksperchild=1) as pool:
        pids = pool.map_async(pools.worker_pid, range(4), chunksize=1).get(timeout=WAIT_S)
        pool.close()
        pool.join()
    assert len(set(pids)) == 4


@pytest.mark.skipif(sys.version_info < (3, 11), reason="max_tasks_per_child is new in 3.11")
def test_max_tasks_per_child_on_the_executor(ctx):
    if ctx.get_start_method() == "fork":
        with pytest.raises(ValueError, match="fork"):
            cf.ProcessPoolExecutor(2, mp_context=ctx, max_tasks_per_child=1)
        return
    with cf.ProcessPoolExecutor(2, mp_context=ctx, max_tasks_per_child=1) as executor:
        futures = [executor.submit(pools.worker_pid) for _ in range(4)]
        pids = [future.result(timeout=WAIT_S) for future in futures]
    assert len(set(pids)) == 4
