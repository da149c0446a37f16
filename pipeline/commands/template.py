"""`simad template`: the blank input workbooks — written to a folder (the command line) or
built in memory for a download (the web app's start page)."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.context import Context
from pipeline.sheets.templates import TEMPLATE_FILES, template_bytes, write_templates


def run_template(out: Path, *, force: bool = False, ctx: Context = Context()) -> list[Path]:
    """Write ``residents.xlsx`` and ``upgrades.xlsx`` into ``out`` in the context's language;
    return their paths. Existing files are kept (``ConfigError``, exit 2) unless ``force``."""
    with ctx.applied():
        return write_templates(out, force=force)


def template_download(kind: str, *, ctx: Context = Context()) -> tuple[str, bytes]:
    """The blank workbook of ``kind`` (``residents`` or ``upgrades``) in the context's
    language, for a download: its file name (``residents-fa.xlsx``) and its bytes. An unknown
    kind is a ``ConfigError``. Blocking (it builds the workbook): call it in a worker thread."""
    with ctx.applied():
        content = template_bytes(kind)
    return f"{Path(TEMPLATE_FILES[kind]).stem}-{ctx.lang}.xlsx", content
