"""The officers' and leaders' web pages. Every page calls the same selectors and services as the API."""

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, TemplateView
from django_countries import countries
from viewflow.urls import AppMenuMixin, Viewset

from cases import access, policy, statechart
from cases.awaiting import awaiting
from cases.casepages import CaseTransitionView
from cases.errors import CaseError, NotFound
from cases.leads import casework, lists, nextstep, selectors, services
from cases.leads.inputs import LeadInput
from cases.leads.machine import LEAD
from cases.leads.models import Activity, Lead, Source, State
from cases.outcomes import recommendation
from cases.webforms import form_for, web_params
from workflow import engine, workdays
from workflow.models import HOSTING_LEVELS, Level, OrgUnit, Role, Sector

SOON_DAYS = selectors.SOON_DAYS
QUEUE_PAGE = 25  # rows per page of each part of the queue
# rows other records write in a lead's history (a merge, a city major project), by how people call them
HISTORY_ONLY_LABELS = {
    "merged_in": _("A duplicate was merged in"),
    "designate_major_project": _("Designated a city major project"),
    "change_major_project_steward": _("City steward changed"),
    "end_major_project": _("No longer a city major project"),
}


def annotate_deadlines(leads: list[Lead], now: Any = None) -> list[Lead]:
    """Read each lead's (already joined) clock as every page reads it (selectors.clock_reading), for
    the lists, with one statutory calendar for the whole page: a paused clock's projected deadline
    reads it once per page, not once per paused lead."""
    now, calendar = now or timezone.now(), workdays.current(lazy=True)
    for lead in leads:
        reading = selectors.clock_reading(
            clock=lead.clock, now=now, calendar=calendar, escalated=lead.state == State.ESCALATED
        )
        live = bool(reading and reading["live"])
        # read by the list templates; not fields of the model
        vars(lead).update(
            clock_view=reading,
            deadline=reading["deadline_at"] if live else None,  # type: ignore[index] # live: a reading
            days_left=reading["days_left"] if live else None,  # type: ignore[index]
            overdue=bool(reading and reading["level"] == selectors.LATE),
            soon_due=bool(reading and reading["level"] == selectors.SOON),
        )
    return leads


def annotate_next_steps(leads: list[Lead], user: Any) -> list[Lead]:
    """Each lead's next step for `user` (nextstep.next_step), from the machine: the caller's grants
    on the whole page read at once, so a row costs no query."""
    access.prefetch_object_perms(leads, user)
    for lead in leads:
        vars(lead)["next"] = nextstep.next_step(LEAD, lead, LEAD.available(lead, user))
    return leads


