"""Working the lead list (DESIGN §6a "Lists"): its query parameters, saved filters, export and bulk actions.

One query shape serves the API (`GET /api/leads/`, `/api/leads/export/`), the web list and the saved
filters: `LeadListQuery`. Services and selectors first, then the API views, then the pages' views.
"""

import csv
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import IO, Any
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.handlers.asgi import ASGIRequest
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import policy
from cases.api.schema import FieldErrorSerializer
from cases.errors import CaseError, Conflict, Invalid, NotFound
from cases.leads import selectors
from cases.leads.machine import LEAD
from cases.leads.models import SavedFilter, Source, State
from cases.outcomes.exports import FILE_LANGUAGE, XLSX, _fill, csv_row
from workflow import engine, workdays
from workflow.models import OrgUnit

LIST_NAME = "leads"

# --- the list's query ------------------------------------------------------------------------------


def _ordering_message() -> str:
    return str(_("Sort by one of: %(allowed)s.")) % {"allowed": ", ".join(selectors.ORDERING_CHOICES)}


class LeadListQuery(serializers.Serializer):
    """The lead list's filters and order, as in the URL (every value optional, blank = not given)."""

    state = serializers.CharField(
        required=False, allow_blank=True, max_length=300, help_text="states, comma-separated"
    )
    unit = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text="unit code")
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=selectors.MAX_QUERY, trim_whitespace=False,
        help_text="searches project and company names, the credit code and the activity summaries",
    )  # fmt: skip
    sector = serializers.CharField(required=False, allow_blank=True, max_length=60, help_text="sector slug")
    segment = serializers.ChoiceField(choices=list(policy.SEGMENTS), required=False, allow_blank=True)
    assignee = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text='a username, or "none" for unassigned'
    )
    first_negotiation = serializers.BooleanField(required=False, allow_null=True, default=None)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    due_within = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=366)
    ordering = serializers.ChoiceField(
        choices=selectors.ORDERING_CHOICES,
        required=False,
        allow_blank=True,
        help_text='a field, "-" before it for descending; default -created_at',
        error_messages={"invalid_choice": lazy(_ordering_message, str)()},
    )

    def validate_state(self, value: str) -> str:
        unknown = [s for s in value.split(",") if s and s not in State.values]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown state: %(states)s.") % {"states": ", ".join(unknown)}, code="invalid_choice"
            )
        return ",".join(s for s in value.split(",") if s)


FILTER_PARAMS = tuple(LeadListQuery().fields)  # what a saved filter's query may hold (and page_size)


def lead_list_query(params: Any) -> dict[str, Any]:
    """The list's query checked (a 400 naming each wrong parameter), as lead_list's arguments."""
    values = engine.validate(LeadListQuery, params)
    return {
        "state": values.get("state") or None,
        "unit": values.get("unit") or None,
        "q": values.get("q") or None,
        "sector": values.get("sector") or None,
        "segment": values.get("segment") or None,
        "assignee": values.get("assignee") or None,
        "first_negotiation": values.get("first_negotiation"),
        "overdue": bool(values.get("overdue")),
        "due_within_days": values.get("due_within"),
        "ordering": values.get("ordering") or None,
    }


def lead_list_for(*, user: Any, params: Any) -> Any:
    """The visible leads a list query asks for (lead_list with the checked query)."""
    return selectors.lead_list(
        user=user, sees_all=selectors.sees_every_lead(user=user), **lead_list_query(params)
    )


# --- saved filters ---------------------------------------------------------------------------------

MAX_SAVED = 100  # per person and list: a menu, not a store


class SavedFilterInput(serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=100)
    query = serializers.CharField(
        max_length=2000, allow_blank=True, trim_whitespace=True,
        help_text="the list's URL query string (without page), e.g. state=negotiating&ordering=-deadline",
    )  # fmt: skip


class SavedFilterSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedFilter
        fields = ["id", "name", "list_name", "query", "created_at"]


def saved_filters(*, user: Any, list_name: str = LIST_NAME) -> Any:
    """The person's own saved filters of a list, by name."""
    if not getattr(user, "is_authenticated", False):
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(user=user, list_name=list_name).order_by("name", "id")


