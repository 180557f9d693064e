"""Checks for the exercises of 02-pipe: send (don't return), a receive that never hangs, and a
two-way conversation over one duplex pipe."""

from __future__ import annotations

from typing import Any

from helpers.checks.session import Exercise, Fail, Session, messages_until_eof, short
from helpers.exercises import children

MIN_MAX_OF = [4, -2, 9.5, 3]


class _EofOnWindows:
    """A receiving end whose ``poll`` reports ready where Windows raises BrokenPipeError.

    On Windows, ``poll()`` raises BrokenPipeError once the writer is gone and nothing is left
    to read (CPython issue 85180); ``recv()`` then raises EOFError, as it does elsewhere.
    """

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def poll(self, timeout: float) -> bool:
        try:
            return self._conn.poll(timeout)
        except BrokenPipeError:
            return True

    def recv(self) -> Any:
        return self._conn.recv()


def check_min_max(answer: Any, s: Session) -> str:
    receiver, sender = s.ctx.Pipe(duplex=False)
    record = s.start(answer, sender, list(MIN_MAX_OF))
    sender.close()
    messages, ended = messages_until_eof(_EofOnWindows(receiver), s.deadline)
    if not ended:
        s.stop_child(record)
    s.join([record], 5.0)
    s.children_failures(
        [record],
        {
            "TypeError": "send() takes one object: put both numbers in one tuple, "
            "conn.send((min(numbers), max(numbers))).",
        },
    )
    if not ended:
        raise Fail(
            f"after {s.deadline:g} s the child had neither finished nor closed its end.",
            "Send the pair once, then close conn; the function should then return.",
        )
    expected = (min(MIN_MAX_OF), max(MIN_MAX_OF))
    report = record.report or ()
    if not messages:
        if report and report[0] == "returned" and report[1] is not None:
            raise Fail(
                f"the child returned {report[1]}, but sent nothing.",
                "A child's return value is lost: nobody receives it. "
                "Send the pair instead: conn.send((min(numbers), max(numbers))).",
            )
        raise Fail(
            "nothing arrived through the pipe.",
            "Call conn.send((min(numbers), max(numbers))) in the child.",
        )
    if len(messages) > 1:
        shown = ", then ".join(short(m) for m in messages[:3])
        raise Fail(
            f"{len(messages)} messages arrived ({shown}); the parent expects one.",
            "Send the pair as one message: conn.send((min(numbers), max(numbers))).",
        )
    got = messages[0]
    if isinstance(got, (bytes, bytearray, Exception)):
        raise Fail(
            f"the message was {short(got)}, not a pair of numbers.",
            "Use conn.send(obj), which pickles any object; send_bytes sends raw bytes.",
        )
    if isinstance(got, (tuple, list)) and list(got) == [expected[1], expected[0]]:
        raise Fail(
            f"the pair came back as {got!r}: the maximum first.", "Send (min, max), in that order."
        )
    if not isinstance(got, (tuple, list)) or list(got) != list(expected):
        raise Fail(
            f"the message was {short(got)}; for {MIN_MAX_OF} it should be {expected!r}.",
            "Send the tuple (min(numbers), max(numbers)).",
        )
    return f"the child sent {expected!r} as one message, then the pipe reached its end."


RECEIVE_HINT_CLOSE = (
    "Close the parent's copy of child_end right after start(). Then, once the "
    "child is gone, poll() sees the end of file at once and recv() raises "
    "EOFError."
)
RECEIVE_HINT_WINDOWS = (
    "On Windows, poll() raises BrokenPipeError once the child is gone instead of returning "
    "True (CPython issue 85180). Treat it like True: try: ready = parent_end.poll(timeout) "
    "except BrokenPipeError: ready = True; then recv() raises EOFError."
)


