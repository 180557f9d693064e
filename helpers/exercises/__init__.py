"""Where a learner's child code goes: a module that every child process can import.

A child started with spawn or forkserver finds its target function by *importing* it, so a
function typed into a notebook (module ``__main__``) cannot run there (00-start-here, section 5).
The exercises therefore have learners write child code into a small module:

    %load_ext helpers.exercises          # once, in the exercises' setup cell

    %%child_module exercise_03_1         # a cell: saved as exercise_03_1.py and imported
    def slow_square(results, index, x, delay):
        ...

The module is written into one temporary folder per kernel, put at the front of ``sys.path``.
Spawned and forkserver children receive the parent's ``sys.path`` when they start, and forked
children inherit the parent's loaded modules, so every start method finds the same code. The
cell prints one fixed line (unlike ``%%writefile``, whose "Writing"/"Overwriting" depends on
whether the file was there before), and ``remove_child_modules()`` deletes the folder at the
end, so nothing is left in the course's tree.

A run stopped before that cell leaves nothing behind either. A small janitor process
(``janitor.py`` here) removes the folder as soon as the kernel has gone, however it
ended, and each new folder's creation first removes any left by kernels that are no longer
running (named in the folder's ``owner.pid``; where that cannot be checked, folders older than
two days).
"""

from __future__ import annotations

import importlib
import importlib.util
import keyword
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

__all__ = [
    "load_ipython_extension",
    "module_folder",
    "remove_child_modules",
    "remove_stale_folders",
    "save_module",
]

FOLDER_PREFIX = "process-returns-modules-"
OWNER_FILE = "owner.pid"
STALE_AFTER_S = 2 * 24 * 3600
"""A folder whose owner cannot be asked (no owner.pid, or not POSIX) is stale after this."""

JANITOR = Path(__file__).with_name("janitor.py")

_FOLDER: Path | None = None
_JANITOR: subprocess.Popen | None = None
_SAVED: set[str] = set()


class ModuleNameError(ValueError):
    """The name given to a child module cannot be used."""


def module_folder(create: bool = True) -> Path | None:
    """The folder this process saves child modules in (made, and put on sys.path, on first use)."""
    global _FOLDER
    if _FOLDER is None or not _FOLDER.is_dir():
        if not create:
            return None
        remove_stale_folders()
        _FOLDER = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        (_FOLDER / OWNER_FILE).write_text(str(os.getpid()), encoding="ascii")
        _start_janitor(_FOLDER)
    folder = str(_FOLDER)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return _FOLDER


def _start_janitor(folder: Path) -> None:
    """Start the process that removes ``folder`` once this one (and its forked children) end.

    Its standard input is a pipe whose writing end only this process holds; spawned children
    do not inherit it. If it cannot start, the next new folder's sweep cleans up instead."""
    global _JANITOR
    _stop_janitor()
    if not sys.executable:
        return
    try:
        _JANITOR = subprocess.Popen(
            # By path, in isolated mode: it needs only the standard library, wherever the
            # course's package is importable from.
            [sys.executable, "-I", str(JANITOR), str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=(os.name == "posix"),  # out of reach of the kernel's interrupts
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # Windows: no console
        )
    except OSError:
        _JANITOR = None


def _stop_janitor() -> None:
    """Close the janitor's pipe: it removes the folder (if still there) and exits."""
    global _JANITOR
    janitor, _JANITOR = _JANITOR, None
    if janitor is None:
        return
    janitor.stdin.close()
    try:
        janitor.wait(timeout=1)  # a forked child still holding the pipe keeps it waiting
    except subprocess.TimeoutExpired:
        pass


def _owner_is_gone(folder: Path) -> bool:
    try:
        pid = int((folder / OWNER_FILE).read_text(encoding="ascii"))
    except (OSError, ValueError):
        pid = None
    if pid is not None and os.name == "posix":
        try:
            os.kill(pid, 0)  # signal 0 only asks whether the process exists
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # it exists, and belongs to someone else
        return False
    try:
        return time.time() - folder.stat().st_mtime > STALE_AFTER_S
    except OSError:
        return False


def remove_stale_folders() -> list[Path]:
    """Remove the child-module folders of kernels that are no longer running; return them."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(FOLDER_PREFIX + "*"):
        if folder != _FOLDER and folder.is_dir() and _owner_is_gone(folder):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
    return removed


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ModuleNameError(
            f"{name!r} is not a valid module name: use letters, digits and _, e.g. exercise_03_1"
        )
    folder = module_folder(create=False)
    loaded = sys.modules.get(name)
    if loaded is not None and name not in _SAVED:
        raise ModuleNameError(
            f"{name!r} is already the name of an imported module; "
            "choose another, e.g. exercise_03_1"
        )
    if loaded is None and name not in _SAVED:
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin).parent if spec is not None and spec.origin else None
        if spec is not None and (folder is None or origin != folder):
            raise ModuleNameError(
                f"{name!r} is already the name of an importable module; choose another, "
                "e.g. exercise_03_1"
            )


def save_module(name: str, source: str, *, quiet: bool = False) -> ModuleType | None:
    """Save ``source`` as ``<name>.py`` where children can import it, import it fresh, return it.

    Prints one fixed line (unless ``quiet``). If the source does not compile or raises while
    being imported, says so in one line and returns None instead of raising.
    """
    _check_name(name)
    if not isinstance(source, str):
        raise TypeError(f"source must be a string of Python code, not {type(source).__name__}")
    folder = module_folder()
    assert folder is not None
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    _SAVED.add(name)
    # A child may have cached bytecode of an earlier version written in the same second.
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)
    importlib.invalidate_caches()
    sys.modules.pop(name, None)
    try:
        module = importlib.import_module(name)
    except SyntaxError as error:
        print(
            f"{name}.py has a syntax error on line {error.lineno}: {error.msg}. "
            "Fix it and run the cell again."
        )
        return None
    except Exception as error:  # the learner's module raised while being imported
        print(
            f"Importing {name} raised {type(error).__name__}: {error}. "
            "Fix it and run the cell again."
        )
        return None
    if not quiet:
        print(f"Saved {name}.py and imported it as {name}; child processes can import it too.")
    return module


def remove_child_modules() -> None:
    """Delete the folder of saved child modules and forget the modules (prints one line)."""
    global _FOLDER
    if _FOLDER is not None:
        folder = str(_FOLDER)
        shutil.rmtree(_FOLDER, ignore_errors=True)
        while folder in sys.path:
            sys.path.remove(folder)
    _stop_janitor()
    for name in _SAVED:
        sys.modules.pop(name, None)
    _SAVED.clear()
    _FOLDER = None
    importlib.invalidate_caches()
    print("Removed the exercise modules' folder.")


def _child_module_magic(line: str, cell: str) -> None:
    """%%child_module NAME: save this cell as NAME.py where child processes can import it."""
    from IPython import get_ipython
    from IPython.core.error import UsageError

    name = line.strip()
    if not name:
        raise UsageError("%%child_module needs a module name, e.g. %%child_module exercise_03_1")
    try:
        module = save_module(name, cell)
    except ModuleNameError as error:
        raise UsageError(str(error)) from None
    shell = get_ipython()
    if module is not None and shell is not None:
        shell.user_ns[name] = module


def load_ipython_extension(ipython) -> None:
    """``%load_ext helpers.exercises`` registers the ``%%child_module`` cell magic."""
    ipython.register_magic_function(
        _child_module_magic, magic_kind="cell", magic_name="child_module"
    )
