"""Pages for documents."""

from viewflow.urls import Viewset


class DocumentsViewset(Viewset):
    app_name = "documents"
