"""The offline install kit for a Windows PC, built on any machine that reaches PyPI.

    python scripts/bundle.py                      # dist/simad-offline-win64-py3{11,12,13}.zip
    python scripts/bundle.py --python 3.12        # one kit
    python scripts/bundle.py --check KIT          # is the kit (folder or .zip) complete?
    python scripts/bundle.py --wheel DIR          # only the simad wheel, built from a clean copy

A kit holds the simad wheel, every wheel its requirements need on 64-bit Windows (resolved
for Windows by `uv pip compile --python-platform x86_64-pc-windows-msvc`, so that markers such
as typer's `colorama; platform_system == "Windows"` are judged for Windows and not for the
machine that builds the kit), pip and pipx with their own requirements, `constraints.txt`
pinning exactly the wheels in the kit, `install.bat` and a short README.txt. `kit.json` lists
the kit's files with their sha256, what the check resolves, and the Python it is for.

The check resolves every requirement from the kit alone (`--no-index --find-links KIT
--offline`), for Windows, and compares the answer with `constraints.txt` and the files with
their sha256: a wheel missing, one too many, or a changed one fails it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "x86_64-pc-windows-msvc"  # uv's name for 64-bit Windows
PIP_PLATFORM = "win_amd64"
TOOLS = ("pip", "pipx")  # installed into the base Python by install.bat, pipx then installs simad
SKIP = {".git", ".venv", "build", "dist", "out", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def kit_name(python: str) -> str:
    return f"simad-offline-win64-py{python.replace('.', '')}"


def run(cmd: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")
    return done.stdout


def uv() -> list[str]:
    return [sys.executable, "-m", "uv"]


# -- the wheel -------------------------------------------------------------------------------


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in SKIP or n.endswith(".egg-info") or n == "__pycache__"}


def build_wheel(out: Path) -> Path:
    """The simad wheel, built from a copy of the source tree so that no stale build/ folder
    (nor anything else left in the work tree) can slip into it."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="simad-wheel-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT, src, ignore=_ignore, symlinks=True)
        run([sys.executable, "-m", "build", "--wheel", "--outdir", str(Path(tmp) / "w"), str(src)])
        (wheel,) = (Path(tmp) / "w").glob("simad_sync-*.whl")
        target = out / wheel.name
        shutil.copy2(wheel, target)
    return target


def wheel_metadata(wheel: Path) -> tuple[str, list[str]]:
    """The wheel's version and its runtime requirements (no extras)."""
    with zipfile.ZipFile(wheel) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(zf.read(name).decode("utf-8"))
    requires = [r for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r]
    return str(meta["Version"]), requires


# -- resolving and downloading for Windows --------------------------------------------------


def resolve(python: str, requirements: list[str], work: Path) -> str:
    """`uv pip compile` for 64-bit Windows: the exact pins, one `name==version` a line."""
    src = work / f"requirements-{python}.in"
    src.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    cmd = [*uv(), "pip", "compile", "--quiet", "--no-header", "--no-annotate"]
    cmd += ["--python-platform", PLATFORM, "--python-version", python, "--only-binary", ":all:"]
    return run([*cmd, str(src)])


def download(python: str, pinned: Path, kit: Path) -> None:
    target = ["--platform", PIP_PLATFORM, "--python-version", python, "--implementation", "cp"]
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    run([*pip, *target, "-r", str(pinned), "-d", str(kit)])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the kit's own files --------------------------------------------------------------------

INSTALL_BAT = Path(__file__).with_name("install.bat.in")

README_TXT = """simad-sync {version} — بسته نصب بدون اینترنت برای ویندوز ۶۴ بیتی، پایتون {python}

۱. پایتون {python} نسخهٔ ۶۴ بیتی را از python.org نصب کنید (گزینهٔ py launcher روشن بماند).
۲. این پوشه را از فایل zip بیرون بیاورید و روی install.bat دو بار کلیک کنید.
   pipx و simad از همین پوشه نصب می‌شوند، بدون اینترنت، و میانبر «simad» روی میز کار
   ساخته می‌شود که simad ui را باز می‌کند.
۳. در یک پنجرهٔ تازهٔ cmd بنویسید: simad doctor

simad-sync {version} — offline install kit for 64-bit Windows, Python {python}

1. Install Python {python} 64-bit from python.org (keep the py launcher ticked).
2. Extract this folder from the zip and double-click install.bat. It installs pipx and simad
   from this folder with no network and puts a "simad" shortcut on the desktop that runs
   simad ui.
3. In a new cmd window: simad doctor

constraints.txt pins every wheel in this folder; kit.json lists them with their sha256.
"""


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def write_texts(kit: Path, python: str, version: str, wheel: str) -> None:
    fields = {"python": python, "version": version, "wheel": wheel}
    bat = INSTALL_BAT.read_text(encoding="utf-8")
    for key, value in fields.items():
        bat = bat.replace(f"@{key.upper()}@", value)
    if not bat.isascii():
        raise SystemExit("install.bat must be ASCII: cmd reads it in the console's code page")
    (kit / "install.bat").write_bytes(_crlf(bat))
    (kit / "README.txt").write_bytes(b"\xef\xbb\xbf" + _crlf(README_TXT.format(**fields)))


