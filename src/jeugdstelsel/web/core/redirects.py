"""Every ``next`` a page follows or links to is checked against the own host first.

Why: ``?next=javascript:...`` or ``?next=https://elders.example`` in a link someone is sent
would otherwise run script or lead away from the site from a trusted page (reflected XSS, open
redirect). Only a path on this site (``/...``, never ``//host``) passes.
"""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str = "") -> str:
    """The request's ``next`` (POST before GET) when it is a path on this site, else fallback."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if (
        nxt.startswith("/")
        and not nxt.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return nxt
    return fallback
