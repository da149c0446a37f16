"""Residents' photos: which file is whose, and whether it can be sent. One rule for the
command line (``simad submit --images DIR``), the engine and the page.

**Whose photo.** A photo is a file whose suffix is an image's (``.jpg``, ``.jpeg``, ``.png``
…) in the photo folder (not its subfolders). Its name before the suffix is read with Persian
and Arabic-Indic digits as ASCII ones; each run of digits in it (``photo-14010007.JPG``:
``14010007``) is compared with every resident's student number and national code. The photo
belongs to the resident one of its runs equals. A photo that names two residents, or a
resident named by two photos (``14010007.jpg`` and ``0012345678.jpg``), is not sent, with a
sentence saying which files clash: the office keeps one.

**Whether it can be sent.** Its content is a JPEG (it starts with ``FF D8 FF`` and holds the
end-of-image mark ``FF D9``), of ``MIN_IMAGE_BYTES`` to ``MAX_IMAGE_BYTES`` bytes (the size
taken before anything is read, the read bounded), and it can be read.

A folder may also hold ``REFUSED_FILE``: the photos an upload did not keep (a refused file is
not kept on disk), each with its reason, so that the resident's row says why.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.digits import ascii_digits
from pipeline.core.i18n import MESSAGES, listing, t

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MIN_IMAGE_BYTES = 100
JPEG_MAGIC = b"\xff\xd8\xff"
JPEG_END = b"\xff\xd9"
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".bmp", ".webp", ".heic", ".heif"}
    | {".tif", ".tiff"}
)
REFUSED_FILE = "refused.json"
MAX_REFUSED_BYTES = 1 << 20
_RUNS = re.compile(r"[0-9]+")

PRESENT, MISSING, UNUSABLE = "present", "missing", "unusable"

Problem = tuple[str, dict[str, Any]]  # a catalogue key and its values


_PLANNED: ContextVar[bool] = ContextVar("photos_planned", default=False)


@contextlib.contextmanager
def before_a_run() -> Iterator[None]:
    """Inside the block, what is wrong with a photo is said as before a run (the check page:
    "will not be sent"), not as a run's row message ("not sent")."""
    token = _PLANNED.set(True)
    try:
        yield
    finally:
        _PLANNED.reset(token)


def planned() -> bool:
    """Whether photos are spoken of as before a run (``before_a_run``)."""
    return _PLANNED.get()


def said(key: str, **values: Any) -> str:
    """A photo's problem in words: its before-a-run wording (``<key>_plan``) where it has one
    and ``before_a_run`` is in force."""
    if _PLANNED.get() and f"{key}_plan" in MESSAGES:
        key = f"{key}_plan"
    return t(key, **values)


def is_photo_name(name: str) -> bool:
    """Whether ``name`` is an image's by its suffix (any case)."""
    return Path(name).suffix.lower() in IMAGE_SUFFIXES


def name_keys(name: str) -> tuple[str, ...]:
    """The runs of digits in a file name before its suffix, Persian digits read as ASCII."""
    stem = Path(name.replace("\\", "/").rsplit("/", 1)[-1]).stem
    return tuple(dict.fromkeys(_RUNS.findall(ascii_digits(stem))))


def content_problem(name: str, head: bytes, size: int, tail: bytes | None = None) -> Problem | None:
    """What is wrong with a photo's content, as (catalogue key, values), or None: its size,
    its first bytes (``head``) and, when given, the bytes that must hold the end mark."""
    if not MIN_IMAGE_BYTES <= size <= MAX_IMAGE_BYTES:
        return "photo_size", {"name": name, "kb": size // 1024}
    if not head.startswith(JPEG_MAGIC):
        return "photo_not_jpeg", {"name": name}
    if tail is not None and tail.rfind(JPEG_END) < 0:
        return "photo_truncated", {"name": name}
    return None


def read_photo(path: Path) -> tuple[bytes | None, str]:
    """A photo's bytes, or None and why not. The size is checked from ``stat`` before anything
    is read, and the read is bounded, so a link to a huge file costs nothing."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            problem = content_problem(path.name, JPEG_MAGIC, size)  # the size alone first
            if problem is not None:
                return None, said(problem[0], **problem[1])
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        return None, t("photo_unreadable", name=path.name, reason=exc.strerror or exc)
    problem = content_problem(path.name, data, len(data), data[len(JPEG_MAGIC) :])
    if problem is not None:
        return None, said(problem[0], **problem[1])
    return data, ""


@dataclass(frozen=True)
class PhotoFile:
    """One photo of a folder: its name, where it is (None: refused on upload, not kept), the
    keys its name holds and, if it cannot be sent, why."""

    name: str
    path: Path | None
    keys: tuple[str, ...]
    problem: str = ""


@dataclass(frozen=True)
class Match:
    """One resident's photo: ``present`` (``photo`` can be sent), ``missing`` or
    ``unusable`` (``reason`` says why; ``photo`` is the file, if there is one)."""

    status: str
    photo: PhotoFile | None = None
    reason: str = ""


def scan(folder: Path, *, check: bool = True) -> list[PhotoFile]:
    """The photos of ``folder``, by name, each checked (``check``: its content read) and the
    upload's refusals (``REFUSED_FILE``) among them."""
    found: dict[str, PhotoFile] = {}
    with contextlib.suppress(OSError):
        for path in sorted(folder.iterdir()):
            if not is_photo_name(path.name) or not path.is_file():
                continue
            problem = read_photo(path)[1] if check else ""
            found[path.name] = PhotoFile(path.name, path, name_keys(path.name), problem)
    for name, (key, values) in refused(folder).items():
        found.setdefault(name, PhotoFile(name, None, name_keys(name), said(key, **values)))
    return sorted(found.values(), key=lambda p: p.name)


def refused(folder: Path) -> dict[str, Problem]:
    """The photos an upload refused: name → (catalogue key, values); {} when none."""
    path = folder / REFUSED_FILE
    try:
        with path.open("rb") as handle:
            raw = json.loads(handle.read(MAX_REFUSED_BYTES))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {
        str(name): (str(item[0]), dict(item[1]))
        for name, item in raw.items()
        if isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict)
    }


