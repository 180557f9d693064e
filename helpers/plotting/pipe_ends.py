"""Notebook 02's picture: the two copies of the child's pipe end, and which close gives EOF."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

OPEN = "tab:blue"
CLOSED = "0.6"
GOOD = "tab:green"
BAD = "tab:red"

# x positions of what each row shows, left to right
PARENT_BOX = (0.2, 4.3)
CHILD_BOX = (7.0, 9.4)
PARENT_END_X, PARENTS_COPY_X, PIPE_X, CHILDS_COPY_X, OUTCOME_X = 1.15, 3.25, 5.65, 8.2, 11.2

ROWS = [
    {
        "title": "The parent forgot child_end.close() after start(); then the child died",
        "parents_copy_open": True,
        "outcome": "no message and no end of file:\nrecv() would wait forever,\n"
        "poll(timeout) returns False",
        "good": False,
    },
    {
        "title": "The parent closed its copy right after start(); then the child died",
        "parents_copy_open": False,
        "outcome": "end of file at once:\nrecv() raises EOFError\n"
        "(poll: True; on Windows it\nraises BrokenPipeError)",
        "good": True,
    },
]
FOOTNOTE = (
    "After start() there are two copies of child_end, one in each process. parent_end reaches "
    "the end of file only once both are closed."
)


def plot_pipe_ends() -> Figure:
    """Draw the parent's and the child's copy of ``child_end`` in two situations.

    Top row: the parent keeps its copy open, so the child's death leaves the pipe open and
    ``recv()`` would wait forever. Bottom row: the parent closed its copy after ``start()``,
    so the child's death closes the last copy and ``parent_end`` sees the end of file. Blue
    lines are open ends, grey dashed lines closed ones. Returns the Figure.
    """
    fig, ax = plt.subplots(figsize=(11.5, 5.0))
    ax.set(xlim=(0, 13), ylim=(0, 6.0))
    ax.axis("off")
    for row, centre in zip(ROWS, (4.45, 1.7), strict=True):
        _draw_row(ax, row, centre)
    ax.text(6.5, 0.12, FOOTNOTE, ha="center", fontsize=9)
    ax.set_title("Two copies of the child's end: which close gives the parent EOF")
    return fig


def _draw_row(ax, row: dict, y: float) -> None:
    """One situation: both processes, their ends, the pipe between them, and the outcome."""
    ax.text(0.2, y + 1.2, row["title"], fontsize=10, weight="bold")
    for (left, right), name in ((PARENT_BOX, "parent"), (CHILD_BOX, "child (after start())")):
        ax.add_patch(
            FancyBboxPatch(
                (left, y - 0.75), right - left, 1.5, boxstyle="round,pad=0.05", fc="0.96", ec="0.5"
            )
        )
        ax.text(left + 0.12, y + 0.5, name, fontsize=9, style="italic")
    parents_open = row["parents_copy_open"]
    ends = [
        (PARENT_END_X, "parent_end\n(open)", True),
        (
            PARENTS_COPY_X,
            "child_end, the\nparent's copy\n" + ("(open)" if parents_open else "(closed)"),
            parents_open,
        ),
        (CHILDS_COPY_X, "child_end, the\nchild's copy\n(closed: it died)", False),
    ]
    for x, text, is_open in ends:
        ax.text(
            x,
            y - 0.15,
            text,
            ha="center",
            va="center",
            fontsize=8,
            color="black" if is_open else "0.45",
            bbox=dict(
                boxstyle="round,pad=0.3",
                fc="white",
                ec=OPEN if is_open else CLOSED,
                ls="-" if is_open else "--",
            ),
        )
    ax.text(
        PIPE_X,
        y - 0.15,
        "the pipe\n(in the OS)",
        ha="center",
        va="center",
        fontsize=8,
        bbox=dict(boxstyle="round,pad=0.35", fc="#bfe5bf", ec="0.3"),
    )
    # parent_end reaches the pipe by an arc over the parent's copy; the copies straight across
    ax.annotate(
        "",
        (PIPE_X - 0.45, y + 0.1),
        (PARENT_END_X + 0.3, y + 0.3),
        arrowprops=dict(arrowstyle="-", lw=2, color=OPEN, connectionstyle="arc3,rad=-0.22"),
    )
    for x, is_open in ((PARENTS_COPY_X, parents_open), (CHILDS_COPY_X, False)):
        start = x + 0.6 if x < PIPE_X else x - 0.6
        end = PIPE_X - 0.45 if x < PIPE_X else PIPE_X + 0.45
        ax.annotate(
            "",
            (end, y - 0.25),
            (start, y - 0.25),
            arrowprops=dict(
                arrowstyle="-",
                lw=2 if is_open else 1.2,
                color=OPEN if is_open else CLOSED,
                linestyle="-" if is_open else "--",
            ),
        )
    ax.text(
        OUTCOME_X,
        y - 0.15,
        row["outcome"],
        ha="center",
        va="center",
        fontsize=8.5,
        color=GOOD if row["good"] else BAD,
        bbox=dict(boxstyle="round,pad=0.35", fc="white", ec=GOOD if row["good"] else BAD),
    )
