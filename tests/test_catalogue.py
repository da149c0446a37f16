"""Every word a person reads comes from the message catalogue (``pipeline/core/i18n.py``; the
rules' messages from ``schemas/rules.py``): a user-facing string written anywhere else fails
here, so Persian and English can never be half and half."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pipeline.core import i18n
from pipeline.core.i18n import MESSAGES
from pipeline.core.status import FAMILIES

ALL_STATUSES = sorted({member.value for family in FAMILIES for member in family})
PACKAGE = Path(__file__).parents[1] / "pipeline"
# The catalogue itself, and the sandbox: a stand-in for the ministry's servers, which answer
# in their own words (Persian problem details), as the real ones do.
EXEMPT = {PACKAGE / "core" / "i18n.py"}
# What an office may type, which the reader must understand (month names, yes and no), and
# the synthetic people of the demo: data, not messages.
DATA = {PACKAGE / "sheets" / "normalize.py", PACKAGE / "sheets" / "fakedata.py"}
EXEMPT_DIRS = {PACKAGE / "sandbox"}
# Errors of the program itself (exit 70, "unexpected"), not messages for a person.
INTERNAL = {"ValueError", "RuntimeError", "TypeError", "KeyError", "AssertionError"}
SHOWN = {"echo", "print", "secho", "add_column", "BadParameter", "add_row", "prompt"}
LETTERS = re.compile(r"[A-Za-z\u0600-\u06ff]{2,}")
ARABIC = re.compile(r"[\u0600-\u06ff]")
PERSIAN_WORD = re.compile(r"[\u0621-\u064a\u067e-\u06cc]{2,}")


def sources() -> list[Path]:
    return [
        p
        for p in PACKAGE.rglob("*.py")
        if p not in EXEMPT and not any(d in p.parents for d in EXEMPT_DIRS)
    ]


def literal_words(node: ast.AST) -> str:
    """The words a literal argument shows, placeholders left out."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return ""


