"""Giving a user a role in one municipality: the one function the municipal administrator's
page and the command line (``jeugdstelsel gebruiker``) both use.

Refusals are :class:`jeugdstelsel.errors.JeugdstelselError` with a stable code and a Dutch
message, so each interface shows them at its own boundary.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from jeugdstelsel.errors import JeugdstelselError
from jeugdstelsel.web.kompas import models as m


class MembershipError(JeugdstelselError, ValueError):
    """A role that cannot be given (unknown municipality, role or organisation, weak password)."""

    code = "rol_ongeldig"


ROLES = {str(value): value for value, _ in m.Role.choices}


@transaction.atomic
def grant_role(
    username: str, municipality_code: str, role: str, *, organisation: str | None = None,
    email: str = "", password: str | None = None,
) -> tuple[m.Membership, bool]:
    """Give ``username`` the role in the municipality (creating the user when ``password`` is
    given and she does not exist); returns the membership and whether the user is new.
    An existing role in that municipality is replaced."""
    municipality = m.Municipality.objects.filter(code=municipality_code.upper()).first()
    if municipality is None:
        raise MembershipError(f"Gemeente {municipality_code} is niet ingericht; voeg haar eerst "
                              "toe in Beheer.")
    if role not in ROLES:
        raise MembershipError(f"Onbekende rol '{role}'; kies uit: {', '.join(ROLES)}.")
    org = None
    if organisation:
        org = municipality.organisations.filter(name__iexact=organisation).first()
        if org is None:
            names = ", ".join(municipality.organisations.values_list("name", flat=True))
            raise MembershipError(f"Organisatie '{organisation}' bestaat niet in "
                                  f"{municipality.name}; kies uit: {names or '(nog geen)'}.")
    if role == m.Role.PARTNER and org is None:
        raise MembershipError("Een partner hoort bij een organisatie; geef die op.")
    users = get_user_model().objects
    user = users.filter(username=username).first()
    created = user is None
    if created:
        if not password:
            raise MembershipError(f"Gebruiker '{username}' bestaat nog niet; geef een eerste "
                                  "wachtwoord op.")
        try:
            validate_password(password, get_user_model()(username=username, email=email))
        except ValidationError as exc:
            raise MembershipError(" ".join(exc.messages)) from exc
        user = users.create_user(username=username, email=email, password=password)
    membership, _ = m.Membership.objects.update_or_create(
        user=user, municipality=municipality, defaults={"role": role, "organisation": org})
    return membership, created
