"""Child code for 00-start-here: the smallest tasks that show what crosses the process boundary."""

from __future__ import annotations

import importlib
from multiprocessing.sharedctypes import Synchronized


def append_item(items: list, item: str) -> None:
    """Append to ``items``: in a child this changes the child's copy, never the parent's list."""
    items.append(item)


def give_back() -> float:
    """Return a number: as a Process target, the return value goes nowhere."""
    return 42.0


def answer(result: Synchronized) -> None:
    """Hand 42.0 back through a shared ``Value`` that the parent created."""
    result.value = 42.0


def do_nothing() -> None:
    """An empty target, for measuring what starting and joining a process costs."""


def report_version(module_name: str, result: Synchronized) -> None:
    """Write module ``module_name``'s ``VERSION`` number into ``result``, importing it if needed.

    A forked child finds the module already in ``sys.modules`` (its copy of the parent's
    memory); a spawned child has to import it, from the file as it is now.
    """
    result.value = importlib.import_module(module_name).VERSION
