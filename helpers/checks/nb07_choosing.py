"""Checks for the exercises of 07-choosing-a-method: timing round trips the way the benchmark
does, summarising samples as the benchmark reports them, and the decision guide of section 10.

None of these checks depends on how fast the machine is. 7.1 checks the *method*: the parent's
pipe ends are handed over wrapped, so the check sees every request and reply with the moment it
was made, and can tell whether the child's first reply was awaited before the clock ran and
whether each duration spans its whole round trip. 7.2 and 7.3 check arithmetic and decisions
on fixed inputs.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

from helpers.bench.stats import quantile  # the benchmark's own percentiles
from helpers.checks.session import Exercise, Fail, Session, short

# --- 7.1: measure a round trip ----------------------------------------------------------------

TRIPS = 40

SENTINEL_HINT = (
    "Send None when the timing is done: the child's loop stops at None, so the child can "
    "exit and join_or_fail returns."
)
CHILD_IGNORES_SENTINEL_HINT = (
    "The parent sent None, but the child kept waiting for requests: in echo, check for None "
    "first, then close conn and return."
)
WARM_UP_HINT = (
    "Before starting the clock, send one untimed request and wait for its reply: then the "
    "child is running and ready, and no timed round trip includes its start-up (a sleep "
    "would only guess how long that takes)."
)


class _RecordedEnd:
    """One end of a pipe made by the answer: it works as usual, and the parent's sends and
    receives on it are written into a shared log with the time each one happened."""

    def __init__(self, conn: Any, log: list[tuple[str, float, Any]]) -> None:
        self._conn = conn
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def __repr__(self) -> str:
        return repr(self._conn)

    def __enter__(self) -> _RecordedEnd:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._conn.close()

    def send(self, obj: Any) -> None:
        # The time is taken before the message leaves: a clock started before send() is earlier.
        self._log.append(("send", time.perf_counter(), obj))
        self._conn.send(obj)

    def send_bytes(self, buf: Any, offset: int = 0, size: int | None = None) -> None:
        self._log.append(("send", time.perf_counter(), bytes(buf)))
        self._conn.send_bytes(buf, offset, size)

    def recv(self) -> Any:
        obj = self._conn.recv()
        self._log.append(("recv", time.perf_counter(), obj))
        return obj

    def recv_bytes(self, maxlength: int | None = None) -> bytes:
        data = self._conn.recv_bytes(maxlength)
        self._log.append(("recv", time.perf_counter(), data))
        return data

    def recv_bytes_into(self, buf: Any, offset: int = 0) -> int:
        size = self._conn.recv_bytes_into(buf, offset)
        self._log.append(("recv", time.perf_counter(), size))
        return size


def _unwrap(value: Any) -> Any:
    return value._conn if isinstance(value, _RecordedEnd) else value


class _TimingContext:
    """The check's context for 7.1: pipes come with recorded ends; a child is given the real
    end, so it runs exactly as it would without the check."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self.log: list[tuple[str, float, Any]] = []
        self.pipes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    def __repr__(self) -> str:
        return repr(self._ctx)

    def get_context(self, method: str | None = None) -> Any:
        return self if method is None else self._ctx.get_context(method)

    def Pipe(self, duplex: bool = True) -> tuple[Any, Any]:
        one, other = self._ctx.Pipe(duplex)
        self.pipes += 1
        return _RecordedEnd(one, self.log), _RecordedEnd(other, self.log)

    def Process(
        self,
        group: Any = None,
        target: Any = None,
        name: str | None = None,
        args: tuple = (),
        kwargs: dict | None = None,
        *,
        daemon: bool | None = None,
    ) -> Any:
        args = tuple(_unwrap(a) for a in args)
        kwargs = {key: _unwrap(v) for key, v in (kwargs or {}).items()}
        return self._ctx.Process(group, target, name, args, kwargs, daemon=daemon)


def _round_trips(log: list[tuple[str, float, Any]]) -> tuple[list[tuple[Any, Any, float]], int]:
    """(request, reply, seconds from the send to the reply's arrival) for every request the
    parent sent (None excepted) and got a reply to, in order; and how many replies arrived
    (None excepted: a child may echo the sentinel before it stops)."""
    pending: list[tuple[Any, float]] = []
    trips, replies = [], 0
    for kind, moment, obj in log:
        if kind == "send" and obj is not None:
            pending.append((obj, moment))
        elif kind == "recv" and obj is not None:  # not the echo of the final None
            replies += 1
            if pending:
                request, sent = pending.pop(0)
                trips.append((request, obj, moment - sent))
    return trips, replies


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # an array, say: not what the exercise sends, and not worth a failure
        return True


