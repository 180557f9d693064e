"""The ways back that the benchmark knows, with the names the command line and the JSON use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """One way back: its command-line name, a label for tables and plots, and its notebook."""

    name: str
    label: str
    notebook: str
    reference: str = "memcpy"
    """The physical channel under it, for throughput: memcpy, pipe (os.pipe) or socketpair."""


METHODS: dict[str, Method] = {
    m.name: m
    for m in [
        Method("value", "Value + Event", "01-value"),
        Method("pipe", "Pipe.send (pickle)", "02-pipe", "socketpair"),
        Method("pipe-bytes", "Pipe.send_bytes / recv_bytes", "02-pipe", "socketpair"),
        Method("pipe-bytes-into", "Pipe.send_bytes / recv_bytes_into", "02-pipe", "socketpair"),
        Method("queue", "Queue", "03-queue", "pipe"),
        Method("simplequeue", "SimpleQueue", "03-queue", "pipe"),
        Method("manager", "Manager proxy", "04-manager", "socketpair"),
        Method("shm-new", "shared_memory, new segment per result", "05-shared-memory"),
        Method("shm-reused", "shared_memory, reused segment", "05-shared-memory"),
        Method("rawarray", "sharedctypes.RawArray", "05-shared-memory"),
        Method("pool", "Pool.apply_async", "06-pools-and-futures", "pipe"),
        Method("executor", "ProcessPoolExecutor.submit", "06-pools-and-futures", "pipe"),
    ]
}

LATENCY_METHODS = ("value", "pipe", "queue", "simplequeue", "manager", "pool", "executor")
"""Round trip of one small float from an already-running child."""

THROUGHPUT_METHODS = (
    "pipe",
    "pipe-bytes",
    "pipe-bytes-into",
    "queue",
    "shm-new",
    "shm-reused",
    "rawarray",
    "manager",
    "pool",
    "executor",
)
"""Handing back one float64 array."""

COPY_FREE = ("shm-reused", "rawarray")
"""The parent reads the child's result where the child wrote it: no copy on the way back."""


def label(name: str) -> str:
    """The readable label of a method (the name itself when unknown)."""
    method = METHODS.get(name)
    return method.label if method else name
