"""The sandbox's data calls (A.2) through the client: success, documented failures, state."""

from __future__ import annotations

import pytest

from pipeline.sandbox.rehearsal import Review, apply_review

from .conftest import JPEG, declaration, national_code, resident

pytestmark = pytest.mark.anyio


async def test_resident_posted_twice_is_updated_not_duplicated(client, sandbox):
    assert (await client.add_or_update_resident(resident())).ok
    changed = resident(FirstName="سارا", DurationId=3)
    assert (await client.add_or_update_resident(changed)).ok
    assert sandbox.store.resident("98123001")["FirstName"] == "سارا"
    assert sandbox.store.write_counts()["residents"] == {"98123001": 2}


async def test_unique_triple_held_by_another_student_number(client):
    assert (await client.add_or_update_resident(resident("98123001"))).ok
    clash = resident("98123002", NationalCode=resident("98123001")["NationalCode"])
    result = await client.add_or_update_resident(clash)
    assert (result.ok, result.status) == (False, 400)
    assert result.problem.title == "خطا در درج اطلاعات"
    assert "دستیار دیگری با همین کد ملی" in result.problem.text
    assert result.trace_id.startswith("00-")
    # Another course for the same person is a different residency: allowed.
    other_course = dict(clash, CourseStudyCode="1713")
    assert (await client.add_or_update_resident(other_course)).ok


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"ResidencyStartYear": "1401"}, "$.ResidencyStartYear"),
        ({"IsIrani": "true"}, "$.IsIrani"),
        ({"GenderId": 1.5}, "$.GenderId"),
        ({"BirthDate": "13/01/1994"}, "$.BirthDate"),
        ({"NationalCode": 1234567890}, "$.NationalCode"),
        ({"StudentNumber": ""}, "StudentNumber"),
    ],
)
async def test_wrong_json_types_are_validation_problems(client, override, field):
    result = await client.add_or_update_resident(resident(**override))
    assert (result.ok, result.status) == (False, 400)
    assert field in result.problem.field_errors
    assert result.problem.trace_id


async def test_missing_required_string_field(client):
    body = resident()
    del body["LastName"]
    result = await client.add_or_update_resident(body)
    assert result.problem.field_errors == {"LastName": ["The LastName field is required."]}


async def test_field_names_match_case_insensitively(client, sandbox):
    body = {k[0].lower() + k[1:]: v for k, v in resident().items()}
    assert (await client.add_or_update_resident(body)).ok
    assert sandbox.store.resident("98123001") is not None


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"NationalCode": "1234567890"}, "کد ملی نامعتبر است"),
        ({"CourseStudyCode": "9999"}, "کد رشته تحصیلی نامعتبر است"),
        ({"DurationId": 6}, "سال دستیاری باید یکی از ۱ تا ۵ باشد"),
        ({"GenderId": 3}, "جنسیت نامعتبر است"),
        ({"ResidencyStartYear": 2022}, "سال شروع دستیاری نامعتبر است"),
        (
            {"EndResidencyDate": "2020-01-01T00:00:00"},
            "تاریخ پایان دوره نباید پیش از تاریخ شروع باشد",
        ),
    ],
)
async def test_resident_business_rules(client, override, message):
    result = await client.add_or_update_resident(resident(**override))
    assert result.status == 400
    assert result.problem.messages == [message]


async def test_non_iranian_keeps_passport_number(client):
    body = resident(IsIrani=False, NationalCode="P12345678")
    assert (await client.add_or_update_resident(body)).ok


async def test_declaration_for_unknown_student(client):
    result = await client.add_or_update_declaration(declaration("00000000"))
    assert result.status == 400
    assert result.problem.messages == ["این دستیار پیدا نشد"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"BaliniScore": 60.5}, "نمره صلاحیت بالینی باید عددی بین ۰ و ۶۰ باشد"),
        ({"OperationScore": -1}, "نمره عملکرد بالینی باید عددی بین ۰ و ۶۰ باشد"),
        ({"EthicsScore": 31}, "نمره اخلاق حرفه‌ای باید عددی بین ۰ و ۳۰ باشد"),
        ({"DeclareCode": 7}, "کد معرفی نامعتبر است"),
        ({"DeclarationTypeId": 3}, "وضعیت معرفی نامعتبر است"),
        ({"DeclarationTypeId": 2}, "برای عدم معرفی، دلیل عدم معرفی الزامی است"),
        ({"RejectReasonTypeId": 4}, "برای دستیار معرفی‌شده، دلیل عدم معرفی نباید پر شود"),
        ({"DeclarationTypeId": 2, "RejectReasonTypeId": 9}, "دلیل عدم معرفی نامعتبر است"),
        ({"DeclareCode": 10}, "برای گواهینامه، تاریخ پایان دوره الزامی است"),
        ({"YearId": 402}, "سال ارتقا نامعتبر است"),
    ],
)
async def test_declaration_business_rules(client, override, message):
    assert (await client.add_or_update_resident(resident())).ok
    result = await client.add_or_update_declaration(declaration(**override))
    assert result.status == 400
    assert result.problem.messages == [message]


