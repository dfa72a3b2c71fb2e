"""The demo street shows this year's 23 reviewed slates (one returned for its targets) and the training
demo shows a question bank and one exam with results (issue 7); both are deterministic and removable."""

from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.demo.plan import SEED
from gongzhi.elections import demo_data as election_demo
from gongzhi.elections import selectors
from gongzhi.elections.models import Slate, SlateStatus
from gongzhi.training import demo_data as training_demo
from gongzhi.training.models import Attempt, Exam, Question


def test_twenty_three_slates_this_year_one_returned_for_its_targets(demo):
    slates = Slate.objects.filter(estate__area__street=demo.street)
    assert slates.count() == 23
    assert {s.election_date.year for s in slates} == {timezone.localdate().year}
    assert slates.filter(status=SlateStatus.APPROVED).count() == 20
    returned = slates.get(status=SlateStatus.RETURNED)
    review = selectors.review(returned)
    assert review.party_ok is False and review.blockers() == []
    for slate in slates.filter(status=SlateStatus.APPROVED):
        review = selectors.review(slate)
        assert review.targets_met and review.blockers() == [], slate
    draft = selectors.review(slates.get(status=SlateStatus.DRAFT))
    assert draft.missing  # the draft still misses a check


def test_question_bank_and_exam_with_results(demo):
    questions = Question.objects.filter(street=demo.street)
    assert questions.count() >= 30 and questions.values("topic").distinct().count() == 5
    assert set(questions.values_list("kind", flat=True)) == {"single", "multiple", "true_false"}
    exam = Exam.objects.get(street=demo.street)
    attempts = Attempt.objects.filter(participant__exam=exam)
    oc = User.objects.get(username="demo_oc")
    assert attempts.filter(participant__user=oc, passed=True).exists()
    assert attempts.filter(passed=False).exists() and attempts.count() >= 10


def test_demo_rows_are_deterministic_fast_and_removable(demo):
    street = demo.street
    before = (election_demo.demo_fingerprint(street), training_demo.demo_fingerprint(street))
    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    election_demo.demo_delete(street=street)
    training_demo.demo_delete(street=street)
    assert not Slate.objects.filter(estate__area__street=street).exists()
    assert not Question.objects.filter(street=street).exists()
    today = timezone.localdate()
    election_demo.demo_create(street=street, seed=SEED, today=today, users=users)
    training_demo.demo_create(street=street, seed=SEED, today=today, users=users)
    assert (election_demo.demo_fingerprint(street), training_demo.demo_fingerprint(street)) == before
