"""Where the time goes: each way's measured time next to the sum of the steps it takes.

The steps come from the same run (``anatomy`` rows, timed alone, and the pipe and socketpair
references), at the anatomy size. A sum close to the measured time means the steps listed are
the story; the match is never exact, since a real transfer also waits for wake-ups and a free
core, and overlaps work on two cores (the child sends while the parent receives).
"""

from __future__ import annotations

FRESH = ("first touch of fresh pages", 1)
"""A ``Connection`` reads each chunk with ``os.read(fd, remaining)``, into a new bytes object:
memory just handed out by the system, so the received bytes pay the first-touch page faults."""

STEPS_OF = {
    "pipe": [
        ("pickle.dumps", 1),
        ("socketpair", 1),
        FRESH,
        ("BytesIO assembly", 1),
        ("pickle.loads", 1),
    ],
    "pipe-bytes": [("socketpair", 1), FRESH, ("BytesIO assembly", 1)],
    "pipe-bytes-into": [("socketpair", 1), FRESH, ("BytesIO assembly", 1), ("memcpy (warm)", 1)],
    "queue": [
        ("pickle.dumps", 1),
        ("pipe", 1),
        FRESH,
        ("BytesIO assembly", 1),
        ("pickle.loads", 1),
    ],
    "pool": [("pickle.dumps", 1), ("pipe", 1), FRESH, ("BytesIO assembly", 1), ("pickle.loads", 1)],
    "executor": [
        ("pickle.dumps", 1),
        ("pipe", 1),
        FRESH,
        ("BytesIO assembly", 1),
        ("pickle.loads", 1),
    ],
    "manager": [
        ("pickle.dumps", 2),
        ("socketpair", 2),
        ("first touch of fresh pages", 2),
        ("BytesIO assembly", 2),
        ("pickle.loads", 2),
    ],
    "shm-new": [("new segment: create + first copy", 1)],
    "shm-reused": [("memcpy (warm)", 1)],
    "rawarray": [("memcpy (warm)", 1)],
}
"""The steps each way takes to hand back one array, with how many times it takes each
(a Manager pickles twice: child to manager, manager to parent)."""


def step_seconds(result: dict, step: str, nbytes: int) -> float | None:
    """Seconds of one step for ``nbytes`` in ``result`` (channels from their GB/s)."""
    if step in ("pipe", "socketpair"):
        rate = result["reference"].get(f"{step}_GBps")
        return nbytes / (rate * 1e9) if rate else None
    for row in result["anatomy"]:
        if row["step"] == step and row["bytes"] == nbytes:
            return row["median_s"]
    return None


def time_budget(result: dict, method: str, nbytes: int | None = None) -> dict | None:
    """``{"measured_s", "steps": [(step, times, seconds)], "sum_s"}`` for one way, at the anatomy
    size (or ``nbytes``); None when the run did not measure what is needed."""
    if nbytes is None:
        if not result["anatomy"]:
            return None
        nbytes = result["anatomy"][0]["bytes"]
    measured = next(
        (
            row["median_s"]
            for row in result["throughput"]
            if row["method"] == method and row["bytes"] == nbytes
        ),
        None,
    )
    if measured is None or method not in STEPS_OF:
        return None
    steps = []
    for step, times in STEPS_OF[method]:
        seconds = step_seconds(result, step, nbytes)
        if seconds is None:
            return None
        steps.append((step, times, seconds * times))
    return {
        "method": method,
        "bytes": nbytes,
        "measured_s": measured,
        "steps": steps,
        "sum_s": sum(seconds for _, _, seconds in steps),
    }


def _ms(seconds: float) -> str:
    milliseconds = seconds * 1e3
    return f"{milliseconds:.3g} ms" if milliseconds < 100 else f"{milliseconds:.0f} ms"


def budget_line(budget: dict) -> str:
    """One line: measured time, then the steps and their sum (all in ms, for the notebook)."""
    parts = " + ".join(
        f"{step}{f' x{times}' if times > 1 else ''} {_ms(seconds)}"
        for step, times, seconds in budget["steps"]
    )
    return f"measured {_ms(budget['measured_s'])}; steps: {parts} = {_ms(budget['sum_s'])}"
