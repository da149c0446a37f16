"""`simad maxa check` and `simad maxa sync` (SPEC B.11): a vendor's drug list classified row by
row against eRx's versions, its columns found by header, offline from the mirror, the mirror
brought to the latest version, and versions streamed into the mirror."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core.errors import NotTheApi
from pipeline.core.status import MaxaCheck
from pipeline.maxa.check import name_key, read_code
from pipeline.maxa.client import Term, Version
from pipeline.maxa.mirror import Mirror, pull
from pipeline.sandbox import SandboxSettings, create_app
from pipeline.sandbox import maxa_app as sandbox_maxa

from .test_maxa import maxa

pytestmark = pytest.mark.anyio

# A vendor's list against the sandbox's eRX (1000 → 10000 → 11000), and what each row is.
VENDOR_ROWS: list[tuple[Any, str, str]] = [
    (60002, "ACETAMINOPHEN 100 mg / 1mL 15 mL SOLUTION / DROPS ORAL", "valid"),
    ("60010", "  acetaminophen 325  MG tablet oral", "valid"),  # case and spaces
    (60350, "RANITIDINE 150 mg TABLET ORAL", "valid"),  # removed in 10000, back in 11000
    ("۶۰۵۲۰", "LOSARTAN POTASSIUM 50 mg TABLET ORAL", "valid"),  # Persian digits
    (60046, "AMOXICILLIN 500 mg CAPSULE ORAL", "name_differs"),  # 1000's name
    (60120, "CEFIXIME 400 mg TABLET ORAL", "name_differs"),  # 10000's name
    (60281, "MOMETASONE CREAM", "name_differs"),  # no version's name
    (60045, "AMOXICILLIN 250 mg CAPSULE ORAL", "retired"),  # last in 10000
    (60415, "ATORVASTATIN 20 mg TABLET ORAL", "retired"),  # only in 10000
    (99999, "NO SUCH DRUG", "unknown"),
    (None, "A ROW WITHOUT A CODE", "invalid_input"),
    ("60O10", "A LETTER O FOR A ZERO", "invalid_input"),
]


def write_list(path: Path, headers: list[str], rows: list[list[Any]], title: bool = True) -> Path:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(["" if c is None else c for c in row] for row in rows)
        return path
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "داروها"
    if title:  # a vendor's export often starts with a title and a blank row
        sheet.append(["فهرست داروهای داروخانه بیمارستان"])
        sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def vendor_list(path: Path) -> Path:
    rows = [[i, code, name, 1000 * i] for i, (code, name, _) in enumerate(VENDOR_ROWS, 1)]
    return write_list(path, ["ردیف", "کد eRx", "نام دارو (ژنریک)", "موجودی"], rows)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["--lang", "en", "maxa", *args])


def test_every_status_of_a_vendor_list_and_the_exit_code(tmp_path):
    source = vendor_list(tmp_path / "list.xlsx")
    report = tmp_path / "report.xlsx"
    result = run("check", str(source), "--terminology", "eRX", "--report", str(report), "--json")
    assert result.exit_code == 1, result.output
    answer = json.loads(result.stdout)
    assert answer["version"] == "11000"
    assert answer["compared_versions"] == ["1000", "10000", "11000"]  # older pulled on the way
    assert [r["status"] for r in answer["rows"]] == [status for *_, status in VENDOR_ROWS]
    by_code = {r["code"]: r for r in answer["rows"]}
    assert by_code["60046"]["other_version"] == "1000"
    assert "older version 1000" in by_code["60046"]["message"]
    assert by_code["60046"]["official_name"].startswith("AMOXICILLIN 500 mg / 5 mL")
    assert by_code["60120"]["other_version"] == "10000"
    assert by_code["60281"]["other_version"] is None
    assert by_code["60281"]["official_name"].endswith("[MEGACORT]")
    assert by_code["60045"]["other_version"] == "10000"
    assert "the last version that had it is 10000" in by_code["60045"]["message"]
    assert by_code["60415"]["other_version"] == "10000"
    assert answer["rows"][0]["row"] == 4  # the row number Excel shows, after a title
    assert answer["counts"] == {
        "valid": 4,
        "name_differs": 3,
        "retired": 2,
        "unknown": 1,
        "invalid_input": 2,
    }

    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["summary", "داروها"]
    sheet = book["داروها"]
    headers = [c.value for c in sheet[1]]
    assert headers == [
        "ردیف",
        "کد eRx",
        "نام دارو (ژنریک)",
        "موجودی",
        "row",
        "status",
        "official name",
        "version",
        "messages",
    ]
    statuses = [sheet.cell(r, 6).value for r in range(2, sheet.max_row + 1)]
    assert statuses == [status for *_, status in VENDOR_ROWS]
    # The user's cells are theirs; the ones needing attention are marked.
    assert sheet["C3"].value == "  acetaminophen 325  MG tablet oral"
    assert sheet["B9"].fill.fgColor.rgb.endswith("FFC7CE")  # retired: the code, red
    assert sheet["C6"].fill.fgColor.rgb.endswith("FFEB9C")  # name_differs: the name, yellow
    assert sheet["B2"].fill.fgColor.rgb in (None, "00000000")
    summary = [[c.value for c in row] for row in book["summary"].iter_rows()]
    assert ["retired", 2] in summary and ["valid", 4] in summary


def test_all_valid_is_exit_0_and_persian_by_default(tmp_path):
    rows = [[code, name] for code, name, status in VENDOR_ROWS if status == "valid"]
    source = write_list(tmp_path / "ok.csv", ["code", "value"], rows)
    result = CliRunner().invoke(
        app,
        [
            "maxa",
            "check",
            str(source),
            "--terminology",
            "erx",
            "--report",
            str(tmp_path / "r.xlsx"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "همه ردیف‌ها معتبرند." in result.stdout
    assert "معتبر: ۴" in result.stdout


@pytest.mark.parametrize(
    ("headers", "code_at", "name_at"),
    [
        (["eRx", "Drug name"], 0, 1),
        (["شماره", "کد", "نام"], 1, 2),
        (["value", "code"], 1, 0),
        (["Generic Name", "ERX Code", "IRC Code"], 1, 0),  # the terminology's own column
        (["کد ژنریک", "شرح کالا", "قیمت"], 0, 1),
        (["coded_stringField", "valueField"], 0, 1),  # the API's names, from an export
    ],
)
def test_code_and_name_columns_found_by_header(tmp_path, headers, code_at, name_at):
    rows = []
    for code, name, _ in VENDOR_ROWS[:3]:
        row = ["x"] * len(headers)
        row[code_at], row[name_at] = code, name
        rows.append(row)
    source = write_list(tmp_path / "list.xlsx", headers, rows)
    result = run(
        "check", str(source), "--terminology", "eRX", "--json", "--report", str(tmp_path / "r.xlsx")
    )
    assert result.exit_code == 0, result.output
    sheet = json.loads(result.stdout)["sheets"][0]
    assert (sheet["code_column"], sheet["name_column"]) == ("ABC"[code_at], "ABC"[name_at])


def test_columns_named_by_the_user_and_clear_refusals(tmp_path):
    rows = [["60002", "x", "ACETAMINOPHEN 100 mg / 1mL 15 mL SOLUTION / DROPS ORAL"]]
    source = write_list(
        tmp_path / "odd.xlsx", ["شناسه کالا", "انبار", "عنوان کالا"], rows, title=False
    )
    report = str(tmp_path / "r.xlsx")
    by_letter = run(
        "check",
        str(source),
        "--terminology",
        "eRX",
        "--code-column",
        "A",
        "--value-column",
        "C",
        "--json",
        "--report",
        report,
    )
    assert by_letter.exit_code == 0, by_letter.output
    by_header = run(
        "check",
        str(source),
        "--terminology",
        "eRX",
        "--code-column",
        "شناسه کالا",
        "--report",
        report,
    )
    assert by_header.exit_code == 0, by_header.output
    beyond = run(
        "check", str(source), "--terminology", "eRX", "--code-column", "Z", "--report", report
    )
    assert beyond.exit_code == 2 and "there is no column 'Z'" in beyond.output
    missing = run(
        "check", str(source), "--terminology", "eRX", "--code-column", "Barcode", "--report", report
    )
    assert missing.exit_code == 2
    assert "odd.xlsx: there is no column 'Barcode'" in missing.output
    assert "Traceback" not in missing.output

    report = str(tmp_path / "refused.xlsx")
    no_codes = write_list(tmp_path / "none.xlsx", ["drug", "price"], [["x", 1]])
    refused = run("check", str(no_codes), "--terminology", "eRX", "--report", report)
    assert refused.exit_code == 2 and "none.xlsx: no column of codes found" in refused.output

    two = write_list(tmp_path / "two.xlsx", ["code", "کد", "name"], [["1", "2", "x"]], title=False)
    ambiguous = run("check", str(two), "--terminology", "eRX", "--report", report)
    assert ambiguous.exit_code == 2
    assert (
        "two.xlsx, sheet داروها, row 1: columns A and B could both hold the codes"
        in ambiguous.output
    )
    assert not Path(report).exists()  # nothing written for a list that could not be read


def test_offline_without_and_with_the_version_mirrored(tmp_path):
    source = vendor_list(tmp_path / "list.xlsx")
    report = str(tmp_path / "r.xlsx")

    def offline(*extra: str) -> Any:
        return run(
            "check", str(source), "--terminology", "eRX", "--offline", "--report", report, *extra
        )

    before = offline()
    assert before.exit_code == 1
    assert "not in the local mirror; run simad maxa pull eRX first" in before.output
    assert not Path(report).exists()

    assert run("pull", "eRX").exit_code == 0  # the latest only
    # Offline never reaches the service: a target that answers nothing is never used.
    latest_only = offline("--json", "--target", "http://127.0.0.1:9")
    assert latest_only.exit_code == 1, latest_only.output
    answer = json.loads(latest_only.stdout)
    assert answer["compared_versions"] == ["11000"]
    statuses = {r["code"]: r["status"] for r in answer["rows"]}
    # Without older versions, a retired code cannot be told from one that never was.
    assert statuses["60045"] == "unknown" and statuses["60002"] == "valid"
    missing = offline("--version", "1000")
    assert missing.exit_code == 1 and "eRX 1000: not in the local mirror" in missing.output

    assert run("pull", "eRX", "--version", "10000").exit_code == 0
    older = json.loads(offline("--json").stdout)
    assert older["compared_versions"] == ["10000", "11000"]
    assert {r["code"]: r["status"] for r in older["rows"]}["60045"] == "retired"
    # Checked against an older version, a code added later is said to be so.
    old = json.loads(offline("--version", "10000", "--json").stdout)
    losartan = next(r for r in old["rows"] if r["code"] == "60520")
    assert losartan["status"] == "unknown" and losartan["other_version"] == "11000"


def test_codes_read_as_a_clerk_types_them():
    assert read_code(60010.0, True) == ("60010", None)
    assert read_code("60010.0", True) == ("60010", None)
    assert read_code("\u200f۶۰۰۱۰ ", True) == ("60010", None)
    # A 16-digit IRC typed as a number: Excel kept 15 digits.
    code, problem = read_code(1228024588217130.0, True)
    assert code is None and problem
    assert read_code("1.22802458821713E+15", True)[0] is None
    assert read_code("1228024588217131", True) == ("1228024588217131", None)
    assert read_code("", True)[0] is None
    assert read_code("A00.1", False) == ("A00.1", None)
    assert read_code("A00.1", True)[0] is None
    assert read_code(12.5, True)[0] is None


def test_names_match_whatever_their_case_spaces_and_letter_forms():
    assert name_key("ACETAMINOPHEN 325 mg") == name_key(" acetaminophen  325\u00a0MG ")
    assert name_key("كپسول آموكسي سيلين") == name_key("کپسول آموکسی‌سیلین")
    assert name_key("ﻛﭙﺴﻮﻝ") == name_key("کپسول")  # presentation forms, from a PDF
    assert name_key("ACETAMINOPHEN 325 mg") != name_key("ACETAMINOPHEN 500 mg")


# -- sync ----------------------------------------------------------------------------------------


PUBLISHED = sandbox_maxa.seed()


def two_versions() -> dict[str, Any]:
    """The sandbox's seed as it was before eRX 11000 was published."""
    seed = copy.deepcopy(PUBLISHED)
    seed["versions"]["eRX"] = seed["versions"]["eRX"][:2]
    seed["versions"]["eRX"][1]["IsLast"] = True
    return seed


