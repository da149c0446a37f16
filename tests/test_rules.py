"""Each validation rule on its own small file: findings asserted as [row, field, code]."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.i18n import language
from pipeline.sheets.validation import validate_paths

from .data.generate import KNOWN_STUDENTS, RULE_CASES

RULES_DIR = Path(__file__).parent / "data" / "rules"


def findings(path: Path, **options) -> list[list]:
    run = validate_paths([path], known_students=KNOWN_STUDENTS, **options)
    return sorted(f.as_list() for r in run.results for f in r.findings)


@pytest.mark.parametrize("case", sorted(RULE_CASES))
def test_rule(case):
    _kind, _rows, expected = RULE_CASES[case]
    assert findings(RULES_DIR / f"{case}.csv") == sorted(expected)


def test_every_rule_code_has_a_case():
    from schemas.rules import RULES

    covered = {code for _k, _r, exp in RULE_CASES.values() for _row, _f, code in exp}
    # Covered elsewhere: column_missing and header_unknown (test_reader), course_not_in_table
    # (strict table below), date_cell_solar (test_fidelity: a CSV has no date cells).
    assert set(RULES) - covered == {
        "column_missing",
        "header_unknown",
        "course_not_in_table",
        "date_cell_solar",
    }


def test_strict_course_table_turns_the_warning_into_an_error(tmp_path):
    table = tmp_path / "official.csv"
    table.write_text("code,title\n1710,داخلی\n1799,رشته تازه\n", encoding="utf-8")
    assert findings(RULES_DIR / "course_unknown.csv", course_codes=table) == []
    assert findings(RULES_DIR / "valid_resident.csv", course_codes=tmp_path / "official.csv") == []
    strict = tmp_path / "strict.csv"
    strict.write_text("code\n1710\n", encoding="utf-8")
    assert findings(RULES_DIR / "course_unknown.csv", course_codes=strict) == [
        [2, "CourseStudyCode", "course_not_in_table"]
    ]


def test_severity_decides_validity():
    run = validate_paths([RULES_DIR / "bad_email.csv"], known_students=KNOWN_STUDENTS)
    [result] = run.results
    assert result.statuses() == ["valid"]  # a warning does not stop the row
    assert result.findings[0].severity == "warning"
    run = validate_paths([RULES_DIR / "required.csv"], known_students=KNOWN_STUDENTS)
    assert run.results[0].statuses() == ["invalid"]
    assert not run.ok


def test_messages_name_the_users_column_in_both_languages():
    with language("fa"):
        fa = validate_paths([RULES_DIR / "gender_not_in_table.csv"])
    with language("en"):  # a finding keeps the language it was made in
        en = validate_paths([RULES_DIR / "gender_not_in_table.csv"])
    [f_fa] = fa.results[0].findings
    [f_en] = en.results[0].findings
    assert f_fa.column == "جنسیت" and "«جنسیت»" in f_fa.message and "مجاز" in f_fa.message
    assert f_en.message.startswith(
        "جنسیت is not an allowed code: '3' (allowed: 1 (Female), 2 (Male))"
    )


def test_duplicate_message_lists_the_rows():
    with language("en"):
        run = validate_paths([RULES_DIR / "duplicate_student.csv"])
    assert all("rows 2, 3" in f.message for f in run.results[0].findings)
