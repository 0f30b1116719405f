from django.urls import path

from cases.api import commitments, outcomes, views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("units/", views.UnitList.as_view(), name="api-units"),
    path("leads/", views.LeadList.as_view(), name="api-leads"),
    path("leads/<int:pk>/", views.LeadDetail.as_view(), name="api-lead"),
    path(
        "leads/<int:pk>/transitions/<str:name>/", views.LeadTransition.as_view(), name="api-lead-transition"
    ),
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
    path(
        "rewards/<int:pk>/transitions/<str:name>/",
        outcomes.RewardTransition.as_view(),
        name="api-reward-transition",
    ),
    path("kpis/", outcomes.Kpis.as_view(), name="api-kpis"),
    path("queue/", views.Queue.as_view(), name="api-queue"),
    path("credits/", views.CreditList.as_view(), name="api-credits"),
    path("commitments/", commitments.CommitmentList.as_view(), name="api-commitments"),
    path("commitments/standards/", commitments.StandardList.as_view(), name="api-commitment-standards"),
    path("commitments/<int:pk>/", commitments.CommitmentDetail.as_view(), name="api-commitment"),
    path(
        "commitments/<int:pk>/transitions/<str:name>/",
        commitments.CommitmentTransition.as_view(),
        name="api-commitment-transition",
    ),
]
