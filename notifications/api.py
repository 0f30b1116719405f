from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services, texts
from notifications.models import Delivery, Notification


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["channel", "status", "attempts", "last_error"]


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "lead", "text", "created_at", "read_at", "deliveries"]

    def get_text(self, n: Notification) -> str:
        return texts.render(n)


class NotificationList(generics.ListAPIView):
    """The caller's inbox, newest first; `?unread=1` for unread only."""

    serializer_class = NotificationSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        unread = self.request.query_params.get("unread") in ("1", "true", "yes")
        return selectors.notification_list(user=self.request.user, unread=unread)


class UnreadCount(APIView):
    @extend_schema(responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}))
    def get(self, request: Request) -> Response:
        return Response({"unread": selectors.notification_unread_count(user=request.user)})


class MarkRead(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "MarkRead", {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()}
        ),
    )
    def post(self, request: Request, pk: int | None = None) -> Response:
        changed = services.notification_mark_read(user=request.user, notification_id=pk)
        return Response({"marked": changed, "unread": selectors.notification_unread_count(user=request.user)})


class MarkAllRead(MarkRead):
    """POST /api/notifications/read/: mark every notification of the caller read."""

    @extend_schema(
        operation_id="notifications_read_all",
        request=None,
        responses=inline_serializer(
            "MarkAllRead", {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()}
        ),
    )
    def post(self, request: Request, pk: int | None = None) -> Response:
        return super().post(request)


urlpatterns = [
    path("notifications/", NotificationList.as_view(), name="api-notifications"),
    path("notifications/unread_count/", UnreadCount.as_view(), name="api-notifications-unread"),
    path("notifications/read/", MarkAllRead.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", MarkRead.as_view(), name="api-notification-read"),
]