def called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def bypasses(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        where = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            persian = PERSIAN_WORD.search(node.value)
            if persian and id(node) not in docstrings and path not in DATA:
                found.append(f"{where}: Persian text outside the catalogue")
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = called_name(node.exc)
            if (
                name[:1].isupper()
                and name not in INTERNAL
                and any(LETTERS.search(literal_words(a)) for a in node.exc.args)
            ):
                found.append(f"{where}: raise {name}(…) with its own words")
        shown = isinstance(node, ast.Call) and called_name(node) in SHOWN
        if shown and any(LETTERS.search(literal_words(a)) for a in node.args):  # type: ignore[attr-defined]
            found.append(f"{where}: {called_name(node)}(…) shows its own words")
    return found


def test_no_user_facing_string_bypasses_the_catalogue():
    found = [line for path in sources() for line in bypasses(path)]
    assert found == []


def test_the_check_catches_a_bypass(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import typer\nfrom .errors import ConfigError\n"
        "def f(x):\n"
        '    typer.echo(f"Sent {x} rows")\n'
        '    raise ConfigError("bad target")\n'
        'LABEL = "وضعیت"\n',
        encoding="utf-8",
    )
    found = sorted(line.split(": ", 1)[1] for line in _bypasses_anywhere(bad))
    assert found == [
        "Persian text outside the catalogue",
        "echo(…) shows its own words",
        "raise ConfigError(…) with its own words",
    ]


def _bypasses_anywhere(path: Path) -> list[str]:
    global PACKAGE
    saved, PACKAGE = PACKAGE, path.parent
    try:
        return bypasses(path)
    finally:
        PACKAGE = saved


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, entry in MESSAGES.items():
        assert {"fa", "en"} <= set(entry), key
        names = {lang: set(re.findall(r"{(\w+)", text)) for lang, text in entry.items()}
        assert names["fa"] == names["en"], key


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_status_words_are_the_specs_in_english_and_persian_in_persian(status):
    with i18n.language("en"):
        assert i18n.word(status) == status
    with i18n.language("fa"):
        assert ARABIC.search(i18n.word(status))


# What may stay Latin on a Persian screen: names of files, folders, commands, options, codes.
ALLOWED_LATIN = re.compile(
    r"(\S*[/\\]\S*)"  # paths and addresses
    r"|(\S+\.(xlsx|csv|ods|xlsm|db|log)\b)|(\b\w+\.\w+\b)"  # file and terminology names
    r"|(simad( \w+)*)|(--[\w-]+)"  # commands and options
    r"|(\b\w*_\w*\b)"  # rule codes and API names with underscores
    r"|(\b[A-Z][A-Za-z]*[A-Z]\w*\b)|(\b[A-Z]{2,}\b)"  # API names (StudentNumber), HTTP, SHA
    r"|(\b(eRX|erx)\b)|(\b\d{8}-\d{6}-[0-9a-f]{6}\b)|(\b\d\w*\b)"  # run ids
)


def latin_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", ALLOWED_LATIN.sub(" ", text))


def test_a_persian_session_reads_persian(tmp_path, monkeypatch):
    """The README's commands in Persian: no English word on screen but names and codes."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    from .test_submit import SAMPLE

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    screens = [
        runner.invoke(app, ["validate", str(SAMPLE)]),
        runner.invoke(app, ["submit", str(SAMPLE)]),
        runner.invoke(app, ["submit", str(SAMPLE)]),
        runner.invoke(app, ["sandbox", "review", "--year", "1402", "--random"]),
        runner.invoke(app, ["results", "--year", "1402"]),
        runner.invoke(app, ["reconcile", "--year", "1402", str(SAMPLE)]),
        runner.invoke(app, ["runs"]),
        runner.invoke(app, ["template", "--out", str(tmp_path / "t")]),
        runner.invoke(app, ["maxa", "versions", "eRX"]),
        runner.invoke(app, ["maxa", "pull", "thritaEHR.Religion"]),
        runner.invoke(app, ["maxa", "lookup", "thritaEHR.Religion", "1", "--offline"]),
    ]
    for result in screens:
        assert result.exit_code in (0, 1), result.output
        assert latin_words(result.output) == [], result.output


def test_counts_read_naturally():
    with i18n.language("en"):
        assert i18n.t("reconcile_headline", n=1) == "1 row needs action"
        assert i18n.t("reconcile_headline", n=7) == "7 rows need action"
        assert i18n.t("results_done", n=1) == "1 declaration downloaded."
    with i18n.language("fa"):
        assert i18n.t("reconcile_headline", n=7) == "۷ ردیف نیاز به اقدام دارد"
        assert i18n.t("results_done", n=1200) == "۱۲۰۰ معرفی دریافت شد."
    # Every message with a count in English has its singular form.
    for key, entry in MESSAGES.items():
        if "{n}" in entry["en"]:
            assert "en_one" in entry, key


def test_a_persian_report_holds_no_english_status_word(tmp_path, monkeypatch):
    """Messages that quote a status (a declaration not sent because its resident was
    invalid) quote it in Persian."""
    from typer.testing import CliRunner

    from pipeline.cli import app

    from .reports import report_rows
    from .test_submit import SAMPLE

    monkeypatch.chdir(tmp_path)
    CliRunner().invoke(app, ["submit", str(SAMPLE), "--report", str(tmp_path / "r.xlsx")])
    messages = " ".join(str(r.get("messages") or "") for r in report_rows(tmp_path / "r.xlsx"))
    assert "نامعتبر" in messages
    assert not set(re.findall(r"[a-z_]{4,}", messages)) & set(ALL_STATUSES)


TEMPLATES = PACKAGE / "web" / "templates"
# What a template may hold outside {{ }} besides markup: the example address of a ministry
# server (an input's placeholder), a terminology's code, and the attribute values of markup.
TEMPLATE_LITERALS = {"IRC"}


def template_text(source: str) -> list[str]:
    """The words a template shows that do not come through ``t()`` or ``word()``: its text
    with Jinja's expressions and statements, comments, tags and entities taken out."""
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", source, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&\w+;", " ", text)
    return [w for w in LETTERS.findall(text) if w not in TEMPLATE_LITERALS]


def test_the_web_pages_speak_only_through_the_catalogue():
    found = {
        page.name: words
        for page in TEMPLATES.glob("*.html")
        if (words := template_text(page.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_template_check_catches_a_bypass():
    assert template_text('<p>{{ t("ui_send") }} Send now</p>') == ["Send", "now"]
    assert template_text("<b>ارسال</b>{% if x %}{{ y }}{% endif %}") == ["ارسال"]
    assert template_text('<input placeholder="{{ t(\'x\') }}" value="IRC">') == []
