"""Who may do what to a problem — the one door for problems. Reads go through
``gongzhi.core.scopes.visible`` (outsider → 404); each action names the party the workflow
(rules.py) gives it to, and anyone else gets 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from gongzhi.core.scopes import (
    branch_areas,
    committee_estates,
    get_for_user,
    scope_for,
    staff_companies,
    visible,
)
from gongzhi.problems import rules
from gongzhi.problems.models import Carriage, Problem, Source
from gongzhi.registry.models import Estate


def is_branch_of(user, problem: Problem) -> bool:
    """The area's joint party branch (secretary, members) or the street admin."""
    scope = scope_for(user)
    if scope.is_street_admin(problem.estate.area.street_id):
        return True
    return scope.in_branch(problem.estate.area_id)


def is_assignee_of(user, problem: Problem) -> bool:
    scope = scope_for(user)
    if problem.carriage == Carriage.COMPANY:
        return scope.is_company_staff(problem.company_id)
    if problem.carriage == Carriage.OWNERS_COMMITTEE:
        return scope.on_committee(problem.estate_id)
    if problem.carriage == Carriage.RESIDENTS_COMMITTEE:
        # The residents' committee's head sits in the area's branch (seed text).
        return scope.in_branch(problem.estate.area_id)
    return False


def is_reporter_of(user, problem: Problem) -> bool:
    return problem.reporter_id is not None and problem.reporter_id == user.pk


ACTOR_CHECKS = {rules.BRANCH: is_branch_of, rules.ASSIGNEE: is_assignee_of, rules.REPORTER: is_reporter_of}


def may_act(user, problem: Problem, action: str) -> bool:
    transition = rules.TRANSITIONS.get(action)
    if action == "rate":
        return is_reporter_of(user, problem)
    if transition is None:
        return False
    return ACTOR_CHECKS[transition.actor](user, problem)


def get_problem_for_user(user, pk, *, action: str | None = None) -> Problem:
    """Outsider → 404; visible but not this action's party → 403."""
    queryset = Problem.objects.select_related(
        "estate__area", "category", "building", "company", "owners_committee", "residents_committee"
    )
    problem = get_for_user(user, queryset, pk)
    if action is not None and not may_act(user, problem, action):
        raise PermissionDenied
    return problem


def sees_reporter(user, problem: Problem) -> bool:
    """Only the branch (and the street admin) learn who reported; never the assignee or the public."""
    return is_branch_of(user, problem)


def report_sources(user, estate: Estate) -> list[str]:
    """The sources this user may file a problem under at this estate (empty: may not report)."""
    scope = scope_for(user)
    sources = []
    if scope.lives_in(estate.pk):
        sources.append(Source.RESIDENT)
    if scope.is_street_admin(estate.area.street_id) or scope.in_branch(estate.area_id):
        sources += [Source.PATROL, Source.HEARING, Source.MEETING, Source.SURVEY, Source.RECEPTION]
    if scope.evaluates(estate.pk):
        sources.append(Source.INSPECTION)
    return sources


def require_report_right(user, estate: Estate, source: str) -> None:
    if source not in report_sources(user, estate):
        raise PermissionDenied


def assigned_to(user) -> QuerySet:
    """The problems this user's party must rectify (``is_assignee_of`` as a queryset): their
    company's, their owners' committee's, and the residents' committee's of their branch's area."""
    condition = (
        Q(carriage=Carriage.COMPANY, company__in=staff_companies(user))
        | Q(carriage=Carriage.OWNERS_COMMITTEE, estate__in=committee_estates(user))
        | Q(carriage=Carriage.RESIDENTS_COMMITTEE, estate__area__in=branch_areas(user))
    )
    return visible(user, Problem).filter(condition)
