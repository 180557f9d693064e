"""What every benchmark child does first and how it waits: ignore Ctrl-C, stop when orphaned.

Ctrl-C in a terminal reaches the whole process group, children included. Our children ignore
it: the parent decides, and its ``finally`` blocks terminate them (SIGTERM, which ends a child at
once) and remove what they made.
A child whose parent vanished (killed without cleaning up) notices within ``POLL_S`` and exits.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

POLL_S = 0.5
"""How often a waiting child checks that its parent is still alive."""


def leave_signals_to_parent() -> None:
    """Ignore Ctrl-C and let SIGTERM end this process at once, whatever the parent had set
    (a forked child inherits the parent's handlers). Also the initializer of pools and managers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def parent_alive() -> bool:
    """True while the process that started this one is running."""
    parent = multiprocessing.parent_process()
    return parent is None or parent.is_alive()


def requests(conn: Connection) -> Iterator[Any]:
    """Yield each message the parent sends on ``conn`` until it sends ``None`` or goes away."""
    while True:
        if conn.poll(POLL_S):
            try:
                message = conn.recv()
            except EOFError:
                return
            if message is None:
                return
            yield message
        elif not parent_alive():
            return
