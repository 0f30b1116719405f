"""Pages (DESIGN §6b)."""

from viewflow.urls import Viewset


class ServicerequestsViewset(Viewset):
    app_name = "servicerequests"
