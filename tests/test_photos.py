"""Photos: whose a file is (student number or national code in its name, Persian digits
read as ASCII), whether it can be sent (a JPEG by content, a usable size, readable), and an
uploaded zip unpacked safely (no climbing out, bounded entries and size)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from starlette.datastructures import UploadFile

from pipeline.core.errors import InputFileError
from pipeline.core.i18n import language
from pipeline.sheets import photos
from pipeline.sheets.photos import MISSING, PRESENT, UNUSABLE, match, name_keys, scan
from pipeline.web import uploads
from pipeline.web.state import State

from .conftest import JPEG

PEOPLE = [("14010007", "0012345678"), ("14010008", "1481607049")]
GOOD = JPEG + b"\x00" * 200


def folder_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_the_digits_of_the_name_are_its_keys_persian_digits_folded():
    assert name_keys("14010007.jpg") == ("14010007",)
    assert name_keys("photo-14010007.JPG") == ("14010007",)
    assert name_keys("۱۴۰۱۰۰۰۷.jpeg") == ("14010007",)
    assert name_keys("dir/0012345678.jpeg") == ("0012345678",)
    assert name_keys("عکس.jpg") == ()


def test_a_photo_is_matched_by_student_number_or_national_code(tmp_path):
    folder = folder_with(tmp_path, {"۱۴۰۱۰۰۰۷.jpg": GOOD, "1481607049.JPEG": GOOD})
    matches, unmatched = match(PEOPLE, scan(folder))
    assert [m.status for m in matches] == [PRESENT, PRESENT]
    assert matches[0].photo is not None and matches[0].photo.name == "۱۴۰۱۰۰۰۷.jpg"
    assert matches[1].photo is not None and matches[1].photo.name == "1481607049.JPEG"
    assert unmatched == []


def test_no_match_is_missing_and_a_stranger_photo_is_listed(tmp_path):
    folder = folder_with(tmp_path, {"99999999.jpg": GOOD, "notes.txt": b"x"})
    matches, unmatched = match(PEOPLE, scan(folder))
    assert [m.status for m in matches] == [MISSING, MISSING]
    assert [p.name for p in unmatched] == ["99999999.jpg"]  # the .txt is no photo


def test_two_photos_for_one_resident_send_neither_and_say_which(tmp_path):
    folder = folder_with(tmp_path, {"14010007.jpg": GOOD, "0012345678.jpg": GOOD})
    with language("en"):
        matches, _ = match(PEOPLE, scan(folder))
    assert matches[0].status == UNUSABLE
    assert "0012345678.jpg" in matches[0].reason and "14010007.jpg" in matches[0].reason
    assert "More than one photo" in matches[0].reason
    assert matches[1].status == MISSING


def test_a_photo_naming_two_residents_is_sent_to_neither(tmp_path):
    folder = folder_with(tmp_path, {"14010007-14010008.jpg": GOOD})
    with language("en"):
        matches, _ = match(PEOPLE, scan(folder))
    assert [m.status for m in matches] == [UNUSABLE, UNUSABLE]
    assert "more than one resident" in matches[0].reason


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 300, "not a JPEG"),
        (b"\xff\xd8\xff" + b"\x00" * (photos.MAX_IMAGE_BYTES + 10), "unusable size"),
        (b"\xff\xd8\xff\xe0" + b"\x01" * 500, "cut short"),  # no end-of-image mark
        (b"\xff\xd8\xff", "unusable size"),
    ],
)
def test_content_checks_give_the_reason(tmp_path, data, words):
    folder = folder_with(tmp_path, {"14010007.jpg": data})
    with language("en"):
        matches, _ = match(PEOPLE, scan(folder))
    assert matches[0].status == UNUSABLE
    assert words in matches[0].reason and "14010007.jpg" in matches[0].reason


def test_an_unreadable_photo_says_so(tmp_path):
    folder = folder_with(tmp_path, {})
    (folder / "14010007.jpg").symlink_to(folder / "gone")  # dangling: cannot be opened
    (folder / "14010008.jpg").mkdir()  # a folder named like a photo is no photo
    with language("en"):
        data, problem = photos.read_photo(folder / "14010007.jpg")
    assert data is None and "cannot be read" in problem


# -- the page's uploads -------------------------------------------------------------------------


@pytest.fixture
def state(tmp_path):
    memory = State(tmp_path / "home", "en", "sandbox")
    yield memory
    memory.close()


def upload(name: str, data: bytes) -> UploadFile:
    return UploadFile(io.BytesIO(data), filename=name)


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_uploaded_photos_are_kept_owner_only_and_refusals_recorded(state):
    kept = uploads.store_photos(
        state, [upload("14010007.jpg", GOOD), upload("0012345678.jpg", b"GIF89a" + b"0" * 200)]
    )
    assert kept == 1
    stored = state.photos / "14010007.jpg"
    assert stored.read_bytes() == GOOD and stored.stat().st_mode & 0o777 == 0o600
    assert not (state.photos / "0012345678.jpg").exists()  # refused: not kept
    with language("en"):
        found = {p.name: p for p in scan(state.photos)}
    assert "not a JPEG" in found["0012345678.jpg"].problem
    # The same name again, now right: kept, its refusal forgotten.
    assert uploads.store_photos(state, [upload("0012345678.jpg", GOOD)]) == 1
    assert "0012345678.jpg" not in photos.refused(state.photos)
    assert not (state.photos / photos.REFUSED_FILE).exists()  # none left: the record removed


def test_a_zip_is_unpacked_without_climbing_out_and_only_its_photos_kept(state, tmp_path):
    data = zipped(
        {
            "office/14010007.jpg": GOOD,
            "../../14010008.jpg": GOOD,
            "/etc/0012345678.jpg": GOOD,
            "readme.txt": b"hello",
            "__MACOSX/._14010007.jpg": b"junk",
        }
    )
    assert uploads.store_photos(state, [upload("photos.zip", data)]) == 1
    names = {p.name for p in state.photos.iterdir()}
    assert "14010007.jpg" in names and "readme.txt" not in names
    assert (
        not (tmp_path / "14010008.jpg").exists()
        and not (tmp_path / "home" / "14010008.jpg").exists()
    )
    with language("en"):
        found = {p.name: p.problem for p in scan(state.photos)}
    assert "points outside" in found["14010008.jpg"]
    assert "points outside" in found["0012345678.jpg"]


def test_a_zip_bomb_and_a_zip_of_too_many_entries_are_refused(state, monkeypatch):
    bomb = zipped({f"{n}.jpg": b"\x00" * (30 * 2**20) for n in range(8)})  # 240 MB, tiny zip
    assert len(bomb) < 2 * 2**20
    with pytest.raises(InputFileError, match="once unpacked"), language("en"):
        uploads.store_photos(state, [upload("bomb.zip", bomb)])
    monkeypatch.setattr(uploads, "MAX_ZIP_ENTRIES", 3)
    many = zipped({f"{n}.jpg": GOOD for n in range(4)})
    with pytest.raises(InputFileError, match="more than 3 files"), language("en"):
        uploads.store_photos(state, [upload("many.zip", many)])
    with pytest.raises(InputFileError, match="cannot be read"), language("en"):
        uploads.store_photos(state, [upload("fake.zip", b"not a zip at all")])
    assert not any(p.suffix == ".jpg" for p in state.photos.iterdir())


def test_a_zip_entry_lying_about_its_size_is_read_bounded(state):
    big = JPEG[:-2] + b"\x01" * (photos.MAX_IMAGE_BYTES + 100) + b"\xff\xd9"
    raw = io.BytesIO(zipped({"14010007.jpg": big}))
    with zipfile.ZipFile(raw, "a") as archive:  # the directory claims a tiny size
        archive.infolist()[0].file_size = 200
    assert uploads.store_photos(state, [upload("liar.zip", raw.getvalue())]) == 0
    with language("en"):
        found = {p.name: p.problem for p in scan(state.photos)}
    assert "unusable size" in found["14010007.jpg"] or "cannot be read" in found["14010007.jpg"]


def test_names_are_kept_without_bidi_controls():
    assert uploads.photo_name("\u202e14010007\u202c.jpg") == "14010007.jpg"
    assert uploads.photo_name("a/b/۱۴۰۱۰۰۰۷.JPG") == "۱۴۰۱۰۰۰۷.JPG"


class _LegacyName(zipfile.ZipInfo):
    """An entry written as ``zip`` or Windows' compressed folders write it: the name's own
    bytes, without the UTF-8 flag (bit 11)."""

    def __init__(self, raw: bytes) -> None:
        super().__init__(raw.decode("cp437"))  # how zipfile reads such a name back
        self.raw = raw

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # zipfile's own name
        return self.raw, self.flag_bits & ~0x800


def legacy_zipped(entries: dict[bytes, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for raw, data in entries.items():
            archive.writestr(_LegacyName(raw), data)
    return out.getvalue()


def test_zip_names_without_the_utf8_flag_are_read_in_their_own_encoding(state):
    data = legacy_zipped(
        {
            "۱۴۰۱۰۰۰۷.jpg".encode(): GOOD,  # `zip`: UTF-8 bytes, no flag
            "عکس ۱۴۰۱۰۰۰۸.jpg".encode(): GOOD,
            "عکس-14010009.jpg".encode("cp1256"): GOOD,  # Windows' ANSI code page
            b"1481607049.jpg": GOOD,
        }
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the flag really is cleared
        assert not any(e.flag_bits & 0x800 for e in archive.infolist())
        assert "۱۴۰۱۰۰۰۷.jpg" not in archive.namelist()  # zipfile alone: cp437 garbage
    assert uploads.store_photos(state, [upload("photos.zip", data)]) == 4
    names = {p.name for p in state.photos.iterdir()}
    assert {"۱۴۰۱۰۰۰۷.jpg", "عکس ۱۴۰۱۰۰۰۸.jpg", "عکس-14010009.jpg", "1481607049.jpg"} <= names
    people = [("14010007", ""), ("14010008", ""), ("14010009", ""), ("14010010", "1481607049")]
    matches, unmatched = match(people, scan(state.photos))
    assert [m.status for m in matches] == [PRESENT] * 4 and not unmatched


def test_a_legacy_zip_name_in_the_oem_code_page_is_read_as_persian():
    entry = _LegacyName("صورة14010007.jpg".encode("cp720"))
    assert uploads.entry_name(entry) == "صورة14010007.jpg"
    flagged = zipfile.ZipInfo("۱۴۰۱۰۰۰۷.jpg")
    flagged.flag_bits |= 0x800
    assert uploads.entry_name(flagged) == "۱۴۰۱۰۰۰۷.jpg"
