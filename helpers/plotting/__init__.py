"""Pictures for the notebooks: plots shared by several here, one module per diagram beside it."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt


def plot_timeline(
    labels: Sequence[str],
    started: Sequence[float],
    finished: Sequence[float],
    arrived: Sequence[float] | None = None,
    *,
    title: str = "When each child worked, and when its result arrived",
):
    """Draw one bar per child from start to finish, with a dot where the parent got its result.

    Times are seconds on any common clock (``time.time()`` works across processes); the
    earliest start becomes 0.
    """
    count = len(labels)
    if not (len(started) == len(finished) == count) or (
        arrived is not None and len(arrived) != count
    ):
        raise ValueError("labels, started, finished (and arrived) must have the same length")
    if count == 0:
        raise ValueError("labels must name at least one child")
    origin = min(started)
    fig, ax = plt.subplots(figsize=(7, 0.5 * count + 1.2))
    for row in range(count):
        ax.barh(
            row,
            finished[row] - started[row],
            left=started[row] - origin,
            color="tab:blue",
            alpha=0.7,
        )
    if arrived is not None:
        ax.scatter(
            [t - origin for t in arrived],
            range(count),
            color="tab:red",
            zorder=3,
            label="result arrived in the parent",
        )
        ax.legend(loc="lower right")
    ax.set_yticks(range(count), labels)
    ax.invert_yaxis()
    ax.set_xlabel("seconds since the first child started")
    ax.set_title(title)
    fig.tight_layout()
    return fig
