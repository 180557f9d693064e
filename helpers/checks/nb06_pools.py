"""Checks for the exercises of 06-pools-and-futures: squares from a Pool in input order, every
result and every error from a ProcessPoolExecutor, and a deadline that a hung task or a dead
worker cannot break.

A pool worker is the library's own process, so the check does not guard it: it records the
workers (``ctx.Pool`` and ``ProcessPoolExecutor(mp_context=ctx)`` start them through the
check's context), terminates every Pool when it is done, and watches which functions the pool
pickles, to name one that a spawn or forkserver worker could not import.
"""

from __future__ import annotations

import concurrent.futures as cf
import pickle
import sys
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.pool import ApplyResult, IMapIterator
from multiprocessing.reduction import ForkingPickler
from typing import Any

from helpers.checks.session import (
    Exercise,
    Fail,
    Outcome,
    Session,
    importability_problem,
    same_items,
    short,
)
from helpers.tasks import pools

_WORKER_MODULES = ("multiprocessing.pool", "concurrent.futures.process")

USE_CTX_HINT = (
    "Start the workers through the ctx you were given: `ctx.Pool(2)`, or "
    "`ProcessPoolExecutor(max_workers=2, mp_context=ctx)` (without mp_context the executor "
    "uses your platform's default start method, not the notebook's)."
)


class NotImportable(pickle.PicklingError):
    """A pool was asked to send a function that a spawn or forkserver worker cannot import."""


@contextmanager
def _watch_pickled_functions() -> Iterator[list[str]]:
    """Refuse, and record, every function a pool pickles that a worker could not import.

    Pools send functions through multiprocessing's ForkingPickler (Pool's task queue, the
    executor's call queue). Refusing at once turns a worker that would crash on start-up (or
    a lost task) into an error the answer receives straight away, under every start method.
    """
    problems: list[str] = []
    previous = ForkingPickler.__dict__.get("reducer_override")

    def reducer_override(pickler: Any, obj: Any) -> Any:
        if isinstance(obj, types.FunctionType):
            problem = importability_problem(obj)
            if problem is not None:
                problems.append(problem)
                raise NotImportable(
                    f"{problem}: a worker started with spawn or forkserver cannot import it"
                )
        return NotImplemented  # everything else is pickled as usual

    ForkingPickler.reducer_override = reducer_override
    try:
        yield problems
    finally:
        if previous is None:
            del ForkingPickler.reducer_override
        else:
            ForkingPickler.reducer_override = previous


def _importable(problems: list[str], hint: str) -> None:
    if problems:
        raise Fail(
            f"{problems[0]}: a pool worker started with spawn or forkserver cannot import it.",
            hint,
        )


def _module_hint(module: str, function: str) -> str:
    return (
        f"Put it in the %%child_module {module} cell, run that cell, and give the pool "
        f"{module}.{function}."
    )


def _workers(outcome: Outcome) -> list[Any]:
    """The pool workers among the processes the answer started."""
    return [
        record
        for record in outcome.children
        if (getattr(record.target, "__module__", "") or "").startswith(_WORKER_MODULES)
    ]


def _tidy(outcome: Outcome, name: str, s: Session, stop_hint: str) -> None:
    """Workers were started through ctx, none is running now, and nothing else is left."""
    workers = _workers(outcome)
    if not workers:
        raise Fail(f"{name} started no worker process through `ctx`.", USE_CTX_HINT)
    running = [r for r in workers if r.at_return in ("running", "finished, never joined")]
    if running:
        raise Fail(
            f"{len(running)} pool worker(s) were still running when {name} returned.", stop_hint
        )
    s.require_tidy(outcome, name)


def _what(value: Any) -> str:
    """ "a list of 4 ApplyResult objects", or the short description of a single value."""
    if isinstance(value, (list, tuple)) and value:
        kinds = sorted({type(item).__name__ for item in value})
        if len(kinds) == 1 and not isinstance(value[0], (int, float, str)):
            return f"a {type(value).__name__} of {len(value)} {kinds[0]} objects"
    return short(value)


