"""Background tasks of core, read by the worker (gongzhi/jobs; the API in docs/OPERATIONS.md)."""

from gongzhi.core.notify import deliver_outbox


def deliver_outbox_task(job):
    """Send the due notifications; idempotent (a sent message is never sent again)."""
    return deliver_outbox()


TASKS = {"core.deliver_outbox": deliver_outbox_task}
SCHEDULE = [{"task": "core.deliver_outbox", "every": 60}]
