"""Pure rules of exams (以考促学). No ORM.

- A question scores all-or-nothing: the chosen options must equal the correct options exactly (a
  multiple-choice answer with one option missing or one too many scores 0; nothing chosen scores 0).
- Pass: correct / total ≥ pass mark (exact integers: correct × 100 ≥ pass_mark × total).
- Time: the server's start time + limit is the deadline; a submission up to ``GRACE`` later still counts
  (the time a phone needs to send the page), later ones are recorded as late and score nothing.
- Retakes: at most ``max_attempts`` attempts; the next one may start ``cooling_off`` after the previous
  one ended (submitted, or its deadline if never submitted); nobody retakes an exam they passed.
- Only an open exam takes answers: once the street closes it, a submission is refused and nothing kept.
- A result shows the score and which questions were wrong at once; the right options and explanations
  only when no retake can use them (passed, attempts used up, or the exam closed): a retake may draw the
  same questions, so showing them earlier would hand over the pass (以考促学: the exam must test).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

GRACE = dt.timedelta(seconds=30)


def unanswered(question_ids: Iterable[int], answers: Mapping[int, Iterable[int]]) -> list[int]:
    """The 1-based numbers (as the page shows them) of the questions with no option chosen."""
    return [n for n, qid in enumerate(question_ids, start=1) if not list(answers.get(qid, ()))]


def answer_correct(chosen: Iterable[int], correct: Iterable[int]) -> bool:
    chosen_set, correct_set = set(chosen), set(correct)
    return bool(chosen_set) and chosen_set == correct_set


def score_percent(correct: int, total: int) -> Decimal:
    if total <= 0:
        return Decimal("0.0")
    return (Decimal(correct) * 100 / Decimal(total)).quantize(Decimal("0.1"))


def passes(correct: int, total: int, pass_mark: int) -> bool:
    return total > 0 and correct * 100 >= pass_mark * total


def in_time(submitted_at: dt.datetime, deadline_at: dt.datetime) -> bool:
    return submitted_at <= deadline_at + GRACE


@dataclass(frozen=True)
class PastAttempt:
    ended_at: dt.datetime  # submitted_at, or deadline_at + GRACE for one never submitted
    passed: bool
    open: bool  # started, not submitted, still within time


@dataclass(frozen=True)
class StartDecision:
    allowed: bool
    reason: str  # ok, resume, passed, no_attempts_left, cooling_off
    available_at: dt.datetime | None = None


def may_start(
    past: list[PastAttempt], *, now: dt.datetime, max_attempts: int, cooling_off: dt.timedelta
) -> StartDecision:
    if any(p.open for p in past):
        return StartDecision(False, "resume")
    if any(p.passed for p in past):
        return StartDecision(False, "passed")
    if len(past) >= max_attempts:
        return StartDecision(False, "no_attempts_left")
    if past:
        available = max(p.ended_at for p in past) + cooling_off
        if now < available:
            return StartDecision(False, "cooling_off", available)
    return StartDecision(True, "ok")


def draw(pool_by_topic: dict[str, list[int]], counts: dict[str, int], seed: int) -> list[int]:
    """Random questions per topic (a topic with fewer questions gives all it has), deterministic in seed."""
    rng = random.Random(seed)  # noqa: S311 — shuffling exam questions, not a secret
    chosen: list[int] = []
    for topic in sorted(counts):
        pool = sorted(pool_by_topic.get(topic, []))
        n = min(max(int(counts[topic]), 0), len(pool))
        chosen += rng.sample(pool, n)
    return chosen


def may_reveal_answers(*, passed: bool, attempts_used: int, max_attempts: int, exam_open: bool) -> bool:
    """May a participant's result page show the right options and explanations? Only when no retake is
    possible any more: passed, every attempt used, or the exam no longer open."""
    return passed or attempts_used >= max_attempts or not exam_open
