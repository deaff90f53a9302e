"""A real browser for page tests: Debian's Chromium driven by Playwright, screenshots kept.

Playwright's own browser download cannot be reached here, so it drives the system Chromium
(`apt-get install chromium`, which `.ci/run` does when it is missing). Screenshots go to
`$SEC_ANALYZER_SCREENSHOT_DIR` (CI keeps that folder) or `test-artifacts/screenshots`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("browser tests need Debian's Chromium: apt-get install chromium (.ci/run installs it)")
    return path


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("SEC_ANALYZER_SCREENSHOT_DIR", REPO_ROOT / "test-artifacts" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def browser_page(width: int = 1500, height: int = 1000) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def save_screenshot(page: Any, name: str) -> Path:
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
