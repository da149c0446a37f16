"""The sandbox keeps its own copy of what a server checks; here it is held to each field's
rules as the client side reads them (schemas/fields.csv and the code tables), so that neither
can drift unseen. What is compared is derived from the table: a new coded field, a new range
or a new optional field is compared without this file changing."""

from __future__ import annotations

import random

import pytest

from pipeline.core import config
from pipeline.sandbox import binding, rules, settings, simad_app
from schemas import codes
from schemas.fields import KINDS, SCORE_TYPES, fields
from schemas.identifiers import is_valid_national_code

SANDBOX_FIELDS = {"residents": binding.RESIDENT_FIELDS, "upgrades": binding.DECLARATION_FIELDS}


def coded_fields():
    """Each coded field of the table, once (a field of both kinds has one table)."""
    return list({f.name: f for kind in KINDS for f in fields(kind) if f.table}.values())


@pytest.mark.parametrize("f", coded_fields(), ids=lambda f: f.name)
def test_code_tables_agree(f):
    table = codes.table(f.table)
    assert rules.FIELD_CODES[f.name] == (table.int_codes if f.numeric else table.codes), f.name


def test_every_coded_field_the_sandbox_checks_has_a_table():
    assert set(rules.FIELD_CODES) == {f.name for f in coded_fields()}
    assert settings.SandboxSettings().course_codes == rules.COURSE_CODES


def test_appendix_titles_agree():
    for name, sandbox_titles in (
        ("review_statuses", rules.REVIEW_STATUSES),
        ("final_results", rules.FINAL_RESULTS),
    ):
        table = codes.table(name)
        assert {int(c): table.titles_fa[c] for c in table.codes} == sandbox_titles, name


@pytest.mark.parametrize("kind", KINDS)
def test_request_fields_and_optional_ones_agree(kind):
    """The sandbox binds the fields of the table, and a value type that may be absent
    (``int?``, ``datetime?``) exactly where the table says the field is optional."""
    sandbox = SANDBOX_FIELDS[kind]
    assert list(sandbox) == [f.name for f in fields(kind)]
    for f in fields(kind):
        if sandbox[f.name] != "string":  # a .NET string is always nullable when bound
            assert sandbox[f.name].endswith("?") == (not f.required), f.name


def test_score_ranges_agree():
    scores = [f for f in fields("upgrades") if f.type in SCORE_TYPES]
    assert {f.name: f.bounds() for f in scores} == {
        name: (0, high) for name, (_title, high) in simad_app.SCORES.items()
    }


def test_national_code_checks_agree():
    rng = random.Random(5)
    samples = [f"{rng.randrange(10**10):010d}" for _ in range(20_000)]
    samples += ["0000000000", "1111111111", "0499370899", "0067749828", "12345", "۰۴۹۹۳۷۰۸۹۹"]
    for code in samples:
        assert rules.national_code_ok(code) == is_valid_national_code(code), code
    assert sum(map(rules.national_code_ok, samples)) > 1000  # the sample holds valid codes


def test_the_clients_sandbox_accounts_are_the_sandboxes():
    assert (config.SANDBOX_USERNAME, config.SANDBOX_PASSWORD) == (
        settings.SANDBOX_USERNAME,
        settings.SANDBOX_PASSWORD,
    )
    client = config.maxa_credentials(config.SANDBOX, interactive=False)
    assert (client.client_id, client.client_secret, client.username, client.password) == (
        settings.MAXA_SANDBOX_CLIENT_ID,
        settings.MAXA_SANDBOX_CLIENT_SECRET,
        settings.MAXA_SANDBOX_USERNAME,
        settings.MAXA_SANDBOX_PASSWORD,
    )
    assert client.pid == settings.MAXA_SANDBOX_PID
