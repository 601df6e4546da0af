"""Sign-in throttling (django-axes) that also lets internal callers authenticate.

django-axes' backend refuses every ``authenticate()`` without a request; sign-in from the web
(the login page, Beheer) always passes one and is throttled. A call without a request comes
from code on the server itself (tests, maintenance), which has nothing to throttle.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class ThrottledBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