def write_manifest(kit: Path, python: str, version: str, roots: list[str]) -> None:
    files = {p.name: sha256(p) for p in sorted(kit.glob("*.whl"))}
    manifest = {"python": python, "simad-sync": version, "roots": roots, "wheels": files}
    (kit / "kit.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def zip_kit(kit: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(kit.iterdir()):
            kind = zipfile.ZIP_STORED if path.suffix == ".whl" else zipfile.ZIP_DEFLATED
            zf.write(path, f"{kit.name}/{path.name}", compress_type=kind)


# -- building -------------------------------------------------------------------------------


def build_kit(python: str, wheel: Path, out: Path, work: Path) -> Path:
    version, requires = wheel_metadata(wheel)
    kit = work / kit_name(python)
    shutil.rmtree(kit, ignore_errors=True)
    kit.mkdir(parents=True)
    pins = resolve(python, [*requires, *TOOLS], work)
    pinned = work / f"pinned-{python}.txt"
    pinned.write_text(pins, encoding="utf-8")
    download(python, pinned, kit)
    shutil.copy2(wheel, kit / wheel.name)
    constraints = pins.rstrip("\n") + f"\nsimad-sync=={version}\n"
    (kit / "constraints.txt").write_text(constraints, encoding="utf-8")
    write_texts(kit, python, version, wheel.name)
    write_manifest(kit, python, version, [f"simad-sync=={version}", *TOOLS])
    problems = check_dir(kit)
    if problems:
        raise SystemExit("\n".join(problems))
    target = out / f"{kit.name}.zip"
    zip_kit(kit, target)
    return target


def _pins(text: str) -> set[str]:
    lines = (line.split("#")[0].strip().lower() for line in text.splitlines())
    return {line for line in lines if line}


def resolve_offline(kit: Path, python: str, roots: list[str]) -> tuple[set[str], str]:
    """What `roots` resolve to for 64-bit Windows from the kit alone: (pins, error)."""
    offline = ["--offline", "--no-index", "--find-links", str(kit), "--only-binary", ":all:"]
    target = ["--python-platform", PLATFORM, "--python-version", python]
    with tempfile.TemporaryDirectory(prefix="simad-check-") as tmp:
        out = Path(tmp) / "out.txt"
        compile_ = [*uv(), "pip", "compile", "--quiet", "--no-header", "--no-annotate"]
        done = subprocess.run(
            [*compile_, *offline, *target, "-o", str(out), "-"],
            input="\n".join(roots) + "\n",
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return set(), done.stderr.strip() or "uv pip compile failed"
        return _pins(out.read_text(encoding="utf-8")), ""


def check_dir(kit: Path) -> list[str]:
    """What is wrong with an unpacked kit (nothing: an empty list)."""
    manifest = json.loads((kit / "kit.json").read_text(encoding="utf-8"))
    problems: list[str] = []
    present = {p.name for p in kit.glob("*.whl")}
    listed = dict(manifest["wheels"])
    problems += [f"missing: {n}" for n in sorted(set(listed) - present)]
    problems += [f"not in kit.json: {n}" for n in sorted(present - set(listed))]
    problems += [
        f"changed: {n}" for n in sorted(present & set(listed)) if sha256(kit / n) != listed[n]
    ]
    resolved, error = resolve_offline(kit, manifest["python"], manifest["roots"])
    if error:
        return [*problems, "does not resolve from the kit alone:", error]
    wanted = _pins((kit / "constraints.txt").read_text(encoding="utf-8"))
    resolved.add(f"simad-sync=={manifest['simad-sync']}")
    problems += [f"resolved but not pinned: {p}" for p in sorted(resolved - wanted)]
    problems += [f"pinned but not needed: {p}" for p in sorted(wanted - resolved)]
    return problems


def check(path: Path) -> list[str]:
    if path.suffix != ".zip":
        return check_dir(path)
    with tempfile.TemporaryDirectory(prefix="simad-kit-") as tmp:
        with zipfile.ZipFile(path) as zf:
            zf.extractall(tmp)
        (kit,) = [p for p in Path(tmp).iterdir() if p.is_dir()]
        return check_dir(kit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", nargs="+", default=list(PYTHONS), choices=PYTHONS)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--check", type=Path, metavar="KIT")
    parser.add_argument("--wheel", type=Path, metavar="DIR")
    args = parser.parse_args(argv)
    if args.check is not None:
        problems = check(args.check)
        print("\n".join(problems) or f"{args.check}: complete")
        return 1 if problems else 0
    if args.wheel is not None:
        print(build_wheel(args.wheel))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="simad-bundle-") as tmp:
        wheel = build_wheel(Path(tmp) / "wheel")
        for python in args.python:
            started = time.monotonic()
            target = build_kit(python, wheel, args.out, Path(tmp))
            with zipfile.ZipFile(target) as zf:
                count = sum(n.endswith(".whl") for n in zf.namelist())
            size = target.stat().st_size / 1e6
            took = time.monotonic() - started
            print(f"{target}: {count} wheels, {size:.1f} MB, {took:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
