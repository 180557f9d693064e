"""Known-wrong answers to the exercises of 07-choosing-a-method, and the hint each one must get
(merged into tests.checks_wrong_answers.WRONG)."""

from __future__ import annotations

from tests.wrong_answer import Wrong

ECHO = """
def echo(conn):
    while conn.poll(10):
        request = conn.recv()
        if request is None:
            break
        conn.send(request)
    conn.close()
"""
ECHO_IGNORES_NONE = """
def echo(conn):
    while conn.poll(10):
        conn.send(conn.recv())
    conn.close()
"""
ROUND_TRIPS = """
import time


def round_trip_times(ctx, n):
    parent_end, child_end = ctx.Pipe()
    child = ctx.Process(target=exercise_07_1.echo, args=(child_end,))
    child.start()
    child_end.close()

    def round_trip(request):
        parent_end.send(request)
        if not parent_end.poll(10):
            raise TimeoutError("no reply")
        return parent_end.recv()

    {warm_up}
    durations = []
    for i in range(n):
        began = time.perf_counter()
        {timed}
        durations.append({duration})
        {after}
    {stop}
    join_or_fail(child, timeout=10)
    parent_end.close()
    return {returned}
"""


def round_trips(
    warm_up: str = "round_trip(-1)",
    timed: str = "round_trip(i)",
    duration: str = "time.perf_counter() - began",
    stop: str = "parent_end.send(None)",
    returned: str = "durations",
    after: str = "pass",
) -> str:
    return ROUND_TRIPS.format(
        warm_up=warm_up, timed=timed, duration=duration, after=after, stop=stop, returned=returned
    )


SUMMARISE = """
import statistics

import numpy as np


def summarise(samples, reference):
    return {{
        "median_us": {median} * 1e6,
        "p90_us": {p90} * 1e6,
        "ratio_to_roundtrip": {ratio},
    }}
"""


def summarise(
    median: str = "np.median(samples)",
    p90: str = "np.percentile(samples, 90)",
    ratio: str = "np.median(samples) / np.median(reference)",
) -> str:
    return SUMMARISE.format(median=median, p90=p90, ratio=ratio)


CHOOSE = """
def choose_way_back(result_bytes, children=1, results_per_child=1, *, both_ways=False,
                    shared_object=False, tasks=False, same_machine=True):
{body}
"""


def choose(*rules: str) -> str:
    return CHOOSE.format(body="\n".join(f"    {rule}" for rule in rules))


GUIDE = [
    'if not same_machine: return "network"',
    'if result_bytes >= 2**20: return "shared_memory"',
    'if shared_object: return "manager"',
    'if tasks: return "pool"',
    'if both_ways: return "pipe"',
    'if children > 1 or results_per_child > 1: return "queue"',
    'return "value"',
]

WRONG = [
    Wrong(
        "7.1",
        "times the start-up",
        "round_trip_times",
        "no reply was awaited before the clock started",
        {"exercise_07_1": ECHO},
        round_trips(warm_up="pass"),
    ),
    Wrong(
        "7.1",
        "forgets the sentinel",
        "round_trip_times",
        "Send None when the timing is done",
        {"exercise_07_1": ECHO},
        round_trips(stop="pass"),
    ),
    Wrong(
        "7.1",
        "child ignores the sentinel",
        "round_trip_times",
        "the child kept waiting for requests",
        {"exercise_07_1": ECHO_IGNORES_NONE},
        round_trips(),
    ),
    Wrong(
        "7.1",
        "returns the total",
        "round_trip_times",
        "not their total",
        {"exercise_07_1": ECHO},
        round_trips(returned="sum(durations)"),
    ),
    Wrong(
        "7.1",
        "times only the send",
        "round_trip_times",
        "the clock did not run over the whole round trip",
        {"exercise_07_1": ECHO},
        round_trips(
            timed="parent_end.send(i)",
            after="parent_end.poll(10)\n        parent_end.recv()",
        ),
    ),
    Wrong(
        "7.1",
        "durations in milliseconds",
        "round_trip_times",
        "they are not in seconds",
        {"exercise_07_1": ECHO},
        round_trips(duration="(time.perf_counter() - began) * 1000"),
    ),
    Wrong(
        "7.2",
        "mean instead of median",
        "summarise",
        "the benchmark never reports means",
        parent=summarise(
            median="np.mean(samples)", ratio="np.mean(samples) / np.median(reference)"
        ),
    ),
    Wrong(
        "7.2",
        "ratio upside down",
        "summarise",
        "(it is above 1)",
        parent=summarise(ratio="np.median(reference) / np.median(samples)"),
    ),
    Wrong(
        "7.2",
        "ratio to the reference mean",
        "summarise",
        "not its mean",
        parent=summarise(ratio="np.median(samples) / np.mean(reference)"),
    ),
    Wrong(
        "7.2",
        "statistics.quantiles exclusive",
        "summarise",
        "method='exclusive'",
        parent=summarise(p90="statistics.quantiles(samples, n=10)[8]"),
    ),
    Wrong(
        "7.2",
        "maximum as the spread",
        "summarise",
        "the single slowest sample",
        parent=summarise(p90="max(samples)"),
    ),
    Wrong(
        "7.2",
        "seconds not microseconds",
        "summarise",
        "times 1,000,000",
        parent=summarise(median="np.median(samples) / 1e6"),
    ),
    Wrong(
        "7.3",
        "always a queue",
        "choose_way_back",
        "returned 'queue'; the guide says 'value'",
        parent=choose('return "queue"'),
    ),
    Wrong(
        "7.3",
        "shared memory for a tiny result",
        "choose_way_back",
        "returned 'shared_memory'; the guide says 'value'",
        parent=choose(*GUIDE[:1], *GUIDE[2:6], 'return "shared_memory"'),
    ),
    Wrong(
        "7.3",
        "pickles big arrays from a pool",
        "choose_way_back",
        "don't pickle big arrays",
        parent=choose(GUIDE[0], GUIDE[3], GUIDE[1], GUIDE[2], *GUIDE[4:]),
    ),
    Wrong(
        "7.3",
        "shared memory with another machine",
        "choose_way_back",
        "connect processes on one machine only",
        parent=choose(*GUIDE[1:]),
    ),
    Wrong(
        "7.3",
        "a name not in the list",
        "choose_way_back",
        "not one of the allowed names",
        parent=choose(*GUIDE[:-1], 'return "Value"'),
    ),
]
