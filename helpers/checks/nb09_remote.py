"""Checks for the exercises of 09-beyond-one-machine: results through a manager served over
TCP, one result through a Listener with a time limit on accept, and means computed on a Dask
cluster without the samples coming back to the notebook.

Every server here listens on 127.0.0.1, on a port the operating system chooses, so checks
running side by side never collide. Dask is imported by the one check that needs it, and the
check owns its cluster: it closes it on every path, and if the answer is stuck in a wait,
closing it is what frees the answer.
"""

from __future__ import annotations

import gc
import logging
import socket
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.managers import BaseManager
from typing import Any

from helpers.checks.guard import where
from helpers.checks.session import (
    CheckContext,
    ChildRecord,
    Exercise,
    Fail,
    Session,
    find_module,
    importability_problem,
    same_items,
    short,
)

KEY_HINT = (
    "The server and every client must use the same authkey: pass the key you made to "
    "the child, and let the child use exactly that key when it connects."
)

# --- 9.1: results through a manager served over TCP -------------------------------------------

NUMBERS = [2, 3, 5, 7]
# The first child the answer starts waits longest, so the results arrive in about reverse order.
DELAYS = [0.6, 0.4, 0.2, 0.0]

ORDER_HINT = (
    "Results arrive in the order the children finish, not the order you started them. "
    "Each child puts (x, x * x): use x to put every square in its place."
)
NO_RESULT_HINT = (
    "No result arrived on the served queue: does every child connect and put (x, x * x) "
    "on server.results()?"
)


class Staggered:
    """A learner's child target, called after a pause. It lives in this module, so a child
    started with any start method can unpickle it (the target itself travels by name)."""

    def __init__(self, target: Any, delay: float) -> None:
        self.target = target
        self.delay = delay

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        time.sleep(self.delay)
        return self.target(*args, **kwargs)


class StaggeredContext(CheckContext):
    """The check's context, except that the children running the learner's module code wait
    ``delays[0]``, ``delays[1]``, ... seconds (in the order they are made) before they start,
    and that it keeps every manager whose server it starts, as ``Manager()`` does: a manager
    the answer forgets is then still running when the answer returns, instead of being shut
    down whenever Python happens to collect it."""

    def __init__(self, ctx: Any, delays: list[float]) -> None:
        super().__init__(ctx)
        self._delays = list(delays)

    def make_process(
        self,
        target: Any,
        args: tuple = (),
        kwargs: dict | None = None,
        name: str | None = None,
        daemon: bool | None = None,
        barrier: Any = None,
    ) -> Any:
        if getattr(target, "__name__", "") == "_run_server":
            manager = _starting_manager()
            if manager is not None:
                self._managers.append(manager)
        module = getattr(target, "__module__", "") or ""
        if not module.startswith("exercise_") or importability_problem(target) or not self._delays:
            return super().make_process(target, args, kwargs, name, daemon, barrier)
        delayed = Staggered(target, self._delays.pop(0))
        process = super().make_process(delayed, args, kwargs, name, daemon, barrier)
        self._children[-1].target = target  # feedback names the learner's function
        return process


def _starting_manager() -> Any:
    """The BaseManager whose start() is asking for its server process, found on the stack."""
    frame = sys._getframe(1)  # noqa: SLF001 - CPython and PyPy have it
    for _ in range(6):
        if frame is None:
            return None
        candidate = frame.f_locals.get("self")
        if frame.f_code.co_name == "start" and isinstance(candidate, BaseManager):
            return candidate
        frame = frame.f_back
    return None


def _is_server(record: ChildRecord) -> bool:
    """A manager's server process (BaseManager.start) or the notebook's ``serve_results``."""
    target = record.target
    name = getattr(target, "__name__", "")
    module = getattr(target, "__module__", "") or ""
    return (name == "_run_server" and module.startswith("multiprocessing")) or (
        name == "serve_results" and module == "helpers.tasks.remote"
    )


