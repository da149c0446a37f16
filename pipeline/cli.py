"""The ``simad`` command line: a thin shell over the library in ``pipeline``.

Each command parses its options, calls one library function and turns the library's
exceptions into a message and an exit code (2 usage/input, 3 remote fatal).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import structlog
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from typer.core import TyperGroup

if TYPE_CHECKING:  # the heavy commands are imported when they run: `simad maxa` starts fast
    from pipeline.commands.submit import Control, SubmitResult
    from pipeline.commands.submit import Progress as Progress_
    from pipeline.commands.validate import ValidationRun

from pipeline import __version__
from pipeline.commands import sandbox
from pipeline.core import config, i18n, logs
from pipeline.core.config import describe_target, resolve_target
from pipeline.core.context import Context
from pipeline.core.errors import (
    INTERRUPTED_EXIT,
    UNEXPECTED_EXIT,
    USAGE_EXIT,
    SimadError,
    exit_code_for,
)
from pipeline.core.i18n import counts_text, t, when, word
from pipeline.core.redact import scrub
from pipeline.core.status import Submission, Validation
from pipeline.maxa_cli import maxa_app

BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, as a shell reports a command cut off by `head`


class Boundary(TyperGroup):
    """The one place where the product's exceptions become a message and an exit code
    (``errors.EXIT_CODES``). Anything unexpected is one line on the screen, and its traceback,
    without local variables, goes to the log file."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # the parser's own: --help, usage errors (exit 2)
        except SimadError as exc:
            typer.echo(t("error", message=scrub(exc)), err=True)
            raise typer.Exit(exit_code_for(exc)) from None
        except KeyboardInterrupt:
            typer.echo(t("interrupted"), err=True)
            raise typer.Exit(INTERRUPTED_EXIT) from None
        except BrokenPipeError:
            # The reader of our output went away (`simad … | head`): nothing more to say, and
            # nothing left to flush at exit.
            with contextlib.suppress(OSError, ValueError):  # a stdout with no file behind it
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(BROKEN_PIPE_EXIT) from None
        except Exception as exc:
            structlog.get_logger("simad").exception("unexpected_error")
            typer.echo(t("unexpected", error=f"{type(exc).__name__}: {scrub(exc)}"), err=True)
            raise typer.Exit(UNEXPECTED_EXIT) from None


app = typer.Typer(
    cls=Boundary,
    help="simad-sync: send residency spreadsheets to SIMAD and work with MAXA codings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sandbox_app = typer.Typer(help="The embedded simulator of the SIMAD service.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(maxa_app, name="maxa")

LangOption = Annotated[
    str | None, typer.Option("--lang", help="Message language: fa (default) or en.")
]


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Show the version.")] = False,
    lang: LangOption = None,
) -> None:
    """simad-sync: move residency-office spreadsheets into SIMAD, correctly."""
    # --lang, else SIMAD_LANG (any case; anything but fa or en is refused, exit 2), else fa.
    # Read before --version answers, so `simad --version --lang xx` is refused like the rest.
    i18n.set_lang(lang or i18n.environment_lang() or "fa")
    if version:
        typer.echo(t("version", version=__version__))
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(USAGE_EXIT)
    # A number setting of the environment that cannot be used is a usage error before any
    # command does anything (exit 2), not a run that hangs or stops half-way.
    config.check_settings()
    try:
        logs.configure(logs.default_log_file(config.simad_home()))
    except SimadError:
        logs.configure(None)  # the command says so if it needs SIMAD_HOME


@app.command("ui")
def ui(
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (default: a free one).")
    ] = 0,
    host: Annotated[
        str, typer.Option(help="Address to listen on; anything but 127.0.0.1 is warned about.")
    ] = "127.0.0.1",
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the address; do not open a browser.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """The office's web app: validate, fix, submit and reconcile in the browser. Run again
    while it runs (a second double-click on the shortcut), it opens the running app, signed
    in, in a new tab, and exits; the running app's work goes on."""
    from pipeline.web.server import serve  # the web app's libraries only when it is asked for

    serve(host=host, port=port, lang=i18n.chosen(lang), open_browser=not no_browser, say=typer.echo)


