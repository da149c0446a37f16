"""`simad template`: the blank input workbooks — written to a folder (the command line) or
built in memory for a download (the web app's start page)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from pipeline.core.context import Context
from pipeline.core.errors import ConfigError
from pipeline.core.files import check_folder, write_output
from pipeline.core.i18n import listing, t
from pipeline.sheets.templates import TEMPLATE_FILES, template_bytes


def run_template(out: Path, *, force: bool = False, ctx: Context = Context()) -> list[Path]:
    """Write ``residents.xlsx`` and ``upgrades.xlsx`` into ``out`` in the context's language;
    return their paths (one beside its name when that file is open in Excel). Existing files
    are kept (``ConfigError``, exit 2) unless ``force``; so is a folder that takes no file."""
    with ctx.applied():
        folder = Path(out).expanduser()
        paths = [folder / filename for filename in TEMPLATE_FILES.values()]
        existing = [p for p in paths if p.exists()]
        if existing and not force:
            raise ConfigError(t("template_exists", paths=listing(existing)))
        check_folder(folder)
        return [_write(kind, path) for kind, path in zip(TEMPLATE_FILES, paths, strict=True)]


def _write(kind: str, path: Path) -> Path:
    content = template_bytes(kind)

    def write(handle: BinaryIO) -> None:
        handle.write(content)

    return write_output(path, write)


def template_download(kind: str, *, ctx: Context = Context()) -> tuple[str, bytes]:
    """The blank workbook of ``kind`` (``residents`` or ``upgrades``) in the context's
    language, for a download: its file name (``residents-fa.xlsx``) and its bytes. An unknown
    kind is a ``ConfigError``. Blocking (it builds the workbook): call it in a worker thread."""
    with ctx.applied():
        content = template_bytes(kind)
    return f"{Path(TEMPLATE_FILES[kind]).stem}-{ctx.lang}.xlsx", content
