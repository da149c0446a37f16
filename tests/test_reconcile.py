"""Results and reconciliation: tolerant parsing, every category on purpose, field-level
differences, filters passed through, an empty server list, and the ledger-only mode."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.commands.reconcile import run_reconcile
from pipeline.commands.results import run_results
from pipeline.commands.sandbox import review
from pipeline.commands.submit import SubmitOptions, run_submit
from pipeline.core.config import Credentials
from pipeline.core.context import Context
from pipeline.core.i18n import language
from pipeline.core.result import Result
from pipeline.core.status import Reconciliation
from pipeline.sandbox import SandboxSettings, create_app
from pipeline.sheets.validation import validate_paths
from pipeline.simad.reconcile import (
    NEEDS_CORRECTION,
    REJECTED,
    action,
    compare,
    differences,
    local_from_ledger,
)
from pipeline.simad.results import join, parse, unwrap

from .data.generate import DECLARATION, OTHER, rule_rows, write_xlsx
from .test_submit import SAMPLE

CREDS = Credentials("u", "p")


def standin(declared: object, finals: object, seen: list | None = None) -> httpx.MockTransport:
    """A stand-in server whose answers are shaped unlike the sandbox's."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/authenticate"):
            return httpx.Response(
                200,
                json={"Token": "T", "RefreshToken": "R", "expires": "2099-01-01T00:00:00+03:30"},
            )
        if request.url.path.endswith("/revoke"):
            return httpx.Response(200)
        if seen is not None:
            seen.append((request.url.path, dict(request.url.params)))
        if request.url.path.endswith("GetDeclareResidents"):
            return httpx.Response(200, json=declared)
        if request.url.path.endswith("GetFinalResults"):
            return httpx.Response(200, json=finals)
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def server_declaration(student: str = "98123001", **over) -> dict:
    """PascalCase, numbers as text, dates with time, a status under another name."""
    record = {
        "StudentNumber": student,
        "YearId": "1402",
        "DeclareCode": 3,
        "DeclarationTypeId": 1,
        "RejectReasonTypeId": None,
        "DurationId": 2,
        "HasLogBook": True,
        "BaliniScore": "52.50",
        "OperationScore": 48.0,
        "EthicsScore": 27.25,
        "StartResidencyDate": "2022-09-23T00:00:00",
        "EndResidencyDate": None,
        "Description": None,
        "DeclarationStatusId": 1,
        "Universityname": "دانشگاه نمونه",
    }
    record.update(over)
    return record


@pytest.mark.parametrize(
    "body",
    [
        lambda r: [r],
        lambda r: {"data": [r]},
        lambda r: {"Result": {"Items": [r]}},
        lambda r: {"value": [r], "count": 1},
        lambda r: [{k[0].lower() + k[1:]: v for k, v in r.items()}],
    ],
)
def test_tolerant_parsing_of_shapes_and_key_cases(body):
    [record] = parse(body(server_declaration()))
    assert record.key == ("98123001", 1402)
    assert record.review_status == 1 and record.review_title == "پذیرش"
    assert any(k.lower() == "universityname" for k in record.extra)  # unknown fields kept
    assert record.values["BaliniScore"] == "52.50"


def test_empty_answers_are_valid():
    assert unwrap([]) == [] and unwrap({"data": []}) == []
    with pytest.raises(ValueError):
        unwrap(None)  # null is not an empty list (test_garbled_answers.py)
    assert parse({"items": []}) == []


def test_final_result_under_other_names():
    [final] = parse([{"studentNumber": "1", "yearId": 1402, "ResultId": "2"}])
    assert (final.final_result, final.final_title) == (2, "ارتقا مشروط")


def local(**over) -> dict:
    from pipeline.sheets.normalize import to_bool

    body = dict(
        DECLARATION,
        YearId=1402,
        DeclareCode=3,
        DeclarationTypeId=1,
        RejectReasonTypeId=None,
        DurationId=2,
        HasLogBook=to_bool("بله")[0],
        BaliniScore=52.5,
        OperationScore=48.0,
        EthicsScore=27.25,
        StartResidencyDate="2022-09-23T00:00:00",
        EndResidencyDate=None,
        Description=None,
    )
    body.update(over)
    return body