@sandbox_app.command("serve")
def sandbox_serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    db: Annotated[
        Path | None, typer.Option(help="SQLite file (default SIMAD_HOME/sandbox.db).")
    ] = None,
    token_ttl: Annotated[float, typer.Option(help="Access-token lifetime, seconds.")] = 1800.0,
    refresh_ttl: Annotated[float, typer.Option(help="Refresh-token lifetime, seconds.")] = 604800.0,
    maxa_token_ttl: Annotated[
        float, typer.Option(help="DITAS/MAXA access-token lifetime, seconds.")
    ] = 763.0,
    latency_ms: Annotated[float, typer.Option(help="Delay added to every request.")] = 0.0,
    fail_rate: Annotated[float, typer.Option(help="Share of requests answered 503 (0–1).")] = 0.0,
    rate_limit: Annotated[
        float,
        typer.Option(help="Requests per second per account before 429 + Retry-After (0: none)."),
    ] = 0.0,
    overload_at: Annotated[
        int,
        typer.Option(
            help="Answer 503 to a request arriving while this many are served (0: never)."
        ),
    ] = 0,
    bogus_200: Annotated[
        float,
        typer.Option(
            "--bogus-200", help="Share of requests answered 200 text/html, a login page (0–1)."
        ),
    ] = 0.0,
    echo_errors: Annotated[
        bool, typer.Option(help="Error answers echo the request's headers and body.")
    ] = False,
    hang: Annotated[
        float, typer.Option(help="Seconds every request waits before it is answered.")
    ] = 0.0,
    huge_error_body: Annotated[
        float, typer.Option(help="Megabytes of text added to every error answer.")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the fault generator.")] = 0,
    generated_terms: Annotated[
        int, typer.Option(help="SNOMEDCT gets a version 2 of this many made-up terms (0: none).")
    ] = 0,
    lang: LangOption = None,
) -> None:
    """Serve the sandbox over HTTP until interrupted."""
    i18n.chosen(lang)
    numbers: dict[str, Any] = {
        "token_ttl": token_ttl,
        "refresh_ttl": refresh_ttl,
        "maxa_token_ttl": maxa_token_ttl,
        "latency_ms": latency_ms,
        "rate_limit": rate_limit,
        "overload_at": overload_at,
        "hang": hang,
        "huge_error_body": huge_error_body,
        "generated_terms": generated_terms,
    }
    _check_sandbox_numbers(numbers, fail_rate=fail_rate, bogus_200=bogus_200)
    if not config.is_loopback(host):
        typer.echo(t("not_loopback", host=host), err=True)
    path = sandbox.sandbox_db(db)
    settings = sandbox.SandboxSettings(
        db_path=path,
        **numbers,
        fail_rate=fail_rate,
        bogus_200=bogus_200,
        echo_errors=echo_errors,
        seed=seed,
    )
    typer.echo(t("sandbox_banner", url=f"http://{host}:{port}", db=path))
    if latency_ms or fail_rate or rate_limit or overload_at:
        said = {"latency": latency_ms, "fail": fail_rate, "rate": rate_limit}
        typer.echo(t("sandbox_faults", **said, overload=overload_at or "-"))
    sys.stdout.flush()
    sandbox.serve(settings, host, port)


def _check_sandbox_numbers(numbers: dict[str, Any], *, fail_rate: float, bogus_200: float) -> None:
    """Shares between 0 and 1, and every other number finite and not negative (usage errors,
    named by their option)."""
    if not 0 <= fail_rate <= 1 or not 0 <= bogus_200 <= 1:
        raise typer.BadParameter(t("bad_share"))
    for key, value in numbers.items():
        if not 0 <= value < math.inf:  # NaN, infinities and negatives
            name = "--" + key.replace("_", "-")
            raise typer.BadParameter(t("bad_option_number", name=name, value=value))


