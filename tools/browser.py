"""Which Chromium to drive, and how: shared by the browser tests and the
benchmark. Nothing here downloads a browser.

Which Chromium: $HPE_CHROMIUM, else a system one (Debian's `chromium`,
which .ci/run installs), else Playwright's own browser if it was installed
with `python -m playwright install chromium`.
"""

import os
import shutil
import subprocess
from pathlib import Path

HOW = (
    "no Chromium for the browser tests: install one (Debian/Ubuntu: "
    "apt-get install chromium; elsewhere: .venv/bin/python -m playwright "
    "install chromium) or point HPE_CHROMIUM at it"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium calls Google's hosts at start and on a
    # closed network fails to reach them, many at a time.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path(playwright=None) -> str | None:
    """The first Chromium found ("" for Playwright's own), or None."""
    for candidate in (
        os.environ.get("HPE_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    if playwright is not None and Path(
            playwright.chromium.executable_path).exists():
        return ""
    return None


def executable(playwright=None) -> dict:
    """Launch options naming the executable (none: Playwright's own)."""
    path = chromium_path(playwright)
    return {"executable_path": path} if path else {}


def identity() -> str:
    """Which Chromium the tests would drive: its path and the version it
    reports (Playwright's own is known by Playwright's version, which the
    tests' key holds among the installed packages)."""
    path = chromium_path()
    if path is None:
        return "Playwright's own, or none"
    try:
        version = subprocess.run([path, "--version"], capture_output=True,
                                 text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        version = f"unknown ({error})"
    return f"{Path(path).resolve()}: {version}"
