"""Permission-matrix cases for the voting pages (voting:*, decide:*) and the owner activation pages
(portal:activate*, portal:letters*), used by tests/test_permission_matrix.py. Expected answers are
written by hand from the role model (docs/DESIGN.md §3, §4.5) and the persona world:

- Office voting pages are read by the street (admin, leader, other_admin for its own street), the
  area branches (secretary_a, secretary_b, member_a) and owners' committees (oc_a1). The company, the
  evaluator, owners and the role-less get 403 (an owners' vote is none of their office business).
- Estate A1's decisions: admin, leader, secretary_a, member_a, oc_a1 read them; secretary_b and
  other_admin get 404. A1 has a sitting committee, so only oc_a1 manages them (others 403).
- The roll (after close) is for managers and those who see A1's personal data: admin, secretary_a,
  member_a, oc_a1 (the leadership group reads everything else but not personal data: 403).
- Owner pages: only owner_a1 has a home in A1; others get 404 for a decision (even office users).
- Public pages (decide:*) answer everyone (the result and its ballot file once published).
- Activation: the phone pages need no login; letters are printed by the estate's owners' committee, the
  area secretary of its area, or the street admin (of any estate of their street) — portal/permissions.py.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.testing import PERSONAS

EVERYONE = set(PERSONAS)
READERS = {"admin", "leader", "secretary_a", "secretary_b", "member_a", "oc_a1", "other_admin"}
SEES_A1 = {"admin", "leader", "secretary_a", "member_a", "oc_a1"}
MANAGERS_A1 = {"oc_a1"}
ROLL_A1 = {"admin", "secretary_a", "member_a", "oc_a1"}


def _a1(allowed: set[str]) -> dict[str, int]:
    """A page about a decision of estate A1: not a reader → 403; a reader outside A1 → 404; readers of
    A1 not in ``allowed`` → 403; ``allowed`` → 200."""
    result = {}
    for p in EVERYONE:
        if p not in READERS:
            result[p] = 403
        elif p not in SEES_A1:
            result[p] = 404
        else:
            result[p] = 200 if p in allowed else 403
    return result


def _all(status: int) -> dict[str, int]:
    return {p: status for p in EVERYONE}


def world_decisions(world) -> dict:
    """A draft, an open decision (with a PDF attachment) with owner_a1's ballot, and a decision whose
    preliminary result is published — all of estate A1."""
    from gongzhi.voting import services
    from gongzhi.voting.tests.helpers import draft

    oc = world.user("oc_a1")
    pending = draft(world)
    open_now = draft(world)
    services.decision_attachment_add(
        actor=oc,
        decision=open_now,
        upload=SimpleUploadedFile("报价.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf"),
        name="报价单.pdf",
    )
    attachment = open_now.attachments.get()
    open_now = services.decision_publish(actor=oc, decision=open_now, now=open_now.opens_at)
    services.ballot_cast(actor=world.user("owner_a1"), decision=open_now, choice="yes")
    start = timezone.now() - dt.timedelta(days=20)
    done = draft(world, opens_at=start, closes_at=start + dt.timedelta(days=7))
    services.decision_publish(actor=oc, decision=done, now=start)
    services.ballot_cast(
        actor=world.user("owner_a1"), decision=done, choice="no", now=start + dt.timedelta(days=1)
    )
    proxy = services.ballot_enter_proxy(
        actor=oc,
        decision=done,
        voter=done.electorate_owners.get(key="A1-2"),
        choice="yes",
        proxy_name="赵受托",
        authorisation=SimpleUploadedFile(
            "委托书.pdf", b"%PDF-1.4\n%signed\n", content_type="application/pdf"
        ),
        now=start + dt.timedelta(days=2),
    )
    services.decision_close(actor=oc, decision=done, now=start + dt.timedelta(days=8))
    services.result_publish_preliminary(actor=oc, decision=done, now=start + dt.timedelta(days=8))
    return {"draft": pending, "open": open_now, "done": done, "attachment": attachment, "proxy": proxy}


def cases(world):
    d = world_decisions(world)
    draft_pk, open_pk, done_pk = d["draft"].pk, d["open"].pk, d["done"].pk
    a1 = world.estate_a1.pk

    yield (
        "voting:index",
        reverse("voting:index"),
        "get",
        {p: (200 if p in READERS else 403) for p in EVERYONE},
    )
    yield "voting:create", reverse("voting:create", args=[a1]), "get", _a1(MANAGERS_A1)
    for pk in (draft_pk, open_pk, done_pk):
        yield "voting:detail", reverse("voting:detail", args=[pk]), "get", _a1(SEES_A1)
    yield "voting:edit", reverse("voting:edit", args=[draft_pk]), "get", _a1(MANAGERS_A1)
    yield "voting:publish", reverse("voting:publish", args=[draft_pk]), "get", _a1(MANAGERS_A1)
    yield "voting:ballots", reverse("voting:ballots", args=[open_pk]), "get", _a1(MANAGERS_A1)
    yield "voting:canvass", reverse("voting:canvass", args=[open_pk]), "get", _a1(SEES_A1)
    yield "voting:roll", reverse("voting:roll", args=[done_pk]), "get", _a1(ROLL_A1)
    yield (
        "voting:authorisation",
        reverse("voting:authorisation", args=[d["proxy"].pk]),
        "get",
        _a1(MANAGERS_A1),
    )
    for name, pk in (
        ("voting:delete", draft_pk),
        ("voting:attachment_add", draft_pk),
        ("voting:paper", open_pk),
        ("voting:proxy", open_pk),
        ("voting:close", open_pk),
        ("voting:preliminary", done_pk),
        ("voting:finalise", done_pk),
    ):
        yield name, reverse(name, args=[pk]), "get", _all(405)
    yield (
        "voting:attachment_remove",
        reverse("voting:attachment_remove", args=[d["attachment"].pk]),
        "get",
        _all(405),
    )
    # A POST that is refused by the workflow (the window is still open) still passes the door first.
    yield (
        "voting:close",
        reverse("voting:close", args=[open_pk]),
        "post",
        {p: (302 if s == 200 else s) for p, s in _a1(MANAGERS_A1).items()},
    )

    # The owner's pages.
    yield "voting:mine", reverse("voting:mine"), "get", _all(200)
    for pk in (open_pk, done_pk):
        url = reverse("voting:owner_decision", args=[pk])
        yield "voting:owner_decision", url, "get", {p: (200 if p == "owner_a1" else 404) for p in EVERYONE}
    yield "voting:owner_decision", reverse("voting:owner_decision", args=[draft_pk]), "get", _all(404)
    yield "voting:cast", reverse("voting:cast", args=[open_pk]), "get", _all(405)

    # Public pages: the same for every persona; drafts do not exist; the ballot file after the result.
    yield "decide:estate", reverse("decide:estate", args=[a1]), "get", _all(200)
    yield "decide:decision", reverse("decide:decision", args=[open_pk]), "get", _all(200)
    yield "decide:receipt", reverse("decide:receipt", args=[done_pk]) + "?code=ABCD-EFGH", "get", _all(200)
    yield "decide:ballot_file", reverse("decide:ballot_file", args=[done_pk]), "get", _all(200)
    # (Drafts, a draft's attachments and the ballot file of an open vote answer 404 on the public side:
    # see test_pages_owner.py — the anonymous sweep of tests/test_permission_matrix.py expects no 404 here.)
    yield "decide:attachment", reverse("decide:attachment", args=[d["attachment"].pk]), "get", _all(200)

    # Owner account activation (gongzhi.portal).
    yield "portal:activate", reverse("portal:activate"), "get", _all(200)
    yield "portal:activate_account", reverse("portal:activate_account"), "get", _all(302)  # no code yet
    issuers = {"admin", "oc_a1", "other_admin", "secretary_a", "secretary_b"}
    yield (
        "portal:letters",
        reverse("portal:letters"),
        "get",
        {p: (200 if p in issuers else 403) for p in EVERYONE},
    )
    # Estate A1: those who see it but may not issue get 403, those who do not see it 404.
    sees_a1 = {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x", "owner_a1"}
    yield (
        "portal:letters_estate",
        reverse("portal:letters_estate", args=[a1]),
        "get",
        {
            p: (200 if p in {"admin", "oc_a1", "secretary_a"} else 403 if p in sees_a1 else 404)
            for p in EVERYONE
        },
    )
    yield "portal:letters_issue", reverse("portal:letters_issue", args=[a1]), "get", _all(405)