def test_numbers_dates_and_codes_compare_by_value():
    assert differences(local(BaliniScore=60.0), {"baliniscore": "60", "YearId": 1402.0}) == []
    assert differences(local(), {"StartResidencyDate": "2022-09-23"}) == []
    assert differences(local(), {"StartResidencyDate": "1401/07/01"}) == []
    diff = differences(local(), {"EthicsScore": 27.0, "DeclareCode": "4", "HasLogBook": "false"})
    assert [(d.field, d.local, d.server) for d in diff] == [
        ("DeclareCode", 3, "4"),
        ("HasLogBook", True, "false"),
        ("EthicsScore", 27.25, 27.0),
    ]


def test_each_category_on_purpose():
    mine = {
        ("A", 1402): local(StudentNumber="A"),
        ("B", 1402): local(StudentNumber="B"),
        ("C", 1402): local(StudentNumber="C"),
    }
    server = join(
        parse(
            [
                server_declaration("A"),
                server_declaration("B", EthicsScore=20),
                server_declaration("D"),
            ]
        ),
        parse([{"StudentNumber": "A", "YearId": 1402, "FinalResultId": 1}]),
        1402,
    )
    lines = {line.key[0]: line for line in compare(mine, server)}
    assert {k: v.category for k, v in lines.items()} == {
        "A": "matched",
        "B": "different",
        "C": "missing_on_server",
        "D": "only_on_server",
    }
    assert [(d.field, d.local, d.server) for d in lines["B"].differences] == [
        ("EthicsScore", 27.25, 20)
    ]
    assert lines["A"].final_result == 1 and lines["A"].review_status == 1


def workbook(tmp_path: Path) -> Path:
    header, rows = rule_rows("residents", [{}, OTHER])
    dheader, drows = rule_rows("upgrades", [{}, {"StudentNumber": "98123002"}])
    path = tmp_path / "office.xlsx"
    write_xlsx(path, {"residents": [header, *rows], "upgrades": [dheader, *drows]})
    return path


def test_reconcile_against_a_differently_shaped_server(tmp_path):
    declared = {
        "Data": [
            server_declaration(
                "98123001",
                BaliniScore="52.5",
                DeclarationStatusId=3,
                ReviewDescription="نمره را بازبینی کنید",
            ),
            server_declaration("98123002", OperationScore=40),
            server_declaration("98123099"),
        ]
    }
    finals = {"data": [{"StudentNumber": "98123099", "YearId": 1402, "FinalResultId": 3}]}
    result = run_reconcile(
        1402,
        [workbook(tmp_path)],
        target="https://stand-in.example",
        transport=standin(declared, finals),
        credentials=CREDS,
        report_path=tmp_path / "r.xlsx",
        ctx=Context(lang="en"),
    )
    assert result.counts == {"matched": 1, "different": 1, "only_on_server": 1}
    assert result.exit_code == 1
    by_key = {line.key[0]: line for line in result.lines}
    assert [(d.field, d.local, d.server) for d in by_key["98123002"].differences] == [
        ("OperationScore", 48.0, 40)
    ]
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["summary", "reconciliation", "needs action"]
    fixes = {r[0]: r for r in book["needs action"].iter_rows(min_row=2, values_only=True)}
    assert set(fixes) == {"98123001", "98123002"}  # needs correction; different
    correct, different = fixes["98123001"], fixes["98123002"]
    assert correct[3] == "yes" and "نمره را بازبینی کنید" in correct[4]
    assert correct[4].startswith("Needs correction") and correct[5] == "matched"
    assert different[5] == "different" and "resend the row" in different[4]
    assert "--force" not in different[4]  # a step taken in the page, never a command
    assert ": 48 ≠ 40" in different[9] and "OperationScore" not in different[9]
    assert result.needs_action == 2
    summary = {r[0]: r[1] for r in book["summary"].iter_rows(values_only=True) if r[0]}
    assert summary["2 rows need action"] is None and summary["Rows needing action"] == 2
    assert book["summary"]._charts


def test_filters_are_passed_through(tmp_path):
    seen: list = []
    run_results(
        1402,
        target="https://stand-in.example",
        course="1710",
        national_code="0499370899",
        student_number="98123001",
        transport=standin([], [], seen),
        credentials=CREDS,
        out=tmp_path / "r.xlsx",
    )
    assert [p for _, p in seen] == [
        {
            "yearId": "1402",
            "courseStudyCode": "1710",
            "nationalCode": "0499370899",
            "studentNumber": "98123001",
        }
    ] * 2


def test_empty_server_list_every_local_row_missing(tmp_path):
    result = run_reconcile(
        1402,
        [workbook(tmp_path)],
        target="https://stand-in.example",
        transport=standin({"data": []}, []),
        credentials=CREDS,
        report_path=tmp_path / "r.xlsx",
    )
    assert result.counts == {"missing_on_server": 2}


