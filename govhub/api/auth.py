"""Bearer tokens for the API: only a SHA-256 of the key is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone
from ninja.security import HttpBearer

from govhub.core.models import ApiToken


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(*, user, name: str, scopes: list[str] | None = None) -> tuple[ApiToken, str]:
    """Create a token; the clear key is returned once and never stored."""
    key = "gh_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=hash_key(key), prefix=key[:8], scopes=scopes or []
    )
    return token, key


def resolve_token(key: str) -> ApiToken | None:
    token = (
        ApiToken.objects.filter(key_hash=hash_key(key), revoked=False)
        .select_related("user")
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = resolve_token(token)
        if found is None or found.user is None or not found.user.is_active:
            return None
        request.user = found.user
        request.api_token = found
        return found.user
