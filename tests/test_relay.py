"""helpers.relay: tagged outcomes back into values or errors, and children's logs relayed."""

from __future__ import annotations

import io
import logging
import pickle
import queue
import time

import pytest

from helpers import START_METHODS, get_context, join_or_fail
from helpers.relay import (
    ChildError,
    ChildTraceback,
    drain,
    format_record,
    frame_names,
    last_line,
    poll_or_eof,
    relayed_logs,
    unwrap,
)
from helpers.tasks import failures

TIMEOUT_S = 30
TRACEBACK = """Traceback (most recent call last):
  File "/somewhere/helpers/tasks/failures.py", line 50, in report_outcome
    outcome = ("ok", task(*args))
  File "/somewhere/helpers/tasks/failures.py", line 42, in parse_positive
    raise ValueError(f"expected a positive number, got {value}")
ValueError: expected a positive number, got -1.0
"""


@pytest.fixture(params=START_METHODS)
def ctx(request):
    return get_context(request.param)


def test_unwrap_returns_the_value_of_an_ok_outcome():
    assert unwrap(("ok", 2.5)) == 2.5
    assert unwrap(("ok", None)) is None


def test_unwrap_raises_a_child_error_carrying_the_traceback():
    with pytest.raises(ChildError) as caught:
        unwrap(("error", TRACEBACK))
    error = caught.value
    assert isinstance(error, RuntimeError)
    assert str(error) == "the child raised ValueError: expected a positive number, got -1.0"
    assert error.child_traceback == TRACEBACK
    assert isinstance(error.__cause__, ChildTraceback)
    assert "line 42, in parse_positive" in str(error.__cause__)


def test_a_child_error_survives_pickling():
    error = ChildError("the child raised KeyError: 'x'", TRACEBACK)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert copy.child_traceback == TRACEBACK


@pytest.mark.parametrize("bad", [None, "ok", ("ok",), ("done", 1), ["ok", 1], ("ok", 1, 2)])
def test_unwrap_names_a_malformed_outcome(bad):
    with pytest.raises(ValueError, match=r"outcome must be \('ok', value\)"):
        unwrap(bad)


def test_unwrap_wants_traceback_text_for_an_error():
    with pytest.raises(TypeError, match=r"outcome: an 'error' outcome carries traceback text"):
        unwrap(("error", ValueError("x")))


def test_last_line_and_frame_names_leave_out_paths():
    assert last_line(TRACEBACK) == "ValueError: expected a positive number, got -1.0"
    assert frame_names(TRACEBACK) == ["report_outcome", "parse_positive"]
    assert last_line("") == ""
    assert frame_names("no traceback here") == []
    for function in (last_line, frame_names):
        with pytest.raises(TypeError, match="traceback_text must be a str, not bytes"):
            function(b"x")


def test_unwrap_of_a_real_child_outcome(ctx):
    results = ctx.Queue()
    child = ctx.Process(
        target=failures.report_outcome, args=(results, failures.parse_positive, "0")
    )
    child.start()
    outcome = results.get(timeout=TIMEOUT_S)
    join_or_fail(child, timeout=TIMEOUT_S)
    results.close()
    results.join_thread()
    with pytest.raises(ChildError, match="ValueError: expected a positive number, got 0.0"):
        unwrap(outcome)


def test_drain_takes_everything_then_stops_when_quiet():
    items = queue.Queue()
    for n in range(5):
        items.put(n)
    began = time.monotonic()
    assert drain(items, quiet=0.05) == [0, 1, 2, 3, 4]
    assert time.monotonic() - began < 5


def test_drain_is_bounded_by_its_timeout():
    class Endless:
        def get(self, timeout):
            return 1

    began = time.monotonic()
    taken = drain(Endless(), quiet=0.05, timeout=0.2)
    assert taken and time.monotonic() - began < 2


@pytest.mark.parametrize(
    "name, value", [("quiet", 0), ("quiet", -1), ("timeout", "5"), ("timeout", True)]
)
def test_drain_and_relayed_logs_name_a_bad_number(name, value):
    with pytest.raises(ValueError, match=f"{name} must be a positive number of seconds"):
        drain(queue.Queue(), **{name: value})
    with pytest.raises(ValueError, match=f"{name} must be a positive number of seconds"):
        with relayed_logs(get_context("spawn"), **{name: value}):
            pass


def test_drain_wants_a_queue():
    with pytest.raises(TypeError, match="items must be a queue"):
        drain([1, 2])


def test_relayed_logs_wants_a_context():
    with pytest.raises(TypeError, match="ctx must be a multiprocessing context"):
        with relayed_logs("spawn"):
            pass


def test_format_record():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "%d left", (3,), None)
    record.processName = "worker-1"
    assert format_record(record) == "[worker-1] WARNING: 3 left"
    with pytest.raises(TypeError, match="record must be a logging.LogRecord, not str"):
        format_record("hello")


def test_relayed_logs_prints_each_childs_lines_in_order_grouped_by_name(ctx):
    out = io.StringIO()
    means = {}
    with relayed_logs(ctx, file=out) as log_queue:
        results = ctx.Queue()
        children = [
            ctx.Process(
                target=failures.log_to_queue,
                args=(log_queue, failures.clean_readings, results, readings),
                name=name,
            )
            for name, readings in [("sensor-b", [4.0, -1.0]), ("sensor-a", [1.0, 2.0])]
        ]
        for child in children:
            child.start()
        for _ in children:
            name, mean = results.get(timeout=TIMEOUT_S)
            means[name] = mean
        join_or_fail(*children, timeout=TIMEOUT_S)
        results.close()
        results.join_thread()
    assert means == {"sensor-a": 1.5, "sensor-b": 4.0}
    assert out.getvalue().splitlines() == [
        "[sensor-a] INFO: received 2 readings",
        "[sensor-a] INFO: sent the mean; readings kept: 2",
        "[sensor-b] INFO: received 2 readings",
        "[sensor-b] WARNING: dropped negative reading -1.0",
        "[sensor-b] INFO: sent the mean; readings kept: 1",
    ]


def test_relayed_logs_prints_what_arrived_even_when_the_block_raises(ctx):
    out = io.StringIO()
    with pytest.raises(RuntimeError, match="after the child"):
        with relayed_logs(ctx, file=out) as log_queue:
            results = ctx.Queue()
            child = ctx.Process(
                target=failures.log_to_queue,
                args=(log_queue, failures.clean_readings, results, [1.0]),
                name="lonely",
            )
            child.start()
            results.get(timeout=TIMEOUT_S)
            join_or_fail(child, timeout=TIMEOUT_S)
            results.close()
            results.join_thread()
            raise RuntimeError("after the child")
    assert out.getvalue().splitlines()[0] == "[lonely] INFO: received 1 readings"


def test_poll_or_eof_is_true_for_a_message_and_for_an_end_of_file(ctx):
    reader, writer = ctx.Pipe(duplex=False)
    assert poll_or_eof(reader) is False
    writer.send("hello")
    assert poll_or_eof(reader, 1) is True
    assert reader.recv() == "hello"
    writer.close()
    assert poll_or_eof(reader, 1) is True
    with pytest.raises(EOFError):
        reader.recv()
    reader.close()


class _WindowsPipeEnd:
    """Stands for a Windows pipe end whose writers are gone: poll() raises (issue 85180)."""

    def poll(self, timeout=0.0):
        raise BrokenPipeError(109, "The pipe has been ended")


def test_poll_or_eof_treats_windows_broken_pipe_as_an_end_of_file():
    assert poll_or_eof(_WindowsPipeEnd(), 1) is True
