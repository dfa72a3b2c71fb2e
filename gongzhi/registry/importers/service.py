"""``registry_import``: check every row, then write everything in one transaction, or nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.excel import (
    ExcelFileError,
    read_upload,
    read_workbook,
)
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import can_edit_registry, forget_scope
from gongzhi.registry import models as r
from gongzhi.registry.importers.committees import CommitteesCheck
from gongzhi.registry.importers.contracts import ContractsCheck
from gongzhi.registry.importers.report import Counts, ImportReport, RowError
from gongzhi.registry.importers.sheets import COUNT_LABELS, SHEET_KEYS
from gongzhi.registry.importers.tables import write_table as _write_table


class Importer(ContractsCheck, CommitteesCheck):
    """The whole check of one workbook against one street, and its write."""

    # -- step 2: what is stored
    def load(self) -> None:
        street = self.street
        t = self.t
        areas = {a.pk: a for a in r.Area.objects.filter(street=street)}
        area_name = {pk: a.name for pk, a in areas.items()}
        for a in areas.values():
            t["居民区"].existing[a.name] = (a.pk, {"address": a.address})
        for rc in r.ResidentsCommittee.objects.filter(area__street=street):
            t["居委会"].existing[area_name[rc.area_id]] = (
                rc.pk,
                {"name": rc.name, "director_name": rc.director_name, "phone": rc.phone},
            )
        for b in r.Branch.objects.filter(area__street=street):
            t["联合党支部"].existing[area_name[b.area_id]] = (
                b.pk,
                {"name": b.name, "secretary_name": b.secretary_name, "founded_on": b.founded_on},
            )
        estate_key = {}
        for e in r.Estate.objects.filter(area__street=street):
            estate_key[e.pk] = (area_name[e.area_id], e.name)
            t["小区"].existing[estate_key[e.pk]] = (e.pk, {"address": e.address, "build_year": e.build_year})
        company_name = {}
        for c in r.Company.objects.filter(street=street):
            company_name[c.pk] = c.name
            t["物业企业"].existing[c.name] = (
                c.pk,
                {
                    "credit_code": c.credit_code,
                    "ownership": c.ownership,
                    "contact_name": c.contact_name,
                    "contact_phone": c.contact_phone,
                },
            )
        if "units" in self.lines:
            owner_ref = {}
            for pk, ref, name, kind, phone in r.Owner.objects.filter(street=street).values_list(
                "pk", "ref", "name", "kind", "phone"
            ):
                owner_ref[pk] = ref
                t["业主"].existing[ref] = (pk, {"name": name, "kind": kind, "phone": phone})
            building_key = {}
            for pk, estate_id, number, floors in r.Building.objects.filter(
                estate__area__street=street
            ).values_list("pk", "estate_id", "number", "floors"):
                building_key[pk] = (*estate_key[estate_id], number)
                t["楼栋"].existing[building_key[pk]] = (pk, {"floors": floors})
            for pk, building_id, number, area, source, owner_id in r.Unit.objects.filter(
                building__estate__area__street=street
            ).values_list("pk", "building_id", "number", "area", "area_source", "owner_id"):
                t["房屋"].existing[(*building_key[building_id], number)] = (
                    pk,
                    {"area": area, "area_source": source, "owner": owner_ref.get(owner_id)},
                )
        for c in r.Contract.objects.filter(estate__area__street=street):
            t["物业合同"].existing[(estate_key[c.estate_id], c.start_date)] = (
                c.pk,
                {
                    "company": company_name[c.company_id],
                    "end_date": c.end_date,
                    "fee_standard": c.fee_standard,
                    "service_level": c.service_level,
                    "collection_rate": c.collection_rate,
                },
            )
        committee_key = {}
        for oc in r.OwnersCommittee.objects.filter(estate__area__street=street):
            committee_key[oc.pk] = (estate_key[oc.estate_id], oc.term_start)
            t["业委会"].existing[committee_key[oc.pk]] = (oc.pk, {"term_end": oc.term_end})
        for m in r.CommitteeMember.objects.filter(committee__estate__area__street=street):
            t["业委会委员"].existing[(committee_key[m.committee_id], m.name)] = (
                m.pk,
                {
                    "position": m.position,
                    "is_party_member": m.is_party_member,
                    "is_cross_appointed": m.is_cross_appointed,
                    "phone": m.phone,
                },
            )
        for m in r.BranchMember.objects.filter(branch__area__street=street).select_related("branch"):
            t["支部成员"].existing[(area_name[m.branch.area_id], m.name)] = (
                m.pk,
                {
                    "organisation": m.organisation,
                    "position": m.position,
                    "membership": m.membership,
                    "is_party_member": m.is_party_member,
                    "phone": m.phone,
                },
            )

    # -- step 3: check every row against the stored state and the rest of the file
    def validate(self) -> None:
        self.read_sheets()
        if self.file_errors:
            return  # wrong sheets or columns: fix those first, row errors would only be noise
        self.load()
        for key in SHEET_KEYS:
            if key in self.lines:
                getattr(self, f"_plan_{key}")(self.specs[key], self.lines[key])
        if "contracts" in self.lines:
            self._check_contract_overlaps(self.specs["contracts"])
        if "committee_members" in self.lines:
            self._check_one_director(self.specs["committee_members"])
        self.errors.sort(key=self._error_order)  # as the user reads the file: sheet, row, column

    def _error_order(self, error: RowError) -> tuple[int, int, int]:
        titles = [s.title for s in self.specs.values()]
        sheet_index = titles.index(error.sheet) if error.sheet in titles else -1
        headers = self.specs[SHEET_KEYS[sheet_index]].headers if sheet_index >= 0 else []
        column_index = headers.index(error.column) if error.column in headers else len(headers)
        return (sheet_index, error.row or 0, column_index)

    # -- counting and writing
    def counts(self) -> dict[str, Counts]:
        result = {}
        for label in COUNT_LABELS:
            creates, updates, unchanged = self.t[label].plan()
            result[label] = Counts(len(creates), len(updates), unchanged)
        return result

    def records_to_write(self) -> int:
        """New and changed records of every table: the writing phase's total."""
        return sum(
            len(creates) + len(updates) for creates, updates, _same in (t.plan() for t in self.t.values())
        )

    def write(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Write every table (inside the caller's transaction); ``progress(written, total)`` after each
        batch of records."""
        street, t = self.street, self.t
        total, written = (self.records_to_write(), 0) if progress is not None else (0, 0)

        def counted(n: int) -> None:
            nonlocal written
            written += n
            if progress is not None:
                progress(min(written, total), total)

        def write_table(table, make, to_db=None):
            return _write_table(table, make, **({"to_db": to_db} if to_db else {}), tick=counted)

        if progress is not None:
            progress(0, total)
        area_id = write_table(t["居民区"], lambda k, f: r.Area(street=street, name=k, **f))
        write_table(t["居委会"], lambda k, f: r.ResidentsCommittee(area_id=area_id[k], **f))
        branch_id = write_table(t["联合党支部"], lambda k, f: r.Branch(area_id=area_id[k], **f))
        estate_id = write_table(t["小区"], lambda k, f: r.Estate(area_id=area_id[k[0]], name=k[1], **f))
        company_id = write_table(t["物业企业"], lambda k, f: r.Company(street=street, name=k, **f))
        owner_id = write_table(t["业主"], lambda k, f: r.Owner(street=street, ref=k, **f))
        building_id = write_table(
            t["楼栋"], lambda k, f: r.Building(estate_id=estate_id[k[:2]], number=k[2], **f)
        )

        def unit_fields(f):
            f = dict(f)
            if "owner" in f:
                ref = f.pop("owner")
                f["owner_id"] = owner_id[ref] if ref is not None else None
            return f

        write_table(
            t["房屋"],
            lambda k, f: r.Unit(building_id=building_id[k[:3]], number=k[3], **unit_fields(f)),
            to_db=unit_fields,
        )

        def contract_fields(f):
            f = dict(f)
            if "company" in f:
                f["company_id"] = company_id[f.pop("company")]
            return f

        write_table(
            t["物业合同"],
            lambda k, f: r.Contract(estate_id=estate_id[k[0]], start_date=k[1], **contract_fields(f)),
            to_db=contract_fields,
        )
        committee_id = write_table(
            t["业委会"], lambda k, f: r.OwnersCommittee(estate_id=estate_id[k[0]], term_start=k[1], **f)
        )
        write_table(
            t["业委会委员"], lambda k, f: r.CommitteeMember(committee_id=committee_id[k[0]], name=k[1], **f)
        )
        write_table(t["支部成员"], lambda k, f: r.BranchMember(branch_id=branch_id[k[0]], name=k[1], **f))


# ---- The service -----------------------------------------------------------------------------------


class _Refused(Exception):
    """The database refused the write (a race with another writer): roll back, report."""


def registry_import(
    *,
    actor,
    street: r.Street,
    fileobj: IO[bytes] | bytes,
    filename: str = "",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    phase: Callable[[str], None] | None = None,
) -> ImportReport:
    """Check a registry workbook and, if it has no error at all, write it into ``street``.

    Only a street admin of ``street`` may import (else ``PermissionDenied``, before the file is
    read). Problems with the file or its rows come back in ``report.errors``; nothing is written
    then. ``dry_run`` checks and counts without writing. ``progress(done, total)`` is told the rows
    checked so far, then the records written so far; ``phase("check")`` / ``phase("write")`` says which
    (the background import's progress bar, ``registry/jobs.py``).
    """
    if not can_edit_registry(actor, street.pk):
        raise PermissionDenied
    report = ImportReport(filename=filename, dry_run=dry_run)
    try:
        data = read_upload(fileobj)
        report.sha256 = hashlib.sha256(data).hexdigest()
        workbook = read_workbook(data, filename=filename)
    except ExcelFileError as exc:
        report.errors.append(RowError("", None, "", exc.message))
        return report

    try:
        with transaction.atomic():
            # One import per street at a time (PostgreSQL row lock; SQLite's write lock serialises anyway).
            r.Street.objects.select_for_update().get(pk=street.pk)
            if phase is not None:
                phase("check")
            importer = Importer(street, workbook, progress)
            importer.validate()
            if progress is not None:
                progress(importer.rows_total, importer.rows_total)
            report.errors = importer.errors
            report.rows = importer.rows
            if report.errors:
                return report
            report.counts = importer.counts()
            if dry_run:
                return report
            if phase is not None:
                phase("write")
            try:
                importer.write(progress)
            except DatabaseError as exc:
                raise _Refused(str(exc)) from exc
            audit_record(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                obj=street,
                street_id=street.pk,
                changes={
                    "file": filename,
                    "sha256": report.sha256,
                    "rows": report.rows,
                    "counts": report.counts_as_dict(),
                },
                object_label=_("导入台账：%(file)s") % {"file": filename or "-"},
            )
            report.written = True
        forget_scope(actor)  # new estates in the street widen the actor's reach for the rest of the request
    except _Refused as exc:
        report.written = False
        report.errors.append(
            RowError(
                "",
                None,
                "",
                _("数据库拒绝保存，未写入任何数据（%(reason)s）。请稍后重新导入。") % {"reason": exc},
            )
        )
    return report


# ---- For the web pages -----------------------------------------------------------------------------


def import_upload(*, actor, street_id: int, upload, dry_run: bool = False) -> ImportReport:
    """``registry_import`` for a Django ``UploadedFile`` and a street id (the upload view)."""
    street = r.Street.objects.get(pk=street_id)
    return registry_import(
        actor=actor,
        street=street,
        fileobj=upload,
        filename=getattr(upload, "name", "") or "",
        dry_run=dry_run,
    )


def import_start(*, actor, street_id: int, upload, dry_run: bool = False):
    """Hand an upload to the background worker: the file is kept in the jobs folder (owner-only) and the
    ``registry.import`` job (``registry/jobs.py``) imports it. Returns the job, whose page the user
    follows. The right is checked here and again when the job runs."""
    import uuid

    from gongzhi.jobs.services import job_enqueue, jobs_dir

    if not can_edit_registry(actor, street_id):
        raise PermissionDenied
    folder = jobs_dir() / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{uuid.uuid4().hex}.xlsx"
    with (folder / name).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    (folder / name).chmod(0o600)
    return job_enqueue(
        task="registry.import",
        args={
            "street_id": street_id,
            "upload": name,
            "filename": (getattr(upload, "name", "") or "")[:200],
            "dry_run": dry_run,
        },
        user=actor,
    )
