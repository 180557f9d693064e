"""How a check runs a learner's answer: bounded, watched, and cleaned up after.

A ``Session`` belongs to one check. It hands the answer a ``CheckContext``: a real
multiprocessing context (the notebook's start method) that also remembers every child, queue,
pipe and manager the answer makes, and runs each child through ``guard.run_guarded`` so the
check learns why a child failed. Every call into the learner's code runs in a helper thread
with a deadline; if the deadline passes, the session notes *where* the code was waiting,
stops the children and closes the pipes it was waiting on. ``close()`` then terminates and
joins whatever is left, so a check never leaves a process, a manager or a segment behind.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import multiprocessing
import os
import re
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import shared_memory
from types import ModuleType
from typing import Any

from helpers.checks.guard import (
    describe,
    exception_message,
    run_guarded,
    waiting_at,
    where,
)

DEFAULT_DEADLINE_S = 10.0
"""How long a learner's function may run before the check says where it is stuck."""

JOIN_GRACE_S = 0.5
"""How long a child may still take to finish when the check is over, before it is stopped."""


# --- what a check can conclude ----------------------------------------------------------------


class Fail(Exception):
    """The answer is wrong: ``saw`` says what the check observed, ``hint`` what to try."""

    def __init__(self, saw: str, hint: str = "") -> None:
        super().__init__(saw)
        self.saw = saw
        self.hint = hint


class NotAttempted(Exception):
    """The answer is still the placeholder (it raises NotImplementedError)."""


class ChildNotImportable(Exception):
    """A child was asked to run a function that spawn and forkserver children cannot import."""


# --- the exercises' description ---------------------------------------------------------------


@dataclass(frozen=True)
class Exercise:
    """One exercise: what the learner passes to the check, what they write, how it is checked.

    ``answer`` names what ``check_exercise`` expects: a function (``kind="function"``) or a
    module (``kind="module"``). ``parts`` lists what the learner writes, as ``name`` (the
    answer function itself) or ``module.name`` (a function or class in a child module).
    ``check(answer, session)`` returns a one-line summary when the answer passes and raises
    ``Fail`` otherwise.
    """

    id: str
    title: str
    answer: str
    parts: tuple[str, ...]
    check: Callable[[Any, Session], str]
    kind: str = "function"


def _placeholder_raise(node: ast.stmt) -> bool:
    if not isinstance(node, ast.Raise) or node.exc is None:
        return False
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _filler(node: ast.stmt) -> bool:
    """A docstring, a comment-only line's ``pass`` or ``...``: statements that do nothing."""
    if isinstance(node, ast.Pass):
        return True
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and (isinstance(node.value.value, str) or node.value.value is Ellipsis)
    )


def _body_state(body: list[ast.stmt]) -> str:
    real = [node for node in body if not _filler(node)]
    raises = [node for node in real if _placeholder_raise(node)]
    if raises and len(raises) == len(real):
        return "untouched"
    return "unfinished" if raises else "written"


def placeholder_state(obj: Any) -> str:
    """ "untouched" (only ``raise NotImplementedError()``), "unfinished" (code, and still that
    line), "written", or "unknown" (no source to read) for a function or a class."""
    try:
        source = textwrap.dedent(inspect.getsource(obj))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return "unknown"
    if not tree.body:
        return "unknown"
    node = tree.body[0]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _body_state(node.body)
    if isinstance(node, ast.ClassDef):
        methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        states = {_body_state(m.body) for m in methods}
        if not states:
            return "written"
        if states == {"untouched"}:
            return "untouched"
        return "unfinished" if states & {"untouched", "unfinished"} else "written"
    return "unknown"


def find_module(name: str) -> ModuleType | None:
    """The learner's child module ``name`` if it has been saved (imported), else None."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    try:
        return importlib.import_module(name)
    except Exception:
        return None


def target_name(target: Any) -> str:
    """ "exercise_03_1.slow_square" for a learner's module function, else its plain name."""
    name = (
        getattr(target, "__qualname__", None) or getattr(target, "__name__", None) or repr(target)
    )
    module = getattr(target, "__module__", "") or ""
    return f"{module}.{name}" if module.startswith("exercise_") else name


