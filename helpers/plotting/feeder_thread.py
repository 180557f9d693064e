"""Notebook 03's picture: a Queue's feeder thread between ``put`` and the pipe, and the join."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

DATA = "tab:blue"
WAIT = "tab:red"

# name: (x, y, text) of each step; the boxes around them are the two processes
STEPS = {
    "put": (1.25, 3.7, "put(item)\nreturns at once"),
    "buffer": (3.2, 3.7, "buffer\nin the child"),
    "feeder": (5.2, 3.7, "feeder thread\nwrites the buffer\ninto the pipe"),
    "pipe": (7.55, 3.7, "pipe\nholds a limited\nnumber of bytes"),
    "get": (10.3, 3.7, "get(timeout)\nreads the pipe"),
    "exit": (3.2, 1.55, "the child's exit\nwaits until the feeder\nhas written everything"),
    "join": (10.3, 1.55, "join()\nwaits for the\nchild to exit"),
}
DATA_FLOW = [("put", "buffer"), ("buffer", "feeder"), ("feeder", "pipe"), ("pipe", "get")]
WAITS = [
    ("join", "exit", "join waits for the exit"),
    ("exit", "feeder", "waits for"),
    ("feeder", "pipe", "when the pipe is full:\nwaits for the parent to read"),
]
FOOTNOTE = (
    "An item bigger than the pipe: the feeder waits for get(), the exit waits for the feeder, "
    "and join() waits for the exit. Get first, then join."
)


def plot_feeder_thread() -> Figure:
    """Draw a child's ``put`` going through its buffer and feeder thread into the pipe.

    Blue arrows carry the data from ``put`` to the parent's ``get``; red dashed arrows are
    waits: the parent's ``join()`` waits for the child to exit, the exit waits for the
    feeder thread, and the feeder waits for room in the pipe. Returns the Figure.
    """
    fig, ax = plt.subplots(figsize=(10, 4.4))
    ax.set(xlim=(0, 12), ylim=(0, 5.6))
    ax.axis("off")
    for (left, right), name in (((0.15, 6.55), "child process"), ((8.9, 11.75), "parent")):
        ax.add_patch(
            FancyBboxPatch(
                (left, 0.6),
                right - left,
                4.2,
                boxstyle="round,pad=0.1",
                fc="0.96",
                ec="0.5",
            )
        )
        ax.text((left + right) / 2, 5.05, name, ha="center", fontsize=11, weight="bold")
    for name, (x, y, text) in STEPS.items():
        colour = "#bfe5bf" if name == "pipe" else "white"
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=9,
            bbox=dict(boxstyle="round,pad=0.4", fc=colour, alpha=0.9, ec="0.3"),
        )
    for start, end in DATA_FLOW:
        ax.annotate(
            "",
            _edge(end, start, towards_x=True),
            _edge(start, end, towards_x=True),
            arrowprops=dict(arrowstyle="->", lw=2, color=DATA),
        )
    join_x, join_y, _ = STEPS["join"]
    exit_x, exit_y, _ = STEPS["exit"]
    feeder_x, feeder_y, _ = STEPS["feeder"]
    pipe_x, pipe_y, _ = STEPS["pipe"]
    wait_arrows = [
        ((join_x - 1.0, join_y), (exit_x + 1.25, exit_y)),
        ((exit_x + 0.6, exit_y + 0.55), (feeder_x - 0.4, feeder_y - 0.6)),
        ((feeder_x + 0.3, feeder_y - 0.6), (pipe_x - 0.2, pipe_y - 0.65)),
    ]
    label_at = [(6.6, 1.25), (3.85, 2.65), (7.3, 2.25)]
    for (start, end), (_, _, label), (lx, ly) in zip(wait_arrows, WAITS, label_at, strict=True):
        ax.annotate(
            "",
            end,
            start,
            arrowprops=dict(arrowstyle="->", lw=1.5, color=WAIT, linestyle="--"),
        )
        ax.text(lx, ly, label, ha="center", fontsize=8, color=WAIT, style="italic")
    ax.text(6.0, 0.15, FOOTNOTE, ha="center", fontsize=9)
    ax.set_title("Where a Queue's put goes: the feeder thread, the pipe, and the join")
    return fig


def _edge(name: str, other: str, *, towards_x: bool) -> tuple[float, float]:
    """A point just beside step ``name``'s box, on the side that faces step ``other``."""
    x, y, _ = STEPS[name]
    other_x = STEPS[other][0]
    offset = 0.85 if name in ("feeder", "pipe", "get") else 0.7
    return (x + offset if other_x > x else x - offset, y) if towards_x else (x, y)
