"""Files an office really produces, and files no office should send: each gets its own
clear message naming the file, sheet, row and column, and exit 2 where the file is unusable."""

from __future__ import annotations

import os

import openpyxl
import pytest
import xlsxwriter

from pipeline.core import i18n
from pipeline.core.errors import InputFileError
from pipeline.sheets.reader import MAX_COLUMNS, MAX_ROWS, read_file
from pipeline.sheets.validation import validate_paths

from .data.generate import KNOWN_STUDENTS, RESIDENT, rule_rows


@pytest.fixture(autouse=True)
def english():
    i18n.set_lang("en")
    yield
    i18n.set_lang("fa")


def refused(path) -> str:
    with pytest.raises(InputFileError) as info:
        read_file(path)
    assert info.value.exit_code == 2
    return str(info.value)


def test_real_excel_error_cells_are_findings_never_empty_or_valid(tmp_path):
    header, rows = rule_rows("residents", [RESIDENT, {**RESIDENT, "StudentNumber": "98123002"}])
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "residents"
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws["J2"] = "#N/A"  # LastName (required): an error value, not "missing"
    ws["J2"].data_type = "e"
    ws["H3"] = "#REF!"  # EndResidencyDate (optional): not null, an error
    ws["H3"].data_type = "e"
    path = tmp_path / "errors.xlsx"
    book.save(path)
    with i18n.language("en"):
        run = validate_paths([path], known_students=KNOWN_STUDENTS)
    found = sorted(f.as_list() for f in run.results[0].findings)
    assert [2, "LastName", "excel_error"] in found and [
        3,
        "EndResidencyDate",
        "excel_error",
    ] in found
    assert not [f for f in found if f[2] == "required"]
    assert run.results[0].statuses() == ["invalid", "invalid"]
    message = next(f.message for f in run.results[0].findings if f.code == "excel_error")
    assert "#N/A" in message or "#REF!" in message


def test_a_duplicate_header_names_both_columns(tmp_path):
    header, rows = rule_rows("residents", [RESIDENT])
    path = tmp_path / "dup.csv"
    lines = [",".join([*header, header[1]]), ",".join([*map(str, rows[0]), "0012345678"])]
    path.write_text("\n".join(lines), encoding="utf-8")
    message = refused(path)
    assert "dup.csv" in message and "row 1" in message
    assert "columns B and R" in message and header[1] in message


def test_a_folder_and_a_link_loop_are_named_for_what_they_are(tmp_path):
    assert "is a folder" in refused(tmp_path)
    loop = tmp_path / "loop.xlsx"
    loop.symlink_to(loop)
    assert "loops" in refused(loop)


def test_an_old_xls_renamed_xlsx_is_not_called_password_protected():
    from .test_reader import FORMATS

    message = refused(FORMATS / "renamed_xls.xlsx")
    assert "97–2003" in message and "password" not in message


def test_a_csv_of_mixed_encodings_names_the_first_bad_line(tmp_path):
    header, rows = rule_rows("residents", [RESIDENT])
    good = (",".join(header) + "\n" + ",".join(map(str, rows[0])) + "\n").encode("utf-8")
    bad = (
        ",".join(map(str, rows[0]))
        .replace("98123001", "98123002")
        .encode("cp1256", errors="replace")
        + b"\n"
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(good + bad)
    message = refused(path)
    assert "mixed.csv" in message and "line 3" in message and "UTF-8" in message


def test_a_cp1256_csv_still_reads():
    from .test_reader import FORMATS

    assert read_file(FORMATS / "windows1256.csv").sheets[0].kind == "residents"


def test_an_oversized_csv_field_names_line_and_column(tmp_path):
    header, rows = rule_rows("residents", [RESIDENT, RESIDENT])
    row = list(map(str, rows[0]))
    row[16] = "x" * 200_000
    path = tmp_path / "huge-field.csv"
    path.write_text(
        "\n".join([",".join(header), ",".join(map(str, rows[0])), ",".join(row)]),
        encoding="utf-8",
    )
    message = refused(path)
    assert "huge-field.csv" in message and "line 3" in message and "column Q" in message


def resident_sheet(path, row: int, column: int, value, *, formatted: bool = False):
    """A one-resident workbook with one more cell far away (a value, or only formatting)."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("residents")
    header, rows = rule_rows("residents", [RESIDENT])
    ws.write_row(0, 0, header)
    ws.write_row(1, 0, rows[0])
    if formatted:
        ws.write_blank(row, column, None, book.add_format({"bold": True}))
    else:
        ws.write(row, column, value)
    book.close()
    return path, header


def test_too_many_columns_and_rows_are_refused_up_front(tmp_path):
    wide, header = resident_sheet(tmp_path / "wide.xlsx", 1, 16_383, "a note in column XFD")
    message = refused(wide)
    assert "16384" in message and str(MAX_COLUMNS) in message and "residents" in message

    # Formatting that reaches far right but holds nothing is trimmed, not refused.
    trimmed, _ = resident_sheet(tmp_path / "trimmed.xlsx", 1, 16_383, None, formatted=True)
    assert len(read_file(trimmed).sheets[0].headers) == len(header)
    _, rows = rule_rows("residents", [RESIDENT])

    long = tmp_path / "long.csv"
    with long.open("w", encoding="utf-8") as handle:
        handle.write(",".join(header) + "\n")
        line = ",".join(map(str, rows[0])) + "\n"
        for _ in range(MAX_ROWS + 20):
            handle.write(line)
    message = refused(long)
    assert "long.csv" in message and str(MAX_ROWS) in message


def test_a_sheet_declaring_a_million_rows_is_refused_before_loading(tmp_path):
    path, _ = resident_sheet(tmp_path / "million.xlsx", 1_048_574, 0, "x")
    assert "1048575" in refused(path)


def test_an_unreadable_file_is_named(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "locked.csv"
    path.write_text("a,b\n", encoding="utf-8")
    path.chmod(0)
    assert "locked.csv" in refused(path)
