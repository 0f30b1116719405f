"""`/api/leads/`, `/api/queue/`, `/api/credits/` (DESIGN §8): thin views that call one service or
selector; a lead's transitions are generated from its declarations (cases.api.transitions)."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.transitions import transition_urls
from cases.leads import lists, selectors, services
from cases.leads.inputs import CorrectionInput, LeadInput
from cases.leads.lists import LeadListQuery
from cases.leads.machine import LEAD
from cases.leads.serializers import (
    CreditSerializer,
    LeadDetailSerializer,
    LeadSummarySerializer,
    lead_summaries,
)
from workflow import engine


class SummaryList:
    """Lists of leads: a page of plain rows, shaped like LeadSummarySerializer without its machinery."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        leads = self.get_queryset()  # type: ignore[attr-defined] # a generic view's
        self.count_queryset = self.counted(leads)
        page = self.paginate_queryset(selectors.lead_summary_rows(leads))  # type: ignore[attr-defined]
        return self.get_paginated_response(lead_summaries(page))  # type: ignore[attr-defined]

    def counted(self, leads: Any) -> Any:
        """What the paginator counts (CappedPaginator): the leads without the rows' joins and order."""
        return leads.order_by()


class LeadList(SummaryList, generics.ListAPIView):
    serializer_class = LeadSummarySerializer

    @extend_schema(parameters=[LeadListQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        # sees_every_lead inside: one query where has_perm takes two
        return lists.lead_list_for(user=self.request.user, params=self.request.query_params)

    @extend_schema(request=LeadInput, responses={201: LeadDetailSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lead = services.lead_create(actor=request.user, data=request.data)
        lead = selectors.lead_get(user=request.user, lead_id=lead.pk)
        return Response(
            LeadDetailSerializer(lead, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class LeadDetail(APIView):
    @extend_schema(responses=LeadDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        lead = selectors.lead_get(user=request.user, lead_id=pk)
        return Response(LeadDetailSerializer(lead, context={"request": request}).data)

    @extend_schema(request=CorrectionInput, responses={200: LeadDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        """Correct the lead's facts (DESIGN §3): free in draft, with a `reason` afterwards; the
        history lists each changed field with its old and new value."""
        engine.fire(LEAD, pk=pk, name="correct", actor=request.user, params=request.data)
        return self.get(request, pk)


class QueueQuery(serializers.Serializer):
    mine = serializers.BooleanField(
        required=False,
        default=False,
        help_text="my cases: the open leads I hold or hold for an absent colleague",
    )
    kind = serializers.ChoiceField(
        required=False,
        default=None,
        allow_null=True,
        choices=selectors.QUEUE_KINDS,
        help_text="one part of what awaits me: `decide` (reviews, approvals, the city's pool; the longest "
        "waiting first) or `work` (the leads I work); both without",
    )


class Queue(SummaryList, generics.ListAPIView):
    serializer_class = LeadSummarySerializer

    @extend_schema(parameters=[QueueQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = engine.validate(QueueQuery, self.request.query_params)
        self.mine, self.kind = query["mine"], query.get("kind")
        if self.mine:
            return selectors.lead_my_cases(user=self.request.user)
        self.rights = selectors.queue_rights(user=self.request.user)  # one query for the page and count
        return selectors.lead_queue(user=self.request.user, rights=self.rights, kind=self.kind)

    def counted(self, leads: Any) -> Any:
        """The queue counted from the caller's grants (selectors.lead_queue_count): the same leads."""
        if self.mine:
            return leads.order_by()
        return lambda limit: selectors.lead_queue_count(
            user=self.request.user, rights=self.rights, limit=limit, kind=self.kind
        )


class CreditList(generics.ListAPIView):
    serializer_class = CreditSerializer

    @extend_schema(parameters=[OpenApiParameter("unit")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.credits_visible(user=self.request.user, unit=self.request.query_params.get("unit"))


def _get(user: Any, pk: Any) -> Any:
    return selectors.lead_get(user=user, lead_id=pk)


transitions = transition_urls(LEAD, prefix="leads", get=_get, serializer=LeadDetailSerializer)
