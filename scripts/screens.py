"""`make screens`: every page of the web app and every workbook simad writes, as PNG images
for a person to look at.

Runs the commands against the embedded sandbox in a scratch SIMAD_HOME, then LibreOffice
(headless) → PDF → pdftoppm → PNG, into out/screens/<workbook>-<page>.png. Needs Debian's
libreoffice-calc-nogui, poppler-utils and fonts-farsiweb.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import ui_screens  # noqa: E402

OUT = ROOT / "out" / "screens"
SAMPLE = ROOT / "input_templates" / "sample.xlsx"
DRUGS = ROOT / "input_templates" / "drug-list-sample.xlsx"


def simad(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "pipeline", *args], env=env, check=False)


def workbooks(work: Path) -> list[Path]:
    env = {**os.environ, "SIMAD_HOME": str(work / "home"), "SIMAD_TARGET": "sandbox"}
    made = {
        "validation": work / "validation.xlsx",
        "submission": work / "submission.xlsx",
        "results": work / "results.xlsx",
        "reconcile": work / "reconcile.xlsx",
        "maxa-pull": work / "maxa-pull.xlsx",
        "maxa-diff": work / "maxa-diff.xlsx",
        "maxa-check": work / "maxa-check.xlsx",
    }
    simad("validate", str(SAMPLE), "--report", str(made["validation"]), env=env)
    simad("submit", str(SAMPLE), "--report", str(made["submission"]), env=env)
    simad("sandbox", "review", "--year", "1402", "--random", "--seed", "3", env=env)
    simad("results", "--year", "1402", "--out", str(made["results"]), env=env)
    simad("reconcile", "--year", "1402", str(SAMPLE), "--report", str(made["reconcile"]), env=env)
    simad("maxa", "pull", "eRX", "--version", "10000", "--out", str(made["maxa-pull"]), env=env)
    simad("maxa", "diff", "eRX", "1000", "10000", "--out", str(made["maxa-diff"]), env=env)
    drugs = ("maxa", "check", str(DRUGS), "--terminology", "eRX", "--report")
    simad(*drugs, str(made["maxa-check"]), env=env)
    simad("template", "--out", str(work / "templates"), env=env)
    # The same in English: left to right, the SPEC's status words.
    english = {
        "validation-en": work / "validation-en.xlsx",
        "reconcile-en": work / "reconcile-en.xlsx",
        "maxa-check-en": work / "maxa-check-en.xlsx",
    }
    simad(
        "--lang", "en", "validate", str(SAMPLE), "--report", str(english["validation-en"]), env=env
    )
    simad(
        "--lang",
        "en",
        "reconcile",
        "--year",
        "1402",
        str(SAMPLE),
        "--report",
        str(english["reconcile-en"]),
        env=env,
    )
    simad("--lang", "en", *drugs, str(english["maxa-check-en"]), env=env)
    made.update(english)
    made["drug-list-sample"] = Path(shutil.copy(DRUGS, work / DRUGS.name))  # an input we ship
    return [p for p in [*made.values(), *(work / "templates").glob("*.xlsx")] if p.exists()]


def render(book: Path) -> list[Path]:
    pdf_dir = book.parent / "pdf"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(pdf_dir), str(book)],
        capture_output=True,
        check=True,
        timeout=300,
    )
    prefix = OUT / book.stem
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(pdf_dir / f"{book.stem}.pdf"), str(prefix)],
        check=True,
    )
    return sorted(OUT.glob(f"{book.stem}-*.png"))


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    ui_screens.main(OUT)  # every page of the web app, Persian and English
    missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: apt-get install -y libreoffice-calc-nogui "
            "poppler-utils fonts-farsiweb"
        )
    with tempfile.TemporaryDirectory(prefix="simad-screens-") as scratch:
        for book in workbooks(Path(scratch)):
            pages = render(book)
            print(f"{book.name}: {len(pages)} page(s) → {OUT}/{book.stem}-*.png")


if __name__ == "__main__":
    main()
