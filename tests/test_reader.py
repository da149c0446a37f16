"""Reading: file formats, encodings, sheet recognition, row numbers and unusable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.errors import ConfigError, InputFileError
from pipeline.core.i18n import language
from pipeline.sheets.fields import user_mapping
from pipeline.sheets.reader import read_file
from pipeline.sheets.validation import validate_paths

FORMATS = Path(__file__).parent / "data" / "formats"


@pytest.mark.parametrize(
    "name",
    [
        "utf8_bom.csv",
        "windows1256.csv",
        "semicolon.csv",
        "api_headers.csv",
        "residents.ods",
        "title_row.xlsx",
    ],
)
def test_formats_read_to_the_same_valid_rows(name):
    run = validate_paths([FORMATS / name])
    [result] = run.results
    assert result.sheet.kind == "residents"
    assert len(result.sheet.rows) == 2
    assert result.findings == [], [f.message for f in result.findings]
    frame = result.frame
    assert list(frame["StudentNumber"]) == ["98123001", "98123002"]
    assert list(frame["NationalCode"]) == ["0499370899", "0067749828"]
    # Arabic letter forms (and Windows-1256's Arabic ي) become Persian ی and ک.
    assert list(frame["LastName"]) == ["احمدی", "کاظمی"]
    assert frame["FirstName"][1] == "یوسف"


def test_title_row_above_the_header_keeps_excel_row_numbers():
    [sheet] = read_file(FORMATS / "title_row.xlsx").sheets
    assert sheet.row_numbers == [4, 5]


def test_blank_rows_are_skipped_and_numbers_kept():
    [sheet] = read_file(FORMATS / "blank_rows.xlsx").sheets
    assert sheet.row_numbers == [2, 5]


def test_both_kinds_in_one_workbook_and_notes_skipped():
    book = read_file(FORMATS / "two_kinds_and_notes.xlsx")
    assert [(s.name, s.kind) for s in book.sheets] == [
        ("دستیاران", "residents"),
        ("معرفی", "upgrades"),
    ]
    assert book.skipped == ["توضیحات"]
    run = validate_paths([FORMATS / "two_kinds_and_notes.xlsx"])
    # The declarations' residents are in the same workbook: no resident_unknown warning.
    assert [f.code for r in run.results for f in r.findings] == []


def test_explicit_kind_overrides_detection():
    assert read_file(FORMATS / "utf8_bom.csv", kind="residents").sheets[0].kind == "residents"
    # Forced to the wrong kind, the sheet is read as such and its missing columns reported.
    run = validate_paths([FORMATS / "utf8_bom.csv"], kind="upgrades")
    missing = {f.field for f in run.results[0].findings if f.code == "column_missing"}
    assert {"YearId", "DeclareCode", "BaliniScore"} <= missing
    with pytest.raises(InputFileError):
        read_file(FORMATS / "unknown_columns.csv", kind="residents")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("no_known_sheet.xlsx", "no sheet has the columns"),
        ("unknown_columns.csv", "no sheet has the columns"),
        ("empty.xlsx", "empty"),
        ("empty.csv", "empty"),
        ("password.xlsx", "password-protected"),
        ("renamed_xls.xlsx", "old Excel 97–2003 workbook"),
        ("garbage.xlsx", "does not match its .xlsx extension"),
        ("missing.xlsx", "file not found"),
        ("../rules/../../conftest.py", "unsupported file type"),
    ],
)
def test_unusable_files_raise_one_clear_error(name, words):
    from pipeline.core import i18n

    i18n.set_lang("en")
    try:
        with pytest.raises(InputFileError) as info:
            read_file(FORMATS / name)
    finally:
        i18n.set_lang("fa")
    assert words in str(info.value)
    assert Path(name).name in str(info.value)
    assert info.value.exit_code == 2


def test_missing_required_column_is_one_finding_and_every_row_invalid(tmp_path):
    source = (FORMATS / "utf8_bom.csv").read_text(encoding="utf-8-sig").splitlines()
    header = source[0].split(",")
    drop = header.index("نام پدر")
    rows = [",".join(c for i, c in enumerate(line.split(",")) if i != drop) for line in source]
    path = tmp_path / "no_father.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    with language("en"):
        run = validate_paths([path])
    codes = sorted(f.as_list() for f in run.results[0].findings)
    assert codes == [[1, "FatherName", "column_missing"]]  # once, on the header row
    assert run.results[0].statuses() == ["invalid", "invalid"]
    assert "The sheet has no Father's name column" in run.results[0].findings[0].message
    assert all("Father's name" in run.results[0].row_findings(i)[0].message for i in range(2))


def test_an_unrecognised_header_is_one_finding_naming_the_nearest_label(tmp_path):
    """«رشته» for «کد رشته تحصیلی»: one finding naming it and how to say what it is."""
    source = (FORMATS / "utf8_bom.csv").read_text(encoding="utf-8-sig").splitlines()
    header = source[0].split(",")
    at = header.index("کد رشته تحصیلی")
    header[at] = "رشته"
    path = tmp_path / "short.csv"
    path.write_text("\n".join([",".join(header), *source[1:]]), encoding="utf-8")
    with language("fa"):
        run = validate_paths([path])
    [finding] = [f for f in run.results[0].findings if f.row == 1]
    assert finding.code == "column_missing" and finding.field == "CourseStudyCode"
    assert "«رشته»" in finding.message and '--map "رشته=CourseStudyCode"' in finding.message
    assert not [f for f in run.results[0].findings if f.code == "required"]
    # Said once, the file is read as meant.
    mapped = validate_paths([path], mapping=user_mapping(["رشته=کد رشته تحصیلی"]))
    assert mapped.results[0].sheet.columns["CourseStudyCode"] == at
    assert mapped.results[0].statuses() == ["valid", "valid"]
    saved = tmp_path / "headers.map"
    saved.write_text("# our office's names\nرشته=CourseStudyCode\n", encoding="utf-8")
    assert validate_paths([path], mapping=user_mapping(file=saved)).ok
    with pytest.raises(ConfigError):
        user_mapping(["رشته=NoSuchField"])
    with pytest.raises(ConfigError):
        user_mapping(["just a header"])


def test_an_extra_column_is_one_warning(tmp_path):
    source = (FORMATS / "utf8_bom.csv").read_text(encoding="utf-8-sig").splitlines()
    lines = [source[0] + ",یادداشت"] + [line + ",x" for line in source[1:]]
    path = tmp_path / "notes.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with language("en"):
        run = validate_paths([path])
    [finding] = [f for f in run.results[0].findings if f.row == 1]
    assert finding.code == "header_unknown" and finding.severity == "warning"
    assert "'یادداشت' is not recognised" in finding.message
    assert run.results[0].statuses() == ["valid", "valid"]


def test_xlsm_reads_like_xlsx(tmp_path):
    import shutil

    macro = tmp_path / "with-macros.xlsm"
    shutil.copy(FORMATS / "two_kinds_and_notes.xlsx", macro)
    book = read_file(macro)
    assert [s.kind for s in book.sheets] == ["residents", "upgrades"]
