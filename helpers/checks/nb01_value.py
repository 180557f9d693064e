"""Checks for the exercises of 01-value: a mean handed back exactly, a counter that loses no
updates, and primes of unknown count through a fixed-size Array."""

from __future__ import annotations

import math
import struct
from typing import Any

from helpers.checks.instruments import SlowCounter
from helpers.checks.session import Exercise, Fail, Session, short, still_running

MEAN_OF = [1 / 3, 2 / 7, 0.123456789]

JOIN_HINTS = {
    "join": "Your join is waiting for a child that does not finish. Bound it: "
    "join_or_fail(child, timeout=10).",
}


def _as_float32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def check_mean(answer: Any, s: Session) -> str:
    # fsum: plain sum() of floats became compensated in Python 3.12, changing the last digit.
    expected = math.fsum(MEAN_OF) / len(MEAN_OF)
    outcome = s.call(answer, s.ctx, list(MEAN_OF))
    s.problems(
        outcome,
        "mean_in_child",
        JOIN_HINTS,
        child_hints={
            "TypeError": "An integer typecode ('i', 'l', ...) cannot hold a float: create the "
            "Value "
            "with typecode 'd', a C double.",
        },
    )
    got = outcome.value
    if got is None:
        raise Fail(
            "mean_in_child returned None.",
            "Return the number the child stored: `return result.value`.",
        )
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        if hasattr(got, "value"):
            raise Fail(
                f"mean_in_child returned the shared object itself ({type(got).__name__}).",
                "Return its `.value`, a plain Python float, once the child has finished.",
            )
        raise Fail(
            f"mean_in_child returned {short(got)}, not a number.",
            "Return `result.value`, the number the child stored.",
        )
    unjoined = any(r.at_return in ("running", "finished, never joined") for r in outcome.children)
    if got == 0 and unjoined:
        raise Fail(
            "mean_in_child returned 0.0, the Value's starting value, and did not wait "
            "for its child.",
            "The parent read the Value before the child wrote it: join the child "
            "(join_or_fail(child, timeout=10)) before reading .value.",
        )
    if not math.isclose(got, expected, rel_tol=1e-12, abs_tol=0.0):
        if got != 0 and math.isclose(got, _as_float32(expected), rel_tol=1e-12, abs_tol=0.0):
            raise Fail(
                f"the mean came back as {got!r}, the exact one is {expected!r}: it was "
                "rounded to about 7 digits.",
                "Typecode 'f' is a 32-bit C float. Use 'd' (a C double, the same as a "
                "Python float) and the number comes back unchanged.",
            )
        raise Fail(
            f"mean_in_child returned {got!r}; the mean of {MEAN_OF} is {expected!r}.",
            "The child should store sum(numbers) / len(numbers) in out.value.",
        )
    s.require_tidy(outcome, "mean_in_child")
    return f"the mean came back exactly ({expected!r}) and the child was joined."


COUNT_CHILDREN, COUNT_TIMES = 3, 40


def check_counter(answer: Any, s: Session) -> str:
    shared = s.ctx.Value("i", 0)
    writes = s.ctx.Array("i", COUNT_CHILDREN, lock=False)  # each child's writes to .value
    barrier = s.ctx.Barrier(COUNT_CHILDREN)
    records = [
        s.start(answer, SlowCounter(shared, writes, slot), COUNT_TIMES, barrier=barrier)
        for slot in range(COUNT_CHILDREN)
    ]
    alive = s.join(records, s.deadline)
    s.children_failures(
        records,
        {
            "TypeError": "Add to `counter.value`, not to `counter` itself: `counter.value += 1`.",
        },
    )
    if alive:
        raise Fail(
            *still_running(s, alive, COUNT_CHILDREN, "the counter's lock", "counter.get_lock()")
        )
    expected = COUNT_CHILDREN * COUNT_TIMES
    total = shared.get_obj().value  # no lock: a child stopped mid-update could hold it
    per_child = list(writes)
    if total != expected and any(per_child) and per_child != [COUNT_TIMES] * COUNT_CHILDREN:
        raise Fail(*_wrong_amount_of_work(per_child, total))
    if total < expected:
        raise Fail(
            f"each of {COUNT_CHILDREN} children added 1 to the counter {COUNT_TIMES} times, "
            f"but it ended at {total}, not {expected}: updates were lost.",
            "`counter.value += 1` is a read and then a write, and another child can write "
            "in between. Hold `with counter.get_lock():` around the whole `+= 1`.",
        )
    if total > expected:
        raise Fail(
            f"the counter ended at {total}, more than the {expected} increments asked for.",
            f"Each child should add 1 exactly `times` times ({COUNT_TIMES} here).",
        )
    return (
        f"{COUNT_CHILDREN} children × {COUNT_TIMES} increments, every read slowed down on "
        f"purpose, and the counter ended at exactly {expected}."
    )


