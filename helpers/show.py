"""Show learners the code their children run, so nothing the notebook imports is hidden."""

from __future__ import annotations

import inspect
from collections.abc import Callable


def show_source(*functions: Callable) -> None:
    """Print the source of each function (child code lives in ``helpers``, but stays visible)."""
    if not functions:
        raise TypeError("show_source() needs at least one function")
    for function in functions:
        if not callable(function):
            raise TypeError(f"show_source() takes functions, not {type(function).__name__}")
        print(f"# from {function.__module__}")
        print(inspect.getsource(function))
