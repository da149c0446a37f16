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

if TYPE_CHECKING:  # the heavy commands are imported when they run: `simad maxa` starts fast
    from pipeline.commands.submit import Control, PaceFigures, SubmitResult
    from pipeline.commands.submit import Progress as Progress_
    from pipeline.commands.validate import ValidationRun

from pipeline import __version__
from pipeline.commands import sandbox
from pipeline.core import config, files, i18n, logs, settings
from pipeline.core.config import describe_target, resolve_target
from pipeline.core.context import Context
from pipeline.core.errors import (
    INTERRUPTED_EXIT,
    UNEXPECTED_EXIT,
    USAGE_EXIT,
    SimadError,
    exit_code_for,
)
from pipeline.core.helptext import LANG_ASKED, WordedGroup
from pipeline.core.i18n import counts_text, t, when, word
from pipeline.core.redact import scrub
from pipeline.core.status import Submission, Validation
from pipeline.maxa_cli import maxa_app

BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, as a shell reports a command cut off by `head`


class Boundary(WordedGroup):
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
    help="help_app",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, pwsh)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help, worded from the catalogue (``helptext``)
)
sandbox_app = typer.Typer(
    cls=WordedGroup, help="help_sandbox", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(sandbox_app, name="sandbox")
config_app = typer.Typer(
    cls=WordedGroup, help="help_config", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(maxa_app, name="maxa")

LangOption = Annotated[str | None, typer.Option("--lang", help="help_lang")]


@app.callback(invoke_without_command=True)
def main_options(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="help_version")] = False,
    lang: LangOption = None,
    ca_bundle: Annotated[
        str | None, typer.Option("--ca-bundle", metavar="FILE", help="help_ca_bundle")
    ] = None,
    proxy: Annotated[str | None, typer.Option("--proxy", metavar="URL", help="help_proxy")] = None,
) -> None:
    """simad-sync: move residency-office spreadsheets into SIMAD, correctly."""
    # --lang, else SIMAD_LANG (any case; anything but fa or en is refused, exit 2), else the
    # settings file's, else fa. Read before --version answers, so `simad --version --lang xx`
    # is refused like the rest.
    from_environment = i18n.environment_lang()
    asked = lang or ctx.meta.get(LANG_ASKED) or from_environment  # LANG_ASKED: `validate --lang`
    i18n.set_lang(asked or settings.saved_lang() or "fa")
    if version:
        typer.echo(t("version", version=__version__))
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(USAGE_EXIT)
    # A number setting of the environment that cannot be used is a usage error before any
    # command does anything (exit 2), not a run that hangs or stops half-way.
    config.check_settings()
    from pipeline.commands.targets import network_settings

    network_settings(proxy=proxy, ca_bundle=ca_bundle)  # one that cannot be used: exit 2
    try:
        logs.configure(logs.default_log_file(config.simad_home()))
    except SimadError:
        logs.configure(None)  # the command says so if it needs SIMAD_HOME
    from pipeline.commands.clock import warn_clock_skew

    warn_clock_skew(lambda text: typer.echo(text, err=True))


@app.command("ui", help="help_cmd_ui")
def ui(
    port: Annotated[int, typer.Option(min=0, max=65535, help="help_ui_port")] = 0,
    host: Annotated[str, typer.Option(help="help_ui_host")] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="help_no_browser")] = False,
    lang: LangOption = None,
) -> None:
    """The office's web app: validate, fix, submit and reconcile in the browser. Run again
    while it runs (a second double-click on the shortcut), it opens the running app, signed
    in, in a new tab, and exits; the running app's work goes on."""
    from pipeline.web.server import serve  # the web app's libraries only when it is asked for

    serve(host=host, port=port, lang=i18n.chosen(lang), open_browser=not no_browser, say=typer.echo)


@sandbox_app.callback()
def sandbox_options(lang: LangOption = None) -> None:
    i18n.chosen(lang)  # `simad sandbox --lang en serve`


