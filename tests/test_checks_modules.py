"""helpers.exercises: child code saved as a module that this process and every child can import,
saved again after an edit, refused under a name that would shadow a real module, and removed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from helpers import get_context, join_or_fail
from helpers.exercises import ModuleNameError, module_folder, remove_child_modules, save_module
from tests.test_context import AVAILABLE


def value_from_child(method: str, module) -> float:
    ctx = get_context(method)
    out = ctx.Value("d", 0.0)
    child = ctx.Process(target=module.store, args=(out,))
    child.start()
    join_or_fail(child, timeout=30)
    return out.value


def test_save_module_prints_one_fixed_line_every_time(capsys):
    for _ in range(2):
        module = save_module("exercise_test_fixed", "ANSWER = 42\n")
        assert module.ANSWER == 42
        assert capsys.readouterr().out == (
            "Saved exercise_test_fixed.py and imported it as exercise_test_fixed; "
            "child processes can import it too.\n"
        )


@pytest.mark.parametrize("method", AVAILABLE)
def test_children_run_the_latest_version_under_every_start_method(method):
    for version in (1.0, 2.0):
        module = save_module(
            "exercise_test_versions", f"def store(out):\n    out.value = {version}\n", quiet=True
        )
        assert value_from_child(method, module) == version


def test_the_folder_is_on_sys_path_and_outside_the_repository():
    save_module("exercise_test_where", "X = 1\n", quiet=True)
    folder = module_folder()
    assert str(folder) in sys.path
    root = Path(__file__).resolve().parent.parent
    assert root not in folder.resolve().parents
    assert (folder / "exercise_test_where.py").read_text() == "X = 1\n"


@pytest.mark.parametrize("name", ["queue", "json", "helpers", "class", "3d", "with space", ""])
def test_names_that_would_shadow_a_module_or_are_not_identifiers_are_refused(name):
    with pytest.raises(ModuleNameError):
        save_module(name, "X = 1\n", quiet=True)


def test_a_syntax_error_is_one_line_and_no_module(capsys):
    assert save_module("exercise_test_syntax", "def f(:\n    pass\n") is None
    assert capsys.readouterr().out.startswith(
        "exercise_test_syntax.py has a syntax error on line 1:"
    )


def test_an_error_while_importing_is_one_line_and_no_module(capsys):
    assert save_module("exercise_test_raises", "raise KeyError('x')\n") is None
    assert capsys.readouterr().out == (
        "Importing exercise_test_raises raised KeyError: 'x'. Fix it and run the cell again.\n"
    )


def test_remove_child_modules_deletes_the_folder_and_forgets_the_modules(capsys):
    save_module("exercise_test_gone", "X = 1\n", quiet=True)
    folder = module_folder()
    remove_child_modules()
    assert capsys.readouterr().out == "Removed the exercise modules' folder.\n"
    assert not folder.exists()
    assert str(folder) not in sys.path
    assert "exercise_test_gone" not in sys.modules
    assert save_module("exercise_test_gone", "X = 2\n", quiet=True).X == 2  # comes back


def test_the_child_module_cell_magic():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "helpers.exercises")
    result = shell.run_cell("%%child_module exercise_test_magic\ndef seven():\n    return 7\n")
    assert result.success
    assert shell.user_ns["exercise_test_magic"].seven() == 7
    missing_name = shell.run_cell("%%child_module\nX = 1\n")
    assert not missing_name.success
    shadowing = shell.run_cell("%%child_module queue\nX = 1\n")
    assert not shadowing.success
