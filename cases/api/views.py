"""Thin HTTP views: parse, call one service or selector, serialise."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import selectors, services
from cases.api.serializers import (
    CreditSerializer,
    LeadDetailSerializer,
    LeadSummarySerializer,
    UnitSerializer,
    lead_summaries,
)
from workflow.models import OrgUnit


class TokenView(ObtainAuthToken):
    """`POST /api/auth/token/ {username, password}` → `{token}`."""


class UnitList(generics.ListAPIView):
    serializer_class = UnitSerializer
    queryset = OrgUnit.objects.select_related("parent").prefetch_related("leading_industries").order_by("id")


class SummaryList:
    """Lists of leads: a page of plain rows, shaped like LeadSummarySerializer without its machinery."""

    def list(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        leads = self.get_queryset()  # type: ignore[attr-defined]
        self.count_queryset = leads.order_by()  # counted without the rows' joins and order
        page = self.paginate_queryset(selectors.lead_summary_rows(leads))  # type: ignore[attr-defined]
        return self.get_paginated_response(lead_summaries(page))  # type: ignore[attr-defined]


class LeadList(SummaryList, generics.ListCreateAPIView):
    serializer_class = LeadSummarySerializer

    @extend_schema(
        parameters=[OpenApiParameter("state"), OpenApiParameter("unit"), OpenApiParameter("q")],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        p = self.request.query_params
        return selectors.lead_list(
            user=self.request.user, state=p.get("state"), unit=p.get("unit"), q=p.get("q")
        )

    @extend_schema(request=LeadDetailSerializer, responses={201: LeadDetailSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        lead = services.lead_create(actor=request.user, data=form_data(request.data))
        lead = selectors.lead_get(user=request.user, lead_id=lead.pk)
        return Response(
            LeadDetailSerializer(lead, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class LeadDetail(APIView):
    @extend_schema(responses=LeadDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        lead = selectors.lead_get(user=request.user, lead_id=pk)
        return Response(LeadDetailSerializer(lead, context={"request": request}).data)


class LeadTransition(APIView):
    @extend_schema(request=None, responses=LeadDetailSerializer)
    def post(self, request: Request, pk: int, name: str) -> Response:
        services.lead_transition(lead_id=pk, name=name, actor=request.user, params=form_data(request.data))
        lead = selectors.lead_get(user=request.user, lead_id=pk)
        return Response(LeadDetailSerializer(lead, context={"request": request}).data)


class Queue(SummaryList, generics.ListAPIView):
    serializer_class = LeadSummarySerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.lead_queue(user=self.request.user)


class CreditList(generics.ListAPIView):
    serializer_class = CreditSerializer

    @extend_schema(parameters=[OpenApiParameter("unit")])
    def get(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.credits_visible(user=self.request.user, unit=self.request.query_params.get("unit"))


def form_data(data) -> dict:  # type: ignore[no-untyped-def]
    """JSON bodies to the flat strings Django forms expect (booleans stay booleans)."""
    if not hasattr(data, "items"):
        return {}
    return {k: v for k, v in data.items() if v is not None}