def _awaitable_kind(value: Any) -> str | None:
    """ "AsyncResult", "Future" or "iterator" when ``value`` (or its items) still has to be
    waited for; None for plain values."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if isinstance(item, ApplyResult):
            return "AsyncResult"
        if isinstance(item, cf.Future):
            return "Future"
        if isinstance(item, (Iterator, IMapIterator)):
            return "iterator"
    return None


# --- 6.1 ---------------------------------------------------------------------------------------

# The first task sleeps longest, so results arrive in another order than the input's.
TASKS = [(1, 0.6), (2, 0.0), (3, 0.1), (4, 0.0)]

ORDER_HINT = (
    "imap_unordered (like as_completed) hands results over in the order they finish. "
    "map_async(...).get(timeout=...) (or imap) keeps the order of the input for you."
)
WAIT_HINT = {
    "AsyncResult": "apply_async and map_async return at once, with an AsyncResult; its "
    ".get(timeout=...) waits for the value. Call it inside the `with` block: leaving the "
    "block terminates the workers.",
    "Future": "submit returns a Future at once; future.result(timeout=...) waits for its value.",
    "iterator": "imap hands results over as you iterate. Iterate inside the `with` block "
    "(leaving it terminates the workers), or use map_async(...).get(timeout=...), "
    "which returns a list.",
}
POOL_STOP_HINT = (
    "Use `with ctx.Pool(2) as pool:` and call pool.close() and pool.join() inside the block, "
    "once every result has arrived."
)


def check_pool_order(answer: Any, s: Session) -> str:
    name = "squares_with_pool"
    expected = [x * x for x, _ in TASKS]
    with _watch_pickled_functions() as unimportable:
        outcome = s.call(answer, s.ctx, list(TASKS))
    _importable(unimportable, _module_hint("exercise_06_1", "slow_square"))
    s.problems(
        outcome,
        name,
        {"get": "No result came: does slow_square return x * x?", "join": POOL_STOP_HINT},
        error_hints={
            "TypeError": "The pool calls slow_square with one argument, the pair (x, delay) "
            "(starmap would unpack it into two): write `x, delay = task` inside slow_square.",
            "TimeoutError": "A result did not come in time: does slow_square return x * x "
            "(return, not print)?",
        },
        check_children=False,  # a worker stopped by `with` is the pool's business, not an error
    )
    got = outcome.value
    kind = _awaitable_kind(got)
    if kind is not None:
        raise Fail(f"{name} returned {_what(got)}, not the squares.", WAIT_HINT[kind])
    if not isinstance(got, (list, tuple)):
        raise Fail(
            f"{name} returned {short(got)}, not a list.",
            "Return a list of the squares, in the order of the tasks.",
        )
    got = list(got)
    if got != expected:
        if same_items(got, expected):
            raise Fail(
                f"the right squares in another order: {got}; the order of the tasks gives "
                f"{expected}.",
                ORDER_HINT,
            )
        raise Fail(
            f"{name} returned {short(got)}; expected {expected}.",
            "slow_square((x, delay)) sleeps delay seconds and returns x * x; return one square "
            "per task, in task order.",
        )
    _tidy(outcome, name, s, POOL_STOP_HINT)
    return (
        f"the pool returned the four squares in task order, {expected}, though the first "
        "task finished last."
    )


# --- 6.2 ---------------------------------------------------------------------------------------

TEXTS = ["42", "seven", "-3", "17", "0"]
AGES = {"42": 42, "17": 17, "0": 0}
BAD = ["seven", "-3"]

ONE_ERROR_HINT = (
    "future.result() and executor.map raise a task's exception in the parent, so one "
    "failing input ended the whole collection. Submit every input, and wrap each "
    "future.result(timeout=...) in try/except: the value goes into ages, the exception "
    "into errors."
)
ARRIVAL_HINT = (
    "as_completed yields futures in the order they finish, not the order you submitted "
    "them: keep a dict {future: text} and look each future's input up in it."
)
EXECUTOR_STOP_HINT = (
    "Use `with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as executor:`; leaving "
    "the block waits for the workers and stops them."
)


def check_every_error(answer: Any, s: Session) -> str:
    name = "ages_and_errors"
    with _watch_pickled_functions() as unimportable:
        outcome = s.call(answer, s.ctx, list(TEXTS))
    _importable(unimportable, _module_hint("exercise_06_2", "parse_age"))
    s.problems(
        outcome,
        name,
        default_stuck_hint="Bound every wait: as_completed(futures, timeout=10), "
        "future.result(timeout=...).",
        error_hints={
            "ValueError": ONE_ERROR_HINT,
            "TimeoutError": "No result came in time: does parse_age return the age?",
        },
        check_children=False,
    )
    got = outcome.value
    if not (isinstance(got, tuple) and len(got) == 2 and all(isinstance(d, dict) for d in got)):
        raise Fail(
            f"{name} returned {short(got)}, not a pair of dicts.",
            "Return (ages, errors): two dicts keyed by the input text.",
        )
    ages, errors = got
    for label, table in (("ages", ages), ("errors", errors)):
        for key, item in table.items():
            kind = _awaitable_kind(item)
            if kind == "Future":
                raise Fail(
                    f"{label}[{key!r}] is a Future, not what the task gave back.",
                    "A Future is only a receipt: future.result(timeout=...) returns the value "
                    "or raises the exception; record that.",
                )
    returned = [key for key, item in ages.items() if isinstance(item, BaseException)]
    if returned:
        raise Fail(
            f"ages[{returned[0]!r}] is {ages[returned[0]]!r}: the exception came back as a value.",
            "Let parse_age raise: the pool brings a worker's exception back to the parent, "
            "where future.result() raises it, and your except puts it into errors.",
        )
    if "-3" in ages:
        raise Fail(
            f"parse_age('-3') returned {short(ages['-3'])}; a negative age should raise "
            "ValueError.",
            "In parse_age, raise ValueError(...) when the number is below 0.",
        )
    missing = [text for text in TEXTS if text not in ages and text not in errors]
    if missing:
        raise Fail(
            f"no entry for {', '.join(map(repr, missing))}: ages has "
            f"{sorted(ages, key=str)}, errors has {sorted(errors, key=str)}.",
            ONE_ERROR_HINT
            if not errors
            else "Every input goes into one of the two dicts: its age, or its exception.",
        )
    if set(errors) != set(BAD) or set(ages) != set(AGES):
        raise Fail(
            f"ages has the keys {sorted(ages, key=str)} and errors {sorted(errors, key=str)}; "
            f"expected ages for {sorted(AGES)} and errors for {sorted(BAD)}.",
            ARRIVAL_HINT,
        )
    if ages != AGES:
        if sorted(map(repr, ages.values())) == sorted(map(repr, AGES.values())):
            raise Fail(f"ages is {ages}: the ages belong to other inputs.", ARRIVAL_HINT)
        raise Fail(
            f"ages is {ages}; expected {AGES}.", "parse_age(text) returns int(text) as the age."
        )
    for text in BAD:
        item = errors[text]
        if not isinstance(item, ValueError):
            raise Fail(
                f"errors[{text!r}] is {short(item)}, not the exception.",
                "Store the exception itself: `except Exception as error: errors[text] = error`"
                " (and int('seven') raises ValueError on its own).",
            )
    _tidy(outcome, name, s, EXECUTOR_STOP_HINT)
    return (
        "every input came back: 3 ages and 2 ValueErrors, each under its own input, "
        "though two tasks failed."
    )


# --- 6.3 ---------------------------------------------------------------------------------------

# A result, a worker that dies, a result, a task that hangs. Pool loses the dying task
# silently and the hanging one never ends: both must come back as None.
CALLS = [
    (pools.nap, (0.2,)),
    (pools.exit_abruptly, (1,)),
    (pools.nap, (0.1,)),
    (pools.nap, (30.0,)),
]
EXPECTED = [0.2, None, 0.1, None]
# A spawned worker took ~0.3 s to start on 3.14 and 3.15 here, against ~0.08 s on 3.11, and an
# executor answer starts four of them: the batch gets more time there.
BUDGET_S = 4.0 if sys.version_info >= (3, 14) else 2.0
SLACK_S = 1.0  # starting and terminating the pool, on a busy machine

DEADLINE_HINT = (
    "The whole batch gets `timeout` seconds, not each get: compute "
    "`end = time.monotonic() + timeout` once, and give each get(timeout=...) only what is "
    "left (at least 0)."
)
JOIN_HINT = (
    "close() and join() wait for every task, and a hung or lost task never ends, so join() "
    "waits forever. When a get timed out, terminate() the pool instead (leaving "
    "`with ctx.Pool(...)` does it for you)."
)
TERMINATE_HINT = (
    "A hung worker never stops by itself: terminate() the pool before you return "
    "(leaving `with ctx.Pool(...)` does it for you)."
)
# An executor answer is fine too, with one executor per call: a worker that dies breaks its
# whole executor, and fails every future of that executor (section 5).
END_WORKERS = (
    "end the workers without waiting for them: executor.terminate_workers() (or "
    "kill_workers()) on Python 3.14+; before 3.14, the steps of section 5: take "
    "list(executor._processes.values()), call shutdown(wait=False, cancel_futures=True), and "
    "terminate() each of them"
)
EXECUTOR_WAITS_HINT = (
    "shutdown(wait=True), which leaving an executor's `with` block calls too, waits for every "
    f"task, and the hung one never ends. Once the deadline has passed, {END_WORKERS}."
)
BROKEN_EXECUTOR_HINT = (
    "When one worker of a ProcessPoolExecutor dies, the whole executor breaks (section 5): "
    "exit_abruptly(1) failed the other calls' futures with BrokenProcessPool too. Use "
    "ctx.Pool(2), which replaces a dead worker, or give every call an executor of its own "
    "(max_workers=1)."
)
EXECUTOR_END_HINT = (
    "A hung worker never stops by itself, and shutdown(wait=False) leaves it running: "
    f"{END_WORKERS}. Then wait for them: `wait_for_children(timeout=10)` from helpers.processes."
)
EXECUTOR_UNWAITED_HINT = (
    "terminate_workers() (like terminate() before 3.14) only tells the workers to stop, and "
    "returns at once. Wait for them, with a time limit, before you return: "
    "`wait_for_children(timeout=10)` from helpers.processes, as in section 5."
)
WORKER_EXIT_S = 3.0  # how long a terminated worker may take to exit, on a busy machine


def _executor_workers(outcome: Outcome) -> list[Any]:
    """The workers that ProcessPoolExecutors started for the answer."""
    return [
        record
        for record in _workers(outcome)
        if (getattr(record.target, "__module__", "") or "").startswith(_WORKER_MODULES[1])
    ]


def _executors(workers: list[Any]) -> int:
    """How many executors started these workers (each gives its workers its own call queue)."""
    return len({id(record.args[0]) for record in workers if record.args})


def _still_running(records: list[Any], seconds: float) -> list[Any]:
    """The records whose process has not exited within ``seconds``. Never joins: an
    executor's own thread may be reaping the same process, so ask again until it is done."""
    deadline = time.monotonic() + seconds
    while True:
        alive = [r for r in records if r.started and r.process.is_alive()]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