def importability_problem(target: Any) -> str | None:
    """Why a spawn or forkserver child could not import ``target`` (None if it can)."""
    name = getattr(target, "__name__", None) or repr(target)
    qualname = getattr(target, "__qualname__", "") or ""
    if getattr(target, "__module__", None) == "__main__":
        return f"`{name}` is defined in the notebook (module __main__)"
    if "<lambda>" in qualname:
        return "the target is a lambda"
    if "<locals>" in qualname:
        return f"`{name}` is defined inside another function"
    return None


def not_importable(problem: str) -> Fail:
    """The Fail for a child target that spawn and forkserver children could not import."""
    return Fail(
        f"{problem}: a child started with spawn or forkserver cannot import it.",
        "Put child code in this exercise's %%child_module cell and refer to it through "
        "its module (for example exercise_03_1.slow_square).",
    )


# --- children, and the context that records them ----------------------------------------------


@dataclass
class ChildRecord:
    """One child started through a ``CheckContext``, and what became of it."""

    process: Any
    target: Any
    args: tuple
    receiver: Any = None
    sender: Any = None
    keep: tuple = ()  # what else the child was given: it must outlive the child's start-up
    report: tuple | None = None
    waiting: tuple | None = None  # (kind, code, place): where the guard last saw it wait
    at_return: str = ""  # "not started", "running", "finished, never joined", "joined"
    stopped_by_check: bool = False

    @property
    def label(self) -> str:
        return f"the child running {target_name(self.target)}"

    @property
    def started(self) -> bool:
        return getattr(self.process, "_popen", None) is not None

    def snapshot(self) -> str:
        """How the child stands now, reaping it if it has exited (the answer is done with it)."""
        popen = getattr(self.process, "_popen", None)
        if popen is None:
            return "not started"
        if popen.returncode is not None:
            return "joined"
        return "running" if popen.poll() is None else "finished, never joined"

    def collect_report(self) -> None:
        """Read the guard's report, if the child sent one (never waits)."""
        if self.receiver is None:
            return
        try:
            if self.sender is not None:
                self.sender.close()
            while self.receiver.poll(0):
                message = self.receiver.recv()
                if message[0] == "waiting":
                    self.waiting = message[1:]
                else:
                    self.report = message
        except (EOFError, OSError):
            pass

    def close_pipes(self) -> None:
        for conn in (self.sender, self.receiver):
            try:
                if conn is not None:
                    conn.close()
            except OSError:
                pass