@sandbox_app.command("review")
def sandbox_review(
    year: Annotated[int, typer.Option("--year", min=1300, max=1499, help="Upgrade year (YearId).")],
    student_number: Annotated[str | None, typer.Option(help="Only this resident.")] = None,
    status: Annotated[
        str | None, typer.Option(help="accepted | rejected | needs-correction (appendix 4).")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="The reviewer's reason.")] = None,
    final_result: Annotated[
        str | None, typer.Option(help="promoted | conditional | repeat (appendix 5).")
    ] = None,
    random_: Annotated[
        bool, typer.Option("--random", help="Draw statuses and results at random.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed for --random.")] = 0,
    db: Annotated[
        Path | None, typer.Option(help="SQLite file (default SIMAD_HOME/sandbox.db).")
    ] = None,
    lang: LangOption = None,
) -> None:
    """Set review statuses and final results of declarations in the sandbox (rehearsals)."""
    ctx = _context(i18n.chosen(lang))
    if status is None and final_result is None and not random_:
        typer.echo(t("review_nothing_to_set"), err=True)
        raise typer.Exit(2)
    summary = sandbox.review(
        year,
        student_number=student_number,
        status=status,
        final_result=final_result,
        reason=reason,
        seed=seed if random_ else None,
        db=db,
        ctx=ctx,
    )
    if not summary.changed:
        if student_number:
            typer.echo(t("review_student_none", student=student_number, year=year), err=True)
        else:
            typer.echo(t("review_none", year=year), err=True)
        raise typer.Exit(1)
    statuses, results = sandbox.review_texts(summary)
    typer.echo(t("review_done", n=summary.changed, year=year, statuses=statuses, results=results))


@app.command("template")
def template(
    out: Annotated[Path, typer.Option(help="Folder to write the blank workbooks into.")] = Path(
        "."
    ),
    force: Annotated[bool, typer.Option(help="Overwrite existing workbooks.")] = False,
    lang: LangOption = None,
) -> None:
    """Write blank input workbooks: headers, dropdowns, limits, instructions."""
    from pipeline.commands.template import run_template

    for path in run_template(out, force=force, ctx=_context(i18n.chosen(lang))):
        typer.echo(t("template_written", path=path))


InputsArg = Annotated[
    list[Path], typer.Argument(help="Input files: .xlsx, .xlsm, .ods or .csv.", show_default=False)
]


def _context(lang: str) -> Context:
    """What every command of one invocation shares: the language and the day's log file."""
    try:
        log_file: Path | None = logs.default_log_file(config.simad_home())
    except SimadError:
        log_file = None  # a command that needs SIMAD_HOME says so itself
    return Context(lang=lang, log_file=log_file)


MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        metavar="HEADER=FIELD",
        help='Say what a header means, e.g. --map "Course=CourseStudyCode" (repeatable).',
    ),
]
MapFileOption = Annotated[
    Path | None,
    typer.Option(help="A saved header mapping: one HEADER=FIELD a line (--map adds to it)."),
]
SHOWN_LINES = 12  # findings groups or rows needing action listed on screen; the rest: report
JsonOption = Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")]


def _console() -> Console:
    """Standard output, never cut: long paths and messages wrap instead (80 columns too)."""
    return Console(highlight=False, soft_wrap=False)


def _echo_target(target: str, json_out: bool) -> None:
    """The target, once; on standard error when standard output carries JSON."""
    typer.echo(describe_target(target), err=json_out)


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=1, default=str))


