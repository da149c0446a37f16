"""`simad template`: the blank input workbooks."""

from __future__ import annotations

from pathlib import Path

from ..context import Context
from ..templates import write_templates


def run_template(out: Path, *, ctx: Context = Context()) -> list[Path]:
    """Write ``residents.xlsx`` and ``upgrades.xlsx`` into ``out``; return their paths."""
    with ctx.applied():
        return write_templates(out)
