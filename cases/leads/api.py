"""`/api/leads/`, `/api/queue/`, `/api/credits/` (DESIGN §8): thin views that call one service or
selector; a lead's transitions are generated from its declarations (cases.api.transitions)."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.transitions import transition_urls
from cases.leads import selectors, services
from cases.leads.inputs import LeadInput
from cases.leads.machine import LEAD
from cases.leads.serializers import (
    CreditSerializer,
    LeadDetailSerializer,
    LeadSummarySerializer,
    lead_summaries,
)


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

    @extend_schema(
        parameters=[OpenApiParameter("state"), OpenApiParameter("unit"), OpenApiParameter("q")],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        p = self.request.query_params
        user = self.request.user
        return selectors.lead_list(
            user=user,
            state=p.get("state"),
            unit=p.get("unit"),
            q=p.get("q"),
            sees_all=selectors.sees_every_lead(user=user),  # one query where has_perm takes two
        )

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


class Queue(SummaryList, generics.ListAPIView):
    serializer_class = LeadSummarySerializer

    def get_queryset(self) -> Any:
        self.rights = selectors.queue_rights(user=self.request.user)  # one query for the page and count
        return selectors.lead_queue(user=self.request.user, rights=self.rights)

    def counted(self, leads: Any) -> Any:
        """The queue counted from the caller's grants (selectors.lead_queue_count): the same leads."""
        return lambda limit: selectors.lead_queue_count(
            user=self.request.user, rights=self.rights, limit=limit
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
