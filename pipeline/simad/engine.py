"""The submission engine: residents, then their photos, then declarations.

Every row's outcome is committed to the ledger as soon as it is known; rows the target
already accepted with the same payload are ``unchanged`` and not sent again. A declaration a
killed run left in flight is sent again only when the server's list positively lacks it;
when the server's answer cannot say (not the API's list, or no answer), the run stops before
anything is sent.

The engine is built whole, inside the opening of the target: ``Engine(run, client, ledger,
pace, plan, progress)``. It receives its client (which carries the retry policy), its ledger
and the pace the client keeps to, so tests never sleep or touch a network; its caller hands
in a ``Progress`` (counters the caller reads, a stop the caller asks for, from any thread)
and gets back a ``Sent`` value: every row's outcome, sheet by sheet (``Outcomes``), what
stopped the run, and the figures of the sending.

The phases, in order, each over its own items:

    confirm       declarations a killed run left ``sending``: asked of the server first
    residents     one request per resident row
    photos        one upload per photo of a resident accepted (sent or unchanged) in this run
    declarations  one request per declaration whose resident was not refused in this run
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import structlog

from pipeline.core.config import DEFAULT_CONCURRENCY
from pipeline.core.errors import LocalStorageError, RemoteError, RemoteUnreachable, RetryableError
from pipeline.core.i18n import t, when, word
from pipeline.core.redact import scrub
from pipeline.core.status import Submission, Validation
from pipeline.net.limiter import THROTTLED, InFlight, Pace
from pipeline.sheets import photos as photo_files
from pipeline.sheets.photos import read_photo
from pipeline.sheets.report import MESSAGE_SEPARATOR
from pipeline.sheets.validation import Finding, SheetResult, ValidationRun
from pipeline.simad.client import CallResult, SimadClient
from pipeline.simad.compare import differences
from pipeline.simad.dryplan import dry_plan
from pipeline.simad.ledger import ACCEPTED, FAILED, REFUSED, SENDING, Ledger, Recorded
from pipeline.simad.payloads import build_payload, payload_hash, row_key

log = structlog.get_logger("simad.submit")

# A row's own identifiers, which a refusal of that row may quote; any other is redacted.
OWN_VALUES = ("StudentNumber", "NationalCode", "Mobile", "Email")

T = TypeVar("T")


# -- what the run produces --------------------------------------------------------------------


@dataclass
class RowOutcome:
    status: Submission | None = None  # None until decided
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

    @property
    def final(self) -> Submission:
        """The status, ``not_sent`` while undecided."""
        return self.status or Submission.NOT_SENT


@dataclass
class SheetOutcomes:
    """One validated input sheet and the outcome of each of its rows, in sheet order."""

    result: SheetResult
    rows: list[RowOutcome]

    @property
    def label(self) -> str:
        return self.result.sheet.label

    def counts(self) -> dict[Submission, int]:
        """Rows per status, every status of the family in its order (0 when none)."""
        found: dict[str, int] = {}
        for outcome in self.rows:
            found[outcome.final] = found.get(outcome.final, 0) + 1
        return Submission.counted(found)


@dataclass
class Outcomes:
    """Every input row's outcome, sheet by sheet: the engine's as it goes, or the ledger's for
    a report written later."""

    run: ValidationRun
    sheets: list[SheetOutcomes]

    def __post_init__(self) -> None:
        self._by_result = {id(s.result): s for s in self.sheets}

    @classmethod
    def planned(cls, run: ValidationRun) -> Outcomes:
        """A run before anything is sent: invalid rows ``invalid``, the others undecided."""
        sheets = []
        for result in run.results:
            rows = []
            for i in range(len(result.sheet.rows)):
                outcome = RowOutcome(found=result.row_findings(i))
                if result.status(i) == Validation.INVALID:
                    outcome.status = Submission.INVALID
                rows.append(outcome)
            sheets.append(SheetOutcomes(result, rows))
        return cls(run, sheets)

    def outcome(self, result: SheetResult, index: int) -> RowOutcome:
        return self._by_result[id(result)].rows[index]

    def all(self) -> Iterator[RowOutcome]:
        for sheet in self.sheets:
            yield from sheet.rows

    def counts(self) -> dict[str, int]:
        """Rows per status, statuses in the order first met (as the JSON has always had them)."""
        out: dict[str, int] = {}
        for o in self.all():
            out[o.final] = out.get(o.final, 0) + 1
        return out

    def finalize(self, reason: str | None = None) -> None:
        """Every row not decided yet is ``not_sent``, with the reason."""
        for o in self.all():
            if o.status is None:
                o.status = Submission.NOT_SENT
                if reason:
                    o.messages.append(reason)

    def lines(self) -> Iterator[tuple[Any, ...]]:
        """One ledger line per input row; only the engine's messages (validation's are
        recomputed from the input when a report is rebuilt)."""
        for n, sheet in enumerate(self.sheets):
            for i, o in enumerate(sheet.rows):
                yield (
                    n,
                    i,
                    o.final,
                    MESSAGE_SEPARATOR.join(o.messages) or None,
                    o.http_status,
                    o.server_message,
                    o.trace_id,
                    o.attempts,
                    o.sent_at,
                )

    def to_rows(self) -> list[dict[str, Any]]:
        """Every row's outcome for ``--json`` (statuses in the SPEC's words)."""
        return [
            {
                "file": str(sheet.result.sheet.path),
                "sheet": sheet.result.sheet.name,
                "row": sheet.result.sheet.row_numbers[i],
                "status": o.final,
                "messages": o.all_messages(),
                "http_status": o.http_status,
                "trace_id": o.trace_id,
                "sent_at": o.sent_at,
            }
            for sheet in self.sheets
            for i, o in enumerate(sheet.rows)
        ]


@dataclass(frozen=True)
class Sent:
    """What a run of the engine gives back: every row's outcome and why it stopped, if it
    did; ``requests`` (retries included) and the seconds spent sending are for benchmarks."""

    outcomes: Outcomes
    fatal: Exception | None = None  # what stopped the run (not a Stop asked by the caller)
    stopped: bool = False  # the caller asked it to stop
    closed: bool = False  # ... because the app was closing
    requests: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0


@dataclass
class Progress:
    """The caller's handle on a run: counters it reads while the engine runs (``on_change``
    hears of every row decided, in the engine's thread), and a stop it asks for from any
    thread: rows in flight finish and are recorded, no new row starts."""

    on_change: Callable[[Progress], None] | None = None
    total: int = 0  # rows to send (unchanged and invalid rows are not counted)
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    # The latest rows the server refused or that failed: (file › sheet, row, server's message).
    failures: deque[tuple[str, int, str]] = field(default_factory=lambda: deque(maxlen=5))
    photos: int = 0  # photos the target accepted in this run
    pace: float | None = None  # requests per second the sender keeps to; None: not limited
    stop_asked: bool = False
    closing: bool = False  # the stop came from the app closing, not from the caller's Stop

    def stop(self, *, closing: bool = False) -> None:
        """Start no new row (from any thread); ``closing``: the app is closing (Ctrl-C)."""
        self.closing = self.closing or closing
        self.stop_asked = True


@dataclass(frozen=True)
class Plan:
    """What one run is asked to do, besides the rows."""

    target: str
    run_id: str
    concurrency: int = DEFAULT_CONCURRENCY
    force: bool = False  # send rows the target already accepted unchanged
    images: Path | None = None  # the folder of photos; None: no photos phase
    # (kind, key) of rows sent again even when accepted unchanged: a deliberate resend
    resend: frozenset[tuple[str, str]] = frozenset()
    unreachable_after: int | None = None  # failed rows in a row that stop the run


def log_retry(attempt: int, exc: RetryableError, wait: float) -> None:
    """The client's ``on_retry``: each retry in the log (the client's pace has already
    slowed down on a 429 or 503)."""
    log.info(
        "retry", attempt=attempt, status=exc.status, wait=round(wait, 2), trace_id=exc.trace_id
    )


# -- the items of a phase ---------------------------------------------------------------------


@dataclass
class Item:
    """One row to send: where its outcome goes, its ledger key, its body and the body's hash."""

    outcome: RowOutcome
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
class Photo:
    """One resident's photo to upload: its row, its file and the file's hash."""

    item: Item
    path: Path
    digest: str


