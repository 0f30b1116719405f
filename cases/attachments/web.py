"""Pages for attachments."""

from viewflow.urls import Viewset


class AttachmentsViewset(Viewset):
    app_name = "attachments"