def _checked_query(query: str) -> str:
    """The query string made of the list's known parameters only, each once and valid; `page` dropped."""
    params = QueryDict(query.removeprefix("?"), mutable=True)
    params.pop("page", None)
    unknown = sorted(set(params) - set(FILTER_PARAMS) - {"page_size"})
    repeated = sorted(k for k in params if len(params.getlist(k)) > 1)
    if unknown or repeated:
        raise Invalid(
            _("A saved filter holds only the list's parameters (%(allowed)s), each once."),
            {"allowed": ", ".join(FILTER_PARAMS)},
            code="query",
        )
    engine.validate(LeadListQuery, params)
    return params.urlencode()


def saved_filter_create(*, user: Any, data: Any, now: datetime | None = None) -> SavedFilter:
    """Save the current list query under a name, for this person: 400 if malformed, 409 if they
    already have a filter of that name."""
    values = engine.validate(SavedFilterInput, data)
    name, query = values["name"].strip(), _checked_query(values["query"])
    if not name:
        raise Invalid(_("Give the filter a name."), code="name")
    mine = saved_filters(user=user)
    if mine.filter(name=name).exists():
        raise Conflict(
            _("You already have a saved filter named “%(name)s”."), {"name": name}, code="duplicate_name"
        )
    if mine.count() >= MAX_SAVED:
        raise Invalid(_("At most %(n)s saved filters per list: delete one first."), {"n": MAX_SAVED})
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(
                user=user, list_name=LIST_NAME, name=name, query=query, created_at=now or timezone.now()
            )
    except IntegrityError as exc:  # the same name saved at the same moment by another request
        raise Conflict(
            _("You already have a saved filter named “%(name)s”."), {"name": name}, code="duplicate_name"
        ) from exc


def saved_filter_delete(*, user: Any, filter_id: Any) -> None:
    """Delete one of the person's saved filters; anyone else's does not exist for them (404)."""
    deleted, _n = saved_filters(user=user).filter(pk=filter_id).delete()
    if not deleted:
        raise NotFound(_("No such saved filter."))


# --- export ----------------------------------------------------------------------------------------

# Chinese headers whatever the reader's language (DESIGN §6a, like the §16 files): the file is read in Excel
EXPORT_COLUMNS = (
    "编号", "项目名称", "企业名称", "统一社会信用代码", "境外注册号", "注册国家/地区", "行业", "环节", "总投资（元）",
    "战略性", "来源", "状态", "承办单位", "承办人", "首谈", "截止时间", "登记时间",
)  # fmt: skip
EXPORT_PATHS = (
    "id", "name", "company_name", "credit_code", "home_registration_number", "home_country", "sector__name_zh",
    "segment", "total_investment_cny", "strategic", "source", "state", "unit__name_zh", "assignee__username",
    "first_negotiation", "created_at", *(p for p in selectors.SUMMARY_PATHS if p.startswith("clock__")),
)  # fmt: skip
CHUNK = 2000  # rows read per round trip, and written per piece of the CSV stream


class ExportQuery(LeadListQuery):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], help_text="the file's format")