class CountedPaginator(Paginator):
    """A paginator told its count (a queue is counted from the caller's grants, not by COUNT(*))."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # the cached property, filled


class Chained:
    """Several counted querysets read as one list, so that a page reads only its own rows from each
    (the home page's commitment work: to review, then inspections, then rectifications)."""

    def __init__(self, parts: list[tuple[Any, int]]) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(n for _qs, n in self.parts)

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = window.start or 0, window.stop if window.stop is not None else len(self)
        rows: list[Any] = []
        for qs, n in self.parts:
            if start < n and stop > 0:
                rows.extend(qs[max(start, 0) : min(stop, n)])
            start, stop = start - n, stop - n
        return rows


def paged(
    request: HttpRequest, param: str, rows: Any, count: int, per_page: int = QUEUE_PAGE
) -> dict[str, Any]:
    """One page of a part of the queue (`?<param>=N`; a wrong number shows the first or the last
    page), with what _pager.html needs to link the others while keeping the rest of the URL."""
    page = CountedPaginator(rows, per_page, count).get_page(request.GET.get(param))
    rest = request.GET.copy()
    rest.pop(param, None)
    return {"page_obj": page, "count": count, "param": param, "query": rest.urlencode(), "rows": list(page)}


class QueueView(LoginRequiredMixin, TemplateView):
    """Home: what awaits me — first what awaits my decision, the longest waiting first, then the leads
    I work, then the commitment applications awaiting me — every item, paged, each with its next step
    (or, `?mine=1`, my cases); then my units' leads; for the city, the pool in tabs with counts."""

    template_name = "cases/queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from cases.commitments import selectors as commitment_selectors
        from cases.commitments.machine import COMMITMENT

        user: Any = self.request.user
        request = self.request
        tab = request.GET.get("tab")
        show_mine = request.GET.get("mine") in ("1", "true")
        rights = selectors.queue_rights(user=user)
        counts = selectors.lead_pool_counts(user=user) if rights.dispatches else {}
        pool = None
        if counts:
            tab = tab if tab in counts else next(iter(counts))
            pool = paged(request, "pool_page", selectors.lead_list(user=user, state=tab), counts[tab])
        units = list(OrgUnit.objects.filter(memberships__user=user, level__in=HOSTING_LEVELS).distinct())
        decide = work = mine = None
        counted = {
            kind: selectors.lead_queue_count(user=user, rights=rights, kind=kind)
            for kind in selectors.QUEUE_KINDS
        }
        queue = commitment_selectors.commitment_queue(user=user)
        apps = Chained(
            [(queue[part], queue[part].count()) for part in ("review", "inspection", "rectification")]
        )
        if show_mine:
            mine_qs = selectors.lead_my_cases(user=user)
            mine = paged(request, "page", mine_qs, mine_qs.count())
            for lead in mine["rows"]:  # held for an absent colleague: the row says for whom
                vars(lead)["held_for"] = lead.assignee if lead.assignee_id != user.pk else None
        else:
            decide = paged(
                request, "page", selectors.lead_queue(user=user, rights=rights, kind=selectors.DECIDE),
                counted[selectors.DECIDE],
            )  # fmt: skip
            work = paged(
                request, "work_page", selectors.lead_queue(user=user, rights=rights, kind=selectors.WORK),
                counted[selectors.WORK],
            )  # fmt: skip
        commitments = paged(request, "commitment_page", apps, len(apps))
        coordination = awaiting(user=user)  # service requests, support plans … : a count and a link each
        calendar = workdays.current(lazy=True)
        access.prefetch_object_perms(commitments["rows"], user)
        for app in commitments["rows"]:
            vars(app)["clock_view"] = selectors.clock_reading(clock=app.clock, calendar=calendar)
            vars(app)["next"] = nextstep.next_step(COMMITMENT, app, COMMITMENT.available(app, user))
        unit_leads = list(selectors.leads_in_units(user=user, units=units)[:QUEUE_PAGE]) if units else []
        for part in (decide, work, mine, pool):
            if part is not None:
                annotate_next_steps(annotate_deadlines(part["rows"]), user)
        annotate_next_steps(annotate_deadlines(unit_leads), user)
        return super().get_context_data(
            decide=decide,
            work=work,
            mine=mine,
            commitments=commitments,
            awaiting_count=counted[selectors.DECIDE]
            + counted[selectors.WORK]
            + len(apps)
            + sum(c["count"] for c in coordination),
            coordination=coordination,
            leads_awaiting=counted[selectors.DECIDE] + counted[selectors.WORK],
            show_mine=show_mine,
            unit_leads=unit_leads,
            units=units,
            unit_codes=",".join(u.code for u in units),
            tabs=[(state, State(state).label, n) for state, n in counts.items()],
            tab=tab,
            pool=pool,
            **kwargs,
        )


class LeadFilter(forms.Form):
    """The list's filters, submitted by GET so that the URL holds them (the same as the API's)."""

    q = forms.CharField(required=False, max_length=selectors.MAX_QUERY, label=_("Search"))
    state = forms.ChoiceField(required=False, choices=[("", "—")] + list(State.choices), label=_("State"))
    unit = forms.ChoiceField(required=False, label=_("Unit"))
    sector = forms.ChoiceField(required=False, label=_("Sector"))
    segment = forms.ChoiceField(
        required=False, choices=[("", "—")] + list(policy.SEGMENTS.items()), label=_("Segment")
    )
    assignee = forms.CharField(
        required=False,
        max_length=150,
        label=_("Assignee"),
        help_text=_('A username, or "none" for unassigned leads.'),
    )
    first_negotiation = forms.NullBooleanField(required=False, label=_("First negotiation"))
    overdue = forms.BooleanField(required=False, label=_("Overdue"))
    due_within = forms.IntegerField(required=False, min_value=0, max_value=366, label=_("Due within (days)"))
    ordering = forms.ChoiceField(
        required=False, choices=[(o, o) for o in selectors.ORDERING_CHOICES], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "—")] + [
            (u.code, u.display_name) for u in OrgUnit.objects.filter(level__in=HOSTING_LEVELS)
        ]
        cast(forms.ChoiceField, self.fields["sector"]).choices = [("", "—")] + [
            (s.slug, s.display_name) for s in Sector.objects.all()
        ]
        self.fields["first_negotiation"].widget = forms.Select(
            choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]
        )

    def query(self) -> dict[str, str]:
        """The valid filters given, as the URL writes them (the API's spelling: true/false)."""
        data = getattr(self, "cleaned_data", {})
        out = {}
        for name, value in data.items():
            if value is None or value == "" or (value is False and name != "first_negotiation"):
                continue
            out[name] = str(value).lower() if isinstance(value, bool) else str(value)
        return out


