"""The lead's case work in the API (DESIGN §6a, §8 additions): corrections are a PATCH of the lead
(cases.leads.api.LeadDetail), and here who holds it, merging a duplicate, and its activity log.
Who holds it and the merge are transitions of the lead's machine, fired through the engine."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import access
from cases.errors import CaseError, NotFound
from cases.leads import selectors, services
from cases.leads.inputs import CORRECTABLE, ActivityInput, AssigneeInput, CorrectionInput, MergeInput
from cases.leads.machine import LEAD
from cases.leads.models import Activity, Lead, State
from cases.leads.serializers import LeadDetailSerializer
from cases.webforms import form_for, wan_initial, web_params
from workflow import engine


def _detail(request: Request, pk: Any) -> Response:
    lead = selectors.lead_get(user=request.user, lead_id=pk)
    return Response(LeadDetailSerializer(lead, context={"request": request}).data)


class LeadAssignee(APIView):
    """`PUT /api/leads/{id}/assignee/ {"username": NAME|null}`: claim, hand over, or (a leader)
    assign the lead to one of its unit's people; null: nobody holds it."""

    @extend_schema(request=AssigneeInput, responses={200: LeadDetailSerializer})
    def put(self, request: Request, pk: int) -> Response:
        engine.fire(LEAD, pk=pk, name="set_assignee", actor=request.user, params=request.data)
        return _detail(request, pk)


