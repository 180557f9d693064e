"""run.py check: which notebooks the quick loop runs, and what a wrong name is told."""

import subprocess

import pytest

import run


def test_names_with_or_without_the_suffix_in_one_or_several_words():
    assert run.notebook_names(["03-queue", "01-value.ipynb,02-pipe"]) == [
        "03-queue.ipynb",
        "01-value.ipynb",
        "02-pipe.ipynb",
    ]


def test_an_unknown_name_stops_with_the_names_allowed():
    with pytest.raises(SystemExit) as stopped:
        run.notebook_names(["03-queue", "3-queue"])
    message = str(stopped.value)
    assert message.startswith("NOTEBOOKS: 3-queue.ipynb is not a course notebook")
    assert "00-start-here, 01-value" in message


def test_changed_notebooks_are_the_edited_and_the_new_ones(tmp_path, monkeypatch):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("01-a.ipynb", "02-b.ipynb", "03-c.ipynb"):
        (notebooks / name).write_text("{}")
    git("init", "-q", "-b", "main")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start")
    (notebooks / "02-b.ipynb").write_text('{"changed": 1}')
    (notebooks / "04-new.ipynb").write_text("{}")
    (notebooks / "notes.txt").write_text("not a notebook")
    (notebooks / "03-c.ipynb").unlink()  # removed: nothing to run
    monkeypatch.setattr(run, "ROOT", tmp_path)
    assert run.changed_notebook_names() == ["02-b.ipynb", "04-new.ipynb"]
