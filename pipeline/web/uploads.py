"""Uploaded files kept in the session folder: checked by size, by the session's room and by
content (a workbook is a zip or an old Excel file; a CSV is text), copied in pieces (never the
whole file in memory), owner-only. All of it in worker threads; a refused upload is deleted.
"""

from __future__ import annotations

import os
from pathlib import Path

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pipeline.core.errors import InputFileError
from pipeline.core.i18n import t
from pipeline.sheets.reader import EXCEL_SUFFIXES, OLE_MAGIC, ZIP_MAGIC
from pipeline.web.security import MAX_UPLOAD
from pipeline.web.state import State, stored_name

UPLOAD_SUFFIXES = {".xlsx", ".xlsm", ".ods", ".xls", ".csv"}
CHUNK = 1 << 20


async def store_all(state: State, uploads: list[UploadFile]) -> list[Path]:
    """Keep every upload (``store``), or none: those kept are deleted if one is refused."""
    paths: list[Path] = []
    try:
        for upload in uploads:
            paths.append(await run_in_threadpool(store, state, upload))
    except BaseException:
        await discard(state, paths)
        raise
    return paths


async def discard(state: State, paths: list[Path]) -> None:
    """Delete uploads that were refused or are done with, in a worker thread (shielded: a
    request cancelled half-way still deletes them)."""
    if paths:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(state.discard, paths)


def store(state: State, upload: UploadFile) -> Path:
    """Keep an uploaded workbook, owner-only, after checking its size, that the session has
    room for it and that its content is what its name says. Blocking: a worker thread's."""
    name = stored_name(upload.filename or "upload")
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InputFileError(t("file_type", path=name, suffix=suffix or "?"))
    source = upload.file
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(0)
    if size > MAX_UPLOAD:
        raise InputFileError(t("ui_too_big", mb=MAX_UPLOAD // 2**20))
    head = source.read(65536)
    if not head or not _looks_right(suffix, head):
        raise InputFileError(t("ui_not_a_workbook", name=name))
    with state.room_for(size):
        path = state.upload_path(name)
        try:
            flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
            with os.fdopen(os.open(path, flags, 0o600), "wb") as out:
                out.write(head)
                while chunk := source.read(CHUNK):
                    out.write(chunk)
        except OSError as exc:
            state.discard([path])
            raise InputFileError(t("file_not_written", path=name, reason=exc.strerror)) from exc
    return path


def _looks_right(suffix: str, head: bytes) -> bool:
    """Whether the first bytes are what the suffix says: a zip, an old Excel file, or text."""
    if suffix == ".xls":
        return head.startswith(OLE_MAGIC)
    if suffix in EXCEL_SUFFIXES:
        return head.startswith(ZIP_MAGIC)
    return b"\x00" not in head
