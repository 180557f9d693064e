"""Every notebook, run the way a learner runs it: in JupyterLab, in a real browser.

``make browser-test`` (and ``make test``, after the rest of the suite) runs this file:

    python -m pytest -n 2 tests/browser/notebooks_in_browser.py

With ``-n 2`` two notebooks run at a time, each pytest-xdist worker with a JupyterLab server and a
browser of its own: 138-143 s on the course's 2-core machine (2026-12-04, nothing else running),
where it keeps both cores busy (85 % of their time; Chromium about 100 cpu-s, the kernels, their
children and the servers about 120), so three or four at a time were no faster (145 s, 147 s).

The file is not named ``test_*.py`` on purpose: the main, parallel test run does not collect
it, so the browser never competes with the notebook runs for the machine's two cores.

For each notebook under notebooks/ (found by glob) the test opens a copy with its outputs
cleared in JupyterLab (started from this Python, on 127.0.0.1 with a token, kernels under
``MP_START_METHOD=spawn``), from File > Open from Path... in the page the worker keeps loaded,
clicks Run > Run All Cells, waits until the kernel is idle and every code cell has an execution
count, saves the notebook from the File menu, and fails if any cell not tagged
``raises-exception`` produced an error. Stderr text is allowed: JupyterLab shows what children
write to stderr (notebook 00 makes a child fail on purpose). The kernel is then shut down from
the Kernel menu and the tab closed; that the kernel has gone is checked while the next notebook
opens. A screenshot of each notebook lands in build/screenshots/. In 07 the interactive
explorer must render and redraw its plot on Run. Each notebook's steps and their times are
printed (``-rA`` shows them).

The browser is the Chromium or Chrome that ``tests.browser.find_browser`` finds (``make test``
installs one first when there is none), driven by Playwright for Python. A missing browser is
a failure that says how to get one, not a skip. Every wait is bounded, and the server and
browser are stopped in ``finally`` blocks.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests.browser.find_browser import NoBrowser, find_browser
from tests.browser.lab import CHROMIUM_ARGS, LabServer, copy_notebooks_cleared
from tests.notebook_matrix import NOTEBOOK_DIR, ROOT, notebook_paths

NOTEBOOKS = notebook_paths()
SCREENSHOT_DIR = ROOT / "build" / "screenshots"
EXPECTED_ERROR_TAG = "raises-exception"
EXPLORER_PREFIX = "07-"  # the notebook whose ipywidgets explorer has a Run button
EXPLORER_CONTROLS = (
    ".widget-dropdown, .widget-select, .widget-slider, .widget-text, "
    ".widget-checkbox, .widget-toggle-buttons, .widget-radio"
)
EXPLORER_IMAGES = ".jp-OutputArea-output img"

OPEN_TIMEOUT_S = 90
RUN_ALL_START_TIMEOUT_S = 30
RUN_ALL_TIMEOUT_S = 180
SAVE_TIMEOUT_S = 30
SHUTDOWN_TIMEOUT_S = 30
EXPLORER_TIMEOUT_S = 120
ACTION_TIMEOUT_MS = 15_000
POLL_S = 0.5
VIEWPORT = {"width": 1280, "height": 1000}

# What the page shows, read in one go: the kernel's state (the notebook toolbar's execution
# indicator), every cell's kind and the text of its input prompt ("[3]:", "[*]:", "[ ]:"), and
# how many outputs of each rendered kind it holds. While the page loads, the indicator says
# "idle" before any kernel is connected (the kernel name reads "No Kernel"), so readiness needs
# both. In JupyterLab 4.6 an exception renders as application/vnd.jupyter.stderr, exactly like
# stderr text, so the DOM alone cannot tell them apart; the saved notebook's output types do
# (see check_saved_notebook).
READ_STATE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const kernelName = panel.querySelector('[data-jp-item-name="kernelName"] jp-button');
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => ({
    code: cell.classList.contains('jp-CodeCell'),
    prompt: cell.classList.contains('jp-CodeCell')
      ? (cell.querySelector('.jp-InputPrompt')?.textContent || '').trim() : '',
    stderr: cell.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
    images: cell.querySelectorAll('.jp-OutputArea-output img').length,
  }));
  return {
    status: indicator ? indicator.getAttribute('data-status') : null,
    kernel: kernelName ? kernelName.getAttribute('aria-label') : null,
    cells,
  };
}"""