# the list's sortable columns, in the order of the table's headers
SORTABLE = {
    "name": _("Project"),
    "state": _("State"),
    "unit": _("Unit"),
    "assignee": _("Assignee"),
    "total_investment_cny": _("Total investment"),
    "deadline": _("Deadline"),
    "created_at": _("Registered"),
}


class LeadListView(LoginRequiredMixin, ListView):
    template_name = "cases/lead_list.html"
    paginate_by = 50
    context_object_name = "leads"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        data = self.request.GET.copy()
        legacy = selectors.LEGACY_SORTS.get(data.get("sort") or "")
        if legacy and not data.get("ordering"):
            data["ordering"] = legacy  # the older ?sort= links
        self.filter_form = LeadFilter(data or None)
        self.filter_form.is_valid()  # the valid filters apply, the wrong ones show their errors
        f = getattr(self.filter_form, "cleaned_data", {})
        return selectors.lead_list(
            user=self.request.user,
            q=f.get("q"),
            state=f.get("state"),
            unit=f.get("unit"),
            sector=f.get("sector"),
            segment=f.get("segment"),
            assignee=f.get("assignee"),
            first_negotiation=f.get("first_negotiation"),
            overdue=bool(f.get("overdue")),
            due_within_days=f.get("due_within"),
            ordering=f.get("ordering") or None,
            sees_all=selectors.sees_every_lead(user=self.request.user),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        annotate_deadlines(context["leads"])
        query = self.filter_form.query()
        current = query.get("ordering", selectors.DEFAULT_ORDERING)
        unsorted = {k: v for k, v in query.items() if k != "ordering"}
        sort_links = []
        for name, label in SORTABLE.items():
            # a click sorts by the column; a second click on the sorted column turns the order round
            order = f"-{name}" if current == name else name
            mark = "asc" if current == name else "desc" if current == f"-{name}" else ""
            url = "?" + urlencode({**unsorted, "ordering": order})
            sort_links.append({"field": name, "label": label, "url": url, "mark": mark})
        return {
            **context,
            "filter_form": self.filter_form,
            "query": urlencode(query),
            "sort_links": sort_links,
            "saved_filters": list(lists.saved_filters(user=self.request.user)),
            "assign_units": OrgUnit.objects.filter(level__in=("district", "zone")).order_by("code")
            if self.request.user.has_perm("cases.dispatch_lead")
            else None,
            "bulk": True,
        }


class LeadDetailView(LoginRequiredMixin, TemplateView):
    template_name = "cases/lead_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user: Any = self.request.user
        try:
            lead = selectors.lead_get(user=user, lead_id=kwargs["pk"])
        except NotFound as exc:
            raise Http404(exc.text()) from exc
        timeline = selectors.lead_timeline(lead=lead)
        summary = selectors.clock_summary(clock=lead.clock)
        stopped_why = None
        if summary and summary["stopped_at"]:  # what stopped it: the move recorded at that moment
            stopped_why = next(
                (LEAD.labels().get(e["record"].transition) for e in timeline
                 if "record" in e and e["at"] == summary["stopped_at"]),
                None,
            )  # fmt: skip
        clock = selectors.clock_reading(
            clock=lead.clock,
            summary=summary,
            escalated=lead.state == State.ESCALATED,
            stopped_why=stopped_why,
        )
        available = LEAD.available(lead, user)
        actions = [(name, LEAD.label(name)) for name in available]
        may_hold = LEAD.may(lead, user, "set_assignee")
        return super().get_context_data(
            lead=lead,
            clock=clock,
            progress=clock["percent"] if clock else None,
            next=nextstep.next_step(LEAD, lead, available),
            timeline=timeline,
            labels={**LEAD.labels(), **HISTORY_ONLY_LABELS},
            may_correct=LEAD.may(lead, user, "correct"),
            may_merge=LEAD.may(lead, user, "merge"),
            may_hold=may_hold,
            people=selectors.lead_people(lead=lead) if may_hold else [],
            may_log=lead.state != State.CLOSED and access.can_log_activity(lead, user),
            activity_kinds=Activity.Kind.choices,
            merged=lead.merged_duplicates.all(),
            exclusions=lead.exclusions.select_related("unit").order_by("at"),
            credits=lead.credits.select_related("unit"),
            milestones=lead.milestones.select_related("unit"),
            actions=actions,
            milestone_labels=policy.MILESTONE_KINDS,
            **kwargs,
        )


def transition_form(name: str, lead: Lead, data: Any = None, errors: Any = None) -> forms.Form:
    """The parameters form of a transition, drawn from its input serializer, with the unit choice
    limited to what the rules allow."""
    input_cls = engine.input_of(engine.declared(LEAD.transitions[name]))
    form = form_for(input_cls, data, errors)
    if input_cls is not None and "strategic" in form.fields:
        # a ruling is a yes or a no (a checkbox cannot say "no"); where it is optional, also "none"
        declared = input_cls().fields["strategic"]
        none = [] if declared.required else [("", _("No ruling: the proposal stands"))]
        form.fields["strategic"] = forms.ChoiceField(
            label=declared.label,
            required=declared.required,
            choices=none + [("true", _("Strategic")), ("false", _("Not strategic"))],
        )
    if "unit" in form.fields:
        # the units the rules allow as the recommendation's ranked table, nothing chosen in advance
        form.fields["unit"] = recommendation.unit_field(lead)
    if "attachments" in form.fields:
        # the milestone's evidence: a box per file of the lead (none yet: nothing to point at)
        from cases.attachments import selectors as attachment_selectors
        from cases.attachments.forms import EvidenceCheckboxes

        files = attachment_selectors.attachments_of(owner=lead)
        if files:
            form.fields["attachments"] = forms.MultipleChoiceField(
                label=form.fields["attachments"].label, required=False, widget=EvidenceCheckboxes,
                choices=[(str(a.pk), a.name) for a in files],
            )  # fmt: skip
        else:
            del form.fields["attachments"]
    return form


class TransitionView(CaseTransitionView):
    """One transition of a lead: a form for its parameters, the unit choice limited to what the rules allow."""

    case_type = LEAD
    detail = "cases:leads:detail"

    def get_case(self, user: Any, pk: Any) -> Lead:
        return selectors.lead_get(user=user, lead_id=pk)

    def form(self, name: str, data: Any = None, errors: Any = None) -> forms.Form:
        return transition_form(name, self.case, data, errors)

    def case_context(self) -> dict[str, Any]:
        return {"lead": self.case}


class LeadCreateView(LoginRequiredMixin, TemplateView):
    template_name = "cases/lead_create.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.pop("form", None) or form_for(LeadInput, initial={"source": Source.DISTRICT})
        units = OrgUnit.objects.filter(  # the units that register leads: the city, districts and zones
            memberships__user=self.request.user.pk,
            memberships__role="officer",
            level__in=(Level.CITY, *HOSTING_LEVELS),
        ).distinct()
        return super().get_context_data(
            form=form, units=units, segments=policy.SEGMENTS.items(), countries=list(countries), **kwargs
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        data: dict[str, Any] = request.POST.dict()
        data["strategic"] = "strategic" in request.POST
        try:
            # amounts are typed in 万元 / 万美元; the form below keeps showing what was typed
            lead = services.lead_create(actor=request.user, data=web_params(LeadInput, data))
        except CaseError as exc:
            form = form_for(LeadInput, request.POST, exc.errors)
            return self.render_to_response(
                self.get_context_data(form=form, error=exc.text()), status=exc.status
            )
        if "submit_now" in request.POST:
            try:
                engine.fire(LEAD, pk=lead.pk, name="submit", actor=request.user)
            except CaseError as exc:
                messages.error(request, exc.text())
        messages.success(request, _("Lead registered."))
        return redirect("cases:leads:detail", pk=lead.pk)


class DuplicateCheckView(LoginRequiredMixin, View):
    """GET ?credit_code=: does this company already have an open lead? (the form warns before submit)"""

    def get(self, request: HttpRequest) -> JsonResponse:
        # only people who register leads learn who registered a company first (DESIGN §3, §11)
        if not request.user.memberships.filter(role=Role.OFFICER).exists():  # type: ignore[union-attr] # signed in
            raise PermissionDenied(_("Only officers who register leads may check for duplicates."))
        first = selectors.lead_open_duplicate(credit_code=request.GET.get("credit_code", ""))
        if first is None:
            return JsonResponse({"duplicate": False})
        return JsonResponse(
            {
                "duplicate": True,
                "unit": first.discovering_unit.name_zh,
                "date": timezone.localtime(first.created_at).date().isoformat(),
            }
        )


class StateChartView(LoginRequiredMixin, TemplateView):
    """The lead machine drawn from its own transition table (django-fsm-2), not a picture."""

    template_name = "cases/state_chart.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        edges = LEAD.edges()
        labels = {name: str(label) for name, label in LEAD.labels().items()}
        states = {s.value: str(s.label) for s in State}
        chart = statechart.layout(list(states.items()), edges, labels)
        rows = [
            {
                "name": e["name"],
                "label": labels[e["name"]],
                "source": states[e["source"]],
                "target": states[e["target"]],
            }
            for e in edges
        ]
        return super().get_context_data(chart=chart, edges=rows, **kwargs)


class QueueViewset(AppMenuMixin, Viewset):
    app_name = "queue"
    title = _("My queue")
    icon = "inbox"
    index_path = path("", QueueView.as_view(), name="index")


class LeadsViewset(AppMenuMixin, Viewset):
    app_name = "leads"
    title = _("Leads")
    icon = "work"
    index_path = path("", LeadListView.as_view(), name="index")
    create_path = path("new/", LeadCreateView.as_view(), name="create")
    duplicate_path = path("duplicate/", DuplicateCheckView.as_view(), name="duplicate")
    detail_path = path("<int:pk>/", LeadDetailView.as_view(), name="detail")
    transition_path = path("<int:pk>/do/<str:name>/", TransitionView.as_view(), name="transition")
    assignee_path = path("<int:pk>/assignee/", casework.AssigneeView.as_view(), name="assignee")
    activity_path = path("<int:pk>/activities/", casework.ActivityView.as_view(), name="activity")
    correct_path = path("<int:pk>/correct/", casework.CorrectionView.as_view(), name="correct")
    merge_path = path("<int:pk>/merge/", casework.MergeView.as_view(), name="merge")
    export_path = path("export/", lists.ExportView.as_view(), name="export")
    bulk_path = path("bulk/", lists.BulkView.as_view(), name="bulk")
    save_filter_path = path("saved-filters/", lists.SavedFilterCreateView.as_view(), name="save_filter")
    delete_filter_path = path(
        "saved-filters/<int:pk>/delete/", lists.SavedFilterDeleteView.as_view(), name="delete_filter"
    )


class ChartViewset(AppMenuMixin, Viewset):
    app_name = "chart"
    title = _("State chart")
    icon = "account_tree"
    index_path = path("", StateChartView.as_view(), name="index")
