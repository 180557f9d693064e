"""pytest plugin: every notebook under notebooks/, executed by strict nbval once per start method.

Notebooks are found by glob, so a new one is tested the moment it exists. Each run gets a
fresh kernel with ``MP_START_METHOD`` set; after the last cell the run fails if the kernel
left a child process behind, or if its stderr (where spawned children print their
tracebacks, and where the resource tracker reports leaked segments) shows a problem.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from jupyter_client.manager import KernelManager
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager, RunningKernel
from nbval.plugin import IPyNbFile

from helpers.context import START_METHOD_VARIABLE, START_METHODS
from helpers.exercises import FOLDER_PREFIX as JANITOR_MARK  # the janitor's folder argument

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
SANITIZE_FILE = ROOT / "tests" / "nbval-sanitize.cfg"
CELL_TIMEOUT_S = 120
# Children write to the kernel's file descriptors. ipykernel can copy those writes into the
# running cell, but only as they happen to arrive, which makes outputs race; we keep them
# out of cells and read them from the kernel's stderr instead.
KERNEL_ARGUMENTS = ["--IPKernelApp.capture_fd_output=False"]
LEFTOVER_GRACE_S = 3.0
SHM_DIR = Path("/dev/shm")
SHM_PREFIX = "psm_"  # multiprocessing.shared_memory names its segments so on POSIX

# What a notebook's kernel may write to stderr only if the notebook says it expects it.
# (The last line of a traceback names the exception; the tracker's leak report says "leaked".)
PROBLEM_LINE = re.compile(r"^((\w+\.)*\w*(Error|Exception|Warning)\b.*|.*leaked.*)$")
# ipykernel exits without running atexit handlers, so the locks and queues still referenced
# by a notebook's last cell are reclaimed by the resource tracker, which calls them
# "leaked semaphore objects". That is the kernel's exit path, not a leak in the notebook.
BENIGN_LINE = re.compile(r"leaked semaphore objects|warnings\.warn\('resource_tracker")


def notebook_paths() -> list[Path]:
    """Every course notebook, in reading order."""
    return sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb"))


def required_python(nb_metadata: dict) -> tuple[int, int] | None:
    """The oldest Python a notebook runs on, from ``process_returns.requires_python`` ("3.14")."""
    wanted = nb_metadata.get("process_returns", {}).get("requires_python")
    if not wanted:
        return None
    major, minor = (int(part) for part in str(wanted).split(".")[:2])
    return major, minor


def needs_newer_python(
    what: str, wanted: tuple[int, int] | None, version: tuple = sys.version_info
) -> str | None:
    """Why this Python cannot run ``what``, which needs ``wanted`` or newer (None if it can)."""
    if wanted is None or tuple(version[:2]) >= wanted:
        return None
    return f"{what} needs Python {wanted[0]}.{wanted[1]}+ (this is {version[0]}.{version[1]})"


def python_too_old(name: str, nb_metadata: dict, version: tuple = sys.version_info) -> str | None:
    """Why this Python cannot run notebook ``name`` (None if it can)."""
    return needs_newer_python(name, required_python(nb_metadata), version)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cell-timeout",
        type=float,
        default=CELL_TIMEOUT_S,
        help=f"seconds one notebook cell may run before it fails (default {CELL_TIMEOUT_S})",
    )
    parser.addoption(
        "--start-methods",
        default=",".join(m for m in START_METHODS if m in multiprocessing.get_all_start_methods()),
        help="comma-separated start methods to run every notebook under (default: all available)",
    )


def selected_start_methods(config: pytest.Config) -> list[str]:
    methods = [m.strip() for m in config.getoption("--start-methods").split(",") if m.strip()]
    unknown = [m for m in methods if m not in START_METHODS]
    if unknown or not methods:
        raise pytest.UsageError(
            f"--start-methods: {', '.join(unknown) or 'nothing given'} is not allowed; "
            f"use a comma-separated list of {', '.join(START_METHODS)}"
        )
    return methods


def pytest_configure(config: pytest.Config) -> None:
    # One kernel runs a notebook's cells in order, so they must stay in one worker; loadscope
    # keeps each "notebook::method" run whole. (loadgroup's marks are ignored with pytest 9.2.)
    dist = getattr(config.option, "dist", "no")
    notebooks_asked = not config.args or any(
        arg.endswith(".ipynb") or Path(arg.split("::")[0]).resolve() in (ROOT, NOTEBOOK_DIR)
        for arg in config.args
    )
    if dist not in ("no", "loadscope") and notebooks_asked:
        raise pytest.UsageError(
            f"--dist {dist} would split a notebook's cells between workers; use --dist loadscope"
        )
    if config.option.nbval or config.option.nbval_lax:
        raise pytest.UsageError(
            "drop --nbval/--nbval-lax: the course runs every notebook strictly, "
            "once per start method"
        )
    selected_start_methods(config)
    config.option.nbval_sanitize_with = str(SANITIZE_FILE)
    if config.getoption("--cell-timeout") <= 0:
        raise pytest.UsageError("--cell-timeout must be a positive number of seconds")
    config.option.nbval_cell_timeout = config.getoption("--cell-timeout")


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config._shm_before = shm_entries()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Segments the resource tracker did not know of (``track=False``) outlive every kernel.

    Checked once for the whole run: while notebooks run in parallel, a segment in transit
    between two processes is mapped by neither, so a per-notebook check would blame the
    wrong one. Leaks the tracker saw are already reported per notebook.
    """
    if hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker: the controller checks once for all
    leaked = leaked_shm(session.config._shm_before)
    if leaked:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "shared-memory segments left in /dev/shm by this run: " + ", ".join(leaked)
        if reporter:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    # Any notebooks/ folder counts, so the runner's own tests can try it on notebooks they make.
    if file_path.suffix == ".ipynb" and file_path.parent.name == NOTEBOOK_DIR.name:
        return CourseNotebook.from_parent(parent, path=file_path)
    return None


