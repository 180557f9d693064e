"""helpers.tasks.failures, run in real child processes under every start method."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading

import pytest

from helpers import get_context, join_or_fail
from helpers.processes import process_exists
from helpers.relay import frame_names, last_line
from helpers.tasks import failures
from tests.test_context import AVAILABLE

TIMEOUT_S = 30
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="signals and os.kill are POSIX")


@pytest.fixture(params=AVAILABLE)
def ctx(request):
    return get_context(request.param)


def close(q) -> None:
    q.close()
    q.join_thread()


def run_reported(ctx, task, *args, daemon=None):
    """Run report_outcome(results, task, *args) in a child; return its outcome and exit code."""
    results = ctx.Queue()
    child = ctx.Process(target=failures.report_outcome, args=(results, task, *args), daemon=daemon)
    child.start()
    outcome = results.get(timeout=TIMEOUT_S)
    join_or_fail(child, timeout=TIMEOUT_S)
    close(results)
    return outcome, child.exitcode


def test_raise_quietly_exits_with_code_1_and_writes_nothing(ctx, tmp_path):
    # The child's stderr goes to a file we own, then raise_quietly points it at os.devnull.
    log = tmp_path / "stderr.txt"
    with open(log, "w") as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            child = ctx.Process(target=failures.raise_quietly, args=("boom",))
            child.start()
            child.join(TIMEOUT_S)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    assert child.exitcode == 1
    assert "boom" not in log.read_text()


def test_report_outcome_sends_the_value(ctx):
    outcome, code = run_reported(ctx, failures.parse_positive, "2.5")
    assert outcome == ("ok", 2.5)
    assert code == 0


def test_report_outcome_sends_the_traceback_text(ctx):
    (tag, text), code = run_reported(ctx, failures.parse_positive, "-1")
    assert tag == "error" and code == 0
    assert text.startswith("Traceback (most recent call last):")
    assert last_line(text) == "ValueError: expected a positive number, got -1.0"
    assert frame_names(text) == ["report_outcome", "parse_positive"]


@pytest.mark.parametrize("code", [0, 3, 77])
def test_exit_with_gives_the_exit_code(ctx, code):
    child = ctx.Process(target=failures.exit_with, args=(code,))
    child.start()
    child.join(TIMEOUT_S)
    assert child.exitcode == code


def test_exit_after_ends_at_once_and_closes_the_pipe_end_it_held(ctx):
    reader, writer = ctx.Pipe(duplex=False)
    died_at = ctx.Value("d", 0.0)
    child = ctx.Process(target=failures.exit_after, args=(3, 0.01, died_at, writer))
    child.start()
    writer.close()
    assert reader.poll(TIMEOUT_S)
    with pytest.raises(EOFError):
        reader.recv()
    child.join(TIMEOUT_S)
    assert child.exitcode == 3
    assert died_at.value > 0
    reader.close()


def test_allocate_returns_the_size_or_a_memory_error(ctx):
    assert run_reported(ctx, failures.allocate, 1 << 20) == (("ok", 1 << 20), 0)
    (tag, text), code = run_reported(ctx, failures.allocate, 1 << 60)
    assert (tag, code) == ("error", 0)
    assert last_line(text) == "MemoryError"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/meminfo")
def test_ram_and_swap_is_at_least_the_physical_memory():
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert failures.ram_and_swap() >= physical > 0


def test_reserve_untouched_grants_small_blocks_and_refuses_impossible_ones(ctx):
    sizes = [1 << 20, 1 << 62, 1 << 20]  # 4 EiB: more than any process can map
    expected = ["granted", "refused", "granted"]
    assert run_reported(ctx, failures.reserve_untouched, sizes) == (("ok", expected), 0)


@pytest.mark.skipif(
    sys.platform != "linux" or open("/proc/sys/vm/overcommit_memory").read().strip() != "0",
    reason="Linux's default heuristic overcommit",
)
def test_default_linux_overcommit_refuses_only_a_request_bigger_than_ram_and_swap(ctx):
    total = failures.ram_and_swap()
    sizes = [2 * total, total * 3 // 4, total * 3 // 4]
    expected = ["refused", "granted", "granted"]
    assert run_reported(ctx, failures.reserve_untouched, sizes) == (("ok", expected), 0)


def test_check_pump_raises_an_error_that_does_not_unpickle():
    assert failures.check_pump(20) == "pump ok"
    with pytest.raises(failures.TwoPartError, match="pump: too hot"):
        failures.check_pump(95)


def test_send_then_receive_deadlocks_until_one_side_reads(ctx):
    nbytes = 4_000_000
    parent_end, child_end = ctx.Pipe()
    sent = ctx.Event()
    child = ctx.Process(target=failures.send_then_receive, args=(child_end, nbytes, sent))
    child.start()
    child_end.close()
    sender = threading.Thread(target=parent_end.send_bytes, args=(bytes(nbytes),), daemon=True)
    sender.start()
    sender.join(timeout=0.5)
    assert sender.is_alive()  # the parent's send is stuck ...
    assert not sent.wait(timeout=0.5)  # ... and so is the child's
    assert parent_end.poll(TIMEOUT_S)
    assert len(parent_end.recv_bytes()) == nbytes  # reading frees the child, then the parent
    sender.join(timeout=TIMEOUT_S)
    assert not sender.is_alive()
    assert parent_end.poll(TIMEOUT_S)
    assert parent_end.recv() == nbytes
    join_or_fail(child, timeout=TIMEOUT_S)
    parent_end.close()


def test_two_part_error_pickles_but_does_not_unpickle():
    data = pickle.dumps(failures.TwoPartError("pump", "too hot"))
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        pickle.loads(data)


def test_log_to_queue_relays_records_in_order(ctx):
    log_queue, results = ctx.Queue(), ctx.Queue()
    child = ctx.Process(
        target=failures.log_to_queue,
        args=(log_queue, failures.clean_readings, results, [1.0, -2.0, 3.0]),
        name="sensor",
    )
    child.start()
    name, mean = results.get(timeout=TIMEOUT_S)
    join_or_fail(child, timeout=TIMEOUT_S)
    records = [log_queue.get(timeout=TIMEOUT_S) for _ in range(3)]
    with pytest.raises(queue.Empty):
        log_queue.get(timeout=0.2)  # the DEBUG record was filtered out in the child
    close(log_queue)
    close(results)
    assert (name, mean) == ("sensor", 2.0)
    assert [(r.processName, r.levelname, r.getMessage()) for r in records] == [
        ("sensor", "INFO", "received 3 readings"),
        ("sensor", "WARNING", "dropped negative reading -2.0"),
        ("sensor", "INFO", "sent the mean; readings kept: 2"),
    ]


def test_log_to_queue_logs_a_failing_task(ctx):
    log_queue, results = ctx.Queue(), ctx.Queue()
    child = ctx.Process(
        target=failures.log_to_queue, args=(log_queue, failures.clean_readings, results, [-1.0])
    )
    child.start()
    join_or_fail(child, timeout=TIMEOUT_S)  # the wrapper logs the exception: exit code 0
    records = [log_queue.get(timeout=TIMEOUT_S) for _ in range(3)]
    close(log_queue)
    close(results)
    assert records[-1].levelname == "ERROR"
    assert records[-1].getMessage().startswith("the task failed")
    assert "ZeroDivisionError" in records[-1].getMessage()


@posix_only
def test_ignore_sigterm_survives_terminate_but_not_kill(ctx):
    ready, stop = ctx.Event(), ctx.Event()
    child = ctx.Process(target=failures.ignore_sigterm, args=(ready, stop))
    child.start()
    assert ready.wait(TIMEOUT_S)
    child.terminate()
    child.join(timeout=0.3)
    assert child.is_alive()
    child.kill()
    child.join(TIMEOUT_S)
    assert child.exitcode == -signal.SIGKILL


def send_sigint(child) -> None:
    """Process.interrupt() where it exists (Python 3.14+), else the same signal by hand."""
    if sys.version_info >= (3, 14):
        child.interrupt()
    else:
        os.kill(child.pid, signal.SIGINT)


@posix_only
@pytest.mark.parametrize(("catch", "expected"), [(False, 1), (True, 0)])
def test_sleep_until_interrupted_runs_its_finally_on_sigint(ctx, catch, expected):
    ready, cleaned_up = ctx.Event(), ctx.Event()
    child = ctx.Process(target=failures.sleep_until_interrupted, args=(ready, cleaned_up, catch))
    child.start()
    try:
        assert ready.wait(TIMEOUT_S)
        send_sigint(child)
        child.join(TIMEOUT_S)
        assert child.exitcode == expected
        assert cleaned_up.is_set()
    finally:
        if child.exitcode is None:
            child.kill()
            child.join(TIMEOUT_S)


@posix_only
def test_sleep_until_interrupted_skips_its_finally_on_sigterm(ctx):
    ready, cleaned_up = ctx.Event(), ctx.Event()
    child = ctx.Process(target=failures.sleep_until_interrupted, args=(ready, cleaned_up))
    child.start()
    assert ready.wait(TIMEOUT_S)
    child.terminate()
    child.join(TIMEOUT_S)
    assert child.exitcode == -signal.SIGTERM
    assert not cleaned_up.is_set()


@pytest.mark.skipif(sys.version_info < (3, 14), reason="Process.interrupt() is new in 3.14")
def test_interrupt_exists_from_python_3_14():
    assert callable(multiprocessing.Process.interrupt)


@posix_only
def test_start_grandchild_daemon_is_terminated_when_the_child_exits(ctx):
    (tag, pid), code = run_reported(ctx, failures.start_grandchild, ctx.get_start_method())
    assert (tag, code) == ("ok", 0)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.parametrize("stop", ["terminate", "kill"])
def test_a_child_ended_from_outside_leaves_its_daemonic_grandchild_running(ctx, stop):
    results = ctx.Queue()
    child = ctx.Process(target=failures.start_grandchild_then_wait, args=(results,))
    child.start()
    orphan = results.get(timeout=TIMEOUT_S)
    getattr(child, stop)()
    child.join(TIMEOUT_S)
    close(results)
    assert child.exitcode is not None and child.exitcode < 0
    assert process_exists(orphan)
    os.kill(orphan, signal.SIGTERM)  # on Windows: TerminateProcess


def test_a_daemonic_child_may_not_start_a_grandchild(ctx):
    (tag, text), code = run_reported(
        ctx, failures.start_grandchild, ctx.get_start_method(), daemon=True
    )
    assert (tag, code) == ("error", 0)
    assert last_line(text) == "AssertionError: daemonic processes are not allowed to have children"


def test_stdout_type_names_the_stream_class(ctx):
    results = ctx.Queue()
    child = ctx.Process(target=failures.stdout_type, args=(results,))
    child.start()
    name = results.get(timeout=TIMEOUT_S)
    join_or_fail(child, timeout=TIMEOUT_S)
    close(results)
    # Under pytest the parent's sys.stdout is a capture object: fork inherits it, the others
    # start a fresh interpreter with a plain text stream on file descriptor 1.
    if ctx.get_start_method() == "fork":
        cls = type(sys.stdout)
        assert name == f"{cls.__module__}.{cls.__qualname__}"
    else:
        assert name == "_io.TextIOWrapper"
