"""Websocket handshake checks: where it comes from (the Origin header against ALLOWED_HOSTS) and who it
is (the session cookie, for browsers, or `Authorization: Token …`, for integrations)."""

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header


@database_sync_to_async
def _user_for_token(key: str) -> Any:
    from config.tokens import live_token  # the API's own validation: expiry, password, active

    token = live_token(key)
    return token.user if token is not None else AnonymousUser()


class TokenAuthMiddleware:
    """Sets scope["user"] from an `Authorization: Token` header when there is one, and
    scope["language"] from Accept-Language, before the session middleware fills the rest."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        scope = dict(scope, language=_language(headers.get(b"accept-language", b"").decode("latin-1")))
        auth = headers.get(b"authorization", b"").decode("latin-1").split()
        if len(auth) == 2 and auth[0].lower() == "token":
            scope["user"] = await _user_for_token(auth[1])
        elif auth and auth[0].lower() == "token":
            scope["user"] = AnonymousUser()  # a malformed token header never falls back to the cookie
        return await self.inner(scope, receive, send)


def _language(header: str) -> str:
    for lang, _q in parse_accept_lang_header(header):
        try:
            return get_supported_language_variant(lang)
        except LookupError:
            continue
    return "zh-hans"


class BrowserOriginValidator(OriginValidator):
    """channels' AllowedHostsOriginValidator, read per handshake, that also lets in a handshake without
    an Origin header. Cross-site websocket hijacking is a browser's doing, and browsers always send
    Origin (`null` from sandboxed or file pages, refused here); a client without one — an integration
    with its token, a script — carries no one else's cookie. A refused handshake is closed before it
    is accepted: the client gets HTTP 403 and no socket."""

    def __init__(self, application: Any) -> None:
        self.application = application

    @property
    def allowed_origins(self) -> list[str]:  # read per handshake (settings may change), not at import
        return settings.ALLOWED_HOSTS or (["localhost", "127.0.0.1", "[::1]"] if settings.DEBUG else [])

    def valid_origin(self, parsed_origin: Any) -> bool:
        return parsed_origin is None or self.validate_origin(parsed_origin)


def WebsocketAuthStack(inner: Any) -> Any:  # noqa: N802 - reads like channels' own AuthMiddlewareStack
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
