"""The demo street's branch work: a live picture, the same for the same seed and day, and gone
with the street."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.branchwork import demo_data
from gongzhi.branchwork import models as m
from gongzhi.demo.generator import demo_street_delete, demo_street_ensure

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 26)  # a Thursday


def test_demo_picture_is_deterministic_and_deleted_with_the_street():
    first = demo_street_ensure(scale=0.2, today=DAY)
    street = first.street
    kinds = set(m.Meeting.objects.filter(street=street).values_list("kind", flat=True))
    assert kinds == set(m.MeetingKind.values)  # every kind of meeting is on show, the bodies' too
    # The street's four bodies meet; their resolutions are tracked: some done, some open, one overdue.
    assert set(m.Body.objects.filter(street=street).values_list("kind", flat=True)) == set(m.BodyKind.values)
    actions = m.TrackedAction.objects.filter(resolution__meeting__street=street)
    assert actions.filter(status="done").exists() and actions.filter(status="open", due_on__gte=DAY).exists()
    assert actions.filter(status="open", due_on__lt=DAY).count() == 1
    assert m.Pilot.objects.filter(street=street, branch__isnull=False).count() == 10
    assert m.Pilot.objects.filter(street=street, company__isnull=False).count() == 1
    assert [s.title for s in m.PlanStage.objects.filter(plan__street=street)] == [
        "建章立制·试点推进",
        "整体启动·组织优化",
        "党建引领·良性态势",
    ]
    assert m.ResolutionAction.objects.filter(resolution__meeting__branch__area__street=street).exists()
    assert m.Patrol.objects.filter(branch__area__street=street, day__lt=DAY).exists()
    assert not m.Patrol.objects.filter(day__gte=DAY).exists()  # the picture ends when today begins
    areas = street.areas.count()
    assert (
        m.DutyShift.objects.filter(area__street=street, day=DAY).count() == areas
    )  # today on duty everywhere
    session = m.RatingSession.objects.get(meeting__branch__area__street=street)
    assert session.items.count() == 20 and session.ballots.count() == 48
    assert session.meeting.published_at is not None
    fingerprint = demo_data.demo_fingerprint(street)
    second = demo_street_ensure(scale=0.2, today=DAY, reset=True)
    assert demo_data.demo_fingerprint(second.street) == fingerprint
    demo_street_delete(street=second.street)
    assert (
        not m.Meeting.objects.exists()
        and not m.Body.objects.exists()
        and not m.WorkPlan.objects.exists()
        and not m.Pilot.objects.exists()
        and not m.Patrol.objects.exists()
        and not m.RatingScore.objects.exists()
    )
