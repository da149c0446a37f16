"""Files the office has open: a report (or export) that cannot be replaced because Excel holds
it is written beside it as ``name (2).xlsx`` and said, never lost and never an exit 3; every
such file is written whole and moved into place; an output path that cannot be written is an
input error (exit 2) before anything is sent. A ``SIMAD_HOME`` on a network share is refused;
the default home on Windows is the user's local (not roaming) app data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core import files, i18n, private
from pipeline.core.errors import ConfigError, LocalStorageError
from pipeline.core.files import check_writable, place, write_atomically, write_output
from pipeline.core.private import network_share, open_sqlite
from pipeline.simad.ledger import Ledger

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "input_templates" / "sample.xlsx"
runner = CliRunner()


@pytest.fixture
def told(monkeypatch):
    """What the tool says about a file it put beside the one asked for."""
    said: list[str] = []
    monkeypatch.setattr(files, "_tell", said.append)
    return said


def hold_open(monkeypatch, *names: str) -> None:
    """Files named ``names`` cannot be replaced, as on Windows while Excel has them open."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name in names:
            raise PermissionError(13, "The process cannot access the file", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# -- the one helper ----------------------------------------------------------------------------


def test_a_file_is_written_whole_and_replaces_the_old_one(tmp_path):
    target = tmp_path / "list.csv"
    target.write_text("old", encoding="utf-8")
    assert write_atomically(target, lambda out: out.write(b"new")) == target
    assert target.read_bytes() == b"new"
    assert leftovers(tmp_path) == []


def test_a_write_that_fails_leaves_the_old_file_and_no_part(tmp_path):
    target = tmp_path / "list.csv"
    target.write_text("old", encoding="utf-8")

    def fails(out):
        out.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomically(target, fails)
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_an_output_the_disk_will_not_take_is_named_with_the_reason(tmp_path):
    """A file the user asked for (a template, a pulled CSV) that fails half-way: a storage
    error naming the file and the system's reason, no traceback; the old file kept."""
    target = tmp_path / "list.csv"
    target.write_text("old", encoding="utf-8")

    def fails(out):
        out.write(b"half")
        raise OSError(28, "No space left on device")

    with i18n.language("en"), pytest.raises(LocalStorageError) as caught:
        write_output(target, fails)
    assert str(target) in str(caught.value) and "No space left on device" in str(caught.value)
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_a_file_held_open_gets_the_next_free_name_beside_it(tmp_path, monkeypatch, told):
    i18n.set_lang("fa")
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"yesterday")
    hold_open(monkeypatch, "report.xlsx")
    first = write_atomically(target, lambda out: out.write(b"one"))
    second = write_atomically(target, lambda out: out.write(b"two"))
    assert first == tmp_path / "report (2).xlsx" and first.read_bytes() == b"one"
    assert second == tmp_path / "report (3).xlsx" and second.read_bytes() == b"two"
    assert target.read_bytes() == b"yesterday"  # the open one untouched
    assert len(told) == 2 and "report (2).xlsx" in told[0] and "باز است" in told[0]
    assert leftovers(tmp_path) == []


def test_the_name_beside_is_tried_again_when_that_one_is_open_too(tmp_path, monkeypatch, told):
    hold_open(monkeypatch, "r.xlsx", "r (2).xlsx")
    (tmp_path / "r.xlsx").write_bytes(b"a")
    part = tmp_path / "r.part"
    part.write_bytes(b"b")
    assert place(part, tmp_path / "r.xlsx") == tmp_path / "r (3).xlsx"


def test_output_paths_that_cannot_be_written_are_input_errors(tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError):
        check_writable(tmp_path, suffixes=[".csv"])  # a folder given as the file
    with pytest.raises(ConfigError):
        check_writable(tmp_path / "a-file" / "out.csv")  # a folder that is a file
    with pytest.raises(ConfigError):
        check_writable(tmp_path / "out.txt", suffixes=[".csv", ".xlsx"])
    assert check_writable(tmp_path / "new" / "out.csv") == tmp_path / "new" / "out.csv"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_is_an_input_error(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ConfigError):
            check_writable(folder / "out.csv")
    finally:
        folder.chmod(0o755)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc")
def test_a_folder_nobody_may_write_in_is_an_input_error():
    """/proc takes no new file, even from root: a real unwritable folder."""
    with pytest.raises(ConfigError):
        check_writable(Path("/proc") / "simad-out.csv")


