"""The training app's background task: every certificate of one exam in one PDF (issue 16).

Each certificate is the page of the single download (``views.office.certificate``, same template, same
context), rendered one by one so that the progress bar counts certificates, and the pages joined into
one document by WeasyPrint (``Document.copy``): one file to print for a whole session. The file is kept in
the job's folder and served to the job's owner only. Running again rewrites the same file (idempotent).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import UserError


def certificates_pdf(job, *, exam_id: int) -> dict:
    import weasyprint
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.template.loader import render_to_string

    from gongzhi.jobs.services import result_dir
    from gongzhi.registry.models import Street
    from gongzhi.training import permissions
    from gongzhi.training.views.office import certificate_context, passed_attempts

    try:
        exam = permissions.get_exam(job.user, exam_id)
    except (PermissionDenied, Http404):  # the exam is gone, or the person no longer reads it
        raise UserError(_("您已无权打印该考试的合格证书。")) from None
    attempts = passed_attempts(exam)
    if not attempts:
        raise UserError(_("该考试还没有合格的考生，没有可打印的证书。"))
    street = Street.objects.get(pk=exam.street_id)
    total = len(attempts)
    job.progress(0, total, force=True)
    documents = []
    for done, attempt in enumerate(attempts, start=1):
        html = render_to_string("training/certificate.html", certificate_context(attempt, exam, street))
        documents.append(weasyprint.HTML(string=html, base_url=None).render())
        job.progress(done, total)
    pages = [page for document in documents for page in document.pages]
    folder = result_dir(job.pk)
    documents[0].copy(pages).write_pdf(folder / "certificates.pdf.part")
    (folder / "certificates.pdf.part").replace(folder / "certificates.pdf")
    day = timezone.localdate().isoformat()
    return {
        "file": "certificates.pdf",
        "filename": _("合格证书_%(title)s_%(day)s.pdf") % {"title": exam.title, "day": day},
        "count": total,
        "exam": exam.title,
    }


TASKS = {
    "training.certificates": {
        "run": certificates_pdf,
        "title": gettext_lazy("打印全部合格证书（PDF）"),
        "template": "training/_certificates_job_result.html",
        "progress_label": gettext_lazy("已生成 %(done)s / %(total)s 张证书"),
        "max_attempts": 2,
    }
}