@sandbox_app.command("serve", help="help_cmd_sandbox_serve")
def sandbox_serve(
    host: Annotated[str, typer.Option(help="help_host")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="help_port")] = 8765,
    db: Annotated[Path | None, typer.Option(help="help_sandbox_db")] = None,
    token_ttl: Annotated[float, typer.Option(help="help_token_ttl")] = 1800.0,
    refresh_ttl: Annotated[float, typer.Option(help="help_refresh_ttl")] = 604800.0,
    maxa_token_ttl: Annotated[float, typer.Option(help="help_maxa_token_ttl")] = 763.0,
    latency_ms: Annotated[float, typer.Option(help="help_latency")] = 0.0,
    fail_rate: Annotated[float, typer.Option(help="help_fail_rate")] = 0.0,
    rate_limit: Annotated[float, typer.Option(help="help_rate_limit")] = 0.0,
    limiter: Annotated[str, typer.Option(help="help_limiter")] = "token-bucket",
    burst: Annotated[float | None, typer.Option(help="help_burst")] = None,
    retry_after: Annotated[str, typer.Option(help="help_retry_after")] = "exact",
    push_back: Annotated[int, typer.Option(help="help_push_back")] = 429,
    window: Annotated[float, typer.Option(help="help_window")] = 1.0,
    segments: Annotated[int, typer.Option(help="help_segments")] = 0,
    overload_at: Annotated[
        int,
        typer.Option(help="help_overload_at"),
    ] = 0,
    bogus_200: Annotated[
        float,
        typer.Option("--bogus-200", help="help_bogus_200"),
    ] = 0.0,
    echo_errors: Annotated[bool, typer.Option(help="help_echo_errors")] = False,
    hang: Annotated[float, typer.Option(help="help_hang")] = 0.0,
    huge_error_body: Annotated[float, typer.Option(help="help_huge_error_body")] = 0.0,
    seed: Annotated[int, typer.Option(help="help_seed")] = 0,
    clock_offset: Annotated[
        float,
        typer.Option(help="help_clock"),
    ] = 0.0,
    generated_terms: Annotated[int, typer.Option(help="help_generated_terms")] = 0,
    tls_cert: Annotated[Path | None, typer.Option(help="help_tls_cert")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="help_tls_key")] = None,
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
    if not math.isfinite(clock_offset):
        raise typer.BadParameter(t("bad_option_number", name="--clock-offset", value=clock_offset))
    shaping = sandbox.limit_shape(limiter, burst, retry_after, push_back, window, segments)
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
        clock_offset=clock_offset,
        **shaping,
    )
    tls = _tls_files(tls_cert, tls_key)
    scheme = "https" if tls else "http"
    typer.echo(t("sandbox_banner", url=f"{scheme}://{host}:{port}", db=path))
    if latency_ms or fail_rate or rate_limit or overload_at:
        at_once = shaping["limiter"] == "concurrency"
        typer.echo(sandbox.faults_told(latency_ms, fail_rate, rate_limit, overload_at, at_once))
    if rate_limit:
        typer.echo(sandbox.limit_told(rate_limit, shaping))
    sys.stdout.flush()
    sandbox.serve(settings, host, port, tls)


