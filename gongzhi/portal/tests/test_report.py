"""Reporting a problem from the phone (portal:report), through HTTP: what is saved, what is
refused with a Chinese message (and then nothing is saved), and what happens to photos."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from gongzhi.core.images import MAX_BYTES
from gongzhi.core.models import Role, RoleGrant
from gongzhi.portal.tests.helpers import GPS_IFD, jpeg, png, upload
from gongzhi.problems import services
from gongzhi.problems.models import Category, Problem, ProblemPhoto

URL = reverse("portal:report")


def form_data(world, categories, **overrides):
    data = {
        "estate": world.estate_a1.pk,
        "category": categories["parking"].pk,
        "description": "楼下消防通道被私家车长期占用",
        "building": world.building_a1.pk,
        "location": "1号楼东侧",
    }
    data.update(overrides)
    return data


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_saved(settings):
    assert Problem.objects.count() == 0
    assert ProblemPhoto.objects.count() == 0
    assert stored_files(settings) == []


def test_form_offers_the_street_categories_as_tiles_and_a_camera_input(as_user, world, categories):
    response = as_user("owner_a1").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for category in categories.values():
        assert f'value="{category.pk}"' in html and category.name in html
    assert 'type="radio" name="category"' in html
    assert 'accept="image/*" multiple capture="environment"' in html
    assert f'<input type="hidden" name="estate" value="{world.estate_a1.pk}">' in html
    assert "您的姓名只有居民区联合党支部能看到，不会公开" in html
    assert f'<option value="{world.building_a1.pk}">1号</option>' in html


def test_categories_are_created_for_a_street_that_has_none(as_user, world):
    assert not Category.objects.filter(street=world.street).exists()
    response = as_user("owner_a1").get(URL)
    assert response.status_code == 200
    assert "电动车违规充电" in response.content.decode()
    assert Category.objects.filter(street=world.street).count() == len(services.DEFAULT_CATEGORIES)


def test_valid_report_is_saved_for_the_residents_estate_and_shows_its_number(as_user, world, categories):
    client = as_user("owner_a1")
    response = client.post(URL, form_data(world, categories, photos=[upload("a.jpg")]))
    problem = Problem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:problem", args=[problem.pk])
    assert problem.reporter == world.user("owner_a1")
    assert (problem.estate, problem.category, problem.source) == (
        world.estate_a1,
        categories["parking"],
        "resident",
    )
    assert (problem.building, problem.location) == (world.building_a1, "1号楼东侧")
    assert problem.photos.filter(kind="report").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert problem.number.startswith("WT-") and problem.number in page
    assert "报事成功" in page
    assert reverse("portal:problems") in page  # the way back to follow it


def test_building_and_location_are_optional(as_user, world, categories):
    response = as_user("owner_a1").post(URL, form_data(world, categories, building="", location=""))
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert problem.building is None and problem.location == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("category", "", "请选择问题类别。"),
        ("category", "999999", "请选择列表中的问题类别。"),
        ("description", "太脏", "请用至少 4 个字描述问题。"),
        ("description", "脏" * 1001, "问题描述不能超过 1000 字。"),
        ("location", "东" * 101, "位置说明不能超过 100 字。"),
    ],
)
def test_bad_fields_are_refused_in_chinese(as_user, world, categories, settings, field, value, message):
    response = as_user("owner_a1").post(URL, form_data(world, categories, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert_nothing_saved(settings)


def test_an_empty_post_is_refused_field_by_field(as_user, world, settings):
    html = as_user("owner_a1").post(URL, {}).content.decode()
    assert "请选择问题类别。" in html and "请用至少 4 个字描述问题。" in html
    assert_nothing_saved(settings)


def test_category_of_another_street_is_refused(as_user, world, categories, settings):
    foreign = services.category_defaults_ensure(street=world.other_street)[0]
    response = as_user("owner_a1").post(URL, form_data(world, categories, category=foreign.pk))
    assert "请选择列表中的问题类别。" in response.content.decode()
    assert_nothing_saved(settings)


def test_building_of_another_estate_is_refused(as_user, world, categories, settings):
    response = as_user("owner_a1").post(URL, form_data(world, categories, building=world.building_b1.pk))
    assert "所选楼栋不在该小区。" in response.content.decode()
    assert_nothing_saved(settings)


@pytest.mark.parametrize("estate", ["estate_b1", "other_estate"])
def test_reporting_for_another_estate_is_refused(as_user, world, categories, settings, estate):
    response = as_user("owner_a1").post(URL, form_data(world, categories, estate=getattr(world, estate).pk))
    assert response.status_code == 200
    assert "只能为您自己房屋所在的小区报事。" in response.content.decode()
    assert_nothing_saved(settings)


@pytest.mark.parametrize("persona", ["secretary_a", "staff_x", "admin", "outsider"])
def test_people_without_a_home_may_not_report(as_user, world, categories, persona):
    client = as_user(persona)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(world, categories)).status_code == 403
    assert Problem.objects.count() == 0


def test_a_resident_with_homes_in_two_estates_chooses_first(as_user, world, categories, settings):
    unit_a2 = world.estate_a2.buildings.first().units.first()
    RoleGrant.objects.create(user=world.user("owner_a1"), role=Role.OWNER, unit=unit_a2)
    client = as_user("owner_a1")
    chooser = client.get(URL).content.decode()
    assert f"?estate={world.estate_a1.pk}" in chooser and f"?estate={world.estate_a2.pk}" in chooser
    assert 'name="description"' not in chooser
    form = client.get(URL, {"estate": world.estate_a2.pk}).content.decode()
    assert f'name="estate" value="{world.estate_a2.pk}"' in form
    refused = client.get(URL, {"estate": world.estate_b1.pk}).content.decode()
    assert "只能为您自己房屋所在的小区报事。" in refused
    response = client.post(URL, form_data(world, categories, estate=world.estate_a2.pk, building=""))
    assert response.status_code == 302
    assert Problem.objects.get().estate == world.estate_a2


# ---- photos ---------------------------------------------------------------------------------------


def test_more_than_six_photos_are_refused(as_user, world, categories, settings):
    photos = [upload(f"p{i}.jpg") for i in range(7)]
    response = as_user("owner_a1").post(URL, form_data(world, categories, photos=photos))
    html = response.content.decode()
    assert "最多上传 6 张照片。" in html
    assert "照片需要重新选择" in html  # the browser cannot keep the chosen files
    assert_nothing_saved(settings)


def test_six_photos_are_accepted(as_user, world, categories):
    photos = [upload(f"p{i}.jpg") for i in range(6)]
    as_user("owner_a1").post(URL, form_data(world, categories, photos=photos))
    assert Problem.objects.get().photos.count() == 6


def test_a_file_named_jpg_that_is_not_an_image_is_refused(as_user, world, categories, settings):
    fake = upload("holiday.jpg", b"MZ\x90\x00 this is a program, not a photo" * 20)
    response = as_user("owner_a1").post(URL, form_data(world, categories, photos=[fake]))
    assert response.status_code == 200
    assert "“holiday.jpg”不是有效的图片文件" in response.content.decode()
    assert_nothing_saved(settings)


def test_one_bad_photo_among_good_ones_saves_nothing(as_user, world, categories, settings):
    photos = [upload("good.jpg"), upload("bad.jpg", b"not an image at all")]
    as_user("owner_a1").post(URL, form_data(world, categories, photos=photos))
    assert_nothing_saved(settings)


def test_gps_location_is_stripped_and_the_photo_re_encoded(as_user, world, categories):
    original = jpeg(size=(120, 90), gps=True)
    with Image.open(io.BytesIO(original)) as sent:  # the upload really carries a location
        assert sent.getexif().get_ifd(GPS_IFD)
    as_user("owner_a1").post(URL, form_data(world, categories, photos=[upload("home.jpg", original)]))
    photo = ProblemPhoto.objects.get()
    with photo.image.open("rb") as handle:
        stored_bytes = handle.read()
    assert stored_bytes != original
    with Image.open(io.BytesIO(stored_bytes)) as stored:
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert "exif" not in stored.info
        assert stored.size == (photo.width, photo.height) == (120, 90)
    assert photo.image.name.endswith(".jpg")


def test_a_png_is_accepted_and_stored_as_jpeg(as_user, world, categories):
    as_user("owner_a1").post(
        URL, form_data(world, categories, photos=[upload("shot.png", png(), "image/png")])
    )
    photo = ProblemPhoto.objects.get()
    with photo.image.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG"


def test_a_file_over_the_size_limit_is_refused(as_user, world, categories, settings):
    huge = upload("huge.jpg", jpeg() + b"\0" * MAX_BYTES)
    response = as_user("owner_a1").post(URL, form_data(world, categories, photos=[huge]))
    assert "“huge.jpg”超过 10 MB" in response.content.decode()
    assert_nothing_saved(settings)


def test_an_image_with_too_many_pixels_is_refused(as_user, world, categories, settings):
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 megapixels, a few kB on disk
    bomb = upload("bomb.png", out.getvalue(), "image/png")
    response = as_user("owner_a1").post(URL, form_data(world, categories, photos=[bomb]))
    assert "“bomb.png”分辨率过大" in response.content.decode()
    assert_nothing_saved(settings)


# ---- limits and escaping --------------------------------------------------------------------------


def test_reporting_is_rate_limited_with_a_chinese_message(as_user, world, categories):
    for _ in range(services.rules.REPORTS_PER_HOUR):
        services.problem_report(
            actor=world.user("owner_a1"),
            estate=world.estate_a1,
            category=categories["cleaning"],
            description="楼道垃圾未清运",
        )
    response = as_user("owner_a1").post(URL, form_data(world, categories))
    assert response.status_code == 200
    assert "您在一小时内已报告 5 个问题，请稍后再报。" in response.content.decode()
    assert Problem.objects.count() == services.rules.REPORTS_PER_HOUR


def test_html_in_a_report_is_shown_as_text(as_user, world, categories):
    client = as_user("owner_a1")
    client.post(
        URL, form_data(world, categories, description="<script>alert(1)</script>", location="<b>x</b>")
    )
    page = client.get(reverse("portal:problem", args=[Problem.objects.get().pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>x</b>" not in page


def test_get_with_anonymous_user_goes_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
