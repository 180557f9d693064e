"""Code for 09-beyond-one-machine: results sent over TCP by processes that are not children.

Three kinds of code live here, all importable by name so that spawn, forkserver and Dask's
worker processes can find them:

- a manager server that serves one result queue on a loopback TCP port, and the client entry
  points that connect to it knowing nothing but its address and its authkey;
- a client that hands one result to a ``multiprocessing.connection.Listener``, and a bounded
  ``accept`` for the listening side;
- small tasks that Dask workers run.

Children and workers stay silent: they hand results back and the notebook prints them.
"""

from __future__ import annotations

import os
import queue
import random
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Client, Connection, Listener
from multiprocessing.context import BaseContext
from multiprocessing.managers import BaseManager
from pathlib import Path

from helpers.processes import join_or_fail

LOOPBACK = "127.0.0.1"  # every server in the course listens here only: no other machine can connect
WAIT_S = 10.0  # how long any step here waits for the other side before giving up

Address = tuple[str, int]


def draw(seed: int) -> float:
    """Return the first random number in [0, 1) of a generator seeded with ``seed``."""
    return random.Random(seed).random()


# ---- 1. a manager that serves a result queue over TCP -------------------------------------

# The one queue a server process serves. Each server process has its own copy of this module,
# so each server has its own queue; the notebook's copy is never used.
_served_queue: queue.Queue = queue.Queue()


def served_queue() -> queue.Queue:
    """Return this process's result queue; the server calls it when a client asks for it."""
    return _served_queue


class ResultsManager(BaseManager):
    """A manager with one registered type, ``results``: a proxy to the server's result queue.

    Registered just below this class with
    ``ResultsManager.register("results", callable=served_queue)``. The server calls
    ``served_queue``; a client only sends the name "results" and gets a proxy back.
    """


ResultsManager.register("results", callable=served_queue)


def serve_results(address_out: Connection, authkey: bytes) -> None:
    """Server entry point: serve the result queue on a free loopback port until asked to stop.

    Port 0 lets the operating system choose a free port. The server reports the address it got
    once, through ``address_out``; after that it talks to nobody except over TCP, to clients
    that know the address and the authkey. ``serve_forever`` ends the process with exit code 0
    when a client sends the "shutdown" request (see ``stop_server``).
    """
    server = ResultsManager(address=(LOOPBACK, 0), authkey=authkey).get_server()
    address_out.send(server.address)
    address_out.close()
    server.serve_forever()


def stop_server(address: Address, authkey: bytes, timeout: float = WAIT_S) -> None:
    """Ask the manager server at ``address`` to exit, and wait up to ``timeout`` s for its reply.

    The request is the one ``BaseManager.shutdown`` sends to a server it started itself; a
    server started elsewhere (here: by ``serve_results``) understands it just the same.
    """
    with Client(address, authkey=authkey) as conn:
        conn.send((None, "shutdown", (), {}))
        if not conn.poll(timeout):
            raise TimeoutError(f"the server at {address} did not confirm in {timeout} s")
        conn.recv()


@contextmanager
def running_server(ctx: BaseContext, authkey: bytes, timeout: float = WAIT_S) -> Iterator[Address]:
    """Start ``serve_results`` in a process, give its address to the ``with`` block, stop it after.

    On a real network the server would be started by someone else, on another machine, and you
    would be told its address. Here we start it ourselves, but use it only through the address.
    """
    address_in, address_out = ctx.Pipe(duplex=False)
    server = ctx.Process(target=serve_results, args=(address_out, authkey), name="results-server")
    server.start()
    address_out.close()
    address = None
    try:
        if not address_in.poll(timeout):
            raise TimeoutError(f"the server did not report its address within {timeout} s")
        address = address_in.recv()
        yield address
    finally:
        address_in.close()
        try:
            if address is not None and server.is_alive():
                stop_server(address, authkey, timeout)
        finally:
            join_or_fail(server, timeout=timeout)


def put_result(address: Address, authkey: bytes, client_id: int, seed: int) -> None:
    """Client entry point: connect to the server by address and key, put ``(client_id, number)``."""
    manager = ResultsManager(address=address, authkey=authkey)
    manager.connect()
    manager.results().put((client_id, draw(seed)))


# ---- 2. one result through Listener and Client ---------------------------------------------


def send_one_result(address: Address, authkey: bytes, seed: int) -> None:
    """Client entry point: connect to a ``Listener`` by address and key, send one number."""
    with Client(address, authkey=authkey) as conn:
        conn.send(draw(seed))


def accept_within(listener: Listener, timeout: float) -> Connection:
    """``listener.accept()``, but raise ``TimeoutError`` if nobody connects within ``timeout`` s.

    ``Listener.accept`` has no timeout parameter. It waits on a listening socket that the
    listener keeps in a private attribute (``listener._listener._socket`` for TCP, in CPython
    3.11 to 3.15); giving that socket a timeout bounds the wait for a connection. The authkey
    handshake after it is not bounded: a peer that connects and then stays silent could still
    hold ``accept``, so use this with clients you wrote, not with strangers.
    """
    sock = listener._listener._socket
    sock.settimeout(timeout)
    try:
        return listener.accept()
    finally:
        sock.settimeout(None)


# ---- 3. tasks for Dask workers ------------------------------------------------------------


def square_root(x: float) -> float:
    """Return the square root of ``x``; a negative ``x`` raises ValueError where the task runs."""
    if x < 0:
        raise ValueError(f"cannot take the square root of {x}")
    return x**0.5


def with_one_more(items: list[int]) -> list[int]:
    """Append ``len(items)`` to the list this task received and return it."""
    items.append(len(items))
    return items


def make_samples(seed: int, count: int) -> list[float]:
    """Return ``count`` seeded random numbers: a result too big to want in the notebook."""
    generator = random.Random(seed)
    return [generator.random() for _ in range(count)]


def mean(samples: list[float]) -> float:
    """Return the mean of ``samples``: a small result made from a big one."""
    return sum(samples) / len(samples)


def fail_first(marker_dir: str, failures: int) -> int:
    """Raise ConnectionError on the first ``failures`` calls, then return the number of this call.

    Calls are counted with files in ``marker_dir``, so every process on this machine sees the
    same count, whichever worker runs the call.
    """
    attempt = len(list(Path(marker_dir).glob("attempt-*"))) + 1
    (Path(marker_dir) / f"attempt-{attempt}").touch()
    if attempt <= failures:
        raise ConnectionError(f"attempt {attempt} failed on purpose")
    return attempt


def exit_on_first_call(marker_dir: str) -> int:
    """End the worker process with ``os._exit(1)`` on the first call; later calls return 2.

    The first call leaves a marker file in ``marker_dir``; ``os._exit`` ends the process at once,
    with no result, no exception and no output.
    """
    marker = Path(marker_dir) / "first-call"
    try:
        marker.open("x").close()
    except FileExistsError:
        return 2
    os._exit(1)
