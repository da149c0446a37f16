"""The submission engine: residents, then their photos, then declarations.

Every row's outcome is committed to the ledger as soon as it is known; rows the target
already accepted with the same payload are ``unchanged`` and not sent again. A declaration a
killed run left in flight is sent again only when the server's list positively lacks it;
when the server's answer cannot say (not the API's list, or no answer), the run stops before
anything is sent. The engine receives its client (which carries the retry policy and tells
the engine of each retry through ``on_retry``) and its ledger, so tests never sleep or touch
a network.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from pipeline.core.config import DEFAULT_CONCURRENCY
from pipeline.core.errors import LocalStorageError, RemoteError, RemoteUnreachable, RetryableError
from pipeline.core.i18n import t, when, word
from pipeline.core.redact import scrub
from pipeline.net.limiter import PUSH_BACK, InFlight
from pipeline.sheets.validation import Finding, SheetResult, ValidationRun
from pipeline.simad.client import CallResult, SimadClient
from pipeline.simad.compare import differences
from pipeline.simad.ledger import ACCEPTED, FAILED, REFUSED, SENDING, Ledger, Recorded
from pipeline.simad.payloads import build_payload, payload_hash, row_key

log = structlog.get_logger("simad.submit")

SENT, UNCHANGED, FAILED_ROW, NOT_SENT, INVALID = (
    "sent",
    "unchanged",
    "failed",
    "not_sent",
    "invalid",
)
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MIN_IMAGE_BYTES = 100
# A row's own identifiers, which a refusal of that row may quote; any other is redacted.
OWN_VALUES = ("StudentNumber", "NationalCode", "Mobile", "Email")


@dataclass
class RowOutcome:
    status: str | None = None  # None until decided
    messages: list[str] = field(default_factory=list)  # the engine's, about sending
    http_status: int | None = None
    server_message: str | None = None
    trace_id: str | None = None
    attempts: int = 0
    sent_at: str | None = None
    found: Sequence[Finding] = ()  # validation's findings of the row (shared, not copied)

    def all_messages(self) -> list[str]:
        """Validation's messages, then the engine's."""
        return [f.message for f in self.found] + self.messages


@dataclass
class Item:
    result: SheetResult
    index: int
    kind: str  # resident | declaration
    key: str
    payload: dict[str, Any]
    digest: str

    @property
    def student(self) -> str:
        return str(self.payload["StudentNumber"])

    def clean(self, text: object) -> str:
        """A server's text about this row, without anybody else's identifiers."""
        return scrub(text, keep=[self.payload.get(name) for name in OWN_VALUES])


@dataclass
class Progress:
    total: int = 0
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    # The latest rows the server refused or that failed: (file › sheet, row, server's message).
    failures: deque[tuple[str, int, str]] = field(default_factory=lambda: deque(maxlen=5))
    pace: float | None = None  # requests per second the sender keeps to; None: not limited


class Engine:
    def __init__(
        self,
        run: ValidationRun,
        client: SimadClient | None,
        ledger: Ledger,
        *,
        target: str,
        run_id: str,
        concurrency: int = DEFAULT_CONCURRENCY,
        force: bool = False,
        images: Path | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        unreachable_after: int | None = None,
    ):
        self.run = run
        self.client = client
        self.ledger = ledger
        self.target = target
        self.run_id = run_id
        self.in_flight = InFlight(concurrency)
        self.pushed_back = 0  # answers asking to slow down (429, 503), retries included
        self.force = force
        self.images = images
        self.on_progress = on_progress
        self.unreachable_after = unreachable_after or max(3, concurrency)
        self.fatal: Exception | None = None
        self.stopping = False  # asked to stop: rows in flight finish, no new row starts
        self._failure_streak = 0
        self.progress = Progress()
        self.requests = 0
        self.send_seconds = self.send_cpu_seconds = 0.0
        # One outcome per input row, in sheet order.
        self.outcomes: dict[int, list[RowOutcome]] = {}
        for n, result in enumerate(run.results):
            rows = []
            for i in range(len(result.sheet.rows)):
                outcome = RowOutcome(found=result.row_findings(i))
                if result.status(i) == INVALID:
                    outcome.status = INVALID
                else:
                    self.progress.total += 1  # the progress counts the rows to send
                rows.append(outcome)
            self.outcomes[n] = rows
        self._sheet_no = {id(r): n for n, r in enumerate(run.results)}

    @property
    def _remote(self) -> SimadClient:
        if self.client is None:
            raise RuntimeError("the engine was started without a client")
        return self.client

    # -- bookkeeping -----------------------------------------------------------------------

    def outcome(self, result: SheetResult, index: int) -> RowOutcome:
        return self.outcomes[self._sheet_no[id(result)]][index]

    def _settle(self, outcome: RowOutcome, status: str) -> None:
        first = outcome.status is None
        outcome.status = status
        if first and status == UNCHANGED:
            self.progress.total -= 1  # not sent: out of the progress bar's total
        elif first:
            self.progress.done += 1
        self.progress.counts[status] = self.progress.counts.get(status, 0) + 1
        self.progress.pace = self.client.pace.current if self.client is not None else None
        if self.on_progress is not None:
            self.on_progress(self.progress)

    def stop(self) -> None:
        """Start no new row (from any thread); the rows in flight finish and are recorded."""
        self.stopping = True

    @property
    def going(self) -> bool:
        return self.fatal is None and not self.stopping

    def _failure(self, item: Item, outcome: RowOutcome) -> None:
        where = item.result.sheet
        self.progress.failures.append(
            (where.label, where.row_numbers[item.index], outcome.server_message or "")
        )
        self._settle(outcome, FAILED_ROW)

    def _unchanged(self, outcome: RowOutcome, seen: Recorded) -> None:
        """Not sent again: the proof of the earlier acceptance (when, trace id) goes with it."""
        outcome.trace_id = seen.trace_id
        if seen.updated_at is not None:
            accepted = datetime.fromtimestamp(seen.updated_at, UTC)
            outcome.sent_at = accepted.isoformat(timespec="seconds")
            outcome.messages.append(
                t("accepted_earlier", when=when(seen.updated_at), run_id=seen.run_id or "-")
            )
        self._settle(outcome, UNCHANGED)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for rows in self.outcomes.values():
            for o in rows:
                status = o.status or NOT_SENT
                out[status] = out.get(status, 0) + 1
        return out

    def finalize(self, reason: str | None = None) -> None:
        """Every row not decided yet is ``not_sent``, with the reason."""
        for rows in self.outcomes.values():
            for o in rows:
                if o.status is None:
                    o.status = NOT_SENT
                    if reason:
                        o.messages.append(reason)

    # -- plan ------------------------------------------------------------------------------

    def _items(self, sheet_kind: str) -> list[Item]:
        kind = "resident" if sheet_kind == "residents" else "declaration"
        items = []
        for result in self.run.results:
            if result.sheet.kind != sheet_kind:
                continue
            records = result.frame.to_dict("records")
            for i, record in enumerate(records):
                if self.outcome(result, i).status == INVALID:
                    continue
                payload = build_payload(sheet_kind, record)
                items.append(
                    Item(
                        result,
                        i,
                        kind,
                        row_key(sheet_kind, payload),
                        payload,
                        payload_hash(payload),
                    )
                )
        return items

    # -- sending ---------------------------------------------------------------------------

    async def execute(self) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            await self._execute()
        finally:
            self.send_seconds = time.perf_counter() - wall
            self.send_cpu_seconds = time.process_time() - cpu

    async def _execute(self) -> None:
        """Log in once, then the three phases. A refused login, an answer the client cannot
        understand, or a ledger that cannot be written stops the run (``fatal``); the rows
        not decided by then are ``not_sent``."""
        try:
            await self._remote.authenticate()
        except RemoteError as exc:
            self.fatal = exc
            return
        residents = self._items("residents")
        declarations = self._items("upgrades")
        await self._confirm_in_flight(declarations)
        if self.going:
            await self._phase(residents, self._remote.add_or_update_resident)
        if self.images is not None and self.going:
            await self._images(residents)
        if self.going:
            self._gate_declarations(residents, declarations)
            await self._phase(declarations, self._remote.add_or_update_declaration)

    async def _phase(
        self, items: list[Item], send: Callable[[dict[str, Any]], Awaitable[CallResult]]
    ) -> None:
        recorded = self.ledger.recorded(self.target, items[0].kind) if items else {}
        todo = []
        for item in items:
            outcome = self.outcome(item.result, item.index)
            if outcome.status is not None:
                continue
            seen = recorded.get(item.key)
            if (
                not self.force
                and seen is not None
                and seen.state == ACCEPTED
                and seen.payload_hash == item.digest
            ):
                self._unchanged(outcome, seen)
                continue
            todo.append(item)
        await self._pool(todo, lambda item: self._send(item, send))

    async def _pool(self, items: list[Any], work: Callable[[Any], Awaitable[None]]) -> None:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while self.going:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                async with self.in_flight:
                    if self.going:
                        await work(item)

        await asyncio.gather(*(worker() for _ in range(min(self.in_flight.maximum, len(items)))))

    def on_retry(self, attempt: int, exc: RetryableError, wait: float) -> None:
        """Told by the client of each retry (the client's pace has already slowed down on a
        429 or 503)."""
        if exc.status in PUSH_BACK:
            self.pushed_back += 1
        log.info(
            "retry", attempt=attempt, status=exc.status, wait=round(wait, 2), trace_id=exc.trace_id
        )

    async def _send(
        self, item: Item, send: Callable[[dict[str, Any]], Awaitable[CallResult]]
    ) -> None:
        outcome = self.outcome(item.result, item.index)
        try:
            self.ledger.mark_sending(self.target, item.kind, item.key, item.digest, self.run_id)
            result = await send(item.payload)
        except RetryableError as exc:
            self.requests += exc.attempts
            self._failed(item, outcome, exc)
            return
        except (RemoteError, LocalStorageError) as exc:
            self._stop(exc)
            return
        attempts = result.attempts
        self.requests += attempts
        self._failure_streak = 0
        outcome.attempts = attempts
        outcome.http_status = result.status
        outcome.trace_id = result.trace_id
        outcome.sent_at = datetime.now(UTC).isoformat(timespec="seconds")
        if result.ok:
            declaration_year = item.payload.get("YearId") if item.kind == "declaration" else None
            self._record(
                item,
                ACCEPTED,
                http_status=result.status,
                attempts=attempts,
                year_id=declaration_year,
                payload=item.payload if declaration_year else None,
            )
            self._settle(outcome, SENT)
        else:
            text = item.clean(result.problem.text if result.problem else "")
            outcome.server_message = text
            self._record(
                item,
                REFUSED,
                http_status=result.status,
                message=text,
                trace_id=result.trace_id,
                attempts=attempts,
            )
            self._failure(item, outcome)
        log.info(
            "row",
            kind=item.kind,
            key=item.key,
            status=outcome.status,
            http_status=result.status,
            trace_id=result.trace_id,
            attempts=attempts,
        )

    def _record(self, item: Item, state: str, **details: Any) -> None:
        self._record_as(item.kind, item.key, item.digest, state, **details)

    def _record_as(self, kind: str, key: str, digest: str, state: str, **details: Any) -> None:
        """Commit an outcome; a ledger that cannot be written stops the run."""
        try:
            self.ledger.record(self.target, kind, key, digest, state, self.run_id, **details)
        except LocalStorageError as exc:
            self._stop(exc)

    def _stop(self, exc: Exception) -> None:
        if self.fatal is None:
            self.fatal = exc
            log.warning("run_stopped", error=type(exc).__name__)

    def _failed(self, item: Item, outcome: RowOutcome, exc: RetryableError) -> None:
        outcome.attempts = exc.attempts
        outcome.http_status = exc.status
        outcome.server_message = item.clean(exc)
        outcome.trace_id = exc.trace_id
        self._record(
            item,
            FAILED,
            http_status=exc.status,
            message=outcome.server_message,
            trace_id=exc.trace_id,
            attempts=exc.attempts,
        )
        self._failure(item, outcome)
        log.warning("row_failed", kind=item.kind, key=item.key, status=exc.status)
        self._failure_streak += 1
        if self._failure_streak >= self.unreachable_after:
            self._stop(RemoteUnreachable(t("unreachable", error=scrub(exc)), status=exc.status))

    # -- photos ----------------------------------------------------------------------------

    def _photo(self, student: str) -> tuple[Path | None, str]:
        """(the photo file of ``student``, its digest), or (None, what is wrong with it)."""
        assert self.images is not None
        for name in (f"{student}.jpg", f"{student}.jpeg", f"{student}.JPG", f"{student}.JPEG"):
            path = self.images / name
            if path.is_file():
                data, problem = read_photo(path)
                if data is None:
                    return None, problem
                return path, payload_hash(data)
        return None, t("photo_missing", name=f"{student}.jpg")

    async def _images(self, residents: list[Item]) -> None:
        """Photos are checked and hashed here, one at a time, and read again when sent, so
        at most ``concurrency`` of them are in memory at once."""
        recorded = self.ledger.recorded(self.target, "image")
        todo = []
        for item in residents:
            outcome = self.outcome(item.result, item.index)
            if outcome.status not in (SENT, UNCHANGED):
                continue
            path, detail = self._photo(item.student)
            if path is None:
                outcome.messages.append(detail)  # what is wrong with the photo
                continue
            digest = detail
            seen = recorded.get(item.student)
            if (
                not self.force
                and seen is not None
                and seen.state == ACCEPTED
                and seen.payload_hash == digest
            ):
                continue
            todo.append((item, path))
        await self._pool(todo, self._send_image)

    async def _send_image(self, job: tuple[Item, Path]) -> None:
        item, path = job
        outcome = self.outcome(item.result, item.index)
        data, problem = read_photo(path)
        if data is None:
            outcome.messages.append(problem)
            return
        digest = payload_hash(data)
        try:
            self.ledger.mark_sending(self.target, "image", item.student, digest, self.run_id)
            result = await self._remote.upload_image(item.student, data)
            attempts = result.attempts
            self.requests += attempts
        except RetryableError as exc:
            self.requests += exc.attempts
            text = item.clean(exc)
            outcome.messages.append(t("photo_failed", error=text))
            self._record_as(
                "image",
                item.student,
                digest,
                FAILED,
                http_status=exc.status,
                message=text,
                attempts=exc.attempts,
            )
            outcome.status = FAILED_ROW
            return
        except (RemoteError, LocalStorageError) as exc:
            self._stop(exc)
            return
        if result.ok:
            self._record_as(
                "image",
                item.student,
                digest,
                ACCEPTED,
                http_status=result.status,
                attempts=attempts,
            )
            outcome.messages.append(t("photo_sent"))
        else:
            text = item.clean(result.problem.text if result.problem else "")
            self._record_as(
                "image",
                item.student,
                digest,
                REFUSED,
                http_status=result.status,
                message=text,
                trace_id=result.trace_id,
                attempts=attempts,
            )
            outcome.messages.append(t("photo_refused", error=text))
            outcome.server_message = "; ".join(filter(None, [outcome.server_message, text]))
            outcome.status = FAILED_ROW

    # -- declarations ----------------------------------------------------------------------

    def _gate_declarations(self, residents: list[Item], declarations: list[Item]) -> list[Item]:
        """Declarations whose resident failed or was refused in this run are ``not_sent``."""
        fate: dict[str, tuple[str | None, int]] = {}
        for result in self.run.results:
            if result.sheet.kind != "residents":
                continue
            students = result.frame["StudentNumber"]
            for i, student in enumerate(students):
                if student is not None:
                    fate[str(student)] = (
                        self.outcome(result, i).status,
                        result.sheet.row_numbers[i],
                    )
        known = self.ledger.accepted_students(self.target)
        for item in declarations:
            if self.outcome(item.result, item.index).status is not None:
                continue  # decided already (confirmed on the server)
            status, row = fate.get(item.student, (None, 0))
            if status in (SENT, UNCHANGED) or (status is None and not row):
                continue
            if status == INVALID and item.student in known:
                continue
            outcome = self.outcome(item.result, item.index)
            outcome.messages.append(
                t("resident_not_accepted", row=row, status=word(status or NOT_SENT))
            )
            self._settle(outcome, NOT_SENT)
        return declarations

    async def _confirm_in_flight(self, declarations: list[Item]) -> None:
        """Declarations a killed run left ``sending``: ask the server whether each arrived,
        before anything is sent. One the server lists is ``unchanged``; one it positively
        lacks (the documented list, without it) is sent again. When the server's answer
        cannot say — not the API's list (``NotTheApi``), or no answer after retries — the run
        stops: none is sent again, and none is claimed sent."""
        recorded = self.ledger.recorded(self.target, "declaration")
        pending = []
        for item in declarations:
            seen = recorded.get(item.key)
            if (
                self.force
                or seen is None
                or seen.state != SENDING
                or seen.payload_hash != item.digest
                or self.outcome(item.result, item.index).status is not None
            ):
                continue
            pending.append(item)
        for item in pending:
            try:
                listed = await self._remote.get_declare_residents(
                    int(item.payload["YearId"]), student_number=item.student
                )
            except RemoteError as exc:
                text = t("in_flight_unconfirmed", n=len(pending), error=scrub(exc))
                self._stop(RemoteError(text, status=exc.status, trace_id=exc.trace_id))
                return
            if not any(same_declaration(item.payload, r) for r in listed):
                continue  # positively not on the server: sent again in its phase
            self._record(item, ACCEPTED, year_id=int(item.payload["YearId"]), payload=item.payload)
            outcome = self.outcome(item.result, item.index)
            outcome.messages.append(t("confirmed_on_server"))
            self._settle(outcome, UNCHANGED)


def read_photo(path: Path) -> tuple[bytes | None, str]:
    """A photo's bytes, or None and why not. The size is checked from ``stat`` before anything
    is read, and the read is bounded, so a link to a huge file costs nothing."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if not MIN_IMAGE_BYTES <= size <= MAX_IMAGE_BYTES:
                return None, t("photo_size", name=path.name, kb=size // 1024)
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        return None, t("photo_unreadable", name=path.name, reason=exc.strerror or exc)
    if len(data) > MAX_IMAGE_BYTES or len(data) < MIN_IMAGE_BYTES:
        return None, t("photo_size", name=path.name, kb=len(data) // 1024)
    if not data.startswith(b"\xff\xd8\xff"):
        return None, t("photo_not_jpeg", name=path.name)
    return data, ""


def same_declaration(payload: dict[str, Any], record: dict[str, Any]) -> bool:
    """True when the server's record holds this declaration: the same student and year, and
    every field it echoes back equal to what would be sent (compared by value)."""
    lowered = {str(k).lower() for k in record}
    echoed = sum(name.lower() in lowered for name in payload)
    return echoed >= 5 and not differences(payload, record)
