"""A real Chromium, driven by Playwright, against the built site served on
127.0.0.1 by the tests themselves.

Which Chromium: $HPE_CHROMIUM, else a system one (Debian's `chromium`,
which .ci/run installs), else Playwright's own browser if it was installed
with `python -m playwright install chromium`. With none, every browser test
is skipped with one line that says how to get one, unless
HPE_REQUIRE_BROWSER=1 (CI), where they fail instead. Nothing here downloads
a browser.
"""

import functools
import hashlib
import http.server
import os
import threading
from pathlib import Path

import pytest

from tools.browser import ARGS, HOW, chromium_path
from tools.cache import folder as cache_folder


def find_chromium(playwright) -> dict:
    """Launch options for the first Chromium found, or skip."""
    path = chromium_path(playwright)
    if path is not None:
        return {"executable_path": path} if path else {}
    if os.environ.get("HPE_REQUIRE_BROWSER") == "1":
        pytest.fail(HOW)
    pytest.skip(HOW)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    """The built site on http://127.0.0.1:<free port>/."""
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason=HOW)
    with sync_api.sync_playwright() as playwright:
        options = find_chromium(playwright)
        browser = playwright.chromium.launch(args=ARGS, **options)
        yield browser
        browser.close()


class Visit:
    """One page load, with everything the browser reported on the way."""

    def __init__(self, context, base: str):
        self.base = base
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.external: list[str] = []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    def _route(self, route):
        if route.request.url.startswith(self.base):
            route.continue_()
        else:  # never let a request leave the machine; record it instead
            self.external.append(route.request.url)
            route.abort()

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def _request_failed(self, request):
        if request.url.startswith(self.base):
            self.failed.append(f"{request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def goto(self, path: str, *, index: bool = False):
        """Load a page and wait until the network is quiet; or, with
        `index`, until the search worker has fetched the search index,
        the last request a page makes (quicker: networkidle waits for
        half a second of silence)."""
        if not index:
            self.page.goto(self.base + path, wait_until="networkidle")
            return self.page
        with self.page.expect_response(
                lambda r: r.url.endswith("/search/search_index.json"),
                timeout=15_000):
            self.page.goto(self.base + path, wait_until="load")
        return self.page


@pytest.fixture
def visit(browser, server):
    """Open a page of the site; see Visit."""
    contexts = []

    def open_(path: str, *, index: bool = False, **context_options
              ) -> Visit:
        context = browser.new_context(**context_options)
        contexts.append(context)
        v = Visit(context, server)
        v.goto(path, index=index)
        return v

    yield open_
    for context in contexts:
        context.close()


# --- not running again what passed on the very same inputs ----------------
#
# A browser test's result is a function of the built site (every page and
# asset a page can load), the browser, the packages (requirements.txt) and
# the tests' own code. `make test` run again on an unchanged site would
# repeat a couple of minutes of Chromium for the same answers; a test that
# passed on the same inputs is not run again, and the summary says how
# many (the same idea as the examples' cache; CI's clean clone runs them
# all). HPE_RERUN_BROWSER=1 (or HPE_RERUN=1) runs them anyway. Tests that
# leave an artefact (screenshots) always run.

ROOT = Path(__file__).resolve().parents[2]
CODE = [*sorted((ROOT / "tests/browser").glob("*.py")),
        ROOT / "tests/pages.py", ROOT / "tests/conftest.py",
        ROOT / "tools/browser.py", ROOT / "requirements.txt"]
REUSED = "reused"  # tests/conftest.py counts them in the summary


@pytest.fixture(scope="session")
def inputs_digest(site, browser) -> str:
    h = hashlib.sha256()
    for path in [*sorted(p for p in site.rglob("*") if p.is_file()), *CODE]:
        h.update(str(path.relative_to(site if path.is_relative_to(site)
                                      else ROOT)).encode())
        h.update(path.read_bytes())
    h.update(browser.version.encode())
    return h.hexdigest()


def _passed(item) -> Path | None:
    """Where a pass of this test on these inputs is recorded, or None for
    a test that must always run."""
    if ("visit" not in item.fixturenames or "screenshot" in item.name
            or "1" in (os.environ.get("HPE_RERUN_BROWSER"),
                       os.environ.get("HPE_RERUN"))):
        return None
    digest = item._request.getfixturevalue("inputs_digest")
    key = hashlib.sha256(f"{item.nodeid}\0{digest}".encode()).hexdigest()
    return cache_folder() / "browser-passed" / key


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    mark = _passed(pyfuncitem)
    if mark is not None and mark.exists():
        pyfuncitem.user_properties.append(("hpe", REUSED))
        return True  # the test body is not run again
    # recorded when it passes, by tests/conftest.py's makereport hook
    pyfuncitem._hpe_reuse = mark
    return None
