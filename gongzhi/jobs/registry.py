"""Which tasks exist and when the platform runs them on its own — declared as plain data.

``gongzhi/core/jobs.py`` and each domain app's ``<app>/jobs.py`` (the "jobs" plug-in of
``core/plugins.py``) may define:

``TASKS = {"app.name": fn}``  or  ``{"app.name": {"run": fn, "title": …, "template": …, "max_attempts": n}}``
    ``fn(job, **args)`` does the work; ``job`` is the running job's ``JobContext`` (``job.progress(done,
    total)``, ``job.phase(name)``, ``job.pk``, ``job.user_id``); its return value (JSON) is the job's result.
    ``title`` names the task on its page and in the inbox; ``template`` renders the result on the job's
    page; ``phases`` = ``[(key, title, progress_label), …]`` splits the bar between successive phases.
``SCHEDULE = [{"task": "app.name", "every": 600}, {"task": "app.name", "daily": "02:10"}]``
    the platform's own timetable (local time); each period runs once whatever the number of workers.

The modules import nothing from this app, so core (below every app) can declare its tasks too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core.plugins import app_modules
from gongzhi.jobs.rules import Daily, Every, parse_schedule

DEFAULT_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Task:
    name: str
    run: Callable[..., Any]
    title: Any  # str or lazy str
    template: str = ""
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    context: Callable[[Any], dict] | None = None  # result → the result template's context
    progress_label: Any = ""  # "%(done)s / %(total)s" in words, e.g. 已检查 %(done)s / %(total)s 行
    # (key, what the page says, progress label) of each phase, in order; the bar gives each an equal share
    phases: tuple[tuple[str, Any, Any], ...] = ()


@dataclass(frozen=True)
class Scheduled:
    task: str
    when: Every | Daily


def _modules():
    core = [import_module("gongzhi.core.jobs")] if find_spec("gongzhi.core.jobs") is not None else []
    return [*core, *app_modules("jobs"), import_module("gongzhi.jobs.builtin")]


def _task(name: str, spec) -> Task:
    if callable(spec):
        return Task(name=name, run=spec, title=name)
    return Task(
        name=name,
        run=spec["run"],
        title=spec.get("title", name),
        template=spec.get("template", ""),
        max_attempts=int(spec.get("max_attempts", DEFAULT_MAX_ATTEMPTS)),
        context=spec.get("context"),
        progress_label=spec.get("progress_label", ""),
        phases=tuple(tuple(phase) for phase in spec.get("phases", ())),
    )


@functools.cache
def tasks() -> dict[str, Task]:
    found: dict[str, Task] = {}
    for module in _modules():
        for name, spec in getattr(module, "TASKS", {}).items():
            if name in found:
                raise ValueError(f"task {name!r} declared twice ({module.__name__})")
            found[name] = _task(name, spec)
    return found


@functools.cache
def schedule() -> tuple[Scheduled, ...]:
    known = tasks()
    entries = []
    for module in _modules():
        for entry in getattr(module, "SCHEDULE", ()):
            if entry["task"] not in known:
                raise ValueError(f"{module.__name__}: schedule names unknown task {entry['task']!r}")
            entries.append(Scheduled(task=entry["task"], when=parse_schedule(entry)))
    return tuple(entries)


def task(name: str) -> Task | None:
    return tasks().get(name)


def title(name: str) -> str:
    found = task(name)
    return str(found.title) if found else str(_("后台任务"))