def _executor_tidy(outcome: Outcome, name: str, workers: list[Any]) -> None:
    """Every executor worker had exited when the answer returned: say which step is missing."""
    running = [r for r in workers if r.at_return in ("running", "finished, never joined")]
    if not running:
        return
    never_ended = _still_running(running, WORKER_EXIT_S)
    if never_ended:
        raise Fail(
            f"{len(never_ended)} executor worker(s) were still running when {name} returned, "
            f"and had not stopped {WORKER_EXIT_S:g} s later.",
            EXECUTOR_END_HINT,
        )
    raise Fail(
        f"{len(running)} executor worker(s) had been told to stop but were still running when "
        f"{name} returned.",
        EXECUTOR_UNWAITED_HINT,
    )


def check_deadline(answer: Any, s: Session) -> str:
    name = "results_by_deadline"
    # A right answer returns about BUDGET_S after it starts; one that waits BUDGET_S per
    # missing result returns after twice that, and is told so (or found waiting, if sooner).
    limit = min(s.deadline, 2 * BUDGET_S + 2.0)
    with _watch_pickled_functions() as unimportable:
        outcome = s.call(answer, s.ctx, list(CALLS), BUDGET_S, deadline=limit)
    _importable(
        unimportable,
        "Give the pool each call's function itself, pool.apply_async(function, args) or "
        "executor.submit(function, *args), not a lambda or a function of your own around it.",
    )
    executor_workers = _executor_workers(outcome)
    # One executor for several calls: the dying worker broke it, and its other futures.
    shared_executor = bool(executor_workers) and _executors(executor_workers) < len(CALLS)
    stuck = outcome.stuck
    waits_for_executor = (
        stuck is not None
        and bool(executor_workers)
        and (stuck.code.startswith("with ") or "shutdown" in stuck.code)
    )
    if isinstance(outcome.error, TimeoutError):  # the builtin one: a future's result(timeout)
        timeout_hint = (
            "future.result(timeout=...) raises TimeoutError when the deadline passes: catch it "
            "and count that call as None."
        )
    else:
        timeout_hint = (
            "Pool's get(timeout=...) raises multiprocessing.TimeoutError, which "
            "`except TimeoutError:` does not catch (section 4): catch "
            "multiprocessing.TimeoutError."
        )
    s.problems(
        outcome,
        name,
        {"get": DEADLINE_HINT, "wait": DEADLINE_HINT, "join": JOIN_HINT},
        default_stuck_hint=EXECUTOR_WAITS_HINT if waits_for_executor else DEADLINE_HINT,
        error_hints={
            "TimeoutError": timeout_hint,
            "BrokenProcessPool": BROKEN_EXECUTOR_HINT
            if shared_executor
            else "exit_abruptly(1) kills its worker, and its future's result() raises "
            "BrokenProcessPool: catch it and count that call as None.",
        },
        check_children=False,
    )
    got = outcome.value
    kind = _awaitable_kind(got)
    if kind is not None:
        raise Fail(f"{name} returned {_what(got)}, not the values.", WAIT_HINT[kind])
    if not isinstance(got, (list, tuple)) or len(got) != len(CALLS):
        raise Fail(
            f"{name} returned {short(got)}; expected a list of {len(CALLS)} items, one per call.",
            "Return one item per call, in order: its value, or None when none came in time.",
        )
    got = list(got)
    if got == [None] * len(CALLS):
        raise Fail(
            f"{name} returned {got}: nap(0.2) and nap(0.1) returned well before the "
            "deadline, but came back as None.",
            BROKEN_EXECUTOR_HINT
            if shared_executor
            else "Get each call's result on its own (apply_async per call: map_async gives all "
            "the results or none, and a lost task means none), and give each get what is "
            "left of the deadline: end - time.monotonic(), with end = time.monotonic() + "
            "timeout computed once.",
        )
    if got != EXPECTED:
        early = [i for i in (0, 2) if got[i] is None]
        raise Fail(
            f"{name} returned {got}; expected {EXPECTED}: nap(0.2) and nap(0.1) return, "
            "exit_abruptly(1) kills its worker and nap(30.0) hangs.",
            (BROKEN_EXECUTOR_HINT if shared_executor else DEADLINE_HINT)
            if early
            else "Return each call's value, or None when it has none.",
        )
    if outcome.seconds > BUDGET_S + SLACK_S:
        raise Fail(f"{name} took {outcome.seconds:.1f} s with timeout={BUDGET_S:g}.", DEADLINE_HINT)
    _executor_tidy(outcome, name, executor_workers)
    _tidy(outcome, name, s, TERMINATE_HINT)
    return (
        "the two results came back, the lost and the hung task as None, within the deadline, "
        "and no worker was left running."
    )


EXERCISES = [
    Exercise(
        "6.1",
        "Squares from a pool, in order",
        "squares_with_pool",
        ("exercise_06_1.slow_square", "squares_with_pool"),
        check_pool_order,
    ),
    Exercise(
        "6.2",
        "Every result and every error",
        "ages_and_errors",
        ("exercise_06_2.parse_age", "ages_and_errors"),
        check_every_error,
    ),
    Exercise(
        "6.3",
        "A deadline that nothing can break",
        "results_by_deadline",
        ("results_by_deadline",),
        check_deadline,
    ),
]