class LeadMerge(APIView):
    """`POST /api/leads/{id}/merge/ {"into": ID, "reason"}` (city officers): this lead is closed as a
    duplicate of `into`, which keeps both histories, the activities, credits and attachments."""

    @extend_schema(request=MergeInput, responses={200: LeadDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        duplicate = engine.fire(LEAD, pk=pk, name="merge", actor=request.user, params=request.data)
        return _detail(request, duplicate.duplicate_of_id)


class ActivitySerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Activity
        fields = ["id", "lead", "kind", "kind_label", "at", "summary", "actor", "created_at"]


class LeadActivities(generics.ListAPIView):
    """`GET|POST /api/leads/{id}/activities/`: the lead's meetings, visits, calls and notes, newest
    first; those working the lead add to them."""

    serializer_class = ActivitySerializer

    def get_queryset(self) -> Any:
        lead = selectors.lead_get(user=self.request.user, lead_id=self.kwargs["pk"])
        return Activity.objects.filter(lead=lead).select_related("actor").order_by("-at", "-id")

    @extend_schema(request=ActivityInput, responses={201: ActivitySerializer})
    def post(self, request: Request, pk: int) -> Response:
        activity = services.activity_create(actor=request.user, lead_id=pk, data=request.data)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


# --- pages -------------------------------------------------------------------------------------------


class _LeadPage(LoginRequiredMixin, View):
    """A case-work page of one lead: the lead as the person may see it (404 otherwise)."""

    def lead(self, request: HttpRequest, pk: int) -> Lead:
        try:
            return selectors.lead_get(user=request.user, lead_id=pk)
        except NotFound as exc:
            raise Http404(exc.text()) from exc


class AssigneeView(_LeadPage):
    """The assignee box on the lead page: claim, hand over, assign, release."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.lead(request, pk)
        username = request.POST.get("username") or None
        try:
            engine.fire(LEAD, pk=pk, name="set_assignee", actor=request.user, params={"username": username})
        except CaseError as exc:
            messages.error(request, exc.text())
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": LEAD.label("set_assignee")})
        return redirect("cases:leads:detail", pk=pk)


class ActivityView(_LeadPage):
    """The activity form on the lead page (its timeline shows the result)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        data = request.POST.dict()
        if data.get("at") and len(data["at"]) == 16:  # datetime-local: Beijing time, to the minute
            data["at"] = f"{data['at']}:00+08:00"
        try:
            services.activity_create(actor=request.user, lead_id=pk, data=data)
        except NotFound as exc:
            raise Http404(exc.text()) from exc
        except CaseError as exc:
            messages.error(request, exc.text())
        else:
            messages.success(request, _("Activity recorded."))
        return redirect(reverse("cases:leads:detail", args=[pk]) + "#timeline")


def _current(lead: Lead) -> dict[str, Any]:
    values = {name: getattr(lead, name) for name in CORRECTABLE}
    country: Any = lead.home_country  # a django-countries Country, whatever the stubs say
    values["sector"], values["home_country"] = lead.sector_id, country.code or ""
    return {k: ("" if v is None else v) for k, v in values.items()}


class CorrectionView(_LeadPage, TemplateView):
    """`Correct` on the lead page: the facts, prefilled; only what changed is sent to the engine."""

    template_name = "cases/lead_correct.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lead = self.lead(request, kwargs["pk"])
        if not LEAD.may(lead, request.user, "correct"):
            raise PermissionDenied(_("This action is not open to you on this lead now."))
        return self.render_to_response(
            self.context(
                lead, form_for(CorrectionInput, initial=wan_initial(CorrectionInput, _current(lead)))
            )
        )

    def context(self, lead: Lead, form: Any, error: str = "") -> dict[str, Any]:
        if lead.state != State.DRAFT and not access.can_dispatch(lead, self.request.user):
            form.fields.pop("strategic", None)  # the city rules on it after submission
        if "home_country" in form.fields:
            form.fields["home_country"].choices = [("", "—"), *form.fields["home_country"].choices]
        return {"lead": lead, "form": form, "error": error, "needs_reason": lead.state != State.DRAFT}

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        lead = self.lead(request, pk)
        data: dict[str, Any] = {}
        current = wan_initial(CorrectionInput, _current(lead))  # amounts as the page shows them, in 万
        for name in CORRECTABLE:
            if name == "strategic":
                if "strategic" in self.context(lead, form_for(CorrectionInput))["form"].fields:
                    given: Any = "strategic" in request.POST
                    if given != current["strategic"]:
                        data["strategic"] = given
                continue
            if name in request.POST and request.POST[name].strip() != str(current[name]).strip():
                data[name] = request.POST[name]
        data["reason"] = request.POST.get("reason", "")
        try:
            data = web_params(CorrectionInput, data)  # typed in 万元 / 万美元
            engine.fire(LEAD, pk=pk, name="correct", actor=request.user, params=data)
        except CaseError as exc:
            form = form_for(CorrectionInput, request.POST, exc.errors)
            return self.render_to_response(self.context(lead, form, exc.text()), status=exc.status)
        messages.success(request, _("The corrections are recorded in the lead's history."))
        return redirect("cases:leads:detail", pk=pk)


class MergeView(_LeadPage, TemplateView):
    """`Merge` on the lead page (city officers): pick the registration that stays."""

    template_name = "cases/lead_merge.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lead = self.lead(request, kwargs["pk"])
        if not LEAD.may(lead, request.user, "merge"):
            raise PermissionDenied(_("This action is not open to you on this lead now."))
        return self.render_to_response(self.context(lead, form_for(MergeInput)))

    def context(self, lead: Lead, form: Any, error: str = "") -> dict[str, Any]:
        return {
            "lead": lead,
            "form": form,
            "error": error,
            "candidates": selectors.lead_merge_candidates(lead=lead, user=self.request.user),
        }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        lead = self.lead(request, pk)
        if not LEAD.may(lead, request.user, "merge"):
            raise PermissionDenied(_("This action is not open to you on this lead now."))
        try:
            duplicate = engine.fire(LEAD, pk=pk, name="merge", actor=request.user, params=request.POST.dict())
        except CaseError as exc:
            form = form_for(MergeInput, request.POST, exc.errors)
            return self.render_to_response(self.context(lead, form, exc.text()), status=exc.status)
        messages.success(
            request, _("Merged: this is the lead that stays; the duplicate's history is in its timeline.")
        )
        return redirect("cases:leads:detail", pk=duplicate.duplicate_of_id)