class CheckContext:
    """A multiprocessing context that records what an answer creates. Everything not listed
    here (``Event``, ``Value``, ``Lock``, ``get_start_method``, ...) is the real context's."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self._children: list[ChildRecord] = []
        self._queues: list[Any] = []
        self._connections: list[Any] = []
        self._managers: list[Any] = []
        self._problems: list[str] = []
        self._pools: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    def __repr__(self) -> str:
        return f"<the check's context, start method {self._ctx.get_start_method()!r}>"

    def get_context(self, method: str | None = None) -> Any:
        return self if method is None else self._ctx.get_context(method)

    def _process_class(self) -> Any:
        """The real context's Process; under forkserver one whose exit code two threads can
        read (the answer's join and the check's own, when it stops a stuck answer)."""
        if self._ctx.get_start_method() == "forkserver":
            from helpers.checks.exit_status import ForkServerChild

            return ForkServerChild
        return self._ctx.Process

    def make_process(
        self,
        target: Any,
        args: tuple = (),
        kwargs: dict | None = None,
        name: str | None = None,
        daemon: bool | None = None,
        barrier: Any = None,
    ) -> Any:
        """A real Process that runs ``target`` under the guard (and is remembered)."""
        module = getattr(target, "__module__", "") or ""
        if module.startswith(("multiprocessing", "concurrent")) or target is None:
            # A manager's server or a pool's worker: the library's own code, run as it is.
            process = self._process_class()(
                target=target, args=args, kwargs=kwargs or {}, name=name, daemon=daemon
            )
            self._children.append(ChildRecord(process, target, tuple(args)))
            return process
        problem = importability_problem(target)
        if problem is not None:
            self._problems.append(problem)
            raise ChildNotImportable(problem)
        receiver, sender = self._ctx.Pipe(duplex=False)
        process = self._process_class()(
            target=run_guarded,
            name=name,
            daemon=daemon,
            args=(sender, target, tuple(args), dict(kwargs or {}), barrier),
        )
        # Process.start() lets go of its arguments; under spawn the child unpickles them later,
        # so the record keeps them (and the barrier) alive until the child is done.
        self._children.append(
            ChildRecord(process, target, tuple(args), receiver, sender, keep=(kwargs, barrier))
        )
        return process

    def Process(
        self,
        group: Any = None,
        target: Any = None,
        name: str | None = None,
        args: tuple = (),
        kwargs: dict | None = None,
        *,
        daemon: bool | None = None,
    ) -> Any:
        return self.make_process(target, args, kwargs, name=name, daemon=daemon)

    def Queue(self, maxsize: int = 0) -> Any:
        queue = self._ctx.Queue(maxsize)
        self._queues.append(queue)
        return queue

    def JoinableQueue(self, maxsize: int = 0) -> Any:
        queue = self._ctx.JoinableQueue(maxsize)
        self._queues.append(queue)
        return queue

    def SimpleQueue(self) -> Any:
        queue = self._ctx.SimpleQueue()
        self._queues.append(queue)
        return queue

    def Pipe(self, duplex: bool = True) -> tuple[Any, Any]:
        ends = self._ctx.Pipe(duplex)
        self._connections.extend(ends)
        return ends

    def Manager(self) -> Any:
        manager = self._ctx.Manager()
        self._managers.append(manager)
        return manager

    def Pool(
        self,
        processes: int | None = None,
        initializer: Any = None,
        initargs: tuple = (),
        maxtasksperchild: int | None = None,
    ) -> Any:
        """A Pool whose workers are started (and so recorded) through this context."""
        from multiprocessing.pool import Pool

        pool = Pool(processes, initializer, initargs, maxtasksperchild, context=self)
        self._pools.append(pool)  # a Pool replaces killed workers: the check terminates it
        return pool


# --- where a stuck answer is waiting ----------------------------------------------------------


@dataclass(frozen=True)
class Stuck:
    """Where a learner's function was waiting when its deadline passed."""

    kind: str  # "join", "get", "recv", "wait", "acquire", "manager" or "" (somewhere else)
    code: str = ""  # the learner's line of code, stripped
    place: str = ""  # "line 9, in squares_in_order"

    def describe(self) -> str:
        what = f"`{self.code}`" if self.code else (f"{self.kind}()" if self.kind else "its code")
        return f"{what} ({self.place})" if self.place else what


def diagnose(thread: threading.Thread) -> Stuck:
    """Read the waiting thread's stack: the blocking call, and the learner's line that made it."""
    frame = sys._current_frames().get(thread.ident)  # noqa: SLF001 - CPython and PyPy have it
    return Stuck(*waiting_at(frame))


class CheckStopped(BaseException):
    """Raised inside a learner's function that was still running when its check gave up."""


def stop_thread(thread: threading.Thread) -> None:
    """Raise CheckStopped in ``thread`` at its next Python instruction (CPython only; a thread
    blocked inside a C call without a timeout stays where it is, as a daemon)."""
    try:
        import ctypes

        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(CheckStopped)
        )
    except Exception:  # not CPython, or the thread is already gone
        pass


# --- one call into the learner's code ---------------------------------------------------------


