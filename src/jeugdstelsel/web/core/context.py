"""Template context shared by every page."""

from __future__ import annotations

SITE_NAME = "Jeugdstelsel"


def site(request) -> dict:
    from django.conf import settings

    return {
        "site_name": SITE_NAME,
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
        "theme_css": settings.THEME_CSS,  # design tokens: the municipal theme (JEUGDSTELSEL_THEMA)
    }
