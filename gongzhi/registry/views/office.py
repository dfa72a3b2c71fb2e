"""Office pages of the registry: list (search, filters, sort, pages, Excel export), detail,
create, edit, delete. Thin: every read goes through ``gongzhi.core.scopes`` and every write
through ``gongzhi.registry.services``; the per-type knowledge is in ``resources.py``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core.dbrouter import replica_view
from gongzhi.core.excel import ColumnSpec, SheetSpec, xlsx_stream_response
from gongzhi.core.ordering import pinyin_order
from gongzhi.core.scopes import can_edit_registry, get_for_user, scope_for, street_of, visible
from gongzhi.core.validators import parse_id
from gongzhi.jobs.exports import export_direct_max, export_enqueue
from gongzhi.registry import exporters, services
from gongzhi.registry.forms import form_for
from gongzhi.registry.models import Company, Street
from gongzhi.registry.resources import BY_KEY, Cell, Resource, fmt, search_q

PAGE_SIZE = 50
SEARCH_COUNT_CAP = 1000  # a search counts its matches up to here: "超过 1,000 条" beyond


class SearchPaginator(Paginator):
    """The pages of a search: the matches are counted only up to ``cap`` (``SELECT count(*) FROM (… LIMIT
    cap + 1)``), and beyond it the list says "超过 1,000 条" and pages through the first thousand. A district
    reader's search for "302" matches 14,000 of 324,000 units, and counting them all was most of the page's
    time; nobody reads 280 pages of a search — they narrow it."""

    cap = SEARCH_COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap


EXPORT_MAX_ROWS = 200_000


def _resource(request, key: str) -> Resource:
    resource = BY_KEY.get(key)
    if resource is None:
        raise Http404
    if not resource.readable_by(scope_for(request.user)):
        raise PermissionDenied
    return resource


def _detail_url(resource: Resource, pk) -> str:
    return reverse("registry:detail", args=[resource.key, pk])


def _filtered(request, resource: Resource):
    """The visible, filtered, searched and sorted queryset of a list, plus what was applied."""
    return filtered_list(request.user, resource, request.GET)


def filtered_list(user, resource: Resource, params):
    """``_filtered`` for a user and query parameters (the export job has no request)."""
    queryset = resource.queryset(visible(user, resource.model))
    applied = {}
    for flt in resource.filters:
        raw = params.get(flt.key, "").strip()
        if raw:
            queryset = flt.filter(queryset, raw)
            applied[flt.key] = raw
    text = params.get("q", "").strip()[:100]
    if text and resource.search:
        queryset = queryset.filter(search_q(resource, text))
    sortable = {col.key: col.sort for col in resource.columns if col.sort}
    order = params.get("o", "")
    field = sortable.get(order.lstrip("-"))
    if field:
        queryset = queryset.order_by(
            *pinyin_order(resource.model, f"-{field}" if order.startswith("-") else field, "pk")
        )
    else:
        order = ""
        queryset = queryset.order_by(*pinyin_order(resource.model, *resource.default_sort.split(","), "pk"))
    return queryset, applied, text, order


def _filter_menus(request, resource: Resource, applied: dict[str, str]):
    menus = []
    for flt in resource.filters:
        if flt.hidden or (flt.needs and flt.needs[0] not in applied):
            continue
        if flt.model is not None:
            options = visible(request.user, flt.model)
            if flt.needs:
                needed = parse_id(applied[flt.needs[0]])
                options = options.filter(**{flt.needs[1]: needed}) if needed else options.none()
            if hasattr(flt.model, "estate"):
                options = options.select_related("estate")
            choices = [(str(o.pk), str(o)) for o in options[:500]]
        else:
            choices = [(value, str(label)) for value, label in flt.choices]
        menus.append(
            {"key": flt.key, "label": flt.label, "choices": choices, "value": applied.get(flt.key, "")}
        )
    return menus


def _page_records(resource: Resource, page) -> list:
    """The page's records in two statements: first the page's ids in the list's order (scope, filters,
    search and sort over narrow rows), then only those rows with the columns' joins and annotations.
    In one statement the database joins every visible row to its owner (36,000 units) or computes every
    estate's figures before it can sort and keep 50."""
    ids = list(page.object_list.values_list("pk", flat=True))
    found = {obj.pk: obj for obj in resource.queryset(resource.model._default_manager.filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found]


def _cell_html(cell: Cell) -> str:
    """One ``<td>`` as registry/_cell.html writes it (the detail page's cells), built in Python: a list
    page has 350 cells, and a template include per cell cost more than the page's queries."""
    if "badge" in cell.css:
        inner = format_html('<span class="{}">{}</span>', cell.css, cell.text) if cell.text else ""
    elif cell.url:
        inner = format_html('<a href="{}">{}</a>', cell.url, cell.text)
    else:
        inner = conditional_escape(cell.text)
    return format_html('<td class="{}">{}</td>', cell.css if "num" in cell.css else "", inner)


def _row_html(cells: list[Cell]) -> SafeString:
    return mark_safe("".join(_cell_html(cell) for cell in cells))  # noqa: S308 (each cell escaped above)


@login_required
def list_view(request, key: str):
    resource = _resource(request, key)
    scope = scope_for(request.user)
    queryset, applied, text, order = _filtered(request, resource)
    paginator = SearchPaginator(queryset, PAGE_SIZE) if text else Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = []
    for obj in _page_records(resource, page):
        url = _detail_url(resource, obj.pk)  # once per row, not once per cell
        rows.append((obj, _row_html([col.cell(obj, scope, url) for col in resource.columns])))
    params = {k: v for k, v in {**applied, "q": text, "o": order}.items() if v}
    headers = []
    for col in resource.columns:
        link = ""
        if col.sort:
            next_order = f"-{col.key}" if order == col.key else col.key
            link = "?" + urlencode({**params, "o": next_order})
        arrow = "▲" if order == col.key else ("▼" if order == f"-{col.key}" else "")
        headers.append({"label": col.label, "link": link, "arrow": arrow, "num": col.num})
    context = {
        "resource": resource,
        "page": page,
        "rows": rows,
        "headers": headers,
        "menus": _filter_menus(request, resource, applied),
        "text": text,
        "order": order,
        "query": urlencode(params),
        "query_without_page": urlencode(params),
        "can_edit": can_edit_registry(request.user),
        "nav_active": resource.key,
    }
    template = (
        "registry/_results.html"
        if request.htmx and request.htmx.target == "results"
        else "registry/list.html"
    )
    return render(request, template, context)


@login_required
@replica_view
def export_view(request, key: str):
    """The list as the user sees it (same scope, filters, search and order), as .xlsx."""
    resource = _resource(request, key)
    scope = scope_for(request.user)
    queryset, _applied, _text, _order = _filtered(request, resource)
    as_import = request.GET.get("format") == "import" and bool(resource.import_sheet)
    street = visible(request.user, Street).order_by("pk").first() if as_import else None
    if as_import and street is None:
        raise Http404
    if queryset[: export_direct_max() + 1].count() > export_direct_max():
        # A large list is written by the worker, with a progress bar; the file is on the job's page.
        job = export_enqueue(
            task="registry.export", user=request.user, query=request.GET.urlencode(), key=key
        )
        return redirect("jobs:detail", job.pk)
    if as_import and street is not None:
        # The same rows in the import template's columns: edit them in Excel and import them back.
        return exporters.export_response(resource.import_sheet, queryset, user=request.user, street=street)
    sheet, filename = export_sheet(resource, queryset, scope)
    # Row by row into a temporary file, then sent from it: a 36,000-unit list never sits in memory.
    return xlsx_stream_response([sheet], filename)


def export_sheet(resource: Resource, queryset, scope, rows=None) -> tuple[SheetSpec, str]:
    """The export of a list: its columns, each cell as ``export_value`` gives it for ``scope`` (personal
    data masked where the scope does not see it), and the file's name. ``rows`` wraps the row iterator
    (the export job counts them for its progress bar)."""

    def values():
        for obj in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
            yield [col.export_value(obj, scope) for col in resource.columns]

    columns = [ColumnSpec(str(col.label)) for col in resource.columns]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    produced = rows(values()) if rows is not None else values()
    return SheetSpec(str(resource.title), columns, produced), f"{resource.title}-{stamp}.xlsx"


def _detail_fields(resource: Resource, obj, scope):
    columns = {col.key: col for col in resource.columns}
    fields = []
    for name in resource.form_fields:
        field = resource.model._meta.get_field(name)
        if name in columns:
            cell = columns[name].cell(obj, scope, "")
        elif name == "owner" and "owner" in columns:
            cell = columns["owner"].cell(obj, scope, "")
        else:
            display = getattr(obj, f"get_{name}_display", None)
            cell = Cell(fmt(display() if display else getattr(obj, name)))
        related = getattr(field, "related_model", None)
        if related is not None and getattr(obj, f"{name}_id", None):
            from gongzhi.registry.resources import BY_MODEL

            target = BY_MODEL.get(related)
            if target is not None:
                cell = Cell(cell.text, url=_detail_url(target, getattr(obj, f"{name}_id")))
        fields.append((field.verbose_name, cell))
    extra = [
        col
        for col in resource.columns
        if col.key.split(".")[0] not in resource.form_fields and col.key != "owner"
    ]
    for col in extra:
        fields.append((col.label, col.cell(obj, scope, "")))
    return fields


CHILD_ROWS = 20


@login_required
def detail_view(request, key: str, pk: int):
    resource = _resource(request, key)
    scope = scope_for(request.user)
    obj = get_for_user(request.user, resource.queryset(visible(request.user, resource.model)), pk)
    children = []
    for child_key, param in resource.children:
        child = BY_KEY[child_key]
        if not child.readable_by(scope):
            continue
        flt = next(f for f in child.filters if f.key == param)
        queryset = flt.filter(child.queryset(visible(request.user, child.model)), str(obj.pk)).order_by(
            *pinyin_order(child.model, *child.default_sort.split(","), "pk")
        )
        total = queryset.count()
        rows = []
        for o in queryset[:CHILD_ROWS]:
            url = _detail_url(child, o.pk)
            rows.append([col.cell(o, scope, url) for col in child.columns])
        children.append(
            {
                "resource": child,
                "headers": [{"label": c.label, "num": c.num} for c in child.columns],
                "rows": rows,
                "total": total,
                "more_url": reverse("registry:list", args=[child.key]) + "?" + urlencode({param: obj.pk}),
                "create_url": reverse("registry:create", args=[child.key]) + "?" + urlencode({param: obj.pk}),
            }
        )
    profile = None
    if resource.model is Company:
        # The company's history across estates, its ranks and its benchmark title (evaluation reads them).
        from gongzhi.evaluation.selectors_replacement import company_profile

        profile = company_profile(request.user, obj)
    return render(
        request,
        "registry/detail.html",
        {
            "company_profile": profile,
            "resource": resource,
            "obj": obj,
            "label": resource.label_for(obj, scope),
            "fields": _detail_fields(resource, obj, scope),
            "children": children,
            "can_edit": can_edit_registry(request.user, street_of(obj)),
            "history_url": reverse("audit_log")
            + "?"
            + urlencode({"type": resource.model._meta.label, "id": obj.pk}),
            "nav_active": resource.key,
        },
    )


def _save(request, resource: Resource, form, obj=None):
    """Run the service; on a validation failure put the reasons back on the form."""
    try:
        if obj is None:
            saved = services.record_create(actor=request.user, obj=form.instance)
        else:
            data = {
                name: form.cleaned_data[name] for name in form.cleaned_data if name in resource.form_fields
            }
            data.update(form.extra_data())
            saved = services.record_update(actor=request.user, obj=obj, data=data)
    except ValidationError as exc:
        for field, errors in (
            exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
        ):
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return None
    except services.RegistryError as exc:
        form.add_error(None, exc.message)
        return None
    return saved


@login_required
@require_http_methods(["GET", "POST"])
def create_view(request, key: str):
    resource = _resource(request, key)
    if not can_edit_registry(request.user):
        raise PermissionDenied
    initial = {name: request.GET[name] for name in resource.form_fields if name in request.GET}
    FormClass = form_for(resource)
    form = FormClass(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, resource, form)
        if saved is not None:
            messages.success(
                request, _("已新增%(kind)s“%(label)s”。") % {"kind": resource.title_singular, "label": saved}
            )
            return redirect(_detail_url(resource, saved.pk))
    return render(
        request,
        "registry/form.html",
        {"resource": resource, "form": form, "obj": None, "nav_active": resource.key},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request, key: str, pk: int):
    resource = _resource(request, key)
    obj = get_for_user(request.user, resource.model, pk, require="write")
    FormClass = form_for(resource)
    form = FormClass(request.POST or None, instance=obj, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, resource, form, obj=resource.model._default_manager.get(pk=pk))
        if saved is not None:
            messages.success(request, _("已保存“%(label)s”。") % {"label": saved})
            return redirect(_detail_url(resource, saved.pk))
    return render(
        request,
        "registry/form.html",
        {
            "resource": resource,
            "form": form,
            "obj": obj,
            "label": resource.label_for(obj, scope_for(request.user)),
            "nav_active": resource.key,
        },
    )


@login_required
@require_POST
def delete_view(request, key: str, pk: int):
    resource = _resource(request, key)
    obj = get_for_user(request.user, resource.model, pk, require="write")
    label = str(obj)
    try:
        services.record_delete(actor=request.user, obj=obj)
    except services.RegistryError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(resource, pk))
    messages.success(request, _("已删除“%(label)s”。") % {"label": label})
    return redirect("registry:list", resource.key)