class CourseNotebook(pytest.File):
    """One notebook: collects one strict nbval run per start method."""

    def collect(self):
        for method in selected_start_methods(self.config):
            yield NotebookRun.from_parent(
                self, path=self.path, name=method, nodeid=f"{self.nodeid}::{method}"
            )


class CourseKernel(RunningKernel):
    """nbval's kernel, but started with our environment and its stderr kept in a file.

    Where the platform has them, kernels talk over Unix sockets, not TCP: TCP ports are picked
    free and then bound by the kernel, and with kernels starting in parallel two can pick the
    same port, so one dies before it replies (seen once in ten stress runs).
    """

    def __init__(self, cwd: str, env: dict[str, str], stderr) -> None:
        sockets = {}
        if os.name != "nt":  # an absolute path: the kernel runs in the notebook's folder
            self.socket_dir = tempfile.TemporaryDirectory(prefix="kernel-")
            sockets = {"transport": "ipc", "ip": os.path.join(self.socket_dir.name, "k")}
        self.km = KernelManager(
            kernel_name=CURRENT_ENV_KERNEL_NAME,
            kernel_spec_manager=NbvalKernelspecManager(),
            **sockets,
        )
        self.km.start_kernel(extra_arguments=KERNEL_ARGUMENTS, stderr=stderr, cwd=cwd, env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=60)
        except RuntimeError:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=True)
            stderr.seek(0)
            raise RuntimeError(
                f"the kernel did not start; its stderr:\n{stderr.read()[-2000:]}"
            ) from None
        self._ensure_iopub_up()

    @property
    def pid(self) -> int | None:
        return getattr(self.km.provisioner, "pid", None)


