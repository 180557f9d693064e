"""Unit tests of helpers.tasks.sharedmem, with real child processes under every start method.

Every segment a test creates is closed by every process that attached and unlinked exactly
once, so the test processes' resource trackers have nothing to report.
"""

from __future__ import annotations

import math
import os
import secrets
import subprocess
import sys
import time
from array import array
from multiprocessing import Pipe
from multiprocessing.managers import SharedMemoryManager
from multiprocessing.shared_memory import SharedMemory

import numpy as np
import pytest

from helpers import START_METHODS, ChildFailed, get_context, join_or_fail
from helpers.exercises.children import make_result
from helpers.tasks.sharedmem import (
    READER_CODE,
    add_draw,
    attach_and_read,
    create_and_send,
    create_then_die,
    draw,
    expected_result,
    fill_in_place,
    hand_over,
    segment_state,
    shared_array,
    store_draw,
    store_draw_in_list,
    store_draw_in_segment,
    store_draw_in_slot,
    tracker_warning,
    wait_for_ack,
)

JOIN_S = 30
ON_LINUX = os.path.isdir("/dev/shm")


def start(ctx, target, *args):
    proc = ctx.Process(target=target, args=args)
    proc.start()
    return proc


@pytest.fixture
def segment():
    """A fresh 64-byte segment, closed and unlinked after the test."""
    shm = SharedMemory(create=True, size=64)
    yield shm
    shm.close()
    shm.unlink()


# --- parent-side helpers ---------------------------------------------------------------------


def test_draw_is_seeded():
    assert draw(4) == draw(4) != draw(5)
    assert 0.0 <= draw(4) < 1.0


def test_shared_array_is_a_view_that_pins_the_buffer(segment):
    view = shared_array(segment, (2, 4))
    assert view.shape == (2, 4) and view.dtype == np.float64
    view[1, 3] = 2.5
    assert np.frombuffer(segment.buf, dtype=np.float64)[7] == 2.5
    with pytest.raises(BufferError):
        segment.close()
    del view
    segment.close()  # now it works (the fixture's close is then a no-op)


def test_segment_state_follows_create_and_unlink():
    shm = SharedMemory(create=True, size=16)
    assert segment_state(shm.name) == "present"
    assert segment_state("/" + shm.name) == "present"
    if sys.platform == "win32":  # there a segment goes with its last handle
        shm.close()
        assert segment_state(shm.name) == "absent"
        return
    shm.close()
    assert segment_state(shm.name) == "present"  # close() does not remove it
    shm.unlink()
    assert segment_state(shm.name) == "absent"
    assert segment_state("pr_never_created_" + secrets.token_hex(4)) == "absent"


def test_tracker_warning_extracts_the_report_without_names():
    old = (
        "/x/resource_tracker.py:254: UserWarning: resource_tracker: There appear to be 2 "
        "leaked shared_memory objects to clean up at shutdown\n  warnings.warn(\n"
    )
    new = old.replace("shutdown\n", "shutdown: {'/psm_1', '/psm_2'}\n")
    expected = (
        "resource_tracker: There appear to be 2 leaked shared_memory objects to clean up "
        "at shutdown"
    )
    assert tracker_warning(old) == tracker_warning(new) == expected
    assert tracker_warning("") == ""


# --- sharedctypes ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", START_METHODS)
def test_raw_value_and_raw_array_come_back(method):
    ctx = get_context(method)
    single = ctx.RawValue("d", -1.0)
    slots = ctx.RawArray("d", 3)
    procs = [start(ctx, store_draw, single, 10)]
    procs += [start(ctx, store_draw_in_slot, slots, i, 20 + i) for i in range(3)]
    join_or_fail(*procs, timeout=JOIN_S)
    assert single.value == draw(10)
    assert list(slots) == [draw(20 + i) for i in range(3)]


@pytest.mark.parametrize("method", START_METHODS)
def test_add_draw_keeps_total_and_count_consistent_under_one_lock(method):
    ctx = get_context(method)
    lock = ctx.RLock()
    total, count = ctx.Value("d", 0.0, lock=lock), ctx.Value("i", 0, lock=lock)
    assert total.get_lock() is count.get_lock() is lock
    seeds = range(30, 36)
    join_or_fail(*[start(ctx, add_draw, total, count, s) for s in seeds], timeout=JOIN_S)
    assert count.value == len(seeds)
    assert math.isclose(total.value, sum(draw(s) for s in seeds), rel_tol=1e-12)


