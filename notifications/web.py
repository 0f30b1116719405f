from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView
from viewflow.urls import AppMenuMixin, Viewset

from notifications import selectors, services, texts


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/list.html"
    paginate_by = 50
    context_object_name = "notifications"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.notification_list(
            user=self.request.user, unread=self.request.GET.get("unread") == "1"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for n in context["notifications"]:
            n.text = texts.render(n)
        return context


class MarkReadView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        services.notification_mark_read(user=request.user, notification_id=pk)
        return redirect("cases:notifications:index")


class NotificationsViewset(AppMenuMixin, Viewset):
    app_name = "notifications"
    title = _("Notifications")
    icon = "notifications"
    index_path = path("", NotificationListView.as_view(), name="index")
    read_all_path = path("read/", MarkReadView.as_view(), name="read_all")
    read_path = path("<int:pk>/read/", MarkReadView.as_view(), name="read")


def bell(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the bell's unread count and latest notifications (two small queries)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    recent = list(selectors.notification_list(user=user, unread=True)[:5])
    for n in recent:
        n.text = texts.render(n)  # type: ignore[attr-defined]  # read by the bell's template; not a field
    return {"bell_unread": selectors.notification_unread_count(user=user), "bell_recent": recent}