# -- the engine -------------------------------------------------------------------------------


class Engine:
    def __init__(
        self,
        run: ValidationRun,
        client: SimadClient,
        ledger: Ledger,
        pace: Pace,
        plan: Plan,
        progress: Progress | None = None,
    ):
        self.run = run
        self.client = client
        self.ledger = ledger
        self.pace = pace
        self.plan = plan
        self.progress = progress if progress is not None else Progress()
        self.outcomes = Outcomes.planned(run)
        self._in_flight = InFlight(plan.concurrency)
        self._unreachable_after = plan.unreachable_after or max(3, plan.concurrency)
        self._fatal: Exception | None = None
        self._failure_streak = 0
        self._requests = 0
        self._seconds = self._cpu_seconds = 0.0
        self.dry = dry_plan(
            run,
            {k: ledger.recorded(plan.target, k) for k in ("resident", "declaration")},
            ledger.accepted_students(plan.target),
            force=plan.force,
            resend=plan.resend,
        )
        # The rows the plan sends: the progress's total, as a confirmation said it.
        rows = self.outcomes.sheets
        self._planned = {id(rows[n].rows[i]) for n, i in self.dry.positions()}
        self._planned_out = {id(rows[r.sheet].rows[r.index]) for r in self.dry.not_sent}
        self.progress.total += self.dry.total

    # -- the run -----------------------------------------------------------------------------

    async def execute(self) -> Sent:
        """Log in once, then the phases. A refused login, an answer the client cannot
        understand, or a ledger that cannot be written stops the run (``Sent.fatal``); the
        rows not decided by then are left undecided (``Outcomes.finalize`` says why)."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            await self._phases()
        finally:
            self._seconds = time.perf_counter() - wall
            self._cpu_seconds = time.process_time() - cpu
        return self.result()

    def result(self) -> Sent:
        """The run so far: after ``execute``, or after it was cancelled (Ctrl-C)."""
        return Sent(
            self.outcomes,
            fatal=self._fatal,
            stopped=self.progress.stop_asked,
            closed=self.progress.closing,
            requests=self._requests,
            seconds=self._seconds,
            cpu_seconds=self._cpu_seconds,
        )

    async def _phases(self) -> None:
        try:
            await self.client.authenticate()
        except RemoteError as exc:
            self._fatal = exc
            return
        residents = self._items("residents")
        declarations = self._items("upgrades")
        await self._confirm_in_flight(declarations)
        if self._going:
            await self._send_rows(residents, self.client.add_or_update_resident)
        if self.plan.images is not None and self._going:
            await self._send_photos(self._photos(residents, self.plan.images))
        if self._going:
            self._gate_declarations(declarations)
            await self._send_rows(declarations, self.client.add_or_update_declaration)

    @property
    def _going(self) -> bool:
        return self._fatal is None and not self.progress.stop_asked

    # -- bookkeeping -------------------------------------------------------------------------

    def _settle(self, outcome: RowOutcome, status: Submission) -> None:
        progress = self.progress
        first = outcome.status is None
        outcome.status = status
        planned = id(outcome) in self._planned
        if first and planned and status == Submission.UNCHANGED:
            progress.total -= 1  # confirmed on the server: not sent after all
        elif first and planned:
            progress.done += 1
        elif first and status not in (Submission.UNCHANGED, Submission.NOT_SENT):
            progress.total += 1  # sent though the plan did not (the ledger changed since)
            progress.done += 1
        progress.counts[status] = progress.counts.get(status, 0) + 1
        progress.pace = self.pace.current
        if progress.on_change is not None:
            progress.on_change(progress)

    def _failure(self, item: Item) -> None:
        where = item.result.sheet
        self.progress.failures.append(
            (where.label, where.row_numbers[item.index], item.outcome.server_message or "")
        )
        self._settle(item.outcome, Submission.FAILED)

    def _unchanged(self, outcome: RowOutcome, seen: Recorded) -> None:
        """Not sent again: the proof of the earlier acceptance (when, trace id) goes with it."""
        outcome.trace_id = seen.trace_id
        if seen.updated_at is not None:
            accepted = datetime.fromtimestamp(seen.updated_at, UTC)
            outcome.sent_at = accepted.isoformat(timespec="seconds")
            outcome.messages.append(
                t("accepted_earlier", when=when(seen.updated_at), run_id=seen.run_id or "-")
            )
        self._settle(outcome, Submission.UNCHANGED)

    def _accepted_before(
        self, seen: Recorded | None, digest: str, kind: str = "", key: str = ""
    ) -> bool:
        """Whether the target accepted exactly this earlier (and the run may skip it); never
        for a row asked to be sent again (``Plan.resend``)."""
        return (
            not self.plan.force
            and (kind, key) not in self.plan.resend
            and seen is not None
            and seen.state == ACCEPTED
            and seen.payload_hash == digest
        )

    def _record(self, kind: str, key: str, digest: str, state: str, **details: Any) -> None:
        """Commit an outcome; a ledger that cannot be written stops the run."""
        try:
            details["resend"] = (kind, key) in self.plan.resend  # a deliberate resend, noted
            self.ledger.record(
                self.plan.target, kind, key, digest, state, self.plan.run_id, **details
            )
        except LocalStorageError as exc:
            self._stop(exc)

    def _mark_sending(self, kind: str, key: str, digest: str) -> None:
        self.ledger.mark_sending(self.plan.target, kind, key, digest, self.plan.run_id)

    def _stop(self, exc: Exception) -> None:
        if self._fatal is None:
            self._fatal = exc
            log.warning("run_stopped", error=type(exc).__name__)

    async def _pool(self, items: list[T], work: Callable[[T], Awaitable[None]]) -> None:
        """``work`` on every item, at most ``concurrency`` at once, none started once the run
        stops."""
        queue: asyncio.Queue[T] = asyncio.Queue()
        for item in items:
            queue.put_nowait(item)

        async def worker() -> None:
            while self._going:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                async with self._in_flight:
                    if self._going:
                        await work(item)

        workers = min(self._in_flight.maximum, len(items))
        await asyncio.gather(*(worker() for _ in range(workers)))

    # -- rows: residents and declarations ----------------------------------------------------

    def _items(self, sheet_kind: str) -> list[Item]:
        kind = "resident" if sheet_kind == "residents" else "declaration"
        items = []
        for sheet in self.outcomes.sheets:
            if sheet.result.sheet.kind != sheet_kind:
                continue
            records = sheet.result.frame.to_dict("records")
            for i, record in enumerate(records):
                if sheet.rows[i].status == Submission.INVALID:
                    continue
                payload = build_payload(sheet_kind, record)
                key, digest = row_key(sheet_kind, payload), payload_hash(payload)
                items.append(Item(sheet.rows[i], sheet.result, i, kind, key, payload, digest))
        return items

    async def _send_rows(
        self, items: list[Item], send: Callable[[dict[str, Any]], Awaitable[CallResult]]
    ) -> None:
        """One phase of rows: those accepted unchanged before are not sent again."""
        recorded = self.ledger.recorded(self.plan.target, items[0].kind) if items else {}
        todo = []
        for item in items:
            if item.outcome.status is not None:
                continue
            seen = recorded.get(item.key)
            if seen is not None and self._accepted_before(seen, item.digest, item.kind, item.key):
                self._unchanged(item.outcome, seen)
                continue
            if (item.kind, item.key) in self.plan.resend:
                item.outcome.messages.append(t("resend_asked"))
            todo.append(item)

        async def one(item: Item) -> None:
            await self._send(item, send)

        await self._pool(todo, one)

    async def _send(
        self, item: Item, send: Callable[[dict[str, Any]], Awaitable[CallResult]]
    ) -> None:
        try:
            self._mark_sending(item.kind, item.key, item.digest)
            result = await send(item.payload)
        except RetryableError as exc:
            self._requests += exc.attempts
            self._failed(item, exc)
            return
        except (RemoteError, LocalStorageError) as exc:
            self._stop(exc)
            return
        self._requests += result.attempts
        self._failure_streak = 0
        self._answered(item, result)
        log.info(
            "row",
            kind=item.kind,
            key=item.key,
            status=item.outcome.status,
            http_status=result.status,
            trace_id=result.trace_id,
            attempts=result.attempts,
        )

    def _answered(self, item: Item, result: CallResult) -> None:
        """The server's answer to a row: accepted or refused, recorded."""
        outcome, attempts = item.outcome, result.attempts
        outcome.attempts = attempts
        outcome.http_status = result.status
        outcome.trace_id = result.trace_id
        outcome.sent_at = datetime.now(UTC).isoformat(timespec="seconds")
        if result.ok:
            year = item.payload.get("YearId") if item.kind == "declaration" else None
            self._record(
                item.kind,
                item.key,
                item.digest,
                ACCEPTED,
                http_status=result.status,
                attempts=attempts,
                year_id=year,
                payload=item.payload if year else None,
            )
            self._settle(outcome, Submission.SENT)
            return
        text = item.clean(result.problem.text if result.problem else "")
        outcome.server_message = text
        self._record(
            item.kind,
            item.key,
            item.digest,
            REFUSED,
            http_status=result.status,
            message=text,
            trace_id=result.trace_id,
            attempts=attempts,
        )
        self._failure(item)

    def _failed(self, item: Item, exc: RetryableError) -> None:
        """A row that got no usable answer after its retries; many in a row stop the run."""
        outcome = item.outcome
        outcome.attempts = exc.attempts
        outcome.http_status = exc.status
        outcome.server_message = item.clean(exc)
        outcome.trace_id = exc.trace_id
        self._record(
            item.kind,
            item.key,
            item.digest,
            FAILED,
            http_status=exc.status,
            message=outcome.server_message,
            trace_id=exc.trace_id,
            attempts=exc.attempts,
        )
        self._failure(item)
        log.warning("row_failed", kind=item.kind, key=item.key, status=exc.status)
        self._failure_streak += 1
        if self._failure_streak >= self._unreachable_after:
            said = (
                t("throttled_stop", n=self._failure_streak, error=scrub(exc))
                if exc.status == THROTTLED
                else t("unreachable", error=scrub(exc))
            )
            self._stop(RemoteUnreachable(said, status=exc.status))

    # -- photos ------------------------------------------------------------------------------

    def _photos(self, residents: list[Item], folder: Path) -> list[Photo]:
        """The photos to upload: one per resident accepted in this run (sent or unchanged)
        whose photo is there (``photos.match``: by student number or national code in its
        name), readable, a JPEG of a sensible size and not accepted unchanged before. What is
        wrong with a photo goes into its row's messages. Photos are checked and hashed here
        one at a time, and read again when sent, so at most ``concurrency`` of them are in
        memory at once."""
        recorded = self.ledger.recorded(self.plan.target, "image")
        accepted = [
            item
            for item in residents
            if item.outcome.status in (Submission.SENT, Submission.UNCHANGED)
        ]
        people = [(item.student, str(item.payload.get("NationalCode") or "")) for item in accepted]
        matches, _ = photo_files.match(people, photo_files.scan(folder, check=False))
        todo = []
        for item, found in zip(accepted, matches, strict=True):
            path, detail = photo_of(found, item)
            if path is None:
                item.outcome.messages.append(detail)  # what is wrong with the photo
                continue
            if not self._accepted_before(recorded.get(item.student), detail):
                todo.append(Photo(item, path, detail))
        return todo

    async def _send_photos(self, photos: list[Photo]) -> None:
        await self._pool(photos, self._send_photo)

    async def _send_photo(self, photo: Photo) -> None:
        item, outcome = photo.item, photo.item.outcome
        data, problem = read_photo(photo.path)
        if data is None:
            outcome.messages.append(problem)
            return
        digest = payload_hash(data)
        try:
            self._mark_sending("image", item.student, digest)
            result = await self.client.upload_image(item.student, data)
        except RetryableError as exc:
            self._requests += exc.attempts
            text = item.clean(exc)
            outcome.messages.append(t("photo_failed", error=text))
            self._record(
                "image",
                item.student,
                digest,
                FAILED,
                http_status=exc.status,
                message=text,
                attempts=exc.attempts,
            )
            outcome.status = Submission.FAILED
            return
        except (RemoteError, LocalStorageError) as exc:
            self._stop(exc)
            return
        self._requests += result.attempts
        self._photo_answered(item, digest, result)

    def _photo_answered(self, item: Item, digest: str, result: CallResult) -> None:
        outcome = item.outcome
        if result.ok:
            self._record(
                "image",
                item.student,
                digest,
                ACCEPTED,
                http_status=result.status,
                attempts=result.attempts,
            )
            outcome.messages.append(t("photo_sent"))
            self.progress.photos += 1
            return
        text = item.clean(result.problem.text if result.problem else "")
        self._record(
            "image",
            item.student,
            digest,
            REFUSED,
            http_status=result.status,
            message=text,
            trace_id=result.trace_id,
            attempts=result.attempts,
        )
        outcome.messages.append(t("photo_refused", error=text))
        outcome.server_message = "; ".join(filter(None, [outcome.server_message, text]))
        outcome.status = Submission.FAILED

    # -- declarations ------------------------------------------------------------------------

    def _gate_declarations(self, declarations: list[Item]) -> None:
        """Declarations whose resident failed or was refused in this run are ``not_sent``."""
        fate: dict[str, tuple[Submission | None, int]] = {}
        for sheet in self.outcomes.sheets:
            if sheet.result.sheet.kind != "residents":
                continue
            students = sheet.result.frame["StudentNumber"]
            for i, student in enumerate(students):
                if student is not None:
                    fate[str(student)] = (sheet.rows[i].status, sheet.result.sheet.row_numbers[i])
        known = self.ledger.accepted_students(self.plan.target)
        gated = self._planned | self._planned_out  # the rows not accepted unchanged before
        for item in declarations:
            if item.outcome.status is not None:
                continue  # decided already (confirmed on the server)
            if id(item.outcome) not in gated:
                continue  # accepted unchanged before: not sent, whatever its resident
            status, row = fate.get(item.student, (None, 0))
            if status in (Submission.SENT, Submission.UNCHANGED) or (status is None and not row):
                continue
            if status == Submission.INVALID and item.student in known:
                continue
            item.outcome.messages.append(
                t("resident_not_accepted", row=row, status=word(status or Submission.NOT_SENT))
            )
            self._settle(item.outcome, Submission.NOT_SENT)

    async def _confirm_in_flight(self, declarations: list[Item]) -> None:
        """Declarations a killed run left ``sending``: ask the server whether each arrived,
        before anything is sent. One the server lists is ``unchanged``; one it positively
        lacks (the documented list, without it) is sent again. When the server's answer
        cannot say — not the API's list (``NotTheApi``), or no answer after retries — the run
        stops: none is sent again, and none is claimed sent."""
        recorded = self.ledger.recorded(self.plan.target, "declaration")
        pending = []
        for item in declarations:
            seen = recorded.get(item.key)
            if (
                self.plan.force
                or seen is None
                or seen.state != SENDING
                or seen.payload_hash != item.digest
                or item.outcome.status is not None
            ):
                continue
            pending.append(item)
        for item in pending:
            try:
                listed = await self.client.get_declare_residents(
                    int(item.payload["YearId"]), student_number=item.student
                )
            except RemoteError as exc:
                text = t("in_flight_unconfirmed", n=len(pending), error=scrub(exc))
                self._stop(RemoteError(text, status=exc.status, trace_id=exc.trace_id))
                return
            if not any(same_declaration(item.payload, r) for r in listed):
                continue  # positively not on the server: sent again in its phase
            year = int(item.payload["YearId"])
            self._record(
                item.kind, item.key, item.digest, ACCEPTED, year_id=year, payload=item.payload
            )
            item.outcome.messages.append(t("confirmed_on_server"))
            self._settle(item.outcome, Submission.UNCHANGED)


def photo_of(found: photo_files.Match, item: Item) -> tuple[Path | None, str]:
    """(the photo file of ``item``'s resident, its digest), or (None, what is wrong)."""
    photo = found.photo
    if found.status == photo_files.MISSING or photo is None:
        national = item.payload.get("NationalCode") or "-"
        return None, t("photo_not_found", student=item.student, national=national)
    if found.status != photo_files.PRESENT or photo.path is None:
        return None, found.reason
    data, problem = read_photo(photo.path)
    if data is None:
        return None, problem
    return photo.path, payload_hash(data)


def same_declaration(payload: dict[str, Any], record: dict[str, Any]) -> bool:
    """True when the server's record holds this declaration: the same student and year, and
    every field it echoes back equal to what would be sent (compared by value)."""
    lowered = {str(k).lower() for k in record}
    echoed = sum(name.lower() in lowered for name in payload)
    return echoed >= 5 and not differences(payload, record)
