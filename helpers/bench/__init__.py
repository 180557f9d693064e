"""A benchmark of every way a child process can hand a result back: ``python -m helpers.bench``.

One run measures, on the machine it runs on:

- physical references (``references``): memcpy, raw pipe and socketpair throughput, the raw
  1-byte round trip between two processes;
- the cost of starting and joining a process per start method (``startup``);
- the round trip of one small result from an already-running child (``latency``);
- the time to hand back a float64 numpy array of 1 KB to 256 MB (``throughput``), with where
  the time goes (``anatomy``);

and expresses every figure also as a ratio to its physical reference from the same run
(``runner``). The modules whose names start with ``child_`` hold what the children run; they
import nothing heavy, so a spawned child starts quickly. This file imports nothing either:
``from helpers.bench.runner import run_benchmark`` loads what you use.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "Config": "helpers.bench.runner",
    "run_benchmark": "helpers.bench.runner",
    "METHODS": "helpers.bench.methods",
    "LATENCY_METHODS": "helpers.bench.methods",
    "THROUGHPUT_METHODS": "helpers.bench.methods",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Load ``run_benchmark`` and friends on first use (children never pay for them)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'helpers.bench' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