@app.command("validate")
def validate(
    inputs: InputsArg,
    report: Annotated[Path | None, typer.Option(help="Where to write the report (.xlsx).")] = None,
    kind: Annotated[
        str | None, typer.Option(help="Treat every sheet as: residents | upgrades.")
    ] = None,
    course_codes: Annotated[
        Path | None,
        typer.Option(help="Official course-code table (CSV with a 'code' column): strict check."),
    ] = None,
    header_map: MapOption = None,
    map_file: MapFileOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Dry run: check every row against the guide's rules and write a marked-up report.

    No network is used. Exit 0 when every row is valid, 1 when some are invalid,
    2 when an input file cannot be used.
    """
    from pipeline.commands.submit import user_mapping
    from pipeline.commands.validate import run_validate

    lang_now = i18n.chosen(lang)
    run, path = run_validate(
        inputs,
        report_path=report,
        kind=kind,
        course_codes=course_codes,
        mapping=user_mapping(header_map, map_file),
        ctx=_context(lang_now),
    )
    if json_out:
        out = sys.stdout
        for piece in run.iter_json(report=str(path)):
            out.write(piece)
        out.flush()
    else:
        _print_validation(run, path)
    raise typer.Exit(run.exit_code)


def _print_validation(run: ValidationRun, path: Path) -> None:
    """Counts per sheet, then the findings grouped by rule with a few example cells."""
    from pipeline.commands.validate import finding_groups

    VALID, INVALID = Validation.VALID, Validation.INVALID

    console = _console()
    table = Table(show_lines=False)
    for title in (t("col_sheet"), t("col_kind"), t("col_rows"), word(VALID), word(INVALID)):
        table.add_column(title, overflow="fold")
    table.add_column(t("col_warnings"), overflow="fold")
    for result in run.results:
        c = result.counts()
        sheet = result.sheet
        table.add_row(
            sheet.label,
            t(f"kind_{sheet.kind}"),
            *(i18n.number(n) for n in (len(sheet.rows), c[VALID], c[INVALID], c["warnings"])),
        )
    console.print(table)
    # Lines, not rich markup: a long path or message wraps where the terminal wraps it,
    # never broken or cut.
    groups = finding_groups(run.results)
    for group in groups[:SHOWN_LINES]:
        mark = "✗" if group.severity == "error" else "!"
        typer.echo(
            f"{mark} {t('finding_group', n=group.count, code=group.code, sheet=group.sheet)}"
        )
        typer.echo(f"    {group.message}")
        typer.echo(f"    {t('finding_cells', cells=', '.join(group.cells))}")
    if len(groups) > SHOWN_LINES:
        typer.echo(t("more_groups", n=len(groups) - SHOWN_LINES))
    for book in run.books:
        if book.skipped:
            typer.echo(t("skipped_sheets", file=book.path.name, sheets=", ".join(book.skipped)))
    typer.echo(run.verdict())
    typer.echo(t("validate_done", path=path))


TargetOption = Annotated[
    str | None,
    typer.Option(
        help="'sandbox' (default, the embedded simulator) or a base URL; also SIMAD_TARGET."
    ),
]


ResendOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="KEY",
        help="Send this row again even if unchanged: STUDENT/YEAR (a declaration) or "
        "STUDENT (a resident); repeat for more. The ledger notes it as a resend.",
    ),
]


@app.command("submit")
def submit(
    inputs: InputsArg,
    target: TargetOption = None,
    report: Annotated[Path | None, typer.Option(help="Where to write the report (.xlsx).")] = None,
    images: Annotated[
        Path | None, typer.Option(help="Photos named by student number or national code (JPEG).")
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, max=16, help="Requests in flight at once (1–16).")
    ] = config.DEFAULT_CONCURRENCY,
    force: Annotated[bool, typer.Option(help="Send every valid row, even unchanged ones.")] = False,
    resend: ResendOption = None,
    kind: Annotated[
        str | None, typer.Option(help="Treat every sheet as: residents | upgrades.")
    ] = None,
    course_codes: Annotated[
        Path | None, typer.Option(help="Official course-code table (CSV): strict check.")
    ] = None,
    wait: Annotated[
        bool, typer.Option(help="If another run is sending to this target, wait for it.")
    ] = False,
    max_rate: Annotated[
        float | None,
        typer.Option(
            help="At most this many requests per second, 0.1–10000 (also SIMAD_MAX_RATE)."
        ),
    ] = None,
    header_map: MapOption = None,
    map_file: MapFileOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Validate, then send residents, their photos and declarations; write the report.

    Rows the target already accepted are not sent again (see `simad runs`), so a run that was
    interrupted is completed by running the same command again. Exit 0 all sent or unchanged,
    1 some rows invalid/failed/not sent, 2 input error, 3 authentication refused or server
    unreachable.
    """
    from pipeline.commands.submit import (
        SubmitOptions,
        fatal_text,
        resend_keys,
        run_submit,
        user_mapping,
    )

    options = SubmitOptions(
        inputs,
        target=target,
        report=report,
        images=images,
        concurrency=concurrency,
        force=force,
        kind=kind,
        course_codes=course_codes,
        mapping=user_mapping(header_map, map_file),
        wait=wait,
        max_rate=max_rate,
        resend=resend_keys(resend or []),
    )
    ctx = _context(i18n.chosen(lang))
    with _ProgressBar(enabled=not json_out) as bar:
        bar.on_target = lambda resolved: _echo_target(resolved, json_out)
        result = run_submit(options, control=bar, ctx=ctx)
    if json_out:
        _echo_json(result.to_dict())
        raise typer.Exit(result.exit_code)
    _print_submission(result)
    typer.echo(t("submit_summary", counts=counts_text(result.counts)))
    if result.fatal is not None:
        typer.echo(t("submit_fatal", error=fatal_text(result.fatal)), err=True)
    elif result.interrupted:
        typer.echo(t("interrupted_resume"), err=True)
    if result.report_error is not None:
        typer.echo(t("error", message=result.report_error), err=True)
    else:
        typer.echo(t("submit_report", path=result.report))
    raise typer.Exit(result.exit_code)


def _print_submission(result: SubmitResult) -> None:
    """One screen: rows per status for each input sheet."""
    table = Table()
    table.add_column(t("col_sheet"), overflow="fold")
    for status in Submission:
        table.add_column(word(status), overflow="fold")
    for sheet in result.sheets:
        counts = sheet.counts()
        table.add_row(sheet.label, *(i18n.number(counts[s]) for s in Submission))
    _console().print(table)


class _ProgressBar:
    """The run's handle (``Control``) drawing a rich progress bar on a terminal, from the
    first row decided on (after the target is named and the credentials asked for); nothing
    otherwise (logs go to the log file). It counts the rows that are sent: unchanged and
    invalid rows are not in its total."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> Control:
        from pipeline.commands.submit import Control

        return Control(on_change=self._update if self.enabled else None)

    def _update(self, progress: Progress_) -> None:
        if self._bar is None:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TextColumn("{task.fields[pace]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._bar.start()
            self._task = self._bar.add_task(t("progress"), total=None, counts="", pace="")
        pace = progress.pace
        self._bar.update(
            self._task,
            total=progress.total,
            completed=progress.done,
            counts=counts_text(progress.counts),
            pace=t("progress_pace", rate=round(pace, 1)) if pace is not None else "",
        )

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


YearOption = Annotated[
    int,
    typer.Option("--year", min=1300, max=1499, help="Upgrade year (YearId), e.g. 1402."),
]


@app.command("results")
def results(
    year: YearOption,
    course: Annotated[str | None, typer.Option(help="Only this course code.")] = None,
    national_code: Annotated[str | None, typer.Option(help="Only this national code.")] = None,
    student_number: Annotated[str | None, typer.Option(help="Only this student.")] = None,
    target: TargetOption = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the workbook (.xlsx).")] = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Download declarations with their review status and the final results of a year."""
    from pipeline.commands.results import run_results

    lang_now = i18n.chosen(lang)
    resolved = resolve_target(target)
    _echo_target(resolved, json_out)
    done = run_results(
        year,
        target=resolved,
        course=course,
        national_code=national_code,
        student_number=student_number,
        out=out,
        ctx=_context(lang_now),
    )
    joined, path = done.joined, done.report
    if json_out:
        _echo_json(done.to_dict())
        raise typer.Exit(done.exit_code)
    typer.echo(t("results_done", n=len(joined)))
    typer.echo(t("submit_report", path=path))


@app.command("reconcile")
def reconcile(
    year: YearOption,
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Input files; without them, what the ledger recorded as accepted.",
            show_default=False,
        ),
    ] = None,
    target: TargetOption = None,
    report: Annotated[Path | None, typer.Option(help="Where to write the report (.xlsx).")] = None,
    header_map: MapOption = None,
    map_file: MapFileOption = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Compare local declarations with the server's and say which rows need the office's
    action: rejected or needing correction in review, missing on the server, different, or
    invalid in the file.

    Exit 0 when no row needs action, 1 while any does.
    """
    from pipeline.commands.reconcile import action, run_reconcile
    from pipeline.commands.submit import user_mapping

    lang_now = i18n.chosen(lang)
    resolved = resolve_target(target)
    _echo_target(resolved, json_out)
    result = run_reconcile(
        year,
        list(inputs or []),
        target=resolved,
        report_path=report,
        mapping=user_mapping(header_map, map_file),
        ctx=_context(lang_now),
    )
    if json_out:
        _echo_json(result.to_dict())
        raise typer.Exit(result.exit_code)
    typer.echo(result.headline)
    if result.source is not None:
        typer.echo(t("ui_compared_with", source=result.source.describe()))
    typer.echo(t("reconcile_done", counts=counts_text(result.counts)))
    shown = [line for line in result.lines if line.needs_action][:SHOWN_LINES]
    for line in shown:
        typer.echo(f"  {line.key[0]} ({i18n.number(line.key[1])}): {action(line)}")
    if result.needs_action > len(shown):
        typer.echo(t("more_in_report", n=result.needs_action - len(shown)))
    if any(line.needs_action and line.resendable for line in result.lines):
        typer.echo(t("reconcile_resend_cli"))
    typer.echo(t("submit_report", path=result.report))
    raise typer.Exit(result.exit_code)


@app.command("runs")
def runs(
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="How many recent runs to list.")
    ] = 20,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            metavar="RUN_ID",
            help="Write the report of this run again (when it could not be written).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="With --report: where to write it (.xlsx).")
    ] = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """List past submission runs with their target, state and counts (from the ledger).

    How each run ended reads as on the Runs page: finished, stopped by the clerk, interrupted,
    login refused or stopped by an error, with the reason.
    """
    from pipeline.commands.runs import list_runs, rebuild_report

    ctx = _context(i18n.chosen(lang))
    if report is not None:
        path = rebuild_report(report, out, ctx=ctx)
        typer.echo(t("submit_report", path=path))
        return
    rows = list_runs(limit, ctx=ctx)
    if json_out:
        _echo_json([r.to_dict() for r in rows])
        return
    if not rows:
        typer.echo(t("runs_none"))
        return
    # One block per run, not a table: at 80 columns a table cuts or folds the ids, targets
    # and paths a user needs to copy.
    for r in rows:
        target = describe_target(r.target, short=True)
        typer.echo(f"{r.id}  {when(r.started_at)}  {target}  {r.ending_words}")
        if r.reason:
            typer.echo(f"    {t('ui_run_reason')}: {r.reason}")
        typer.echo(f"    {counts_text(r.counts)}")
        if r.report:
            typer.echo(f"    {t('submit_report', path=r.report)}")


def main() -> None:
    """The `simad` entry point: errors are mapped to exit codes by ``Boundary``."""
    _utf8_output()
    app()


def _utf8_output() -> None:
    """UTF-8 out, whatever the console or redirection: a Windows console redirected to a file
    encodes with its code page (cp1252, cp1256 …), which cannot say Persian. What still cannot
    be written (a file name that is not valid UTF-8) is escaped, never a crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # absent when replaced (tests)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="backslashreplace")
