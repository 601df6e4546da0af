"""Shared pages (home, transparency, accessibility), base template and static assets."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jeugdstelsel.web.core"
    label = "webcore"
    verbose_name = "Website"
