"""The demo street tells one story of this year's 23 reviewed slates (issue 15): the committees whose terms
ended were re-elected — slate approved, owners' vote passed, committee filed through the product's service —
and the committees due within 5 months have the other slates (one returned for its targets, one submitted, one
draft); the training demo shows a question bank and one exam with results (issue 7)."""

import datetime as dt

from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.elections import demo_data as election_demo
from gongzhi.elections import rules, selectors
from gongzhi.elections.models import Slate, SlateEvent, SlateStatus
from gongzhi.registry.models import OwnersCommittee
from gongzhi.training import demo_data as training_demo
from gongzhi.training.models import Attempt, Exam, Question
from gongzhi.voting.models import Matter


def test_twenty_three_slates_twenty_elected_one_returned_for_its_targets(demo):
    today = timezone.localdate()
    slates = Slate.objects.filter(estate__area__street=demo.street).select_related("committee")
    assert slates.count() == 23
    assert all(today - dt.timedelta(days=366) <= s.created_at.date() <= today for s in slates)
    approved = slates.filter(status=SlateStatus.APPROVED)
    assert approved.count() == 20
    for slate in approved:
        review = selectors.review(slate)
        assert review.targets_met and review.blockers() == [], slate
        committee = slate.committee
        assert committee is not None, slate  # every approved slate became the registry's committee
        vote = committee.election_vote
        assert vote.matter == Matter.COMMITTEE and vote.passed and vote.estate_id == slate.estate_id
        assert committee.term_start == timezone.localdate(vote.closes_at) == committee.elected_on
        assert committee.term_end == rules.elected_term(committee.term_start, 5)[1]
        assert committee.filed_on <= rules.filing_deadline(committee.elected_on)
        assert sorted(committee.members.values_list("name", flat=True)) == sorted(
            slate.candidates.order_by("pk").values_list("name", flat=True)[: slate.planned_size]
        )
        previous = OwnersCommittee.objects.filter(estate=slate.estate, term_start__lt=committee.term_start)
        assert previous.get().term_end == committee.term_start - dt.timedelta(days=1)
        assert slate.events.filter(action=SlateEvent.Action.INSTALL).exists()
    returned = slates.get(status=SlateStatus.RETURNED)
    review = selectors.review(returned)
    assert review.party_ok is False and review.blockers() == []
    draft = selectors.review(slates.get(status=SlateStatus.DRAFT))
    assert draft.missing  # the draft still misses a check
    for slate in slates.exclude(status=SlateStatus.APPROVED):  # the committees due within 5 months
        sitting = OwnersCommittee.objects.filter(estate=slate.estate).order_by("-term_start").first()
        assert rules.term_state(sitting.term_end, today) == rules.TERM_DUE
        assert today < slate.election_date <= sitting.term_end


def test_question_bank_and_exam_with_results(demo):
    questions = Question.objects.filter(street=demo.street)
    assert questions.count() >= 30 and questions.values("topic").distinct().count() == 5
    assert set(questions.values_list("kind", flat=True)) == {"single", "multiple", "true_false"}
    exam = Exam.objects.get(street=demo.street)
    attempts = Attempt.objects.filter(participant__exam=exam)
    oc = User.objects.get(username="demo_oc")
    assert attempts.filter(participant__user=oc, passed=True).exists()
    assert attempts.filter(passed=False).exists() and attempts.count() >= 10


def test_demo_rows_are_removable(demo):
    street = demo.street
    assert election_demo.demo_fingerprint(street) == election_demo.demo_fingerprint(street)
    election_demo.demo_delete(street=street)
    training_demo.demo_delete(street=street)
    assert not Slate.objects.filter(estate__area__street=street).exists()
    assert not Question.objects.filter(street=street).exists()