EXECUTED_PROMPT = re.compile(r"^\[(\d+)\]:$")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser-test")


@pytest.fixture(scope="module")
def chromium() -> str:
    """The browser's executable; none is a failure that says how to get one, not a skip.

    `make test` and `run.py test` find (or install) it first and pass it in BROWSER_TEST_CHROMIUM;
    run alone, this test looks for one but installs nothing.
    """
    try:
        found = find_browser(install=False)
    except NoBrowser as problem:
        pytest.fail(str(problem), pytrace=False)
    print(found.describe())
    return found.path


@pytest.fixture(scope="module")
def lab(workspace: Path, chromium: str) -> Iterator[LabServer]:
    notebooks = workspace / "notebooks"
    copy_notebooks_cleared(NOTEBOOK_DIR, notebooks)
    server = LabServer(workspace, notebooks, workspace / "jupyter-server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(workspace: Path, chromium: str, lab: LabServer):
    from playwright.sync_api import sync_playwright

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(workspace / "chromium-profile"),  # a new, empty user data folder
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            timeout=60_000,
        )
        try:
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            yield context
        finally:
            context.close()


class PhaseTimer:
    """How long each step of one notebook took: where the browser test spends its time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.laps: list[tuple[str, float]] = []
        self._last = time.monotonic()

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self.laps.append((phase, now - self._last))
        self._last = now

    def __str__(self) -> str:
        return f"{self.name}: " + ", ".join(f"{phase} {took:.1f} s" for phase, took in self.laps)


class LabPage:
    """One JupyterLab page per worker, reused from notebook to notebook.

    Loading JupyterLab costs Chromium 5-8 s of CPU, so each notebook is opened from
    File > Open from Path... in the page already loaded, as a learner opens the next one. After
    a notebook that failed, the page is closed and the next notebook gets a freshly loaded one.
    ``shutting_down`` is the previous notebook's kernel, asked to shut down and not yet seen gone.
    """

    def __init__(self, browser, lab: LabServer, workspace: str) -> None:
        self.browser = browser
        self.lab = lab
        self.workspace = workspace
        self.page = None
        self.shutting_down: ShutDown | None = None

    def check_shut_down(self) -> list[str]:
        pending, self.shutting_down = self.shutting_down, None
        return check_shut_down(self.lab, pending) if pending else []

    def get(self):
        if self.page is None:
            page = self.browser.new_page()
            lab = self.lab
            url = f"{lab.base_url}/lab/workspaces/{self.workspace}?reset&token={lab.token}"
            page.goto(url, timeout=OPEN_TIMEOUT_S * 1000)
            page.locator("#filebrowser").wait_for(timeout=OPEN_TIMEOUT_S * 1000)  # page ready
            self.page = page
        return self.page

    def discard(self) -> None:
        page, self.page = self.page, None
        if page is not None:
            try:
                page.close()
            except Exception as error:  # a crashed browser must not hide why the test failed
                print(f"closing the page failed: {error}")


@pytest.fixture(scope="module")
def lab_page(browser, lab: LabServer, worker_id: str) -> Iterator[LabPage]:
    holder = LabPage(browser, lab, f"browser-test-{worker_id}")
    try:
        yield holder
        problems = holder.check_shut_down()  # the last notebook's kernel
        assert not problems, "\n".join(problems)
    finally:
        holder.discard()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(path: Path, lab: LabServer, lab_page: LabPage) -> None:
    copy = lab.notebooks / path.name
    committed = nbformat.read(copy, as_version=4)
    for old in SCREENSHOT_DIR.glob(f"{path.stem}-*.png"):  # only its own: two notebooks run at once
        old.unlink()
    problems: list[str] = []
    photographed = False
    done = False
    timer = PhaseTimer(path.name)
    page = lab_page.get()
    timer.lap("page")
    try:
        open_notebook(page, lab, path, len(committed.cells))
        problems += lab_page.check_shut_down()  # the previous notebook's kernel
        timer.lap("open")
        click_menu(page, "Run", "runmenu:run-all")
        state = wait_for_run_all(page, path.name)
        timer.lap("run")
        save_notebook(page, path.name)
        timer.lap("save")
        problems += check_saved_notebook(nbformat.read(copy, as_version=4), state, path.name)
        problems += check_prompts(state, committed, path.name)
        if path.name.startswith(EXPLORER_PREFIX):
            problems += check_explorer(page, path.name)
            timer.lap("explorer")
        screenshots(page, path)
        photographed = True
        timer.lap("screenshots")
        if not problems:
            lab_page.shutting_down = shut_down_kernel(page, lab, path.name)
            click_menu(page, "File", "application:close-all")
            timer.lap("shut down")
            done = True
    finally:
        print(timer)  # shown with -s, or -rA, and for a failed test
        if not photographed:
            screenshots(page, path)  # what the page showed when it failed
        if not done:
            # The next notebook starts on a freshly loaded page, and no kernel outlives this one.
            lab_page.discard()
            lab_page.shutting_down = None
            lab.shut_down_all_kernels()
    assert not problems, "\n".join(problems)


def open_notebook(page, lab: LabServer, path: Path, cell_count: int) -> None:
    """File > Open from Path..., then wait until every cell is on the page and a connected
    kernel is idle, twice in a row."""
    click_menu(page, "File", "filebrowser:open-path")
    dialog = page.locator(".jp-Dialog")
    dialog.locator("input").fill(path.name)
    dialog.locator(".jp-mod-accept").click()
    deadline = time.monotonic() + OPEN_TIMEOUT_S
    ready = 0
    while True:
        state = page.evaluate(READ_STATE)
        if (
            state
            and len(state["cells"]) == cell_count
            and state["status"] == "idle"
            and state["kernel"] not in (None, "No Kernel")
        ):
            ready += 1
            if ready >= 2:
                fold_away_browser_and_launcher(page)
                return
        else:
            ready = 0
        if time.monotonic() > deadline:
            seen = (
                "no notebook panel"
                if not state
                else (
                    f"{len(state['cells'])} of {cell_count} cells, kernel {state['kernel']}: "
                    f"{state['status']}"
                )
            )
            pytest.fail(
                f"{path.name}: the notebook did not open with an idle kernel within "
                f"{OPEN_TIMEOUT_S} s ({seen})",
                pytrace=False,
            )
        time.sleep(POLL_S)


def fold_away_browser_and_launcher(page) -> None:
    """More notebook on screen: Open from Path shows the file in the file browser, and the
    launcher comes back whenever the main area empties; fold the one, close the other."""
    if page.locator("#filebrowser").is_visible():
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
        page.locator("#filebrowser").wait_for(state="hidden")
    launchers = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Launcher")
    while launchers.count():
        launchers.first.locator(".lm-TabBar-tabCloseIcon").click()


def click_menu(page, menu: str, command: str) -> None:
    """Open a menu in the menu bar and click the item that runs ``command``."""
    page.locator("li.lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).click()
    page.locator(f'li.lm-Menu-item[data-command="{command}"]').click()


def wait_for_run_all(page, name: str) -> dict:
    """Wait until the kernel is idle and no cell waits to run, twice in a row (bounded)."""
    began = time.monotonic()
    deadline = began + RUN_ALL_TIMEOUT_S
    settled = 0
    state = None
    while time.monotonic() < deadline:
        time.sleep(POLL_S)
        state = page.evaluate(READ_STATE)
        prompts = [c["prompt"] for c in state["cells"] if c["code"]] if state else []
        started = any(EXECUTED_PROMPT.match(p) for p in prompts)
        waiting = any("*" in p for p in prompts)
        if not started and not waiting and time.monotonic() > began + RUN_ALL_START_TIMEOUT_S:
            pytest.fail(
                f"{name}: Run All Cells started no cell within {RUN_ALL_START_TIMEOUT_S} s "
                f"(kernel {state and state['kernel']}: {state and state['status']})",
                pytrace=False,
            )
        if started and not waiting and state["status"] == "idle":
            settled += 1
            if settled >= 2:
                return state
        else:
            settled = 0
    running = [i for i, c in enumerate(state["cells"]) if "*" in c["prompt"]] if state else []
    pytest.fail(
        f"{name}: Run All Cells did not finish within {RUN_ALL_TIMEOUT_S} s "
        f"(kernel {state and state['status']}; cells still waiting: {running})",
        pytrace=False,
    )


def check_prompts(state: dict, nb, name: str) -> list[str]:
    """Every code cell ran, once each, top to bottom, in a fresh kernel: counts are 1..N."""
    problems = []
    if len(state["cells"]) != len(nb.cells):
        shown = len(state["cells"])
        return [f"{name}: the page shows {shown} cells, the notebook has {len(nb.cells)}"]
    counts = []
    for index, (seen, cell) in enumerate(zip(state["cells"], nb.cells, strict=True)):
        if seen["code"] != (cell.cell_type == "code"):
            problems.append(f"{name} cell {index}: the page shows a different kind of cell")
        elif seen["code"]:
            match = EXECUTED_PROMPT.match(seen["prompt"])
            if not match:
                problems.append(f"{name} cell {index}: not executed (prompt {seen['prompt']!r})")
            else:
                counts.append(int(match.group(1)))
    if not problems and counts != list(range(1, len(counts) + 1)):
        problems.append(f"{name}: execution counts are {counts}, not 1..{len(counts)}")
    return problems


def save_notebook(page, name: str) -> None:
    """File > Save, then wait until the tab no longer shows unsaved changes."""
    click_menu(page, "File", "docmanager:save")
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
    deadline = time.monotonic() + SAVE_TIMEOUT_S
    while "jp-mod-dirty" in (tab.get_attribute("class") or ""):
        if time.monotonic() > deadline:
            pytest.fail(f"{name}: not saved within {SAVE_TIMEOUT_S} s", pytrace=False)
        time.sleep(POLL_S)


def check_saved_notebook(nb, state: dict, name: str) -> list[str]:
    """Errors only in cells tagged raises-exception, each tagged cell raised, and the page
    rendered every error the kernel sent (an exception shows as a stderr-typed output)."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        tagged = EXPECTED_ERROR_TAG in cell.metadata.get("tags", [])
        if errors and not tagged:
            error = errors[0]
            last = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback[-3:]))
            problems.append(f"{name} cell {index}: {error.ename}: {error.evalue}\n{last}")
        elif tagged and not errors:
            problems.append(f"{name} cell {index}: tagged {EXPECTED_ERROR_TAG} but raised nothing")
        shown = state["cells"][index]["stderr"] if index < len(state["cells"]) else 0
        if errors and shown < len(errors):
            problems.append(f"{name} cell {index}: the kernel sent an error the page did not show")
    return problems


