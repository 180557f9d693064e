"""A forkserver child joined from several threads at once keeps its real exit code (the
plain ForkServerProcess gives 255 to all but one reader: helpers/checks/exit_status.py)."""

import sys
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no forkserver on Windows")


def joined_from_threads(process, threads: int = 6) -> list:
    codes = []

    def join() -> None:
        process.join()  # no timeout, as in the answers that race: join(timeout) reads differently
        codes.append(process.exitcode)

    workers = [threading.Thread(target=join, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(15)
    return codes


def test_every_thread_sees_the_real_exit_code():
    from helpers.checks.exit_status import ForkServerChild

    for _ in range(5):
        # The threads all wait while the child sleeps, then read its exit code together.
        process = ForkServerChild(target=time.sleep, args=(0.2,))
        process.start()
        assert joined_from_threads(process) == [0] * 6


def test_a_non_blocking_poll_is_not_held_up_by_a_blocking_join():
    from helpers.checks.exit_status import ForkServerChild

    process = ForkServerChild(target=time.sleep, args=(1.0,))
    process.start()
    waiter = threading.Thread(target=process.join, daemon=True)
    waiter.start()
    began = time.monotonic()
    assert process.exitcode is None
    assert time.monotonic() - began < 0.5
    waiter.join(10)
    assert process.exitcode == 0
