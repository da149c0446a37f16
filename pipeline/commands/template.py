"""`simad template`: the blank input workbooks."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.context import Context
from pipeline.sheets.templates import write_templates


def run_template(out: Path, *, force: bool = False, ctx: Context = Context()) -> list[Path]:
    """Write ``residents.xlsx`` and ``upgrades.xlsx`` into ``out`` in the context's language;
    return their paths. Existing files are kept (``ConfigError``, exit 2) unless ``force``."""
    with ctx.applied():
        return write_templates(out, force=force)