def check_explorer(page, name: str) -> list[str]:
    """The explorer's controls are on the page, and pressing its Run button draws a new plot.

    Keyed on what stays stable while the notebook changes: one widget button labelled "Run",
    some other visible control in the same cell, and an image that was not there before the
    click (the explorer measures nothing until Run is pressed, so there may be none before).
    """
    button = page.locator("button.widget-button", has_text=re.compile(r"^\s*Run\s*$"))
    if button.count() != 1:
        return [f"{name}: expected one widget button labelled 'Run', found {button.count()}"]
    cell = page.locator(".jp-CodeCell").filter(has=button)
    controls = cell.locator(EXPLORER_CONTROLS).filter(visible=True)
    if not button.is_visible() or controls.count() == 0:
        return [f"{name}: the explorer's controls are not visible"]
    cell.evaluate(
        f"c => c.querySelectorAll('{EXPLORER_IMAGES}')"
        ".forEach(img => {{ img.dataset.browserTest = 'before'; }})"
    )
    button.click()
    clicked = time.monotonic()
    seen_disabled = False  # the explorer disables Run while it measures
    ended_polls = 0
    while time.monotonic() < clicked + EXPLORER_TIMEOUT_S:
        time.sleep(POLL_S)
        new, loaded = cell.evaluate(
            f"c => {{ const imgs = [...c.querySelectorAll('{EXPLORER_IMAGES}')]"
            ".filter(img => img.dataset.browserTest !== 'before');"
            " return [imgs.length, imgs.filter(i => i.complete && i.naturalWidth > 0).length]; }"
        )
        if loaded:
            cell.screenshot(path=str(SCREENSHOT_DIR / f"{Path(name).stem}-explorer.png"))
            return []
        enabled = button.is_enabled()
        seen_disabled = seen_disabled or not enabled
        ended = enabled and (seen_disabled or time.monotonic() > clicked + 10)
        ended_polls = ended_polls + 1 if ended and not new else 0
        if ended_polls >= 4:  # Run is available again and no image is on its way
            text = cell.locator(".jp-OutputArea-output").last.inner_text()[-2500:]
            return [f"{name}: Run finished without drawing a plot; the explorer shows:\n{text}"]
    return [f"{name}: clicking Run drew no plot within {EXPLORER_TIMEOUT_S} s"]