@dataclass
class Outcome:
    """What one call of the learner's code did."""

    value: Any = None
    error: BaseException | None = None
    stuck: Stuck | None = None
    seconds: float = 0.0
    children: list[ChildRecord] = field(default_factory=list)
    connections: list[Any] = field(default_factory=list)


@dataclass
class Segment:
    name: str
    size: int
    created: bool
    unlinked: bool = False


class Session:
    """Everything one check needs: the context, bounded calls, and the clean-up."""

    def __init__(self, ctx: Any, deadline: float | None = None) -> None:
        self.real_ctx = ctx
        self.ctx = CheckContext(ctx)
        self.method = ctx.get_start_method()
        self.deadline = DEFAULT_DEADLINE_S if deadline is None else float(deadline)
        self.extra_managers: list[Any] = []
        self.segments: dict[str, Segment] = {}
        self.owned_segments: list[str] = []
        # A check's own ways to free a stuck call (connect to a listener, close a cluster),
        # run by unblock() after the children are stopped.
        self.unblockers: list[Callable[[], None]] = []
        self._children_before = {p.pid for p in multiprocessing.active_children()}

    # Calls into the learner's code.

    def call(
        self, fn: Callable, *args: Any, deadline: float | None = None, **kwargs: Any
    ) -> Outcome:
        """Run ``fn(*args, **kwargs)`` in a helper thread for at most ``deadline`` seconds."""
        limit = self.deadline if deadline is None else deadline
        first_child, first_conn = len(self.ctx._children), len(self.ctx._connections)
        box: dict[str, Any] = {}

        def run() -> None:
            began = time.monotonic()
            try:
                box["value"] = fn(*args, **kwargs)
            except BaseException as error:  # anything the learner's code raises is reported
                box["error"] = error
            finally:
                box["seconds"] = time.monotonic() - began

        thread = threading.Thread(target=run, name="exercise-check", daemon=True)
        thread.start()
        thread.join(limit)
        if thread.is_alive():
            stuck = diagnose(thread)
            self.unblock()
            thread.join(3.0)
            if thread.is_alive():  # still busy (a loop, say): stop it where Python can
                stop_thread(thread)
                thread.join(2.0)
                self.unblock()  # whatever it started meanwhile
            outcome = Outcome(stuck=stuck, seconds=limit)
        else:
            outcome = Outcome(box.get("value"), box.get("error"), None, box.get("seconds", 0.0))
        outcome.children = self.ctx._children[first_child:]
        outcome.connections = self.ctx._connections[first_conn:]
        for record in outcome.children:
            record.at_return = record.snapshot()
        return outcome

    def start(self, target: Any, *args: Any, barrier: Any = None) -> ChildRecord:
        """Start one guarded child of the check's own (the learner wrote only its target)."""
        try:
            process = self.ctx.make_process(target, args, barrier=barrier)
        except ChildNotImportable as problem:
            raise not_importable(str(problem)) from None
        process.start()
        return self.ctx._children[-1]

    def where_children_wait(self, records: list[ChildRecord]) -> Stuck | None:
        """Where the first of ``records`` that is still running waits, as its guard last said
        (None if none said: a child that never got as far as its target, say)."""
        for record in records:
            record.collect_report()
            if record.report is None and record.waiting and record.waiting[2]:
                return Stuck(*record.waiting)
        return None

    def join(self, records: list[ChildRecord], timeout: float) -> list[ChildRecord]:
        """Join ``records`` within ``timeout`` seconds in total; return those still running."""
        deadline = time.monotonic() + timeout
        for record in records:
            if record.started:
                record.process.join(max(0.0, deadline - time.monotonic()))
        return [r for r in records if r.started and r.process.exitcode is None]

    # Stopping things.

    def stop_child(self, record: ChildRecord) -> None:
        process = record.process
        if not record.started:
            return
        if process.exitcode is None:
            record.stopped_by_check = True
            process.terminate()
            process.join(2.0)
            if process.exitcode is None:
                process.kill()
                process.join(2.0)
        record.collect_report()

    def stop_pools(self) -> None:
        """Terminate every Pool the answer made (each bounded by a few seconds). A Pool whose
        workers are merely killed starts new ones, so it is stopped before its workers."""
        for pool in self.ctx._pools:
            stopper = threading.Thread(target=pool.terminate, name="exercise-check-pool")
            stopper.daemon = True
            stopper.start()
            stopper.join(5.0)

    def unblock(self) -> None:
        """Free a thread stuck in a wait: stop every child, close the pipes it may wait on."""
        self.stop_pools()
        for record in self.ctx._children:
            self.stop_child(record)
        for queue in self.ctx._queues:
            writer = getattr(queue, "_writer", None)
            try:
                if writer is not None:
                    writer.close()
            except OSError:
                pass
        for conn in self.ctx._connections:
            try:
                conn.close()
            except OSError:
                pass
        for manager in self.ctx._managers + self.extra_managers:
            self._shut_down(manager)
        for unblocker in self.unblockers:
            try:
                unblocker()
            except Exception:
                pass

    @staticmethod
    def _shut_down(manager: Any) -> bool:
        """Shut a manager down if it is still running; return whether it was."""
        process = getattr(manager, "_process", None)
        running = process is not None and process.is_alive()
        try:
            if running:
                manager.shutdown()
        except Exception:
            pass
        if process is not None and process.is_alive():
            process.terminate()
            process.join(2.0)
        return running

    def close(self) -> None:
        """Leave nothing behind: children, pipes, queues, managers, segments (never raises)."""
        steps = [
            self.stop_pools,
            self._close_children,
            self._close_channels,
            self._close_managers,
            self._close_strays,
            self._close_segments,
        ]
        for step in steps:
            try:
                step()
            except Exception:
                pass

    def _close_children(self) -> None:
        self.join([r for r in self.ctx._children if r.started], JOIN_GRACE_S)
        for record in self.ctx._children:
            self.stop_child(record)
            record.close_pipes()

    def _close_channels(self) -> None:
        for queue in self.ctx._queues:
            if hasattr(queue, "cancel_join_thread"):
                queue.cancel_join_thread()
            queue.close()
        for conn in self.ctx._connections:
            conn.close()

    def _close_managers(self) -> None:
        for manager in self.ctx._managers + self.extra_managers:
            self._shut_down(manager)

    def _close_strays(self) -> None:
        """Children started some other way (the notebook's own ctx, not the one passed in)."""
        for process in self.stray_children():
            process.terminate()
            process.join(2.0)
            if process.exitcode is None:
                process.kill()
                process.join(2.0)

    def stray_children(self) -> list[Any]:
        known = {r.process.pid for r in self.ctx._children if r.started}
        for manager in self.ctx._managers + self.extra_managers:
            process = getattr(manager, "_process", None)
            if process is not None:
                known.add(process.pid)
        return [
            p
            for p in multiprocessing.active_children()
            if p.pid not in known and p.pid not in self._children_before
        ]

    # Telling the learner what went wrong.

    def children_failures(
        self,
        records: list[ChildRecord],
        child_hints: dict[str, str] | None = None,
        include_killed: bool = True,
    ) -> None:
        """Raise Fail for the first child that failed: still the placeholder, raised an
        exception (``child_hints`` maps an exception's type name to a specific hint), or exited
        with a non-zero code."""
        for record in records:
            record.collect_report()
        for record in records:
            report = record.report
            if report and report[0] == "raised" and report[1] == "NotImplementedError":
                raise Fail(
                    f"{target_name(record.target)} still raises NotImplementedError.",
                    "Replace `raise NotImplementedError()` with your code and run its cell again.",
                )
        for record in records:
            if record.stopped_by_check or not record.started:
                continue
            code = record.process.exitcode
            report = record.report
            if report and report[0] == "raised":
                _, kind, message, place = report
                text = f"{kind}: {message}" if message else kind
                hint = (child_hints or {}).get(kind) or (
                    f"Fix the error in {target_name(record.target)}; the line above says where."
                )
                raise Fail(
                    f"{record.label} exited with code 1: {text}"
                    + (f" ({place})." if place else "."),
                    hint,
                )
            if code is not None and code < 0 and include_killed:
                raise Fail(
                    f"{record.label} was stopped by signal {-code} before it finished.",
                    "A child should finish by itself; stop one only when it is stuck.",
                )
            if code is not None and code > 0:
                raise Fail(
                    f"{record.label} exited with code {code}.",
                    "A child should finish normally (exit code 0).",
                )

    def problems(
        self,
        outcome: Outcome,
        name: str,
        stuck_hints: dict[str, str] | None = None,
        default_stuck_hint: str = "",
        child_hints: dict[str, str] | None = None,
        error_hints: dict[str, str] | None = None,
        check_children: bool = True,
        error_expected: bool = False,
    ) -> None:
        """Raise Fail for what went wrong in one call: an unimportable target, a failed child,
        a deadline that passed, an exception from the learner's own function (unless
        ``error_expected``: then the caller judges the exception)."""
        if self.ctx._problems:
            raise not_importable(self.ctx._problems[0])
        error = outcome.error
        if isinstance(error, NotImplementedError):
            raise Fail(
                f"{name} still raises NotImplementedError.",
                "Replace `raise NotImplementedError()` with your code and run its cell again.",
            )
        if check_children:
            # Children killed by the answer itself (a negative exit code) are judged after its
            # own error: "join_or_fail stopped a stuck child" is about the parent's code.
            self.children_failures(outcome.children, child_hints, include_killed=False)
        if outcome.stuck is not None:
            hints = stuck_hints or {}
            hint = (
                hints.get(outcome.stuck.kind)
                or default_stuck_hint
                or (
                    "Every wait needs a limit: join(timeout), get(timeout=...), poll(timeout) "
                    "before recv()."
                )
            )
            doing = "waiting in" if outcome.stuck.kind else "running, at"
            raise Fail(
                f"after {outcome.seconds:g} s {name} was still {doing} {outcome.stuck.describe()}.",
                hint,
            )
        if error is not None and not error_expected:
            place = where(error.__traceback__)
            message = re.sub(r"\b\w*Process-\d+\b", "a child", exception_message(error))
            text = f"{type(error).__name__}: {message}" if message else type(error).__name__
            hint = (error_hints or {}).get(type(error).__name__) or (
                "Read the error above; the line it names is where to look."
            )
            raise Fail(f"{name} raised {text}" + (f" ({place})." if place else "."), hint)
        if check_children:
            self.children_failures(outcome.children, child_hints)

    def require_tidy(self, outcome: Outcome, name: str) -> None:
        """Fail if the answer returned while a child it started was running or never joined."""
        for record in outcome.children:
            if record.at_return == "running":
                raise Fail(
                    f"{record.label} was still running when {name} returned.",
                    "Join every child you start (with a timeout, e.g. join_or_fail) "
                    "before you return.",
                )
        for record in outcome.children:
            if record.at_return == "finished, never joined":
                raise Fail(
                    f"{record.label} had finished, but {name} never joined it.",
                    "Join every child you start (with a timeout, e.g. join_or_fail) "
                    "before you return.",
                )
        for manager in self.ctx._managers:
            process = getattr(manager, "_process", None)
            if process is not None and process.is_alive():
                raise Fail(
                    f"the manager that {name} started was still running after it returned.",
                    "Use `with ctx.Manager() as manager:` so the manager shuts down at the "
                    "end of the block (join the children inside it).",
                )
        strays = self.stray_children()
        if strays:
            raise Fail(
                f"{name} started {len(strays)} process(es) with another context than the "
                "`ctx` it was given.",
                "Use the ctx parameter (ctx.Process, ctx.Queue, ...), so the check can run "
                "your code under each start method.",
            )

    @staticmethod
    def require_closed(outcome: Outcome, name: str) -> None:
        """Fail if the answer returned with an end of a pipe it made still open."""
        if any(not conn.closed for conn in outcome.connections):
            raise Fail(
                f"{name} returned with an end of its pipe still open.",
                "Close child_end right after start() and parent_end before you return "
                "(a try/finally closes it on every path).",
            )

    # Shared-memory segments made or opened by the answer in this process.

    @contextmanager
    def watch_segments(self) -> Iterator[dict[str, Segment]]:
        """Record every SharedMemory created or attached, and unlinked, in this process."""
        cls = shared_memory.SharedMemory
        original_init, original_unlink = cls.__init__, cls.unlink
        segments = self.segments

        def __init__(
            shm: Any,
            name: str | None = None,
            create: bool = False,
            size: int = 0,
            *args: Any,
            **kwargs: Any,
        ) -> None:
            original_init(shm, name, create, size, *args, **kwargs)
            record = segments.setdefault(shm.name, Segment(shm.name, shm.size, bool(create)))
            record.created = record.created or bool(create)

        def unlink(shm: Any) -> None:
            original_unlink(shm)
            if shm.name in segments:
                segments[shm.name].unlinked = True

        cls.__init__, cls.unlink = __init__, unlink
        try:
            yield segments
        finally:
            cls.__init__, cls.unlink = original_init, original_unlink

    @staticmethod
    def remove_segment(name: str) -> bool:
        """Unlink the segment ``name`` if it still exists; return whether it did."""
        try:
            shm = shared_memory.SharedMemory(name=name)
        except (FileNotFoundError, ValueError, OSError):
            return False
        shm.close()
        try:
            shm.unlink()
        except FileNotFoundError:
            pass
        return os.name != "nt"  # on Windows a segment goes with its last handle: no unlink needed

    def _close_segments(self) -> None:
        for name in list(self.segments) + self.owned_segments:
            self.remove_segment(name)


