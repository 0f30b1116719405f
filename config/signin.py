"""Sign-in throttling (DESIGN §8 Additions, §11) on django-axes: the settings are in config/settings.py,
the behaviour in docs/security.md.

Every password check goes through `django.contrib.auth.authenticate` with the request — the web login
page, the admin login and `POST /api/auth/token/` — so axes's backend refuses it while the username or
the address is locked out, and its signal handlers count failures and clear them on success. This
module adds what axes leaves to the project: how long a lock has left (Retry-After), the refusal in
the reader's language (a page, or the API's JSON error), and a success that clears only the
signed-in person's own failures.
"""

import math
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from cases.api.errors import SignInThrottled, error_body


class SignInHandler(AxesDatabaseHandler):
    """axes's database handler, but a successful sign-in clears the failures recorded against that
    username only. Clearing by address too (axes's way with two lockout parameters) would let anyone
    with an account wipe the count of the address they share with an attacker, or their own guesses
    at someone else's password, by signing in as themselves between guesses."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def seconds_left(request: HttpRequest, credentials: dict | None = None) -> int:
    """Seconds until neither the username nor the address of this sign-in is locked out any more (at
    least 1): each is locked while its failures within the cool-off reach the limit, so each unlocks
    when enough of its oldest failures have aged out."""
    cool_off = get_cool_off(request) or timedelta(0)
    limit = get_failure_limit(request, credentials)
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off)
    unlocks = [
        _unlocks_at(list(recent.filter(**{field: value}).values_list("attempt_time", "failures_since_start")),
                    limit=limit, cool_off=cool_off)
        for field, value in (("username", username), ("ip_address", address))
        if value
    ]  # fmt: skip
    latest = max((at for at in unlocks if at is not None), default=now)
    return max(1, math.ceil((latest - now).total_seconds()))


def _unlocks_at(attempts: list[tuple[datetime, int]], *, limit: int, cool_off: timedelta) -> datetime | None:
    total = sum(failures for _, failures in attempts)
    unlocks = None
    for at, failures in sorted(attempts):
        if total < limit:
            break
        total -= failures
        unlocks = at + cool_off
    return unlocks


def throttled(request: HttpRequest, credentials: dict | None = None) -> SignInThrottled:
    wait = seconds_left(request, credentials)
    return SignInThrottled(wait=wait, until=timezone.localtime() + timedelta(seconds=wait))


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: dict | None = None
) -> HttpResponseBase:
    """AXES_LOCKOUT_CALLABLE: what a refused sign-in answers, 429 with Retry-After — the API's JSON
    error under /api/, else a page in the reader's language. (axes's async middleware passes the
    credentials in the second place: both places are read.)"""
    if isinstance(original_response, HttpResponseBase) and original_response.status_code == 429:
        return original_response  # the token view has answered already
    if credentials is None and isinstance(original_response, dict):
        credentials = original_response
    credentials = credentials or getattr(request, "axes_credentials", None)
    error = throttled(request, credentials)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            error_body(error), status=error.status, json_dumps_params={"ensure_ascii": False}
        )
    else:
        back = "/admin/login/" if request.path.startswith("/admin/") else "/accounts/login/"
        context = {"message": error.text(), "back": back}
        response = render(request, "cases/signin_throttled.html", context, status=error.status)
    response["Retry-After"] = str(error.wait)
    return response
