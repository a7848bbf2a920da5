"""Headless-browser fixtures: Debian's Chromium driven by Playwright, with every request and console error recorded.

Use from a test module with ``pytest_plugins = ["tests.browser_support"]`` (or register it once in conftest.py).
Chromium is never downloaded: ``playwright install`` is not used; the browser is /usr/bin/chromium, which
``make sysdeps`` installs (``apt-get install chromium``). Without it every browser test is skipped, with the reason.

Fixtures:
  browser_context  session-wide Chromium (persistent context on a fresh user-data dir)
  recorded_page    a new tab that records console errors, page errors and every request URL (a RecordedPage)
  page             the same tab as a plain Playwright Page (its recording is on ``recorded_page``)
  screenshot       ``screenshot(name)`` saves the current tab to tests/artifacts/<name>.png and returns the path
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("UGKG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LOCAL_HOSTS = frozenset({"127.0.0.1"})
NON_NETWORK_SCHEMES = frozenset({"data", "blob", "about"})
VIEWPORT = {"width": 1366, "height": 900}
TIMEOUT_MS = 15_000


@dataclass
class RecordedPage:
    """A browser tab and what it did: console errors, uncaught page errors, every request URL."""

    page: Any  # playwright.sync_api.Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def foreign_requests(self, allowed_hosts: frozenset[str] = LOCAL_HOSTS) -> list[str]:
        """Requests that left the allowed hosts (data:/blob:/about: URLs never touch the network)."""
        foreign = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme not in NON_NETWORK_SCHEMES and parts.hostname not in allowed_hosts:
                foreign.append(url)
        return foreign

    def problems(self) -> list[str]:
        """Everything that should make a page test fail, in one list for a readable assertion message."""
        return (
            [f"console error: {text}" for text in self.console_errors]
            + [f"page error: {text}" for text in self.page_errors]
            + [f"failed request: {text}" for text in self.failed_requests]
            + [f"foreign request: {url}" for url in self.foreign_requests()]
        )

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        return save_screenshot(self.page, name, full_page=full_page)


def save_screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save ``page`` as tests/artifacts/<name>.png (the directory is git-ignored) and return the path."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "screenshot"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in NON_NETWORK_SCHEMES or parts.hostname in LOCAL_HOSTS


def chromium_or_skip() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: run `make sysdeps` (apt-get install chromium) to run browser tests")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    """One headless Chromium for the session, on a fresh user-data dir that is removed afterwards."""
    executable = chromium_or_skip()
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[test]')")
    user_data_dir = tempfile.mkdtemp(prefix="ugkg-chromium-")
    playwright = sync_api.sync_playwright().start()
    context = None
    try:
        try:
            context = playwright.chromium.launch_persistent_context(
                user_data_dir,
                executable_path=str(executable),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport=VIEWPORT,
                locale="en-US",
                timeout=60_000,
            )
        except sync_api.Error as exc:
            pytest.skip(f"Chromium at {executable} did not start under Playwright: {str(exc).splitlines()[0]}")
        context.set_default_timeout(TIMEOUT_MS)
        # Belt and braces: nothing may leave the machine. Such requests are still recorded (and fail the tests).
        context.route(lambda url: not is_local(url), lambda route: route.abort("blockedbyclient"))
        yield context
    finally:
        if context is not None:
            context.close()
        playwright.stop()
        shutil.rmtree(user_data_dir, ignore_errors=True)


@pytest.fixture()
def recorded_page(browser_context: Any) -> Iterator[RecordedPage]:
    """A new tab that records console errors, page errors, failed requests and every request URL."""
    page = browser_context.new_page()
    recorded = RecordedPage(page)
    page.on("console", lambda message: recorded.console_errors.append(f"{message.text} @ {message.location.get('url', '')}") if message.type == "error" else None)
    page.on("pageerror", lambda error: recorded.page_errors.append(str(error)))
    page.on("request", lambda request: recorded.requests.append(request.url))
    page.on("requestfailed", lambda request: recorded.failed_requests.append(f"{request.url} ({request.failure})"))
    try:
        yield recorded
    finally:
        page.close()
        browser_context.clear_cookies()


@pytest.fixture()
def page(recorded_page: RecordedPage) -> Any:
    return recorded_page.page


@pytest.fixture()
def screenshot(recorded_page: RecordedPage) -> Callable[..., Path]:
    return recorded_page.screenshot
