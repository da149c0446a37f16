"""What the ledger says about residents' photos, for a face that shows what a run would send:
the photos a target accepted (by student number, their digests) and the digest of a photo's
bytes, computed as the engine computes it. The ledger is read, never written (a page drawn
during a run takes no write lock), and read again only when it changed."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

from pipeline.core.config import simad_home
from pipeline.simad.ledger import ACCEPTED
from pipeline.simad.payloads import payload_hash

_SEEN: dict[tuple[str, str], tuple[tuple[int, ...], dict[str, str]]] = {}
_SEEN_LOCK = threading.Lock()


def photo_digest(data: bytes) -> str:
    """A photo's digest as the ledger records it."""
    return payload_hash(data)


def _stamp(path: Path) -> tuple[int, ...]:
    """When the ledger (and its write-ahead log) last changed, and their sizes."""
    stamp: list[int] = []
    for part in (path, path.with_name(path.name + "-wal")):
        try:
            info = part.stat()
        except OSError:
            stamp += [0, 0]
        else:
            stamp += [info.st_mtime_ns, info.st_size]
    return tuple(stamp)


def accepted_photos(target: str, home: Path | None = None) -> dict[str, str]:
    """The photos ``target`` accepted, by student number: their digests ({} with no ledger;
    a ledger that cannot be read counts as none: nothing is taken as accepted)."""
    path = (home or simad_home()) / "ledger.db"
    if not path.is_file():
        return {}
    stamp = _stamp(path)
    key = (str(path), target)
    with _SEEN_LOCK:
        seen = _SEEN.get(key)
    if seen is not None and seen[0] == stamp:
        return seen[1]
    found: dict[str, str] = {}
    with contextlib.suppress(sqlite3.Error, OSError):
        uri = path.resolve().as_uri() + "?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=2.0)) as db:
            rows = db.execute(
                "SELECT key, payload_hash FROM outcomes WHERE target = ? AND kind = 'image' "
                "AND state = ?",
                (target, ACCEPTED),
            ).fetchall()
            found = {str(k): str(h) for k, h in rows}
    with _SEEN_LOCK:
        _SEEN[key] = (stamp, found)
    return found