def _export_rows(leads: Any, now: datetime) -> Iterator[list[Any]]:
    """Each lead as the file's row, read in chunks (never the whole list in memory)."""
    calendar = workdays.current(lazy=True)
    with translation.override(FILE_LANGUAGE):
        labels = {
            "segment": {k: str(v) for k, v in policy.SEGMENTS.items()},
            "source": {k: str(v) for k, v in Source.choices},
            "state": {k: str(v) for k, v in State.choices},
        }
    for r in leads.values(*EXPORT_PATHS).iterator(chunk_size=CHUNK):
        deadline = None
        if r["clock__status"] in ("running", "paused"):
            deadline = selectors.clock_deadline(
                status=r["clock__status"], deadline_at=r["clock__deadline_at"], paused_at=r["clock__paused_at"],
                now=now, clock={k.removeprefix("clock__"): v for k, v in r.items() if k.startswith("clock__")},
                calendar=calendar,
            )  # fmt: skip
        yield [
            r["id"], r["name"], r["company_name"], r["credit_code"], r["home_registration_number"],
            str(r["home_country"] or ""), r["sector__name_zh"], labels["segment"].get(r["segment"], r["segment"]),
            r["total_investment_cny"], "是" if r["strategic"] else "否",
            labels["source"].get(r["source"], r["source"]), labels["state"].get(r["state"], r["state"]),
            r["unit__name_zh"] or "", r["assignee__username"] or "", "是" if r["first_negotiation"] else "否",
            _when(deadline), _when(r["created_at"]),
        ]  # fmt: skip


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class _Line:
    """csv.writer's file: hands back each line instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_chunks(rows: Iterable[list[Any]]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    piece = ["\ufeff", writer.writerow(EXPORT_COLUMNS)]  # Excel reads UTF-8 Chinese only after a BOM
    for row in rows:
        piece.append(writer.writerow(csv_row(row)))
        if len(piece) >= CHUNK:
            yield "".join(piece).encode("utf-8")
            piece = []
    yield "".join(piece).encode("utf-8")


def _xlsx_file(rows: Iterable[list[Any]], today: str) -> IO[bytes]:
    """A real .xlsx in a temporary file: openpyxl's write-only mode keeps rows on disk, not in memory."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"项目线索 {today}")
    sheet.append(list(EXPORT_COLUMNS))
    batch: list[list[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            _fill(sheet, batch)
            batch = []
    _fill(sheet, batch)
    out = tempfile.TemporaryFile()
    book.save(out)
    out.seek(0)
    return out


def _file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := file.read(64 * 1024):
            yield block
    finally:
        file.close()


def _streamed(request: HttpRequest, chunks: Iterator[bytes]) -> Iterator[bytes] | AsyncIterator[bytes]:
    """Served as it is made. Under ASGI Django would first collect a synchronous iterator into a list
    (the whole file in memory): there each next piece is made in the request's sync thread instead."""
    if not isinstance(request, ASGIRequest):
        return chunks

    async def pieces() -> AsyncIterator[bytes]:
        step = sync_to_async(lambda: next(chunks, None), thread_sensitive=True)
        try:
            while (chunk := await step()) is not None:
                yield chunk
        finally:
            await sync_to_async(chunks.close, thread_sensitive=True)()  # type: ignore[attr-defined]

    return pieces()


def lead_export(*, request: HttpRequest, user: Any, params: Any) -> StreamingHttpResponse:
    """Every row of the filtered list the caller may see, as CSV (UTF-8 with BOM) or XLSX, Chinese
    headers, today's date in the file's name; 400 for a bad format or filter."""
    values = engine.validate(ExportQuery, params)
    fmt = values["format"]
    leads = lead_list_for(user=user, params=params)
    now = timezone.now()
    today = timezone.localdate().isoformat()
    rows = _export_rows(leads, now)
    if fmt == "csv":
        chunks = _csv_chunks(rows)
        content_type = "text/csv; charset=utf-8"
    else:
        chunks = _file_chunks(_xlsx_file(rows, today))
        content_type = XLSX
    response = StreamingHttpResponse(_streamed(request, chunks), content_type=content_type)
    chinese = quote(f"项目线索-{today}.{fmt}")
    response["Content-Disposition"] = (
        f"attachment; filename=\"leads-{today}.{fmt}\"; filename*=UTF-8''{chinese}"
    )
    return response


# --- bulk actions ----------------------------------------------------------------------------------

MAX_BULK = 200
BULK_ACTIONS = ("submit", "assign")


class BulkAssignParams(serializers.Serializer):
    unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class BulkParams(serializers.Serializer):
    unit = serializers.CharField(required=False, max_length=40, help_text="assign: the unit's code")
    override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="assign: where §8 ranks the unit out"
    )


class BulkInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=BULK_ACTIONS)
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1, max_length=MAX_BULK
    )
    params = BulkParams(required=False)

    def validate_ids(self, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("Each lead at most once."), code="duplicate")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "assign":
            checked = BulkAssignParams(data=self.initial_data.get("params") or {})
            if not checked.is_valid():
                raise serializers.ValidationError({"params": checked.errors})
            attrs["params"] = {
                "unit": checked.validated_data["unit"].code,
                **({"override_reason": r} if (r := checked.validated_data.get("override_reason")) else {}),
            }
        else:
            attrs["params"] = {}
        return attrs


class BulkItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    state = serializers.CharField(allow_null=True)
    error = FieldErrorSerializer(allow_null=True)


class BulkResultSerializer(serializers.Serializer):
    results = BulkItemSerializer(many=True)


def leads_bulk(*, actor: Any, data: Any) -> list[dict[str, Any]]:
    """Fire one transition on many leads, in the order given, each through the engine in its own
    transaction: one refused leaves the others done. A malformed request (400) does nothing; a lead
    the caller may not see answers `not_found` like any other refusal."""
    values = engine.validate(BulkInput, data)
    results = []
    for pk in values["ids"]:
        try:
            lead = engine.fire(LEAD, pk=pk, name=values["action"], actor=actor, params=dict(values["params"]))
        except CaseError as exc:
            results.append(
                {"id": pk, "ok": False, "state": None, "error": {"code": exc.code, "message": exc.text()}}
            )
        else:
            results.append({"id": pk, "ok": True, "state": lead.state, "error": None})
    return results


# --- the API ---------------------------------------------------------------------------------------


class Export(APIView):
    @extend_schema(
        parameters=[ExportQuery],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        return lead_export(request=request._request, user=request.user, params=request.query_params)


class Bulk(APIView):
    @extend_schema(request=BulkInput, responses={200: BulkResultSerializer})
    def post(self, request: Request) -> Response:
        return Response({"results": leads_bulk(actor=request.user, data=request.data)})


class SavedFilterList(generics.ListAPIView):
    serializer_class = SavedFilterSerializer

    def get_queryset(self) -> Any:
        return saved_filters(user=self.request.user)

    @extend_schema(request=SavedFilterInput, responses={201: SavedFilterSerializer})
    def post(self, request: Request) -> Response:
        saved = saved_filter_create(user=request.user, data=request.data)
        return Response(SavedFilterSerializer(saved).data, status=status.HTTP_201_CREATED)


class SavedFilterDetail(APIView):
    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)], responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        saved_filter_delete(user=request.user, filter_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the pages -------------------------------------------------------------------------------------


def _back(request: HttpRequest, query: str = "") -> HttpResponse:
    response = redirect("cases:leads:index")
    response["Location"] += f"?{query}" if query else ""
    return response


class ExportView(LoginRequiredMixin, View):
    """The list's "Export CSV / Excel" links: the same file as the API's."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        try:
            return lead_export(request=request, user=request.user, params=request.GET)
        except CaseError as exc:
            messages.error(request, exc.text())
            return _back(request)


class SavedFilterCreateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        query = request.POST.get("query", "")
        try:
            saved_filter_create(
                user=request.user, data={"name": request.POST.get("name", ""), "query": query}
            )
        except CaseError as exc:
            messages.error(request, exc.text())
        else:
            messages.success(request, _("Filter saved."))
        return _back(request, query)


class SavedFilterDeleteView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            saved_filter_delete(user=request.user, filter_id=pk)
        except CaseError as exc:
            messages.error(request, exc.text())
        else:
            messages.success(request, _("Saved filter deleted."))
        return _back(request)


class BulkView(LoginRequiredMixin, View):
    """The list's bulk bar: the selected rows' ids, an action and (assign) a unit; a page of results."""

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        params = {"unit": request.POST.get("unit", "")} if action == "assign" else {}
        if action == "assign" and request.POST.get("override_reason"):
            params["override_reason"] = request.POST["override_reason"]
        try:
            ids = [int(i) for i in request.POST.getlist("ids")]
            results = leads_bulk(actor=request.user, data={"action": action, "ids": ids, "params": params})
        except (CaseError, ValueError) as exc:
            messages.error(
                request, exc.text() if isinstance(exc, CaseError) else str(_("Select leads first."))
            )
            return _back(request, request.POST.get("query", ""))
        names = dict(selectors.leads_visible(user=request.user).filter(pk__in=ids).values_list("pk", "name"))
        for r in results:
            r["name"] = names.get(r["id"], "")
            r["state_label"] = State(r["state"]).label if r["state"] else ""
        return TemplateResponse(
            request,
            "cases/lead_bulk_result.html",
            {"results": results, "action": LEAD.label(action), "query": request.POST.get("query", ""),
             "done": sum(r["ok"] for r in results)},
        )  # fmt: skip
