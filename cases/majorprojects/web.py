"""Pages (DESIGN §6b)."""

from viewflow.urls import Viewset


class MajorprojectsViewset(Viewset):
    app_name = "majorprojects"
