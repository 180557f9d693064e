"""helpers.processes.join_or_fail: bounded joins that turn crashes and hangs into errors."""

import concurrent.futures as cf
import os
import time

import pytest

from helpers import ChildFailed, get_context, join_or_fail
from helpers.processes import describe_exit, process_exists, wait_for_children
from helpers.tasks import basics
from tests.test_context import AVAILABLE


@pytest.mark.parametrize("method", AVAILABLE)
def test_a_clean_child_passes(method):
    child = get_context(method).Process(target=basics.do_nothing)
    child.start()
    join_or_fail(child, timeout=30)
    assert child.exitcode == 0


@pytest.mark.parametrize("method", AVAILABLE)
def test_a_crashing_child_raises_with_its_exit_code(method):
    child = get_context(method).Process(target=int, args=("not a number",))
    child.start()
    with pytest.raises(ChildFailed, match="exited with code 1"):
        join_or_fail(child, timeout=30)


@pytest.mark.parametrize("method", AVAILABLE)
def test_a_hung_child_is_terminated_and_reported_within_the_timeout(method):
    child = get_context(method).Process(target=time.sleep, args=(60,))
    child.start()
    began = time.monotonic()
    with pytest.raises(ChildFailed, match="did not finish within 1.0 s and was terminated"):
        join_or_fail(child, timeout=1.0)
    assert time.monotonic() - began < 10
    assert not child.is_alive()


def test_exit_codes_in_words():
    assert describe_exit(None) == "still running"
    assert "code 0" in describe_exit(0)
    assert "signal 9" in describe_exit(-9)
    assert "code 3" in describe_exit(3)


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="at least one process"):
        join_or_fail()
    with pytest.raises(TypeError, match="must be Process objects, not str"):
        join_or_fail("p1")
    child = get_context("spawn").Process(target=basics.do_nothing)
    for bad in (0, -1, "5", True):
        with pytest.raises(ValueError, match="timeout must be a positive number"):
            join_or_fail(child, timeout=bad)


@pytest.mark.parametrize("method", AVAILABLE)
def test_process_exists_for_this_process_and_not_for_a_joined_child(method):
    assert process_exists(os.getpid())
    child = get_context(method).Process(target=basics.do_nothing)
    child.start()
    assert process_exists(child.pid)
    join_or_fail(child, timeout=30)
    assert not process_exists(child.pid)


@pytest.mark.parametrize("method", AVAILABLE)
def test_wait_for_children_returns_zero_once_they_have_exited(method):
    children = [get_context(method).Process(target=time.sleep, args=(0.3,)) for _ in range(2)]
    for child in children:
        child.start()
    assert wait_for_children(timeout=30) == 0
    assert all(child.exitcode == 0 for child in children)


def test_wait_for_children_counts_a_child_still_running_at_the_deadline():
    child = get_context("spawn").Process(target=time.sleep, args=(60,))
    child.start()
    try:
        began = time.monotonic()
        assert wait_for_children(timeout=0.5) == 1
        assert time.monotonic() - began < 5
    finally:
        child.kill()
        child.join(10)


@pytest.mark.parametrize("method", AVAILABLE)
def test_wait_for_children_outlasts_an_executor_reaping_its_own_terminated_workers(method):
    # 06's cell: workers terminated while the executor's thread joins them too
    for _ in range(3):
        with cf.ProcessPoolExecutor(max_workers=1, mp_context=get_context(method)) as executor:
            hung = executor.submit(time.sleep, 30)
            with pytest.raises(cf.TimeoutError):
                hung.result(timeout=0.5)
            workers = list(executor._processes.values())
            executor.shutdown(wait=False, cancel_futures=True)
            for worker in workers:
                worker.terminate()
        assert wait_for_children(timeout=10) == 0


@pytest.mark.parametrize("timeout", [0, -1, "10", True])
def test_wait_for_children_rejects_a_timeout_that_is_not_a_positive_number(timeout):
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        wait_for_children(timeout=timeout)
