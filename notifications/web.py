from datetime import datetime
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView
from viewflow.urls import AppMenuMixin, Viewset

from notifications import selectors, services, texts
from notifications.links import page_of
from notifications.models import Notification

BELL_ITEMS = 6  # the newest unread notifications the bell's dropdown lists


def ago(at: datetime, now: datetime | None = None) -> str:
    """How long ago, in the page's language and one unit: "3 分钟前", "2 days ago"; "刚刚" under a minute."""
    now = now or timezone.now()
    if (now - at).total_seconds() < 60:
        return gettext("just now")
    return gettext("%(delta)s ago") % {"delta": timesince(at, now, depth=1)}


def _annotate(notifications: list[Notification]) -> None:
    """What the templates read besides the fields: the text, where it leads, and when, relatively and in
    full (read by the templates; not fields)."""
    now = timezone.now()
    for n in notifications:
        n.text = texts.render(n)  # type: ignore[attr-defined]
        n.page = page_of(n)  # type: ignore[attr-defined]
        n.ago = ago(n.created_at, now)  # type: ignore[attr-defined]
        n.when = date_format(timezone.localtime(n.created_at), "DATETIME_FORMAT")  # type: ignore[attr-defined]


class NotificationListView(LoginRequiredMixin, ListView):
    """The person's inbox, newest first, 20 a page; unread ones marked; `?unread=1` for those only."""

    template_name = "notifications/list.html"
    paginate_by = 20
    context_object_name = "notifications"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.notification_list(user=self.request.user, unread=self.unread_only())

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[Any, Any, Any, bool]:
        """A page past the end (the last items were just marked read) shows the last page, not a 404."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def unread_only(self) -> bool:
        return self.request.GET.get("unread") == "1"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        _annotate(context["notifications"])
        context["unread_only"] = self.unread_only()
        context["unread_count"] = selectors.notification_unread_count(user=self.request.user)
        return context


def _mine(request: HttpRequest, pk: int) -> Notification:
    notification = Notification.objects.filter(pk=pk, user=request.user.pk).first()
    if notification is None:  # another person's, or none: the same answer
        raise Http404
    return notification


class MarkReadView(LoginRequiredMixin, View):
    """POST: mark one notification (`pk`) or all of the person's read, then back to `next` (a page of
    this site) or the list. Idempotent: marking what is read already changes nothing."""

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if pk is not None:
            _mine(request, pk)
        services.notification_mark_read(user=request.user, notification_id=pk)
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("cases:notifications:index")


class OpenView(LoginRequiredMixin, View):
    """A notification's own link. POST (a click in the bell, the list or a toast): mark it read and go
    to its page. GET (a link opened in a new tab): go there, changing nothing."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect(page_of(_mine(request, pk)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = _mine(request, pk)
        services.notification_mark_read(user=request.user, notification_id=pk)
        return redirect(page_of(notification))


class NotificationsViewset(AppMenuMixin, Viewset):
    app_name = "notifications"
    title = _("Notifications")
    icon = "notifications"
    index_path = path("", NotificationListView.as_view(), name="index")
    read_all_path = path("read/", MarkReadView.as_view(), name="read_all")
    read_path = path("<int:pk>/read/", MarkReadView.as_view(), name="read")
    open_path = path("<int:pk>/open/", OpenView.as_view(), name="open")


def bell(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the bell's unread count and latest unread notifications (two small queries)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    recent = list(selectors.notification_list(user=user, unread=True)[:BELL_ITEMS])
    _annotate(recent)
    return {"bell_unread": selectors.notification_unread_count(user=user), "bell_recent": recent}