def test_sync_nothing_new_then_a_new_version(tmp_path):
    assert run("sync").exit_code == 2  # nothing mirrored, nothing named
    with pytest.MonkeyPatch.context() as before_11000:
        before_11000.setattr(sandbox_maxa, "seed", two_versions)
        first = run("sync", "eRX", "--json")
        assert first.exit_code == 1, first.output  # a first mirror is news
        assert json.loads(first.stdout)[0]["to"] == "10000"
        again = run("sync")
        assert again.exit_code == 0, again.output
        assert "eRX: nothing new (version 10000)" in again.stdout
    # The ministry publishes 11000.
    out = tmp_path / "changes"
    news = run("sync", "--out", str(out), "--json")
    assert news.exit_code == 1, news.output
    [synced] = json.loads(news.stdout)
    assert (synced["from"], synced["to"]) == ("10000", "11000")
    assert (synced["added"], synced["removed"], synced["changed"]) == (3, 2, 1)
    workbook = Path(synced["workbook"])
    assert workbook.parent == out and workbook.exists()
    assert openpyxl.load_workbook(workbook).sheetnames[1:] == ["added", "removed", "changed"]
    text = run("sync")
    assert text.exit_code == 0 and "nothing new (version 11000)" in text.stdout


def test_sync_of_an_unreachable_gateway_is_exit_3(monkeypatch):
    for name, value in {
        "MAXA_CLIENT_ID": "c",
        "MAXA_CLIENT_SECRET": "s",
        "MAXA_USERNAME": "u",
        "MAXA_PASSWORD": "p",
        "MAXA_PID": "1",
    }.items():
        monkeypatch.setenv(name, value)
    result = run("sync", "eRX", "--target", "http://127.0.0.1:9")
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output


