"""Notebook 04's picture: a manager process owns the objects; parent and children hold proxies."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

MANAGER_TEXT = "manager process\n\nowns the real objects:\ndict  list\nValue  Namespace"
NODES = {
    "parent\n(this kernel)\n\nholds proxies": (1.3, 2.5, "tab:blue"),
    MANAGER_TEXT: (5.0, 2.5, "tab:green"),
    "child 1\n\nholds proxies": (8.7, 3.9, "tab:orange"),
    "child 2\n\nholds proxies": (8.7, 1.1, "tab:orange"),
}
LINKS = [((2.5, 2.5), (3.5, 2.5)), ((7.6, 3.7), (6.5, 3.0)), ((7.6, 1.3), (6.5, 2.0))]
FOOTNOTE = (
    "every proxy access: pickle the call, send it, a manager thread runs it, pickle the answer back"
)


def plot_manager_proxies() -> Figure:
    """Draw the parent and two children, each holding proxies, around the manager process.

    Each process is a rounded box; a two-headed arrow joins every proxy holder to the
    manager (a request and its reply). Returns the Figure.
    """
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    ax.set(xlim=(0, 10), ylim=(0, 5))
    ax.axis("off")
    for text, (x, y, colour) in NODES.items():
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=10,
            bbox=dict(boxstyle="round,pad=0.6", fc=colour, alpha=0.25, ec=colour),
        )
    for start, end in LINKS:
        ax.annotate("", end, start, arrowprops=dict(arrowstyle="<->", lw=1.5))
    ax.text(3.0, 2.75, "request\nreply", ha="center", fontsize=8)
    ax.text(5.0, 0.2, FOOTNOTE, ha="center", fontsize=9, style="italic")
    ax.set_title("Parent, manager and children")
    return fig