def test_results_workbook_joins_and_counts(tmp_path):
    declared = [
        server_declaration("98123001", CourseStudyCode="1710", NationalCode="0499370899"),
        server_declaration("98123002", CourseStudyCode="1710", DeclarationStatusId=2),
    ]
    finals = [{"studentNumber": "98123001", "yearId": 1402, "finalResultId": 1}]
    done = run_results(
        1402,
        target="https://stand-in.example",
        transport=standin(declared, finals),
        credentials=CREDS,
        out=tmp_path / "r.xlsx",
        ctx=Context(lang="en"),
    )
    joined, path = done.joined, done.report
    assert len(joined) == 2
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[1]
    headers = [c.value for c in sheet[1]]
    rows = [
        dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert rows[0]["final result"] == "Promoted" and rows[1]["review status"] == "Rejected"
    assert rows[0]["course title"] == "Internal medicine"
    assert rows[0]["Residency start date"] == "1401/07/01"
    assert rows[0]["Residency start date (Gregorian)"].date().isoformat() == "2022-09-23"
    summary = [r for r in book["summary"].iter_rows(values_only=True)]
    assert ("1710", "Internal medicine", 2, 1, 1, 0, 0, 1, 0, 0) in summary
    assert not sheet.sheet_view.rightToLeft and sheet.auto_filter.ref
    # In Persian: right to left, Persian headers, the API name in each header's comment.
    run_results(
        1402,
        target="https://stand-in.example",
        transport=standin(declared, finals),
        credentials=CREDS,
        out=tmp_path / "fa.xlsx",
    )
    sheet = openpyxl.load_workbook(tmp_path / "fa.xlsx")["نتایج"]
    assert sheet.sheet_view.rightToLeft
    header = {c.value: c.comment.text if c.comment else None for c in sheet[1]}
    assert header["شماره دانشجویی"] == "StudentNumber"
    assert header["وضعیت بررسی"] == "ReviewStatusId" and header["نتیجه نهایی"] == "FinalResultId"
    values = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert values["نتیجه نهایی"] == "ارتقا" and values["شروع دوره دستیاری"] == "1401/07/01"


def test_rehearsal_submit_review_results_reconcile_from_the_ledger(tmp_path):
    """The README's rehearsal, in-process: nothing but the CLI and the sandbox."""
    runner = CliRunner()
    path = workbook(tmp_path)
    assert (
        runner.invoke(app, ["submit", str(path), "--report", str(tmp_path / "s.xlsx")]).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app,
            [
                "sandbox",
                "review",
                "--year",
                "1402",
                "--student-number",
                "98123002",
                "--status",
                "rejected",
                "--reason",
                "مدارک ناقص",
            ],
        ).exit_code
        == 0
    )
    res = runner.invoke(app, ["results", "--year", "1402", "--out", str(tmp_path / "r.xlsx")])
    assert res.exit_code == 0, res.output
    rec = runner.invoke(
        app, ["--lang", "en", "reconcile", "--year", "1402", "--report", str(tmp_path / "c.xlsx")]
    )
    # Both declarations match the server, but the ministry rejected one: it needs action.
    assert rec.exit_code == 1, rec.output
    assert "1 row needs action" in rec.output and "matched: 2" in rec.output
    assert "98123002 (1402): Rejected ('مدارک ناقص')" in rec.output
    book = openpyxl.load_workbook(tmp_path / "c.xlsx")
    [fix] = list(book["needs action"].iter_rows(min_row=2, values_only=True))
    assert fix[0] == "98123002" and "مدارک ناقص" in fix


def test_ledger_mode_finds_what_changed_on_the_server(tmp_path):
    from pipeline.sandbox import SandboxSettings, create_app

    sandbox = create_app(SandboxSettings(db_path=tmp_path / "server.db"))
    transport = httpx.ASGITransport(app=sandbox)
    creds = Credentials("demo-university", "demo-pass-1403")
    run_submit(
        SubmitOptions([workbook(tmp_path)], target="sandbox"),
        transport=transport,
        credentials=creds,
    )
    # Someone edits one declaration on the server and deletes another.
    row = json.loads(
        sandbox.store.query("SELECT payload FROM declarations WHERE student_number='98123001'")[0][
            0
        ]
    )
    sandbox.store.upsert_declaration({**row, "EthicsScore": 29}, 0)
    with sandbox.store.transaction() as db:
        db.execute("DELETE FROM declarations WHERE student_number = '98123002'")
    result = run_reconcile(
        1402,
        [],
        target="sandbox",
        transport=transport,
        credentials=creds,
        report_path=tmp_path / "c.xlsx",
    )
    assert result.counts == {"different": 1, "missing_on_server": 1}
    [diff] = [line for line in result.lines if line.category == Reconciliation.DIFFERENT]
    assert [(d.field, d.local, d.server) for d in diff.differences] == [("EthicsScore", 27.25, 29)]
    assert isinstance(result, Result) and result.exit_code == 1  # rows need the office's action
    assert {line["category"] for line in result.to_dict()["lines"]} == {
        "different",
        "missing_on_server",
    }


