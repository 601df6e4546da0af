"""API tokens that expire and can be revoked.

A token (``Authorization: Token <key>``, made by ``jeugdstelsel token <user>``) is refused
``API_TOKEN_DAYS`` days after it was made (setting, env ``JEUGDSTELSEL_TOKEN_DAGEN``, default
90) and as soon as it is revoked: deleted in Beheer (*Tokens*), or when the user is made
inactive. A refused token is a 401 problem with code ``authentication_failed``.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def expires_at(token):
    return token.created + timedelta(days=settings.API_TOKEN_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= expires_at(token):
            raise exceptions.AuthenticationFailed(
                "Deze API-sleutel is verlopen; vraag een nieuwe aan (jeugdstelsel token).",
                code="token_verlopen",
            )
        return user, token


def issue_token(user, *, renew: bool = False):
    """The user's valid token, or a new one when she has none, hers expired or ``renew``.

    For ``jeugdstelsel token`` and the account page: never hands out an expired key.
    """
    from rest_framework.authtoken.models import Token

    token = Token.objects.filter(user=user).first()
    if token is not None and (renew or timezone.now() >= expires_at(token)):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def revoke_token(user) -> bool:
    """Delete the user's token; True when she had one."""
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(user=user).delete()[0] > 0
