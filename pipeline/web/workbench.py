"""The open workbooks held on disk, so that no correction is lost to a reload, a closed browser
or a restart of the app: a copy of each file as opened, the list of corrections and the
photos dropped for it (``photos/``), in an owner-only folder of SIMAD_HOME (``workbench/``),
written again after every correction, undo and download (``pipeline.commands.workspace.hold``),
opened again when the app starts, and deleted only when the person closes or replaces the
workbooks (or, the photos alone, removes them).

Replacing or closing workbooks whose corrections are in no downloaded file asks first: the
new uploads wait (``State.waiting``) until the person answers on the question page.
Blocking functions: call them in a worker thread.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import structlog

from pipeline.commands import workspace as ws_commands
from pipeline.core.config import resolve_target
from pipeline.core.errors import ConfigError, LocalStorageError, SimadError
from pipeline.core.i18n import language, t
from pipeline.core.private import private_dir, private_file
from pipeline.core.redact import scrub
from pipeline.sheets import photos
from pipeline.sheets.reader import Workbook
from pipeline.web import isolated
from pipeline.web.state import State

log = structlog.get_logger("simad.ui")
ASIDE = "workbench-unrestored"  # beside ``workbench``: what could not be opened again
SETTINGS = "ui-settings.json"  # beside ``workbench``: the target chosen on the start page


def keep_target(home: Path, target: str) -> None:
    """The target chosen on the start page (a validated address or ``sandbox``, never a
    credential), kept owner-only for the next start; written whole or not at all."""
    path = home / SETTINGS
    part = private_file(private_dir(home) / f".{SETTINGS}.{uuid.uuid4().hex[:8]}")
    try:
        part.write_text(json.dumps({"target": target}), encoding="utf-8")
        os.replace(part, path)
    except OSError as exc:
        log.warning("ui_target_not_kept", error=type(exc).__name__)
    finally:
        part.unlink(missing_ok=True)


def kept_target(home: Path) -> str | None:
    """The target chosen last time, checked again (None: none, or no longer usable)."""
    try:
        value = json.loads((home / SETTINGS).read_text(encoding="utf-8")).get("target")
        return resolve_target(value) if isinstance(value, str) and value else None
    except (OSError, ValueError, AttributeError, ConfigError):
        return None


def hold(state: State, ws: ws_commands.Workspace) -> None:
    """``ws`` is held from now on, in place of what was held before, with the photos of the
    drop that brought it (``state.incoming``). The photos held before stay when no workbook
    was open (dropped first, the workbook after), and go with the workbooks they replace."""
    aside = state.folder / f"photos-{uuid.uuid4().hex[:8]}"
    try:
        if state.workspace is None and (state.bench / "photos").is_dir():
            os.replace(state.bench / "photos", aside)
        ws_commands.hold(ws, state.bench)
        photos.merge(aside, state.photos)
        photos.merge(state.incoming, state.photos)
    except OSError as exc:
        log.warning("ui_hold_failed", error=type(exc).__name__)
        raise LocalStorageError(t("ui_held_not_written", reason=exc.strerror or exc)) from exc
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def save(state: State, ws: ws_commands.Workspace) -> None:
    """The corrections of ``ws`` written again (after a correction, an undo, a download)."""
    if state.workspace is not ws:
        return
    try:
        ws_commands.save_held(ws, state.bench)
    except OSError as exc:
        log.warning("ui_hold_failed", error=type(exc).__name__)
        raise LocalStorageError(t("ui_held_not_written", reason=exc.strerror or exc)) from exc


def close(state: State) -> None:
    """The open workbooks closed by the person: forgotten, in memory and on disk."""
    with state.lock:
        state.workspace = None
        state.view = {}
        ws_commands.forget_held(state.bench)  # its photos too
        shutil.rmtree(state.incoming, ignore_errors=True)
    state.tidy()


def remove_photos(state: State) -> None:
    """The photos dropped in the page removed (held and waiting), the workbooks kept."""
    with state.lock:
        shutil.rmtree(state.bench / "photos", ignore_errors=True)
        shutil.rmtree(state.folder / "photos", ignore_errors=True)


def photos_held(state: State) -> int:
    """How many photos are held (refusals not counted), or waiting for their workbooks when
    none is open: what replacing or closing the workbooks removes."""
    found = photos.scan(state.bench / "photos", check=False)
    return sum(p.path is not None for p in found)


def wait_for_answer(state: State, paths: list[Path]) -> bool:
    """Whether the uploads ``paths`` must wait for the person's answer (kept as
    ``state.waiting``, replacing any that waited before): the open workbooks have
    corrections in no downloaded file, or photos that replacing them removes."""
    with state.lock:
        ws = state.workspace
        if ws is None or not (ws.unsaved() or photos_held(state)):
            return False
        before, state.waiting = state.waiting, list(paths)
    state.discard([p for p in before if p not in paths])
    return True


def cancel(state: State) -> None:
    """The uploads that waited are not opened: deleted."""
    with state.lock:
        before, state.waiting = state.waiting, []
        shutil.rmtree(state.folder / "photos", ignore_errors=True)  # the drop's photos too
    state.discard(before)


def restore(state: State) -> None:
    """At the start: the workbooks held last time opened again, their corrections made again.
    One that cannot be is set aside (``workbench-unrestored``) and said in a sentence on the
    start page (``state.note``), never a traceback."""
    folder = state.bench
    names = ws_commands.held_names(folder)

    def read(paths: list[Path]) -> list[Workbook]:
        return [isolated.read_book(path, scratch=state.scratch) for path in paths]

    with language(state.lang):
        try:
            ws = ws_commands.restore_held(folder, read, target=state.target)
        except Exception as exc:  # any fault: a sentence, and the files kept aside
            reason = scrub(exc) if isinstance(exc, SimadError) else type(exc).__name__
            log.warning("ui_restore_failed", error=type(exc).__name__)
            aside = folder.with_name(ASIDE)
            ws_commands.set_aside(folder, aside)
            shown = ", ".join(names) or "?"
            state.note = t("ui_held_unrestored", names=shown, reason=reason, folder=aside)
            return
    if ws is not None:
        state.opened(ws)
