"""Checks for the exercises of 10-without-a-child-process: a count that threads cannot lose,
and results from a pool of subinterpreters (Python 3.14+).

Neither exercise starts a process. 10.1 hands the answer a counter whose slow ``read`` makes a
lost update certain without a lock, and records which threads wrote to it. 10.2 compares the
interpreters before and after the answer, so one it left open is named.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from helpers.checks.session import Exercise, Fail, Session, same_items, short
from helpers.tasks import inprocess

# --- 10.1 --------------------------------------------------------------------------------------

THREADS, TIMES = 4, 5
READ_PAUSE_S = 0.002  # long enough that a switch between read and write is all but certain

LOCK_HINT = (
    "Create one `threading.Lock()` before starting the threads and hold it (`with lock:`) "
    "around `counter.write(counter.read() + 1)`, the read and the write together."
)


class SlowCounter:
    """A count whose read pauses, and that notes the thread of every write."""

    def __init__(self) -> None:
        self._value = 0
        self.writers: set[int] = set()
        self.writes = 0

    def read(self) -> int:
        value = self._value
        time.sleep(READ_PAUSE_S)
        return value

    def write(self, value: int) -> None:
        self._value = value
        self.writes += 1
        self.writers.add(threading.get_ident())


def _running_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.is_alive()}


def check_tally(answer: Any, s: Session) -> str:
    name = "tally"
    counter = SlowCounter()
    before = _running_threads()
    outcome = s.call(answer, counter, THREADS, TIMES)
    s.problems(
        outcome,
        name,
        default_stuck_hint="Give every wait a limit: future.result(timeout=10).",
        check_children=False,
    )
    expected = THREADS * TIMES
    writes_at_return = counter.writes
    time.sleep(0.2)  # long enough for a thread still at work to write again, or to end
    left = {t for t in _running_threads() - before if t.name != "exercise-check"}
    if left or counter.writes > writes_at_return:
        raise Fail(
            f"threads were still {'running' if left else 'writing'} after {name} returned "
            f"({writes_at_return} of {expected} writes done when it returned).",
            "Start the threads inside `with ThreadPoolExecutor(max_workers=threads) as "
            "executor:` and wait for each future's result before returning.",
        )
    callers = counter.writers - {threading.main_thread().ident}
    if counter.writes and len(callers) < 2:
        raise Fail(
            f"every write came from {'one thread' if callers else 'the main thread'}.",
            "Submit one task per thread to `ThreadPoolExecutor(max_workers=threads)`, so that "
            "the threads do the adding.",
        )
    got = outcome.value
    if got != expected:
        if isinstance(got, int) and counter.writes == expected and got < expected:
            raise Fail(
                f"{counter.writes} writes, but the count is {got}: "
                f"{expected - got} update(s) were lost between a read and its write.",
                LOCK_HINT,
            )
        if counter.writes < expected:
            raise Fail(
                f"{name} returned {short(got)} after only {counter.writes} of {expected} writes.",
                "Wait for every future (`future.result(timeout=10)`) before returning, and let "
                "each thread add `times` ones.",
            )
        raise Fail(
            f"{name} returned {short(got)}; the counter should say {expected}.",
            "Return `counter.read()` once every thread has finished.",
        )
    return (
        f"{len(callers)} threads added one {expected} times through a slow counter, "
        "no update was lost, and every thread had finished."
    )


# --- 10.2 --------------------------------------------------------------------------------------

NUMBERS = [3, 1, 4, 1, 5]
NEEDS_314 = "Subinterpreters need Python 3.14 or newer."


def check_from_interpreters(answer: Any, s: Session) -> str:
    name = "from_interpreters"
    if sys.version_info < (3, 14):
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        raise Fail(
            f"this is Python {version}, and exercise 10.2 needs 3.14 or newer.",
            NEEDS_314 + " Run this notebook with Python 3.14 to try it.",
        )
    from concurrent import interpreters

    before = {i.id for i in interpreters.list_all()}
    outcome = s.call(answer, inprocess.square_and_interpreter, list(NUMBERS), deadline=30)
    left = [i for i in interpreters.list_all() if i.id not in before]
    for interp in left:  # ours to clean up now, whatever the answer did
        try:
            interp.close()
        except Exception:  # still running a call: it ends with the process
            pass
    s.problems(
        outcome,
        name,
        default_stuck_hint="Bound the wait: `executor.map(task, numbers, timeout=30)`.",
        error_hints={
            "NotShareableError": "Only importable functions reach a subinterpreter: pass "
            "`task` itself to the executor, not a lambda or a function typed in the notebook.",
        },
        check_children=False,
    )
    if left:
        raise Fail(
            f"{len(left)} subinterpreter(s) were still open when {name} returned.",
            "Use `with InterpreterPoolExecutor(max_workers=2) as executor:`; leaving the "
            "block closes its interpreters.",
        )
    got = outcome.value
    if not isinstance(got, (list, tuple)) or not all(
        isinstance(item, tuple) and len(item) == 2 for item in got
    ):
        raise Fail(
            f"{name} returned {short(got)}, not a list of task(x) results.",
            "Return `list(executor.map(task, numbers, timeout=30))`.",
        )
    got = list(got)
    squares = [square for square, _ in got]
    expected = [x * x for x in NUMBERS]
    if squares != expected:
        if same_items(squares, expected):
            raise Fail(
                f"the right squares in another order: {squares}.",
                "Return the results in the order of `numbers`: `executor.map` keeps it.",
            )
        raise Fail(
            f"{name} returned squares {squares}; expected {expected}.",
            "Call task(x) once per number.",
        )
    main_id = interpreters.get_main().id
    if any(where == main_id for _, where in got):
        raise Fail(
            "the tasks ran in the main interpreter, not in subinterpreters.",
            "Use `InterpreterPoolExecutor(max_workers=2)`, not a ThreadPoolExecutor or a "
            "plain loop.",
        )
    # How many of the pool's interpreters took a task depends on timing, so it is not said.
    return (
        f"{len(got)} squares came back in order from subinterpreters of the pool, and the "
        "pool's interpreters were closed."
    )


EXERCISES = [
    Exercise("10.1", "A count that threads cannot lose", "tally", ("tally",), check_tally),
    Exercise(
        "10.2",
        "Results from a pool of subinterpreters",
        "from_interpreters",
        ("from_interpreters",),
        check_from_interpreters,
    ),
]
