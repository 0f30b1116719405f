from django.urls import path

from cases.api import commitments, views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("units/", views.UnitList.as_view(), name="api-units"),
    path("leads/", views.LeadList.as_view(), name="api-leads"),
    path("leads/<int:pk>/", views.LeadDetail.as_view(), name="api-lead"),
    path(
        "leads/<int:pk>/transitions/<str:name>/", views.LeadTransition.as_view(), name="api-lead-transition"
    ),
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
