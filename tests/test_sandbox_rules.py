"""The sandbox keeps its own copy of what a server checks; here it is held to the guide's
tables as the client side reads them (schemas/), so that neither can drift unseen."""

from __future__ import annotations

import random

from pipeline.core import config
from pipeline.sandbox import rules, settings
from schemas import codes
from schemas.identifiers import is_valid_national_code


def test_code_tables_agree():
    ints = {
        "durations": rules.DURATIONS,
        "genders": rules.GENDERS,
        "declare_codes": rules.DECLARE_CODES,
        "declaration_types": rules.DECLARATION_TYPES,
        "reject_reasons": rules.REJECT_REASONS,
    }
    for name, sandbox in ints.items():
        assert codes.table(name).int_codes == set(sandbox), name
    assert codes.table("course_codes").codes == rules.COURSE_CODES
    for name, sandbox_titles in (
        ("review_statuses", rules.REVIEW_STATUSES),
        ("final_results", rules.FINAL_RESULTS),
    ):
        table = codes.table(name)
        assert {int(c): table.titles_fa[c] for c in table.codes} == sandbox_titles, name


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