def _tls_files(cert: Path | None, key: Path | None) -> tuple[Path, Path] | None:
    """--tls-cert and --tls-key: both or neither, each a file (usage errors otherwise)."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise typer.BadParameter(t("sandbox_tls_pair"))
    for given in (cert, key):
        if not given.is_file():
            raise typer.BadParameter(t("sandbox_tls_missing", path=given))
    return cert, key


def _check_sandbox_numbers(numbers: dict[str, Any], *, fail_rate: float, bogus_200: float) -> None:
    """Shares between 0 and 1, and every other number finite and not negative (usage errors,
    named by their option)."""
    if not 0 <= fail_rate <= 1 or not 0 <= bogus_200 <= 1:
        raise typer.BadParameter(t("bad_share"))
    for key, value in numbers.items():
        if not 0 <= value < math.inf:  # NaN, infinities and negatives
            name = "--" + key.replace("_", "-")
            raise typer.BadParameter(t("bad_option_number", name=name, value=value))


@sandbox_app.command("review", help="help_cmd_sandbox_review")
def sandbox_review(
    year: Annotated[int, typer.Option("--year", min=1300, max=1499, help="help_year")],
    student_number: Annotated[str | None, typer.Option(help="help_only_resident")] = None,
    status: Annotated[str | None, typer.Option(help="help_review_status")] = None,
    reason: Annotated[str | None, typer.Option(help="help_review_reason")] = None,
    final_result: Annotated[str | None, typer.Option(help="help_final_result")] = None,
    random_: Annotated[bool, typer.Option("--random", help="help_random")] = False,
    seed: Annotated[int, typer.Option(help="help_random_seed")] = 0,
    db: Annotated[Path | None, typer.Option(help="help_sandbox_db")] = None,
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


@app.command("template", help="help_cmd_template")
def template(
    out: Annotated[Path, typer.Option(help="help_template_out")] = Path("."),
    force: Annotated[bool, typer.Option(help="help_template_force")] = False,
    lang: LangOption = None,
) -> None:
    """Write blank input workbooks: headers, dropdowns, limits, instructions."""
    from pipeline.commands.template import run_template

    for path in run_template(out, force=force, ctx=_context(i18n.chosen(lang))):
        typer.echo(t("template_written", path=path))


InputsArg = Annotated[list[Path], typer.Argument(help="help_inputs", show_default=False)]


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
        help="help_map",
    ),
]
MapFileOption = Annotated[
    Path | None,
    typer.Option(help="help_map_file"),
]
SHOWN_LINES = 12  # findings groups or rows needing action listed on screen; the rest: report
JsonOption = Annotated[bool, typer.Option("--json", help="help_json")]


def _console() -> Console:
    """Standard output, never cut: long paths and messages wrap instead (80 columns too)."""
    return Console(highlight=False, soft_wrap=False)


def _echo_target(target: str, json_out: bool) -> None:
    """The target, once; on standard error when standard output carries JSON."""
    typer.echo(describe_target(target), err=json_out)


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=1, default=str))


@app.command("validate", help="help_cmd_validate")
def validate(
    inputs: InputsArg,
    report: Annotated[Path | None, typer.Option(help="help_report")] = None,
    kind: Annotated[str | None, typer.Option(help="help_kind")] = None,
    course_codes: Annotated[
        Path | None,
        typer.Option(help="help_course_codes"),
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
    typer.Option(help="help_target"),
]


ResendOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="KEY",
        help="help_resend",
    ),
]


@app.command("submit", help="help_cmd_submit")
def submit(
    inputs: InputsArg,
    target: TargetOption = None,
    report: Annotated[Path | None, typer.Option(help="help_report")] = None,
    images: Annotated[Path | None, typer.Option(help="help_images")] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, max=16, help="help_concurrency")
    ] = config.DEFAULT_CONCURRENCY,
    force: Annotated[bool, typer.Option(help="help_force")] = False,
    resend: ResendOption = None,
    kind: Annotated[str | None, typer.Option(help="help_kind")] = None,
    course_codes: Annotated[Path | None, typer.Option(help="help_course_codes_short")] = None,
    wait: Annotated[bool, typer.Option(help="help_wait")] = False,
    max_rate: Annotated[
        float | None,
        typer.Option(help="help_max_rate"),
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
    _print_pace(result.pace)
    if result.fatal is not None:
        typer.echo(t("submit_fatal", error=fatal_text(result.fatal)), err=True)
    elif result.interrupted:
        typer.echo(t("interrupted_resume"), err=True)
    if result.report_error is not None:
        typer.echo(t("error", message=result.report_error), err=True)
    else:
        typer.echo(t("submit_report", path=result.report))
    raise typer.Exit(result.exit_code)


def _print_pace(pace: PaceFigures) -> None:
    """How often the server pushed back, how long its Retry-After held the run, and the pace
    it left the sender at: a throttled run says so, not only what was sent."""
    if not pace.pushed_back:
        return
    share = round(100 * pace.pushed_back / max(pace.answers, 1), 1)
    typer.echo(t("submit_pushed_back", pushed=pace.pushed_back, answers=pace.answers, share=share))
    if pace.held >= 0.05:
        typer.echo(t("submit_held", held=round(pace.held, 1)))
    if pace.current is not None:
        typer.echo(t("submit_pace_at_end", rate=round(pace.current, 1)))


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
    typer.Option("--year", min=1300, max=1499, help="help_year_eg"),
]


@app.command("results", help="help_cmd_results")
def results(
    year: YearOption,
    course: Annotated[str | None, typer.Option(help="help_only_course")] = None,
    national_code: Annotated[str | None, typer.Option(help="help_only_national")] = None,
    student_number: Annotated[str | None, typer.Option(help="help_only_student")] = None,
    target: TargetOption = None,
    out: Annotated[Path | None, typer.Option(help="help_results_out")] = None,
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


@app.command("reconcile", help="help_cmd_reconcile")
def reconcile(
    year: YearOption,
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="help_reconcile_inputs",
            show_default=False,
        ),
    ] = None,
    target: TargetOption = None,
    report: Annotated[Path | None, typer.Option(help="help_report")] = None,
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


@app.command("runs", help="help_cmd_runs")
def runs(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="help_runs_limit")] = 20,
    report: Annotated[
        str | None,
        typer.Option(
            "--report",
            metavar="RUN_ID",
            help="help_runs_report",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="help_runs_out")] = None,
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


DOCTOR_MARKS = {"ok": "✓", "warn": "!", "fail": "✗", "skip": "–"}


@app.command("doctor", help="help_cmd_doctor")
def doctor(
    target: TargetOption = None,
    maxa_target: Annotated[str | None, typer.Option(help="help_doctor_maxa_target")] = None,
    no_login: Annotated[bool, typer.Option("--no-login", help="help_doctor_no_login")] = False,
    report: Annotated[Path | None, typer.Option(help="help_doctor_report")] = None,
    json_out: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Check the settings, the way to the servers, the login and the local state."""
    from pipeline.commands import doctor as checks

    checks.own_clock_line()
    options = checks.Options(
        target, maxa_target, login=not no_login, interactive=checks.interactive()
    )
    found = checks.run(options, ctx=_context(i18n.chosen(lang)))
    if report is not None:
        checks.write_report(found, report)
    if json_out:
        _echo_json(found.as_json())
    else:
        for check in found.checks:
            typer.echo(f"{DOCTOR_MARKS[check.state]} {check.label}: {check.detail}")
            if check.fix and check.state != "ok":
                typer.echo(f"    → {check.fix}")
        bad = sum(c.state in ("warn", "fail") for c in found.checks)
        ending = "doctor_unreachable" if found.unreachable else "doctor_attention"
        typer.echo(t(ending, n=bad) if bad else t("doctor_all_hold"))
    if report is not None:
        typer.echo(t("doctor_report_written", path=report), err=json_out)
    raise typer.Exit(found.code)