class NotebookRun(IPyNbFile):
    """A strict nbval run of one notebook under one start method."""

    def setup(self) -> None:
        self.kernel = None
        self.stderr_log = None
        too_old = python_too_old(self.path.name, self.nb.metadata)
        if too_old:
            pytest.skip(too_old)
        env = os.environ.copy()
        env[START_METHOD_VARIABLE] = self.name
        env["PYTHONWARNINGS"] = "default::ResourceWarning"
        env.pop("MPLBACKEND", None)
        self.stderr_log = tempfile.TemporaryFile(mode="w+", prefix="kernel-stderr-")
        self.kernel = CourseKernel(str(self.path.parent), env, self.stderr_log)
        self.setup_sanitize_files()

    def teardown(self) -> None:
        if self.stderr_log is None:
            return  # skipped before a kernel started
        kernel_pid = self.kernel.pid if self.kernel is not None else None
        problems = leftover_processes(kernel_pid) if kernel_pid else []
        helpers_alive = helper_processes(kernel_pid) if kernel_pid else []
        if self.kernel is not None and self.kernel.is_alive():
            # End the kernel alone (nbval kills its whole process group), so the resource
            # tracker outlives it and reports any shared memory it was left holding. ipykernel's
            # own shutdown skips exit handlers too, and takes seconds longer.
            self.kernel.kc.execute("import os; os._exit(0)", store_history=False)
            try:
                psutil.Process(kernel_pid).wait(timeout=10)
            except psutil.Error:
                pass
            wait_until_ended(helpers_alive, timeout=10)  # the tracker reports leaks as it exits
            self.kernel.kc.stop_channels()
            self.kernel.km.shutdown_kernel(now=True)
        problems += unexpected_stderr(self.stderr_log, self.allowed_stderr())
        self.stderr_log.close()
        if problems:
            pytest.fail(
                f"{self.path.name} under {self.name}:\n  " + "\n  ".join(problems), pytrace=False
            )

    def allowed_stderr(self) -> list[re.Pattern]:
        """Regexes of stderr lines this notebook produces on purpose (notebook metadata)."""
        wanted = self.nb.metadata.get("process_returns", {}).get("expected_stderr", [])
        return [re.compile(p) for p in wanted]


def _is_infrastructure(proc: psutil.Process, kernel_pid: int) -> bool:
    """The resource tracker, the forkserver and the janitor of the exercises' module folder
    live as long as the kernel: not leaks."""
    try:
        cmd = " ".join(proc.cmdline())
        parent = proc.ppid()
    except psutil.Error:
        return True
    if "resource_tracker" in cmd or ("janitor.py" in cmd and JANITOR_MARK in cmd):
        return True
    return "forkserver" in cmd and parent == kernel_pid


def helper_processes(kernel_pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(kernel_pid).children(recursive=True)
    except psutil.Error:
        return []
    return [p for p in children if _is_infrastructure(p, kernel_pid)]


def wait_until_ended(procs: list[psutil.Process], timeout: float) -> None:
    """Wait until every process has exited. Orphaned by the kernel, they are reaped by init,
    which in a container may take a second or more: a zombie has ended, so it counts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = []
        for proc in procs:
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    running.append(proc)
            except psutil.Error:
                pass
        if not running:
            return
        procs = running
        time.sleep(0.02)


def leftover_processes(kernel_pid: int) -> list[str]:
    """Children of the kernel still there after the last cell (given a moment to exit)."""
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    while True:
        try:
            children = psutil.Process(kernel_pid).children(recursive=True)
        except psutil.Error:
            return []
        left = [p for p in children if not _is_infrastructure(p, kernel_pid)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    found = []
    for proc in left:
        try:
            state = (
                "never joined (zombie)"
                if proc.status() == psutil.STATUS_ZOMBIE
                else "still running"
            )
            found.append(
                f"child process left behind: pid {proc.pid}, {state}: "
                + " ".join(proc.cmdline())[:120]
            )
        except psutil.Error:
            continue
    return found


def shm_entries() -> set[str]:
    """Python's shared-memory segments in /dev/shm (Linux). Named semaphores are left to the
    resource tracker: their mappings do not show their names, so "in use" cannot be told."""
    return {p.name for p in SHM_DIR.glob(f"{SHM_PREFIX}*")} if SHM_DIR.is_dir() else set()


def mapped_shm_names() -> set[str]:
    """/dev/shm entries some process on this machine still has mapped (so still in use)."""
    names = set()
    for maps in Path("/proc").glob("[0-9]*/maps"):
        try:
            text = maps.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            start = line.find("/dev/shm/")
            if start >= 0:
                names.add(line[start + len("/dev/shm/") :].split(" ")[0])
    return names


def leaked_shm(before: set[str]) -> list[str]:
    """New /dev/shm segments that no process uses any more."""
    new = shm_entries() - before
    if not new:
        return []
    time.sleep(1.0)
    return sorted((new & shm_entries()) - mapped_shm_names())


def unexpected_stderr(log, allowed: list[re.Pattern]) -> list[str]:
    """Lines on the kernel's stderr that report a failing child, a warning or a leak."""
    log.flush()
    log.seek(0)
    problems = []
    for line in log.read().splitlines():
        text = line.strip()
        if BENIGN_LINE.search(text) or any(p.search(text) for p in allowed):
            continue
        if PROBLEM_LINE.match(text):
            problems.append(f"stderr: {text[:200]}")
    return problems
