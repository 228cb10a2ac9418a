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
import http.server
import os
import threading

import pytest

from tools.browser import ARGS, HOW, chromium_path, identity


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


# --- not running again what passed on identical inputs -------------------
#
# A browser test's result is a function of the repository's files (the
# site is built from them), the packages, and the browser: tests/reuse.py
# skips one that passed on all the same, and says so. Tests that leave an
# artefact (screenshots) always run.


def pytest_collection_modifyitems(items):
    for item in items:
        if "visit" in getattr(item, "fixturenames", ()) and (
                "screenshot" not in item.name):
            item.add_marker(pytest.mark.reuse_pass(browser=identity))