def test_the_ledger_side_is_what_the_command_layer_read():
    """Reconciliation is handed the ledger's records; it never opens the ledger itself."""
    payload = {"StudentNumber": "98123001", "YearId": 1402, "EthicsScore": 27}
    side = local_from_ledger([payload], {"98123001"}, 1402)
    assert side.rows == {("98123001", 1402): payload}
    assert side.known_students == frozenset({"98123001"}) and side.from_ledger


def test_server_conventions_that_are_not_differences():
    server = {
        "RejectReasonTypeId": 0,
        "EndResidencyDate": "0001-01-01T00:00:00",
        "HasLogBook": "True",
        "BaliniScore": "52.50",
        "DurationId": "2",
    }
    assert differences(local(), server) == []


def test_other_years_in_the_answer_are_ignored():
    joined = join(parse([server_declaration("A"), server_declaration("B", YearId=1401)]), [], 1402)
    assert list(joined) == [("A", 1402)]


def test_reconcile_and_results_ride_out_a_server_failing_half_its_requests(tmp_path):
    """The same retry policy as submission: a flaky server changes nothing in the answer."""
    from pipeline.net.retry import RetryPolicy
    from pipeline.sandbox import SandboxSettings, create_app

    from .test_submit import TickingClock

    creds = Credentials("demo-university", "demo-pass-1403")
    calm = create_app(SandboxSettings(db_path=tmp_path / "server.db"))
    run_submit(
        SubmitOptions([workbook(tmp_path)], target="sandbox"),
        transport=httpx.ASGITransport(app=calm),
        credentials=creds,
    )
    calm.store.close()
    clock = TickingClock()
    flaky = create_app(
        SandboxSettings(db_path=tmp_path / "server.db", fail_rate=0.5, seed=3, clock=clock)
    )
    policy = RetryPolicy(max_attempts=20, sleep=clock.sleep, clock=clock)

    def reconcile(app, report):
        return run_reconcile(
            1402,
            [workbook(tmp_path)],
            target="sandbox",
            transport=httpx.ASGITransport(app=app),
            credentials=creds,
            report_path=tmp_path / report,
            policy=policy,
        )

    result = reconcile(flaky, "flaky.xlsx")
    assert flaky.faults is not None and flaky.faults.counts["failed_503"] >= 2
    assert result.counts == {"matched": 2}
    done = run_results(
        1402,
        target="sandbox",
        transport=httpx.ASGITransport(app=flaky),
        credentials=creds,
        out=tmp_path / "results.xlsx",
        policy=policy,
    )
    joined = done.joined
    assert sorted(student for student, _ in joined) == ["98123001", "98123002"]


def test_rehearsal_counts_what_the_ministry_decided(tmp_path):
    """Submit the sample, let the "ministry" review at random, reconcile: the rows said to
    need action are exactly those rejected or needing correction on the server, plus those
    the server lacks; no row that submit cannot fix is told to run submit."""
    db = tmp_path / "server.db"
    sandbox = create_app(SandboxSettings(db_path=db))
    transport = httpx.ASGITransport(app=sandbox)
    creds = Credentials("demo-university", "demo-pass-1403")
    run_submit(
        SubmitOptions([SAMPLE], target="sandbox", report=tmp_path / "s.xlsx"),
        transport=transport,
        credentials=creds,
    )
    review(1402, seed=3, db=db)
    on_server = {
        (sn, year): status
        for sn, year, status in sandbox.store.query(
            "SELECT student_number, year_id, review_status_id FROM declarations"
        )
    }
    decided = {key for key, status in on_server.items() if status in (REJECTED, NEEDS_CORRECTION)}
    assert decided  # the draw rejected or sent back some
    local = set()
    for result in validate_paths([SAMPLE]).results:
        if result.sheet.kind == "upgrades":
            local |= {(s, 1402) for s in result.frame["StudentNumber"] if s}
    missing = local - set(on_server)
    result = run_reconcile(
        1402,
        [SAMPLE],
        target="sandbox",
        transport=transport,
        credentials=creds,
        report_path=tmp_path / "c.xlsx",
    )
    flagged = {line.key for line in result.lines if line.needs_action}
    invalid = {line.key for line in result.lines if line.problems}
    assert flagged == decided | missing | invalid
    assert result.needs_action == len(flagged) and result.exit_code == 1
    for line in result.lines:
        told = action(line)
        if line.problems or line.resident_invalid or line.resident_unknown:
            assert "simad submit" not in told, (line.key, told)
    summary = openpyxl.load_workbook(tmp_path / "c.xlsx").worksheets[0]
    assert summary["A1"].value.endswith(
        f"{len(flagged)} ردیف نیاز به اقدام دارد".translate(
            str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
        )
    )