def check_receive(answer: Any, s: Session) -> str:
    name = "receive_from_child"
    stuck_hints = {
        "recv": "recv() waits for ever. Call poll(timeout) first and raise "
        "TimeoutError when it returns False."
    }
    # 1. A child that answers.
    outcome = s.call(
        answer, s.ctx, children.send_after, (0.0, "hello"), 5.0, deadline=max(s.deadline, 8.0)
    )
    s.problems(outcome, name, stuck_hints)
    if outcome.value != "hello":
        raise Fail(
            f"the child sent 'hello', and {name} returned {short(outcome.value)}.",
            "Return what recv() gives you.",
        )
    s.require_tidy(outcome, name)
    s.require_closed(outcome, name)
    # 2. A child that dies without sending.
    outcome = s.call(
        answer, s.ctx, children.exit_silently, (3,), 3.0, deadline=max(s.deadline, 6.0)
    )
    s.problems(
        outcome,
        name,
        {"recv": RECEIVE_HINT_CLOSE, "poll": RECEIVE_HINT_CLOSE},
        check_children=False,
        error_expected=True,
    )
    error = outcome.error
    if error is None:
        raise Fail(
            f"the child died without sending, and {name} returned {short(outcome.value)}.",
            "Let the EOFError from recv() through (or raise one): returning a value "
            "here looks like a result.",
        )
    if isinstance(error, TimeoutError) or outcome.seconds >= 2.5:
        raise Fail(
            f"the child died at once, but {name} waited out its whole timeout "
            f"and raised {type(error).__name__}.",
            RECEIVE_HINT_CLOSE,
        )
    if isinstance(error, BrokenPipeError):
        raise Fail(
            f"the child died without sending, and {name} let poll()'s BrokenPipeError through.",
            RECEIVE_HINT_WINDOWS,
        )
    if not isinstance(error, EOFError) and type(error).__name__ != "ChildFailed":
        raise Fail(
            f"the child died without sending, and {name} raised {type(error).__name__}.",
            "Raise EOFError here: it is what recv() raises when the other side is gone.",
        )
    s.require_tidy(outcome, name)
    s.require_closed(outcome, name)
    # 3. A child that never sends in time.
    outcome = s.call(
        answer, s.ctx, children.send_after, (30.0, "late"), 0.5, deadline=max(s.deadline, 3.5)
    )
    s.problems(outcome, name, stuck_hints, check_children=False, error_expected=True)
    if outcome.error is None:
        raise Fail(
            f"nothing arrived within the 0.5 s timeout, and {name} returned "
            f"{short(outcome.value)}.",
            "Raise TimeoutError when poll(timeout) returns False.",
        )
    if not isinstance(outcome.error, TimeoutError):
        raise Fail(
            f"nothing arrived within the 0.5 s timeout, and {name} raised "
            f"{type(outcome.error).__name__}.",
            "Raise TimeoutError when poll(timeout) returns False.",
        )
    if any(r.at_return == "running" for r in outcome.children):
        raise Fail(
            f"{name} raised TimeoutError but left the silent child running.",
            "Before raising, stop the child: child.terminate(), then child.join(timeout).",
        )
    s.require_tidy(outcome, name)
    s.require_closed(outcome, name)
    return (
        "it returned what the child sent, raised EOFError at once for a child that died, "
        "and TimeoutError (stopping the child) for one that stayed silent."
    )


def check_server(answer: Any, s: Session) -> str:
    parent_end, child_end = s.ctx.Pipe()
    record = s.start(answer, child_end)
    child_end.close()

    def child_problem() -> None:
        s.join([record], 1.0)
        s.children_failures(
            [record],
            {
                "TypeError": "The last request is None, which cannot be squared: check for None "
                "first, then close conn and return.",
            },
        )

    answered = 0
    for x in (3, 2.5, -4):
        try:
            parent_end.send(x)
            ready = parent_end.poll(3.0)
            reply = parent_end.recv() if ready else None
        except (EOFError, OSError):
            child_problem()
            raise Fail(
                f"the child answered {answered} request(s) and then ended.",
                "Keep answering in a loop (while True: ...) until the request is None.",
            ) from None
        if not ready:
            child_problem()
            raise Fail(
                f"the parent sent {x!r} and no answer came within 3 s.",
                "Receive a request (poll, then recv), send back its square, and repeat.",
            )
        if reply != x * x:
            raise Fail(
                f"the parent sent {x!r} and got {short(reply)} back; expected {x * x!r}.",
                "Send back request * request.",
            )
        answered += 1
    try:
        parent_end.send(None)
    except OSError:
        pass
    alive = s.join([record], 2.0)
    s.children_failures(
        [record],
        {
            "TypeError": "The last request is None, which cannot be squared: check for None first, "
            "then close conn and return.",
        },
    )
    if alive:
        raise Fail(
            "after the parent sent None the child was still running 2 s later.",
            "When the request is None, close conn and return (break out of the loop).",
        )
    parent_end.close()
    return "three requests got their squares back, and None ended the child (exit code 0)."


EXERCISES = [
    Exercise(
        "2.1", "Send, don't return", "send_min_max", ("exercise_02_1.send_min_max",), check_min_max
    ),
    Exercise(
        "2.2",
        "A receive that never hangs",
        "receive_from_child",
        ("receive_from_child",),
        check_receive,
    ),
    Exercise(
        "2.3",
        "A two-way conversation",
        "square_server",
        ("exercise_02_3.square_server",),
        check_server,
    ),
]
