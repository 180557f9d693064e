"""A throwaway JupyterLab server for the browser test, and the Chromium that looks at it.

Everything lives in one temporary folder: a copy of the notebooks (outputs cleared, so what
the page shows was made by this run and the committed notebooks are never touched), and
Jupyter's config, data and settings folders, so nothing from the user's own Jupyter setup
leaks in and nothing is left behind. Jupyter's runtime folder is a second, short-named one
under /tmp, removed when the server stops. Every wait here is bounded.

Where the platform has them, the server talks to its kernels over Unix sockets, not TCP: two
servers starting kernels at the same moment can pick the same free port, and the loser's
kernel then fails to bind and is restarted until it wins (a notebook took 70 s to open so).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat

from helpers.context import START_METHOD_VARIABLE

SERVER_START_TIMEOUT_S = 90
SERVER_STOP_TIMEOUT_S = 15
# This machine has no network but localhost: these flags keep Chromium from trying to reach
# anything else (the user data folder is a new, empty one, given by the caller).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# JupyterLab settings for the test only: every cell attached to the page (so the DOM holds
# every output), no news or update checks (no network, no pop-ups over the notebook).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_notebooks_cleared(source: Path, target: Path) -> list[Path]:
    """Copy the notebooks folder (with any data files beside the notebooks), clearing every
    notebook's outputs and execution counts; return the copied notebooks."""
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"), dirs_exist_ok=True
    )
    copies = sorted(target.glob("*.ipynb"))
    for path in copies:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nbformat.write(nb, path)
    return copies


class LabServer:
    """``jupyter lab`` on 127.0.0.1, a free port and a random token, in its own session."""

    def __init__(self, workdir: Path, notebooks: Path, log_path: Path) -> None:
        self.workdir = workdir
        self.notebooks = notebooks
        self.log_path = log_path
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None
        self._log = None
        # Socket paths are limited to about 100 bytes and the kernels' are named after their
        # 36-character ids, so the runtime folder (where they live) sits right under /tmp.
        self.kernel_sockets = os.name == "posix"
        self.runtime = Path(
            tempfile.mkdtemp(prefix="lab-", dir="/tmp" if self.kernel_sockets else None)
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = os.environ.copy()
        for name, folder in {
            "JUPYTER_CONFIG_DIR": "config",
            "JUPYTER_DATA_DIR": "data",
            "JUPYTERLAB_SETTINGS_DIR": "settings",
            "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
            "IPYTHONDIR": "ipython",
        }.items():
            path = self.workdir / folder
            path.mkdir(parents=True, exist_ok=True)
            env[name] = str(path)
        env["JUPYTER_RUNTIME_DIR"] = str(self.runtime)
        env[START_METHOD_VARIABLE] = "spawn"  # the kernels inherit the server's environment
        env.pop("MPLBACKEND", None)
        env.pop("JUPYTER_TOKEN", None)
        return env

    def write_settings(self) -> None:
        for relative, values in LAB_SETTINGS.items():
            path = self.workdir / "settings" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))

    def start(self, attempts: int = 3) -> None:
        """Start the server and wait until it answers; a port taken meanwhile means another try."""
        env = self.environment()
        self.write_settings()
        for attempt in range(attempts):
            if self._start_once(env):
                return
            if "already in use" not in self.log_tail() or attempt == attempts - 1:
                raise RuntimeError(
                    f"jupyter lab exited with {self.process.returncode}; log:\n{self.log_tail()}"
                )
            self._log.close()
            self.port = free_port()

    def _start_once(self, env: dict[str, str]) -> bool:
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--ServerApp.root_dir={self.notebooks}",
            f"--IdentityProvider.token={self.token}",
            # A backstop: a server left behind by a killed test run ends by itself.
            "--ServerApp.shutdown_no_activity_timeout=600",
            # No look-ups of extensions on a package index.
            "--LabApp.extension_manager=readonly",
        ]
        if self.kernel_sockets:
            command.append("--KernelManager.transport=ipc")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # CI containers run as root
        self._log = open(self.log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=self.notebooks,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=(os.name == "posix"),
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.api("GET", "/api/status", timeout=2)
                return True
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise RuntimeError(
            f"jupyter lab did not answer within {SERVER_START_TIMEOUT_S} s; log:\n{self.log_tail()}"
        )

    def api(self, method: str, path: str, timeout: float = 10):
        request = urllib.request.Request(
            self.base_url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernels(self) -> list[dict]:
        return self.api("GET", "/api/kernels")

    def shut_down_all_kernels(self) -> None:
        """The backstop after each notebook: whatever the page did, no kernel stays up."""
        try:
            kernels = self.kernels()
        except (OSError, urllib.error.URLError, ValueError):
            return  # the server is gone, and its kernels with it (stop() ends the group)
        for kernel in kernels:
            try:
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=20)
            except (OSError, urllib.error.URLError):
                pass

    def stop(self) -> None:
        """Ask the server to stop, then end its whole process group (kernels, their children)."""
        try:
            if self.process is None:
                return  # never started; the runtime folder still goes
            if self.process.poll() is None:
                try:
                    self.api("POST", "/api/shutdown", timeout=5)
                except (OSError, urllib.error.URLError):
                    pass
                try:
                    self.process.wait(timeout=SERVER_STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    pass
            self._kill_group()
        finally:
            if self._log is not None:
                self._log.close()
            shutil.rmtree(self.runtime, ignore_errors=True)

    def _kill_group(self) -> None:
        if os.name == "posix":
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                time.sleep(0.5)
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass

    def log_tail(self, lines: int = 40) -> str:
        if self._log is not None and not self._log.closed:
            self._log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