# -- the commands --------------------------------------------------------------------------


def test_a_submission_report_open_in_excel_lands_beside_it_and_is_said(tmp_path):
    """The whole command as the clerk runs it, the report of the last run still open."""
    report = tmp_path / "report.xlsx"
    report.write_bytes(b"the last run's, open in Excel")
    program = textwrap.dedent(
        f"""
        import os, sys
        real = os.replace
        def replace(src, dst, *args, **kwargs):
            if os.path.basename(str(dst)) == "report.xlsx":
                raise PermissionError(13, "The process cannot access the file", str(dst))
            return real(src, dst, *args, **kwargs)
        os.replace = replace
        sys.argv = ["simad", "submit", {str(SAMPLE)!r}, "--report", {str(report)!r}, "--json"]
        from pipeline.cli import main
        main()
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIMAD_")}
    env["SIMAD_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, env=env, cwd=tmp_path, timeout=120
    )
    beside = tmp_path / "report (2).xlsx"
    assert done.returncode == 1, done.stderr.decode()  # the sample's invalid rows; never 3
    assert report.read_bytes() == b"the last run's, open in Excel"
    assert beside.stat().st_size > 1000
    assert json.loads(done.stdout)["report"] == str(beside)
    said = done.stderr.decode("utf-8")
    assert str(beside) in said and "باز است" in said
    runs = runner.invoke(app, ["runs", "--json"], env={"SIMAD_HOME": str(tmp_path / "home")})
    assert json.loads(runs.stdout)[0]["report"] == str(beside)  # the ledger knows where


def test_a_report_given_by_a_relative_name_is_kept_by_its_whole_path(tmp_path, monkeypatch):
    """``simad runs`` run from another folder still names the report where it is."""
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(app, ["submit", str(SAMPLE), "--report", "mine.xlsx", "--json"])
    assert done.exit_code == 1, done.output  # the sample's invalid rows
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    listed = runner.invoke(app, ["runs", "--json"])
    kept = Path(json.loads(listed.stdout)[0]["report"])
    assert kept.is_absolute() and kept == tmp_path / "mine.xlsx" and kept.exists()


def test_a_validation_report_open_in_excel_is_written_beside(tmp_path, monkeypatch, told):
    hold_open(monkeypatch, "v.xlsx")
    (tmp_path / "v.xlsx").write_bytes(b"open")
    result = runner.invoke(app, ["--lang", "en", "validate", str(SAMPLE), "--report", "v.xlsx"])
    assert result.exit_code == 1
    assert "v (2).xlsx" in result.stdout and (tmp_path / "v (2).xlsx").exists()
    assert told and "is open" in told[0]


def test_submit_to_a_folder_that_takes_no_file_is_refused_before_sending(tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["submit", str(SAMPLE), "--report", "a-file/r.xlsx"])
    assert result.exit_code == 2
    assert not (tmp_path / "home" / "sandbox.db").exists()  # the sandbox never asked
    ledger = Ledger(tmp_path / "home" / "ledger.db")
    try:
        assert ledger.runs(10) == []
    finally:
        ledger.close()


def test_maxa_pull_writes_its_csv_whole_and_beside_when_open(tmp_path, monkeypatch, told):
    out = tmp_path / "erx.csv"
    out.write_text("old", encoding="utf-8")
    first = runner.invoke(app, ["maxa", "pull", "eRX", "--version", "1000", "--out", str(out)])
    assert first.exit_code == 0, first.output
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "code,value,terminology,version" and len(lines) > 2
    hold_open(monkeypatch, "erx.csv")
    again = runner.invoke(
        app, ["maxa", "pull", "eRX", "--version", "1000", "--out", str(out), "--json"]
    )
    assert again.exit_code == 0
    assert json.loads(again.stdout)["exported"] == str(tmp_path / "erx (2).csv")
    assert (tmp_path / "erx (2).csv").read_text(encoding="utf-8-sig").splitlines() == lines
    assert told and leftovers(tmp_path) == []


@pytest.mark.parametrize("where", ["a-file/erx.csv", "folder", "erx.txt"])
def test_maxa_pull_to_a_path_that_cannot_be_written_is_exit_2_before_the_gateway(tmp_path, where):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    result = runner.invoke(app, ["maxa", "pull", "eRX", "--version", "1000", "--out", where])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "home" / "maxa-mirror.db").exists()


def test_template_written_whole_and_beside_when_open(tmp_path, monkeypatch, told):
    hold_open(monkeypatch, "residents.xlsx")
    (tmp_path / "blank").mkdir()
    (tmp_path / "blank" / "residents.xlsx").write_bytes(b"open")
    result = runner.invoke(app, ["template", "--out", "blank", "--force"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "blank" / "residents (2).xlsx").stat().st_size > 1000
    assert (tmp_path / "blank" / "upgrades.xlsx").stat().st_size > 1000
    assert "residents (2).xlsx" in result.stdout


# -- SIMAD_HOME on a network share ---------------------------------------------------------

MOUNTS = """\
/dev/sda1 / ext4 rw 0 0
//nas/office /mnt/office cifs rw 0 0
nas:/export /srv/nfs nfs4 rw 0 0
/dev/sdb1 /srv/nfs/local ext4 rw 0 0
C:\\134 /mnt/c 9p rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/mnt/office/simad", "cifs"),
        ("/srv/nfs/simad", "nfs4"),
        ("/srv/nfs/local/simad", None),  # a local disk mounted inside the share
        ("/mnt/c/Users/clerk", "9p"),
        ("/mnt/officex", None),
        ("/home/clerk/.local/share/simad-sync", None),
    ],
)
def test_a_network_file_system_is_told_from_the_mount_table(path, kind):
    assert network_share(Path(path), windows=False, mounts=MOUNTS) == kind


