"""Headless Chromium for the browser tests and `make screens`: Debian's own build, driven by
Playwright (which cannot download its browsers here), or nothing when none is installed."""

from __future__ import annotations

import base64
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


_DROP = """(files) => {
  const transfer = new DataTransfer();
  for (const [name, b64] of files) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    transfer.items.add(new File([bytes], name));
  }
  return transfer;
}"""


def watch_errors(page) -> list[str]:
    """The page's script errors and console errors, as they come (a list the test reads)."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    return errors


def choose_sandbox(page) -> None:
    """On the start page: the sandbox chosen as the target."""
    page.check("input[value=sandbox]")
    page.click("form[hx-post='/target'] button")
    page.wait_for_selector("#sandbox-banner")


def drop(page, files: list[tuple[str, bytes]], target: str = "#drop") -> None:
    """Drop ``files`` (name, content) on the start page's drop zone, as a mouse would."""
    named = [[name, base64.b64encode(data).decode()] for name, data in files]
    page.dispatch_event(target, "drop", {"dataTransfer": page.evaluate_handle(_DROP, named)})


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + " :: " + n.failureSummary.split("\\n")[1]),
  }));
}"""


def axe_violations(page) -> list[dict]:  # page: playwright Page
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now. The script goes in through
    the DevTools protocol (page.evaluate), which the page's Content-Security-Policy does not
    govern; the page itself never serves or runs it."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(_AXE_RUN, WCAG_TAGS)


def describe(violations: list[dict]) -> str:
    """The violations, one line per rule and node, for an assertion message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {n}" for v in violations for n in v["nodes"])
