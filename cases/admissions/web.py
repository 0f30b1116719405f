"""Pages (DESIGN §6b)."""

from viewflow.urls import Viewset


class AdmissionsViewset(Viewset):
    app_name = "admissions"
