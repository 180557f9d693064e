"""helpers.checks.nb02_pipe reads a pipe to its end the same way on Windows, where ``poll()``
raises BrokenPipeError once the writer is gone (CPython issue 85180), as elsewhere."""

from __future__ import annotations

from helpers.checks.nb02_pipe import RECEIVE_HINT_WINDOWS, _EofOnWindows
from helpers.checks.session import messages_until_eof
from helpers.context import get_context


class WindowsLikeEnd:
    """A receiving end that behaves as a Windows PipeConnection does after the writer left."""

    def __init__(self, messages):
        self.messages = list(messages)

    def poll(self, timeout):
        if self.messages:
            return True
        raise BrokenPipeError(32, "The pipe has been ended")

    def recv(self):
        if self.messages:
            return self.messages.pop(0)
        raise EOFError


def test_a_broken_pipe_from_poll_counts_as_the_end_of_the_pipe():
    assert messages_until_eof(_EofOnWindows(WindowsLikeEnd([(-2, 9.5)])), 1.0) == (
        [(-2, 9.5)],
        True,
    )


def test_a_real_pipe_still_times_out_and_reaches_its_end():
    receiver, sender = get_context("spawn").Pipe(duplex=False)
    try:
        assert messages_until_eof(_EofOnWindows(receiver), 0.05) == ([], False)
        sender.send("one")
        sender.close()
        assert messages_until_eof(_EofOnWindows(receiver), 1.0) == (["one"], True)
    finally:
        receiver.close()


def test_the_windows_hint_says_what_to_do():
    assert "BrokenPipeError" in RECEIVE_HINT_WINDOWS and "85180" in RECEIVE_HINT_WINDOWS
    assert "ready = True" in RECEIVE_HINT_WINDOWS and "EOFError" in RECEIVE_HINT_WINDOWS