def check_manager(answer: Any, s: Session) -> str:
    name = "collect_over_tcp"
    s.ctx = StaggeredContext(s.real_ctx, DELAYS)
    outcome = s.call(answer, s.ctx, list(NUMBERS), deadline=max(s.deadline, 6.0))
    s.problems(
        outcome,
        name,
        {"manager": NO_RESULT_HINT, "get": NO_RESULT_HINT},
        child_hints={
            "AuthenticationError": KEY_HINT,
            "ConnectionRefusedError": "Nothing listened at the address the child was given: "
            "start the children inside the `with` block, while the server runs, and give "
            "them server.address.",
        },
        error_hints={
            "Empty": "get(timeout=...) raised queue.Empty: " + NO_RESULT_HINT,
            "AuthenticationError": KEY_HINT,
        },
    )
    servers = [r for r in outcome.children if _is_server(r)]
    if not servers:
        if s.stray_children():
            raise Fail(
                f"{name} started its manager server with another context than the `ctx` "
                "it was given.",
                "Pass ctx=ctx when you create the manager: "
                "remote.ResultsManager(address=..., authkey=..., ctx=ctx).",
            )
        raise Fail(
            f"{name} started no manager server of its own.",
            "Serve the queue over TCP: `with remote.ResultsManager(address=('127.0.0.1', 0), "
            "authkey=authkey, ctx=ctx) as server:`, and give the children server.address.",
        )
    reporters = [r for r in outcome.children if not _is_server(r)]
    if any(r.args and isinstance(r.args[0], str) for r in reporters):
        raise Fail(
            "the children were given the path of a Unix socket, a file on this machine, "
            "not a (host, port) address: the server did not listen on TCP.",
            "Without an address a manager listens on a Unix socket, which no other machine "
            "can reach. Create it with address=('127.0.0.1', 0): TCP, on a port the "
            "operating system chooses.",
        )
    if any(r.at_return == "running" for r in servers):
        raise Fail(
            f"the manager server that {name} started was still running after it returned.",
            "Shut the server down when you have your results: `with remote.ResultsManager("
            "...) as server:` does it at the end of the block (or call server.shutdown()).",
        )
    _squares_in_order(outcome.value, name, [x * x for x in NUMBERS])
    if len(reporters) != len(NUMBERS):
        raise Fail(
            f"{name} started {len(reporters)} reporting children for {len(NUMBERS)} numbers.",
            "Start one child per number.",
        )
    s.require_tidy(outcome, name)
    return (
        "four children reported their squares to a queue served over TCP; they came back "
        "in the order of the numbers, [4, 9, 25, 49], though they arrived in another, and "
        "the server was shut down."
    )


def _squares_in_order(got: Any, name: str, expected: list[int]) -> None:
    if not isinstance(got, (list, tuple)):
        raise Fail(
            f"{name} returned {short(got)}, not a list.",
            "Return a list of the squares, in the order of `numbers`.",
        )
    got = list(got)
    if got and all(isinstance(item, (tuple, list)) for item in got):
        raise Fail(
            f"{name} returned pairs such as {got[0]!r}, not plain squares.",
            "Use x to put each square in its place, then return only the squares.",
        )
    if got == expected:
        return
    if same_items(got, expected):
        raise Fail(
            f"the right squares in another order: {got}; the order of the numbers "
            f"gives {expected}.",
            ORDER_HINT,
        )
    raise Fail(
        f"{name}({NUMBERS}) returned {short(got)}; expected {expected}.",
        "Each child puts (x, x * x); return one square per number, in the order of `numbers`.",
    )


# --- 9.2: one result through a Listener ----------------------------------------------------

SQUARE_OF = 7
SILENT_TIMEOUT_S = 0.5

