"""API tokens (DESIGN §8 Additions, §11) on django-rest-knox: stored as SHA-512 digests, never in clear;
valid for TOKEN_TTL_DAYS; dead once the person is deactivated or their password changes.

The password rule needs no signal and no hook in the places a password can change (the password
page, a reset link, the admin, `changepassword`, `add_member --password`, a shell): the digest a
token is stored under is taken over the token *and* a fingerprint of the person's password hash —
the HMAC Django keeps in a session to end it when the password changes
(`AbstractBaseUser.get_session_auth_hash`). A new password, set anywhere, changes the fingerprint,
and no older token matches its digest again. (So do a new SECRET_KEY, which ends sessions too, and
the re-hashing Django does at a sign-in after an upgrade raises the hasher's work factor.)

The websocket (notifications/auth.py) validates the same way, through `live_token`.
"""

from datetime import timedelta
from hmac import compare_digest
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth, crypto
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

# knox makes 64 hexadecimal characters; anything much longer is not a token and is not hashed
LONGEST_KEY = 128


def digest(key: str, user: AbstractBaseUser) -> str:
    return crypto.hash_token(key + ":" + user.get_session_auth_hash())


def token_issue(*, user: AbstractBaseUser, ttl: timedelta | None = None) -> tuple[AuthToken, str]:
    """A new token for `user` (who has just given their password): the stored row and the key, which
    exists only in this answer. The person's expired tokens are cleared on the way."""
    now = timezone.now()
    AuthToken.objects.filter(user=user, expiry__lt=now).delete()
    key = crypto.create_token_string()
    token = AuthToken(
        token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
        digest=digest(key, user),
        user=user,
        expiry=now + (ttl or knox_settings.TOKEN_TTL),
    )
    token.save(force_insert=True)
    return token, key


def live_token(key: str) -> AuthToken | None:
    """The token `key` names, if it is still good: known, not expired, issued under the person's
    current password, the person active. An expired one is deleted when it is seen."""
    if not key or len(key) > LONGEST_KEY:
        return None
    now = timezone.now()
    for token in AuthToken.objects.filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user"):
        if not compare_digest(digest(key, token.user), token.digest):
            continue
        if token.expiry is not None and token.expiry <= now:
            token.delete()
            return None
        return token if token.user.is_active else None
    return None


class TokenAuthentication(auth.TokenAuthentication):
    """knox's `Authorization: Token <key>` scheme, validated by `live_token`."""

    def authenticate_credentials(self, token: bytes) -> tuple[AbstractBaseUser, AuthToken]:
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError:
            key = ""
        found = live_token(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        return found.user, found


class TokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema names the scheme: `Authorization: Token <key>`."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
