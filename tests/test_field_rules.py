"""Each field's rules are written once, in schemas/fields.csv: everything built from them is
held to the table here, so that two places cannot disagree unseen."""

from __future__ import annotations

import string
from pathlib import Path

import pandas as pd
import pytest

import pipeline.sheets.fields as sheet_fields
from pipeline.core.i18n import language
from pipeline.sheets import templates
from pipeline.sheets.normalize import CONVERTERS
from pipeline.sheets.validation import field_values, validate_paths
from schemas import codes, kinds, residents
from schemas.common import DECIMALS_RULE, field_checks
from schemas.fields import KINDS, NUMERIC_TYPES, SCORE_TYPES, Field, bound, fields
from schemas.rules import RULES

from .data.generate import KNOWN_STUDENTS, RULE_CASES

RULES_DIR = Path(__file__).parent / "data" / "rules"
EVERY_FIELD = [f for kind in KINDS for f in fields(kind)]


def own_rules(f: Field) -> set[str]:
    """The rule codes of a field's own checks, as its line of the table says."""
    out = {f.rule} if f.rule else set()
    if f.type in SCORE_TYPES:
        out.add(DECIMALS_RULE)
    if f.table:
        out.add(f.table_rule or "not_in_table")
    return out


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_one_reader_of_the_table():
    assert sheet_fields.Field is Field and sheet_fields.fields is fields


@pytest.mark.parametrize("f", EVERY_FIELD, ids=lambda f: f"{f.kind}.{f.name}")
def test_each_line_is_complete_and_known(f):
    assert f.type in {*CONVERTERS, "date"} | NUMERIC_TYPES
    assert f.table is None or f.table in codes.TABLES
    assert (f.table_rule is not None) == (f.table is not None)
    assert (f.rule is not None) == bool(f.pattern or f.low or f.high), "a check needs its rule"
    assert not (f.pattern and (f.low or f.high)), "one own check besides the table"
    for code in own_rules(f):
        assert code in RULES, code
    for text in (f.low, f.high):
        bound(text)  # a bound the table cannot say is an error here, not at validation


@pytest.mark.parametrize("kind", KINDS)
def test_pandera_columns_are_the_tables(kind):
    schema = kinds.schema(kind)
    assert list(schema.columns) == [f.name for f in fields(kind)]
    for f in fields(kind):
        column = schema.columns[f.name]
        assert column.nullable == (not f.required), f.name
        names = {check.name for check in column.checks}
        assert names == {f"{code}:{f.name}" for code in own_rules(f)}, f.name


@pytest.mark.parametrize("kind", KINDS)
def test_only_checks_spanning_fields_are_written_by_hand(kind):
    schema = kinds.schema(kind)
    hand = [*kinds.ROW_RULES[kind], *kinds.DUPLICATES[kind]]
    assert [c.name for c in schema.checks] == [f"{r.code}:{r.field}" for r in hand]
    names = {f.name for f in fields(kind)}
    for rule in hand:
        assert rule.code in RULES and rule.field in names, rule.code
    for duplicate in kinds.DUPLICATES[kind]:
        assert set(duplicate.keys) <= names and RULES[duplicate.code].values == ("rows",)


def test_the_official_course_table_replaces_the_shipped_one():
    official = codes.CodeTable("course_codes", {"1799": ""}, {"1799": ""})
    for strict, code in ((False, "course_unknown"), (True, residents.OFFICIAL_TABLE_RULE)):
        column = residents.schema(official, strict).columns["CourseStudyCode"]
        assert f"{code}:CourseStudyCode" in {c.name for c in column.checks}
        frame = pd.DataFrame({"CourseStudyCode": ["1799", "1710", "17x"]})
        [membership] = [c for c in column.checks if c.name == f"{code}:CourseStudyCode"]
        assert list(membership(frame["CourseStudyCode"]).check_output) == [True, False, True]


@pytest.mark.parametrize(
    "f", [f for f in EVERY_FIELD if f.numeric and f.rule], ids=lambda f: f"{f.kind}.{f.name}"
)
def test_ranges_are_the_tables(f):
    low, high = f.bounds()
    [in_range] = [c for c in field_checks(f) if c.name == f"{f.rule}:{f.name}"]
    inside = [v for v in (low, high) if v is not None]
    below = low - 1 if isinstance(low, int | float) else None
    above = high + 1 if isinstance(high, int | float) else None
    outside = [v for v in (below, above) if v is not None]
    assert outside
    assert all(in_range(pd.Series(inside, dtype="Float64")).check_output)
    assert not any(in_range(pd.Series(outside, dtype="Float64")).check_output)


def test_every_rule_declares_the_values_its_message_needs():
    for rule in RULES.values():
        fa, en = placeholders(rule.fa), placeholders(rule.en)
        assert fa == en, rule.code
        assert fa - {"column", "value"} == set(rule.values) - {"value"}, rule.code


def test_the_table_gives_what_its_rules_messages_need():
    for f in EVERY_FIELD:
        given = field_values(f)
        for code in own_rules(f):
            assert set(RULES[code].values) <= given.keys(), (f.name, code)
    for rules in kinds.ROW_RULES.values():
        for rule in rules:
            assert (rule.values is not None) == bool(RULES[rule.code].values), rule.code


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_finding_is_given_exactly_its_rules_values(lang):
    seen = set()
    for case in sorted(RULE_CASES):
        with language(lang):
            run = validate_paths([RULES_DIR / f"{case}.csv"], known_students=KNOWN_STUDENTS)
        for finding in (f for r in run.results for f in r.findings):
            assert set(finding.extra or {}) == set(RULES[finding.code].values), finding.code
            assert finding.message  # every placeholder is filled
            seen.add(finding.code)
    assert {code for code in seen if RULES[code].values} >= {
        "not_in_table", "year_range", "score_range", "age_unusual", "duplicate_student",
    }  # fmt: skip


@pytest.mark.parametrize("f", EVERY_FIELD, ids=lambda f: f"{f.kind}.{f.name}")
def test_the_templates_dropdowns_and_limits_are_the_tables(f):
    with language("fa"):
        ranges = templates._list_ranges()
        rule = templates._validation(f, ranges)
        entries = templates.dropdown_entries(f.table) if f.table else []
    if f.table:
        assert rule is not None and rule["validate"] == "list"
        assert rule["source"] == ranges[f.table]
        first, last = ranges[f.table].split("!")[1].replace("$", "").split(":")
        assert int(last[1:]) - int(first[1:]) + 1 == len(entries) == len(codes.table(f.table).codes)
        strict = RULES[f.table_rule or ""].severity == "error"
        assert rule["error_type"] == ("stop" if strict else "information")
    elif f.numeric and f.rule:
        low, high = f.bounds()
        high = templates.YEAR_CEILING if f.relative else high
        assert rule is not None
        if high is None:
            assert (rule["criteria"], rule["value"]) == (">", low - 1)
        else:
            assert (rule["minimum"], rule["maximum"]) == (low, high)
    elif f.type != "bool":
        assert rule is None, f.name