@pytest.mark.parametrize("method", START_METHODS)
def test_add_draw_hangs_when_the_shared_lock_is_a_plain_lock(method):
    ctx = get_context(method)
    lock = ctx.Lock()
    total, count = ctx.Value("d", 0.0, lock=lock), ctx.Value("i", 0, lock=lock)
    proc = start(ctx, add_draw, total, count, 30)
    with pytest.raises(ChildFailed, match="did not finish"):
        join_or_fail(proc, timeout=2)
    assert count.get_obj().value == 0


def test_array_lock_argument():
    ctx = get_context("spawn")
    assert not hasattr(ctx.Array("i", 3, lock=False), "get_lock")
    assert type(ctx.Array("i", 3, lock=True).get_lock()).__name__ == "RLock"
    mine = ctx.Lock()
    assert ctx.Array("i", 3, lock=mine).get_lock() is mine


# --- shared_memory ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", START_METHODS)
def test_store_draw_in_segment(method, segment):
    ctx = get_context(method)
    join_or_fail(start(ctx, store_draw_in_segment, segment.name, 7), timeout=JOIN_S)
    assert np.frombuffer(segment.buf, dtype=np.float64, count=1)[0] == draw(7)


@pytest.mark.parametrize("method", START_METHODS)
def test_store_draw_in_list_through_a_manager(method):
    ctx = get_context(method)
    with SharedMemoryManager(ctx=ctx) as smm:
        results = smm.ShareableList([0.0, 0.0, 0.0])
        name = results.shm.name
        procs = [start(ctx, store_draw_in_list, name, i, 40 + i) for i in range(3)]
        join_or_fail(*procs, timeout=JOIN_S)
        assert list(results) == [draw(40 + i) for i in range(3)]
        results.shm.close()
    if ON_LINUX:
        assert segment_state(name) == "absent"  # the manager unlinked it


@pytest.mark.parametrize("method", START_METHODS)
def test_fill_in_place_writes_the_parents_segment(method):
    ctx = get_context(method)
    n = 1000
    shm = SharedMemory(create=True, size=n * 8)
    try:
        join_or_fail(start(ctx, fill_in_place, shm.name, n), timeout=JOIN_S)
        result = np.ndarray((n,), dtype=np.float64, buffer=shm.buf)
        assert np.array_equal(result, expected_result(n))
        del result
    finally:
        shm.close()
        shm.unlink()


@pytest.mark.parametrize("method", START_METHODS)
def test_create_and_send_keeps_its_handle_until_the_receiver_has_attached(method):
    ctx = get_context(method)
    here, there = ctx.Pipe()
    proc = start(ctx, create_and_send, there, 500)
    there.close()
    assert here.poll(JOIN_S), "no name arrived"
    name, shape, dtype = here.recv()
    proc.join(0.5)
    assert proc.is_alive(), "the child must wait for the acknowledgement before it closes"
    shm = SharedMemory(name=name)
    here.send("attached")
    join_or_fail(proc, timeout=JOIN_S)
    here.close()
    try:
        view = shared_array(shm, shape, dtype)
        assert np.array_equal(view, expected_result(500))
        del view
    finally:
        shm.close()
        shm.unlink()
    if ON_LINUX:
        assert segment_state(name) == "absent"


@pytest.mark.parametrize("method", START_METHODS)
def test_create_and_send_gives_up_waiting_after_its_timeout(method):
    ctx = get_context(method)
    here, there = ctx.Pipe()
    proc = start(ctx, create_and_send, there, 10, 0.5)
    there.close()
    assert here.poll(JOIN_S)
    name, _, _ = here.recv()
    shm = SharedMemory(name=name)  # keep it alive on every platform, so it can be unlinked
    join_or_fail(proc, timeout=JOIN_S)  # no acknowledgement: the child closes after 0.5 s
    here.close()
    shm.close()
    shm.unlink()


def test_wait_for_ack_is_bounded_and_true_only_for_a_message():
    here, there = Pipe()
    began = time.monotonic()
    assert wait_for_ack(there, 0.2) is False
    assert time.monotonic() - began < 5
    here.send("attached")
    assert wait_for_ack(there, 5) is True
    here.close()
    assert wait_for_ack(there, 5) is False  # end of file: the parent hung up
    there.close()