def record_refused(folder: Path, changes: Mapping[str, Problem | None]) -> None:
    """Add (or, with None, remove) refusals in ``folder``'s ``REFUSED_FILE``, owner-only."""
    kept: dict[str, Any] = {name: list(p) for name, p in refused(folder).items()}
    for name, problem in changes.items():
        if problem is None:
            kept.pop(name, None)
        else:
            kept[name] = list(problem)
    path = folder / REFUSED_FILE
    if not kept:
        with contextlib.suppress(OSError):
            path.unlink()
        return
    temporary = folder / f".{REFUSED_FILE}.tmp"
    flags = os.O_CREAT | os.O_TRUNC | os.O_WRONLY
    with os.fdopen(os.open(temporary, flags, 0o600), "w", encoding="utf-8") as out:
        json.dump(kept, out, ensure_ascii=False)
    os.replace(temporary, path)


def merge(source: Path, folder: Path) -> None:
    """The photos of ``source`` moved into ``folder`` as if dropped there after what it holds
    (a photo of the same name replaces the earlier one, a refusal removes it), their refusals
    with them; ``source`` removed."""
    if not source.is_dir():
        return
    changes: dict[str, Problem | None] = {}
    for path in sorted(source.iterdir()):
        if is_photo_name(path.name) and path.is_file():
            os.replace(path, folder / path.name)
            changes[path.name] = None
    for name, problem in refused(source).items():
        (folder / name).unlink(missing_ok=True)
        changes[name] = problem
    record_refused(folder, changes)
    shutil.rmtree(source, ignore_errors=True)


def folder_bytes(folder: Path) -> int:
    """Bytes of the files ``folder`` holds (not its subfolders)."""
    total = 0
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            with contextlib.suppress(OSError):
                if path.is_file():
                    total += path.stat().st_size
    return total


def match(
    residents: Iterable[tuple[str, str]], photos: list[PhotoFile]
) -> tuple[list[Match], list[PhotoFile]]:
    """Each resident's photo (residents as (student number, national code), in order), and
    the photos that name no resident."""
    people = list(residents)
    owners: dict[str, set[int]] = {}
    for n, (student, national) in enumerate(people):
        for key in (student, national):
            if key:
                owners.setdefault(ascii_digits(str(key)), set()).add(n)
    claimed: dict[int, list[PhotoFile]] = {}
    shared: dict[str, PhotoFile] = {}
    unmatched = []
    for photo in photos:
        whose = set().union(*(owners.get(k, set()) for k in photo.keys))
        if not whose:
            unmatched.append(photo)
        for n in whose:
            claimed.setdefault(n, []).append(photo)
        if len(whose) > 1:
            shared[photo.name] = photo
    return [_one(claimed.get(n, []), shared) for n in range(len(people))], unmatched


def _one(mine: list[PhotoFile], shared: Mapping[str, PhotoFile]) -> Match:
    if not mine:
        return Match(MISSING)
    if len(mine) > 1:
        return Match(UNUSABLE, mine[0], said("photo_two", names=listing(p.name for p in mine)))
    photo = mine[0]
    if photo.name in shared:
        return Match(UNUSABLE, photo, said("photo_shared", name=photo.name))
    if photo.problem or photo.path is None:
        return Match(UNUSABLE, photo, photo.problem)
    return Match(PRESENT, photo)
