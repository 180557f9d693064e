"""helpers.tasks.queues, run in real child processes under every start method."""

from __future__ import annotations

import queue
import random
import threading

import pytest

from helpers import START_METHODS, get_context, join_or_fail
from helpers.tasks import queues

TIMEOUT_S = 30


@pytest.fixture(params=START_METHODS)
def ctx(request):
    return get_context(request.param)


def close(q) -> None:
    q.close()
    if hasattr(q, "join_thread"):
        q.join_thread()


def test_draw_and_put_returns_the_seeded_draw(ctx):
    results = ctx.Queue()
    child = ctx.Process(target=queues.draw_and_put, args=(results, 7))
    child.start()
    value = results.get(timeout=TIMEOUT_S)
    join_or_fail(child, timeout=TIMEOUT_S)
    close(results)
    assert value == random.Random(7).random()


def test_draw_tagged_children_are_told_apart_and_timed(ctx):
    results = ctx.Queue()
    starting_line = ctx.Barrier(3)
    children = [
        ctx.Process(target=queues.draw_tagged, args=(results, i, 100 + i, starting_line))
        for i in range(3)
    ]
    for child in children:
        child.start()
    got = [results.get(timeout=TIMEOUT_S) for _ in children]
    join_or_fail(*children, timeout=TIMEOUT_S)
    close(results)
    by_id = {child_id: rest for child_id, *rest in got}
    assert sorted(by_id) == [0, 1, 2]
    for child_id, (x, started, finished) in by_id.items():
        assert x == random.Random(100 + child_id).random()
        assert finished - started >= 0.9 * x * queues.WORK_SCALE_S


def test_draw_tagged_works_without_a_barrier_and_with_a_simple_queue(ctx):
    results = ctx.SimpleQueue()
    child = ctx.Process(target=queues.draw_tagged, args=(results, 4, 5))
    child.start()
    join_or_fail(child, timeout=TIMEOUT_S)  # small item: the put finished before the child exited
    assert not results.empty()
    child_id, x, _, _ = results.get()
    results.close()
    assert (child_id, x) == (4, random.Random(5).random())


def test_produce_several_ends_with_one_sentinel(ctx):
    results = ctx.Queue()
    child = ctx.Process(target=queues.produce_several, args=(results, 2, 11))
    child.start()
    items = []
    while (item := results.get(timeout=TIMEOUT_S)) is not None:
        items.append(item)
    join_or_fail(child, timeout=TIMEOUT_S)
    with pytest.raises(queue.Empty):
        results.get(timeout=0.1)
    close(results)
    rng = random.Random(11)
    count = rng.randint(1, 4)
    assert items == [(2, index, rng.random()) for index in range(count)]


def test_exit_without_result_puts_nothing(ctx):
    results = ctx.Queue()
    child = ctx.Process(target=queues.exit_without_result, args=(results, 3))
    child.start()
    child.join(timeout=TIMEOUT_S)
    assert child.exitcode == 3
    with pytest.raises(queue.Empty):
        results.get(timeout=0.1)
    close(results)


@pytest.mark.parametrize("text, expected", [("0.25", 0.25), ("-3", -3.0)])
def test_parse_reading_puts_the_number(ctx, text, expected):
    results = ctx.Queue()
    child = ctx.Process(target=queues.parse_reading, args=(results, 1, text))
    child.start()
    got = results.get(timeout=TIMEOUT_S)
    join_or_fail(child, timeout=TIMEOUT_S)
    close(results)
    assert got == (1, expected)


def test_parse_reading_puts_the_exception(ctx):
    results = ctx.Queue()
    child = ctx.Process(target=queues.parse_reading, args=(results, 2, "oops"))
    child.start()
    child_id, outcome = results.get(timeout=TIMEOUT_S)
    join_or_fail(child, timeout=TIMEOUT_S)  # the child caught it: exit code 0
    close(results)
    assert child_id == 2
    assert type(outcome) is ValueError
    assert str(outcome) == "could not convert string to float: 'oops'"
    assert outcome.__traceback__ is None  # the traceback does not travel


def test_put_big_blocks_the_childs_exit_until_the_item_is_read(ctx):
    results = ctx.Queue()
    put_returned = ctx.Event()
    child = ctx.Process(target=queues.put_big, args=(results, 4_000_000, put_returned))
    child.start()
    assert put_returned.wait(timeout=TIMEOUT_S)  # the task itself has finished ...
    child.join(timeout=0.5)
    assert child.is_alive()  # ... but the process cannot exit: the queue is not drained
    data = results.get(timeout=TIMEOUT_S)
    join_or_fail(child, timeout=TIMEOUT_S)
    close(results)
    assert data == bytes(4_000_000)


def test_put_big_small_item_lets_the_child_exit_before_anyone_reads(ctx):
    results = ctx.Queue()
    put_returned = ctx.Event()
    child = ctx.Process(target=queues.put_big, args=(results, 100, put_returned))
    child.start()
    join_or_fail(child, timeout=TIMEOUT_S)
    assert results.get(timeout=TIMEOUT_S) == bytes(100)
    close(results)


def test_square_tasks_marks_every_item_done(ctx):
    tasks, results = ctx.JoinableQueue(), ctx.Queue()
    workers = [ctx.Process(target=queues.square_tasks, args=(tasks, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for number in range(6):
        tasks.put(number)
    for _ in workers:
        tasks.put(None)
    got = sorted(results.get(timeout=TIMEOUT_S) for _ in range(6))
    join_or_fail(*workers, timeout=TIMEOUT_S)
    waiter = threading.Thread(target=tasks.join, daemon=True)  # JoinableQueue.join has no timeout
    waiter.start()
    waiter.join(timeout=TIMEOUT_S)
    assert not waiter.is_alive()
    with pytest.raises(ValueError, match="too many times"):
        tasks.task_done()
    close(tasks)
    close(results)
    assert got == [(n, n * n) for n in range(6)]
