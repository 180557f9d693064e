"""helpers.processes.join_or_fail: bounded joins that turn crashes and hangs into errors."""

import os
import time

import pytest

from helpers import ChildFailed, get_context, join_or_fail
from helpers.processes import describe_exit, process_exists
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
