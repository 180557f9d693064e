"""Checks for the exercises of 04-manager: results in a manager's dict, a word count that
loses no updates through a proxy, and a type of your own served by a manager."""

from __future__ import annotations

import random
from collections import Counter
from multiprocessing.managers import BaseManager, BaseProxy
from typing import Any

from helpers.checks.instruments import CheckManager
from helpers.checks.session import Exercise, Fail, Session, short, still_running

SEEDS = {"ada": 1, "bob": 2, "cy": 3}

MANAGER_GONE = (
    "The manager had already shut down. Everything that uses its proxies, the "
    "children and your results.copy(), must happen inside the "
    "`with ctx.Manager() as manager:` block."
)
_GONE_ERRORS = (
    "BrokenPipeError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "FileNotFoundError",
    "EOFError",
    "OSError",
)


def check_dict(answer: Any, s: Session) -> str:
    name = "draws_by_name"
    expected = {who: random.Random(seed).random() for who, seed in SEEDS.items()}
    outcome = s.call(answer, s.ctx, dict(SEEDS))
    gone = dict.fromkeys(_GONE_ERRORS, MANAGER_GONE)
    s.problems(
        outcome,
        name,
        {
            "join": "A child did not finish: join the children, with a "
            "timeout, inside the with block."
        },
        child_hints=gone,
        error_hints=gone,
    )
    got = outcome.value
    if isinstance(got, BaseProxy):
        raise Fail(
            f"{name} returned a proxy ({type(got).__name__}), not a dict.",
            "A proxy is only a handle on an object inside the manager, and it stops "
            "working when the manager shuts down. Return results.copy(), a plain dict, "
            "made inside the with block.",
        )
    if not isinstance(got, dict):
        raise Fail(
            f"{name} returned {short(got)}, not a dict.",
            "Return results.copy(): a plain dict of name -> draw.",
        )
    if got != expected:
        missing = sorted(set(expected) - set(got))
        if missing:
            raise Fail(
                f"the dict has no entry for {', '.join(missing)}.",
                "Start one child per name, and join them all before copying the dict.",
            )
        raise Fail(
            f"{name} returned {short(got)}; expected {short(expected)}.",
            "Each child stores random.Random(seed).random() under its name.",
        )
    s.require_tidy(outcome, name)
    return (
        "three children stored their draws, and a plain dict came back "
        "from a manager that was shut down."
    )


WORDS = ["a", "b", "a", "c", "a"] * 6
WORD_CHILDREN = 3


def _words_not_counted(writes: dict, got: dict, expected: dict) -> None:
    """Fail naming the words written fewer (or more) times than they occur, if any, and say
    whether updates were lost on top of that; return if every word was written as often as
    it should be (then any shortfall is lost updates)."""
    off = {w: writes.get(w, 0) for w in expected if writes.get(w, 0) != expected[w]}
    if not off:
        return
    per_word = ", ".join(
        f"counts[{w!r}] {n} times, not {expected[w]} ({WORDS.count(w)} times in words, "
        f"{WORD_CHILDREN} children)"
        for w, n in sorted(off.items())
    )
    lost = sum(writes.values()) - sum(got.values())
    saw = f"the children wrote {per_word}; "
    hint = "Count every word in words once: `for word in words:` goes through all of them."
    if lost > 0:
        saw += f"and {lost} of the {sum(writes.values())} writes were lost on top of that."
        hint += " And hold `with lock:` around the read and the write."
    else:
        saw += "no update was lost."
    raise Fail(saw, hint)


def check_word_count(answer: Any, s: Session) -> str:
    manager = CheckManager(ctx=s.real_ctx)
    s.extra_managers.append(manager)
    started = s.call(manager.start, deadline=max(s.deadline, 20.0))
    s.problems(started, "starting the check's manager")
    counts, lock = manager.SlowDict(), manager.Lock()
    barrier = s.ctx.Barrier(WORD_CHILDREN)
    records = [
        s.start(answer, counts, lock, list(WORDS), barrier=barrier) for _ in range(WORD_CHILDREN)
    ]
    alive = s.join(records, s.deadline)
    s.children_failures(
        records,
        {
            "KeyError": "The first time a word comes up it is not in the dict yet: start from 0, "
            "counts[word] = counts.get(word, 0) + 1.",
        },
    )
    if alive:
        raise Fail(*still_running(s, alive, WORD_CHILDREN, "the lock", "lock"))
    copied = s.call(_call, counts, "copy")
    s.problems(copied, "counts.copy()")
    expected = {w: n * WORD_CHILDREN for w, n in Counter(WORDS).items()}
    got = copied.value
    if got != expected:
        written = s.call(_call, counts, "writes")
        s.problems(written, "counts.writes()")
        if isinstance(got, dict) and any(written.value.values()):
            _words_not_counted(written.value, got, expected)
        counted = sum(got.values()) if isinstance(got, dict) else 0
        if isinstance(got, dict) and set(got) == set(expected) and counted < sum(expected.values()):
            raise Fail(
                f"{WORD_CHILDREN} children counted {len(WORDS)} words each, but the dict "
                f"adds up to {counted}, not {sum(expected.values())}: updates were lost.",
                "`counts[word] += 1` is two calls to the manager, a read and then a write, "
                "and another child can write in between. Hold `with lock:` around both.",
            )
        raise Fail(
            f"the counts came back as {short(got)}; expected {expected}.",
            "Add 1 to counts[word] for every word in words.",
        )
    return (
        f"{WORD_CHILDREN} children counted {len(WORDS)} words each through one proxy, every "
        f"read slowed on purpose, and no update was lost: {expected}."
    )


