from django.urls import path, re_path

from cases.absences import api as absences
from cases.admissions import api as admissions
from cases.api import common
from cases.attachments import api as attachments
from cases.commitments import api as commitments
from cases.documents import api as documents
from cases.financing import api as financing
from cases.leads import api as leads
from cases.leads import casework
from cases.leads import lists as lead_lists
from cases.majorprojects import api as majorprojects
from cases.outcomes import api as outcomes
from cases.parameters import api as parameters
from cases.servicerequests import api as servicerequests
from cases.supportplans import api as supportplans

urlpatterns = [
    path("auth/token/", common.TokenView.as_view(), name="api-token"),
    path("units/", common.UnitList.as_view(), name="api-units"),
    path("leads/", leads.LeadList.as_view(), name="api-leads"),
    path("leads/export/", lead_lists.Export.as_view(), name="api-leads-export"),
    path("leads/bulk/", lead_lists.Bulk.as_view(), name="api-leads-bulk"),
    path("saved-filters/", lead_lists.SavedFilterList.as_view(), name="api-saved-filters"),
    path("saved-filters/<int:pk>/", lead_lists.SavedFilterDetail.as_view(), name="api-saved-filter"),
    path("leads/<int:pk>/", leads.LeadDetail.as_view(), name="api-lead"),
    path("leads/<int:pk>/assignee/", casework.LeadAssignee.as_view(), name="api-lead-assignee"),
    path("leads/<int:pk>/merge/", casework.LeadMerge.as_view(), name="api-lead-merge"),
    path("leads/<int:pk>/activities/", casework.LeadActivities.as_view(), name="api-lead-activities"),
    path("absences/", absences.AbsenceList.as_view(), name="api-absences"),
    path("absences/<int:pk>/", absences.AbsenceDetail.as_view(), name="api-absence"),
    *leads.transitions,
    path(
        "leads/<int:pk>/recommendations/", outcomes.Recommendations.as_view(), name="api-lead-recommendations"
    ),
    path(
        "leads/<int:pk>/fund_attribution/",
        outcomes.FundAttribution.as_view(),
        name="api-lead-fund-attribution",
    ),
    path("units/<slug:code>/capacity/", outcomes.Capacity.as_view(), name="api-unit-capacity"),
    path("rewards/", outcomes.RewardList.as_view(), name="api-rewards"),
    *outcomes.transitions,
    path("kpis/", outcomes.Kpis.as_view(), name="api-kpis"),
    path("kpis/leads/", outcomes.KpiLeads.as_view(), name="api-kpi-leads"),
    path("targets/", outcomes.Targets.as_view(), name="api-targets"),
    path("queue/", leads.Queue.as_view(), name="api-queue"),
    path("credits/", leads.CreditList.as_view(), name="api-credits"),
    path("commitments/", commitments.CommitmentList.as_view(), name="api-commitments"),
    path("commitments/standards/", commitments.StandardList.as_view(), name="api-commitment-standards"),
    path("commitments/<int:pk>/", commitments.CommitmentDetail.as_view(), name="api-commitment"),
    *commitments.transitions,
    *attachments.urlpatterns,
    *documents.urlpatterns,
    *majorprojects.urlpatterns,
    *servicerequests.urlpatterns,
    *supportplans.urlpatterns,
    *admissions.urlpatterns,
    *financing.urlpatterns,
    path("policy/parameters/", parameters.ParameterList.as_view(), name="api-policy-parameters"),
    path(
        "policy/parameters/preview/",
        parameters.ParameterPreview.as_view(),
        name="api-policy-parameters-preview",
    ),
]

# after every other API path (notifications' come from their own module): a JSON 404
fallback = [re_path(r"^.*$", common.NoSuchPath.as_view(), name="api-no-such-path")]