def still_running(
    s: Session, alive: list[ChildRecord], total: int, lock_name: str, lock_expr: str
) -> tuple[str, str]:
    """What a check says of children still running at its deadline (what it saw, and the
    hint): where they wait, from their guards' reports, and a hint that follows from there.
    ``lock_name`` and ``lock_expr`` name the lock the exercise hands them ("the lock", "lock")."""
    saw = f"{len(alive)} of {total} children were still running after {s.deadline:g} s"
    take_it = f"Take it with `with {lock_expr}:`, which always releases it."
    stuck = s.where_children_wait(alive)
    if stuck is None:
        return f"{saw}.", f"Is a child waiting for {lock_name}, never released? {take_it}"
    saw = f"{saw}, waiting in {stuck.describe()}."
    if stuck.kind == "acquire":
        return saw, (
            f"They wait for {lock_name}, which a child took and never released: only "
            "release(), or the end of a `with` block, lets go of a lock (not the next turn of "
            f"a loop, nor the end of the process that holds it). {take_it}"
        )
    return saw, "A child should finish by itself: that line never returns."


def short(value: Any) -> str:
    """A short description of a value for feedback: its type and a clipped repr."""
    return describe(value)


def same_items(got: list[Any], expected: list[Any]) -> bool:
    """Whether ``got`` holds the items of ``expected`` in some order (False if they don't sort)."""
    try:
        return sorted(got) == sorted(expected)
    except TypeError:
        return False


def messages_until_eof(conn: Any, seconds: float) -> tuple[list[Any], bool]:
    """Every message on ``conn`` until end of file; (messages, reached the end in time).

    A message that cannot be unpickled (or raw bytes) is kept as the exception it raised.
    """
    messages: list[Any] = []
    deadline = time.monotonic() + seconds
    while True:
        if not conn.poll(max(0.0, deadline - time.monotonic())):
            return messages, False
        try:
            messages.append(conn.recv())
        except EOFError:
            return messages, True
        except Exception as error:
            messages.append(error)
