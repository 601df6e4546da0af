"""The municipal theme: one CSS file of design tokens, chosen by the installation.

``JEUGDSTELSEL_THEMA`` (environment) names a CSS file on the server; settings turn it into
``THEME_FILE`` and the static path ``THEME_CSS`` (``thema/<name>``). This finder makes exactly
that one file a static file, for ``runserver``/whitenoise and for ``collectstatic`` (hashed and
compressed like the rest), and nothing else from its folder.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class ThemeFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.file = getattr(settings, "THEME_FILE", None)
        self.storage = None
        if self.file is not None:
            self.storage = FileSystemStorage(location=str(self.file.parent))
            self.storage.prefix = settings.THEME_CSS.rsplit("/", 1)[0]

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if self.file is None or path != settings.THEME_CSS:
            return []  # like Django's finders: an empty list when not found
        return [str(self.file)] if find_all else str(self.file)

    def list(self, ignore_patterns):
        if self.file is not None:
            yield self.file.name, self.storage
