"""The guard of a check's child says where the child waits while it runs, and nothing after
its last report (run here in-process, with a fake report pipe)."""

from __future__ import annotations

import sys
import threading
import time

from helpers.checks import guard


class FakeReport:
    def __init__(self) -> None:
        self.messages: list[tuple] = []
        self.closed = False

    def send(self, message: tuple) -> None:
        self.messages.append(message)

    def close(self) -> None:
        self.closed = True


def wait_a_little(seconds):
    time.sleep(seconds)
    return 42


def test_a_running_child_reports_where_it_waits_then_its_result_last(monkeypatch):
    monkeypatch.setattr(guard, "WATCH_EVERY_S", 0.05)
    report = FakeReport()
    guard.run_guarded(report, wait_a_little, (0.6,), {})
    time.sleep(0.2)  # a watch that outlived the target would send in here
    kinds = [message[0] for message in report.messages]
    assert kinds[-1] == "returned" and report.messages[-1] == ("returned", "int 42")
    assert set(kinds[:-1]) == {"waiting"}
    assert len(kinds) == 2, "the place did not change, so it is told once"
    _, kind, code, place = report.messages[0]
    assert (kind, code) == ("", "time.sleep(seconds)")
    assert place.endswith(", in wait_a_little")
    assert report.closed


def test_a_lock_wait_is_named_after_the_learners_line():
    lock = threading.Lock()
    lock.acquire()
    seen = {}

    def blocked():
        lock.acquire(timeout=2)

    thread = threading.Thread(target=blocked)
    thread.start()
    try:
        time.sleep(0.2)
        frame = sys._current_frames()[thread.ident]
        seen["plain"] = guard.waiting_at(frame)
        seen["guessed"] = guard.waiting_at(frame, guess_from_code=True)
        del frame
    finally:
        lock.release()
        thread.join(5)
    assert seen["plain"][0] == ""  # acquire() is C code: no library frame names it
    assert seen["guessed"][:2] == ("acquire", "lock.acquire(timeout=2)")
