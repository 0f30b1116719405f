"""Pages (DESIGN §6b)."""

from viewflow.urls import Viewset


class SupportplansViewset(Viewset):
    app_name = "supportplans"
