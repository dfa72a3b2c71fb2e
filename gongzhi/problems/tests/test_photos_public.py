"""Public photos (board:photo): evidence of the work is public; report photos — which may show
residents, their homes or their cars — never are, whoever asks."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from gongzhi.portal.tests.helpers import GPS_IFD, jpeg, upload, walk
from gongzhi.problems import services
from gongzhi.problems.models import ProblemPhoto


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(photo):
    return reverse("board:photo", args=[photo.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("to", ["submitted", "closed"])
def test_evidence_photo_is_served_to_anyone_with_short_public_caching(client, world, categories, to):
    problem = walk(world, categories["parking"], to=to)
    evidence = problem.photos.get(kind=ProblemPhoto.Kind.EVIDENCE)
    response = client.get(url(evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache == {"public", "max-age=300"}
    assert not response.cookies  # nothing user-specific in a cacheable answer
    data = body(response)
    with evidence.image.open("rb") as handle:
        assert data == handle.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"


@pytest.mark.parametrize("persona", [None, "owner_a1", "admin"])
def test_report_photo_is_404_even_for_its_reporter_and_the_admin(client, world, categories, persona):
    problem = walk(world, categories["parking"], to="closed")
    report_photo = problem.photos.get(kind=ProblemPhoto.Kind.REPORT)
    if persona:
        client.force_login(world.user(persona))
    assert client.get(url(report_photo)).status_code == 404


def test_evidence_of_a_rejected_problem_is_404(client, world, categories):
    problem = walk(world, categories["parking"], to="rejected")
    # The workflow never attaches evidence to a rejected report; the door refuses it anyway.
    stray = ProblemPhoto(problem=problem, kind=ProblemPhoto.Kind.EVIDENCE, width=64, height=48)
    stray.image.save("stray.jpg", ContentFile(jpeg()), save=True)
    assert client.get(url(stray)).status_code == 404


def test_unknown_photo_is_404(client, world):
    assert client.get(reverse("board:photo", args=[999999])).status_code == 404


def test_missing_file_is_404_not_an_error(client, world, categories):
    problem = walk(world, categories["parking"], to="closed")
    evidence = problem.photos.get(kind=ProblemPhoto.Kind.EVIDENCE)
    evidence.image.storage.delete(evidence.image.name)
    assert client.get(url(evidence)).status_code == 404


def test_photo_refuses_post(client, world, categories):
    problem = walk(world, categories["parking"], to="closed")
    evidence = problem.photos.get(kind=ProblemPhoto.Kind.EVIDENCE)
    assert client.post(url(evidence)).status_code == 405


def test_stored_evidence_carries_no_metadata(client, world, categories):
    """Evidence goes through the same cleaning as reports: what the public gets has no EXIF."""
    problem = walk(world, categories["parking"], to="assigned")
    located = jpeg(gps=True)
    with Image.open(io.BytesIO(located)) as sent:
        assert sent.getexif().get_ifd(GPS_IFD)
    services.problem_submit(
        actor=world.user("staff_x"), problem=problem, note="已完成", photos=[upload("site.jpg", located)]
    )
    evidence = problem.photos.filter(kind=ProblemPhoto.Kind.EVIDENCE).get()
    with Image.open(io.BytesIO(body(client.get(url(evidence))))) as served:
        assert dict(served.getexif()) == {}