def test_a_workbook_without_the_year_says_so_and_names_what_it_compared(tmp_path):
    """Year 1403 against a workbook of 1402: the result carries its source and the sentence;
    the server's rows (one sent back for correction) are not called needing action because
    of it; the workbook's summary names the source; JSON gains ``source`` only."""
    declared = {"data": [server_declaration("98123001", YearId="1403", DeclarationStatusId=3)]}
    server = standin(declared, [])
    result = run_reconcile(
        1403,
        [workbook(tmp_path)],
        target="https://stand-in.example",
        transport=server,
        credentials=CREDS,
        report_path=tmp_path / "r.xlsx",
        ctx=Context(lang="en"),
    )
    sentence = (
        "The workbook office.xlsx holds no declaration of year 1403 (it holds 1402); "
        "the server's rows were not compared with it."
    )
    assert result.source is not None and result.source.holds_none
    with language("en"):
        assert result.headline == sentence
    assert result.needs_action == 0 and result.exit_code == 1  # nothing could be compared
    assert [action(line) for line in result.lines] == [""]
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    summary = {r[0]: r[1] for r in book["summary"].iter_rows(values_only=True) if r[0]}
    assert sentence in summary
    assert summary["Local data"] == "workbook office.xlsx, sheet upgrades, year 1403"
    assert result.to_dict()["source"] == {
        "ledger": False,
        "workbooks": ["office.xlsx"],
        "sheets": ["upgrades"],
        "year_id": 1403,
        "years_held": [1402],
        "declarations": 0,
    }
    with language("fa"):
        assert result.headline.startswith("فایل office.xlsx هیچ معرفی‌ای از سال ۱۴۰۳ ندارد")

    # The same workbook for its own year: compared, named, and the sentence absent.
    matching = run_reconcile(
        1402,
        [workbook(tmp_path)],
        target="https://stand-in.example",
        transport=standin({"data": []}, []),
        credentials=CREDS,
        report_path=tmp_path / "m.xlsx",
        ctx=Context(lang="en"),
    )
    assert matching.source is not None and not matching.source.holds_none
    with language("en"):
        assert matching.headline == "2 rows need action"
        assert matching.source.describe() == "workbook office.xlsx, sheet upgrades, year 1402"


def test_the_ledger_as_source_is_named_with_its_year(tmp_path):
    result = run_reconcile(
        1402,
        [],
        target="https://stand-in.example",
        transport=standin({"data": []}, []),
        credentials=CREDS,
        report_path=tmp_path / "l.xlsx",
        ctx=Context(lang="en"),
    )
    assert result.source is not None and result.source.ledger and not result.source.holds_none
    with language("en"):
        assert result.source.describe() == "the ledger (rows accepted earlier), year 1402"
    summary = openpyxl.load_workbook(tmp_path / "l.xlsx")["summary"]
    named = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r[0]}
    assert named["Local data"] == "the ledger (rows accepted earlier), year 1402"


def test_the_cli_json_gains_the_source(tmp_path):
    answer = CliRunner().invoke(
        app,
        [
            "reconcile",
            str(workbook(tmp_path)),
            "--year",
            "1403",
            "--target",
            "sandbox",
            "--report",
            str(tmp_path / "r.xlsx"),
            "--json",
        ],
    )
    said = json.loads(answer.stdout)
    assert said["source"]["workbooks"] == ["office.xlsx"] and said["source"]["years_held"] == [1402]
    assert {"report", "needs_action", "counts", "lines"} <= set(said)
    assert answer.exit_code == 1  # the workbook holds nothing of 1403: nothing was compared
