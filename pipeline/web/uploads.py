"""Uploaded files kept in the session folder: checked by size, by the session's room and by
content (a workbook is a zip or an old Excel file; a CSV is text), copied in pieces (never the
whole file in memory), owner-only. All of it in worker threads; a refused upload is deleted.

Photos (``sheets.photos``) go to the open workbook's photo folder (held with it), or, dropped
with workbooks, to the session's until those are opened, added to what is there (a photo
of the same name replaces the earlier one): each one's content checked there and then (a
JPEG, of a usable size), one that fails not kept but recorded with its reason for the check
page. A ``.zip`` of photos is unpacked in memory entry by entry: at most ``MAX_ZIP_ENTRIES``
entries and ``MAX_ZIP_TOTAL`` bytes once unpacked (as its directory says; each read bounded
whatever it says), only image entries, each kept under its own name without folders (an
entry whose name climbs out of the archive, ``../x.jpg``, is left out and said so), names
without bidirectional control characters.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import IO, Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from pipeline.commands.photos import accepted_photos, photo_digest
from pipeline.core.errors import InputFileError
from pipeline.core.i18n import current_lang, t
from pipeline.sheets import photos
from pipeline.sheets.reader import EXCEL_SUFFIXES, OLE_MAGIC, ZIP_MAGIC
from pipeline.web.security import MAX_UPLOAD
from pipeline.web.state import State, stored_name

UPLOAD_SUFFIXES = {".xlsx", ".xlsm", ".ods", ".xls", ".csv"}
PHOTO_SUFFIXES = photos.IMAGE_SUFFIXES | {".zip"}
CHUNK = 1 << 20
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_TOTAL = 200 * 2**20
MAX_PHOTO_BYTES = 800 * 2**20  # the photos held with a workbook: 400 residents at 2 MB
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_JUNK = ("__MACOSX/", "Thumbs.db", "desktop.ini")


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


def _measured(source: IO[bytes]) -> int:
    """An uploaded file's size, read back to its start; ``InputFileError`` beyond the limit."""
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(0)
    if size > MAX_UPLOAD:
        raise InputFileError(t("ui_too_big", mb=MAX_UPLOAD // 2**20))
    return size


def store(state: State, upload: UploadFile) -> Path:
    """Keep an uploaded workbook, owner-only, after checking its size, that the session has
    room for it and that its content is what its name says. Blocking: a worker thread's."""
    name = stored_name(upload.filename or "upload")
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InputFileError(t("file_type", path=name, suffix=suffix or "?"))
    source = upload.file
    size = _measured(source)
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


# -- photos -------------------------------------------------------------------------------------


def is_photo_upload(name: str) -> bool:
    """Whether an uploaded file is a photo or a zip of them (by its suffix)."""
    return Path(name).suffix.lower() in PHOTO_SUFFIXES


def is_junk(name: str) -> bool:
    """A file a folder or an archive carries besides the photos (hidden, the system's)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.startswith(".") or any(j in name for j in _JUNK)


def photo_name(name: str) -> str:
    """The name a photo is kept and shown under: no folders, no bidirectional controls."""
    return stored_name(_BIDI.sub("", name))


def store_photos(state: State, uploads: list[UploadFile], *, staged: bool = False) -> int:
    """Keep the uploaded photos (and the photos of uploaded zips) with the open workbook's
    (``state.photos``), or, ``staged``, with the workbooks of the same drop, not yet open
    (``state.incoming``); how many were kept. Those refused are recorded with their reasons.
    The photos held stay under ``MAX_PHOTO_BYTES``. Blocking."""
    folder = state.incoming if staged else state.photos
    found: list[tuple[str, bytes | None, int]] = []  # name, content (None: refused), size
    changes: dict[str, photos.Problem | None] = {}
    for upload in uploads:
        name = photo_name(upload.filename or "photo.jpg")
        source = upload.file
        size = _measured(source)
        if Path(name).suffix.lower() == ".zip":
            found.extend(_unzip(source, name, changes))
        else:
            data = source.read(photos.MAX_IMAGE_BYTES + 1)
            found.append((name, data, size))
    adding = sum(len(data or b"") for _, data, _ in found)
    held = photos.folder_bytes(state.photos) + photos.folder_bytes(state.incoming)
    if held + adding > MAX_PHOTO_BYTES:
        raise InputFileError(t("ui_photos_full", mb=MAX_PHOTO_BYTES // 2**20))
    with state.room_for(adding if staged else 0):
        kept = sum(_keep(folder, name, data, size, changes) for name, data, size in found)
    photos.record_refused(folder, changes)
    return kept


def _keep(folder: Path, name: str, data: bytes | None, size: int, changes: dict[str, Any]) -> int:
    """Keep one photo if its content is right (1), else record why not (0)."""
    target = folder / name
    problem = None
    if data is not None:
        problem = photos.content_problem(name, data, size, data[len(photos.JPEG_MAGIC) :])
    if data is None or problem is not None:
        if problem is not None:
            changes[name] = problem
        target.unlink(missing_ok=True)
        return 0
    part = folder / f".{uuid.uuid4().hex[:8]}.part"
    try:
        flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
        with os.fdopen(os.open(part, flags, 0o600), "wb") as out:
            out.write(data)
        os.replace(part, target)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise InputFileError(t("file_not_written", path=name, reason=exc.strerror)) from exc
    changes[name] = None
    return 1


def _unzip(
    source: IO[bytes], name: str, changes: dict[str, Any]
) -> list[tuple[str, bytes | None, int]]:
    """The image entries of an uploaded zip, each read bounded: (name, content, size);
    content None for one left out (its reason in ``changes``)."""
    if source.read(len(ZIP_MAGIC)) != ZIP_MAGIC:
        raise InputFileError(t("photo_zip_bad", name=name))
    source.seek(0)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputFileError(t("photo_zip_bad", name=name)) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise InputFileError(t("photo_zip_too_many", name=name, most=MAX_ZIP_ENTRIES))
        for entry in entries:
            entry.filename = entry_name(entry)
        wanted = [
            e
            for e in entries
            if not e.is_dir() and photos.is_photo_name(e.filename) and not is_junk(e.filename)
        ]
        if sum(e.file_size for e in wanted) > MAX_ZIP_TOTAL:
            raise InputFileError(t("photo_zip_too_big", name=name, mb=MAX_ZIP_TOTAL // 2**20))
        return [_entry(archive, entry, changes) for entry in wanted]


_UTF8_NAME = 0x800  # the zip's flag bit 11: the entry's name is UTF-8
_LEGACY_CODECS = ("cp720", "cp1256")  # Windows' Persian/Arabic OEM and ANSI code pages


def entry_name(entry: zipfile.ZipInfo) -> str:
    """A zip entry's name as it was meant: one written without the UTF-8 flag (``zip``,
    Windows' compressed folders) is read by ``zipfile`` as cp437; its bytes are read again as
    UTF-8 if they are valid UTF-8, else in the Persian code page that gives the most
    Persian/Arabic or plain ASCII characters, cp437 only when none reads them."""
    if entry.flag_bits & _UTF8_NAME:
        return entry.filename
    try:
        raw = entry.filename.encode("cp437")
    except UnicodeEncodeError:
        return entry.filename
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best, score = entry.filename, _readable(entry.filename)
    for codec in _LEGACY_CODECS:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if _readable(text) > score:
            best, score = text, _readable(text)
    return best


def _readable(text: str) -> int:
    """How many characters of a name are Persian/Arabic (letters or digits) or plain ASCII."""
    return sum(
        " " <= c <= "~" or "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff" for c in text
    )


def _entry(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, changes: dict[str, Any]
) -> tuple[str, bytes | None, int]:
    name = photo_name(entry.filename)
    parts = PurePosixPath(entry.filename.replace("\\", "/")).parts
    if ".." in parts or entry.filename.startswith(("/", "\\")) or ":" in entry.filename:
        changes[name] = ("photo_zip_unsafe", {"name": name})
        return name, None, 0
    try:
        with archive.open(entry) as member:
            data = member.read(photos.MAX_IMAGE_BYTES + 1)
    except (zipfile.BadZipFile, OSError, zlib.error, NotImplementedError, RuntimeError) as exc:
        changes[name] = ("photo_unreadable", {"name": name, "reason": type(exc).__name__})
        return name, None, 0
    return name, data, max(len(data), entry.file_size)


def split_uploads(files: list[UploadFile]) -> tuple[list[UploadFile], list[UploadFile]]:
    """(the workbooks, the photos) of one drop; what a chosen folder carries besides them
    (hidden files, the system's, other kinds inside the folder) is left aside."""
    books: list[UploadFile] = []
    pictures: list[UploadFile] = []
    for upload in files:
        name = upload.filename or ""
        if is_photo_upload(name):
            if not is_junk(name):
                pictures.append(upload)
        elif not is_junk(name) and (
            "/" not in name or Path(name).suffix.lower() in UPLOAD_SUFFIXES
        ):
            books.append(upload)
    return books, pictures


def photos_kept(state: State) -> int:
    """How many photos are held, or wait for their workbooks (refusals not counted).
    Blocking."""
    held, waiting = state.bench / "photos", state.folder / "photos"  # none made by a look
    found = photos.scan(held, check=False) + photos.scan(waiting, check=False)
    return len({p.name for p in found if p.path is not None})


_CHECKED: dict[tuple[str, int, int, str, bool], tuple[str, str]] = {}  # why, digest
_CHECKED_LOCK = threading.Lock()
MAX_CHECKED = 20_000


def checked(photo: photos.PhotoFile) -> tuple[str, str]:
    """(what is wrong with ``photo``, "" if nothing; its digest, "" if it cannot be sent),
    read and hashed once per file as it stands (its size and time of change): a check page
    drawn again after each correction reads no photo again. Blocking."""
    if photo.path is None:
        return photo.problem, ""
    try:
        info = photo.path.stat()
    except OSError as exc:
        return t("photo_unreadable", name=photo.name, reason=exc.strerror or exc), ""
    key = (str(photo.path), info.st_size, info.st_mtime_ns, current_lang(), photos.planned())
    with _CHECKED_LOCK:
        known = _CHECKED.get(key)
    if known is None:
        data, problem = photos.read_photo(photo.path)
        known = (problem, photo_digest(data) if data is not None else "")
        with _CHECKED_LOCK:
            if len(_CHECKED) >= MAX_CHECKED:
                _CHECKED.clear()
            _CHECKED[key] = known
    return known


def _scanned(folder: Path) -> tuple[list[photos.PhotoFile], dict[str, str]]:
    """The photos of ``folder``, each checked (``checked``), and their digests by name."""
    found, digests = [], {}
    for photo in photos.scan(folder, check=False):
        problem, digest = checked(photo)
        found.append(replace(photo, problem=problem) if problem else photo)
        digests[photo.name] = digest
    return found, digests


def photo_view(state: State, ws: Any) -> dict[str, Any]:
    """The check page's photos: per resident of the open workbooks present, missing or
    unusable (with the reason), the counts, the photos that name nobody, and how many the
    next run sends (present, and not accepted unchanged by the chosen target); a photo's
    problem said as before a run ("will not be sent"). Blocking."""
    with photos.before_a_run():
        return _photo_view(state, ws)


def _photo_view(state: State, ws: Any) -> dict[str, Any]:
    found, digests = _scanned(state.photos)
    accepted = accepted_photos(state.target) if state.target and found else {}
    people: list[tuple[str, str]] = []
    rows: list[dict[str, Any]] = []
    for result in ws.run.results:
        if result.sheet.kind != "residents":
            continue
        frame = result.frame
        for i, row in enumerate(result.sheet.row_numbers):
            value = {k: _text(frame, k, i) for k in ("StudentNumber", "NationalCode")}
            people.append((value["StudentNumber"], value["NationalCode"]))
            name = " ".join(filter(None, (_text(frame, k, i) for k in ("FirstName", "LastName"))))
            rows.append({"sheet": result.sheet.label, "row": row, "name": name, **value})
    matches, unmatched = photos.match(people, found)
    counts = dict.fromkeys((photos.PRESENT, photos.MISSING, photos.UNUSABLE), 0)
    send = 0
    for row, found_one in zip(rows, matches, strict=True):
        counts[found_one.status] += 1
        photo = found_one.photo
        if found_one.status == photos.PRESENT and photo is not None:
            before = accepted.get(row["StudentNumber"])
            row["accepted"] = before is not None and before == digests.get(photo.name)
            send += not row["accepted"]
        row.update(status=found_one.status, photo=photo.name if photo else "")
        reason = found_one.reason  # the file name in it isolated: never shown reversed
        row["reason"] = (
            reason.replace(row["photo"], f"\u2066{row['photo']}\u2069") if photo else reason
        )
    return {
        "any": bool(found),
        "total": len(rows),
        "counts": counts,
        "send": send,
        "accepted": counts[photos.PRESENT] - send,
        "rows": rows,
        "unmatched": [p.name for p in unmatched],
    }


def _text(frame: Any, column: str, i: int) -> str:
    if column not in frame.columns:
        return ""
    value = frame[column].iloc[i]
    return "" if value is None or value != value else str(value)  # None or NaN: empty


def photo_folder(state: State) -> Path | None:
    """The open workbook's photo folder for a submission, or None when it holds no photo (a run
    then has no photos phase, and no row says its photo is missing). Blocking."""
    return state.photos if photos.scan(state.photos, check=False) else None
