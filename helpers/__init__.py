"""Helpers for the Process Returns course.

Everything a child process runs lives in this package (``helpers.tasks``), so that
children started with *spawn* or *forkserver* can import it by name.
"""

from helpers.context import START_METHOD_VARIABLE, START_METHODS, get_context
from helpers.processes import ChildFailed, join_or_fail

__all__ = ["START_METHODS", "START_METHOD_VARIABLE", "ChildFailed", "get_context", "join_or_fail"]
