"""Permission-matrix cases for the branchwork app's URLs (see tests/test_permission_matrix.py).
Expected answers are written by hand from the role model:

- Office pages are for the street (admin, leader; other_admin for their own street) and the
  area branches (secretary_a, secretary_b, member_a). Everyone else gets 403 — except company
  staff on the security log, which they write for the estates their company manages.
- The objects are area A's: area B's secretary and the other street's admin get 404 on them.
- Writes: secretary_a schedules, records and signs off meetings and keeps the duty roster;
  member_a patrols (their own patrol) and records receptions; admin and leader read only (403).
- The public pages (/duty/) answer 200 to everyone, logged in or not.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)
READERS = {"admin", "leader", "other_admin", "secretary_a", "secretary_b", "member_a"}
SEE_A = {"admin", "leader", "secretary_a", "member_a"}
NOT_A = {"secretary_b", "other_admin"}


def _pages(allowed: set[str]) -> dict[str, int]:
    """Lists: readers ``allowed`` 200, other readers 403, non-readers 403."""
    return {p: 200 if p in allowed else 403 for p in EVERYONE}


def _object(allowed: set[str], *, code: int = 200, others_in_a: int = 403) -> dict[str, int]:
    """One area-A object: non-readers 403; readers outside area A 404; ``allowed`` ``code``."""
    result = {}
    for p in EVERYONE:
        if p not in READERS:
            result[p] = 403
        elif p in NOT_A:
            result[p] = 404
        else:
            result[p] = code if p in allowed else others_in_a
    return result


def _post_only() -> dict[str, int]:
    return {p: 405 for p in EVERYONE}


def cases(world):
    from gongzhi.branchwork.tests.helpers import build_work

    w = build_work(world)
    home = {p: 403 for p in EVERYONE}
    home.update({"admin": 302, "leader": 302, "other_admin": 302, "staff_x": 302})
    home.update({"secretary_a": 200, "secretary_b": 200, "member_a": 200})
    yield "branchwork:home", reverse("branchwork:home"), "get", home
    yield "branchwork:compliance", reverse("branchwork:compliance"), "get", _pages(READERS)
    url = reverse("branchwork:compliance_export")
    yield "branchwork:compliance_export", url, "get", _pages(READERS)
    yield "branchwork:rules", reverse("branchwork:rules"), "get", _pages({"admin", "other_admin"})
    yield "branchwork:meetings", reverse("branchwork:meetings"), "get", _pages(READERS)
    new = _pages({"secretary_a", "secretary_b"})
    new.update({"admin": 302, "leader": 302, "other_admin": 302})  # the street convenes its bodies
    yield "branchwork:meeting_new", reverse("branchwork:meeting_new"), "get", new
    m = w.meeting.pk
    yield "branchwork:meeting", reverse("branchwork:meeting", args=[m]), "get", _object(SEE_A)
    yield (
        "branchwork:meeting_edit",
        reverse("branchwork:meeting_edit", args=[m]),
        "get",
        _object({"secretary_a"}),
    )
    yield (
        "branchwork:meeting_pdf",
        reverse("branchwork:meeting_pdf", args=[w.hearing.pk]),
        "get",
        _object(SEE_A),
    )
    h = w.hearing.pk
    yield (
        "branchwork:rating_setup",
        reverse("branchwork:rating_setup", args=[h]),
        "get",
        _object({"secretary_a"}),
    )
    yield (
        "branchwork:rating_tokens",
        reverse("branchwork:rating_tokens", args=[h]),
        "get",
        _object({"secretary_a"}),
    )
    url = reverse("branchwork:meeting_act", args=[m, "attendance"])
    yield "branchwork:meeting_act", url, "get", _post_only()
    yield "branchwork:meeting_act", url, "post", _object({"secretary_a"}, code=302)
    url = reverse("branchwork:meeting_act", args=[m, "no-such-step"])
    yield "branchwork:meeting_act", url, "post", _object(set(), others_in_a=404)
    url = reverse("branchwork:resolution_hand_over", args=[w.resolution.pk])
    yield "branchwork:resolution_hand_over", url, "get", _post_only()
    yield "branchwork:resolution_hand_over", url, "post", _object({"secretary_a"}, code=302)
    yield "branchwork:patrols", reverse("branchwork:patrols"), "get", _pages(READERS)
    start = _pages({"secretary_a", "secretary_b", "member_a"})
    yield "branchwork:patrol_start", reverse("branchwork:patrol_start"), "get", start
    p = w.patrol.pk
    # The recorder gets the phone page; other readers in area A are sent to the day's sheet.
    yield (
        "branchwork:patrol",
        reverse("branchwork:patrol", args=[p]),
        "get",
        _object({"member_a"}, others_in_a=302),
    )
    for name in ("patrol_finding", "patrol_end"):
        url = reverse(f"branchwork:{name}", args=[p])
        yield f"branchwork:{name}", url, "get", _post_only()
        yield f"branchwork:{name}", url, "post", _object({"member_a"}, code=302)
    yield "branchwork:security", reverse("branchwork:security"), "get", _pages(READERS | {"staff_x"})
    url = reverse("branchwork:security_comment", args=[w.log.pk])
    yield "branchwork:security_comment", url, "get", _post_only()
    comment = _object({"secretary_a", "member_a"}, code=302)
    comment["staff_x"] = 403  # reads the log of its estate, does not comment for the branch
    yield "branchwork:security_comment", url, "post", comment
    yield "branchwork:duty", reverse("branchwork:duty"), "get", _pages(READERS)
    url = reverse("branchwork:duty_profile", args=[w.profile.member_id])
    yield "branchwork:duty_profile", url, "get", _object({"secretary_a"})
    yield "branchwork:receptions", reverse("branchwork:receptions"), "get", _pages(READERS)
    url = reverse("branchwork:reception_problem", args=[w.reception.pk])
    yield "branchwork:reception_problem", url, "get", _post_only()
    yield "branchwork:reception_problem", url, "post", _object({"secretary_a", "member_a"}, code=302)
    public = {p: 200 for p in EVERYONE}
    yield "duty:board", reverse("duty:board", args=[world.area_a.pk]), "get", public
    yield "duty:photo", reverse("duty:photo", args=[w.profile.pk]), "get", public
    yield "duty:outcome", reverse("duty:outcome", args=[w.hearing.pk]), "get", public
    yield "duty:rate", reverse("duty:rate", args=[w.session.code]), "get", public
    yield "duty:result", reverse("duty:result", args=[w.session.code]), "get", public
    yield from _steering_cases(world)
    # Last: removing the duty shift changes the world for the persona that may do it.
    url = reverse("branchwork:duty_remove", args=[w.shift.pk])
    yield "branchwork:duty_remove", url, "get", _post_only()
    yield "branchwork:duty_remove", url, "post", _object({"secretary_a"}, code=302)


# ---- the street's bodies, tracked actions, the plan (issue 13) ----------------------------------------
#
# A body's rows are read by the street (admin, leader) and by the body's members with an account:
# secretary_a sits on the joint meeting (五方联席) but not on the leadership group, so the
# leadership group's meeting, resolutions and actions answer 404 to secretary_a like to any other
# reader outside. Convening and keeping a body meeting: admin and leader; keeping members: admin.
# The plan: read by the street and the area secretaries (of this street), edited by the admin.

STREET = {"admin", "leader"}
PLAN_READERS = {"admin", "leader", "other_admin", "secretary_a", "secretary_b"}


def _street_object(allowed: set[str], *, code: int = 200, seers: set[str] = STREET) -> dict[str, int]:
    """One object of a street body: non-readers 403; readers who do not see it 404; seers not
    ``allowed`` 403; ``allowed`` ``code``."""
    result = {}
    for p in EVERYONE:
        if p not in READERS:
            result[p] = 403
        elif p not in seers:
            result[p] = 404
        else:
            result[p] = code if p in allowed else 403
    return result


def _plan_object(allowed: set[str], *, code: int = 200) -> dict[str, int]:
    result = {}
    for p in EVERYONE:
        if p not in PLAN_READERS:
            result[p] = 403
        elif p == "other_admin":
            result[p] = 404
        else:
            result[p] = code if p in allowed else 403
    return result


def _steering_cases(world):
    from gongzhi.branchwork.tests.helpers import build_steering

    s = build_steering(world)
    yield "branchwork:bodies", reverse("branchwork:bodies"), "get", _pages(READERS)
    create = _pages({"admin", "other_admin"})  # an empty form comes back with its errors
    yield "branchwork:bodies", reverse("branchwork:bodies"), "post", create
    lead = s.leadership.pk
    yield "branchwork:body", reverse("branchwork:body", args=[lead]), "get", _street_object(STREET)
    joint = _street_object(STREET | {"secretary_a"}, seers=STREET | {"secretary_a"})
    yield "branchwork:body", reverse("branchwork:body", args=[s.joint.pk]), "get", joint
    url = reverse("branchwork:body_member_add", args=[lead])
    yield "branchwork:body_member_add", url, "get", _post_only()
    yield "branchwork:body_member_add", url, "post", _street_object({"admin"}, code=302)
    url = reverse("branchwork:body_meeting_new", args=[lead])
    yield "branchwork:body_meeting_new", url, "get", _street_object(STREET)
    url = reverse("branchwork:body_meeting_new", args=[s.joint.pk])
    yield "branchwork:body_meeting_new", url, "get", _street_object(STREET, seers=STREET | {"secretary_a"})
    m = s.lead_meeting.pk
    yield "branchwork:meeting", reverse("branchwork:meeting", args=[m]), "get", _street_object(STREET)
    seers = STREET | {"secretary_a"}
    url = reverse("branchwork:meeting", args=[s.joint_meeting.pk])
    yield "branchwork:meeting", url, "get", _street_object(seers, seers=seers)
    url = reverse("branchwork:meeting_pdf", args=[m])
    yield "branchwork:meeting_pdf", url, "get", _street_object(STREET)
    url = reverse("branchwork:meeting_act", args=[m, "minutes"])
    yield "branchwork:meeting_act", url, "post", _street_object(STREET, code=302)
    url = reverse("branchwork:meeting_act", args=[s.joint_meeting.pk, "minutes"])
    yield "branchwork:meeting_act", url, "post", _street_object(STREET, code=302, seers=seers)
    url = reverse("branchwork:meeting_edit", args=[m])
    yield "branchwork:meeting_edit", url, "get", _street_object(STREET)
    # A body's resolution is tracked, never handed to the problem tracker (404 to those who see it).
    url = reverse("branchwork:resolution_hand_over", args=[s.resolution.pk])
    yield (
        "branchwork:resolution_hand_over",
        url,
        "post",
        _street_object(set(), code=404) | {"admin": 404, "leader": 404},
    )
    url = reverse("branchwork:resolution_track", args=[s.resolution.pk])
    yield "branchwork:resolution_track", url, "get", _post_only()
    yield "branchwork:resolution_track", url, "post", _street_object(STREET, code=302)
    yield "branchwork:actions", reverse("branchwork:actions"), "get", _pages(READERS)
    url = reverse("branchwork:action_evidence", args=[s.done_action.pk])
    yield "branchwork:action_evidence", url, "get", _street_object(STREET)
    url = reverse("branchwork:action_close", args=[s.action.pk])
    yield "branchwork:action_close", url, "get", _post_only()
    yield "branchwork:action_close", url, "post", _street_object(STREET, code=302)
    # The plan
    yield "branchwork_plan:plan", reverse("branchwork_plan:plan"), "get", _pages(PLAN_READERS)
    url = reverse("branchwork_plan:create")
    yield "branchwork_plan:create", url, "get", _post_only()
    yield "branchwork_plan:create", url, "post", _pages(set()) | {"admin": 302, "other_admin": 302}
    url = reverse("branchwork_plan:milestone_add")
    yield "branchwork_plan:milestone_add", url, "get", _post_only()
    yield "branchwork_plan:milestone_add", url, "post", _pages(set()) | {"admin": 302, "other_admin": 302}
    url = reverse("branchwork_plan:milestone_evidence", args=[s.manual.pk])
    yield "branchwork_plan:milestone_evidence", url, "get", _plan_object(PLAN_READERS)
    url = reverse("branchwork_plan:milestone_tick", args=[s.open_manual.pk])
    yield "branchwork_plan:milestone_tick", url, "get", _post_only()
    yield "branchwork_plan:milestone_tick", url, "post", _plan_object({"admin"}, code=302)
    # Edit pages (an empty POST comes back with its errors: 200; nothing is written)
    for method in ("get", "post"):
        url = reverse("branchwork:body_edit", args=[lead])
        yield "branchwork:body_edit", url, method, _street_object({"admin"})
        url = reverse("branchwork_plan:milestone_edit", args=[s.open_manual.pk])
        yield "branchwork_plan:milestone_edit", url, method, _plan_object({"admin"})
        url = reverse("branchwork_plan:pilot_new")
        yield "branchwork_plan:pilot_new", url, method, _pages({"admin", "other_admin"})
        url = reverse("branchwork_plan:pilot_edit", args=[s.pilot.pk])
        yield "branchwork_plan:pilot_edit", url, method, _plan_object({"admin"})
    # 党建联建 (the plan's readers read, the admin writes; an empty POST comes back with its errors: 200)
    from gongzhi.branchwork import partnerships as ps

    admin = world.user("admin")
    group = ps.company_group_create(
        actor=admin, street=world.street, name="国资物业集团", ownership="state", companies=[world.company_x]
    )
    partnership = ps.partnership_create(
        actor=admin,
        street=world.street,
        group=group,
        title="党建联建协议",
        signed_on=timezone.localdate() - dt.timedelta(days=30),
        parties="街道党工委、国资物业集团党委",
        items=[("quality", "统一四保标准", None)],
    )
    url = reverse("branchwork_plan:partnerships")
    yield "branchwork_plan:partnerships", url, "get", _pages(PLAN_READERS)
    yield "branchwork_plan:partnerships", url, "post", _pages({"admin", "other_admin"})
    url = reverse("branchwork_plan:partnership", args=[partnership.pk])
    yield "branchwork_plan:partnership", url, "get", _plan_object(PLAN_READERS)
    yield "branchwork_plan:partnership", url, "post", _post_only()
    for action in ("item", "pilot"):
        url = reverse("branchwork_plan:partnership_act", args=[partnership.pk, action])
        yield "branchwork_plan:partnership_act", url, "get", _post_only()
        yield "branchwork_plan:partnership_act", url, "post", _plan_object({"admin"})
    url = reverse("branchwork_plan:programme_item", args=[partnership.items.first().pk])
    yield "branchwork_plan:programme_item", url, "get", _post_only()
    yield "branchwork_plan:programme_item", url, "post", _plan_object({"admin"})
    # Last: removing a member changes the world for the persona that may do it.
    url = reverse("branchwork:body_member_remove", args=[s.member.pk])
    yield "branchwork:body_member_remove", url, "get", _post_only()
    yield "branchwork:body_member_remove", url, "post", _street_object({"admin"}, code=302)