ACCEPT_HINT = (
    "Listener.accept() has no timeout: it waits for ever for a child that never connects. "
    "Use remote.accept_within(listener, timeout), which raises TimeoutError instead."
)
LISTENER_HINT = (
    "Close the listener on every path, the TimeoutError included: `with Listener(...) as "
    "listener:` does it for you. Until it is closed, its port stays taken."
)
HANDSHAKE_HINT = (
    "A Listener and a Client check each other's key before any data moves. Give the "
    "child's Client the key you gave the Listener: Client(address, authkey=authkey). A "
    "Client without authkey= skips that check and sends at once, which breaks it."
)
SILENT_HINT = (
    "When nobody connects in time, let the TimeoutError from remote.accept_within through "
    "(or raise one), after stopping the child."
)


def stay_silent(address: Any, authkey: bytes, x: Any) -> None:
    """A child that never connects to the listener it was given: it only waits."""
    time.sleep(30)


def _during_handshake(error: BaseException) -> bool:
    """Whether ``error`` was raised while a Listener and a Client were checking their keys."""
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name in ("deliver_challenge", "answer_challenge"):
            return True
        tb = tb.tb_next
    return False


def _addresses(records: list[ChildRecord]) -> list[tuple[str, int]]:
    """The (host, port) addresses that children were given as their first argument."""
    found = []
    for record in records:
        first = record.args[0] if record.args else None
        if (
            isinstance(first, tuple)
            and len(first) == 2
            and isinstance(first[0], str)
            and isinstance(first[1], int)
        ):
            found.append(first)
    return found


def _knock(address: tuple[str, int]) -> bool:
    """Connect to ``address`` and hang up at once; whether something was listening there.

    A listener stuck in accept() returns (its handshake then fails): that frees it."""
    try:
        with socket.create_connection(address, timeout=1.0):
            return True
    except OSError:
        return False