def _call(obj: Any, method: str) -> Any:
    """obj.method(), looked up inside the bounded call (a proxy may lack the method)."""
    return getattr(obj, method)()


OFFERS = [
    [(0.5, "ada"), (0.91, "ada"), (0.2, "ada")],
    [(0.97, "cy"), (0.1, "cy")],
    [(0.3, "bob"), (0.6, "bob")],
]


def check_own_type(answer: Any, s: Session) -> str:
    manager_class = getattr(answer, "BestManager", None)
    if manager_class is None:
        raise Fail(
            "exercise_04_3 has no BestManager.",
            "Define `class BestManager(BaseManager): pass` in the module.",
        )
    if not (isinstance(manager_class, type) and issubclass(manager_class, BaseManager)):
        raise Fail(
            f"BestManager is {short(manager_class)}, not a subclass of BaseManager.",
            "Define it as `class BestManager(BaseManager): pass`.",
        )
    if not callable(getattr(manager_class, "Best", None)):
        raise Fail(
            "BestManager has no Best(): the type was never registered.",
            "Register it in the module: BestManager.register('Best', Best).",
        )
    manager = manager_class(ctx=s.real_ctx)
    s.extra_managers.append(manager)
    started = s.call(manager.start, deadline=max(s.deadline, 20.0))
    s.problems(started, "BestManager().start()")
    made = s.call(_call, manager, "Best")
    s.problems(made, "manager.Best()")
    best = made.value
    first = s.call(_call, best, "result")
    s.problems(
        first,
        "best.result()",
        error_hints={
            "AttributeError": "Best needs a method result() (and offer(score, name)); a proxy "
            "exposes the public methods of the class."
        },
    )
    if first.value is not None:
        raise Fail(
            f"before any offer, best.result() returned {short(first.value)}.",
            "Return None while nothing has been offered.",
        )
    barrier = s.ctx.Barrier(len(OFFERS))
    from helpers.exercises import children

    records = [s.start(children.offer_scores, best, offers, barrier=barrier) for offers in OFFERS]
    alive = s.join(records, s.deadline)
    s.children_failures(
        records,
        {
            "AttributeError": "Best needs a method offer(score, name); a proxy exposes the public "
            "methods of the class.",
            "TypeError": "offer(score, name) is called with two arguments; the first offer "
            "finds no "
            "best yet (None), so compare only when there is one.",
        },
    )
    if alive:
        raise Fail(
            f"{len(alive)} children offering scores were still running after {s.deadline:g} s.",
            "Does offer() wait for a lock it already holds? Use `with self._lock:` once "
            "per method.",
        )
    final = s.call(_call, best, "result")
    s.problems(final, "best.result()")
    got = final.value
    expected = (0.97, "cy")
    if isinstance(got, (list, tuple)) and list(got) == list(expected):
        return (
            "three children offered scores through one proxy, "
            "and result() gave the best: (0.97, 'cy')."
        )
    lasts = [list(offers[-1]) for offers in OFFERS]
    if isinstance(got, (list, tuple)) and list(got) in lasts:
        raise Fail(
            f"best.result() returned {got!r}, the last offer of one child, not the best of all.",
            "In offer(), replace the stored pair only when the new score is higher.",
        )
    raise Fail(
        f"best.result() returned {short(got)}; the best offer was {expected!r}.",
        "result() returns the (score, name) pair with the highest score offered so far.",
    )


EXERCISES = [
    Exercise(
        "4.1",
        "Results in a manager's dict",
        "draws_by_name",
        ("exercise_04_1.store_draw", "draws_by_name"),
        check_dict,
    ),
    Exercise(
        "4.2",
        "A word count that adds up",
        "count_words",
        ("exercise_04_2.count_words",),
        check_word_count,
    ),
    Exercise(
        "4.3",
        "Serve a type of your own",
        "exercise_04_3",
        ("exercise_04_3.Best",),
        check_own_type,
        kind="module",
    ),
]
