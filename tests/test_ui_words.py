"""`simad ui`: the words of every page, crawled in-process in Persian and English — the start
page, the check page with its findings and a cell's panel, the submit page, a finished job's
card and its progress events, the Runs page, the MAXA page and its answers, the error pages, and
the workbooks the page hands out (the corrected copy, the validation report, a blank template).

Nothing a clerk reads sends them to a terminal (no ``simad <command>``, no ``--flag``), no
catalogue key or snake_case word reaches a page, a Persian page shows no Latin word but names
and codes (file names, codes and server answers are isolated in ``<bdi>`` or ``dir="ltr"``),
and an English page's headers are capitalised."""

from __future__ import annotations

import html
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from unittest import mock

import openpyxl
import pytest

from pipeline.core.i18n import MESSAGES, face, language, plain, t
from tests.inprocess import InProcess, in_process
from tests.test_ui import SAMPLE
from tests.test_ui_unsaved import fix_one

TERMINAL = re.compile(r"\bsimad [a-z]+|(?<![\w-])--[a-z]")
FILE_NAME = re.compile(r"[^\s«»()'\"،,:]+\.(?:xlsx|xlsm|xls|ods|csv|jpg|jpeg|zip)\b")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
KEYS = {key for key in MESSAGES if "_" in key}
LATIN = re.compile(r"[A-Za-z][A-Za-z'-]*")
# Names and codes a Persian page may show in Latin letters.
NAMES = {"SIMAD", "MAXA", "DITAS", "HTTP", "JPEG", "ZIP", "SNOMEDCT", "eRX", "simad", "sync"}
NAMES |= {"Enter", "Esc", "Tab", "Shift"}  # keys of the keyboard
NAMES |= {"xlsx", "xlsm", "xls", "ods", "csv", "CSV", "jpg", "zip", "Excel", "simad-sync"}
ISOLATING = {"bdi", "code", "kbd", "option", "script", "style", "template"}
HEADINGS = {"th", "dt", "h1", "h2", "h3", "summary", "legend", "button", "label"}
OFFLINE = {"terminology": "eRX", "offline": "on"}  # nothing mirrored: the pull button is named
VOID = {"br", "input", "img", "meta", "link", "hr", "wbr", "source", "col", "area", "base"}


