"""Background jobs: a small database-backed queue, its worker and the platform's own schedule
(issue 16, docs/OPERATIONS.md "Background jobs"). Tasks are declared as plain data in
``gongzhi/core/jobs.py`` and ``<app>/jobs.py`` (``registry.py``); this app imports no domain app."""
