from django import template

from notifications.links import page_of
from notifications.models import Notification

register = template.Library()


@register.filter
def page(notification: Notification) -> str:
    """The page a notification links to (notifications.links.page_of)."""
    return page_of(notification)
