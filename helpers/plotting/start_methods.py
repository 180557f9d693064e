"""Notebook 00's picture: how spawn, fork and forkserver each make a child process."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

PARENT = "parent\n(your kernel)"
COLOURS = {"parent": "tab:blue", "server": "tab:green", "child": "tab:orange"}
# Per method: boxes (text, x, y, role), arrows (from, to, label) and a line underneath.
PANELS = {
    "spawn": (
        [
            (PARENT, 2.5, 8.2, "parent"),
            ("child:\na fresh Python\ninterpreter", 2.5, 3.6, "child"),
        ],
        [((2.5, 7.2), (2.5, 4.9), "starts a new\nprogram")],
        "the child imports the target's\nmodule, then unpickles the\ntarget and its arguments",
    ),
    "fork": (
        [
            (PARENT, 2.5, 8.2, "parent"),
            ("child:\na copy of the\nparent's memory", 2.5, 3.6, "child"),
        ],
        [((2.5, 7.2), (2.5, 4.9), "os.fork()\ncopies it")],
        "nothing is imported or pickled;\nonly the thread that forked\nis copied",
    ),
    "forkserver": (
        [
            (PARENT, 1.3, 8.2, "parent"),
            ("server\n(started once,\na fresh interpreter)", 3.7, 8.2, "server"),
            ("child 1", 2.6, 3.6, "child"),
            ("child 2", 4.8, 3.6, "child"),
        ],
        [
            ((2.2, 8.2), (2.6, 8.2), ""),
            ((3.5, 7.0), (2.7, 4.3), "fork"),
            ((3.9, 7.0), (4.7, 4.3), "fork"),
        ],
        "each child is a fork of the server;\n"
        "the parent sends it the pickled\ntarget and arguments",
    ),
}


def plot_start_methods() -> Figure:
    """Draw one panel per start method: the parent, what it starts, and how each child begins.

    Processes are rounded boxes (parent blue, forkserver's server green, children orange);
    an arrow goes from each process to the one it makes. Returns the Figure.
    """
    fig, axes = plt.subplots(1, 3, figsize=(10, 4.2))
    for ax, (method, (boxes, arrows, note)) in zip(axes, PANELS.items(), strict=True):
        ax.set(xlim=(0, 5), ylim=(0, 10))
        ax.axis("off")
        ax.set_title(method, fontsize=12, fontweight="bold")
        for text, x, y, role in boxes:
            colour = COLOURS[role]
            ax.text(
                x,
                y,
                text,
                ha="center",
                va="center",
                fontsize=9,
                bbox=dict(boxstyle="round,pad=0.5", fc=colour, alpha=0.25, ec=colour),
            )
        for start, end, label in arrows:
            ax.annotate("", end, start, arrowprops=dict(arrowstyle="->", lw=1.5))
            if label:
                mid_x, mid_y = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
                ax.text(mid_x + 0.15, mid_y, label, ha="left", va="center", fontsize=8)
        ax.text(2.5, 0.9, note, ha="center", va="center", fontsize=8.5, style="italic")
    fig.suptitle("Three ways to start a child process")
    fig.tight_layout()
    return fig
