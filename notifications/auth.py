"""Websocket authentication: the session cookie (browsers) or `Authorization: Token …` (integrations)."""

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header


@database_sync_to_async
def _user_for_token(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    return token.user if token and token.user.is_active else AnonymousUser()


class TokenAuthMiddleware:
    """Sets scope["user"] from an `Authorization: Token` header when there is one, and
    scope["language"] from Accept-Language, before the session middleware fills the rest."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        scope = dict(scope, language=_language(headers.get(b"accept-language", b"").decode()))
        auth = headers.get(b"authorization", b"").decode()
        if auth.lower().startswith("token "):
            scope["user"] = await _user_for_token(auth.split(None, 1)[1].strip())
        return await self.inner(scope, receive, send)


def _language(header: str) -> str:
    for lang, _q in parse_accept_lang_header(header):
        try:
            return get_supported_language_variant(lang)
        except LookupError:
            continue
    return "zh-hans"


def WebsocketAuthStack(inner: Any) -> Any:  # noqa: N802 - reads like channels' own AuthMiddlewareStack
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
