"""The queue: one ``Job`` row per piece of background work, and one ``WorkerBeat`` row per worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class Job(models.Model):
    """A task to run (``task`` names it in the registry, ``args`` are its JSON keyword arguments) and,
    once run, its outcome: status, attempts, error, result, progress. The page of a job polls this row."""

    task = models.CharField(_("任务"), max_length=100)
    args = models.JSONField(_("参数"), default=dict, blank=True)
    key = models.CharField(_("幂等键"), max_length=200, null=True, blank=True, unique=True)  # noqa: DJ001
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("最多尝试次数"), default=3)
    run_after = models.DateTimeField(_("最早运行时间"), db_index=True)
    progress_done = models.PositiveIntegerField(_("已完成"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    worker = models.CharField(_("执行进程"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "run_after"], name="job_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")) | Q(progress_total=0),
                name="job_progress_within_total",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in FINISHED], finished_at__isnull=False)
                | (~Q(status__in=[s.value for s in FINISHED]) & Q(finished_at__isnull=True)),
                name="job_finished_iff_finished_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"

    @property
    def title(self) -> str:
        from gongzhi.jobs.registry import title

        return title(self.task)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)


class WorkerBeat(models.Model):
    """A worker's sign of life, written every few seconds by a thread of the worker (``worker.py``)."""

    name = models.CharField(_("进程"), max_length=100, unique=True)
    started_at = models.DateTimeField(_("启动时间"))
    seen_at = models.DateTimeField(_("最近心跳"), db_index=True)
    jobs_done = models.PositiveIntegerField(_("已处理任务数"), default=0)

    class Meta:
        verbose_name = _("后台进程心跳")
        verbose_name_plural = _("后台进程心跳")

    def __str__(self) -> str:
        return self.name