@dataclass
class ShutDown:
    """A kernel shut down from the Kernel menu: which notebook's, its ids, and when."""

    name: str
    kernel_ids: set[str]
    clicked: float


def shut_down_kernel(page, lab: LabServer, name: str) -> ShutDown:
    """Kernel > Shut Down Kernel (JupyterLab 4.6 asks nothing; a confirmation, should one come,
    is accepted). The kernel takes seconds to end (after a spawn child, ipykernel waits for the
    resource tracker, which ignores SIGINT and SIGTERM, until the server's 2.5 s limit ends it),
    so that is checked later, by check_shut_down, while the next notebook opens."""
    kernel_ids = {kernel["id"] for kernel in lab.kernels()}
    clicked = time.monotonic()
    click_menu(page, "Kernel", "kernelmenu:shutdown")
    page.wait_for_timeout(300)
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    if accept.count() and accept.first.is_visible():
        accept.first.click()
    return ShutDown(name, kernel_ids, clicked)


def check_shut_down(lab: LabServer, shut_down: ShutDown) -> list[str]:
    """The kernels of a notebook shut down from the menu are gone from the server (bounded)."""
    deadline = shut_down.clicked + SHUTDOWN_TIMEOUT_S
    while shut_down.kernel_ids & {kernel["id"] for kernel in lab.kernels()}:
        if time.monotonic() > deadline:
            return [
                f"{shut_down.name}: the kernel was still running {SHUTDOWN_TIMEOUT_S} s after "
                "Kernel > Shut Down Kernel"
            ]
        time.sleep(POLL_S)
    return []


def screenshots(page, path: Path) -> None:
    """The notebook's end (where Run All leaves the page), its first figure, and its top."""
    try:
        shot = SCREENSHOT_DIR / path.stem
        page.screenshot(path=f"{shot}-end.png", timeout=ACTION_TIMEOUT_MS)
        figure = page.locator(".jp-CodeCell").filter(has=page.locator(".jp-OutputArea-output img"))
        if figure.count():
            figure.first.scroll_into_view_if_needed(timeout=ACTION_TIMEOUT_MS)
            figure.first.screenshot(path=f"{shot}-figure.png", timeout=ACTION_TIMEOUT_MS)
        page.evaluate(
            "() => { const s = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
            ".jp-WindowedPanel-outer'); if (s) s.scrollTop = 0; }"
        )
        page.wait_for_timeout(300)
        page.screenshot(path=f"{shot}-top.png", timeout=ACTION_TIMEOUT_MS)
    except Exception as error:  # a screenshot is evidence, never the reason a test fails
        print(f"screenshot of {path.name} failed: {error}")
