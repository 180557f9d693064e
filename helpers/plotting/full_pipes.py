"""Notebook 08's picture: two full pipes, parent and child each stuck in ``send``."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

DATA = "tab:blue"
WAIT = "tab:red"

# name: (x, y, text) of each box; the two processes sit left and right of the pipes
BOXES = {
    "parent_send": (1.6, 3.6, "send_bytes(4 MB)\nblocked: the pipe\nto the child is full"),
    "parent_recv": (1.6, 1.5, "recv_bytes()\nnever reached"),
    "child_send": (10.4, 1.5, "send_bytes(4 MB)\nblocked: the pipe\nto the parent is full"),
    "child_recv": (10.4, 3.6, "recv_bytes()\nnever reached"),
    "to_child": (6.0, 3.6, "parent → child\nkernel buffer: FULL"),
    "to_parent": (6.0, 1.5, "child → parent\nkernel buffer: FULL"),
}
# the data each send pushes into its buffer, and the buffer nobody drains
DATA_FLOW = [("parent_send", "to_child"), ("child_send", "to_parent")]
WAITS = [
    ("to_child", "child_recv", "waits for the child to read"),
    ("to_parent", "parent_recv", "waits for the parent to read"),
]
FOOTNOTE = (
    "Each send waits for the other side to read, and neither ever reads. "
    "Fix: one side receives first, or sends from another thread."
)


def plot_full_pipes() -> Figure:
    """Draw the deadlock of two full pipes between a parent and its child.

    Blue arrows are the data each side's ``send_bytes`` has pushed into its direction of
    the pipe, whose kernel buffer is full; red dashed arrows are waits: each buffer can take
    more only when the ``recv_bytes`` on the other side runs, and neither side gets there.
    Returns the Figure.
    """
    fig, ax = plt.subplots(figsize=(10, 4.4))
    ax.set(xlim=(0, 12), ylim=(0, 5.6))
    ax.axis("off")
    for (left, right), name in (((0.15, 3.05), "parent"), ((8.95, 11.85), "child")):
        ax.add_patch(
            FancyBboxPatch(
                (left, 0.7), right - left, 4.1, boxstyle="round,pad=0.1", fc="0.96", ec="0.5"
            )
        )
        ax.text((left + right) / 2, 5.05, name, ha="center", fontsize=11, weight="bold")
    ax.text(6.0, 5.05, "Pipe() (duplex)", ha="center", fontsize=11, weight="bold")
    for name, (x, y, text) in BOXES.items():
        colour = "#f4c7c3" if name.startswith("to_") else "white"
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=9,
            bbox=dict(boxstyle="round,pad=0.4", fc=colour, alpha=0.95, ec="0.3"),
        )
    for start, end in DATA_FLOW:
        ax.annotate(
            "",
            _beside(end, start),
            _beside(start, end),
            arrowprops=dict(arrowstyle="->", lw=2.5, color=DATA),
        )
    for start, end, label in WAITS:
        sx, sy, _ = BOXES[start]
        ex, ey, _ = BOXES[end]
        ax.annotate(
            "",
            _beside(end, start),
            _beside(start, end),
            arrowprops=dict(arrowstyle="->", lw=1.5, color=WAIT, linestyle="--"),
        )
        ax.text(
            (sx + ex) / 2,
            sy + (0.45 if sy > 2.5 else -0.6),
            label,
            ha="center",
            fontsize=8,
            color=WAIT,
            style="italic",
        )
    ax.text(6.0, 0.2, FOOTNOTE, ha="center", fontsize=9)
    ax.set_title("Two full pipes: parent and child both stuck in send, neither reading")
    return fig


def _beside(name: str, other: str) -> tuple[float, float]:
    """A point just beside box ``name``, on the side that faces box ``other``."""
    x, y, _ = BOXES[name]
    offset = 1.35
    return (x + offset if BOXES[other][0] > x else x - offset, y)
