"""The exercises' module folders never pile up: a kernel that ends before remove_child_modules(),
however it ends, leaves none behind, and old ones of kernels long gone are swept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from helpers.exercises import (
    FOLDER_PREFIX,
    JANITOR,
    OWNER_FILE,
    STALE_AFTER_S,
    remove_stale_folders,
)
from tests.notebook_matrix import CourseKernel

GONE_WITHIN_S = 10

SAVE_THEN_DIE = """
import os, signal, sys
from helpers.exercises import module_folder, save_module
save_module("exercise_test_orphan", "X = 1\\n", quiet=True)
print(module_folder(), flush=True)
sys.stdin.readline()  # the test has read the path
os.kill(os.getpid(), signal.SIGKILL) if hasattr(signal, "SIGKILL") else os._exit(1)
"""


def wait_until_gone(folder: Path) -> bool:
    deadline = time.monotonic() + GONE_WITHIN_S
    while folder.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_process_killed_before_removing_its_modules_leaves_no_folder():
    process = subprocess.Popen(
        [sys.executable, "-c", SAVE_THEN_DIE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        folder = Path(process.stdout.readline().strip())
        assert folder.name.startswith(FOLDER_PREFIX) and folder.is_dir()
        assert (folder / "exercise_test_orphan.py").exists()
        process.stdin.write("\n")
        process.stdin.flush()
        process.wait(timeout=30)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode != 0  # it died: no exit handler ran
    assert wait_until_gone(folder), f"{folder} still there {GONE_WITHIN_S} s after its owner died"


def test_a_kernel_stopped_halfway_through_the_exercises_leaves_no_folder(tmp_path):
    """What happens when a learner closes a notebook before its last cell: the kernel is killed
    (here outright, as Jupyter does when a kernel does not stop in time)."""
    with tempfile.TemporaryFile(mode="w+") as stderr:
        kernel = CourseKernel(str(tmp_path), os.environ.copy(), stderr)
        try:
            for code in (
                "%load_ext helpers.exercises",
                "%%child_module exercise_test_halfway\ndef f():\n    return 1\n",
            ):
                reply = kernel.kc.execute_interactive(
                    code, timeout=60, output_hook=lambda msg: None
                )
                assert reply["content"]["status"] == "ok", code
            said = []
            kernel.kc.execute_interactive(
                "from helpers.exercises import module_folder; print(module_folder())",
                timeout=60,
                output_hook=lambda msg: said.append(msg["content"].get("text", "")),
            )
            folder = Path("".join(said).strip())
            assert folder.name.startswith(FOLDER_PREFIX) and folder.is_dir()
        finally:
            kernel.kc.stop_channels()
            kernel.km.shutdown_kernel(now=True)
    assert wait_until_gone(folder), f"{folder} still there {GONE_WITHIN_S} s after the kernel"


@pytest.fixture
def temporary_folders():
    made: list[Path] = []

    def make(owner: str | None, age_s: float = 0) -> Path:
        folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        made.append(folder)
        if owner is not None:
            (folder / OWNER_FILE).write_text(owner)
        if age_s:
            then = time.time() - age_s
            os.utime(folder, (then, then))
        return folder

    yield make
    for folder in made:
        if folder.exists():
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()


def dead_pid() -> str:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=30)
    return str(process.pid)


@pytest.mark.skipif(os.name != "posix", reason="owners are asked with os.kill(pid, 0) on POSIX")
def test_folders_of_owners_that_are_gone_are_swept_and_live_ones_kept(temporary_folders):
    orphan = temporary_folders(owner=dead_pid())
    alive = temporary_folders(owner=str(os.getpid()), age_s=3 * STALE_AFTER_S)
    removed = remove_stale_folders()
    # Not "orphan in removed": another pytest worker's sweep may have been first.
    assert not orphan.exists()
    assert alive.exists() and alive not in removed


def test_folders_without_an_owner_are_swept_only_when_old(temporary_folders):
    old = temporary_folders(owner=None, age_s=STALE_AFTER_S + 3600)
    recent = temporary_folders(owner=None, age_s=STALE_AFTER_S - 3600)
    removed = remove_stale_folders()
    assert not old.exists()
    assert recent.exists() and recent not in removed


def catches_sigterm(pid: int) -> bool:
    """Linux lists the signals a process has handlers for in /proc/PID/status (SigCgt)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_the_janitor_removes_the_folder_when_it_is_told_to_stop(tmp_path):
    """ipykernel ends a kernel's children with SIGINT, then SIGTERM, as it shuts down."""
    folder = tmp_path / "modules"
    folder.mkdir()
    janitor = subprocess.Popen(
        [sys.executable, "-I", str(JANITOR), str(folder)], stdin=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while not catches_sigterm(janitor.pid):  # past its start, into the wait
            assert time.monotonic() < deadline, "the janitor never got to its wait"
            time.sleep(0.02)
        janitor.send_signal(signal.SIGTERM)
        assert janitor.wait(timeout=30) == 0
    finally:
        janitor.kill()
        janitor.wait(timeout=30)
    assert not folder.exists()
