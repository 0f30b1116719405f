"""API of the formal papers (DESIGN §6a, §8): a lead's papers and the §16 report, as PDF."""

from django.http import HttpResponse
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from cases.api.schema import ErrorSerializer
from cases.documents import render, services
from cases.documents.models import LEAD_KINDS
from cases.outcomes import exports
from cases.outcomes import selectors as outcome_selectors
from cases.outcomes.inputs import KpiPeriodQuery

PDF = "application/pdf"
RESPONSES = {
    (200, PDF): OpenApiTypes.BINARY,
    409: OpenApiResponse(ErrorSerializer, description="another document was numbered at the same moment"),
    503: OpenApiResponse(ErrorSerializer, description="the CJK font is missing (install it or set PDF_FONT)"),
}


def _pdf(pdf: bytes, *, chinese: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = render.content_disposition(chinese=chinese, ascii_name=ascii_name)
    return response


class LeadDocument(APIView):
    """A lead's paper as PDF: 404 until the lead has reached it (docs/documents.md)."""

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(LEAD_KINDS))],
        responses=RESPONSES,
    )
    def get(self, request: Request, pk: int, kind: str) -> HttpResponse:
        pdf, name = services.lead_document_pdf(user=request.user, lead_id=pk, kind=kind)
        return _pdf(pdf, chinese=name, ascii_name=f"{kind}-{pk}.pdf")


class KpiReport(APIView):
    """The §16 assessment report of a period as PDF, for the units the caller sees (as GET /api/kpis/)."""

    @extend_schema(parameters=[KpiPeriodQuery], responses=RESPONSES)
    def get(self, request: Request) -> HttpResponse:
        units = outcome_selectors.assessment_units(user=request.user)
        start, end, _rest = exports.kpi_period(request.query_params)
        report = outcome_selectors.kpis(start=start, end=end, units=units)
        pdf, name = services.report_pdf(user=request.user, report=report, start=start, end=end)
        return _pdf(pdf, chinese=name, ascii_name=f"assessment-report-{start}-{end}.pdf")


urlpatterns: list[URLPattern] = [
    path("leads/<int:pk>/documents/<str:kind>/", LeadDocument.as_view(), name="api-lead-document"),
    path("kpis/report/", KpiReport.as_view(), name="api-kpi-report"),
]
