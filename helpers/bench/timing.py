"""Repeating a measurement: warm up, then repeat within a time budget, and keep every sample."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """How much repeating one measurement gets: at least ``minimum`` samples, more while the
    time spent stays under ``seconds``, never more than ``maximum``; ``warmup`` untimed first."""

    seconds: float
    minimum: int
    maximum: int
    warmup: int = 1


def repeat(once: Callable[[], float], budget: Budget) -> list[float]:
    """Call ``once`` (which returns the seconds it measured) as ``budget`` allows."""
    for _ in range(budget.warmup):
        once()
    samples: list[float] = []
    began = time.perf_counter()
    while len(samples) < budget.maximum:
        samples.append(once())
        if len(samples) >= budget.minimum and time.perf_counter() - began >= budget.seconds:
            break
    return samples