def _is_number(value: Any) -> bool:
    """An int or a float (numpy's float64 is one), or a numpy scalar; never a bool."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return type(value).__module__ == "numpy" and getattr(value, "shape", None) == ()


def check_round_trips(answer: Any, s: Session) -> str:
    name = "round_trip_times"
    ctx = _TimingContext(s.ctx)
    began = time.perf_counter()
    outcome = s.call(answer, ctx, TRIPS)
    wall = time.perf_counter() - began
    log = list(ctx.log)
    sent_none = any(kind == "send" and obj is None for kind, _, obj in log)
    ended_hint = CHILD_IGNORES_SENTINEL_HINT if sent_none else SENTINEL_HINT
    s.problems(
        outcome,
        name,
        {
            "join": ended_hint,
            "recv": "Every wait needs a limit: poll(10) before each recv(), so a child that "
            "never answers raises instead of hanging.",
            "poll": "Does the child send back every request it receives?",
        },
        child_hints={
            "EOFError": "The parent closed its end while the child was still waiting for "
            "requests. " + SENTINEL_HINT,
        },
        error_hints={
            "ChildFailed": ended_hint,
            "EOFError": "The child ended before it had answered every request: keep echoing "
            "in a loop until the request is None.",
            "TimeoutError": "No reply came in time: does the child send back every request "
            "it receives?",
        },
    )
    if not outcome.children:
        raise Fail(
            f"{name} started no child.",
            "Start one child running exercise_07_1.echo with one end of the pipe.",
        )
    if ctx.pipes == 0:
        raise Fail(
            f"{name} made no pipe with the ctx it was given.",
            "Make the pipe with ctx.Pipe(), send each request on one end, and let the child "
            "echo it on the other.",
        )
    running = [r for r in outcome.children if r.at_return == "running"]
    if running:
        if sent_none and not s.join(running, 2.0):
            raise Fail(
                f"{name} sent None, but returned without joining the echo child.",
                "After sending None, join the child (join_or_fail(child, timeout=10)): it "
                "exits as soon as it has read None.",
            )
        later = ", and 2 s later" if sent_none else ""
        raise Fail(f"the echo child was still running when {name} returned{later}.", ended_hint)
    durations = outcome.value
    if _is_number(durations):
        raise Fail(
            f"{name} returned one number ({short(durations)}), not a list of {TRIPS} durations.",
            "Append each round trip's duration to a list and return the list: the median "
            "and the spread (exercise 7.2) need every sample, not their total.",
        )
    if not isinstance(durations, (list, tuple)):
        raise Fail(
            f"{name} returned {short(durations)}, not a list of durations.",
            "Return a list with one duration in seconds per timed round trip.",
        )
    durations = list(durations)
    if len(durations) != TRIPS:
        raise Fail(
            f"{name}(ctx, {TRIPS}) returned {len(durations)} durations.",
            "Return exactly n durations: time n round trips, and keep the untimed first one "
            "out of the list.",
        )
    if not all(_is_number(d) for d in durations):
        bad = next(d for d in durations if not _is_number(d))
        raise Fail(
            f"{name} returned a list holding {short(bad)}, not only numbers.",
            "Each item is one duration: time.perf_counter() after the reply minus "
            "time.perf_counter() before the request.",
        )
    durations = [float(d) for d in durations]
    if any(d <= 0 for d in durations):
        raise Fail(
            f"{name} returned a duration of {min(durations):g} seconds, and a round trip "
            "always takes some time.",
            "Take both readings with time.perf_counter(), the clock made for measuring short "
            "intervals, and subtract the earlier from the later.",
        )
    if len(set(durations)) == 1:
        raise Fail(
            f"all {TRIPS} durations are the same number: one measurement spread over all "
            "the round trips, not one per round trip.",
            "Read the clock around each round trip: the spread between samples is part of "
            "the result.",
        )
    if sum(durations) > wall * 1.01 + 1e-3:
        raise Fail(
            f"the {TRIPS} durations add up to more than the whole call of {name} took: they "
            "are not in seconds.",
            "Return the differences of time.perf_counter() as they are, in seconds (exercise "
            "7.2 converts them).",
        )
    trips, replies = _round_trips(log)
    if replies < TRIPS + 1:
        raise Fail(
            f"the parent received {replies} replies for {TRIPS} timed round trips: no reply was "
            "awaited before the clock started, so the first timed round trip can include the "
            "child's start-up, which takes as long as hundreds of round trips (section 3).",
            WARM_UP_HINT,
        )
    if len(trips) < TRIPS:
        raise Fail(
            f"only {len(trips)} requests got a reply, but {name} returned {TRIPS} durations.",
            "One round trip is: send one request, then wait for its reply (poll, recv).",
        )
    for request, reply, _ in trips:
        if not _same(request, reply):
            raise Fail(
                f"the parent sent {short(request)} and got {short(reply)} back.",
                "The echo child sends back exactly what it received.",
            )
    for number, (duration, (_, _, spanned)) in enumerate(
        zip(durations, trips[-TRIPS:], strict=True), 1
    ):
        if duration < spanned - 2e-6:
            raise Fail(
                f"duration {number} is shorter than the time between sending request {number} "
                "and the arrival of its reply: the clock did not run over the whole round trip.",
                "Read the clock just before send() and again just after recv() has returned "
                "the reply.",
            )
    s.require_tidy(outcome, name)
    return (
        f"{TRIPS} round trips, each timed from its request to its reply, after an untimed "
        "first one; None stopped the child and it was joined."
    )


# --- 7.2: median, spread and ratio ------------------------------------------------------------

# Round trips in seconds, as round_trip_times returns them, and raw round trips of the same run.
# A shared machine adds the odd slow sample: the spikes make the mean differ from the median.
SAMPLES_ODD = [
    101e-6, 97e-6, 104e-6, 99e-6, 2150e-6, 103e-6, 98e-6, 106e-6, 100e-6, 95e-6, 102e-6,
    118e-6, 96e-6, 105e-6, 930e-6, 99e-6, 107e-6, 101e-6, 124e-6, 100e-6, 103e-6,
]  # fmt: skip
REFERENCE_ODD = [52e-6, 49e-6, 51e-6, 640e-6, 50e-6, 53e-6, 48e-6, 51e-6, 55e-6, 50e-6, 52e-6]
SAMPLES_EVEN = [210e-6, 180e-6, 195e-6, 3400e-6, 188e-6, 201e-6, 176e-6, 240e-6, 185e-6, 192e-6]
REFERENCE_EVEN = [60e-6, 58e-6, 410e-6, 57e-6, 61e-6, 59e-6]
KEYS = ("median_us", "p90_us", "ratio_to_roundtrip")


def _close(got: float, expected: float) -> bool:
    return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)


def _which(got: float, candidates: list[tuple[float, str]]) -> str | None:
    return next((why for value, why in candidates if _close(got, value)), None)


def _summary_values(got: Any, name: str) -> dict[str, float]:
    if not isinstance(got, dict):
        raise Fail(
            f"{name} returned {short(got)}, not a dict.",
            'Return a dict with the keys "median_us", "p90_us" and "ratio_to_roundtrip", '
            "the names the benchmark's JSON file uses.",
        )
    missing = [key for key in KEYS if key not in got]
    if missing:
        raise Fail(
            f"the dict {name} returned has no key {', '.join(repr(k) for k in missing)} "
            f"(its keys: {', '.join(repr(k) for k in got)}).",
            'Use exactly the keys "median_us", "p90_us" and "ratio_to_roundtrip".',
        )
    for key in KEYS:
        if not _is_number(got[key]):
            raise Fail(f"{name} returned {short(got[key])} for {key!r}.", "Each value is a number.")
    return {key: float(got[key]) for key in KEYS}


def _judge_summary(got: dict[str, float], samples: list[float], reference: list[float]) -> None:
    n, m = len(samples), len(reference)
    about = f"with {n} samples and {m} reference samples"
    median = statistics.median(samples)
    ref_median = statistics.median(reference)
    ordered = sorted(samples)
    if not _close(got["median_us"], median * 1e6):
        why = _which(
            got["median_us"],
            [
                (statistics.fmean(samples) * 1e6, "the mean, which one slow round trip pulls up"),
                (median, "the median in seconds, not microseconds"),
                (median * 1e3, "the median in milliseconds, not microseconds"),
                (ordered[n // 2] * 1e6, "the upper of the two middle samples"),
                (ordered[(n - 1) // 2] * 1e6, "the lower of the two middle samples"),
            ],
        )
        hints = {
            "the mean, which one slow round trip pulls up": "Report the median: the benchmark "
            "never reports means, because a single slow sample moves them a lot.",
            "the upper of the two middle samples": "With an even number of samples the median "
            "is the mean of the two middle ones: statistics.median or np.median does it.",
        }
        hints["the lower of the two middle samples"] = hints["the upper of the two middle samples"]
        raise Fail(
            f"{about}, median_us is {got['median_us']:.6g}"
            + (f": that is {why}" if why else "")
            + f"; the median is {median * 1e6:.6g} us.",
            hints.get(
                why or "", "The samples are in seconds: median_us is their median times 1,000,000."
            ),
        )
    p90 = quantile(samples, 0.9)
    if not _close(got["p90_us"], p90 * 1e6):
        why = _which(
            got["p90_us"],
            [
                (statistics.quantiles(samples, n=10)[8] * 1e6, "exclusive"),
                (ordered[min(n - 1, int(0.9 * n))] * 1e6, "nearest"),
                (ordered[min(n - 1, math.ceil(0.9 * n) - 1)] * 1e6, "nearest"),
                (ordered[-1] * 1e6, "max"),
                (statistics.stdev(samples) * 1e6, "stdev"),
                (p90, "seconds"),
            ],
        )
        hints = {
            "exclusive": "statistics.quantiles uses method='exclusive' unless told otherwise; "
            "the benchmark interpolates between neighbours as np.percentile does, which is "
            "statistics.quantiles(samples, n=10, method='inclusive')[8].",
            "nearest": "Interpolate between the two neighbouring samples, as the benchmark "
            "does: np.percentile(samples, 90).",
            "max": "The maximum is the single slowest sample; p90 is the value below which "
            "90% of the samples lie: np.percentile(samples, 90).",
            "stdev": "The benchmark's spread is a percentile, not a standard deviation (which "
            "one spike inflates): np.percentile(samples, 90).",
            "seconds": "The samples are in seconds: multiply p90 by 1,000,000.",
        }
        raise Fail(
            f"{about}, p90_us is {got['p90_us']:.6g}; the 90th percentile is {p90 * 1e6:.6g} us.",
            hints.get(why or "", "p90 is np.percentile(samples, 90), in microseconds."),
        )
    ratio = median / ref_median
    if not _close(got["ratio_to_roundtrip"], ratio):
        why = _which(
            got["ratio_to_roundtrip"],
            [
                (ref_median / median, "upside down"),
                (median / statistics.fmean(reference), "reference mean"),
                (statistics.fmean(samples) / statistics.fmean(reference), "reference mean"),
                (median / min(reference), "reference min"),
                (ratio * 1e6, "units"),
                (ratio / 1e6, "units"),
            ],
        )
        hints = {
            "upside down": "The ratio says how many raw round trips one round trip costs: "
            "your median divided by the reference's median (it is above 1).",
            "reference mean": "Divide by the reference's median, not its mean: the reference "
            "is summarised the same way as the samples.",
            "reference min": "Divide by the reference's median, not its fastest sample.",
            "units": "Take both medians in the same unit: the ratio has none.",
        }
        raise Fail(
            f"{about}, ratio_to_roundtrip is {got['ratio_to_roundtrip']:.6g}; the median over "
            f"the reference's median is {ratio:.6g}.",
            hints.get(why or "", "ratio_to_roundtrip = median(samples) / median(reference)."),
        )


def check_summary(answer: Any, s: Session) -> str:
    name = "summarise"
    for samples, reference in ((SAMPLES_ODD, REFERENCE_ODD), (SAMPLES_EVEN, REFERENCE_EVEN)):
        outcome = s.call(answer, list(samples), list(reference))
        s.problems(outcome, name, check_children=False)
        _judge_summary(_summary_values(outcome.value, name), samples, reference)
    median = statistics.median(SAMPLES_ODD) * 1e6
    return (
        f"median {median:.0f} us, p90 and the ratio to the raw round trip came out right "
        "for 21 and for 10 samples, slow spikes and all."
    )


# --- 7.3: which way back? ---------------------------------------------------------------------

MB = 2**20
WAYS = ("value", "pipe", "queue", "manager", "shared_memory", "pool", "network")

SCENARIOS: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
    (
        "one child that computes one float, read when it is done",
        {"result_bytes": 8, "children": 1, "results_per_child": 1},
        ("value",),
        "one small value when the child is done: a Value read after join pickles nothing and "
        "leaves nothing to drain",
    ),
    (
        "8 children that each send 100 small results, handled as they come",
        {"result_bytes": 100, "children": 8, "results_per_child": 100},
        ("queue",),
        "many results from many children, as they come: one Queue, many producers, "
        "get(timeout=...)",
    ),
    (
        "one child that answers 1000 small requests from the parent, one after another",
        {"result_bytes": 100, "children": 1, "results_per_child": 1000, "both_ways": True},
        ("pipe",),
        "a stream both ways with one child: Pipe() is duplex and had the fastest messages",
    ),
    (
        "one child that returns a 100 MB numpy array",
        {"result_bytes": 100 * MB, "children": 1, "results_per_child": 1},
        ("shared_memory",),
        "a big array: every way that pickles ran at a few percent of the memory bandwidth, "
        "shared memory at the speed of one copy",
    ),
    (
        "4 children that add to one dict of word counts",
        {"result_bytes": 100, "children": 4, "results_per_child": 50, "shared_object": True},
        ("manager",),
        "a Python object several processes change: Manager proxies",
    ),
    (
        "a function called on 1000 inputs by 4 workers, whose return values you want",
        {"result_bytes": 100, "children": 4, "results_per_child": 250, "tasks": True},
        ("pool",),
        '"just give me the result": a Pool or ProcessPoolExecutor, a plain return, workers '
        "started once",
    ),
    (
        "a function called on 8 inputs by 4 workers, each return value a 50 MB array",
        {"result_bytes": 50 * MB, "children": 4, "results_per_child": 2, "tasks": True},
        ("shared_memory",),
        "don't pickle big arrays: a pool for the tasks, shared memory for the arrays",
    ),
    (
        "a process on another machine that sends back a 100 MB array",
        {"result_bytes": 100 * MB, "children": 1, "results_per_child": 1, "same_machine": False},
        ("network",),
        "shared memory, Value, Pipe and Queue connect processes on one machine only; another "
        "machine needs a connection over the network (notebook 09)",
    ),
    (
        "one child that sends the parent 500 small results, one way",
        {"result_bytes": 100, "children": 1, "results_per_child": 500},
        ("pipe", "queue"),
        "many small messages from one child: a Pipe (a stream with one child) or a Queue",
    ),
    (
        "a process on another machine that sends back one float",
        {"result_bytes": 8, "children": 1, "results_per_child": 1, "same_machine": False},
        ("network",),
        "a Value lives in this machine's memory; another machine needs a connection over the "
        "network (notebook 09)",
    ),
]


def _arguments(params: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in params.items())


def check_choice(answer: Any, s: Session) -> str:
    name = "choose_way_back"
    for situation, params, allowed, why in SCENARIOS:
        outcome = s.call(answer, **params)
        s.problems(outcome, name, check_children=False)
        got = outcome.value
        if not isinstance(got, str) or got not in WAYS:
            raise Fail(
                f"for {situation} ({_arguments(params)}), {name} returned {short(got)}, "
                "which is not one of the allowed names.",
                f"Return one of {', '.join(repr(w) for w in WAYS)}, spelled exactly so.",
            )
        if got not in allowed:
            expected = " or ".join(repr(a) for a in allowed)
            raise Fail(
                f"for {situation} ({_arguments(params)}), {name} returned {got!r}; "
                f"the guide says {expected}.",
                f"Section 10: {why}.",
            )
    return (
        f"all {len(SCENARIOS)} situations got the way back the guide of section 10 gives, "
        "from one float to a 100 MB array from another machine."
    )


EXERCISES = [
    Exercise(
        "7.1",
        "Time a round trip, not a start-up",
        "round_trip_times",
        ("exercise_07_1.echo", "round_trip_times"),
        check_round_trips,
    ),
    Exercise(
        "7.2",
        "Median, spread and a ratio",
        "summarise",
        ("summarise",),
        check_summary,
    ),
    Exercise(
        "7.3",
        "Which way back?",
        "choose_way_back",
        ("choose_way_back",),
        check_choice,
    ),
]
