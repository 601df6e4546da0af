"""Sign-in through OpenID Connect (mozilla-django-oidc), as municipal single sign-on offers it,
beside local accounts.

Switched on by setting ``JEUGDSTELSEL_OIDC_CLIENT_ID``, ``..._CLIENT_SECRET`` and the
provider's endpoints (``JEUGDSTELSEL_OIDC_AUTHORIZATION_ENDPOINT``, ``..._TOKEN_ENDPOINT``,
``..._USER_ENDPOINT``, ``..._JWKS_ENDPOINT``); the login page then offers "Inloggen met het
account van uw organisatie". Who may sign in is still decided here, not by the provider: the
account is found by its e-mail address (or user name = ``preferred_username``) among the users
a municipal administrator gave a role; an unknown person is refused with a Dutch message,
unless ``JEUGDSTELSEL_OIDC_NIEUWE_GEBRUIKERS=1`` creates an account without any role (she then
sees nothing until an administrator gives her one).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


try:
    from mozilla_django_oidc.auth import OIDCAuthenticationBackend
except ImportError:  # the package is missing: OIDC stays off

    class OIDCAuthenticationBackend:  # type: ignore[no-redef]
        def authenticate(self, request, **kwargs):
            return None

        def get_user(self, user_id):
            return None


class MunicipalOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc,valid-type]
    """Finds the local account of a person the identity provider vouches for."""

    def authenticate(self, request, **kwargs):
        if not enabled():
            return None
        return super().authenticate(request, **kwargs)

    def filter_users_by_claims(self, claims):
        users = get_user_model().objects.filter(is_active=True)
        email = (claims.get("email") or "").strip()
        if email and claims.get("email_verified", True):
            found = users.filter(email__iexact=email)
            if found.exists():
                return found
        name = (claims.get("preferred_username") or "").strip()
        return users.filter(username=name) if name else users.none()

    def create_user(self, claims):
        if not getattr(settings, "OIDC_CREATE_USER", False):
            return None
        return super().create_user(claims)


def _view(name: str):
    def view(request, *args, **kwargs):
        if not enabled():
            raise Http404
        from mozilla_django_oidc import views

        return getattr(views, name).as_view()(request, *args, **kwargs)

    return view


authentication_init = _view("OIDCAuthenticationRequestView")
_callback = _view("OIDCAuthenticationCallbackView")


def authentication_callback(request, *args, **kwargs):
    return _callback(request, *args, **kwargs)


def failed(request):
    """Where a refused or failed OIDC sign-in lands: the login page with a Dutch reason."""
    messages.error(
        request,
        "Inloggen via uw organisatie is niet gelukt of u heeft nog geen account in deze "
        "applicatie. Vraag de beheerder van uw gemeente om u een rol te geven (met uw "
        "e-mailadres), of log in met uw gebruikersnaam en wachtwoord.",
    )
    return redirect("login")
