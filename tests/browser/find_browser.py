"""Find a Chromium or Chrome for the browser test, installing one only when there is none.

``python -m tests.browser.find_browser`` prints the executable's path on stdout and, on
stderr, one line saying which browser it is and where it came from. The ways, in order:

1. ``BROWSER_TEST_CHROMIUM``, when set (it must name an executable; nothing else is tried);
2. a Chromium or Chrome on the PATH, or in the usual install folders of Linux, macOS, Windows;
3. on Debian or Ubuntu, as root or with passwordless sudo: the distribution's ``chromium``;
4. Playwright's own Chromium (``python -m playwright install chromium``, needs the internet).

Only when every way fails does it fail, naming what each way found and the command that fixes it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

VARIABLE = "BROWSER_TEST_CHROMIUM"
NAMES_ON_PATH = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
INSTALL_TIMEOUT_S = 900


@dataclass(frozen=True)
class Browser:
    path: str
    source: str

    def describe(self) -> str:
        return f"browser test: using {self.path} ({self.source})"


class NoBrowser(RuntimeError):
    """No way of getting a browser worked; the message says what each way found."""


def usual_places() -> list[Path]:
    """Where Chromium and Chrome are installed when not on the PATH."""
    places = [Path("/usr/bin/chromium"), Path("/snap/bin/chromium")]
    if sys.platform == "darwin":
        for app in ("Google Chrome", "Chromium"):
            places.append(Path(f"/Applications/{app}.app/Contents/MacOS/{app}"))
            places.append(Path.home() / f"Applications/{app}.app/Contents/MacOS/{app}")
    if sys.platform == "win32":
        roots = [os.environ.get(v) for v in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        for root in filter(None, roots):
            places.append(Path(root) / "Google/Chrome/Application/chrome.exe")
            places.append(Path(root) / "Chromium/Application/chrome.exe")
    return places


def is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def installed_browser() -> Browser | None:
    """A browser already on this machine (ways 1 and 2), or None."""
    for name in NAMES_ON_PATH:
        found = shutil.which(name)
        if found:
            return Browser(found, f"found on the PATH as {name}")
    for place in usual_places():
        if is_executable(place):
            return Browser(str(place), "found in its usual install folder")
    return None


def can_use_apt() -> tuple[bool, str]:
    """Whether this is Debian or Ubuntu and we may install packages (root or passwordless sudo)."""
    if not Path("/etc/debian_version").exists() or not shutil.which("apt-get"):
        return False, "not Debian or Ubuntu"
    if os.geteuid() == 0:
        return True, "root"
    if shutil.which("sudo"):
        asked = subprocess.run(["sudo", "-n", "true"], capture_output=True, timeout=30)
        if asked.returncode == 0:
            return True, "passwordless sudo"
    return False, "neither root nor passwordless sudo"


def install_with_apt(as_root: bool) -> None:
    """apt-get update and install chromium; its long output is shown only when it fails."""
    prefix = [] if as_root else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        done = subprocess.run(
            prefix + command,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
        )
        if done.returncode != 0:
            print((done.stdout + done.stderr)[-3000:], file=sys.stderr)
            raise subprocess.CalledProcessError(done.returncode, command)


def playwright_chromium() -> str | None:
    """Playwright's own Chromium, downloading it first if needed; None if that failed."""
    done = subprocess.run(
        [sys.executable, "-m", "playwright", "install", "chromium"],
        stdin=subprocess.DEVNULL,
        stdout=sys.stderr,
        timeout=INSTALL_TIMEOUT_S,
    )
    if done.returncode != 0:
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if is_executable(Path(path)) else None


def find_browser(install: bool = True) -> Browser:
    """The browser the test will use; with ``install``, ways 3 and 4 may install one."""
    chosen = os.environ.get(VARIABLE)
    if chosen:
        if is_executable(Path(chosen)):
            return Browser(chosen, f"from {VARIABLE}")
        raise NoBrowser(
            f"{VARIABLE} is set to {chosen!r}, which is not an executable file.\n"
            f"  Point it at a Chromium or Chrome executable, or unset it to let the test find one."
        )
    found = installed_browser()
    if found:
        return found
    tried = [
        f"  {VARIABLE}: not set",
        f"  the PATH ({', '.join(NAMES_ON_PATH)}) and the usual install folders: nothing",
    ]
    apt_ok, why = can_use_apt()
    if not install:
        tried.append("  installing one: not attempted here (make test and run.py test do it)")
    elif apt_ok:
        note = f"browser test: no browser found; installing Debian's chromium ({why})"
        print(note, file=sys.stderr)
        try:
            install_with_apt(as_root=why == "root")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            tried.append(f"  Debian's chromium package: the install failed ({error})")
        else:
            now = installed_browser()
            if now:
                return Browser(now.path, "installed now from Debian's chromium package")
            tried.append("  Debian's chromium package: installed, but no chromium is on the PATH")
    else:
        tried.append(f"  Debian's chromium package: not possible ({why})")
    if install:
        print("browser test: trying Playwright's own Chromium", file=sys.stderr)
        try:
            path = playwright_chromium()
        except (subprocess.TimeoutExpired, OSError, ImportError) as error:
            path, detail = None, str(error)
        else:
            detail = "the download failed (it needs the internet)"
        if path:
            return Browser(path, "Playwright's own Chromium")
        tried.append(f"  Playwright's own Chromium: {detail}")
    fix = (
        "sudo apt-get install -y chromium"
        if Path("/etc/debian_version").exists()
        else f"{Path(sys.executable).name} -m playwright install chromium"
    )
    raise NoBrowser(
        "the browser test needs Chromium or Chrome, and found none. Tried:\n"
        + "\n".join(tried)
        + f"\n  Fix: {fix}\n  (or set {VARIABLE} to a browser executable; `make test BROWSER=0` or"
        " `run.py test --no-browser` leaves the browser test out)"
    )


def main() -> int:
    try:
        browser = find_browser(install=True)
    except NoBrowser as problem:
        print(problem, file=sys.stderr)
        return 1
    print(browser.describe(), file=sys.stderr)
    print(browser.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