def test_make_result_waits_for_the_parent_only_when_given_a_connection():
    ctx = get_context("spawn")
    for with_conn in (False, True):
        name = "pr05t_" + secrets.token_hex(6)
        here, there = ctx.Pipe()
        args = (name, 8, there) if with_conn else (name, 8)
        proc = start(ctx, make_result, *args)
        there.close()
        shm = None
        if with_conn:
            assert here.poll(JOIN_S) and here.recv() == "ready"
            shm = SharedMemory(name=name)
            assert proc.is_alive()
            here.send("attached")
        join_or_fail(proc, timeout=JOIN_S)
        here.close()
        shm = shm or SharedMemory(name=name)  # POSIX: the segment outlives the child's handle
        assert bytes(shm.buf[:16]) == bytes(memoryview(array("d", [0, 1])).cast("B"))
        shm.close()
        shm.unlink()


@pytest.mark.parametrize("method", START_METHODS)
def test_create_then_die_leaves_a_segment_the_parent_can_remove_by_name(method):
    ctx = get_context(method)
    name = "pr05t_" + secrets.token_hex(6)
    receive, send = ctx.Pipe(duplex=False)
    proc = start(ctx, create_then_die, send, name, 64)
    send.close()
    assert receive.poll(JOIN_S)  # end of file, not a report
    with pytest.raises(EOFError):
        receive.recv()
    receive.close()
    with pytest.raises(ChildFailed, match="code 3"):
        join_or_fail(proc, timeout=JOIN_S)
    if ON_LINUX:
        assert segment_state(name) == "present"
    left = SharedMemory(name=name)
    assert left.buf[0] == 1
    left.close()
    left.unlink()
    if ON_LINUX:
        assert segment_state(name) == "absent"


@pytest.mark.parametrize("method", START_METHODS)
def test_hand_over_delivers_the_same_array_every_way(method):
    ctx = get_context(method)
    n = 10_000
    shm = SharedMemory(create=True, size=n * 8)
    view = shared_array(shm, (n,))
    parent_end, child_end = ctx.Pipe()
    proc = start(ctx, hand_over, child_end, shm.name, n)
    child_end.close()
    try:
        for mode in ("pickle", "copy", "in place"):
            view[:] = 0.0
            parent_end.send(mode)
            assert parent_end.poll(JOIN_S)
            reply = parent_end.recv()
            if mode == "pickle":
                ready, array = reply
                assert np.array_equal(array, expected_result(n))
            else:
                ready = reply
                assert np.array_equal(view, expected_result(n))
            assert isinstance(ready, float)
        parent_end.send("stop")
        join_or_fail(proc, timeout=JOIN_S)
    finally:
        parent_end.close()
        del view
        shm.close()
        shm.unlink()


# --- another program -------------------------------------------------------------------------


def run_fresh(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_attach_and_read_in_this_process(segment):
    segment.buf[:3] = b"abc"
    assert attach_and_read(segment.name, 3) == "abc"


def test_untracked_reader_leaves_the_segment_alone(segment):
    segment.buf[:2] = b"hi"
    reader = run_fresh(READER_CODE, segment.name, "2", "untracked")
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout.strip() == "hi"
    assert reader.stderr == ""
    if ON_LINUX:
        assert segment_state(segment.name) == "present"


@pytest.mark.skipif(not ON_LINUX, reason="the report checks /dev/shm")
@pytest.mark.parametrize("untracked", [False, True])
def test_owner_and_reader_report(untracked):
    code = (
        "from helpers.tasks.sharedmem import owner_and_reader\n"
        f"print(*owner_and_reader(untracked={untracked}), sep='\\n')"
    )
    owner = run_fresh(code)
    assert owner.returncode == 0, owner.stderr
    lines = owner.stdout.splitlines()
    assert lines[0] == "the reader read: 'hello'"
    if untracked:
        assert lines[1:] == [
            "the reader's stderr: empty",
            "the segment after the reader exited: present",
            "the owner's unlink(): done",
        ]
        assert owner.stderr == ""
    else:
        assert "1 leaked shared_memory objects" in lines[1]
        assert lines[2:] == [
            "the segment after the reader exited: absent",
            "the owner's unlink(): FileNotFoundError (someone else removed it)",
        ]
        assert "1 leaked shared_memory objects" in tracker_warning(owner.stderr)
