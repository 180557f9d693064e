"""tests.browser.find_browser: which browser the browser test uses, and what it says when none."""

import os
import stat
import subprocess
import sys

import pytest

from tests.browser import find_browser as fb


def fake_browser(folder, name):
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """No variable, an empty PATH folder, no usual places, no apt, no Playwright download."""
    monkeypatch.delenv(fb.VARIABLE, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(fb, "usual_places", lambda: [])
    monkeypatch.setattr(fb, "can_use_apt", lambda: (False, "not Debian or Ubuntu"))
    monkeypatch.setattr(fb, "playwright_chromium", lambda: None)
    return tmp_path


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake browsers are shell scripts")


def test_the_variable_wins_over_the_path(bare_machine, monkeypatch):
    fake_browser(bare_machine, "chromium")
    chosen = fake_browser(bare_machine, "my-chrome")
    monkeypatch.setenv(fb.VARIABLE, str(chosen))
    found = fb.find_browser()
    assert (found.path, found.source) == (str(chosen), f"from {fb.VARIABLE}")


def test_a_variable_that_names_no_executable_is_an_error_naming_it(bare_machine, monkeypatch):
    fake_browser(bare_machine, "chromium")  # not used as a silent fallback
    monkeypatch.setenv(fb.VARIABLE, str(bare_machine / "nothing-here"))
    with pytest.raises(fb.NoBrowser, match=f"{fb.VARIABLE} is set to .*nothing-here"):
        fb.find_browser()


def test_the_path_is_searched_in_order(bare_machine):
    fake_browser(bare_machine, "google-chrome")
    assert fb.find_browser().source == "found on the PATH as google-chrome"
    fake_browser(bare_machine, "chromium-browser")
    found = fb.find_browser()
    assert found.path == str(bare_machine / "chromium-browser")
    assert found.describe() == (
        f"browser test: using {found.path} (found on the PATH as chromium-browser)"
    )


def test_a_usual_install_folder_is_found_when_the_path_has_none(bare_machine, monkeypatch):
    app = fake_browser(bare_machine, "Google Chrome")
    monkeypatch.setenv("PATH", os.devnull)
    monkeypatch.setattr(fb, "usual_places", lambda: [bare_machine / "absent", app])
    found = fb.find_browser()
    assert (found.path, found.source) == (str(app), "found in its usual install folder")


def test_debian_installs_its_package_when_there_is_no_browser(bare_machine, monkeypatch):
    calls = []
    monkeypatch.setattr(fb, "can_use_apt", lambda: (True, "root"))
    monkeypatch.setattr(
        fb,
        "install_with_apt",
        lambda as_root: calls.append(as_root) or fake_browser(bare_machine, "chromium"),
    )
    found = fb.find_browser()
    assert calls == [True]
    assert (found.path, found.source) == (
        str(bare_machine / "chromium"),
        "installed now from Debian's chromium package",
    )


def test_playwright_is_the_last_way(bare_machine, monkeypatch):
    (bare_machine / "ms-playwright").mkdir()
    downloaded = fake_browser(bare_machine / "ms-playwright", "chrome")
    monkeypatch.setattr(fb, "playwright_chromium", lambda: str(downloaded))
    found = fb.find_browser()
    assert (found.path, found.source) == (str(downloaded), "Playwright's own Chromium")


def test_when_every_way_fails_each_is_named_with_the_fix(bare_machine):
    with pytest.raises(fb.NoBrowser) as raised:
        fb.find_browser()
    message = str(raised.value)
    assert f"{fb.VARIABLE}: not set" in message
    assert "the PATH (chromium, chromium-browser" in message
    assert "Debian's chromium package: not possible (not Debian or Ubuntu)" in message
    assert "Playwright's own Chromium: the download failed" in message
    assert "Fix: " in message and "BROWSER=0" in message


def test_without_install_nothing_is_installed(bare_machine, monkeypatch):
    monkeypatch.setattr(fb, "can_use_apt", lambda: (True, "root"))
    monkeypatch.setattr(fb, "install_with_apt", lambda as_root: pytest.fail("installed"))
    monkeypatch.setattr(fb, "playwright_chromium", lambda: pytest.fail("downloaded"))
    with pytest.raises(fb.NoBrowser, match="not attempted here"):
        fb.find_browser(install=False)


def test_the_command_prints_the_path_alone_on_stdout(bare_machine):
    chosen = fake_browser(bare_machine, "my-chrome")
    done = subprocess.run(
        [sys.executable, "-m", "tests.browser.find_browser"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, **{fb.VARIABLE: str(chosen)}),
        cwd=fb.Path(__file__).resolve().parents[1],
    )
    assert (done.returncode, done.stdout) == (0, f"{chosen}\n")
    assert done.stderr.strip() == f"browser test: using {chosen} (from {fb.VARIABLE})"
