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
"""

from __future__ import annotations

import importlib
import importlib.util
import keyword
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

__all__ = ["load_ipython_extension", "module_folder", "remove_child_modules", "save_module"]

_FOLDER: Path | None = None
_SAVED: set[str] = set()


class ModuleNameError(ValueError):
    """The name given to a child module cannot be used."""


def module_folder(create: bool = True) -> Path | None:
    """The folder this process saves child modules in (made, and put on sys.path, on first use)."""
    global _FOLDER
    if _FOLDER is None or not _FOLDER.is_dir():
        if not create:
            return None
        _FOLDER = Path(tempfile.mkdtemp(prefix="process-returns-modules-"))
    folder = str(_FOLDER)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return _FOLDER


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
