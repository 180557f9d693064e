"""Notebook 09's picture: where each result travels, for a manager, a listener and Dask."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

PROCESS_COLORS = {
    "notebook": "#dbe9f6",
    "server": "#fde2c6",
    "client": "#e3f1d9",
    "scheduler": "#ece0f3",
    "worker": "#f3e0e6",
}


def plot_result_routes():
    """Draw each process as a box and each result on its way as a red arrow; return the Figure.

    The manager's clients put into the server and the notebook gets from it; the listener's
    client sends straight to the notebook; Dask results stay on their workers, pass from worker
    to worker as task inputs, and reach the notebook through the scheduler.
    """
    fig, ax = plt.subplots(figsize=(10, 6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 6.4)
    ax.axis("off")

    def box(x, y, w, h, text, kind):
        patch = FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0.05", fc=PROCESS_COLORS[kind], ec="black"
        )
        ax.add_patch(patch)
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=9)

    def result_arrow(start, end, label, dy=0.15, style="-|>"):
        arrow_style = dict(arrowstyle=style, lw=1.8, color="tab:red")
        ax.annotate("", xy=end, xytext=start, arrowprops=arrow_style)
        middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + dy)
        ax.text(*middle, label, ha="center", fontsize=8.5)

    box(0.2, 0.3, 2.0, 5.5, "notebook\n(your kernel)", "notebook")
    box(4.0, 4.5, 2.2, 1.0, "manager server\nqueue.Queue", "server")
    for row, y in enumerate([5.3, 4.6, 3.9]):
        box(7.7, y, 1.9, 0.5, f"client {row}", "client")
    box(7.7, 2.75, 1.9, 0.7, "Listener's client", "client")
    box(
        4.0,
        0.9,
        2.2,
        1.2,
        "Dask scheduler\n(inside the notebook's\nprocess in LocalCluster)",
        "scheduler",
    )
    box(7.7, 1.45, 1.9, 0.8, "Dask worker 1\nresults stay here", "worker")
    box(7.7, 0.25, 1.9, 0.8, "Dask worker 2\nresults stay here", "worker")

    for y in [5.55, 4.85, 4.15]:
        result_arrow((7.7, y), (6.25, 5.0), "")
    ax.text(6.95, 5.75, "put()", ha="center", fontsize=8.5)
    result_arrow((4.0, 5.0), (2.25, 5.0), "get(timeout)")
    result_arrow((7.7, 3.1), (2.25, 3.1), "send() → accept_within + recv()")
    result_arrow((7.7, 1.85), (6.25, 1.6), "gather", dy=0.2)
    result_arrow((7.7, 0.65), (6.25, 1.2), "", dy=-0.35)
    result_arrow((4.0, 1.5), (2.25, 1.5), "result(timeout) / gather")
    result_arrow((8.65, 1.45), (8.65, 1.08), "", style="<|-|>")
    ax.text(9.7, 1.2, "input of\nthe next task", ha="left", va="center", fontsize=8)
    ax.set_title("Where each result travels (red arrows)", fontsize=12)
    subtitle = (
        "each box is a process (the LocalCluster scheduler is a thread in the notebook's); "
        "here all run on 127.0.0.1"
    )
    ax.text(5.0, 6.1, subtitle, ha="center", fontsize=9, style="italic")
    fig.tight_layout()
    return fig
