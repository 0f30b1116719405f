from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView
from viewflow.contrib.auth import AuthViewset
from viewflow.urls import Application, Site

from cases.absences.web import AbsencesViewset
from cases.admissions.web import AdmissionsViewset
from cases.api.urls import fallback as api_fallback
from cases.attachments.web import AttachmentsViewset
from cases.commitments.web import CommitmentsViewset
from cases.documents.web import DocumentsViewset
from cases.financing.web import FinancingViewset
from cases.imports.web import ImportsViewset
from cases.leads.web import ChartViewset, LeadsViewset, QueueViewset
from cases.majorprojects.web import MajorprojectsViewset
from cases.outcomes.capacity import CapacityViewset
from cases.outcomes.web import KpiViewset, RewardsViewset
from cases.parameters.web import ParametersViewset
from cases.people.web import PeopleViewset
from cases.servicerequests.web import ServicerequestsViewset
from cases.supportplans.web import SupportplansViewset
from notifications.web import NotificationsViewset


class CasesApp(Application):
    title = _("First negotiation")
    app_name = "cases"
    icon = "handshake"
    viewsets = [
        QueueViewset(),
        LeadsViewset(),
        CommitmentsViewset(),
        KpiViewset(),
        RewardsViewset(),
        ImportsViewset(),
        NotificationsViewset(),
        ParametersViewset(),
        AbsencesViewset(),
        ChartViewset(),
        AttachmentsViewset(),
        DocumentsViewset(),
        MajorprojectsViewset(),
        ServicerequestsViewset(),
        SupportplansViewset(),
        AdmissionsViewset(),
        FinancingViewset(),
        PeopleViewset(),
        CapacityViewset(),
    ]


site = Site(title=_("Beijing investment leads"), viewsets=[CasesApp()])

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/", include("cases.api.urls")),
    path("api/", include("notifications.api")),
    path("api/", include(api_fallback)),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", site.urls),
]

# Django's own error answers: the API's JSON error shape under /api/, Django's pages elsewhere
handler400 = "cases.api.errors.api_bad_request"
handler403 = "cases.api.errors.api_permission_denied"
handler404 = "cases.api.errors.api_page_not_found"
handler500 = "cases.api.errors.api_server_error"
