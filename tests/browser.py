"""Headless Chromium for the browser tests and `make screens`: Debian's own build, driven by
Playwright (which cannot download its browsers here), or nothing when none is installed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_FLAGS = [
    "--no-sandbox",  # as root in a container
    "--disable-gpu",
    "--disable-dev-shm-usage",  # a container's /dev/shm is small
    "--no-first-run",
    "--disable-background-networking",  # no connections to the outside world
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The Chromium to drive: SIMAD_CHROMIUM, else the system's."""
    named = os.environ.get("SIMAD_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch(playwright):  # -> playwright Browser
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
