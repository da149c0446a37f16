"""The command line: help everywhere, version, language, and the sandbox review command."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import __version__
from pipeline.cli import app
from pipeline.sandbox import SandboxSettings, create_app

from .conftest import declaration, resident

runner = CliRunner()


def all_commands(group=None, prefix=()):
    import typer.main

    click_group = group or typer.main.get_command(app)
    for name, command in click_group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("command", list(all_commands()))
def test_every_command_has_help(command):
    result = runner.invoke(app, ["--lang", "en", *command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.output.strip()) == (0, f"simad-sync {__version__}")


@pytest.mark.parametrize("args", [["--version", "--lang", "xx"], ["--lang", "xx", "--version"]])
def test_version_refuses_an_unknown_language_wherever_it_stands(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "xx" in result.output and __version__ not in result.output


def seed_sandbox(db) -> None:
    import httpx

    from pipeline.core.config import Credentials
    from pipeline.simad.client import SimadClient

    sandbox = create_app(SandboxSettings(db_path=db))

    async def go():
        async with SimadClient(
            "http://s",
            Credentials("demo-university", "demo-pass-1403"),
            transport=httpx.ASGITransport(app=sandbox),
        ) as c:
            assert (await c.add_or_update_resident(resident())).ok
            assert (await c.add_or_update_declaration(declaration())).ok

    asyncio.run(go())
    sandbox.store.close()


def test_sandbox_review_sets_status_in_persian_and_english(tmp_path):
    from pipeline.sandbox.store import SandboxStore

    db = tmp_path / "home" / "sandbox.db"
    seed_sandbox(db)
    fa = runner.invoke(
        app,
        ["sandbox", "review", "--year", "1402", "--status", "rejected", "--reason", "مدارک ناقص"],
    )
    assert fa.exit_code == 0, fa.output
    assert "رد: ۱" in fa.output
    en = runner.invoke(
        app,
        [
            "--lang",
            "en",
            "sandbox",
            "review",
            "--year",
            "1402",
            "--status",
            "accepted",
            "--final-result",
            "promoted",
        ],
    )
    assert en.exit_code == 0, en.output
    assert "Accepted: 1" in en.output and "Promoted: 1" in en.output
    [row] = SandboxStore(db).declarations(1402)
    assert (row["review_status_id"], row["final_result_id"]) == (1, 1)


def test_sandbox_review_errors(tmp_path):
    assert runner.invoke(app, ["sandbox", "review", "--year", "1402"]).exit_code == 2
    bad = runner.invoke(app, ["sandbox", "review", "--year", "1402", "--status", "maybe"])
    assert bad.exit_code == 2
    empty = runner.invoke(
        app, ["--lang", "en", "sandbox", "review", "--year", "1399", "--status", "accepted"]
    )
    assert empty.exit_code == 1 and "no declaration for year 1399" in empty.output


def test_sandbox_review_of_an_unknown_student_says_so(tmp_path):
    seed_sandbox(tmp_path / "home" / "sandbox.db")
    args = ["sandbox", "review", "--year", "1402", "--status", "accepted"]
    result = runner.invoke(app, [*args, "--student-number", "77777777"])
    assert result.exit_code == 1
    assert "77777777" in result.output and "۱۴۰۲" in result.output


@pytest.mark.parametrize("command", ["validate", "submit"])
def test_a_report_that_is_not_xlsx_is_refused_before_anything(tmp_path, command):
    from .test_submit import SAMPLE

    result = runner.invoke(
        app, ["--lang", "en", command, str(SAMPLE), "--report", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 2
    assert "only as an Excel workbook (.xlsx), not .csv" in result.output
    assert not (tmp_path / "r.csv").exists() and not (tmp_path / "home" / "ledger.db").exists()


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({"SIMAD_LANG": "xx"}, ["runs"]),
        ({}, ["--lang", "de", "runs"]),
        ({}, ["runs", "--lang", "DE"]),
    ],
)
def test_an_unknown_language_is_a_usage_error(env, args, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "fa" in result.output and "en" in result.output


def test_language_in_any_case_and_after_a_subcommand(tmp_path, monkeypatch):
    monkeypatch.setenv("SIMAD_LANG", "EN")
    assert "No runs recorded yet." in runner.invoke(app, ["runs"]).output
    monkeypatch.delenv("SIMAD_LANG")
    assert "هنوز اجرایی ثبت نشده است." in runner.invoke(app, ["runs"]).output
    result = runner.invoke(app, ["maxa", "--lang", "En", "versions", "eRX"])
    assert result.exit_code == 0, result.output
    assert "Target: MAXA/DITAS sandbox" in result.output


def test_credentials_from_a_dotenv_file(tmp_path):
    """A wrong password in SIMAD_HOME/.env is used (and refused): exit 3, and it is written
    nowhere."""
    (tmp_path / "home").mkdir(mode=0o700)
    (tmp_path / "home" / ".env").write_text(
        "SIMAD_USERNAME=demo-university\nSIMAD_PASSWORD=Dotenv-Wrong-9\n", encoding="utf-8"
    )
    sample = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
    result = runner.invoke(
        app, ["--lang", "en", "submit", str(sample), "--report", str(tmp_path / "r.xlsx")]
    )
    assert result.exit_code == 3, result.output
    assert "Incorrect username or password" in result.output
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file() and path.name != ".env":
            assert b"Dotenv-Wrong-9" not in path.read_bytes()
    assert b"Dotenv-Wrong-9" not in (tmp_path / "r.xlsx").read_bytes()


def test_plain_http_is_refused_except_loopback(tmp_path):
    sample = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
    result = runner.invoke(
        app, ["--lang", "en", "submit", str(sample), "--target", "http://simad.example.ir"]
    )
    assert result.exit_code == 2 and "plain http:// is refused" in result.output


@pytest.mark.parametrize(
    "command", [c for c in all_commands() if c not in (("sandbox",), ("maxa",))]
)
def test_every_command_is_in_the_readme(command):
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    if command[0] == "maxa" and len(command) == 2:
        assert f"`{command[1]} " in readme or f"maxa {command[1]}" in readme, command
    else:
        assert f"simad {' '.join(command)}" in readme, command


def test_every_command_speaks_json(tmp_path, monkeypatch):
    """submit, results, reconcile and runs: JSON on standard output, the target line aside."""
    import json

    from .test_submit import SAMPLE

    monkeypatch.chdir(tmp_path)
    submitted = runner.invoke(app, ["submit", str(SAMPLE), "--json"])
    data = json.loads(submitted.stdout)
    assert submitted.exit_code == data["exit_code"] == 1
    assert data["counts"] == {"sent": 68, "invalid": 7, "not_sent": 4, "failed": 1}
    assert {r["status"] for r in data["rows"]} == {"sent", "invalid", "not_sent", "failed"}
    assert data["pace"]["answers"] > 68 and data["pace"]["pushed_back"] == 0
    results = json.loads(runner.invoke(app, ["results", "--year", "1402", "--json"]).stdout)
    assert len(results["declarations"]) == 32
    reconciled = runner.invoke(app, ["reconcile", "--year", "1402", str(SAMPLE), "--json"])
    rec = json.loads(reconciled.stdout)
    assert reconciled.exit_code == 1 and rec["needs_action"] == sum(
        line["needs_action"] for line in rec["lines"]
    )
    assert {line["category"] for line in rec["lines"]} <= {
        "matched",
        "missing_on_server",
        "only_on_server",
        "different",
    }
    runs = json.loads(runner.invoke(app, ["runs", "--json"]).stdout)
    assert runs[0]["id"] == data["run_id"] and runs[0]["state"] == "done"


def test_a_rate_cap_that_is_no_rate_is_refused_before_anything_is_sent(monkeypatch):
    sample = Path(__file__).parents[1] / "input_templates" / "sample.xlsx"
    zero = runner.invoke(app, ["--lang", "en", "submit", str(sample), "--max-rate", "0"])
    assert zero.exit_code == 2
    monkeypatch.setenv("SIMAD_MAX_RATE", "fast")
    bad = runner.invoke(app, ["--lang", "en", "submit", str(sample)])
    assert bad.exit_code == 2 and "rate cap 'fast' cannot be used" in bad.output
    assert not (Path.cwd() / "home" / "ledger.db").exists()  # nothing was sent


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--limiter", "bucket"),
        ("--retry-after", "later"),
        ("--push-back", "500"),
        ("--segments", "-4"),
        ("--segments", "5000"),
    ],
)
def test_sandbox_serve_names_a_limiter_option_it_cannot_use(tmp_path, option, value):
    """A wrong shape, Retry-After variant or status is refused before anything is served:
    exit 2, the option and the values it takes named, in Persian by default."""
    args = ["sandbox", "serve", "--db", str(tmp_path / "s.db"), "--rate-limit", "5"]
    fa = runner.invoke(app, [*args, option, value])
    assert fa.exit_code == 2, fa.output
    assert option in fa.output and "پذیرفتنی نیست" in fa.output
    assert "Traceback" not in fa.output
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", ["slow down in 12 of 640 answers (1.9%)", "pace at the end: 38.2 requests"]),
        ("en", ["Retry-After held the run 3.5 s in all"]),
        ("fa", ["۱۲ مورد از ۶۴۰ پاسخ (۱٫۹٪)", "۳۸٫۲ درخواست در ثانیه"]),
        ("fa", ["روی هم ۳٫۵ ثانیه نگه داشت"]),
    ],
)
def test_a_throttled_run_says_how_often_the_server_pushed_back(capsys, lang, said):
    """How often the server pushed back, how long its Retry-After held the run (when it
    did), and the pace at the end; a run never pushed back says nothing of it."""
    from pipeline.cli import _print_pace
    from pipeline.commands.submit import PaceFigures
    from pipeline.core import i18n

    with i18n.language(lang):
        _print_pace(PaceFigures(current=38.24, cuts=2, pushed_back=12, answers=640, held=3.46))
        told = capsys.readouterr().out
        _print_pace(PaceFigures(current=38.2, cuts=1, pushed_back=3, answers=640, held=0.0))
        unheld = capsys.readouterr().out
        _print_pace(PaceFigures(current=None, cuts=0, pushed_back=0, answers=640))
    assert all(part in told for part in said), told
    assert "Retry-After" not in unheld and unheld  # no hold: not said
    assert told.count("پاسخ") <= 1  # (not "12 answers of 640 answers")
    assert capsys.readouterr().out == ""  # never pushed back: nothing more is said


@pytest.mark.parametrize(
    ("lang", "limiter", "retry_after", "said", "unsaid"),
    [
        ("fa", "fixed-window", "one", ["پنجرهٔ ثابت", "(fixed-window)", "همیشه ۱"], [" - ", "جهش"]),
        ("en", "sliding-window", "one", ["sliding window", "always 1"], ["burst"]),
        ("fa", "leaky-bucket", "none", ["سطل نشتی", "بی Retry-After", "۴۰ در ثانیه"], [" - "]),
        ("en", "token-bucket", "date", ["token bucket (token-bucket)", "an HTTP date"], []),
        ("fa", "concurrency", "one", ["۴۰ درخواست هم‌زمان", "(concurrency)"], ["در ثانیه", "جهش"]),
        ("en", "concurrency", "none", ["40 requests at once"], ["/s", "burst"]),
    ],
)
def test_sandbox_serve_tells_its_limiter_in_words(lang, limiter, retry_after, said, unsaid):
    """The banner names the limiter's shape and its Retry-After in the reader's words (the
    option's value beside them); an option not set is left out, not shown as a dash; a limit
    on requests at once is told as so many at once, with no burst."""
    from pipeline.commands import sandbox
    from pipeline.core import i18n

    with i18n.language(lang):
        shaping = sandbox.limit_shape(limiter, None, retry_after, 429)
        at_once = limiter == "concurrency"
        told = sandbox.faults_told(0.0, 0.0, 40, None, at_once) + "\n"
        told += sandbox.limit_told(40, shaping)
        overloaded = sandbox.faults_told(0.0, 0.0, 0, 3)
    assert all(part in told for part in said), told
    assert not any(part in told for part in unsaid), told
    assert ("۳" if lang == "fa" else "3") in overloaded
    assert ("ندارد" if lang == "fa" else "none") in overloaded


@pytest.mark.parametrize(
    ("lang", "limiter", "said", "unsaid"),
    [
        ("fa", "fixed-window", ["پنجرهٔ ثابت، ۴۰۰ درخواست در هر ۱۰ ثانیهٔ ساعت"], ["10"]),
        ("en", "sliding-window", ["sliding window, 400 requests in any 10 s"], ["10.0"]),
        ("en", "token-bucket", ["token bucket (token-bucket)"], ["400", "10 s"]),
    ],
)
def test_sandbox_serve_tells_a_windows_length(lang, limiter, said, unsaid):
    """``--window 10``: a window's shape is told with its count and its seconds, in the
    reader's digits; a bucket, which has no window, is told as before."""
    from pipeline.commands import sandbox
    from pipeline.core import i18n

    with i18n.language(lang):
        told = sandbox.limit_told(40, sandbox.limit_shape(limiter, None, "exact", 429, 10.0))
    assert all(part in told for part in said), told
    assert not any(part in told for part in unsaid), told


@pytest.mark.parametrize(
    ("lang", "limiter", "segments", "said", "unsaid"),
    [
        (
            "fa",
            "sliding-window",
            4,
            ["پنجرهٔ لغزان، ۴۰ درخواست در ۱ ثانیه، شمرده در ۴ بخش ۰٫۲۵ ثانیه‌ای"],
            ["هر یک ثانیه"],
        ),
        (
            "en",
            "sliding-window",
            4,
            ["sliding window, 40 requests in 1 s counted in 4 segments of 0.25 s"],
            ["any one second"],
        ),
        (
            "en",
            "sliding-window-counter",
            0,
            ["sliding window counter, this clock second and the one before, weighted"],
            ["segments"],
        ),
        ("en", "fixed-window", 4, ["fixed window, each clock second"], ["segments"]),
    ],
)
def test_sandbox_serve_tells_a_windows_segments_and_the_window_counter(
    lang, limiter, segments, said, unsaid
):
    """``--segments 4`` (ASP.NET Core's sliding window) is told with its parts; a shape with
    no segments leaves them out; the sliding window counter is named for what it counts."""
    from pipeline.commands import sandbox
    from pipeline.core import i18n

    with i18n.language(lang):
        shaping = sandbox.limit_shape(limiter, None, "exact", 429, 1.0, segments)
        told = sandbox.limit_told(40, shaping)
    assert all(part in told for part in said), told
    assert not any(part in told for part in unsaid), told
