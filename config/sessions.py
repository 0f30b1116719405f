"""Browser sessions: the idle timeout without a database write on every request (DESIGN §11).

A session ends SESSION_COOKIE_AGE (SESSION_IDLE_HOURS) after it was last saved, and a request that
uses it renews it. Django's way to renew, SESSION_SAVE_EVERY_REQUEST, writes the session row (an
UPDATE and its commit) on every request: on a list page, one query of seven and about a millisecond.
Here the store stamps each session with the moment it saves it, and the middleware renews a session
only when that stamp is SESSION_REFRESH_SECONDS old or more; a request within that window reads the
session and writes nothing. So a session ends between SESSION_COOKIE_AGE − SESSION_REFRESH_SECONDS
and SESSION_COOKIE_AGE after its last request, never later, and a person at work writes their
session at most once per window.

Settings: SESSION_ENGINE = "config.sessions" (the store) and this module's SessionMiddleware in
place of Django's. The stamp is read from the session the request has already loaded, so telling
costs nothing; a request that never touches its session (a token-authenticated API call) neither
reads nor renews it.
"""

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse

SAVED_AT = "_saved_at"  # seconds since the epoch, in the session's own data


class SessionStore(db.SessionStore):
    """Django's database session store, stamping the session with the time of every save."""

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        return super().create_model_instance({**data, SAVED_AT: int(time.time())})


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's SessionMiddleware, renewing an unchanged session once per refresh window."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> Any:
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.modified and not session.is_empty():
            age = int(time.time()) - session.get(SAVED_AT, 0)
            if not 0 <= age < settings.SESSION_REFRESH_SECONDS:
                session.modified = True  # Django's middleware saves it (a new expiry) and resends the cookie
        return super().process_response(request, response)