ServiceOption = Annotated[str, typer.Option("--service", metavar="simad|maxa", help="help_service")]
LoginTargetOption = Annotated[str | None, typer.Option("--target", help="help_login_target")]


def _account(service: str, target: str | None, lang: str | None) -> tuple[str, str]:
    """The service (``simad`` or ``maxa``) and the target whose credentials are meant."""
    from pipeline.commands import login as accounts

    i18n.chosen(lang)
    name = accounts.service_of(service)
    return name, accounts.target_of(name, target)


@app.command("login", help="help_cmd_login")
def login(
    service: ServiceOption = "simad",
    target: LoginTargetOption = None,
    lang: LangOption = None,
) -> None:
    """Ask for a target's credentials, hidden, and keep them in the system keyring."""
    from pipeline.commands import login as accounts

    name, resolved = _account(service, target, lang)
    accounts.check_keyring()  # no keyring: said before anything is asked (exit 2)
    typer.echo(describe_target(resolved))
    values: dict[str, str] = {}
    for field, secret in accounts.FIELDS[name]:
        if name == "simad":
            text = t("prompt_password" if secret else "prompt_username")
        else:
            text = t("prompt_setting", name=field)
        saved = None if secret or name != "simad" else settings.get("username")
        values[field] = typer.prompt(
            text.rstrip(": "), default=saved, hide_input=secret, show_default=bool(saved)
        ).strip()
    accounts.store(name, resolved, values)
    typer.echo(t("login_stored", target=describe_target(resolved, short=True), service=name))


