"""Parent-side helpers of 00-start-here: set-up check, running a script, showing source."""

import multiprocessing
import sys

import pytest

from helpers.scripts import last_line, run_python
from helpers.setup_check import check_setup, setup_problems
from helpers.show import show_source
from helpers.tasks import basics


def test_this_environment_is_ready(capsys):
    assert setup_problems() == []
    assert check_setup() is True
    assert "✓ Python 3.11 or newer" in capsys.readouterr().out


def test_a_missing_package_is_reported_with_what_to_do(monkeypatch):
    monkeypatch.setattr("helpers.setup_check.COURSE_PACKAGES", ("matplotlib", "no_such_package_x"))
    problems = setup_problems()
    assert len(problems) == 1
    assert "no_such_package_x" in problems[0] and "make lab" in problems[0]


def test_run_python_captures_both_streams():
    done = run_python("import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)")
    assert (done.returncode, done.stdout.strip(), last_line(done.stderr)) == (3, "out", "err")


def test_run_python_passes_arguments():
    done = run_python("import sys; print(sys.argv[1:])", args=["a b", "-c"])
    assert done.stdout.strip() == "['a b', '-c']"


def test_run_python_as_file_runs_a_real_script_that_a_spawned_child_can_reimport():
    code = (
        "import multiprocessing as mp, sys\n"
        "def square(x):\n    return x * x\n"
        "if __name__ == '__main__':\n"
        "    print(sys.argv[0].endswith('script.py'), sys.argv[1:])\n"
        "    child = mp.get_context('spawn').Process(target=square, args=(7,))\n"
        "    child.start()\n"
        "    child.join(30)\n"
        "    print('exit code', child.exitcode)\n"
    )
    done = run_python(code, timeout=60, args=["x"], as_file=True)
    assert done.stdout.splitlines() == ["True ['x']", "exit code 0"], done.stderr
    as_c = run_python(code, timeout=60, args=["x"])  # no file: the child cannot find square
    assert as_c.stdout.splitlines() == ["False ['x']", "exit code 1"], as_c.stderr


def test_run_python_rejects_bad_arguments():
    with pytest.raises(ValueError, match="code must be a non-empty string"):
        run_python("  ")
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        run_python("pass", timeout=0)
    with pytest.raises(ValueError, match="args must be a sequence of strings"):
        run_python("pass", args="a")
    with pytest.raises(ValueError, match="as_file must be True or False"):
        run_python("pass", as_file="yes")


def test_show_source_prints_the_function(capsys):
    show_source(basics.answer)
    out = capsys.readouterr().out
    assert "# from helpers.tasks.basics" in out and "def answer(" in out
    with pytest.raises(TypeError, match="takes functions, not int"):
        show_source(3)


def test_a_child_changes_only_its_own_copy():
    items = ["parent"]
    basics.append_item(items, "child")  # in-process: it does append
    assert items == ["parent", "child"]
    assert basics.give_back() == 42.0


def test_report_version_writes_the_modules_version(tmp_path, monkeypatch):
    (tmp_path / "edited_module_x.py").write_text("VERSION = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    result = multiprocessing.get_context("spawn").Value("i", 0, lock=False)
    try:
        basics.report_version("edited_module_x", result)
        assert result.value == 7
    finally:
        sys.modules.pop("edited_module_x", None)
