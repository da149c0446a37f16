"""The offline install kit: its completeness check, judged for Windows and from the kit alone.

No test here reaches a network: the check runs `uv pip compile --offline --no-index` on wheels
made here (or on a kit `make bundle` left in dist/)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("uv", reason="uv is in the dev extra: pip install -e '.[dev]'")


def _bundle():
    spec = importlib.util.spec_from_file_location("bundle", ROOT / "scripts" / "bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bundle"] = module
    spec.loader.exec_module(module)
    return module


bundle = _bundle()


def fake_wheel(folder: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> Path:
    """A pure-Python wheel with nothing in it but its metadata."""
    dist = f"{name.replace('-', '_')}-{version}"
    path = folder / f"{dist}-py3-none-any.whl"
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    metadata += [f"Requires-Dist: {r}" for r in requires]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{dist}.dist-info/METADATA", "\n".join(metadata) + "\n")
        zf.writestr(
            f"{dist}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{dist}.dist-info/RECORD", "")
    return path


def small_kit(folder: Path) -> Path:
    """A kit whose simad needs colorama on Windows only and tzdata on Linux only."""
    kit = folder / "simad-offline-win64-py312"
    kit.mkdir()
    requires = ('colorama>=0.4; platform_system == "Windows"', 'tzdata; sys_platform == "linux"')
    fake_wheel(kit, "simad-sync", "0.1.0", requires)
    fake_wheel(kit, "colorama", "0.4.6")
    fake_wheel(kit, "pip", "25.0")
    fake_wheel(kit, "pipx", "1.7.1", ('colorama; sys_platform == "win32"',))
    pins = "colorama==0.4.6\npip==25.0\npipx==1.7.1\nsimad-sync==0.1.0\n"
    (kit / "constraints.txt").write_text(pins, encoding="utf-8")
    bundle.write_manifest(kit, "3.12", "0.1.0", ["simad-sync==0.1.0", "pip", "pipx"])
    return kit


def test_a_complete_kit_resolves_for_windows_from_itself_alone(tmp_path):
    # colorama is needed (Windows), tzdata is not (Linux only), though this machine is Linux
    assert bundle.check_dir(small_kit(tmp_path)) == []


def test_a_kit_without_a_windows_only_wheel_is_incomplete(tmp_path):
    kit = small_kit(tmp_path)
    (kit / "colorama-0.4.6-py3-none-any.whl").unlink()
    problems = bundle.check_dir(kit)
    assert "missing: colorama-0.4.6-py3-none-any.whl" in problems
    assert "does not resolve from the kit alone:" in problems


def test_a_changed_wheel_or_a_pin_the_kit_does_not_need_fails_the_check(tmp_path):
    kit = small_kit(tmp_path)
    fake_wheel(kit, "pip", "25.0", ("colorama",))  # same name, other content
    with (kit / "constraints.txt").open("a", encoding="utf-8") as out:
        out.write("tzdata==2025.1\n")
    problems = bundle.check_dir(kit)
    assert "changed: pip-25.0-py3-none-any.whl" in problems
    assert "pinned but not needed: tzdata==2025.1" in problems


def test_install_bat_installs_from_the_folder_only(tmp_path):
    bundle.write_texts(tmp_path, "3.13", "0.1.0", "simad_sync-0.1.0-py3-none-any.whl")
    bat = (tmp_path / "install.bat").read_bytes()
    assert bat.count(b"\r\n") == bat.count(b"\n")  # cmd wants CRLF
    text = bat.decode("ascii")
    assert "py -3.13-64" in text
    assert "@" + "PYTHON@" not in text
    assert text.count("--no-index") == 2
    assert 'set "PIP_NO_INDEX=1"' in text
    assert '"%~dp0simad_sync-0.1.0-py3-none-any.whl"' in text
    assert "CreateShortcut" in text and "$s.Arguments='ui'" in text
    readme = (tmp_path / "README.txt").read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf")  # Notepad then reads the Persian as UTF-8
    assert "install.bat" in readme.decode("utf-8-sig") and "پایتون 3.13" in readme.decode()


def _built_kits() -> list[Path]:
    return sorted((ROOT / "dist").glob("simad-offline-win64-py3*.zip"))


KITS = _built_kits()


@pytest.mark.skipif(not KITS, reason="no kit in dist/: `make bundle` builds them")
@pytest.mark.parametrize("kit", KITS or [None], ids=[p.stem for p in KITS] or ["none"])
def test_a_built_kit_is_complete(kit, tmp_path):
    with zipfile.ZipFile(kit) as zf:
        zf.extractall(tmp_path)
    (folder,) = tmp_path.iterdir()
    assert bundle.check_dir(folder) == []
    pins = (folder / "constraints.txt").read_text(encoding="utf-8")
    assert "colorama==" in pins and "pip==" in pins and "pipx==" in pins
    manifest = json.loads((folder / "kit.json").read_text(encoding="utf-8"))
    assert kit.stem.endswith(manifest["python"].replace(".", ""))
    shutil.rmtree(folder)