def _wrong_amount_of_work(per_child: list[int], total: int) -> tuple[str, str]:
    """Each child wrote the counter a number of times other than ``times``: say how many, and
    whether updates were lost on top of that (what was seen, and the hint)."""
    if len(set(per_child)) == 1:
        done = f"each of the {COUNT_CHILDREN} children wrote the counter {per_child[0]} times"
    else:
        done = f"the {COUNT_CHILDREN} children wrote the counter {per_child} times"
    hint = (
        f"Each child should add 1 exactly `times` times ({COUNT_TIMES} here): "
        "`for _ in range(times):` runs that many times."
    )
    written = sum(per_child)
    if total == written:
        return f"{done}, not {COUNT_TIMES}; it ended at {total}: no update was lost.", hint
    lost = f"it ended at {total}: {written - total} of those {written} updates were lost too"
    return (
        f"{done}, not {COUNT_TIMES}; {lost}.",
        hint + " And hold `with counter.get_lock():` around the whole `+= 1`.",
    )


PRIMES_LIMIT, PRIMES_CAPACITY = 300, 100


def _primes_below(limit: int) -> list[int]:
    return [n for n in range(2, limit) if all(n % d for d in range(2, int(n**0.5) + 1))]


def check_primes(answer: Any, s: Session) -> str:
    hints = {
        "IndexError": "The Array is smaller than the number of results: create it with "
        "`capacity` slots, ctx.Array(typecode, capacity)."
    }
    for limit in (10, PRIMES_LIMIT):
        expected = _primes_below(limit)
        outcome = s.call(answer, s.ctx, limit, PRIMES_CAPACITY)
        s.problems(outcome, "primes_below", JOIN_HINTS, child_hints=hints, error_hints=hints)
        got = outcome.value
        if hasattr(got, "_length_") or hasattr(got, "get_obj"):
            raise Fail(
                f"primes_below returned {type(got).__name__}, the shared array itself.",
                "Copy out exactly the results into a plain list: out[:count.value].",
            )
        if not isinstance(got, (list, tuple)):
            raise Fail(
                f"primes_below({limit}, {PRIMES_CAPACITY}) returned {short(got)}, not a list.",
                "Return a plain list of the primes: out[:count.value].",
            )
        got = list(got)
        if (
            len(got) == PRIMES_CAPACITY
            and got[: len(expected)] == expected
            and len(expected) < PRIMES_CAPACITY
        ):
            raise Fail(
                f"primes_below({limit}, {PRIMES_CAPACITY}) returned all {PRIMES_CAPACITY} "
                f"slots; only the first {len(expected)} hold primes, the rest are zeros.",
                "The child also stores how many it found: return out[:count.value].",
            )
        if got != expected:
            wrapped = [
                (w, g)
                for w, g in zip(expected, got, strict=False)
                if isinstance(g, int) and g != w and (g - w) % 256 == 0
            ]
            if len(got) == len(expected) and wrapped:
                want, came = wrapped[0]
                raise Fail(
                    f"some primes came back changed: {want} came back as {came}.",
                    "The typecode is too narrow: 'b' and 'B' hold 8 bits and wrap around "
                    "silently. Use 'i' (or 'l', 'q') for these numbers.",
                )
            raise Fail(
                f"primes_below({limit}, {PRIMES_CAPACITY}) returned {short(got)}; "
                f"expected the {len(expected)} primes {short(expected)}.",
                "The child writes every prime below limit, in order, into out[0], "
                "out[1], ...; the count goes into count.value.",
            )
        s.require_tidy(outcome, "primes_below")
    count = len(_primes_below(PRIMES_LIMIT))
    return (
        f"all {count} primes below {PRIMES_LIMIT} came back, up to "
        f"{_primes_below(PRIMES_LIMIT)[-1]}, and exactly 4 below 10."
    )


EXERCISES = [
    Exercise(
        "1.1",
        "Hand back a mean, exactly",
        "mean_in_child",
        ("exercise_01_1.store_mean", "mean_in_child"),
        check_mean,
    ),
    Exercise(
        "1.2",
        "Count without losing updates",
        "add_many",
        ("exercise_01_2.add_many",),
        check_counter,
    ),
    Exercise(
        "1.3",
        "Results of unknown number, in a fixed-size Array",
        "primes_below",
        ("exercise_01_3.primes_into", "primes_below"),
        check_primes,
    ),
]
