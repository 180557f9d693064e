"""Exit codes that two threads may read at the same moment.

Under forkserver a child's exit code reaches the parent once, as a few bytes on the child's
sentinel pipe. When two threads join the same child (a learner's answer in its thread, the
check stopping children in its own), both read; the one that finds the pipe already emptied
sets ``exitcode`` to 255, often after the other has set the real code (CPython issue
gh-130895, on 3.11 to 3.15). The check's forkserver children read it under a lock instead.
"""

from __future__ import annotations

import multiprocessing.context
import os
import sys
import threading
from multiprocessing.connection import wait
from typing import Any


def serialise_exit_reads(popen: Any) -> None:
    """Make ``popen.poll`` safe to call from several threads at once."""
    read = popen.poll
    lock = threading.Lock()

    def poll(flag: int = os.WNOHANG) -> int | None:
        if flag != os.WNOHANG and popen.returncode is None:
            wait([popen.sentinel])  # without the lock: a non-blocking poll is never held up
        with lock:
            return read(flag)  # the second reader finds the code the first one stored

    popen.poll = poll


if sys.platform != "win32":

    class ForkServerChild(multiprocessing.context.ForkServerProcess):
        """A forkserver Process whose exit code survives being joined from two threads."""

        def start(self) -> None:
            super().start()
            serialise_exit_reads(self._popen)
