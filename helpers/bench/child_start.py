"""Child side of the start-up benchmark."""

from __future__ import annotations


def do_nothing() -> None:
    """Return at once: what remains is the cost of starting and joining a process."""
