"""Pages (DESIGN §6b)."""

from viewflow.urls import Viewset


class FinancingViewset(Viewset):
    app_name = "financing"