# -- streaming into the mirror ---------------------------------------------------------------


class CutOnce(httpx.AsyncBaseTransport):
    """The first term list is cut after ``after`` bytes (a dropped connection)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, after: int):
        self.inner, self.after, self.cut = inner, after, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not request.url.path.endswith("TerminologiesTermByVersion") or self.cut:
            return response
        self.cut += 1
        after = self.after

        class Stream(httpx.AsyncByteStream):
            async def __aiter__(self):
                sent = 0
                async for chunk in response.stream:
                    if sent + len(chunk) >= after:
                        yield chunk[: after - sent]
                        raise httpx.ReadError("connection reset")
                    sent += len(chunk)
                    yield chunk

        return httpx.Response(response.status_code, headers=response.headers, stream=Stream())


async def test_a_large_version_streams_in_and_a_cut_answer_is_started_again(clock, tmp_path):
    gateway = create_app(
        SandboxSettings(db_path=tmp_path / "s.db", clock=clock, generated_terms=30_000)
    )
    mirror = Mirror(tmp_path / "m.db")
    transport = CutOnce(httpx.ASGITransport(app=gateway), after=1_000_000)
    seen: list[int] = []
    async with maxa(transport, clock) as c:
        got, count = await pull(
            c, mirror, "SNOMEDCT", "latest", lambda done, _total: seen.append(done)
        )
    assert transport.cut == 1  # the first answer was cut, the second one stored
    assert (got.version, count) == ("2", 30_000)
    assert mirror.pulled("snomedct")[0]["terms"] == 30_000
    assert len(mirror.terms("SNOMEDCT", "2")) == 30_000
    assert max(seen) == 30_000 and len(seen) > 10  # progress while it arrived
    mirror.close()


async def test_a_login_page_or_a_failure_leaves_the_mirrored_version_as_it_was(clock, tmp_path):
    gateway = create_app(SandboxSettings(db_path=tmp_path / "s.db", clock=clock))
    mirror = Mirror(tmp_path / "m.db")
    async with maxa(gateway, clock) as c:
        await pull(c, mirror, "eRX", "11000")

    def login_page(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("oauth/token"):
            return httpx.Response(200, json={"access_token": "a", "expires_in": 600})
        if request.url.path.endswith("TerminologyVersions"):
            versions = [{"Version": "11000", "VersionId": 97, "IsLast": True, "id": 1}]
            return httpx.Response(
                200, json={"result": {"data": versions}, "status": {"statusCode": 200}}
            )
        return httpx.Response(
            200,
            text="<html><body>Please log in</body></html>",
            headers={"content-type": "text/html"},
        )

    async with maxa(httpx.MockTransport(login_page), clock) as c:
        with pytest.raises(NotTheApi, match=r"TerminologiesTermByVersion.*text/html"):
            await pull(c, mirror, "eRX", "11000")
    assert len(mirror.terms("eRX", "11000")) == 10  # the earlier pull, whole
    mirror.close()


def test_a_version_given_whole_is_stored_as_before(tmp_path):
    mirror = Mirror(tmp_path / "m.db")
    version = Version("1", 1, True, 1, "T")
    terms = [Term("1", "a", "T"), Term("2", "b", "T"), Term("1", "a again", "T")]
    assert mirror.store("T", version, terms) == 3
    assert mirror.terms("t", "1") == {"1": "a again", "2": "b"}
    assert mirror.pulled("T")[0]["terms"] == 2  # a code sent twice is stored once
    mirror.close()


def other_gateway(request: httpx.Request) -> httpx.Response:
    """A DITAS gateway written by someone else: versions without VersionId or IsLast (in no
    particular order), term lists as JSON-encoded strings, an old version listed with no
    terms, other spellings of the field names."""
    versions = {
        "3": {"60002": "PARACETAMOL 500 MG TABLET", "60007": "IBUPROFEN 400 MG TABLET"},
        "1": {"60001": "ASPIRIN 100 MG TABLET", "60002": "ACETAMINOPHEN 500 MG TABLET"},
        "0": {},
        "2": {"60002": "ACETAMINOPHEN 500 MG TABLET", "60003": "NAPROXEN 250 MG TABLET"},
    }
    path = request.url.path
    if path.endswith("oauth/token"):
        return httpx.Response(200, json={"access_token": "t", "expires_in": 900})
    body = json.loads(request.content or b"{}")
    if path.endswith("TerminologyVersions"):
        data = [{"Version": v, "TerminologyId": "eRX"} for v in versions]
        return httpx.Response(200, json={"result": {"data": data}, "status": {"statusCode": 200}})
    if path.endswith("TerminologiesTermByVersion"):
        terms = versions[str(body["version"])]
        encoded = json.dumps([{"CodedString": c, "Value": v} for c, v in terms.items()])
        envelope = {"result": {"data": encoded, "status": {"statusCode": 200}}}
        return httpx.Response(200, json={**envelope, "status": {"statusCode": 200}})
    return httpx.Response(404)


async def test_a_gateway_written_by_someone_else(clock, tmp_path):
    from pipeline.maxa.check import check_lists, read_lists

    rows = [
        ["60002", "paracetamol 500 mg tablet"],
        ["60001", "ASPIRIN 100 MG TABLET"],
        ["60003", "NAPROXEN 250 MG TABLET"],
        ["60002", "ACETAMINOPHEN 500 MG TABLET"],
        ["60009", "X"],
    ]
    lists = read_lists([write_list(tmp_path / "l.csv", ["eRx", "name"], rows)], "eRX")
    mirror = Mirror(tmp_path / "m.db")
    async with maxa(httpx.MockTransport(other_gateway), clock) as c:
        checked = await check_lists(c, mirror, "eRX", "latest", lists)
    assert checked.version == "3"  # the newest by number, with no VersionId or IsLast
    assert checked.compared == ["1", "2", "3"]  # "0" has no terms: not compared, no failure
    verdicts = [v for _, _, v in checked.rows()]
    assert [v.status for v in verdicts] == [
        "valid",
        "retired",
        "retired",
        "name_differs",
        "unknown",
    ]
    assert [v.other_version for v in verdicts] == [None, "1", "2", "2", None]
    assert all(isinstance(v.status, MaxaCheck) for v in verdicts)
    assert checked.exit_code == 1 and not checked.all_valid  # the rule the command line uses
    assert checked.to_dict()["counts"] == {
        "valid": 1,
        "name_differs": 1,
        "retired": 2,
        "unknown": 1,
        "invalid_input": 0,
    }
    mirror.close()