@app.command("logout", help="help_cmd_logout")
def logout(
    service: ServiceOption = "simad",
    target: LoginTargetOption = None,
    lang: LangOption = None,
) -> None:
    """Remove a target's credentials from the system keyring."""
    from pipeline.commands import login as accounts

    name, resolved = _account(service, target, lang)
    shown = describe_target(resolved, short=True)
    removed = accounts.forget(name, resolved)
    typer.echo(t("logout_removed" if removed else "logout_none", target=shown, service=name))


app.add_typer(config_app, name="config")
KeyArg = Annotated[str, typer.Argument(metavar="KEY", help="help_config_key", show_default=False)]


@config_app.callback()
def config_options(lang: LangOption = None) -> None:
    i18n.chosen(lang)  # `simad config --lang en get`


@config_app.command("get", help="help_cmd_config_get")
def config_get(
    key: Annotated[
        str | None, typer.Argument(metavar="[KEY]", help="help_config_key", show_default=False)
    ] = None,
    lang: LangOption = None,
) -> None:
    """One setting, or every setting kept."""
    i18n.chosen(lang)
    if key is not None:
        value = settings.get(key)
        if value is None:
            typer.echo(t("settings_not_set", name=key), err=True)
            raise typer.Exit(1)
        typer.echo(value)
        return
    kept = settings.load()
    if not kept:
        typer.echo(t("settings_none", path=settings.path()))
    for name, value in kept.items():
        typer.echo(f"{name} = {value}")


@config_app.command("set", help="help_cmd_config_set")
def config_set(
    key: KeyArg,
    value: Annotated[
        str, typer.Argument(metavar="VALUE", help="help_config_value", show_default=False)
    ],
    lang: LangOption = None,
) -> None:
    """Keep a setting (never a password)."""
    from pipeline.commands.login import setting_value

    i18n.chosen(lang)
    kept = setting_value(key, value)
    path = settings.put(key, kept)
    typer.echo(t("settings_set", name=settings.check_key(key), value=kept, path=path))


@config_app.command("unset", help="help_cmd_config_unset")
def config_unset(key: KeyArg, lang: LangOption = None) -> None:
    """Remove a setting."""
    i18n.chosen(lang)
    path = settings.put(key, None)
    typer.echo(t("settings_unset", name=settings.check_key(key), path=path))


@config_app.command("path", help="help_cmd_config_path")
def config_path(lang: LangOption = None) -> None:
    """Where the settings file is (it need not exist yet)."""
    i18n.chosen(lang)
    typer.echo(str(settings.path()))


def main() -> None:
    """The `simad` entry point: errors are mapped to exit codes by ``Boundary``."""
    _utf8_output()
    files.tell_with(lambda text: typer.echo(text, err=True))  # «… is open; written to …»
    app()


def _utf8_output() -> None:
    """UTF-8 out, whatever the console or redirection: a Windows console redirected to a file
    encodes with its code page (cp1252, cp1256 …), which cannot say Persian. What still cannot
    be written (a file name that is not valid UTF-8) is escaped, never a crash. Started without
    a console (``pythonw``, a desktop shortcut) there are no streams at all (None): what would
    be said goes nowhere rather than failing on the first ``print`` or ``flush``."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # absent when replaced (tests)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(encoding="utf-8", errors="backslashreplace")