async def test_declaration_upsert_and_query_with_filters(client, sandbox):
    for sn, course in (("98123001", "1710"), ("98123002", "1713")):
        body = resident(sn, CourseStudyCode=course, NationalCode=national_code("55" + sn[-3:]))
        assert (await client.add_or_update_resident(body)).ok
        assert (await client.add_or_update_declaration(declaration(sn))).ok
    assert (await client.add_or_update_declaration(declaration("98123001", BaliniScore=55))).ok
    everyone = await client.get_declare_residents(1402)
    assert [d["studentNumber"] for d in everyone] == ["98123001", "98123002"]
    assert everyone[0]["baliniScore"] == 55
    assert everyone[0]["reviewStatusId"] is None
    assert [d["studentNumber"] for d in await client.get_declare_residents(1402, "1713")] == [
        "98123002"
    ]
    by_code = await client.get_declare_residents(1402, national_code=national_code("55001"))
    assert [d["studentNumber"] for d in by_code] == ["98123001"]
    assert await client.get_declare_residents(1403) == []
    assert sandbox.store.write_counts()["declarations"] == {"98123001/1402": 2, "98123002/1402": 1}


async def test_review_then_results(client, sandbox):
    assert (await client.add_or_update_resident(resident())).ok
    assert (await client.add_or_update_declaration(declaration())).ok
    assert await client.get_final_results(1402) == []
    review = Review(student_number="98123001", status_id=2, description="مدارک ناقص است")
    apply_review(sandbox.store, 1402, review)
    [row] = await client.get_declare_residents(1402)
    assert (row["reviewStatusId"], row["reviewStatusTitle"]) == (2, "رد")
    assert row["reviewDescription"] == "مدارک ناقص است"
    apply_review(sandbox.store, 1402, Review(status_id=1, final_result_id=2))
    [final] = await client.get_final_results(1402, student_number="98123001")
    assert (final["finalResultId"], final["finalResultTitle"]) == (2, "ارتقا مشروط")


async def test_random_review_is_seeded(client, sandbox):
    for i in range(20):
        sn = f"9800{i:04d}"
        body = resident(sn, NationalCode=national_code(f"77{i:04d}"))
        assert (await client.add_or_update_resident(body)).ok
        assert (await client.add_or_update_declaration(declaration(sn))).ok
    first = apply_review(sandbox.store, 1402, Review(seed=7))
    rows_first = [
        (r["reviewStatusId"], r["reviewDescription"])
        for r in await client.get_declare_residents(1402)
    ]
    again = apply_review(sandbox.store, 1402, Review(seed=7))
    rows_again = [
        (r["reviewStatusId"], r["reviewDescription"])
        for r in await client.get_declare_residents(1402)
    ]
    assert first.changed == 20 and first.statuses == again.statuses
    assert rows_first == rows_again
    assert len(first.statuses) > 1


async def test_query_needs_year(client, sandbox):
    from pipeline.core.errors import UnexpectedResponse

    with pytest.raises(UnexpectedResponse) as info:
        await client._get("api2/ResidentUpgrades/GetFinalResults", {})
    assert info.value.status == 400
    assert "yearId" in str(info.value)


async def test_image_upload(client, sandbox):
    assert (await client.add_or_update_resident(resident())).ok
    assert (await client.upload_image("98123001", JPEG)).ok
    assert (await client.upload_image("98123001", JPEG + b"v2")).ok
    assert sandbox.store.write_counts()["images"] == {"98123001": 2}
    png = await client.upload_image("98123001", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    assert png.problem.messages == ["تصویر باید با قالب JPG باشد"]
    unknown = await client.upload_image("00000000", JPEG)
    assert unknown.problem.messages == ["این دستیار پیدا نشد"]
    big = await client.upload_image("98123001", JPEG + b"\x00" * (3 * 1024 * 1024))
    assert big.problem.messages == ["حجم تصویر بیش از حد مجاز است"]


async def test_state_survives_a_restart(make_sandbox, make_client, tmp_path):
    db = tmp_path / "persist.db"
    first = make_sandbox(db_path=db)
    client = make_client(first)
    assert (await client.add_or_update_resident(resident())).ok
    assert (await client.add_or_update_declaration(declaration())).ok
    first.store.close()
    second = make_sandbox(db_path=db)
    # The token issued by the first instance is still honoured after the restart.
    client._http._transport = __import__("httpx").ASGITransport(app=second)
    [row] = await client.get_declare_residents(1402)
    assert row["studentNumber"] == "98123001"
    assert client.renewals["authenticate"] == 1
