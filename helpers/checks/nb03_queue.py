"""Checks for the exercises of 03-queue: results in submission order, the join-before-drain
deadlock fixed, and two workers fed through a task queue with sentinels."""

from __future__ import annotations

from typing import Any

from helpers.checks.session import Exercise, Fail, Outcome, Session, same_items, short

ORDER_HINT = (
    "Results arrive in the order the children finish, not the order you started them. "
    "Put (index, result) on the queue and place or sort each result by its index."
)

# The first task sleeps longest, so the results arrive in about the reverse order.
TASKS = [(1, 0.6), (2, 0.4), (3, 0.2), (4, 0.0)]


def _squares(outcome: Outcome, name: str, expected: list[Any]) -> None:
    got = outcome.value
    if not isinstance(got, (list, tuple)):
        raise Fail(
            f"{name} returned {short(got)}, not a list.",
            "Return a list of the squares, in the order of the input.",
        )
    got = list(got)
    if got and all(isinstance(item, (tuple, list)) for item in got):
        raise Fail(
            f"{name} returned pairs such as {got[0]!r}, not plain squares.",
            "Use the index to put each square in its place, then return only the squares.",
        )
    if got != expected:
        if same_items(got, expected):
            raise Fail(
                f"the right squares in another order: {got}; the order of the input "
                f"gives {expected}.",
                ORDER_HINT,
            )
        raise Fail(
            f"{name} returned {short(got)}; expected {expected}.",
            "Each result is x * x for one task; return one per task, in task order.",
        )


def check_in_order(answer: Any, s: Session) -> str:
    name = "squares_in_order"
    outcome = s.call(answer, s.ctx, list(TASKS))
    s.problems(
        outcome,
        name,
        {
            "get": "No result arrived: does every child put exactly one (index, square) on the "
            "queue it was given?",
        },
        error_hints={
            "Empty": "get(timeout=...) raised queue.Empty: a child put nothing, or "
            "put it on another queue."
        },
    )
    _squares(outcome, name, [x * x for x, _ in TASKS])
    s.require_tidy(outcome, name)
    return (
        "the four squares came back in submission order, [1, 4, 9, 16], "
        "though they arrived in another."
    )


DRAIN_HINT = (
    "A child that put a big item cannot exit until the parent has read it: its queue's "
    "feeder thread is still writing into the full pipe. Get every result first, then "
    "join the children (with a timeout)."
)

SIZES = [10, 2_000_000, 100]


def check_drain(answer: Any, s: Session) -> str:
    name = "collect_payloads"
    outcome = s.call(answer, s.ctx, list(SIZES))
    s.problems(
        outcome,
        name,
        {"join": DRAIN_HINT},
        error_hints={
            "ChildFailed": DRAIN_HINT,
            "Empty": "A get(timeout=...) raised queue.Empty: was every result read exactly once?",
        },
    )
    if outcome.value != SIZES:
        raise Fail(
            f"{name} returned {short(outcome.value)}; the children sent payloads of {SIZES} bytes.",
            "Return the payload lengths in the order of `sizes`.",
        )
    s.require_tidy(outcome, name)
    # True of every accepted answer: a Manager's queue, say, lets a child exit before its
    # item is read, so "drained before joining" is not always what happened.
    return f"payloads of {SIZES} bytes came back in order with no hang, and every child was joined."


SENTINEL_HINT = (
    "A worker stops only when it takes a None. Put one None per worker, after the "
    "tasks, so every worker gets one."
)


def check_workers(answer: Any, s: Session) -> str:
    name = "squares_by_workers"
    numbers = list(range(1, 9))
    outcome = s.call(answer, s.ctx, numbers, 2)
    s.problems(
        outcome,
        name,
        {
            "join": SENTINEL_HINT,
            "get": (
                "The parent waited for results that never came: does each worker put "
                "(index, square) "
                "on the results queue for every task it takes?"
            ),
        },
        child_hints={
            "TypeError": "A worker took the sentinel None and tried to use it as a task: "
            "check for None first, and return when you see it."
        },
        error_hints={
            "ChildFailed": SENTINEL_HINT,
            "Empty": "A get(timeout=...) raised queue.Empty: a worker put fewer results "
            "than it took tasks.",
        },
    )
    if any(r.at_return == "running" for r in outcome.children):
        raise Fail(f"a worker was still running when {name} returned.", SENTINEL_HINT)
    _squares(outcome, name, [x * x for x in numbers])
    workers = len(outcome.children)
    if workers != 2:
        raise Fail(
            f"{name}(numbers, 2) started {workers} processes; it should start 2 workers.",
            "Start `workers` processes, each running the worker loop.",
        )
    s.require_tidy(outcome, name)
    return (
        "two workers squared 8 numbers, stopped at their sentinels, "
        "and the squares came back in order."
    )


EXERCISES = [
    Exercise(
        "3.1",
        "Four results in submission order",
        "squares_in_order",
        ("exercise_03_1.slow_square", "squares_in_order"),
        check_in_order,
    ),
    Exercise("3.2", "Fix this deadlock", "collect_payloads", ("collect_payloads",), check_drain),
    Exercise(
        "3.3",
        "Two workers, one task queue",
        "squares_by_workers",
        ("exercise_03_3.square_worker", "squares_by_workers"),
        check_workers,
    ),
]
