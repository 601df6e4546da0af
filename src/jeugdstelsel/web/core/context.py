"""Template context shared by every page."""

from __future__ import annotations

SITE_NAME = "Jeugdstelsel"


def site(request) -> dict:
    return {"site_name": SITE_NAME}
