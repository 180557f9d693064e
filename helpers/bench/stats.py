"""Medians and spread of repeated timings (the benchmark reports medians, never means)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, interpolating linearly between neighbours."""
    if not values:
        raise ValueError("quantile() needs at least one value")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be between 0 and 1, not {q!r}")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: Sequence[float], scale: float = 1.0) -> dict[str, float]:
    """Median, quartiles, p90 and p99 of ``values`` times ``scale``, plus the sample count."""
    return {
        "median": quantile(values, 0.5) * scale,
        "q1": quantile(values, 0.25) * scale,
        "q3": quantile(values, 0.75) * scale,
        "p90": quantile(values, 0.90) * scale,
        "p99": quantile(values, 0.99) * scale,
        "samples": len(values),
    }