@dataclass
class Words(HTMLParser):
    """A page's visible words: all of them, those outside isolated runs (``<bdi>``, ``dir``,
    codes), and the first words of its headers and buttons."""

    text: list[str] = field(default_factory=list)
    own: list[str] = field(default_factory=list)  # outside any isolated run
    attrs: list[str] = field(default_factory=list)  # titles, placeholders, labels
    heads: list[str] = field(default_factory=list)
    stack: list[tuple[str, bool, bool]] = field(default_factory=list)  # tag, isolated, head

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("title", "placeholder", "aria-label", "alt"):
            if a.get(name):
                self.text.append(str(a[name]))
                self.attrs.append(str(a[name]))
        if tag in VOID:
            return
        isolated = tag in ISOLATING or a.get("dir") in ("ltr", "auto") or self.isolated
        isolated = isolated or "lang" in a or "data-c" in a  # another language; a sheet's data
        self.stack.append((tag, isolated, tag in HEADINGS))
        if tag in HEADINGS:
            self.heads.append("")

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    @property
    def isolated(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_data(self, data: str) -> None:
        if any(tag in ("script", "style", "template") for tag, _, _ in self.stack):
            return
        self.text.append(data)
        if not self.isolated:
            self.own.append(data)
        in_head = any(head for _, _, head in self.stack) and not self.isolated
        if in_head and self.heads and not self.heads[-1].strip():
            self.heads[-1] += data


def visible(page: str) -> Words:
    words = Words()
    words.feed(page)
    return words


def faults(name: str, page: str, lang: str) -> list[str]:
    """What is wrong with one page's words (empty: nothing)."""
    words = visible(page)
    text, found = " ".join(words.text), []
    text = re.sub(r"\bhttps?://\S+", " ", text)
    for bad in TERMINAL.findall(text):
        found.append(f"{name}: a terminal command {bad!r}")
    loose = re.sub(r"\S+\.(?:xlsx|csv|jpg|jpeg|zip|json|log)\b", " ", text)
    for token in SNAKE.findall(loose):
        found.append(f"{name}: a key or snake_case word {token!r}")
    for token in re.findall(r"[A-Za-z_]+", loose):
        if token in KEYS:
            found.append(f"{name}: a catalogue key {token!r}")
    for name_ in FILE_NAME.findall(" ".join(words.own)):
        found.append(f"{name}: a file name outside <bdi> {name_!r}")
    if lang == "fa":
        own = " ".join([*words.own, *words.attrs])
        own = re.sub(r"\S+\.(?:xlsx|csv|jpg|jpeg|zip)\b|\bhttps?://\S+", " ", own)
        latin = [w for w in LATIN.findall(own) if w not in NAMES and len(w) > 1]
        found += [f"{name}: a Latin word on a Persian page {w!r}" for w in latin]
    else:
        for head in words.heads:
            first = head.strip()[:1]
            if first.isalpha() and first.islower():
                found.append(f"{name}: a lower-case header {head.strip()!r}")
    return found


def events_text(client: InProcess, job_id: str) -> str:
    """The words a job's progress events carry (its failures and its error)."""
    body = client.get(f"/jobs/{job_id}/events").text
    snaps = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
    assert snaps, body
    told = [s.get("error") or "" for s in snaps]
    told += [f["message"] for s in snaps for f in s["failures"]]
    return "<p>" + html.escape(" ".join(told)) + "</p>"


def workbook_text(content: bytes, skip: frozenset[str] = frozenset()) -> str:
    """Every text of a workbook, but its sheets named in ``skip``."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [
        str(c.value)
        for sheet in book.worksheets
        if sheet.title not in skip
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    return "\n".join(cells)


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)
    books: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, answer: Any) -> None:
        self.pages[name] = answer.text if hasattr(answer, "text") else str(answer)


def cell_url(page: str, ws: str) -> str:
    """The panel of the first red cell of the check page, as the page asks for it."""
    sheet = re.search(r'data-sheet="(\d+)"', page)
    for row in re.finditer(r'<tr[^>]*data-row="(\d+)"[^>]*>(.*?)</tr>', page, re.S):
        cell = re.search(r'<td data-c="(\d+)"[^>]*class="[^"]*error', row.group(2))
        if cell is not None and sheet is not None:
            return f"/cell?ws={ws}&sheet={sheet.group(1)}&row={row.group(1)}&col={cell.group(1)}"
    raise AssertionError("no red cell on the check page")


def crawl(lang: str) -> Crawl:
    """Every page of the app, in ``lang``, driven as a clerk drives it."""
    found = Crawl()
    with in_process(lang, port=8767) as (client, token, state):
        h = {"x-csrf-token": token}
        hx = {**h, "hx-request": "true"}
        found.add("start", client.get("/"))
        for kind in ("residents", "upgrades"):
            found.books[f"template {kind}"] = workbook_text(client.get(f"/template/{kind}").content)
        found.add("check (none open)", client.get("/check"))
        found.add("submit (none open)", client.get("/submit"))
        sample = ("sample.xlsx", SAMPLE.read_bytes())
        found.add("upload", client.post("/upload", files={"files": sample}, headers=h))
        ws = state.workspace.id
        check = client.get("/check")
        found.add("check", check)
        found.add("check (invalid)", client.get(f"/check?ws={ws}&only=invalid", headers=hx))
        found.add("cell", client.get(cell_url(check.text, ws), headers=hx))
        corrected = client.get(f"/download/corrected?file=0&ws={ws}").content
        found.books["corrected"] = workbook_text(corrected)  # the sample's guide sheet too
        found.books["report"] = workbook_text(client.get(f"/download/report?ws={ws}").content)
        found.add("start (open)", client.get("/"))
        client.post("/target", data={"target": "sandbox"}, headers=h)
        found.add("submit", client.get("/submit"))
        client.post("/submit", data={"ws": ws}, headers=h)
        job = state.latest("submit")
        job.thread.join(120)
        found.add("submit (done)", client.get("/submit"))
        found.add("events", events_text(client, job.id))
        found.add("runs", client.get("/runs"))
        found.add("results", client.get("/results"))
        reconciled = client.post("/results", data={"year": "1402", "ws": ws}, headers=hx)
        found.add("results (reconciled)", reconciled)
        keys = re.findall(r'name="key" value="([^"]+)"', reconciled.text)
        assert keys, "no row of the reconciliation can be resent"
        resend = client.post("/resend/confirm", data={"ws": ws, "key": keys[:2]}, headers=hx)
        found.add("resend confirmation", resend)
        ledger = {"year": "1402", "against": "ledger"}
        found.add("results (ledger)", client.post("/results", data=ledger, headers=hx))
        found.add("maxa", client.get("/maxa"))
        for name, url, data in (
            ("lookup", "/maxa/lookup", {"terminology": "eRX", "code": "60281"}),
            ("lookup (unknown)", "/maxa/lookup", {"terminology": "eRX", "code": "99999"}),
            ("validate", "/maxa/validate", {"terminology": "eRX", "code": "60281", "display": "x"}),
            ("validate (none)", "/maxa/validate", {"terminology": "", "code": "1"}),
            ("versions", "/maxa/versions", {"terminology": "eRX"}),
            ("diff (offline)", "/maxa/diff", {**OFFLINE, "old": "1", "new": "2"}),
            ("lookup (offline)", "/maxa/lookup", {**OFFLINE, "code": "1"}),
        ):
            found.add(name, client.post(url, data=data, headers=hx))
        client.post("/maxa/pull", data={"terminology": "eRX"}, headers=hx)
        pull = state.latest("pull")
        pull.thread.join(60)
        found.add("pull", client.get("/maxa?part=pull", headers=hx))
        fix_one(client, token, state)  # a correction in no downloaded file
        found.add("unsaved (close)", client.get("/unsaved?close=1"))
        other = ("other.xlsx", SAMPLE.read_bytes())
        client.post("/upload", files={"files": other}, headers=h)
        found.add("unsaved (replace)", client.get("/unsaved"))
        found.add("not found", client.get("/no-such-page"))
        found.add("report gone", client.get("/runs/nope/report"))
        found.add("no template", client.get("/template/nope"))
        found.add("no token", client.post("/target", data={"target": "sandbox"}))
    return found


@pytest.fixture(scope="module", params=["fa", "en"])
def pages(request, tmp_path_factory) -> Iterator[tuple[str, Crawl]]:
    """Each language's crawl in a SIMAD_HOME of its own (a workbook held open by one crawl,
    or its ledger, never seen by the other)."""
    from pipeline.core import config

    home = tmp_path_factory.mktemp(f"home-{request.param}")
    with mock.patch.dict(os.environ, {"SIMAD_HOME": str(home)}):
        config.reset_settings_cache()
        found = crawl(request.param)
    config.reset_settings_cache()
    yield request.param, found


def test_every_page_speaks_the_pages_own_words(pages):
    lang, found = pages
    assert len(found.pages) > 20 and all(found.pages.values())
    wrong = sorted({f for name, page in found.pages.items() for f in faults(name, page, lang)})
    assert not wrong, "\n".join(wrong)


def test_no_workbook_the_page_gives_sends_the_clerk_to_a_terminal(pages):
    _lang, found = pages
    wrong = [
        f"{name}: {bad!r}" for name, text in found.books.items() for bad in TERMINAL.findall(text)
    ]
    assert not wrong, "\n".join(wrong)
    assert all(found.books.values())


def test_the_checks_can_fail():
    assert faults("x", "<p>send it with simad submit --force</p>", "en")
    assert faults("x", "<p>status: not_sent</p>", "en")
    assert faults("x", "<table><tr><th>status</th></tr></table>", "en")
    assert faults("x", "<table><thead><tr><th>student number</th></tr></thead></table>", "en")
    assert not faults("x", "<table><tr><th>Student number</th></tr></table>", "en")
    assert faults("x", "<p>ارسال شد: sent</p>", "fa")
    assert faults("x", "<p>فایل 14010007.jpg</p>", "fa")  # shown «jpg.14010007» in RTL
    assert not faults("x", "<p>ارسال شد <bdi>sample.xlsx</bdi> <bdi>Server said no</bdi></p>", "fa")


def test_the_page_names_its_buttons_and_the_command_line_keeps_its_commands():
    values = {"terminology": "eRX", "version": "1"}
    for lang in ("fa", "en"):
        with language(lang):
            assert "simad maxa pull eRX" in t("mirror_missing", **values)
            with face("page"):
                told = t("mirror_missing", **values)
                assert t("ui_maxa_pull") in told and not TERMINAL.search(told)
                assert not TERMINAL.search(plain("template_instructions"))
            assert "simad validate" in plain("template_instructions")


def test_every_page_wording_is_whole_and_names_no_command():
    fields = re.compile(r"\{(\w+)")
    for key, entry in MESSAGES.items():
        for lang in ("fa", "en"):
            page = entry.get(f"{lang}_page")
            if page is None:
                continue
            assert not TERMINAL.search(page), key
            assert set(fields.findall(page)) <= set(fields.findall(entry[lang])), key


def test_a_name_inside_a_sentence_is_isolated_and_escaped():
    """A file name or an address inside a Persian sentence (the earlier run's label, the
    reconciliation's source) is in <bdi>, escaped like the sentence around it."""
    from pipeline.web.routes.submit import isolated

    with language("fa"):
        said = str(isolated("ui_job_other_target", when="دیروز", target="https://x.example/<a>"))
    assert "<bdi>https://x.example/&lt;a&gt;</bdi>" in said
    assert not faults("x", f"<p>{said}</p>", "fa")
    with language("en"):
        named = str(isolated("ui_resend_open", files="14010007.xlsx"))
    assert "<bdi>14010007.xlsx</bdi>" in named and "<a>" not in named
    assert faults("x", "<p>open 14010007.xlsx on the start page</p>", "en")
