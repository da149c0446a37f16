"""Two commands in one process (two tabs of the web app) with different languages and log
files do not interfere: language and log destination belong to each call's context."""

from __future__ import annotations

import re
import threading

import httpx

from pipeline.commands.submit import SubmitOptions, run_submit
from pipeline.commands.validate import run_validate
from pipeline.core.config import SANDBOX_PASSWORD, SANDBOX_USERNAME, Credentials
from pipeline.core.context import Context
from pipeline.core.i18n import current_lang, language
from pipeline.sandbox import SandboxSettings, create_app

from .test_submit import SAMPLE


def test_two_submissions_at_once_keep_their_language_and_log(tmp_path):
    results: dict[str, object] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def submit(lang: str, port: int) -> None:
        try:
            barrier.wait()
            app = create_app(SandboxSettings(db_path=tmp_path / f"server-{lang}.db"))
            results[lang] = run_submit(
                SubmitOptions(
                    [SAMPLE],
                    target=f"http://127.0.0.1:{port}",
                    report=tmp_path / f"report-{lang}.xlsx",
                ),
                transport=httpx.ASGITransport(app=app),
                credentials=Credentials(SANDBOX_USERNAME, SANDBOX_PASSWORD),
                ctx=Context(lang=lang, log_file=tmp_path / f"log-{lang}.jsonl"),
            )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=a) for a in (("fa", 1), ("en", 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    fa, en = results["fa"], results["en"]
    assert fa.counts == en.counts, (fa.fatal, en.fatal)  # type: ignore[attr-defined]
    assert fa.counts["sent"] == 68  # type: ignore[attr-defined]
    english = re.compile(r"\b(is|must|not|allows|does|sent|neither|required)\b", re.IGNORECASE)
    for result, in_english in ((fa, False), (en, True)):
        messages = [
            m
            for sheet in result.sheets  # type: ignore[attr-defined]
            for o in sheet.rows
            for m in o.all_messages()
        ]
        assert len(messages) >= 10
        assert [bool(english.search(m)) for m in messages] == [in_english] * len(messages)
    fa_log = (tmp_path / "log-fa.jsonl").read_text(encoding="utf-8")
    en_log = (tmp_path / "log-en.jsonl").read_text(encoding="utf-8")
    assert fa.run_id in fa_log and en.run_id not in fa_log  # type: ignore[attr-defined]
    assert en.run_id in en_log and fa.run_id not in en_log  # type: ignore[attr-defined]


def test_a_command_leaves_the_callers_language_alone(tmp_path):
    with language("fa"):
        run, path = run_validate([SAMPLE], report_path=tmp_path / "r.xlsx", ctx=Context(lang="en"))
        assert current_lang() == "fa"
    assert run.lang == "en" and path.is_file()