@contextmanager
def _unclosed_sockets() -> Iterator[list[str]]:
    """The messages of the "unclosed socket" warnings Python gives while this block runs.

    A listener that nobody closed is closed by Python when the last reference to it goes,
    with a ResourceWarning that is hidden by default; here it is recorded instead."""
    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield found
    found += [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def _require_listener_closed(
    address: tuple[str, int] | None, unclosed: list[str], name: str
) -> None:
    if address is None:
        return
    if _knock(address):
        raise Fail(
            f"the listener that {name} made was still open after it returned.", LISTENER_HINT
        )
    port = f"{address[0]!r}, {address[1]})"
    if any("raddr" not in message and port in message for message in unclosed):
        raise Fail(
            f"{name} never closed its listener: Python closed it when nothing referred to it "
            "any more (with a ResourceWarning that is usually hidden).",
            LISTENER_HINT,
        )


def check_listener(answer: Any, s: Session) -> str:
    name = "receive_one"
    module = find_module("exercise_09_2")
    sender = getattr(module, "send_square", None)
    # A call stuck in accept() is freed by connecting to the address its child was given.
    s.unblockers.append(lambda: [_knock(a) for a in _addresses(s.ctx._children)])
    # 1. A child that connects and sends.
    with _unclosed_sockets() as unclosed:
        outcome = s.call(answer, s.ctx, sender, SQUARE_OF, 5.0, deadline=max(s.deadline, 6.0))
        gc.collect()  # a listener caught in a reference cycle is closed (and warned about) now
    error = outcome.error
    if error is not None and outcome.stuck is None and _during_handshake(error):
        s.children_failures(outcome.children, {"AuthenticationError": KEY_HINT})
        place = where(error.__traceback__)
        raise Fail(
            f"{name} raised {type(error).__name__} in accept, while the listener checked the "
            "child's key" + (f" ({place})." if place else "."),
            HANDSHAKE_HINT,
        )
    s.problems(
        outcome,
        name,
        {
            "accept": "Nobody connected: does the child connect to the address it was given, "
            "with Client(address, authkey=authkey)? " + ACCEPT_HINT,
            "recv": "recv() waits for ever: call poll(timeout) first.",
        },
        child_hints={"AuthenticationError": KEY_HINT},
        error_hints={
            "AuthenticationError": KEY_HINT,
            "TimeoutError": "Nothing arrived in time: does the child connect to the address "
            "it was given, and send x * x?",
        },
    )
    square = SQUARE_OF * SQUARE_OF
    if outcome.value != square:
        raise Fail(
            f"the child sends {SQUARE_OF} * {SQUARE_OF} = {square}, and {name} returned "
            f"{short(outcome.value)}.",
            "Return what connection.recv() gives you.",
        )
    s.require_tidy(outcome, name)
    given = _addresses(outcome.children)
    _require_listener_closed(given[0] if given else None, unclosed, name)
    # 2. A child that never connects.
    with _unclosed_sockets() as unclosed:
        outcome = s.call(
            answer,
            s.ctx,
            stay_silent,
            SQUARE_OF,
            SILENT_TIMEOUT_S,
            deadline=max(s.deadline, 3.0),
        )
        gc.collect()
    s.problems(
        outcome,
        name,
        {"accept": ACCEPT_HINT},
        default_stuck_hint=ACCEPT_HINT,
        check_children=False,
        error_expected=True,
    )
    error = outcome.error
    if error is None:
        raise Fail(
            f"nobody connected within the {SILENT_TIMEOUT_S} s timeout, and {name} returned "
            f"{short(outcome.value)}.",
            SILENT_HINT,
        )
    if not isinstance(error, TimeoutError):
        raise Fail(
            f"nobody connected within the {SILENT_TIMEOUT_S} s timeout, and {name} raised "
            f"{type(error).__name__}.",
            SILENT_HINT,
        )
    if any(r.at_return == "running" for r in outcome.children):
        raise Fail(
            f"{name} raised TimeoutError but left the silent child running.",
            "Before raising, stop the child: child.terminate(), then child.join(timeout).",
        )
    s.require_tidy(outcome, name)
    given = _addresses(outcome.children)
    _require_listener_closed(given[0] if given else None, unclosed, name)
    return (
        f"{square} came back through a Listener; when nobody connected, {name} raised "
        "TimeoutError, stopped the child and closed the listener."
    )


# --- 9.3: means on a Dask cluster ----------------------------------------------------------

SEEDS = [1, 2, 3]
COUNT = 5_000  # Dask fetches a list of floats slowly: about a second per 30,000 numbers
CLUSTER_WAIT_S = 30

KEEP_HINT = (
    "Pass each samples future itself to the next task, client.submit(remote.mean, "
    "samples): the samples then go from worker to worker, and only the means come back."
)


class RecordingClient:
    """The check's Dask client as the answer sees it: the real one, which also notes the
    arguments of every task submitted (``submit`` and ``map``)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.tasks: list[tuple[Any, list[Any]]] = []  # (function, its arguments), per task

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def __repr__(self) -> str:
        return f"<the check's Dask client, {len(self.tasks)} task(s) submitted so far>"

    def submit(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        self.tasks.append((func, [*args, *kwargs.values()]))
        return self._client.submit(func, *args, **kwargs)

    def map(self, func: Any, *iterables: Any, **kwargs: Any) -> Any:
        iterables = tuple(list(it) for it in iterables)
        for args in zip(*iterables, strict=False):  # map stops at the shortest too
            self.tasks.append((func, list(args)))
        return self._client.map(func, *iterables, **kwargs)


class OwnCluster:
    """A LocalCluster and its client, made and closed by the check (closing twice is fine)."""

    def __init__(self) -> None:
        from dask.distributed import Client, LocalCluster

        self.cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            host="127.0.0.1",
            silence_logs=logging.CRITICAL,
        )
        try:
            self.client = Client(self.cluster, timeout=CLUSTER_WAIT_S)
        except BaseException:
            self.cluster.close(timeout=CLUSTER_WAIT_S)
            raise

    def close(self) -> None:
        for step in (self.client.close, self.cluster.close):
            try:
                step(timeout=CLUSTER_WAIT_S)
            except Exception:
                pass


def _is_big(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) >= COUNT


def check_cluster(answer: Any, s: Session) -> str:
    from dask.distributed import Future

    from helpers.tasks import remote

    name = "means_on_cluster"
    own = OwnCluster()
    s.unblockers.append(own.close)  # a wait on a closed client ends at once
    try:
        client = RecordingClient(own.client)
        outcome = s.call(answer, client, list(SEEDS), COUNT, deadline=max(s.deadline, 10.0))
    finally:
        own.close()
    s.problems(
        outcome,
        name,
        default_stuck_hint="Every wait needs a limit: wait(futures, timeout=30) before "
        "client.gather(futures), or future.result(timeout=30).",
        error_hints={
            "TimeoutError": "Not every mean was ready in time: does every samples task "
            "have its mean task?",
        },
    )
    got = outcome.value
    expected = [remote.mean(remote.make_samples(seed, COUNT)) for seed in SEEDS]
    if isinstance(got, (list, tuple)) and any(isinstance(item, Future) for item in got):
        raise Fail(
            f"{name} returned {len(got)} Futures: tickets for results that are still on "
            "the workers (and were gone once the check closed its cluster).",
            "Fetch the values before you return: wait(means, timeout=30), then "
            "client.gather(means).",
        )
    sent = [args for _, args in client.tasks if any(_is_big(arg) for arg in args)]
    if sent:
        raise Fail(
            f"{len(sent)} task(s) were given a list of {COUNT:,} samples from the notebook: "
            "the samples went from a worker to the notebook and back to a worker.",
            KEEP_HINT,
        )
    ran = sorted({getattr(func, "__name__", repr(func)) for func, _ in client.tasks})
    if "make_samples" not in ran:
        raise Fail(
            "no task ran remote.make_samples"
            + (f"; the cluster ran only {', '.join(ran)}." if ran else ": no task was submitted."),
            "Submit two tasks per seed: samples = client.submit(remote.make_samples, seed, "
            "count), then client.submit(remote.mean, samples), given the first one's future.",
        )
    if not any(isinstance(arg, Future) for _, args in client.tasks for arg in args):
        raise Fail(
            f"only {', '.join(ran)} ran on the cluster, and no task was given a future: the "
            "samples came back to the notebook, and the means were computed there.",
            KEEP_HINT,
        )
    if not isinstance(got, (list, tuple)):
        raise Fail(
            f"{name} returned {short(got)}, not a list.",
            "Return the list that client.gather(means) gives you.",
        )
    got = list(got)
    if any(_is_big(item) for item in got):
        raise Fail(
            f"{name} returned the samples themselves, not their means.",
            "Submit remote.mean with each samples future, and return the means.",
        )
    if got != expected and same_items(got, expected):
        raise Fail(
            f"the right means in another order: {[round(m, 6) for m in got]}; the order of "
            f"the seeds gives {[round(m, 6) for m in expected]}.",
            "as_completed yields futures in the order they finish; client.gather(means) "
            "keeps the order of the list you give it.",
        )
    if got != expected:
        raise Fail(
            f"{name} returned {short(got)}; the means for seeds {SEEDS} are "
            f"{[round(m, 6) for m in expected]}.",
            "For each seed, in order: the mean of remote.make_samples(seed, count).",
        )
    return (
        f"{len(SEEDS)} lists of {COUNT:,} samples stayed on the workers; only their means "
        "came back, in the order of the seeds."
    )


EXERCISES = [
    Exercise(
        "9.1",
        "Results through a manager served over TCP",
        "collect_over_tcp",
        ("exercise_09_1.report", "collect_over_tcp"),
        check_manager,
    ),
    Exercise(
        "9.2",
        "One result through a Listener, with a time limit",
        "receive_one",
        ("exercise_09_2.send_square", "receive_one"),
        check_listener,
    ),
    Exercise(
        "9.3",
        "Keep the samples on the workers",
        "means_on_cluster",
        ("means_on_cluster",),
        check_cluster,
    ),
]
