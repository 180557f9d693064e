"""Unit tests of helpers.tasks.managers: real managers and children under every start method."""

from __future__ import annotations

import os
import random
from multiprocessing import current_process
from multiprocessing.context import AuthenticationError
from multiprocessing.managers import SyncManager

import pytest

from helpers import START_METHODS, get_context, join_or_fail
from helpers.tasks.managers import (
    FAILED_EXIT_CODE,
    MANAGER_GONE_EXIT_CODE,
    Tally,
    TallyManager,
    add_locked,
    add_unlocked,
    append_to_list,
    authkey_fingerprint,
    draw,
    put_in_value,
    read_wait_write,
    reciprocals_until_failure,
    report_authkey,
    set_on_namespace,
    store_in_dict,
    tally_many,
    write_after_signal,
)

JOIN_S = 30
SEEDS = (3, 1, 2)


def run_children(ctx, target, arg_tuples, names=None):
    """Start one child per argument tuple, then join them all (raising if one failed)."""
    names = names or [None] * len(arg_tuples)
    procs = [
        ctx.Process(target=target, args=args, name=name)
        for args, name in zip(arg_tuples, names, strict=True)
    ]
    for proc in procs:
        proc.start()
    join_or_fail(*procs, timeout=JOIN_S)


@pytest.fixture(params=START_METHODS)
def ctx(request):
    return get_context(request.param)


@pytest.fixture
def manager(ctx):
    with ctx.Manager() as manager:
        yield manager


def test_draw_is_seeded():
    assert draw(5) == random.Random(5).random()
    assert draw(5) != draw(6)


def test_value_proxy_carries_each_child_result(ctx, manager):
    boxes = {seed: manager.Value("d", -1.0) for seed in SEEDS}
    run_children(ctx, put_in_value, [(boxes[s], s) for s in SEEDS])
    assert {s: b.value for s, b in boxes.items()} == {s: draw(s) for s in SEEDS}


def test_list_dict_and_namespace_proxies_collect_every_result(ctx, manager):
    as_list, as_dict, namespace = manager.list(), manager.dict(), manager.Namespace()
    run_children(ctx, append_to_list, [(as_list, s) for s in SEEDS])
    run_children(ctx, store_in_dict, [(as_dict, s) for s in SEEDS])
    run_children(ctx, set_on_namespace, [(namespace, s) for s in SEEDS])
    expected = {s: draw(s) for s in SEEDS}
    assert sorted(as_list) == sorted(expected.items())
    assert dict(as_dict) == expected
    assert {s: getattr(namespace, f"seed_{s}") for s in SEEDS} == expected


def test_read_wait_write_loses_all_but_one_update(ctx, manager):
    counter = manager.Value("i", 0)
    barrier = manager.Barrier(3)
    run_children(ctx, read_wait_write, [(counter, barrier)] * 3)
    assert counter.value == 1


def test_add_unlocked_alone_counts_every_update(ctx, manager):
    results = manager.dict(n=0)
    run_children(ctx, add_unlocked, [(results, "n", 25)])
    assert results["n"] == 25


def test_add_unlocked_from_a_starting_line_loses_updates(ctx, manager):
    """Notebook 04 relies on it: two children that count at the same time lose updates."""
    results = manager.dict(n=0)
    start = manager.Barrier(2)
    run_children(ctx, add_unlocked, [(results, "n", 1_000, start)] * 2)
    assert results["n"] < 2_000


def test_add_locked_keeps_every_update(ctx, manager):
    results = manager.dict(n=0)
    lock = manager.Lock()
    run_children(ctx, add_locked, [(results, "n", 40, lock)] * 2)
    assert results["n"] == 80
    run_children(ctx, add_locked, [(results, "n", 40, lock, manager.Barrier(2))] * 2)
    assert results["n"] == 160


def test_manager_value_has_no_get_lock(manager):
    counter = manager.Value("i", 0)
    with pytest.raises(AttributeError):
        counter.get_lock()
    assert manager.Value("i", 2.5).value == 2.5  # the typecode is not enforced


def test_tally_adds_in_one_call():
    tally = Tally()
    assert tally.add("a") == 1
    assert tally.add("a", 4) == 5
    assert tally.add("b") == 1
    assert tally.counts() == {"a": 5, "b": 1}
    assert tally.pid() == os.getpid()
    assert len(tally.served_by()) == 1


def test_tally_manager_serves_each_child_from_its_own_thread(ctx):
    with TallyManager(ctx=ctx) as tally_manager:
        tally = tally_manager.Tally()
        run_children(ctx, tally_many, [(tally, "hits", 50)] * 2, names=["child-a", "child-b"])
        assert tally.counts() == {"hits": 100}
        assert tally.served_by() == ["child-a", "child-b"]
        assert tally.pid() != os.getpid()


def test_children_inherit_the_authkey(ctx, manager):
    results = manager.dict()
    run_children(ctx, report_authkey, [(results, "child")])
    assert results["child"] == authkey_fingerprint()
    assert len(bytes(current_process().authkey)) == 32


def test_wrong_authkey_is_rejected(manager):
    intruder = SyncManager(address=manager.address, authkey=b"not the key")
    with pytest.raises(AuthenticationError):
        intruder.connect()


def test_failing_child_leaves_partial_results_and_exit_code(ctx, manager):
    results, errors = manager.dict(), manager.list()
    proc = ctx.Process(target=reciprocals_until_failure, args=([4, 2, 0, 5], results, errors))
    proc.start()
    proc.join(JOIN_S)
    assert proc.exitcode == FAILED_EXIT_CODE
    assert dict(results) == {4: 0.25, 2: 0.5}
    assert list(errors) == ["ZeroDivisionError at item 0"]


def test_reciprocals_without_failure_exit_cleanly(ctx, manager):
    results, errors = manager.dict(), manager.list()
    run_children(ctx, reciprocals_until_failure, [([1, 4], results, errors)])
    assert dict(results) == {1: 1.0, 4: 0.25}
    assert list(errors) == []


def test_write_after_signal_succeeds_while_manager_runs(ctx, manager):
    results = manager.list()
    wrote, go_on = ctx.Event(), ctx.Event()
    go_on.set()
    run_children(ctx, write_after_signal, [(results, wrote, go_on)])
    assert list(results) == ["before", "after"]
    assert wrote.is_set()


def test_write_after_signal_exits_when_manager_is_gone(ctx):
    wrote, go_on = ctx.Event(), ctx.Event()
    with ctx.Manager() as manager:
        results = manager.list()
        proc = ctx.Process(target=write_after_signal, args=(results, wrote, go_on))
        proc.start()
        assert wrote.wait(JOIN_S)
        assert list(results) == ["before"]
    go_on.set()
    proc.join(JOIN_S)
    assert proc.exitcode == MANAGER_GONE_EXIT_CODE