@pytest.mark.parametrize(
    ("path", "drive", "kind"),
    [
        ("\\\\nas\\office\\simad", 3, "\\\\nas\\office"),
        ("//nas/office/simad", 3, "\\\\nas\\office"),
        ("\\\\?\\UNC\\nas\\office\\simad", 3, "\\\\nas\\office"),
        ("Z:\\simad", 4, "Z:"),
        ("C:\\Users\\clerk\\AppData\\Local\\simad-sync", 3, None),
        ("\\\\?\\C:\\simad", 3, None),
    ],
)
def test_a_windows_share_or_mapped_drive_is_told(path, drive, kind):
    asked: list[str] = []

    def drive_type(root: str) -> int:
        asked.append(root)
        return drive

    found = network_share(Path(path), windows=True, drive_type=drive_type)
    if kind is None:
        assert found is None
    else:
        assert found is not None and kind in found
    if ":" in path and not path.startswith("\\\\?\\UNC"):
        assert asked and asked[0].endswith(":\\")  # asked about the drive's root


def test_a_ledger_on_a_network_share_is_refused_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(private, "_network_kind", lambda folder: "cifs")
    i18n.set_lang("en")
    with pytest.raises(ConfigError, match=r"network share.*cifs"):
        open_sqlite(tmp_path / "ledger.db")
    with pytest.raises(ConfigError):
        Ledger(tmp_path / "ledger.db")
    monkeypatch.setattr(private, "_network_kind", lambda folder: None)
    open_sqlite(tmp_path / "ledger.db").close()


def test_submit_with_a_home_on_a_share_is_exit_2_and_sends_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(private, "_network_kind", lambda folder: "nfs4")
    result = runner.invoke(app, ["--lang", "en", "submit", str(SAMPLE)])
    assert result.exit_code == 2
    assert "network share" in result.output and "SIMAD_HOME" in result.output
    assert not (tmp_path / "home" / "sandbox.db").exists()


# -- where the home is on Windows ----------------------------------------------------------


def test_the_default_home_on_windows_is_local_app_data(monkeypatch):
    """``platformdirs.user_data_dir`` as `simad_home` calls it, on Windows: under
    %LOCALAPPDATA% (private to the user by its inherited ACL), not the roaming profile."""
    import platformdirs.windows

    folders = {
        "CSIDL_LOCAL_APPDATA": "C:\\Users\\clerk\\AppData\\Local",
        "CSIDL_APPDATA": "C:\\Users\\clerk\\AppData\\Roaming",
    }
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", folders.__getitem__)
    home = platformdirs.windows.Windows(appname="simad-sync").user_data_dir
    assert home.startswith(folders["CSIDL_LOCAL_APPDATA"].replace("\\", os.sep)) or home.startswith(
        folders["CSIDL_LOCAL_APPDATA"]
    )
    assert "Roaming" not in home
