"""Permission-matrix cases for core's own pages beside the site list of tests/test_permission_matrix.py.
Expected answers by hand from the role model (docs/DESIGN.md §3):

- The data-health page (数据体检) is the street admin's: admin and other_admin see it, each for their own
  street; every other persona — the leadership group included — gets 403.
- Notification channels (通知方式) are every logged-in user's own page: 200 for all. The delivery log
  (外发通知记录) and the table of who is told what (通知规则) are the street admin's, like the audit trail.
- /metrics is not a page for people: it answers by the caller's address (GONGZHI_METRICS_ALLOWED_IPS,
  127.0.0.1 by default — the test client's), whoever is logged in; from elsewhere 404
  (core/tests/test_metrics.py).
"""

from __future__ import annotations

from django.urls import reverse

from gongzhi.core.testing import PERSONAS

ADMINS = {"admin", "other_admin"}


def cases(world):
    yield "data_health", reverse("data_health"), "get", {p: (200 if p in ADMINS else 403) for p in PERSONAS}
    yield "notify_preferences", reverse("notify_preferences"), "get", dict.fromkeys(PERSONAS, 200)
    admin_only = {p: (200 if p in ADMINS else 403) for p in PERSONAS}
    yield "notify_deliveries", reverse("notify_deliveries"), "get", admin_only
    yield "notify_events", reverse("notify_events"), "get", admin_only
    yield "metrics", reverse("metrics"), "get", dict.fromkeys(PERSONAS, 200)
