"""The evidence photo of the demo's submissions for verification (演示历史的整改照片).

A company submits a problem for verification with at least one photo of the work done
(``services.problem_submit``; data health: ``problems.submissions_have_photos``). The demo history
is written in bulk (``demo_data.demo_create``), so each of its submissions gets its photo row here:
one small picture drawn once per street (a stairwell after the work: a wall, a door, a lamp), stored
like an upload and shared by every row, as the re-encoded JPEG ``core/images.py`` would keep.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from gongzhi.problems.models import Action, ProblemEvent, ProblemPhoto

WIDTH, HEIGHT = 480, 360


def picture() -> bytes:
    """A plain JPEG of a tidy stairwell landing: the same bytes on every run."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (226, 219, 204))  # the wall
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 270, WIDTH, HEIGHT), fill=(150, 150, 146))  # the floor
    draw.rectangle((0, 262, WIDTH, 270), fill=(120, 120, 116))  # the skirting
    draw.rectangle((300, 90, 420, 270), fill=(118, 78, 52))  # the flat's door
    draw.ellipse((395, 178, 405, 188), fill=(210, 190, 120))  # its handle
    draw.rectangle((150, 20, 210, 34), fill=(250, 248, 230))  # the new LED lamp
    draw.rectangle((60, 150, 130, 230), fill=(200, 40, 40))  # the fire-extinguisher box
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def evidence_photos(*, street, events: Sequence[ProblemEvent]) -> int:
    """One evidence photo for each submission for verification among ``events`` (saved, with ids);
    returns the number of photo rows written. The file's name carries the street's id, so the file of a
    street deleted in the same transaction (``demo_delete`` removes it after commit) is another file."""
    submissions = [event for event in events if event.action == Action.SUBMIT]
    if not submissions:
        return 0
    storage = ProblemPhoto._meta.get_field("image").storage
    name = f"problems/demo/{street.pk}/evidence.jpg"
    if not storage.exists(name):
        name = storage.save(name, ContentFile(picture()))
    ProblemPhoto.objects.bulk_create(
        [
            ProblemPhoto(
                problem_id=event.problem_id,
                event=event,
                kind=ProblemPhoto.Kind.EVIDENCE,
                image=name,
                width=WIDTH,
                height=HEIGHT,
                created_at=event.at,
            )
            for event in submissions
        ],
        batch_size=1000,
    )
    return len(submissions)
