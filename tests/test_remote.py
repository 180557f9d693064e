"""Unit tests of helpers.tasks.remote: real server, client and Dask worker processes.

The manager and Listener tests run under every start method. The Dask tests share one small
LocalCluster: Dask starts its workers with its own machinery, whatever our start method.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import secrets
import time
from multiprocessing.connection import Listener

import pytest

from helpers.context import START_METHODS, get_context
from helpers.processes import join_or_fail
from helpers.tasks import remote

METHODS = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]
WAIT_S = 30  # generous bound for every wait: the test machine is shared and slow


@pytest.fixture(params=METHODS)
def ctx(request):
    return get_context(request.param)


@pytest.fixture
def authkey():
    return secrets.token_bytes(16)


def test_draw_is_seeded():
    assert remote.draw(3) == remote.draw(3)
    assert 0.0 <= remote.draw(4) < 1.0
    assert remote.draw(3) != remote.draw(4)


# ---- manager server over TCP ---------------------------------------------------------------


def test_independent_clients_put_results_on_the_served_queue(ctx, authkey):
    with remote.running_server(ctx, authkey, timeout=WAIT_S) as address:
        assert address[0] == remote.LOOPBACK and address[1] > 0
        clients = [
            ctx.Process(target=remote.put_result, args=(address, authkey, i, 100 + i))
            for i in range(3)
        ]
        for client in clients:
            client.start()
        manager = remote.ResultsManager(address=address, authkey=authkey)
        manager.connect()
        results = manager.results()
        got = sorted(results.get(timeout=WAIT_S) for _ in clients)
        join_or_fail(*clients, timeout=WAIT_S)
        with pytest.raises(queue.Empty):
            results.get(timeout=0.05)
        del results
    assert got == [(i, remote.draw(100 + i)) for i in range(3)]


def test_wrong_authkey_is_refused_and_the_server_keeps_serving(ctx, authkey):
    with remote.running_server(ctx, authkey, timeout=WAIT_S) as address:
        with pytest.raises(multiprocessing.AuthenticationError):
            remote.ResultsManager(address=address, authkey=b"not the key").connect()
        remote.put_result(address, authkey, 7, 7)  # from this process: the server still works
        manager = remote.ResultsManager(address=address, authkey=authkey)
        manager.connect()
        assert manager.results().get(timeout=WAIT_S) == (7, remote.draw(7))


def test_running_server_stops_the_server_process_on_exit(ctx, authkey):
    with remote.running_server(ctx, authkey, timeout=WAIT_S) as address:
        pass
    server_children = [p for p in multiprocessing.active_children() if p.name == "results-server"]
    assert server_children == []
    with pytest.raises(OSError):  # nobody listens there any more
        remote.ResultsManager(address=address, authkey=authkey).connect()


def test_each_server_process_serves_its_own_queue(ctx, authkey):
    with remote.running_server(ctx, authkey, timeout=WAIT_S) as first:
        with remote.running_server(ctx, authkey, timeout=WAIT_S) as second:
            assert first != second
            remote.put_result(first, authkey, 1, 1)
            manager = remote.ResultsManager(address=second, authkey=authkey)
            manager.connect()
            with pytest.raises(queue.Empty):
                manager.results().get(timeout=0.05)
    assert remote.served_queue().empty()  # this process's own queue was never used


# ---- Listener and Client -----------------------------------------------------------------


def test_one_result_through_a_listener(ctx, authkey):
    with Listener((remote.LOOPBACK, 0), authkey=authkey) as listener:
        child = ctx.Process(target=remote.send_one_result, args=(listener.address, authkey, 5))
        child.start()
        with remote.accept_within(listener, WAIT_S) as conn:
            assert conn.poll(WAIT_S)
            assert conn.recv() == remote.draw(5)
        join_or_fail(child, timeout=WAIT_S)


def test_accept_within_times_out_and_the_listener_still_works(ctx, authkey):
    with Listener((remote.LOOPBACK, 0), authkey=authkey) as listener:
        began = time.monotonic()
        with pytest.raises(TimeoutError):
            remote.accept_within(listener, 0.1)
        assert 0.09 <= time.monotonic() - began < 5
        child = ctx.Process(target=remote.send_one_result, args=(listener.address, authkey, 6))
        child.start()
        with remote.accept_within(listener, WAIT_S) as conn:
            assert conn.poll(WAIT_S)
            assert conn.recv() == remote.draw(6)
        join_or_fail(child, timeout=WAIT_S)
        assert listener._listener._socket.gettimeout() is None


# ---- plain functions -----------------------------------------------------------------------


def test_square_root():
    assert remote.square_root(9.0) == 3.0
    with pytest.raises(ValueError, match="-1"):
        remote.square_root(-1.0)


def test_with_one_more_and_mean():
    assert remote.with_one_more([5, 6]) == [5, 6, 2]
    samples = remote.make_samples(1, 1000)
    assert len(samples) == 1000 and samples == remote.make_samples(1, 1000)
    assert 0.4 < remote.mean(samples) < 0.6


def test_fail_first_counts_calls_in_files(tmp_path):
    for attempt in (1, 2):
        with pytest.raises(ConnectionError, match=f"attempt {attempt}"):
            remote.fail_first(str(tmp_path), 2)
    assert remote.fail_first(str(tmp_path), 2) == 3


def test_exit_on_first_call_exits_the_process_then_returns(ctx, tmp_path):
    child = ctx.Process(target=remote.exit_on_first_call, args=(str(tmp_path),))
    child.start()
    child.join(WAIT_S)
    assert child.exitcode == 1
    assert remote.exit_on_first_call(str(tmp_path)) == 2


# ---- Dask ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=f"{remote.LOOPBACK}:0",
        host=remote.LOOPBACK,
        silence_logs=logging.CRITICAL,
    )
    with cluster, distributed.Client(cluster, timeout=WAIT_S) as client:
        yield client


def test_dask_runs_tasks_in_worker_processes(dask_client):
    futures = [dask_client.submit(remote.draw, seed) for seed in range(4)]
    assert [f.result(timeout=WAIT_S) for f in futures] == [remote.draw(s) for s in range(4)]
    pids = dask_client.run(os.getpid)
    assert len(pids) == 2 and os.getpid() not in pids.values()
    assert all(address.startswith(f"tcp://{remote.LOOPBACK}:") for address in pids)


def test_dask_reraises_the_task_exception(dask_client):
    future = dask_client.submit(remote.square_root, -4.0)
    with pytest.raises(ValueError, match="-4.0"):
        future.result(timeout=WAIT_S)


def test_dask_arguments_are_copies(dask_client):
    items = [1, 2]
    assert dask_client.submit(remote.with_one_more, items).result(timeout=WAIT_S) == [1, 2, 2]
    assert items == [1, 2]


def test_dask_retries_rerun_a_failing_task(dask_client, tmp_path):
    future = dask_client.submit(remote.fail_first, str(tmp_path), 2, retries=2)
    assert future.result(timeout=WAIT_S) == 3


def test_dask_reruns_a_task_whose_worker_died(dask_client, tmp_path):
    future = dask_client.submit(remote.exit_on_first_call, str(tmp_path))
    assert future.result(timeout=WAIT_S) == 2
    dask_client.wait_for_workers(2, timeout=WAIT_S)
    assert len(dask_client.run(os.getpid)) == 2
