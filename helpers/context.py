"""One way for every notebook to get its multiprocessing context.

The start method comes from the environment variable ``MP_START_METHOD`` so the test
suite can run each notebook under spawn, fork and forkserver. Without it we use spawn:
the strictest method, and the default on macOS and Windows.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping
from multiprocessing.context import BaseContext

START_METHOD_VARIABLE = "MP_START_METHOD"
START_METHODS = ("spawn", "fork", "forkserver")
DEFAULT_START_METHOD = "spawn"


def start_method_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """Return the start method named by ``MP_START_METHOD`` (spawn when unset or empty)."""
    if environ is None:
        environ = os.environ
    method = environ.get(START_METHOD_VARIABLE, "").strip()
    if not method:
        return DEFAULT_START_METHOD
    if method not in START_METHODS:
        raise ValueError(
            f"{START_METHOD_VARIABLE}={method!r} is not a start method; "
            f"use one of {', '.join(START_METHODS)} (or leave it unset for {DEFAULT_START_METHOD})"
        )
    return method


def get_context(method: str | None = None) -> BaseContext:
    """Return a multiprocessing context for ``method``, or for ``MP_START_METHOD`` when None.

    Using a context, not ``multiprocessing.set_start_method``, leaves the process-wide
    default alone, so a notebook can be re-run without "context has already been set".
    """
    if method is None:
        method = start_method_from_environment()
    elif not isinstance(method, str) or method not in START_METHODS:
        raise ValueError(
            f"method={method!r} is not a start method; use one of {', '.join(START_METHODS)}"
        )
    available = multiprocessing.get_all_start_methods()
    if method not in available:
        raise ValueError(
            f"start method {method!r} is not available on this platform; "
            f"available here: {', '.join(available)}"
        )
    return multiprocessing.get_context(method)
