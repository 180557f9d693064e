"""Unit tests of helpers.tasks.pipes, with real child processes under every start method."""

from __future__ import annotations

import multiprocessing
import random
import time
from array import array

import pytest

from helpers import START_METHODS, get_context, join_or_fail
from helpers.tasks import pipes

METHODS = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]
TIMEOUT = 10.0


@pytest.fixture(params=METHODS)
def ctx(request):
    return get_context(request.param)


def start_with_pipe(ctx, target, *args, duplex=True):
    """Start ``target(child_end, *args)``; close the parent's copy of the child's end."""
    parent_end, child_end = ctx.Pipe(duplex=duplex)
    child = ctx.Process(target=target, args=(child_end, *args))
    child.start()
    child_end.close()
    return parent_end, child


def receive(conn, timeout=TIMEOUT):
    assert conn.poll(timeout), f"nothing arrived within {timeout} s"
    return conn.recv()


def test_draw_and_send_returns_the_seeded_number_then_hangs_up(ctx):
    parent_end, child = start_with_pipe(ctx, pipes.draw_and_send, 7)
    with parent_end:
        assert receive(parent_end) == random.Random(7).random()
        join_or_fail(child, timeout=TIMEOUT)
        assert parent_end.poll(TIMEOUT)  # end-of-file counts as "something to read"
        with pytest.raises(EOFError):
            parent_end.recv()


def test_reply_to_request_answers_through_the_other_end(ctx):
    parent_end, child = start_with_pipe(ctx, pipes.reply_to_request)
    with parent_end:
        parent_end.send(11)  # the first end of a default Pipe() can send
        assert receive(parent_end) == random.Random(11).random()
    join_or_fail(child, timeout=TIMEOUT)


def test_reply_to_request_gives_up_quietly_without_a_request(ctx):
    parent_end, child = start_with_pipe(ctx, pipes.reply_to_request, 0.05)
    with parent_end:
        join_or_fail(child, timeout=TIMEOUT)
        assert parent_end.poll(TIMEOUT)
        with pytest.raises(EOFError):
            parent_end.recv()


def test_send_when_told_waits_for_the_event(ctx):
    go = ctx.Event()
    parent_end, child = start_with_pipe(ctx, pipes.send_when_told, go, 0.25)
    with parent_end:
        assert not parent_end.poll(0.2)
        assert child.is_alive()
        go.set()
        assert receive(parent_end) == 0.25
    join_or_fail(child, timeout=TIMEOUT)


def test_exit_without_sending_gives_eof_and_the_exit_code(ctx):
    parent_end, child = start_with_pipe(ctx, pipes.exit_without_sending, 3)
    with parent_end:
        assert parent_end.poll(TIMEOUT)
        with pytest.raises(EOFError):
            parent_end.recv()
    child.join(TIMEOUT)
    assert child.exitcode == 3


def test_without_closing_the_childs_end_no_eof_arrives(ctx):
    parent_end, child_end = ctx.Pipe()
    child = ctx.Process(target=pipes.exit_without_sending, args=(child_end, 4))
    child.start()
    child.join(TIMEOUT)
    assert child.exitcode == 4
    with parent_end:
        assert not parent_end.poll(0.1)  # our own copy of child_end keeps the pipe open
        child_end.close()
        assert parent_end.poll(TIMEOUT)
        with pytest.raises(EOFError):
            parent_end.recv()


def test_send_squares_as_bytes_is_one_raw_message(ctx):
    parent_end, child = start_with_pipe(ctx, pipes.send_squares_as_bytes, 5)
    with parent_end:
        assert parent_end.poll(TIMEOUT)
        raw = parent_end.recv_bytes()
        join_or_fail(child, timeout=TIMEOUT)
    assert len(raw) == 5 * 8
    assert array("d", raw).tolist() == [0.0, 1.0, 4.0, 9.0, 16.0]


def test_send_squares_as_bytes_into_a_buffer(ctx):
    parent_end, child = start_with_pipe(ctx, pipes.send_squares_as_bytes, 4)
    buffer = array("d", [-1.0] * 6)
    with parent_end:
        assert parent_end.poll(TIMEOUT)
        assert parent_end.recv_bytes_into(buffer) == 4 * 8
        join_or_fail(child, timeout=TIMEOUT)
    assert buffer.tolist() == [0.0, 1.0, 4.0, 9.0, -1.0, -1.0]


def test_timed_draw_reports_its_work_interval(ctx):
    before = time.time()
    parent_end, child = start_with_pipe(ctx, pipes.timed_draw, 2, 42)
    with parent_end:
        child_id, x, started, finished = receive(parent_end)
        after = time.time()
    join_or_fail(child, timeout=TIMEOUT)
    assert child_id == 2
    assert x == random.Random(42).random()
    assert before <= started <= finished <= after
    assert finished - started >= x * pipes.WORK_SCALE_S * 0.9


def test_make_payload_is_deterministic():
    assert pipes.make_payload(1000, 5) == pipes.make_payload(1000, 5)
    assert pipes.make_payload(1000, 5) != pipes.make_payload(1000, 6)
    assert len(pipes.make_payload(12345, 1)) == 12345


def test_send_payload_blocks_until_the_parent_reads(ctx):
    nbytes = 4_000_000  # far more than a pipe's or socket pair's kernel buffer
    ready = ctx.Event()
    parent_end, child = start_with_pipe(ctx, pipes.send_payload, nbytes, 3, ready)
    with parent_end:
        assert ready.wait(TIMEOUT)
        child.join(0.2)
        assert child.is_alive(), "the child should be stuck in send_bytes until we read"
        assert parent_end.poll(TIMEOUT)
        data = parent_end.recv_bytes()
    join_or_fail(child, timeout=TIMEOUT)
    assert data == pipes.make_payload(nbytes, 3)


def test_send_payload_small_message_fits_in_the_buffer(ctx):
    ready = ctx.Event()
    parent_end, child = start_with_pipe(ctx, pipes.send_payload, 1000, 3, ready)
    with parent_end:
        join_or_fail(child, timeout=TIMEOUT)  # joining first is fine: 1000 bytes fit
        assert ready.is_set()
        assert parent_end.poll(TIMEOUT)
        assert parent_end.recv_bytes() == pipes.make_payload(1000, 3)
